/**
 * Bylines, against the real app and Redis: each account's role line and avatar (set by an
 * admin for anyone, by each person for themselves), entries carrying the byline they were
 * published under, editors publishing on behalf of a contributor (and the audit log naming
 * both), and the briefing page's list of contributors.
 */
import type { AuditRecord, PublicUser } from '../../shared/console';
import type { ErrorBody } from '../../shared/errors';
import type { Entry } from '../../shared/schemas';
import { addUser, login, type SessionClient } from '../support/console';
import { createBriefing } from '../support/fixtures';
import { closeAll, startServer, waitFor, type TestServer } from '../support/harness';

afterEach(closeAll);

async function signedIn(server: TestServer, username: string): Promise<SessionClient> {
  const result = await login(server.url, username);
  expect(result.status).toBe(200);
  if (!result.client) throw new Error('no session');
  return result.client;
}

interface Team {
  server: TestServer;
  admin: SessionClient;
  editor: SessionClient;
  contributor: SessionClient;
  users: Record<'admin' | 'editor' | 'contributor' | 'other', PublicUser>;
}

async function team(): Promise<Team> {
  const server = await startServer();
  const users = {
    admin: await addUser(server, 'ada', 'Ada Admin', 'admin'),
    editor: await addUser(server, 'eve', 'Eve Editor', 'editor'),
    contributor: await addUser(server, 'olena', 'Olena Kovalenko', 'contributor'),
    other: await addUser(server, 'omar', 'Omar Other', 'editor'),
  };
  return {
    server,
    users,
    admin: await signedIn(server, 'ada'),
    editor: await signedIn(server, 'eve'),
    contributor: await signedIn(server, 'olena'),
  };
}

describe('role line and avatar', () => {
  it('an admin sets them for anyone, each person for themselves, and no one else', async () => {
    const { admin, contributor, users } = await team();
    const byAdmin = await admin.request<{ user: PublicUser }>('PATCH', `/console/api/users/${users.contributor.id}`, {
      roleLine: 'Kyiv correspondent',
      avatarUrl: 'https://cdn.example.org/olena.jpg',
    });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.user).toMatchObject({ roleLine: 'Kyiv correspondent', avatarUrl: 'https://cdn.example.org/olena.jpg' });

    const own = await contributor.request<{ user: PublicUser }>('PATCH', '/console/api/profile', {
      roleLine: 'Senior Kyiv correspondent',
      avatarUrl: '/media/olena.webp',
    });
    expect(own.status).toBe(200);
    expect(own.body.user).toMatchObject({
      id: users.contributor.id,
      roleLine: 'Senior Kyiv correspondent',
      avatarUrl: '/media/olena.webp',
    });
    const session = await contributor.request<{ session: { user: PublicUser } }>('GET', '/console/api/session');
    expect(session.body.session.user.roleLine).toBe('Senior Kyiv correspondent');

    const others = await contributor.request<ErrorBody>('PATCH', `/console/api/users/${users.editor.id}`, { roleLine: 'Intern' });
    expect(others.status).toBe(403);

    const cleared = await contributor.request<{ user: PublicUser }>('PATCH', '/console/api/profile', { roleLine: '', avatarUrl: null });
    expect(cleared.status).toBe(200);
    expect(cleared.body.user).toMatchObject({ roleLine: null, avatarUrl: null });
  });

  it('refuses a bad role line or avatar with 400 naming the field', async () => {
    const { admin, contributor, users } = await team();
    const long = await contributor.request<ErrorBody>('PATCH', '/console/api/profile', { roleLine: 'x'.repeat(81) });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toMatch(/^roleLine: /);
    for (const avatarUrl of ['javascript:alert(1)', 'http://cdn.example.org/a.jpg', '/etc/passwd', '//evil.example/a.jpg']) {
      const bad = await admin.request<ErrorBody>('PATCH', `/console/api/users/${users.contributor.id}`, { avatarUrl });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/^avatarUrl: /);
    }
    const role = await contributor.request<ErrorBody>('PATCH', '/console/api/profile', { role: 'admin' });
    expect(role.status).toBe(400);
  });
});

describe('entries carry the byline', () => {
  it('publishes under the byline of the time, on behalf of a contributor, and keeps it through edits', async () => {
    const { server, admin, editor, users } = await team();
    await createBriefing(server.api, 'bylines');
    await admin.request('PATCH', `/console/api/users/${users.contributor.id}`, {
      roleLine: 'Kyiv correspondent',
      avatarUrl: 'https://cdn.example.org/olena.jpg',
    });
    await editor.request('PATCH', '/console/api/profile', { roleLine: 'Night editor' });

    const own = await editor.request<{ entry: Entry }>('POST', '/api/v1/briefings/bylines/entries', { body: 'Sirens in the capital.' });
    expect(own.status).toBe(201);
    expect(own.body.entry.author).toEqual({ id: `user:${users.editor.id}`, name: 'Eve Editor', role: 'Night editor' });

    const listed = await editor.request<{ bylines: { id: string; name: string; roleLine: string | null }[] }>(
      'GET',
      '/console/api/bylines',
    );
    expect(listed.status).toBe(200);
    expect(listed.body.bylines.map((byline) => byline.id)).toEqual(expect.arrayContaining([users.contributor.id, users.editor.id]));

    const onBehalf = await editor.request<{ entry: Entry }>('POST', '/api/v1/briefings/bylines/entries', {
      body: 'Olena reports from the scene.',
      authorId: users.contributor.id,
    });
    expect(onBehalf.status).toBe(201);
    expect(onBehalf.body.entry.author).toEqual({
      id: `user:${users.contributor.id}`,
      name: 'Olena Kovalenko',
      role: 'Kyiv correspondent',
      avatar: 'https://cdn.example.org/olena.jpg',
    });
    const read = await server.api.get<{ entry: Entry }>(`/api/v1/briefings/bylines/entries/${onBehalf.body.entry.id}`);
    expect(read.body.entry.author.name).toBe('Olena Kovalenko');

    const audit = await admin.request<{ records: AuditRecord[] }>('GET', '/console/api/audit');
    const record = audit.body.records.find((item) => item.target.id === onBehalf.body.entry.id);
    expect(record?.actor).toMatchObject({ id: `user:${users.editor.id}`, name: 'Eve Editor' });
    expect(record?.target).toMatchObject({ authorId: `user:${users.contributor.id}`, authorName: 'Olena Kovalenko' });

    // A later change of the account and an edit by another editor leave the published byline as readers saw it.
    await admin.request('PATCH', `/console/api/users/${users.contributor.id}`, { name: 'Olena K.', roleLine: 'Former intern' });
    const other = await signedIn(server, 'omar');
    const edited = await other.request<{ entry: Entry }>('PATCH', `/api/v1/briefings/bylines/entries/${onBehalf.body.entry.id}`, {
      body: 'Olena reports from the scene (corrected).',
    });
    expect(edited.status).toBe(200);
    expect(edited.body.entry.author).toEqual(onBehalf.body.entry.author);
  });

  it('refuses an unknown or disabled authorId with 400, and a token may not be refused its own byline', async () => {
    const { server, admin, editor, users } = await team();
    await createBriefing(server.api, 'refusals');
    const unknown = await editor.request<ErrorBody>('POST', '/api/v1/briefings/refusals/entries', {
      body: 'x',
      authorId: 'ffffffffffffffff',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/^authorId: /);
    const malformed = await editor.request<ErrorBody>('POST', '/api/v1/briefings/refusals/entries', { body: 'x', authorId: 42 });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toMatch(/^authorId: /);

    expect((await admin.request('PATCH', `/console/api/users/${users.contributor.id}`, { disabled: true })).status).toBe(200);
    const disabled = await editor.request<ErrorBody>('POST', '/api/v1/briefings/refusals/entries', {
      body: 'x',
      authorId: users.contributor.id,
    });
    expect(disabled.status).toBe(400);
    expect(disabled.body.error.message).toMatch(/^authorId: /);

    // An API token publishes under an account's byline too.
    const byToken = await server.api.post<{ entry: Entry }>('/api/v1/briefings/refusals/entries', {
      body: 'Wire copy.',
      authorId: users.editor.id,
    });
    expect(byToken.status).toBe(201);
    expect(byToken.body.entry.author).toEqual({ id: `user:${users.editor.id}`, name: 'Eve Editor' });
    const entries = await server.api.get<{ entries: Entry[] }>('/api/v1/briefings/refusals/entries');
    expect(entries.body.entries).toHaveLength(1);
  });
});

describe('the briefing page', () => {
  it('shows each entry’s byline and lists the contributors', async () => {
    const { server, admin, editor, users } = await team();
    await createBriefing(server.api, 'page-bylines');
    await admin.request('PATCH', `/console/api/users/${users.contributor.id}`, {
      roleLine: 'Kyiv correspondent',
      avatarUrl: 'https://cdn.example.org/olena.jpg',
    });
    await editor.request('PATCH', '/console/api/profile', { roleLine: 'Night editor' });
    await editor.request('POST', '/api/v1/briefings/page-bylines/entries', { body: 'First.' });
    await editor.request('POST', '/api/v1/briefings/page-bylines/entries', { body: 'Second.', authorId: users.contributor.id });
    await editor.request('POST', '/api/v1/briefings/page-bylines/entries', { body: 'Third.', authorId: users.contributor.id });
    await server.api.post('/api/v1/briefings/page-bylines/entries', { body: 'From the wire.' });

    const page = await (await fetch(`${server.url}/b/page-bylines`)).text();
    expect(page).toContain(
      '<img class="lb-avatar" src="https://cdn.example.org/olena.jpg" alt="" width="32" height="32" loading="lazy" decoding="async">',
    );
    expect(page).toMatch(/<span class="lb-author-name">Olena Kovalenko<\/span><span class="lb-author-role">Kyiv correspondent<\/span>/);
    const contributors = /<section class="lb-contributors"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(contributors).toContain('Contributors');
    expect(contributors).toContain('Olena Kovalenko');
    expect(contributors).toContain('Kyiv correspondent');
    expect(contributors).toContain('Eve Editor');
    expect(contributors).toContain('Night editor');
    expect(contributors).toContain('Administrator');
    expect(contributors.match(/Olena Kovalenko/g)).toHaveLength(1);
    // Search engines get the byline too: the role line as the person's job title, the avatar as their image.
    expect(page).toContain(
      '"author":{"@type":"Person","name":"Olena Kovalenko","jobTitle":"Kyiv correspondent","image":"https://cdn.example.org/olena.jpg"}',
    );
  });

  it('lists the contributor of a scheduled entry once it is published at its time', async () => {
    const { server, admin, editor, users } = await team();
    await createBriefing(server.api, 'later');
    await admin.request('PATCH', `/console/api/users/${users.contributor.id}`, { roleLine: 'Kyiv correspondent' });
    const scheduled = await editor.request<{ entry: Entry }>('POST', '/api/v1/briefings/later/entries', {
      body: 'At noon.',
      authorId: users.contributor.id,
      publishAt: new Date(Date.now() + 1500).toISOString(),
    });
    expect(scheduled.status).toBe(201);
    const before = await (await fetch(`${server.url}/b/later`)).text();
    expect(before).not.toContain('lb-contributors');
    const page = await waitFor(
      async () => {
        const text = await (await fetch(`${server.url}/b/later`)).text();
        return text.includes('At noon.') ? text : undefined;
      },
      10_000,
      'the scheduled entry on the page',
    );
    const contributors = /<section class="lb-contributors"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(contributors).toContain('Olena Kovalenko');
    expect(contributors).toContain('Kyiv correspondent');
  });
});
