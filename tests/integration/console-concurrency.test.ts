/**
 * The console under concurrency and abuse, against the real app and Redis: login limits
 * that hold when many attempts arrive at once, approvals of the version that was reviewed,
 * account writes that cannot interleave, secrets kept out of the logs, and the cap on
 * drafts per author. Concurrency here means requests really sent at the same time.
 */
import { Writable } from 'node:stream';
import type { Draft, PublicUser, SessionInfo } from '../../shared/console';
import type { Entry } from '../../shared/schemas';
import { SessionStore } from '../../server/store/sessions';
import { addUser, login, PASSWORD, type SessionClient } from '../support/console';
import { createBriefing } from '../support/fixtures';
import { closeAll, startServer, type TestServer } from '../support/harness';

interface ErrorBody {
  error: { code: string; message: string };
}

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
      expect(refused.body).toEqual({ error: { code: 'rate_limited', message: expect.stringMatching(/too many failed logins for this account/) } });
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
    const answers = await Promise.all(Array.from({ length: 40 }, (_, index) => loginFrom(server.url, `nobody-${index}`, 'guess', '10.0.0.8')));
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
