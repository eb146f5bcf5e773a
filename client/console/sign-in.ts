/** Signing in, and the first-run setup of the first admin from the one-time link. */
import { PASSWORD_MIN, type SessionInfo } from '../../shared/console';
import { announce, h } from './dom';
import * as api from './api';
import { messageOf } from './http';

function field(id: string, label: string, input: HTMLInputElement, help?: string): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: id }, label), input, help ? h('p', { class: 'help' }, help) : null);
}

/** `notice`: why the console is signed out (it timed out, the session ended), shown above the form's status. */
export function signInView(onSignedIn: (session: SessionInfo) => void, notice: string | null = null): HTMLElement {
  const username = h('input', {
    id: 'login-username',
    name: 'username',
    type: 'text',
    autocomplete: 'username',
    required: true,
    autocapitalize: 'none',
    spellcheck: 'false',
  });
  const password = h('input', {
    id: 'login-password',
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
  });
  const status = h('p', { class: 'status', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary wide' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card auth', 'aria-labelledby': 'signin-heading' },
    h('h1', { id: 'signin-heading' }, 'Sign in to the console'),
    notice ? h('p', { class: 'status info', 'data-notice': 'signed-out' }, notice) : null,
    field(username.id, 'Username', username),
    field(password.id, 'Password', password),
    submit,
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submit.disabled = true;
    announce(status, 'Signing in…');
    api
      .login({ username: username.value, password: password.value })
      .then(onSignedIn)
      .catch((error: unknown) => {
        announce(status, messageOf(error).replace(/^password: /, ''), 'error');
        password.select();
      })
      .finally(() => {
        submit.disabled = false;
      });
  });
  queueMicrotask(() => username.focus());
  return h('main', { class: 'auth-page' }, h('p', { class: 'brand big' }, 'livebrief'), form);
}

export function setupView(token: string, onSignedIn: (session: SessionInfo) => void): HTMLElement {
  const name = h('input', { id: 'setup-name', type: 'text', autocomplete: 'name', required: true });
  const username = h('input', { id: 'setup-username', type: 'text', autocomplete: 'username', required: true, autocapitalize: 'none' });
  const password = h('input', {
    id: 'setup-password',
    type: 'password',
    autocomplete: 'new-password',
    required: true,
    minlength: PASSWORD_MIN,
  });
  const status = h('p', { class: 'status', role: 'alert' });
  const form = h(
    'form',
    { class: 'card auth', 'aria-labelledby': 'setup-heading' },
    h('h1', { id: 'setup-heading' }, 'Create the first admin account'),
    h('p', { class: 'help' }, 'No account exists yet. This link works once; afterwards admins add people from the Users page.'),
    field(name.id, 'Your name (shown as the author of entries)', name),
    field(username.id, 'Username', username, 'Letters, digits, . _ @ + -'),
    field(password.id, 'Password', password, `At least ${PASSWORD_MIN} characters.`),
    h('button', { type: 'submit', class: 'primary wide' }, 'Create account and sign in'),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    api
      .setup({ token, name: name.value, username: username.value, password: password.value })
      .then((session) => {
        history.replaceState(null, '', '/console#/');
        onSignedIn(session);
      })
      .catch((error: unknown) => announce(status, messageOf(error), 'error'));
  });
  queueMicrotask(() => name.focus());
  return h('main', { class: 'auth-page' }, h('p', { class: 'brand big' }, 'livebrief'), form);
}
