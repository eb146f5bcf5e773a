/** The list of briefings at `/` stays one cheap page however many briefings there are. */
import { closeAll, startServer } from '../support/harness';

afterEach(closeAll);

function titlesOn(html: string): string[] {
  return [...html.matchAll(/<h2 class="lb-card-title"><a href="[^"]*">([^<]*)<\/a>/g)].map((match) => match[1] ?? '');
}

test('/ shows the newest 50 briefings with a link to older ones, page by page', async () => {
  const { url, api } = await startServer();
  for (let i = 1; i <= 120; i++) {
    const created = await api.post('/api/v1/briefings', { slug: `story-${i}`, title: `Story ${i}` });
    expect(created.status).toBe(201);
  }
  const first = await (await fetch(`${url}/`)).text();
  expect(titlesOn(first)).toHaveLength(50);
  expect(titlesOn(first)).toContain('Story 120');
  expect(first).toContain('href="/?page=2"');

  const second = await (await fetch(`${url}/?page=2`)).text();
  expect(titlesOn(second)).toHaveLength(50);
  expect(second).toContain('href="/?page=3"');
  const third = await (await fetch(`${url}/?page=3`)).text();
  expect(titlesOn(third)).toHaveLength(20);
  expect(third).toContain('Story 1<');
  expect(third).not.toContain('?page=4');
  const seen = new Set([...titlesOn(first), ...titlesOn(second), ...titlesOn(third)]);
  expect(seen.size).toBe(120);

  for (const bad of ['0', '-1', 'abc', '1.5', '99999']) {
    expect((await fetch(`${url}/?page=${bad}`)).status).toBe(400);
  }
});

test("a briefing's summary on the list follows its edits", async () => {
  const { url, api } = await startServer();
  await api.post('/api/v1/briefings', { slug: 'flood', title: 'Flood', summary: 'Rivers **rising** in the north.' });
  expect(await (await fetch(`${url}/`)).text()).toContain('Rivers rising in the north.');
  await api.patch('/api/v1/briefings/flood', { summary: 'Waters receding.' });
  const after = await (await fetch(`${url}/`)).text();
  expect(after).toContain('Waters receding.');
  expect(after).not.toContain('Rivers rising');
});
