/**
 * The composer's inputs, each bound to a field of the composition it is given: title,
 * text, flags, images, links and sources. Every change is written into the fields at once
 * and reported, so the composer can store it and refresh the preview.
 */
import type { Briefing } from '../../shared/schemas';
import { TimeFormat } from '../../shared/time-format';
import { emptyLink, emptyMedia, type ComposerFields } from './composition';
import { h } from './dom';
import { LIMITS } from '../../shared/limits';
import { PROVIDER_NAMES } from '../../shared/embeds';
import { photoUploader } from './photo-upload';
import { rowsEditor } from './row-editor';

function mediaSection(fields: ComposerFields, onInput: () => void, exposeAdd: (add: (url: string) => number) => void): HTMLElement {
  return rowsEditor({
    rows: fields.media,
    idPrefix: 'media',
    title: 'Images',
    noun: 'Image',
    rowClass: 'row',
    inputs: [
      { name: 'url', label: 'Image URL', type: 'url', required: true },
      { name: 'alt', label: 'Alt text (required: describe the image)', required: true },
      { name: 'caption', label: 'Caption' },
      { name: 'credit', label: 'Credit' },
    ],
    addLabel: 'Add image',
    removeLabel: 'Remove image',
    empty: emptyMedia,
    onInput,
    exposeAdd: (add) => exposeAdd((url) => add({ ...emptyMedia(), url })),
  });
}

function linksSection(fields: ComposerFields, onInput: () => void): HTMLElement {
  return rowsEditor({
    rows: fields.links,
    idPrefix: 'link',
    title: 'See also',
    noun: 'Link',
    rowClass: 'row link-row',
    inputs: [
      { name: 'title', label: 'Link text' },
      { name: 'url', label: 'URL', type: 'url' },
    ],
    addLabel: 'Add link',
    removeLabel: 'Remove link',
    empty: emptyLink,
    onInput,
  });
}

/** Posts from other services: one link a line; the preview shows each card, or says what is not recognized. */
function embedsField(fields: ComposerFields, onInput: () => void): HTMLElement {
  const input = h('textarea', {
    id: 'composer-embeds',
    name: 'embeds',
    rows: 2,
    'aria-describedby': 'composer-embeds-help',
    placeholder: 'https://www.youtube.com/watch?v=…',
    spellcheck: 'false',
  });
  input.value = fields.embeds;
  input.addEventListener('input', () => {
    fields.embeds = input.value;
    onInput();
  });
  return h(
    'div',
    { class: 'field' },
    h('label', { for: input.id }, 'Embedded posts'),
    input,
    h(
      'p',
      { id: 'composer-embeds-help', class: 'help' },
      `One link a line, at most ${LIMITS.embedsPerEntry}: a post or video on ${Object.values(PROVIDER_NAMES).join(', ')}. Readers see a card and load the post only if they ask.`,
    ),
  );
}

/** `editor`: the person may publish, so the form offers pinning and says Ctrl+Enter publishes. */
export function fieldInputs(fields: ComposerFields, editor: boolean, onInput: () => void): HTMLElement[] {
  const text = (name: 'title' | 'sources', label: string, placeholder: string): HTMLElement => {
    const input = h('input', { id: `composer-${name}`, name, type: 'text', value: fields[name], placeholder, autocomplete: 'off' });
    input.addEventListener('input', () => {
      fields[name] = input.value;
      onInput();
    });
    return h('div', { class: 'field' }, h('label', { for: input.id }, label), input);
  };
  const body = h('textarea', {
    id: 'composer-body',
    name: 'body',
    rows: 8,
    required: true,
    'aria-describedby': 'composer-body-help',
    placeholder: 'What happened? Markdown: **bold**, _italic_, [link](https://…), > quote',
  });
  body.value = fields.body;
  body.addEventListener('input', () => {
    fields.body = body.value;
    onInput();
  });
  const toggle = (name: 'keyEvent' | 'pinned', label: string): HTMLElement => {
    const box = h('input', { type: 'checkbox', id: `composer-${name}`, checked: fields[name] });
    box.addEventListener('change', () => {
      fields[name] = box.checked;
      onInput();
    });
    return h('label', { class: 'check', for: box.id }, box, ` ${label}`);
  };

  let addImageRow: (url: string) => number = () => -1;
  const images = mediaSection(fields, onInput, (add) => {
    addImageRow = add;
  });
  const uploader = photoUploader({
    inputId: 'composer-photo',
    multiple: true,
    buttonLabel: 'Upload a photo',
    help: 'or drop or paste one into the composer',
    uploaded: (media, name) => {
      const index = addImageRow(media.url);
      document.getElementById(`media-${index}-alt`)?.focus();
      return `Added ${name}. Describe it in its alt text (required), then add a caption and credit.`;
    },
  });
  const inputs = [
    text('title', 'Title (optional)', 'A headline for this update'),
    h(
      'div',
      { class: 'field' },
      h('label', { for: body.id }, 'Text'),
      body,
      h(
        'p',
        { id: 'composer-body-help', class: 'help' },
        'Markdown. ',
        h('kbd', {}, navigator.platform.startsWith('Mac') ? '⌘' : 'Ctrl'),
        '+',
        h('kbd', {}, 'Enter'),
        editor ? ' publishes.' : ' submits.',
      ),
    ),
    h('div', { class: 'toggles' }, toggle('keyEvent', 'Key event'), editor ? toggle('pinned', 'Pin to top') : null),
    // Outside the collapsible images section: on a phone it is the first way to add one.
    uploader.element,
    images,
    embedsField(fields, onInput),
    linksSection(fields, onInput),
    text('sources', 'Sources', 'With reporting by …'),
  ];
  // A photo dropped or pasted anywhere on the form's inputs is uploaded.
  for (const element of inputs) uploader.acceptFrom(element);
  return inputs;
}

/** What a schedule time means for readers (the briefing's zone) and for the editor (their own), or '' for none. */
export function describeSchedule(value: string, briefing: Briefing | null): string {
  if (!value) return '';
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) return '';
  const mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zone = briefing?.timeZone ?? 'UTC';
  const inBriefing = new TimeFormat(briefing?.locale ?? 'en', undefined, zone).absolute(at.toISOString());
  const inMine = new TimeFormat(navigator.language, undefined, mine).absolute(at.toISOString());
  const past = at.getTime() <= Date.now() ? ' This is in the past: it would publish at once.' : '';
  return `Readers see ${inBriefing} (${zone}); that is ${inMine} for you.${past}`;
}
