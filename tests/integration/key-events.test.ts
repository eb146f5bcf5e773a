/**
 * The key-events index of a briefing: kept by the same scripts that publish, edit and
 * delete entries (so it never disagrees with them, scheduled publishing and concurrent
 * edits included), served whole with the page (not only the loaded entries) and by
 * GET …/key-events, and reachable without JavaScript through `?around=`.
 */
import { compareEntries } from '../../shared/apply-change';
import type { PageState } from '../../shared/page-state';
import type { Entry } from '../../shared/schemas';
import { createBriefing, publish } from '../support/fixtures';
import { closeAll, deletePrefix, DEFAULT_REDIS, startServer, waitFor, type TestServer } from '../support/harness';

afterEach(closeAll);

const B = '/api/v1/briefings';

async function indexIds(server: TestServer, slug: string): Promise<string[]> {
  return (await server.app.store.keyEvents(slug, 500)).map((entry) => entry.id);
}

/**
 * Publishes `count` entries through the API, a few at a time; every `keyEvery`th is a key
 * event. Returns them newest first, as the briefing orders them.
 */
async function publishMany(server: TestServer, slug: string, count: number, keyEvery: number): Promise<Entry[]> {
  const entries: Entry[] = new Array<Entry>(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      const response = await server.api.post<{ entry: Entry }>(`${B}/${slug}/entries`, {
        body: `Update number ${i}`,
        title: `Update ${i}`,
        keyEvent: i % keyEvery === 0,
      });
      expect(response.status).toBe(201);
      entries[i] = response.body.entry;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return entries.sort(compareEntries);
}

describe('the key-events index in Redis', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await startServer();
    await createBriefing(server.api, 'ke');
  });

  test('follows publish, edit and delete', async () => {
    const plain = await publish(server.api, 'ke', 'plain');
    const key = await publish(server.api, 'ke', 'key', { keyEvent: true, title: 'Bridge closed' });
    expect(await indexIds(server, 'ke')).toEqual([key.entry.id]);
    const stored = await server.app.store.keyEvents('ke', 10);
    expect(stored[0]).toMatchObject({ id: key.entry.id, title: 'Bridge closed', publishedAt: key.entry.publishedAt });

    expect((await server.api.patch(`${B}/ke/entries/${plain.entry.id}`, { keyEvent: true })).status).toBe(200);
    expect(await indexIds(server, 'ke')).toEqual([key.entry.id, plain.entry.id]);
    expect((await server.api.patch(`${B}/ke/entries/${key.entry.id}`, { keyEvent: false })).status).toBe(200);
    expect(await indexIds(server, 'ke')).toEqual([plain.entry.id]);
    // an edit that leaves keyEvent alone keeps it (and its new title)
    expect((await server.api.patch(`${B}/ke/entries/${plain.entry.id}`, { title: 'Now titled' })).status).toBe(200);
    expect((await server.app.store.keyEvents('ke', 10))[0]?.title).toBe('Now titled');
    expect((await server.api.delete(`${B}/ke/entries/${plain.entry.id}`)).status).toBe(200);
    expect(await indexIds(server, 'ke')).toEqual([]);
  });

  test('a scheduled key event joins the index when it is published, not before', async () => {
    const publishAt = new Date(Date.now() + 1200).toISOString();
    const response = await server.api.post<{ entry: Entry }>(`${B}/ke/entries`, { body: 'later', keyEvent: true, publishAt });
    expect(response.status).toBe(201);
    expect(await indexIds(server, 'ke')).toEqual([]);
    // marking and unmarking while scheduled leaves no trace either
    await server.app.store.updateEntry('ke', response.body.entry.id, (entry) => ({ ...entry, title: 'Scheduled' }));
    expect(await indexIds(server, 'ke')).toEqual([]);
    await waitFor(async () => ((await indexIds(server, 'ke')).length === 1 ? true : undefined), 10_000, 'the scheduled key event');
    expect(await indexIds(server, 'ke')).toEqual([response.body.entry.id]);
    // a scheduled entry deleted before its time never appears
    const gone = await server.api.post<{ entry: Entry }>(`${B}/ke/entries`, {
      body: 'never',
      keyEvent: true,
      publishAt: new Date(Date.now() + 60_000).toISOString(),
    });
    expect((await server.api.delete(`${B}/ke/entries/${gone.body.entry.id}`)).status).toBe(200);
    expect(await indexIds(server, 'ke')).toEqual([response.body.entry.id]);
  });

  test('concurrent edits toggling keyEvent leave the index agreeing with the stored entry', async () => {
    const { entry } = await publish(server.api, 'ke', 'contested');
    const writes = Array.from({ length: 24 }, (_, i) => server.api.patch(`${B}/ke/entries/${entry.id}`, { keyEvent: i % 2 === 0 }));
    for (const response of await Promise.all(writes)) expect([200, 409]).toContain(response.status);
    const stored = await server.api.get<{ entry: Entry }>(`${B}/ke/entries/${entry.id}`);
    expect(await indexIds(server, 'ke')).toEqual(stored.body.entry.keyEvent ? [entry.id] : []);
  });

  test('a briefing whose key events predate the index gets it built from its entries on first read', async () => {
    const marked = await publish(server.api, 'ke', 'old key', { keyEvent: true });
    await publish(server.api, 'ke', 'old plain');
    const scheduled = await server.api.post<{ entry: Entry }>(`${B}/ke/entries`, {
      body: 'not yet',
      keyEvent: true,
      publishAt: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(scheduled.status).toBe(201);
    // As stored before the index existed: no index keys at all.
    const keys = server.app.store.keys.briefing('ke');
    await server.app.store.redis.del(keys.keyEvents, keys.keyEventsBuilt);
    expect(await indexIds(server, 'ke')).toEqual([marked.entry.id]);
    expect((await fetch(`${server.url}${B}/nope/key-events`)).status).toBe(404);
  });

  test('a wiped and recreated briefing starts with an empty index', async () => {
    await publish(server.api, 'ke', 'key', { keyEvent: true });
    expect(await indexIds(server, 'ke')).toHaveLength(1);
    await deletePrefix(DEFAULT_REDIS, server.prefix);
    await createBriefing(server.api, 'ke');
    expect(await indexIds(server, 'ke')).toEqual([]);
  });

  test('is bounded: the newest `limit` key events', async () => {
    const entries = await publishMany(server, 'ke', 12, 1);
    expect(await indexIds(server, 'ke')).toEqual(entries.map((entry) => entry.id));
    expect((await server.app.store.keyEvents('ke', 5)).map((entry) => entry.id)).toEqual(entries.slice(0, 5).map((entry) => entry.id));
  });
});

describe('a long briefing', () => {
  test('has every key event in the page index, in GET …/key-events, and ?around= finds the oldest', async () => {
    const server = await startServer();
    await createBriefing(server.api, 'long');
    const entries = await publishMany(server, 'long', 300, 25);
    // oldest first
    const keyIds = entries
      .filter((entry) => entry.keyEvent)
      .map((entry) => entry.id)
      .reverse();
    expect(keyIds).toHaveLength(12);
    const text = await (await fetch(`${server.url}/b/long`)).text();
    const index = /<ol data-lb="key-events">([\s\S]*?)<\/ol>/.exec(text)?.[1] ?? '';
    for (const id of keyIds) expect(index).toContain(id);
    // newest first in the index
    const positions = keyIds.map((id) => index.indexOf(id));
    expect([...positions].sort((a, b) => b - a)).toEqual(positions);

    const api = await fetch(`${server.url}${B}/long/key-events`);
    expect(api.status).toBe(200);
    const body = (await api.json()) as { entries: Entry[]; epoch: string; seq: number };
    expect(body.entries.map((entry) => entry.id)).toEqual([...keyIds].reverse());
    expect(body.entries[0]).toMatchObject({ html: expect.stringContaining('Update number') as unknown });

    // The oldest key event is not on the first page: its link leads to a page that has it.
    const oldest = keyIds[0] ?? '';
    const href = new RegExp(`href="([^"]*)"[^>]*>(?:(?!</a>)[\\s\\S])*`).exec(index.slice(index.lastIndexOf('<li>')))?.[1] ?? '';
    expect(href).toBe(`/b/long?around=${oldest}#e-${oldest}`);
    const around = await (await fetch(`${server.url}/b/long?around=${oldest}`)).text();
    expect(around).toContain(`id="e-${oldest}"`);
    const [state] = [...around.matchAll(/<script type="application\/json" id="lb-state">([\s\S]*?)<\/script>/g)].map(
      (match) => JSON.parse(match[1] ?? '') as PageState,
    );
    expect(state?.kind === 'briefing' && state.live).toBe(false);

    // bad or unknown ids are pages of their own, not crashes
    expect((await fetch(`${server.url}/b/long?around=%3Cscript%3E`)).status).toBe(400);
    expect((await fetch(`${server.url}/b/long?around=nosuchentry0000000000`)).status).toBe(404);
  }, 60_000);
});

describe('a cheap page', () => {
  test("the page state does not repeat the entries' HTML and Markdown that the markup carries", async () => {
    const server = await startServer();
    await createBriefing(server.api, 'cheap');
    for (let i = 0; i < 3; i++) await publish(server.api, 'cheap', `Marker-${i} with **bold** words`, { pinned: i === 0 });
    const text = await (await fetch(`${server.url}/b/cheap`)).text();
    const stateText = /<script type="application\/json" id="lb-state">([\s\S]*?)<\/script>/.exec(text)?.[1] ?? '';
    const state = JSON.parse(stateText) as PageState;
    if (state.kind !== 'briefing') throw new Error('no briefing state');
    expect(state.view.entries).toHaveLength(3);
    expect(state.view.pinned).toHaveLength(1);
    for (const entry of [...state.view.entries, ...state.view.pinned]) {
      expect(entry).not.toHaveProperty('html');
      expect(entry).not.toHaveProperty('body');
    }
    expect(stateText).not.toContain('Marker-');
    // the markup has each of them: the feed's copy, and the pinned box's
    expect(text.split('Marker-1 with <strong>bold</strong> words')).toHaveLength(2);
    expect(text.split('Marker-0 with <strong>bold</strong> words')).toHaveLength(3);
  });
});
