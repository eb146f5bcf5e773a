/**
 * The console's security, against the real app and Redis: CSRF and origin checks on
 * cookie-authenticated writes, login rate limits, roles, disabling an account, the console
 * socket's admission, and secrets kept out of logs and responses.
 */
import { Writable } from 'node:stream';
import type { AuditRecord, PublicToken, PublicUser, SessionInfo } from '../../shared/console';
import type { ErrorBody } from '../../shared/errors';
import type { Entry } from '../../shared/schemas';
import { FirstRun } from '../../server/auth/setup';
import { SessionStore } from '../../server/store/sessions';
import { UserStore } from '../../server/store/users';
import { addUser, connectConsole, login, PASSWORD, type SessionClient } from '../support/console';
import { createBriefing } from '../support/fixtures';
import { closeAll, connectReader, startServer, type TestServer } from '../support/harness';
import { FoldingReader } from '../support/reader';

/** The secret of an API token `lbt_<16 hex id>_<secret>`; the secret itself may contain '_'. */
function tokenSecretPart(token: string): string {
  return token.slice('lbt_'.length + 16 + 1);
}

afterEach(closeAll);

/** A server whose log lines are kept, for tests that read what it logs. */
async function startLogging(env: Record<string, string>): Promise<{ server: TestServer; log: () => string }> {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  const server = await startServer(env, { log: sink });
  return { server, log: () => lines.join('') };
}

async function signedIn(server: TestServer, username: string): Promise<SessionClient> {
  const result = await login(server.url, username);
  expect(result.status).toBe(200);
  if (!result.client) throw new Error('no session');
  return result.client;
}

describe('cookie-authenticated writes', () => {
  let server: TestServer;
  let editor: SessionClient;

  beforeEach(async () => {
    server = await startServer();
    await addUser(server, 'ed', 'Ed Itor', 'editor');
    editor = await signedIn(server, 'ed');
    await createBriefing(server.api, 'csrf');
  });

  it('sets the session cookie HttpOnly and SameSite=Lax, Secure only behind an HTTPS proxy', async () => {
    const plain = await login(server.url, 'ed');
    const cookie = plain.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^lb_session=[A-Za-z0-9_-]{43};/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
    const proxied = await fetch(`${server.url}/console/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ username: 'ed', password: PASSWORD }),
    });
    expect(proxied.headers.get('set-cookie')).toMatch(/Secure/i);
  });

  it('refuses a write with the session cookie but without the CSRF token, and accepts it with the token', async () => {
    const missing = await editor.request<ErrorBody>('POST', '/api/v1/briefings/csrf/entries', { body: 'no token' }, { csrf: null });
    expect(missing.status).toBe(403);
    expect(missing.body.error.code).toBe('forbidden');
    expect(missing.body.error.message).toMatch(/CSRF/);
    const wrong = await editor.request<ErrorBody>(
      'POST',
      '/api/v1/briefings/csrf/entries',
      { body: 'wrong token' },
      { csrf: 'x'.repeat(43) },
    );
    expect(wrong.status).toBe(403);
    const draftWithout = await editor.request<ErrorBody>(
      'POST',
      '/console/api/briefings/csrf/drafts',
      { kind: 'draft', fields: { body: 'x' } },
      { csrf: null },
    );
    expect(draftWithout.status).toBe(403);
    expect((await server.api.get<{ entries: Entry[] }>('/api/v1/briefings/csrf/entries')).body.entries).toHaveLength(0);

    const ok = await editor.request<{ entry: Entry }>('POST', '/api/v1/briefings/csrf/entries', { body: 'with the token' });
    expect(ok.status).toBe(201);
    expect(ok.body.entry.author.name).toBe('Ed Itor');
  });

  it('refuses a request from another origin even with a valid cookie and token', async () => {
    const foreign = await editor.request<ErrorBody>(
      'POST',
      '/api/v1/briefings/csrf/entries',
      { body: 'evil' },
      { headers: { origin: 'https://evil.example' } },
    );
    expect(foreign.status).toBe(403);
    expect(foreign.body.error.message).toMatch(/origin/);
    const crossSite = await editor.request<ErrorBody>(
      'PATCH',
      '/api/v1/briefings/csrf',
      { status: 'ended' },
      { headers: { 'sec-fetch-site': 'cross-site' } },
    );
    expect(crossSite.status).toBe(403);
    const loginFromElsewhere = await fetch(`${server.url}/console/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ username: 'ed', password: PASSWORD }),
    });
    expect(loginFromElsewhere.status).toBe(403);
    // Bearer tokens are not sent by browsers on their own: no origin rule applies to them.
    const bearer = await server.api.post('/api/v1/briefings/csrf/entries', { body: 'automation' }, { origin: 'https://tools.example' });
    expect(bearer.status).toBe(201);
  });

  it('rate limits the sixth wrong password within a minute with 429 in the contract shape', async () => {
    for (let attempt = 1; attempt <= 5; attempt++) {
      const failed = await login(server.url, 'ed', 'not the password');
      expect(failed.status).toBe(401);
    }
    const sixth = await login(server.url, 'ed', 'not the password');
    expect(sixth.status).toBe(429);
    expect(sixth.body).toEqual({
      error: { code: 'rate_limited', message: expect.stringMatching(/too many failed logins for this account; wait \d+ seconds/) },
    });
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    // While limited, even the right password is refused: guessing cannot go on.
    expect((await login(server.url, 'ed')).status).toBe(429);
    // Other accounts are not held up by it.
    await addUser(server, 'other', 'Other Person', 'editor');
    expect((await login(server.url, 'other')).status).toBe(200);
  });

  it('rate limits failed logins per address across accounts', async () => {
    for (let attempt = 1; attempt <= 30; attempt++) {
      expect((await login(server.url, `nobody-${attempt}`, 'guess')).status).toBe(401);
    }
    const blocked = await login(server.url, 'nobody-31', 'guess');
    expect(blocked.status).toBe(429);
    expect((blocked.body as ErrorBody).error.message).toMatch(/network address/);
  });
});

describe('roles', () => {
  it('a contributor cannot publish, delete, manage briefings, users or tokens (403), but can submit', async () => {
    const server = await startServer();
    await addUser(server, 'cora', 'Cora Contributor', 'contributor');
    const contributor = await signedIn(server, 'cora');
    await createBriefing(server.api, 'roles');
    const entry = (await server.api.post<{ entry: Entry }>('/api/v1/briefings/roles/entries', { body: 'published' })).body.entry;

    const attempts = [
      await contributor.request<ErrorBody>('POST', '/api/v1/briefings/roles/entries', { body: 'try' }),
      await contributor.request<ErrorBody>('PATCH', `/api/v1/briefings/roles/entries/${entry.id}`, { body: 'changed' }),
      await contributor.request<ErrorBody>('DELETE', `/api/v1/briefings/roles/entries/${entry.id}`),
      await contributor.request<ErrorBody>('POST', '/api/v1/briefings', { slug: 'mine', title: 'Mine' }),
      await contributor.request<ErrorBody>('PATCH', '/api/v1/briefings/roles', { status: 'ended' }),
      await contributor.request<ErrorBody>('POST', '/console/api/users', { username: 'x1', name: 'X', role: 'admin', password: PASSWORD }),
      await contributor.request<ErrorBody>('GET', '/console/api/users'),
      await contributor.request<ErrorBody>('POST', '/console/api/tokens', { name: 'mine', role: 'admin' }),
      await contributor.request<ErrorBody>('GET', '/console/api/audit'),
    ];
    for (const attempt of attempts) {
      expect(attempt.status).toBe(403);
      expect(attempt.body.error.code).toBe('forbidden');
    }
    const submitted = await contributor.request<{ draft: { id: string } }>('POST', '/console/api/briefings/roles/drafts', {
      kind: 'submitted',
      fields: { body: 'for review' },
    });
    expect(submitted.status).toBe(201);
    const approve = await contributor.request<ErrorBody>(
      'POST',
      `/console/api/briefings/roles/drafts/${submitted.body.draft.id}/publish`,
      {},
    );
    expect(approve.status).toBe(403);
    const page = await server.api.get<{ entries: Entry[]; seq: number }>('/api/v1/briefings/roles/entries');
    expect(page.body.entries.map((item) => item.body)).toEqual(['published']);
    expect(page.body.seq).toBe(1);
  });
});

describe('accounts', () => {
  it("a disabled user's session and console socket stop working at once", async () => {
    const server = await startServer();
    await addUser(server, 'root', 'Ada Admin', 'admin');
    const victim = await addUser(server, 'ed', 'Ed Itor', 'editor');
    const admin = await signedIn(server, 'root');
    const editor = await signedIn(server, 'ed');
    await createBriefing(server.api, 'disable');
    expect((await editor.request('POST', '/api/v1/briefings/disable/entries', { body: 'before' })).status).toBe(201);
    const socket = await connectConsole(server.url, { cookie: editor.cookie, origin: server.url });
    const disconnected = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));

    const disabled = await admin.request<{ user: PublicUser }>('PATCH', `/console/api/users/${victim.id}`, { disabled: true });
    expect(disabled.status).toBe(200);
    expect(disabled.body.user.disabled).toBe(true);

    const after = await editor.request<ErrorBody>('POST', '/api/v1/briefings/disable/entries', { body: 'after' });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
    const session = await editor.request<{ session: SessionInfo | null }>('GET', '/console/api/session');
    expect(session.body.session).toBeNull();
    expect((await login(server.url, 'ed')).status).toBe(403);
    await expect(connectConsole(server.url, { cookie: editor.cookie, origin: server.url })).rejects.toThrow(/unauthorized/);
    // The live console socket of that account is closed too.
    await disconnected;
  });

  it('ending all sessions of an account also ends one kept alive by use past its first idle lifetime', async () => {
    const server = await startServer();
    const user = await addUser(server, 'kept', 'Kept Alive', 'editor');
    // The same store with a 2-second idle lifetime, so that "past it" takes seconds, not hours.
    const sessions = new SessionStore(server.app.store.redis, server.app.store.keys, 2);
    const { secret } = await sessions.create(user.id);
    const started = Date.now();
    while (Date.now() - started < 3000) {
      expect(await sessions.resolve(secret)).not.toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    await sessions.destroyAllOf(user.id);
    expect(await sessions.resolve(secret)).toBeNull();
  });

  it('never shows passwords or token secrets after creation: not in responses, lists, the audit log or the logs', async () => {
    const { server, log } = await startLogging({ LOG_LEVEL: 'trace' });
    const url = server.url;
    await addUser(server, 'root', 'Ada Admin', 'admin');
    const admin = await signedIn(server, 'root');

    const secretPassword = 'a very secret password 12345';
    const created = await admin.request<{ user: PublicUser }>('POST', '/console/api/users', {
      username: 'newbie',
      name: 'New Bie',
      role: 'editor',
      password: secretPassword,
    });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain(secretPassword);
    expect(JSON.stringify(created.body)).not.toMatch(/argon2|passwordHash/);
    expect((await login(url, 'newbie', secretPassword)).status).toBe(200);
    expect((await login(url, 'newbie', `${secretPassword}!`)).status).toBe(401);

    const token = await admin.request<{ token: string; record: PublicToken }>('POST', '/console/api/tokens', {
      name: 'Wire',
      role: 'editor',
    });
    expect(token.status).toBe(201);
    expect(token.body.token).toMatch(/^lbt_/);
    const secret = token.body.token;
    const briefing = await fetch(`${url}/api/v1/briefings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'secrets', title: 'Secrets' }),
    });
    expect(briefing.status).toBe(201);
    const broken = await fetch(`${url}/api/v1/briefings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}x`, 'content-type': 'application/json' },
      body: '{"slug":"x","title":"x"}',
    });
    expect(broken.status).toBe(401);

    const lists = [
      await admin.request('GET', '/console/api/tokens'),
      await admin.request('GET', '/console/api/users'),
      await admin.request('GET', '/console/api/audit'),
    ];
    const cookieSecret = admin.cookie.split('=')[1] ?? '';
    for (const list of lists) {
      const text = JSON.stringify(list.body);
      expect(text).not.toContain(tokenSecretPart(secret));
      expect(text).not.toContain(secretPassword);
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(cookieSecret);
    }
    const records = (lists[2]?.body as { records: AuditRecord[] }).records;
    expect(records.map((record) => record.action)).toEqual(
      expect.arrayContaining(['POST /console/api/users', 'POST /console/api/tokens', 'POST /api/v1/briefings', 'login', 'login.failed']),
    );
    expect(records.find((record) => record.action === 'POST /api/v1/briefings')?.actor).toEqual({
      id: expect.stringMatching(/^token:/),
      name: 'Wire',
      role: 'editor',
      via: 'token',
    });

    const logged = log();
    expect(logged.length).toBeGreaterThan(0);
    for (const forbidden of [secretPassword, PASSWORD, secret, tokenSecretPart(secret), cookieSecret, admin.csrfToken]) {
      expect(logged).not.toContain(forbidden);
    }
  });

  it('logs a one-time setup link while no account exists; it creates the first admin once', async () => {
    // A fresh install: no account, and no admin token either.
    const { server, log } = await startLogging({ LOG_LEVEL: 'info', LIVEBRIEF_ADMIN_TOKEN: '' });
    const url = server.url;

    const match = /create the first admin at (http:\/\/[^\s"]+\/console#setup=([A-Za-z0-9_-]+))/.exec(log());
    expect(match?.[1]).toContain(url);
    const token = match?.[2] ?? '';
    const status = (await (await fetch(`${url}/console/api/session`)).json()) as { setupNeeded: boolean };
    expect(status.setupNeeded).toBe(true);
    const setup = (name: string): Promise<Response> =>
      fetch(`${url}/console/api/setup`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: url },
        body: JSON.stringify({ token, username: name, name: 'First Admin', password: PASSWORD }),
      });
    const first = await setup('first');
    expect(first.status).toBe(201);
    expect(((await first.json()) as SessionInfo).user).toMatchObject({ username: 'first', role: 'admin' });
    const again = await setup('second');
    expect(again.status).toBe(403);
    expect((await login(url, 'first')).status).toBe(200);
    expect((await login(url, 'second')).status).toBe(401);
  });

  it('two setup links used at the same moment create one admin', async () => {
    const { server } = await startLogging({ LOG_LEVEL: 'info', LIVEBRIEF_ADMIN_TOKEN: '' });
    const { redis, keys } = server.app.store;
    const firstRun = new FirstRun(redis, keys, new UserStore(redis, keys));
    // One link from the log, one from the CLI: both valid while no account exists.
    const links = await Promise.all([firstRun.linkIfNoAccounts(server.url), firstRun.linkIfNoAccounts(server.url)]);
    const tokens = links.map((link) => /#setup=([A-Za-z0-9_-]+)$/.exec(link ?? '')?.[1] ?? '');
    const answers = await Promise.all(
      tokens.map((token, index) =>
        fetch(`${server.url}/console/api/setup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: server.url },
          body: JSON.stringify({ token, username: `admin${index}`, name: 'First Admin', password: PASSWORD }),
        }),
      ),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 403]);
    expect(await new UserStore(redis, keys).count()).toBe(1);
  });
});

describe('console sockets and presence', () => {
  it('admits only signed-in consoles from this site, and pushes who is editing what', async () => {
    const server = await startServer();
    await addUser(server, 'ann', 'Ann Editor', 'editor');
    await addUser(server, 'bob', 'Bob Editor', 'editor');
    await createBriefing(server.api, 'presence');
    const ann = await signedIn(server, 'ann');
    const bob = await signedIn(server, 'bob');

    await expect(connectConsole(server.url, {})).rejects.toThrow(/unauthorized/);
    await expect(connectConsole(server.url, { cookie: ann.cookie, origin: 'https://evil.example' })).rejects.toThrow(/origin/);

    const annSocket = await connectConsole(server.url, { cookie: ann.cookie, origin: server.url });
    const bobSocket = await connectConsole(server.url, { cookie: bob.cookie, origin: server.url });
    const joined = await annSocket.emitWithAck('join', { slug: 'presence' });
    expect(joined).toEqual({ ok: true, present: [expect.objectContaining({ name: 'Ann Editor', editing: null })] });
    await bobSocket.emitWithAck('join', { slug: 'presence' });

    const seenByBob = new Promise<unknown>((resolve) => {
      bobSocket.on('presence', (update) => {
        if (update.present.some((person) => person.name === 'Ann Editor' && person.editing === 'e1')) resolve(update);
      });
    });
    await annSocket.emitWithAck('editing', { slug: 'presence', editing: 'e1' });
    await expect(seenByBob).resolves.toEqual({
      slug: 'presence',
      present: [
        expect.objectContaining({ name: 'Ann Editor', editing: 'e1' }),
        expect.objectContaining({ name: 'Bob Editor', editing: null }),
      ],
    });
    const leaving = new Promise<void>((resolve) => {
      bobSocket.on('presence', (update) => {
        if (update.present.length === 1) resolve();
      });
    });
    annSocket.disconnect();
    await leaving;

    // A reader's socket on the default namespace still cannot change anything.
    const reader = await connectReader(server.url);
    const folding = new FoldingReader(reader, 'presence');
    const ack = await folding.subscribe();
    // Untyped on purpose: a reader's socket sending the console's events to the default namespace.
    const raw = reader as unknown as { emit: (event: string, payload: unknown) => void };
    raw.emit('join', { slug: 'presence' });
    raw.emit('editing', { slug: 'presence', editing: 'x' });
    expect(ack.ok && ack.seq).toBe(0);
    const page = await server.api.get<{ seq: number }>('/api/v1/briefings/presence/entries');
    expect(page.body.seq).toBe(0);
  });
});

describe('drafts, submissions and corrections', () => {
  it('keeps drafts and submissions away from readers and the change log until approved', async () => {
    const server = await startServer();
    await addUser(server, 'cora', 'Cora Contributor', 'contributor');
    await addUser(server, 'ed', 'Ed Itor', 'editor');
    await createBriefing(server.api, 'queue');
    const contributor = await signedIn(server, 'cora');
    const editor = await signedIn(server, 'ed');
    const reader = new FoldingReader(await connectReader(server.url), 'queue');
    await reader.subscribe();

    const submitted = await contributor.request<{ draft: { id: string } }>('POST', '/console/api/briefings/queue/drafts', {
      kind: 'submitted',
      fields: { body: 'From the scene' },
    });
    const draft = await editor.request<{ draft: { id: string } }>('POST', '/console/api/briefings/queue/drafts', {
      kind: 'draft',
      fields: { body: 'Not yet' },
    });
    expect([submitted.status, draft.status]).toEqual([201, 201]);
    const contributorQueue = await contributor.request<{ drafts: { id: string }[] }>('GET', '/console/api/briefings/queue/queue');
    expect(contributorQueue.body.drafts.map((item) => item.id)).toEqual([submitted.body.draft.id]);
    const editorQueue = await editor.request<{ drafts: { id: string }[] }>('GET', '/console/api/briefings/queue/queue');
    expect(editorQueue.body.drafts).toHaveLength(2);
    expect((await server.api.get<{ seq: number; entries: Entry[] }>('/api/v1/briefings/queue/entries')).body).toMatchObject({
      seq: 0,
      entries: [],
    });

    const approvals = await Promise.all([
      editor.request<{ entry: Entry; seq: number }>(
        'POST',
        `/console/api/briefings/queue/drafts/${submitted.body.draft.id}/publish`,
        {},
        { headers: { 'if-match': '"1"' } },
      ),
      editor.request<{ entry: Entry; seq: number }>(
        'POST',
        `/console/api/briefings/queue/drafts/${submitted.body.draft.id}/publish`,
        {},
        { headers: { 'if-match': '"1"' } },
      ),
    ]);
    const published = approvals.filter((approval) => approval.status === 201);
    expect(published.length).toBeGreaterThanOrEqual(1);
    for (const approval of approvals) expect([201, 409]).toContain(approval.status);
    const view = await reader.waitForView(1);
    expect(view.entries.map((entry) => [entry.body, entry.author.name])).toEqual([['From the scene', 'Cora Contributor']]);
    expect(reader.problems).toEqual([]);
    const page = await server.api.get<{ seq: number; entries: Entry[] }>('/api/v1/briefings/queue/entries');
    expect(page.body.seq).toBe(1);
    expect(page.body.entries).toHaveLength(1);
  });

  it('keeps every published version: GET …/versions lists the corrections, not pins', async () => {
    const server = await startServer();
    await createBriefing(server.api, 'versions');
    const { entry } = (await server.api.post<{ entry: Entry }>('/api/v1/briefings/versions/entries', { body: 'First: 10 injured' })).body;
    const url = `/api/v1/briefings/versions/entries/${entry.id}`;
    expect((await server.api.patch(url, { body: 'Correction: 12 injured' }, { 'if-match': '"1"' })).status).toBe(200);
    expect((await server.api.patch(url, { pinned: true })).status).toBe(200);
    expect((await server.api.patch(url, { title: 'Casualties' })).status).toBe(200);
    const history = await server.api.get<{ versions: { version: number; body: string; title: string | null; updatedAt: string | null }[] }>(
      `${url}/versions`,
    );
    expect(history.status).toBe(200);
    expect(history.body.versions.map((version) => [version.version, version.body, version.title])).toEqual([
      [1, 'First: 10 injured', null],
      [2, 'Correction: 12 injured', null],
      [4, 'Correction: 12 injured', 'Casualties'],
    ]);
    expect(history.body.versions[0]?.updatedAt).toBeNull();
    expect(history.body.versions[2]?.updatedAt).not.toBeNull();

    expect((await server.api.get(`/api/v1/briefings/versions/entries/nope/versions`)).status).toBe(404);
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const scheduled = (await server.api.post<{ entry: Entry }>('/api/v1/briefings/versions/entries', { body: 'later', publishAt: later }))
      .body.entry;
    expect((await server.api.get(`/api/v1/briefings/versions/entries/${scheduled.id}/versions`)).status).toBe(404);
    expect((await server.api.delete(url)).status).toBe(200);
    expect((await server.api.get(`${url}/versions`)).status).toBe(404);
  });
});
