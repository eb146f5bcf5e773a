/**
 * What the fuzz suites found, each pinned by one deterministic request so that it stays
 * fixed even if the generators change.
 */
import { closeAll, startServer, type TestServer } from '../support/harness';
import { errorShapeProblems } from './support/checks';

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
      expect(response.headers.get('cache-control')).toBeNull();
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
});
