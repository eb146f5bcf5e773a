/**
 * The console under concurrency and abuse, against the real app and Redis: login limits
 * that hold when many attempts arrive at once, approvals of the version that was reviewed,
 * account writes that cannot interleave, secrets kept out of the logs, and the cap on
 * drafts per author. Concurrency here means requests really sent at the same time.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Draft, DraftConflictBody, PublicUser, SessionInfo } from '../../shared/console';
import type { ErrorBody } from '../../shared/errors';
import type { Entry } from '../../shared/schemas';
import { SessionStore } from '../../server/store/sessions';
import { addUser, login, PASSWORD, type SessionClient } from '../support/console';
import { createBriefing } from '../support/fixtures';
import {
  ADMIN_TOKEN,
  ApiClient,
  closeAll,
  DEFAULT_REDIS,
  deletePrefix,
  onClose,
  spawnServer,
  startServer,
  uniquePrefix,
  waitFor,
  type TestServer,
} from '../support/harness';

afterEach(closeAll);

/** A login as if from `address` (the app trusts X-Forwarded-For from the loopback proxy). */
async function loginFrom(
  url: string,
  username: string,
  password: string,
  address: string,
): Promise<{ status: number; body: unknown; retryAfter: string | null }> {
  const response = await fetch(`${url}/console/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: url, 'x-forwarded-for': address },
    body: JSON.stringify({ username, password }),
  });
  return { status: response.status, body: (await response.json()) as unknown, retryAfter: response.headers.get('retry-after') };
}

function countBy<T>(items: T[], key: (item: T) => string | number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[String(key(item))] = (counts[String(key(item))] ?? 0) + 1;
  return counts;
}

async function signedIn(server: TestServer, username: string, password = PASSWORD): Promise<SessionClient> {
  const result = await login(server.url, username, password);
  expect(result.status).toBe(200);
  if (!result.client) throw new Error('no session');
  return result.client;
}

describe('login limits under concurrency', () => {
  it('40 wrong passwords for one account sent at once: 5 are checked (401), 35 refused with 429 and Retry-After', async () => {
    const server = await startServer();
    await addUser(server, 'ed', 'Ed Itor', 'editor');
    const answers = await Promise.all(Array.from({ length: 40 }, () => loginFrom(server.url, 'ed', 'not the password', '10.0.0.7')));
    expect(countBy(answers, (answer) => answer.status)).toEqual({ 401: 5, 429: 35 });
    for (const refused of answers.filter((answer) => answer.status === 429)) {
      expect(refused.body).toEqual({
        error: { code: 'rate_limited', message: expect.stringMatching(/too many failed logins for this account/) },
      });
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    }
    // The limit holds for the right password too from that address: guessing cannot go on.
    expect((await loginFrom(server.url, 'ed', PASSWORD, '10.0.0.7')).status).toBe(429);
  });

  it('an attacker hammering one account from one address does not lock its owner out from another address', async () => {
    const server = await startServer();
    await addUser(server, 'admin', 'Ada Admin', 'admin');
    const attack = await Promise.all(Array.from({ length: 40 }, () => loginFrom(server.url, 'admin', 'guess', '203.0.113.9')));
    expect(attack.filter((answer) => answer.status === 401)).toHaveLength(5);
    const owner = await loginFrom(server.url, 'admin', PASSWORD, '198.51.100.4');
    expect(owner.status).toBe(200);
    expect((owner.body as SessionInfo).user.username).toBe('admin');
  });

  it('40 guesses at different accounts from one address at once: only the per-address limit (30) are checked', async () => {
    const server = await startServer();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, index) => loginFrom(server.url, `nobody-${index}`, 'guess', '10.0.0.8')),
    );
    expect(countBy(answers, (answer) => answer.status)).toEqual({ 401: 30, 429: 10 });
    const blocked = answers.find((answer) => answer.status === 429);
    expect((blocked?.body as ErrorBody).error.message).toMatch(/network address/);
  });

  it('a successful login gives its attempt back: signing in often is never limited', async () => {
    const server = await startServer();
    await addUser(server, 'busy', 'Busy Editor', 'editor');
    for (let attempt = 1; attempt <= 8; attempt++) {
      expect((await loginFrom(server.url, 'busy', PASSWORD, '10.0.0.9')).status).toBe(200);
    }
    // Four mistakes then the right password: the mistakes are forgiven, five more are allowed.
    for (let attempt = 1; attempt <= 4; attempt++) expect((await loginFrom(server.url, 'busy', 'typo', '10.0.0.9')).status).toBe(401);
    expect((await loginFrom(server.url, 'busy', PASSWORD, '10.0.0.9')).status).toBe(200);
    const later = await Promise.all(Array.from({ length: 6 }, () => loginFrom(server.url, 'busy', 'typo', '10.0.0.9')));
    expect(countBy(later, (answer) => answer.status)).toEqual({ 401: 5, 429: 1 });
  });
});

describe('approving what was reviewed', () => {
  let server: TestServer;
  let contributor: SessionClient;
  let editor: SessionClient;

  beforeEach(async () => {
    server = await startServer();
    await addUser(server, 'cora', 'Cora Contributor', 'contributor');
    await addUser(server, 'ed', 'Ed Itor', 'editor');
    await createBriefing(server.api, 'review');
    contributor = await signedIn(server, 'cora');
    editor = await signedIn(server, 'ed');
  });

  const submit = async (body: string): Promise<Draft> => {
    const created = await contributor.request<{ draft: Draft }>('POST', '/console/api/briefings/review/drafts', {
      kind: 'submitted',
      fields: { body },
    });
    expect(created.status).toBe(201);
    return created.body.draft;
  };
  const publishedBodies = async (): Promise<string[]> =>
    (await server.api.get<{ entries: Entry[] }>('/api/v1/briefings/review/entries')).body.entries.map((entry) => entry.body);

  it('an approval of a version the author has since edited is refused with 412 and both versions; nothing is published', async () => {
    const seen = await submit('Two people were injured');
    const queue = await editor.request<{ drafts: Draft[] }>('GET', '/console/api/briefings/review/queue');
    expect(queue.body.drafts.map((draft) => draft.version)).toEqual([1]);

    const edited = await contributor.request<{ draft: Draft }>(
      'PATCH',
      `/console/api/briefings/review/drafts/${seen.id}`,
      { fields: { body: 'Twenty people were injured' } },
      { headers: { 'if-match': '"1"' } },
    );
    expect(edited.status).toBe(200);
    // The author's edit is a new text to review: still (again) a submission, at a new version.
    expect(edited.body.draft).toMatchObject({ kind: 'submitted', version: 2 });

    const stale = await editor.request<DraftConflictBody>(
      'POST',
      `/console/api/briefings/review/drafts/${seen.id}/publish`,
      {},
      { headers: { 'if-match': '"1"' } },
    );
    expect(stale.status).toBe(412);
    expect(stale.body.error.code).toBe('stale_version');
    expect(stale.body.error.message).toMatch(/version 2.*version 1|version 1.*version 2/);
    expect(stale.body.seenVersion).toBe(1);
    expect(stale.body.draft).toMatchObject({ id: seen.id, version: 2, kind: 'submitted', fields: { body: 'Twenty people were injured' } });
    expect(await publishedBodies()).toEqual([]);

    const approved = await editor.request<{ entry: Entry }>(
      'POST',
      `/console/api/briefings/review/drafts/${seen.id}/publish`,
      {},
      { headers: { 'if-match': '"2"' } },
    );
    expect(approved.status).toBe(201);
    expect(approved.body.entry.body).toBe('Twenty people were injured');
    expect(await publishedBodies()).toEqual(['Twenty people were injured']);
  });

  it('an approval must name the version reviewed (If-Match); without it nothing is published', async () => {
    const draft = await submit('No version named');
    const blind = await editor.request<ErrorBody>('POST', `/console/api/briefings/review/drafts/${draft.id}/publish`, {});
    expect(blind.status).toBe(400);
    expect(blind.body.error).toEqual({ code: 'invalid', message: expect.stringMatching(/^If-Match: /) });
    expect(await publishedBodies()).toEqual([]);
  });

  it('twenty approvals of one version at once publish it once', async () => {
    const draft = await submit('Once only');
    const approvals = await Promise.all(
      Array.from({ length: 20 }, () =>
        editor.request<{ entry: Entry }>(
          'POST',
          `/console/api/briefings/review/drafts/${draft.id}/publish`,
          {},
          { headers: { 'if-match': '"1"' } },
        ),
      ),
    );
    for (const approval of approvals) expect([201, 409]).toContain(approval.status);
    expect(await publishedBodies()).toEqual(['Once only']);
    expect((await server.api.get<{ seq: number }>('/api/v1/briefings/review/entries')).body.seq).toBe(1);
    expect((await editor.request<{ drafts: Draft[] }>('GET', '/console/api/briefings/review/queue')).body.drafts).toEqual([]);
  });

  it('draft saves are compare-and-set: If-Match is required, 40 saves of one version at once keep exactly one', async () => {
    const draft = await submit('Base text');
    const blind = await contributor.request<ErrorBody>('PATCH', `/console/api/briefings/review/drafts/${draft.id}`, {
      fields: { body: 'blind' },
    });
    expect(blind.status).toBe(400);
    expect(blind.body.error.message).toMatch(/^If-Match: /);

    const saves = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        contributor.request<{ draft: Draft } & DraftConflictBody>(
          'PATCH',
          `/console/api/briefings/review/drafts/${draft.id}`,
          { fields: { body: `save ${index}` } },
          { headers: { 'if-match': '"1"' } },
        ),
      ),
    );
    expect(countBy(saves, (save) => save.status)).toEqual({ 200: 1, 412: 39 });
    const winner = saves.find((save) => save.status === 200)?.body.draft;
    expect(winner?.version).toBe(2);
    for (const lost of saves.filter((save) => save.status === 412)) {
      expect(lost.body.seenVersion).toBe(1);
      expect(lost.body.draft.version).toBeGreaterThanOrEqual(2);
    }
    const stored = (await contributor.request<{ drafts: Draft[] }>('GET', '/console/api/briefings/review/queue')).body.drafts;
    expect(stored).toEqual([expect.objectContaining({ version: 2, fields: winner?.fields })]);
  });
});

describe('drafts per author', () => {
  it('caps the drafts one author keeps in a briefing (LIVEBRIEF_DRAFTS_PER_AUTHOR): 409 when full, nothing stored, even at once', async () => {
    const server = await startServer({ LIVEBRIEF_DRAFTS_PER_AUTHOR: '3' });
    await addUser(server, 'cora', 'Cora Contributor', 'contributor');
    await addUser(server, 'ed', 'Ed Itor', 'editor');
    await createBriefing(server.api, 'cap');
    const contributor = await signedIn(server, 'cora');
    const editor = await signedIn(server, 'ed');
    const create = (client: SessionClient, body: string): Promise<{ status: number; body: { draft: Draft } & ErrorBody }> =>
      client.request('POST', '/console/api/briefings/cap/drafts', { kind: 'draft', fields: { body } });

    const answers = await Promise.all(Array.from({ length: 12 }, (_, index) => create(contributor, `draft ${index}`)));
    expect(countBy(answers, (answer) => answer.status)).toEqual({ 201: 3, 409: 9 });
    const refused = answers.find((answer) => answer.status === 409);
    expect(refused?.body).toEqual({ error: { code: 'conflict', message: expect.stringMatching(/^drafts: .*3/) } });
    const queue = async (client: SessionClient): Promise<Draft[]> =>
      (await client.request<{ drafts: Draft[] }>('GET', '/console/api/briefings/cap/queue')).body.drafts;
    expect(await queue(contributor)).toHaveLength(3);

    // Another author is not held up by it.
    expect((await create(editor, 'editor draft')).status).toBe(201);
    // Discarding or publishing one makes room again.
    const [first, second] = await queue(contributor);
    if (!first || !second) throw new Error('drafts missing');
    expect((await contributor.request('DELETE', `/console/api/briefings/cap/drafts/${first.id}`)).status).toBe(200);
    expect((await create(contributor, 'after a discard')).status).toBe(201);
    expect((await create(contributor, 'still full')).status).toBe(409);
    expect(
      (
        await editor.request(
          'POST',
          `/console/api/briefings/cap/drafts/${second.id}/publish`,
          {},
          { headers: { 'if-match': `"${second.version}"` } },
        )
      ).status,
    ).toBe(201);
    expect((await create(contributor, 'after a publish')).status).toBe(201);
    expect(await queue(contributor)).toHaveLength(3);
  });
});

describe('account writes that cannot interleave', () => {
  let server: TestServer;
  let admin: SessionClient;

  beforeEach(async () => {
    server = await startServer();
    await addUser(server, 'root', 'Ada Admin', 'admin');
    admin = await signedIn(server, 'root');
  });

  const patchUser = (
    client: SessionClient,
    id: string,
    body: Record<string, unknown>,
  ): Promise<{ status: number; body: { user: PublicUser } & ErrorBody }> => client.request('PATCH', `/console/api/users/${id}`, body);

  it('a password change, a disable and a role change sent together all land: none undoes another', async () => {
    const victim = await addUser(server, 'vic', 'Vic Tim', 'editor');
    const newPassword = 'a brand new password 123';
    const password = patchUser(admin, victim.id, { password: newPassword });
    // The password change reads the account, then spends a while hashing: the others land meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const [changed, disabled, demoted] = await Promise.all([
      password,
      patchUser(admin, victim.id, { disabled: true }),
      patchUser(admin, victim.id, { role: 'contributor' }),
    ]);
    expect([changed.status, disabled.status, demoted.status]).toEqual([200, 200, 200]);
    const stored = (await admin.request<{ users: PublicUser[] }>('GET', '/console/api/users')).body.users.find(
      (user) => user.id === victim.id,
    );
    expect(stored).toMatchObject({ disabled: true, role: 'contributor' });
    // 403 (disabled) only once the new password is checked; the old one is wrong.
    expect((await loginFrom(server.url, 'vic', newPassword, '10.1.0.1')).status).toBe(403);
    expect((await loginFrom(server.url, 'vic', PASSWORD, '10.1.0.2')).status).toBe(401);
  });

  it('two admins disabling each other at once: one wins, the other is refused (409), an admin is left', async () => {
    const other = await addUser(server, 'root2', 'Bea Admin', 'admin');
    const second = await signedIn(server, 'root2');
    const me = (await admin.request<{ session: SessionInfo }>('GET', '/console/api/session')).body.session.user;
    const answers = await Promise.all([patchUser(admin, other.id, { disabled: true }), patchUser(second, me.id, { disabled: true })]);
    // The loser is refused as the last active admin (409), or, if the winner's disable came
    // first, as the disabled account it now is (401).
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1);
    const loser = answers.find((answer) => answer.status !== 200);
    expect([401, 409]).toContain(loser?.status);
    if (loser?.status === 409) expect(loser.body.error.message).toMatch(/last active admin/);
    const list = await server.app.console.users.list();
    expect(list.filter((user) => user.role === 'admin' && !user.disabled)).toHaveLength(1);
  });

  it('ten creates of one username at once: exactly one account, 409 for the others, the index and record agree', async () => {
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        admin.request<{ user: PublicUser } & ErrorBody>('POST', '/console/api/users', {
          username: 'dup',
          name: `Dup ${index}`,
          role: 'editor',
          password: PASSWORD,
        }),
      ),
    );
    expect(countBy(answers, (answer) => answer.status)).toEqual({ 201: 1, 409: 9 });
    const created = answers.find((answer) => answer.status === 201)?.body.user;
    const { redis, keys } = server.app.store;
    expect(await redis.hget(keys.usernames, 'dup')).toBe(created?.id);
    expect(await redis.hlen(keys.users)).toBe(2);
    expect((await loginFrom(server.url, 'dup', PASSWORD, '10.1.0.3')).status).toBe(200);
  });

  it('a password change ends every session, including sign-ins with the old password still in flight', async () => {
    const victim = await addUser(server, 'vic', 'Vic Tim', 'editor');
    const before = await Promise.all([1, 2, 3].map(() => signedIn(server, 'vic')));
    // The change spends a while hashing; sign-ins with the old password read the account
    // meanwhile and finish after it (from several addresses, so no limit applies).
    const change = patchUser(admin, victim.id, { password: 'another new password 1' });
    await new Promise((resolve) => setTimeout(resolve, 15));
    const racingCookies = Array.from({ length: 12 }, (_, index) =>
      fetch(`${server.url}/console/api/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: server.url, 'x-forwarded-for': `10.3.0.${index + 1}` },
        body: JSON.stringify({ username: 'vic', password: PASSWORD }),
      }).then((response) => (response.status === 200 ? ((response.headers.get('set-cookie') ?? '').split(';')[0] ?? '') : null)),
    );
    expect((await change).status).toBe(200);
    const cookies = [
      ...before.map((client) => client.cookie),
      ...(await Promise.all(racingCookies)).filter((cookie): cookie is string => cookie !== null),
    ];
    for (const cookie of cookies) {
      const session = await fetch(`${server.url}/console/api/session`, { headers: { cookie } });
      expect(((await session.json()) as { session: SessionInfo | null }).session).toBeNull();
    }
    expect(await server.app.store.redis.scard(server.app.store.keys.userSessions(victim.id))).toBe(0);
  });

  it('sessions end on their own after the idle lifetime without use', async () => {
    const user = await addUser(server, 'idle', 'Idle Editor', 'editor');
    const sessions = new SessionStore(server.app.store.redis, server.app.store.keys, 1);
    const { secret } = await sessions.create(user.id);
    expect(await sessions.resolve(secret)).not.toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect(await sessions.resolve(secret)).toBeNull();
  });
});

describe('secrets in the logs', () => {
  it('a Redis error during a password change or a session lookup logs neither hashes nor session digests', async () => {
    // The real server process, with its own logger, so that what is checked is what operators get.
    const prefix = uniquePrefix();
    onClose(() => deletePrefix(DEFAULT_REDIS, prefix));
    const server = await spawnServer({ REDIS_PREFIX: prefix, LOG_LEVEL: 'info' });
    const api = new ApiClient(server.url, ADMIN_TOKEN);
    const redis = new Redis(DEFAULT_REDIS);
    onClose(() => {
      redis.disconnect();
    });
    const create = async (username: string): Promise<PublicUser> => {
      const created = await api.post<{ user: PublicUser }>('/console/api/users', {
        username,
        name: username,
        role: 'editor',
        password: PASSWORD,
      });
      expect(created.status).toBe(201);
      return created.body.user;
    };
    const victim = await create('victim');
    await create('other');
    expect((await login(server.url, 'victim')).status).toBe(200);
    const otherSession = await login(server.url, 'other');
    const otherSecret = otherSession.client?.cookie.split('=')[1] ?? '';
    const otherDigest = createHash('sha256').update(otherSecret).digest('hex');
    const hashBefore = JSON.parse((await redis.hget(`${prefix}users`, victim.id)) ?? '{}') as { passwordHash: string };
    expect(hashBefore.passwordHash).toMatch(/^\$argon2id\$/);

    // Keys of the wrong type under the test's prefix make the commands that carry them fail.
    await redis.del(`${prefix}user-sessions:${victim.id}`);
    await redis.set(`${prefix}user-sessions:${victim.id}`, 'not a set');
    const changed = await api.patch<ErrorBody>(`/console/api/users/${victim.id}`, { password: 'the new secret password' });
    expect(changed.status).toBe(500);
    expect(changed.body.error.code).toBe('internal');
    // The script read before it wrote: the failed change left the account as it was.
    expect(await redis.hget(`${prefix}users`, victim.id)).toContain(hashBefore.passwordHash);

    await redis.del(`${prefix}session:${otherDigest}`);
    await redis.rpush(`${prefix}session:${otherDigest}`, 'not a string');
    const lookup = await fetch(`${server.url}/console/api/session`, { headers: { cookie: otherSession.client?.cookie ?? '' } });
    expect(lookup.status).toBe(500);

    // Both failures were logged (so the checks below are not vacuous), with the command's name.
    const log = await waitFor(
      () => {
        const lines = server
          .output()
          .split('\n')
          .filter((line) => line.includes('request failed'));
        return lines.length >= 2 ? lines.join('\n') : undefined;
      },
      5000,
      'two logged request failures',
    );
    expect(log).toMatch(/WRONGTYPE/);
    expect(log).toMatch(/"name":"eval(sha)?"/);
    expect(log).toMatch(/"name":"getex"/);
    const everything = server.output();
    for (const secret of [
      hashBefore.passwordHash,
      hashBefore.passwordHash.split('$').pop() ?? '',
      otherDigest,
      otherSecret,
      'the new secret password',
      PASSWORD,
    ]) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toMatch(/\$argon2id\$/);
  });
});
