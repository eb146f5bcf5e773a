/**
 * Bylines in the console: the form for a name, a role line and an avatar, on "Your profile"
 * (each person's own) and in the admins' People page (anyone's). Entries keep the byline
 * they were published under, so a change here shows on the next entries only.
 */
import { canEdit, ROLE_LINE_MAX, type PublicUser } from '../../shared/console';
import { announce, h } from './dom';
import * as api from './api';
import { messageOf } from './http';
import { photoUploader } from './photo-upload';

export interface BylineValues {
  name: string;
  roleLine: string | null;
  avatarUrl: string | null;
}

/**
 * The three fields and a save button; `save` gets them as typed ('' clears a role line or
 * avatar). Where the signed-in person may upload photos (editors and admins), the avatar
 * can be one taken from their device.
 */
export function bylineForm(
  idPrefix: string,
  values: BylineValues,
  label: string,
  save: (values: { name: string; roleLine: string; avatarUrl: string }) => void,
  canUpload: boolean,
): HTMLFormElement {
  const name = h('input', { id: `${idPrefix}-name`, type: 'text', required: true, maxlength: 100, value: values.name });
  const roleLine = h('input', {
    id: `${idPrefix}-role-line`,
    type: 'text',
    maxlength: ROLE_LINE_MAX,
    value: values.roleLine ?? '',
    placeholder: 'e.g. Kyiv correspondent',
  });
  // Text, not type=url: a /media/ path is not an absolute URL, and the server checks both kinds.
  const avatarUrl = h('input', {
    id: `${idPrefix}-avatar`,
    type: 'text',
    inputmode: 'url',
    autocapitalize: 'none',
    value: values.avatarUrl ?? '',
    placeholder: 'https://… or /media/…',
    'aria-describedby': `${idPrefix}-avatar-help`,
  });
  const form = h(
    'form',
    {},
    h('div', { class: 'field' }, h('label', { for: name.id }, 'Name (shown as the author of entries)'), name),
    h('div', { class: 'field' }, h('label', { for: roleLine.id }, `Role line (optional, up to ${ROLE_LINE_MAX} characters)`), roleLine),
    h(
      'div',
      { class: 'field' },
      h('label', { for: avatarUrl.id }, 'Avatar (optional)'),
      avatarUrl,
      h(
        'p',
        { class: 'help', id: `${idPrefix}-avatar-help` },
        'An https address of a square picture, or a /media/ path of an uploaded photo.',
      ),
      canUpload
        ? photoUploader({
            inputId: `${idPrefix}-avatar-photo`,
            multiple: false,
            buttonLabel: 'Upload a picture',
            help: 'a square one looks best',
            uploaded: (media, name) => {
              // The smallest JPEG, as a path on this service: avatars are drawn 32 px wide.
              const smallest = media.renditions.filter((rendition) => rendition.format === 'jpeg').sort((a, b) => a.width - b.width)[0];
              avatarUrl.value = new URL(smallest?.url ?? media.url, window.location.href).pathname;
              return `Uploaded ${name}. Save to use it.`;
            },
          }).element
        : null,
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, label)),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    save({ name: name.value, roleLine: roleLine.value, avatarUrl: avatarUrl.value });
  });
  return form;
}

/** #/profile: one's own byline. */
export function profileView(me: PublicUser, onChanged: (user: PublicUser) => void): HTMLElement {
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const form = bylineForm(
    'profile',
    me,
    'Save profile',
    (values) => {
      api
        .updateProfile(values)
        .then(({ user }) => {
          announce(status, 'Saved. Your next entries carry this byline.', 'ok');
          onChanged(user);
        })
        .catch((error: unknown) => announce(status, messageOf(error), 'error'));
    },
    canEdit(me.role),
  );
  return h(
    'main',
    { class: 'page' },
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'profile-heading' },
      h('h1', { id: 'profile-heading' }, 'Your profile'),
      h('p', { class: 'help' }, 'Your byline: readers see it under each entry you publish, and in the list of contributors.'),
      form,
      status,
    ),
  );
}
