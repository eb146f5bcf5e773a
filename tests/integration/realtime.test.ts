/**
 * The Socket.IO contract against a real Redis and real socket.io-client connections:
 * resume or snapshot, then every change exactly once and in order.
 */
import type { Briefing, Entry, SubscribeAck } from '../../shared/schemas';
import { closeAll, connectReader, startServer, waitFor, type ApiClient } from '../support/harness';
import { createBriefing, publish } from '../support/fixtures';
import { FoldingReader } from '../support/reader';

afterEach(closeAll);

/** Every published entry over HTTP, newest first, following `next`. */
async function allEntries(api: ApiClient, slug: string): Promise<{ entries: Entry[]; seq: number }> {
  const entries: Entry[] = [];
  let before: string | null = null;
  let seq = -1;
  do {
    const query: string = before ? `?limit=100&before=${encodeURIComponent(before)}` : '?limit=100';
    const page = await api.get<{ entries: Entry[]; seq: number; next: string | null }>(`/api/v1/briefings/${slug}/entries${query}`);
    expect(page.status).toBe(200);
    if (seq === -1) seq = page.body.seq;
    entries.push(...page.body.entries);
    before = page.body.next;
  } while (before);
  return { entries, seq };
}

function seqsOf(reader: FoldingReader): number[] {
  return reader.changesSinceAck().map((change) => change.seq);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, index) => from + index);
}

describe('subscribe', () => {
  test('a new reader gets a snapshot of the newest 20 entries and every pinned one, exactly at its seq', async () => {
    const { url, api } = await startServer();
    await createBriefing(api, 'snap');
    const first = await publish(api, 'snap', 'the first entry, pinned', { pinned: true });
    for (let i = 0; i < 24; i++) await publish(api, 'snap', `entry ${i}`);

    const reader = new FoldingReader(await connectReader(url), 'snap');
    const ack = await reader.subscribe(null);

    expect(ack).toMatchObject({ ok: true, mode: 'snapshot', seq: 25, epoch: first.epoch });
    if (!ack.ok || ack.mode !== 'snapshot') throw new Error('expected a snapshot');
    const http = await allEntries(api, 'snap');
    expect(ack.snapshot.entries).toEqual(http.entries.slice(0, 20));
    expect(ack.snapshot.pinned.map((entry) => entry.id)).toEqual([first.entry.id]);
    expect(ack.snapshot.briefing).toMatchObject({ slug: 'snap', seq: 25, epoch: first.epoch });
  });

  test('unknown and malformed subscriptions get an error ack and nothing else', async () => {
    const { url } = await startServer();
    const socket = await connectReader(url);
    const ask = (payload: unknown) => new Promise<SubscribeAck>((resolve) => socket.emit('subscribe', payload as never, resolve));

    expect(await ask({ slug: 'nope' })).toEqual({ ok: false, error: { code: 'not_found', message: expect.any(String) } });
    expect(await ask({ slug: 'Bad Slug' })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(await ask({ slug: 'x', since: { epoch: 5, seq: 'a' } })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(socket.connected).toBe(true);
  });

  test('no change reaches the socket before the ack, even while changes are being published', async () => {
    const { url, api } = await startServer();
    await createBriefing(api, 'busy');
    let stop = false;
    const publisher = (async () => {
      let count = 0;
      while (!stop && count < 200) await publish(api, 'busy', `burst ${count++}`);
    })();
    const readers = await Promise.all(Array.from({ length: 10 }, async () => new FoldingReader(await connectReader(url), 'busy')));
    for (const reader of readers) {
      await reader.subscribe(null);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    stop = true;
    await publisher;
    const { seq } = await allEntries(api, 'busy');
    for (const reader of readers) {
      await reader.waitForSeq(seq);
      expect(reader.timeline[0]?.kind).toBe('ack');
      const ack = reader.timeline[0]?.kind === 'ack' ? reader.timeline[0].ack : null;
      if (!ack?.ok) throw new Error('subscribe failed');
      expect(seqsOf(reader)).toEqual(range(ack.seq + 1, seq));
      expect(reader.problems).toEqual([]);
    }
  });

  test('a reader that joins while an earlier snapshot is still being read misses nothing', async () => {
    const { url, api, app } = await startServer();
    await createBriefing(api, 'late-join');
    const { epoch } = await publish(api, 'late-join', 'one');
    // The first snapshot read is answered by Redis at once; its answer is held here until released.
    const store = app.store;
    const readPage = store.readPage.bind(store);
    let read: () => void = () => undefined;
    const firstRead = new Promise<void>((resolve) => (read = resolve));
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    store.readPage = async (...args) => {
      const page = await readPage(...args);
      if (calls++ === 0) {
        read();
        await held;
      }
      return page;
    };

    const first = new FoldingReader(await connectReader(url), 'late-join');
    const firstAck = first.subscribe(null);
    await firstRead;
    await publish(api, 'late-join', 'two');
    // A reader resuming from its cursor reads no snapshot: its seq 2 proves the tail delivered it.
    const witness = new FoldingReader(await connectReader(url), 'late-join');
    await witness.subscribe({ epoch, seq: 1 });
    await witness.waitForSeq(2);

    const second = new FoldingReader(await connectReader(url), 'late-join');
    const secondAck = second.subscribe(null);
    // Events of one socket are handled in order: this answer means the subscribe is under way.
    await new Promise<unknown>((resolve) => second.socket.emit('unsubscribe', { slug: 'another' }, resolve));
    release();
    await Promise.all([firstAck, secondAck]);
    await publish(api, 'late-join', 'three');
    await witness.waitForSeq(3);
    await waitFor(
      () => (second.timeline.some((item) => item.kind === 'change' && item.change.seq === 3) ? true : undefined),
      5000,
      'seq 3 at the second reader',
    );
    await first.waitForSeq(3);
    for (const reader of [first, second]) {
      expect(reader.problems).toEqual([]);
      const ack = reader.timeline[0]?.kind === 'ack' ? reader.timeline[0].ack : null;
      if (!ack?.ok) throw new Error('subscribe failed');
      expect(seqsOf(reader)).toEqual(range(ack.seq + 1, 3));
    }
  });

  test('every subscribe is answered, also one that a second subscribe for the same slug replaced', async () => {
    const { url, api } = await startServer();
    await createBriefing(api, 'twice');
    const socket = await connectReader(url);
    const ask = () =>
      new Promise<SubscribeAck>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no ack')), 5000);
        socket.emit('subscribe', { slug: 'twice' }, (ack) => {
          clearTimeout(timer);
          resolve(ack);
        });
      });
    const [replaced, latest] = await Promise.all([ask(), ask()]);
    expect(latest).toMatchObject({ ok: true, mode: 'snapshot', seq: 0 });
    // The first is answered either way: with a snapshot if it was served before the second arrived, else refused as replaced.
    if (replaced.ok) expect(replaced).toMatchObject({ mode: 'snapshot', seq: 0 });
    else expect(replaced.error.code).toBe('conflict');
  });

  test('after unsubscribe no more changes arrive', async () => {
    const { url, api } = await startServer();
    await createBriefing(api, 'quiet');
    const reader = new FoldingReader(await connectReader(url), 'quiet');
    await reader.subscribe(null);
    await publish(api, 'quiet', 'one');
    await reader.waitForSeq(1);
    await new Promise<unknown>((resolve) => reader.socket.emit('unsubscribe', { slug: 'quiet' }, resolve));
    await publish(api, 'quiet', 'two');
    // a second reader proves the change went out; the first must not have it
    const witness = new FoldingReader(await connectReader(url), 'quiet');
    await witness.subscribe({ epoch: reader.view?.epoch ?? '', seq: 1 });
    await witness.waitForSeq(2);
    expect(reader.view?.seq).toBe(1);
  });
});

describe('delivery', () => {
  test('20 readers receive 200 concurrent mixed changes exactly once, in order, and fold to the HTTP view', async () => {
    const { url, api } = await startServer();
    await createBriefing(api, 'mixed');
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push((await publish(api, 'mixed', `seed ${i}`)).entry.id);

    const readers = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const reader = new FoldingReader(await connectReader(url), 'mixed');
        await reader.subscribe(null);
        return reader;
      }),
    );

    // Four editors at once, 50 changes each: publish, edit, pin/unpin, key event, delete, metadata.
    let random = 42;
    const next = (n: number) => {
      random = (random * 1_103_515_245 + 12_345) % 2 ** 31;
      return random % n;
    };
    const editor = async (name: string) => {
      for (let i = 0; i < 50; i++) {
        const kind = next(10);
        const id = ids[next(ids.length)];
        if (kind < 4 || !id) {
          ids.push((await publish(api, 'mixed', `${name} ${i}`, { keyEvent: kind === 0 })).entry.id);
        } else if (kind < 6) {
          const edited = await api.patch(`/api/v1/briefings/mixed/entries/${id}`, { body: `${name} edited ${i}` });
          expect([200, 404]).toContain(edited.status);
          if (edited.status === 404) ids.push((await publish(api, 'mixed', `${name} ${i} again`)).entry.id);
        } else if (kind < 8) {
          const pinned = await api.patch(`/api/v1/briefings/mixed/entries/${id}`, { pinned: kind === 6 });
          expect([200, 404]).toContain(pinned.status);
          if (pinned.status === 404) ids.push((await publish(api, 'mixed', `${name} ${i} again`)).entry.id);
        } else if (kind === 8) {
          const deleted = await api.delete(`/api/v1/briefings/mixed/entries/${id}`);
          expect([200, 404]).toContain(deleted.status);
          if (deleted.status === 404) ids.push((await publish(api, 'mixed', `${name} ${i} again`)).entry.id);
        } else {
          expect((await api.patch('/api/v1/briefings/mixed', { summary: `${name} says ${i}` })).status).toBe(200);
        }
      }
    };
    await Promise.all(['ana', 'bo', 'cy', 'di'].map(editor));

    const http = await allEntries(api, 'mixed');
    expect(http.seq).toBe(25 + 200);
    const briefing = (await api.get<{ briefing: Briefing }>('/api/v1/briefings/mixed')).body.briefing;
    for (const reader of readers) {
      const view = await reader.waitForView(http.seq);
      expect(reader.problems).toEqual([]);
      expect(seqsOf(reader)).toEqual(range(26, http.seq));
      expect(view.entries).toEqual(http.entries.slice(0, view.entries.length));
      expect(view.entries.length).toBeGreaterThanOrEqual(20);
      expect(view.pinned).toEqual(http.entries.filter((entry) => entry.pinned));
      expect(view.briefing).toEqual(briefing);
    }
  });

  test('a reader that comes back with its cursor gets exactly the changes it missed', async () => {
    const { url, api } = await startServer();
    await createBriefing(api, 'resume');
    const reader = new FoldingReader(await connectReader(url), 'resume');
    await reader.subscribe(null);
    const kept = await publish(api, 'resume', 'seen');
    await reader.waitForSeq(1);
    reader.socket.disconnect();

    const missed = [
      (await publish(api, 'resume', 'missed 1')).seq,
      (await api.patch(`/api/v1/briefings/resume/entries/${kept.entry.id}`, { pinned: true })).body.seq,
      (await api.delete(`/api/v1/briefings/resume/entries/${kept.entry.id}`)).body.seq,
      (await api.patch<{ briefing: Briefing }>('/api/v1/briefings/resume', { title: 'Renamed' })).body.briefing.seq,
    ];
    expect(missed).toEqual([2, 3, 4, 5]);

    const back = new FoldingReader(await connectReader(url), 'resume');
    back.view = reader.view;
    const ack = await back.subscribe(reader.cursor);
    expect(ack).toEqual({ ok: true, mode: 'resume', epoch: kept.epoch, seq: 1 });
    const view = await back.waitForView(5);
    expect(seqsOf(back)).toEqual([2, 3, 4, 5]);
    expect(back.problems).toEqual([]);
    expect(view.entries.map((entry) => entry.body)).toEqual(['missed 1']);
    expect(view.briefing.title).toBe('Renamed');
  });

  test('a stale epoch or a cursor ahead of the log gets a snapshot', async () => {
    const { url, api } = await startServer();
    await createBriefing(api, 'stale');
    const { epoch } = await publish(api, 'stale', 'one');
    const reader = new FoldingReader(await connectReader(url), 'stale');

    const otherEpoch = await reader.subscribe({ epoch: 'an-old-history', seq: 1 });
    expect(otherEpoch).toMatchObject({ ok: true, mode: 'snapshot', epoch, seq: 1 });
    const ahead = await reader.subscribe({ epoch, seq: 99 });
    expect(ahead).toMatchObject({ ok: true, mode: 'snapshot', epoch, seq: 1 });
    expect(reader.problems).toEqual([]);
  });

  test('a cursor older than the kept history gets a snapshot', async () => {
    const { url, api } = await startServer({ LIVEBRIEF_HISTORY_LIMIT: '5' });
    await createBriefing(api, 'trimmed');
    const { epoch } = await publish(api, 'trimmed', 'one');
    for (let i = 0; i < 9; i++) await publish(api, 'trimmed', `more ${i}`);
    // nobody followed the briefing yet, so no recent changes are in memory: Redis's kept history decides
    const late = new FoldingReader(await connectReader(url), 'trimmed');
    const ack = await late.subscribe({ epoch, seq: 2 });
    expect(ack).toMatchObject({ ok: true, mode: 'snapshot', epoch, seq: 10 });
    const recent = new FoldingReader(await connectReader(url), 'trimmed');
    expect(await recent.subscribe({ epoch, seq: 7 })).toMatchObject({ ok: true, mode: 'resume', seq: 7 });
    await recent.waitForSeq(10);
    expect(seqsOf(recent)).toEqual([8, 9, 10]);
  });

  test("two processes on one Redis deliver each other's changes in order", async () => {
    const a = await startServer();
    const b = await startServer({ REDIS_PREFIX: a.prefix });
    await createBriefing(a.api, 'shared');
    const onA = new FoldingReader(await connectReader(a.url), 'shared');
    const onB = new FoldingReader(await connectReader(b.url), 'shared');
    await onA.subscribe(null);
    await onB.subscribe(null);

    await Promise.all([
      (async () => {
        for (let i = 0; i < 30; i++) await publish(a.api, 'shared', `from a ${i}`);
      })(),
      (async () => {
        for (let i = 0; i < 30; i++) await publish(b.api, 'shared', `from b ${i}`);
      })(),
    ]);
    for (const reader of [onA, onB]) {
      await reader.waitForSeq(60);
      expect(seqsOf(reader)).toEqual(range(1, 60));
      expect(reader.problems).toEqual([]);
    }
    expect(onA.view?.entries).toEqual(onB.view?.entries);
  });
});

describe('lost history', () => {
  test('a briefing wiped and recreated gets a new epoch, and old cursors get a snapshot', async () => {
    const { url, api, app } = await startServer();
    await createBriefing(api, 'wiped');
    const { epoch } = await publish(api, 'wiped', 'before the wipe');
    const keys = app.store.keys.briefing('wiped');
    await app.store.redis.del(keys.meta, keys.epoch, keys.seq, keys.log, keys.entries, keys.state, keys.published, keys.pinned);
    await app.store.redis.zrem(app.store.keys.briefings, 'wiped');
    const recreated = await createBriefing(api, 'wiped');
    expect(recreated.epoch).not.toBe(epoch);

    const reader = new FoldingReader(await connectReader(url), 'wiped');
    const ack = await reader.subscribe({ epoch, seq: 1 });
    expect(ack).toMatchObject({ ok: true, mode: 'snapshot', epoch: recreated.epoch, seq: 0 });
  });

  test('a log that falls behind what was delivered (a rolled-back Redis) is given a new epoch', async () => {
    const { url, api, app } = await startServer();
    await createBriefing(api, 'rolled');
    const reader = new FoldingReader(await connectReader(url), 'rolled');
    await reader.subscribe(null);
    for (let i = 0; i < 3; i++) await publish(api, 'rolled', `entry ${i}`);
    await reader.waitForSeq(3);
    const oldEpoch = reader.view?.epoch;
    // Simulate a restore from an older copy: the counter and the log go back to seq 1.
    const keys = app.store.keys.briefing('rolled');
    await app.store.redis.set(keys.seq, 1);
    await app.store.redis.xtrim(keys.log, 'MAXLEN', 1);
    await app.store.redis.xdel(keys.log, '2-0', '3-0');

    const change = await waitFor(
      () => reader.timeline.map((item) => (item.kind === 'change' ? item.change : null)).find((c) => c && c.epoch !== oldEpoch),
      10_000,
      'the announcement of a new epoch',
    );
    expect(change).toMatchObject({ type: 'briefing.updated', seq: 1 });
    expect(reader.problems).toEqual([expect.stringContaining('gap')]);
    const ack = await reader.subscribe();
    expect(ack).toMatchObject({ ok: true, mode: 'snapshot', epoch: change?.epoch });
  });
});

test('an unreadable entry in the log is skipped: the readers see a gap and the briefing keeps updating', async () => {
  const { url, api, app } = await startServer();
  await createBriefing(api, 'garbled');
  const reader = new FoldingReader(await connectReader(url), 'garbled');
  await reader.subscribe(null);
  await publish(api, 'garbled', 'one');
  await reader.waitForSeq(1);
  // A change no script of ours would write.
  const keys = app.store.keys.briefing('garbled');
  await app.store.redis.incr(keys.seq);
  await app.store.redis.xadd(keys.log, '2-0', 't', 'entry.exploded', 'a', 'now', 'd', '{');

  const after = await publish(api, 'garbled', 'three');
  expect(after.seq).toBe(3);
  await waitFor(() => (reader.timeline.some((item) => item.kind === 'change' && item.change.seq === 3) ? true : undefined), 5000, 'seq 3');
  expect(reader.problems).toEqual([expect.stringContaining('gap')]);
  const again = await reader.subscribe({ epoch: after.epoch, seq: 1 });
  expect(again).toMatchObject({ ok: true, mode: 'snapshot', seq: 3 });
});
