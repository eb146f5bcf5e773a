/**
 * What the fuzz suites found, each pinned by one deterministic request so that it stays
 * fixed even if the generators change.
 */
import type { Socket } from 'socket.io-client';
import { addUser, connectConsole } from '../support/console';
import { closeAll, connectReader, startServer, type TestServer } from '../support/harness';
import { errorShapeProblems, isErrorAck } from './support/checks';

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

afterAll(async () => {
  await closeAll();
});

describe('found by fuzzing', () => {
  test.each(['/embed.js', '/assets/reader.js', '/console/assets/console.js'])(
    'a failed If-Match on %s is a JSON error, not typed or cached as the file',
    async (path) => {
      const response = await fetch(`${server.url}${path}`, { headers: { 'if-match': '"1"' } });
      const text = await response.text();
      expect(response.status).toBe(412);
      expect(errorShapeProblems(412, response.headers.get('content-type') ?? '', text)).toEqual([]);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('last-modified')).toBeNull();
    },
  );

  test('a write to a console asset is the JSON 404, not a bare 405', async () => {
    const response = await fetch(`${server.url}/console/assets/console.js`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(404);
    expect(errorShapeProblems(404, response.headers.get('content-type') ?? '', await response.text())).toEqual([]);
  });

  test('an unsubscribe that is not valid is answered with an error ack in the documented shape', async () => {
    const reader: Socket = await connectReader(server.url);
    for (const payload of [{}, { slug: 42 }, 'junk']) {
      const ack: unknown = await reader.timeout(5000).emitWithAck('unsubscribe', payload);
      expect({ payload, ack, isErrorAck: isErrorAck(ack) }).toMatchObject({
        ack: { ok: false, error: { code: 'invalid' } },
        isErrorAck: true,
      });
    }
    expect(await reader.timeout(5000).emitWithAck('unsubscribe', { slug: 'some-briefing' })).toEqual({ ok: true });
  });

  test('a console join or editing sent with only an ack is answered (invalid), not left hanging', async () => {
    const user = await addUser(server, 'regression-editor', 'Regression editor', 'editor');
    const { secret } = await server.app.console.sessions.create(user.id);
    const consoleSocket: Socket = await connectConsole(server.url, { cookie: `lb_session=${secret}`, origin: server.url });
    for (const event of ['join', 'editing']) {
      const ack: unknown = await consoleSocket.timeout(5000).emitWithAck(event);
      expect({ event, ack, isErrorAck: isErrorAck(ack) }).toMatchObject({
        ack: { ok: false, error: { code: 'invalid' } },
        isErrorAck: true,
      });
    }
  });

  test('Markdown nested thousands deep is shown as text: no 500 on publishing, or on the pages that show its summary', async () => {
    const deep = `${'>'.repeat(3000)} deep`;
    const created = await server.api.post('/api/v1/briefings', { slug: 'deep-summary', title: 'Deep', summary: deep });
    expect(created.status).toBe(201);
    const published = await server.api.post<{ entry: { html: string } }>('/api/v1/briefings/deep-summary/entries', {
      body: `${'- '.repeat(4000)}x`,
    });
    expect(published.status).toBe(201);
    expect(published.body.entry.html).toContain('- - -');
    for (const path of ['/', '/b/deep-summary', '/b/deep-summary/summary', '/b/deep-summary/feed.xml', '/embed/deep-summary']) {
      expect({ path, status: (await fetch(`${server.url}${path}`)).status }).toEqual({ path, status: 200 });
    }
  });

  test('unclosed links, images and emphasis by the thousand publish and render (marked 15 took up to minutes on them)', async () => {
    expect((await server.api.post('/api/v1/briefings', { slug: 'unclosed', title: 'Unclosed', summary: '[a]('.repeat(1200) })).status).toBe(
      201,
    );
    for (const body of ['[a]('.repeat(4900), '![a]('.repeat(3900), '**a '.repeat(4900)]) {
      const published = await server.api.post<{ entry: { html: string } }>('/api/v1/briefings/unclosed/entries', { body });
      expect(published.status).toBe(201);
      expect(published.body.entry.html.length).toBeGreaterThan(body.length / 2);
    }
    for (const path of ['/', '/b/unclosed', '/b/unclosed/feed.xml']) {
      expect({ path, status: (await fetch(`${server.url}${path}`)).status }).toEqual({ path, status: 200 });
    }
  });

  test('a briefing in the valid locale "und" (undetermined) has its pages, not a 500', async () => {
    expect((await server.api.post('/api/v1/briefings', { slug: 'undetermined', title: 'Undetermined', locale: 'und' })).status).toBe(201);
    const published = await server.api.post<{ entry: { id: string } }>('/api/v1/briefings/undetermined/entries', { body: 'An update' });
    expect(published.status).toBe(201);
    for (const path of [
      '/',
      '/b/undetermined',
      `/b/undetermined/e/${published.body.entry.id}`,
      '/b/undetermined/feed.xml',
      '/embed/undetermined',
    ]) {
      expect({ path, status: (await fetch(`${server.url}${path}`)).status }).toEqual({ path, status: 200 });
    }
  });
});
