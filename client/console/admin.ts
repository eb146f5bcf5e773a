/** Admins' pages: people and their roles, API tokens (shown once), webhooks and their delivery logs, and the audit log. */
import { PASSWORD_MIN, ROLES, TOKEN_ROLES, type PublicUser, type Role, type TokenRole } from '../../shared/console';
import { WEBHOOK_EVENTS, type Webhook, type WebhookDelivery, type WebhookEvent } from '../../shared/webhooks';
import { announce, confirmAction, h, openDialog, replace } from './dom';
import * as api from './api';
import { messageOf } from './http';
import { bylineForm } from './profile';

const field = (id: string, label: string, control: HTMLElement): HTMLElement =>
  h('div', { class: 'field' }, h('label', { for: id }, label), control);

/** Offers only `roles`, so its value is always one of them (read back with `as`). */
const roleSelect = (id: string, roles: readonly string[], value: string): HTMLSelectElement =>
  h('select', { id }, ...roles.map((role) => h('option', { value: role, selected: role === value }, role)));

export function usersView(me: PublicUser): HTMLElement {
  const table = h('tbody');
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const load = (): void => {
    api
      .listUsers()
      .then(({ users }) => replace(table, ...users.map(row)))
      .catch((error: unknown) => announce(status, messageOf(error), 'error'));
  };
  const change = (user: PublicUser, body: Parameters<typeof api.updateUser>[1], done: string): void => {
    api
      .updateUser(user.id, body)
      .then(() => {
        announce(status, done, 'ok');
        load();
      })
      .catch((error: unknown) => announce(status, messageOf(error), 'error'));
  };
  const row = (user: PublicUser): HTMLElement => {
    const role = roleSelect(`role-${user.id}`, ROLES, user.role);
    role.disabled = user.id === me.id;
    role.addEventListener('change', () => change(user, { role: role.value as Role }, `${user.name} is now ${role.value}.`));
    return h(
      'tr',
      { class: user.disabled ? 'disabled' : '', 'data-user': user.username },
      h(
        'td',
        {},
        h('strong', {}, user.name),
        user.roleLine ? h('span', { class: 'help' }, ` · ${user.roleLine}`) : null,
        h('br'),
        h('span', { class: 'help' }, user.username),
      ),
      h('td', {}, h('label', { class: 'visually-hidden', for: role.id }, `Role of ${user.name}`), role),
      h('td', {}, user.disabled ? h('span', { class: 'badge ended' }, 'Disabled') : h('span', { class: 'badge ok' }, 'Active')),
      h(
        'td',
        { class: 'row-actions' },
        h('button', { type: 'button', class: 'small', 'data-action': 'byline', onclick: () => editByline(user) }, 'Byline'),
        h('button', { type: 'button', class: 'small', onclick: () => resetPassword(user) }, 'New password'),
        user.id === me.id
          ? null
          : user.disabled
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'small',
                  'data-action': 'enable',
                  onclick: () => change(user, { disabled: false }, `${user.name} can sign in again.`),
                },
                'Enable',
              )
            : h(
                'button',
                {
                  type: 'button',
                  class: 'small danger',
                  'data-action': 'disable',
                  onclick: () =>
                    void confirmAction(
                      `Disable ${user.name}?`,
                      'They are signed out everywhere at once and cannot sign in until enabled again.',
                      'Disable',
                    ).then((yes) => {
                      if (yes) change(user, { disabled: true }, `${user.name} is disabled and signed out.`);
                    }),
                },
                'Disable',
              ),
      ),
    );
  };
  const editByline = (user: PublicUser): void => {
    // Only admins see People, and admins may upload photos.
    const form = bylineForm(
      `byline-${user.id}`,
      user,
      'Save byline',
      (values) => {
        change(user, values, `${values.name}’s byline is saved; their next entries carry it.`);
        dialog.close();
      },
      true,
    );
    const dialog = openDialog(`Byline of ${user.name}`, form);
  };
  const resetPassword = (user: PublicUser): void => {
    const input = h('input', {
      id: 'reset-password',
      type: 'password',
      autocomplete: 'new-password',
      minlength: PASSWORD_MIN,
      required: true,
    });
    const form = h(
      'form',
      {},
      field(input.id, `New password for ${user.name} (${PASSWORD_MIN}+ characters)`, input),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Set password')),
    );
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      change(user, { password: input.value }, `Password changed; ${user.name} is signed out everywhere.`);
      dialog.close();
    });
    const dialog = openDialog('Set a new password', form);
  };

  const name = h('input', { id: 'user-name', type: 'text', required: true });
  const username = h('input', { id: 'user-username', type: 'text', required: true, autocapitalize: 'none' });
  const role = roleSelect('user-role', ROLES, 'contributor');
  const password = h('input', {
    id: 'user-password',
    type: 'password',
    autocomplete: 'new-password',
    required: true,
    minlength: PASSWORD_MIN,
  });
  const form = h(
    'form',
    { class: 'panel', 'aria-labelledby': 'add-user-heading' },
    h('h2', { id: 'add-user-heading' }, 'Add a person'),
    h('div', { class: 'two' }, field(name.id, 'Name', name), field(username.id, 'Username', username)),
    h('div', { class: 'two' }, field(role.id, 'Role', role), field(password.id, `Password (${PASSWORD_MIN}+ characters)`, password)),
    h('p', { class: 'help' }, 'Contributors submit entries for review; editors publish and correct; admins also manage people and tokens.'),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add person')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    api
      .createUser({ name: name.value, username: username.value, role: role.value as Role, password: password.value })
      .then(() => {
        announce(status, `${name.value} can sign in now.`, 'ok');
        form.reset();
        load();
      })
      .catch((error: unknown) => announce(status, messageOf(error), 'error'));
  });
  load();
  return listPage({ id: 'users-heading', title: 'People', columns: ['Name', 'Role', 'Status'] }, status, table, form);
}

export function tokensView(): HTMLElement {
  const table = h('tbody');
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const load = (): void => {
    api
      .listTokens()
      .then(({ tokens }) =>
        replace(
          table,
          ...tokens.map((token) =>
            h(
              'tr',
              {},
              h('td', {}, token.name),
              h('td', {}, token.role),
              h('td', {}, new Date(token.createdAt).toLocaleString()),
              h(
                'td',
                { class: 'row-actions' },
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'small danger',
                    onclick: () =>
                      void confirmAction(`Revoke “${token.name}”?`, 'Anything using it stops working at once.', 'Revoke').then((yes) => {
                        if (!yes) return;
                        api
                          .deleteToken(token.id)
                          .then(load)
                          .catch((error: unknown) => announce(status, messageOf(error), 'error'));
                      }),
                  },
                  'Revoke',
                ),
              ),
            ),
          ),
        ),
      )
      .catch((error: unknown) => announce(status, messageOf(error), 'error'));
  };
  const name = h('input', { id: 'token-name', type: 'text', required: true, placeholder: 'Wire importer' });
  const role = roleSelect('token-role', TOKEN_ROLES, 'editor');
  const form = h(
    'form',
    { class: 'panel', 'aria-labelledby': 'add-token-heading' },
    h('h2', { id: 'add-token-heading' }, 'Create an API token'),
    h('div', { class: 'two' }, field(name.id, 'Name', name), field(role.id, 'Role', role)),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Create token')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    api
      .createToken({ name: name.value, role: role.value as TokenRole })
      .then(({ token, record }) => {
        form.reset();
        load();
        const output = h('input', { id: 'new-token', type: 'text', readonly: true, value: token, class: 'mono' });
        openDialog(
          `Token “${record.name}”`,
          h(
            'div',
            {},
            h('p', { class: 'warning' }, 'Copy it now: it is shown only this once. Only a digest of it is stored.'),
            field(output.id, 'Token', output),
            h('p', { class: 'help' }, 'Use it as: Authorization: Bearer <token>'),
          ),
        );
        output.select();
      })
      .catch((error: unknown) => announce(status, messageOf(error), 'error'));
  });
  load();
  return listPage({ id: 'tokens-heading', title: 'API tokens', columns: ['Name', 'Role', 'Created'] }, status, table, form);
}

export function auditView(): HTMLElement {
  const table = h('tbody');
  const status = h('p', { class: 'status', role: 'status' });
  const more = h('button', { type: 'button', hidden: true }, 'Older');
  let next: string | null = null;
  const load = (): void => {
    api
      .listAudit(next)
      .then((page) => {
        next = page.next;
        more.hidden = next === null;
        for (const record of page.records) {
          table.appendChild(
            h(
              'tr',
              {},
              h('td', {}, h('time', { datetime: record.at }, new Date(record.at).toLocaleString())),
              h('td', {}, record.actor.name, h('br'), h('span', { class: 'help' }, `${record.actor.role ?? '—'} · ${record.actor.via}`)),
              h('td', { class: 'mono' }, record.action),
              h(
                'td',
                { class: 'mono' },
                Object.entries(record.target)
                  .map(([key, value]) => `${key}=${value}`)
                  .join(' '),
              ),
              h('td', {}, String(record.status)),
            ),
          );
        }
      })
      .catch((error: unknown) => announce(status, messageOf(error), 'error'));
  };
  more.addEventListener('click', load);
  load();
  return h(
    'main',
    { class: 'page' },
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'audit-heading' },
      h('h1', { id: 'audit-heading' }, 'Audit log'),
      h('p', { class: 'help' }, 'Every write, by whom and when, newest first.'),
      status,
      tableWrap(
        'audit-heading',
        h(
          'table',
          { class: 'audit' },
          h('thead', {}, h('tr', {}, ...['When', 'Who', 'What', 'On', 'Status'].map((label) => h('th', { scope: 'col' }, label)))),
          table,
        ),
      ),
      more,
    ),
  );
}

/**
 * A table's box, scrolled sideways on a narrow screen: focusable and named after its heading,
 * so that a keyboard can scroll it too.
 */
function tableWrap(headingId: string, table: HTMLElement): HTMLElement {
  return h('div', { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-labelledby': headingId }, table);
}

/** An admin page: a heading, its status line, a table (the given columns, then actions) and the form that adds a row. */
function listPage(
  heading: { id: string; title: string; columns: string[] },
  status: HTMLElement,
  rows: HTMLElement,
  form: HTMLElement,
): HTMLElement {
  const head = h(
    'tr',
    {},
    ...heading.columns.map((column) => h('th', { scope: 'col' }, column)),
    h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
  );
  return h(
    'main',
    { class: 'page' },
    h(
      'section',
      { class: 'panel', 'aria-labelledby': heading.id },
      h('h1', { id: heading.id }, heading.title),
      status,
      tableWrap(heading.id, h('table', {}, h('thead', {}, head), rows)),
    ),
    form,
  );
}

/** Webhook endpoints (the secret shown once), and the delivery log of the one chosen, with "Send again". */
export function webhooksView(): HTMLElement {
  const table = h('tbody');
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const logBody = h('tbody');
  const logHeading = h('h2', { id: 'deliveries-heading' }, 'Delivery log');
  const logSection = h(
    'section',
    { class: 'panel', 'aria-labelledby': logHeading.id, hidden: true },
    logHeading,
    h(
      'p',
      { class: 'help' },
      'The newest 200 deliveries, newest first. A failed change is retried for 24 hours before it is marked failed.',
    ),
    tableWrap(
      logHeading.id,
      h(
        'table',
        { class: 'deliveries' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ...['When', 'Briefing', 'Change', 'Outcome', 'Answer', 'Attempts'].map((label) => h('th', { scope: 'col' }, label)),
            h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')),
          ),
        ),
        logBody,
      ),
    ),
  );
  let shown: Webhook | null = null;
  const fail = (error: unknown): void => announce(status, messageOf(error), 'error');

  const showLog = (webhook: Webhook): void => {
    shown = webhook;
    logSection.hidden = false;
    logHeading.textContent = `Delivery log of ${webhook.url}`;
    api
      .webhookDeliveries(webhook.id)
      .then(({ deliveries }) => replace(logBody, ...deliveries.map((line) => logRow(webhook, line))))
      .catch(fail);
  };
  const logRow = (webhook: Webhook, line: WebhookDelivery): HTMLElement =>
    h(
      'tr',
      { 'data-delivery': line.deliveryId },
      h('td', {}, h('time', { datetime: line.at }, new Date(line.at).toLocaleString())),
      h('td', {}, line.slug),
      h('td', { class: 'mono' }, `#${line.seq} ${line.type}`),
      h('td', {}, line.outcome + (line.redelivery ? ' (sent again)' : '')),
      h('td', {}, line.status === null ? (line.error ?? '') : `${line.status}${line.error ? ` · ${line.error}` : ''}`),
      h('td', {}, String(line.attempts)),
      h(
        'td',
        { class: 'row-actions' },
        line.outcome === 'note'
          ? null
          : h(
              'button',
              {
                type: 'button',
                class: 'small',
                onclick: () =>
                  void api
                    .redeliverWebhook(webhook.id, line.deliveryId)
                    .then(({ delivery }) => {
                      announce(
                        status,
                        delivery.outcome === 'delivered'
                          ? `Change #${delivery.seq} sent again: answered ${delivery.status ?? ''}.`
                          : `Change #${delivery.seq} could not be sent again: ${delivery.error ?? ''}`,
                        delivery.outcome === 'delivered' ? 'ok' : 'error',
                      );
                      showLog(webhook);
                    })
                    .catch(fail),
              },
              'Send again',
            ),
      ),
    );

  const load = (): void => {
    api
      .listWebhooks()
      .then(({ webhooks }) => {
        replace(table, ...webhooks.map(row));
        const still = webhooks.find((webhook) => webhook.id === shown?.id);
        if (still) showLog(still);
        else logSection.hidden = true;
      })
      .catch(fail);
  };
  const row = (webhook: Webhook): HTMLElement =>
    h(
      'tr',
      { class: webhook.enabled ? '' : 'disabled', 'data-webhook': webhook.id },
      h('td', { class: 'mono' }, webhook.url),
      h('td', {}, webhook.briefings === 'all' ? 'All briefings' : webhook.briefings.join(', ')),
      h('td', { class: 'mono' }, webhook.events.join(' ')),
      h('td', {}, webhook.enabled ? h('span', { class: 'badge ok' }, 'Enabled') : h('span', { class: 'badge ended' }, 'Disabled')),
      h(
        'td',
        { class: 'row-actions' },
        h('button', { type: 'button', class: 'small', onclick: () => showLog(webhook) }, 'Deliveries'),
        h(
          'button',
          {
            type: 'button',
            class: 'small',
            onclick: () =>
              void api
                .updateWebhook(webhook.id, { enabled: !webhook.enabled })
                .then(() => {
                  announce(status, webhook.enabled ? 'Deliveries paused.' : 'Deliveries resumed.', 'ok');
                  load();
                })
                .catch(fail),
          },
          webhook.enabled ? 'Disable' : 'Enable',
        ),
        h(
          'button',
          {
            type: 'button',
            class: 'small danger',
            onclick: () =>
              void confirmAction(
                `Remove the webhook to ${webhook.url}?`,
                'Nothing more is sent to it; its delivery log goes too.',
                'Remove',
              ).then((yes) => {
                if (yes) api.deleteWebhook(webhook.id).then(load).catch(fail);
              }),
          },
          'Remove',
        ),
      ),
    );

  const url = h('input', { id: 'webhook-url', type: 'url', required: true, placeholder: 'https://example.com/livebrief' });
  const briefings = h('input', { id: 'webhook-briefings', type: 'text', placeholder: 'all' });
  const secret = h('input', { id: 'webhook-secret', type: 'text', autocomplete: 'off', minlength: 16, class: 'mono' });
  const events = WEBHOOK_EVENTS.map((event) => h('input', { type: 'checkbox', id: `webhook-event-${event}`, value: event, checked: true }));
  const form = h(
    'form',
    { class: 'panel', 'aria-labelledby': 'add-webhook-heading' },
    h('h2', { id: 'add-webhook-heading' }, 'Add a webhook'),
    field(url.id, 'URL (http or https)', url),
    h(
      'div',
      { class: 'two' },
      field(briefings.id, 'Briefings (slugs separated by commas; empty for all)', briefings),
      field(secret.id, 'Secret (16+ characters; empty to generate one)', secret),
    ),
    h(
      'fieldset',
      { class: 'webhook-events' },
      h('legend', {}, 'Changes sent'),
      ...events.map((box) => h('label', { class: 'check', for: box.id }, box, ` ${box.value}`)),
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Add webhook')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const slugs = briefings.value
      .split(',')
      .map((slug) => slug.trim())
      .filter(Boolean);
    api
      .createWebhook({
        url: url.value,
        briefings: slugs.length === 0 || (slugs.length === 1 && slugs[0] === 'all') ? 'all' : slugs,
        events: events.filter((box) => box.checked).map((box) => box.value as WebhookEvent),
        ...(secret.value ? { secret: secret.value } : {}),
      })
      .then(({ webhook, secret: shownSecret }) => {
        form.reset();
        load();
        const output = h('input', { id: 'new-webhook-secret', type: 'text', readonly: true, value: shownSecret, class: 'mono' });
        openDialog(
          `Webhook to ${webhook.url}`,
          h(
            'div',
            {},
            h('p', { class: 'warning' }, 'Copy the secret now: it is shown only this once.'),
            field(output.id, 'Signing secret', output),
            h('p', { class: 'help' }, 'Each delivery carries X-Livebrief-Signature: t=<seconds>,v1=<HMAC-SHA256 of "<t>.<body>">.'),
          ),
        );
        output.select();
      })
      .catch(fail);
  });
  load();
  const page = listPage(
    { id: 'webhooks-heading', title: 'Webhooks', columns: ['URL', 'Briefings', 'Changes', 'Status'] },
    status,
    table,
    form,
  );
  page.append(logSection);
  return page;
}
