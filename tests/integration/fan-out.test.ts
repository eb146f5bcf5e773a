/**
 * The fan-out writes each change to the followers slice by slice, yielding between slices.
 * Subscribers that join, leave, come back, are let go or learn a new epoch while a change is
 * still on its way to the others must keep the guarantee: after the ack, every change once,
 * in order, nothing outside a subscription. Slices are made tiny here, so that a few dozen
 * sockets take many of them, and changes are published several at once, so that some
 * followers are written more than one change at a time.
 */
import type { Briefing, Change } from '../../shared/schemas';
import { createBriefing, publish } from '../support/fixtures';
import { closeAll, connectReader, startServer, waitFor, type ApiClient, type TestServer } from '../support/harness';
import { FoldingReader } from '../support/reader';

afterEach(closeAll);

const SLUG = 'wave';

async function serverWithSlices(sliceSize: number, env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startServer(env);
  server.app.hub.fanOut.sliceSize = sliceSize;
  await createBriefing(server.api, SLUG);
  return server;
}

async function subscribedReaders(url: string, count: number, transports?: string[]): Promise<FoldingReader[]> {
  const readers = await Promise.all(
    Array.from({ length: count }, async () => new FoldingReader(await connectReader(url, transports ? { transports } : {}), SLUG)),
  );
  for (const reader of readers) expect((await reader.subscribe(null)).ok).toBe(true);
  return readers;
}

/** Publishes `count` entries, `inFlight` at a time; resolves with the highest seq. */
async function burst(api: ApiClient, count: number, inFlight = 4): Promise<number> {
  let next = 0;
  let highest = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const { seq } = await publish(api, SLUG, `burst ${next++}`);
        highest = Math.max(highest, seq);
      }
    }),
  );
  return highest;
}

function changesOf(reader: FoldingReader): Change[] {
  return reader.timeline.flatMap((item) => (item.kind === 'change' ? [item.change] : []));
}

/** The reader has every change after its last ack up to `seq`, once and in order, and nothing else went wrong. */
async function expectExactlyOnce(reader: FoldingReader, seq: number): Promise<void> {
  await reader.waitForSeq(seq);
  expect(reader.problems).toEqual([]);
  const lastAck = reader.timeline.filter((item) => item.kind === 'ack').pop();
  if (lastAck?.kind !== 'ack' || !lastAck.ack.ok) throw new Error('no successful ack');
  const from = lastAck.ack.seq;
  expect(reader.changesSinceAck().map((change) => change.seq)).toEqual(Array.from({ length: seq - from }, (_, index) => from + 1 + index));
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('readers subscribing while changes are being fanned out get every change after their ack once, in order', async () => {
  const { url, api } = await serverWithSlices(2);
  // Over long-polling, changes a reader lacks are written one by one; over a WebSocket, together.
  const early = [...(await subscribedReaders(url, 25)), ...(await subscribedReaders(url, 5, ['polling']))];
  const joiners: FoldingReader[] = [];
  const joining = (async () => {
    for (let index = 0; index < 30; index++) {
      const reader = new FoldingReader(await connectReader(url), SLUG);
      joiners.push(reader);
      // Half start from a snapshot, half resume from where an early reader stands right now.
      await reader.subscribe(index % 2 === 0 ? null : early[index]?.cursor);
    }
  })();
  const last = await burst(api, 80);
  await joining;
  for (const reader of [...early, ...joiners]) await expectExactlyOnce(reader, last);
});

test('readers unsubscribing and subscribing again mid-fan-out get nothing between, and every change after each ack once', async () => {
  const { url, api } = await serverWithSlices(2);
  const steady = await subscribedReaders(url, 20);
  const churners = await subscribedReaders(url, 10);
  let publishing = true;
  const churning = churners.map(async (reader, index) => {
    for (let round = 0; publishing && round < 20; round++) {
      // Some leave first, some subscribe again over their live subscription (which replaces it).
      if ((index + round) % 2 === 0) await reader.unsubscribe();
      if (round % 3 === 0) await pause(1);
      await reader.subscribe();
    }
  });
  const last = await burst(api, 80);
  publishing = false;
  await Promise.all(churning);
  for (const reader of [...steady, ...churners]) await expectExactlyOnce(reader, last);
  for (const reader of churners) expect(reader.timeline.filter((item) => item.kind === 'unsubscribed').length).toBeGreaterThan(0);
});

test('coverage ended mid-fan-out: each reader gets every change up to the ending one, then nothing, and is let go', async () => {
  const { url, api } = await serverWithSlices(2);
  const readers = await subscribedReaders(url, 40);
  const published = burst(api, 40);
  await pause(5);
  const ended = await api.patch<{ briefing: Briefing }>(`/api/v1/briefings/${SLUG}`, { status: 'ended' });
  expect(ended.status).toBe(200);
  const endSeq = ended.body.briefing.seq;
  await published;
  for (const reader of readers) {
    await reader.waitForSeq(endSeq);
    await waitFor(() => (reader.socket.connected ? undefined : true), 5000, 'the reader to be let go');
    expect(reader.problems).toEqual([]);
    const seqs = changesOf(reader).map((change) => change.seq);
    const ack = reader.timeline[0]?.kind === 'ack' && reader.timeline[0].ack.ok ? reader.timeline[0].ack.seq : -1;
    expect(seqs).toEqual(Array.from({ length: endSeq - ack }, (_, index) => ack + 1 + index));
  }
});

test('a lost history found mid-fan-out: each reader gets the old epoch in order, once, then the new epoch', async () => {
  const { url, api, app } = await serverWithSlices(2);
  const readers = await subscribedReaders(url, 40);
  const oldEpoch = readers[0]?.cursor?.epoch;
  const last = await burst(api, 30);
  // A restore from an older copy, right away: the counter and the log go back to seq 1.
  const keys = app.store.keys.briefing(SLUG);
  await app.store.redis.set(keys.seq, 1);
  await app.store.redis.xtrim(keys.log, 'MAXLEN', 1);
  await app.store.redis.xdel(keys.log, ...Array.from({ length: last - 1 }, (_, index) => `${index + 2}-0`));
  for (const reader of readers) {
    const announced = await waitFor(
      () => changesOf(reader).find((change) => change.epoch !== oldEpoch),
      10_000,
      'the announcement of the new epoch',
    );
    const old = changesOf(reader).filter((change) => change.epoch === oldEpoch);
    expect(old.map((change) => change.seq)).toEqual(Array.from({ length: last }, (_, index) => index + 1));
    // The new epoch's first change is the only surprise: a gap that sends the reader to subscribe again.
    expect(reader.problems).toEqual([expect.stringContaining('gap')]);
    expect(announced.seq).toBe(1);
  }
});

test('1,500 readers at the default slice size, with readers joining and leaving during a burst, each get every change once', async () => {
  const { url, api, app } = await startServer({ LIVEBRIEF_CONNECTIONS_PER_ADDRESS: '2000' });
  await createBriefing(api, SLUG);
  expect(app.hub.fanOut.sliceSize).toBeLessThan(1500);
  // A hundred connections at a time: 1,500 opened at once failed to connect on a loaded machine.
  const readers: FoldingReader[] = [];
  while (readers.length < 1500) {
    readers.push(...(await Promise.all(Array.from({ length: 100 }, async () => new FoldingReader(await connectReader(url), SLUG)))));
  }
  await Promise.all(readers.slice(0, 1400).map((reader) => reader.subscribe(null)));
  const late = readers.slice(1400);
  const leaving = readers.slice(0, 50);
  const moving = (async () => {
    for (const [index, reader] of late.entries()) {
      await reader.subscribe(null);
      const leaver = leaving[index % leaving.length];
      if (index % 2 === 0 && leaver) {
        await leaver.unsubscribe();
        await leaver.subscribe();
      }
    }
  })();
  const last = await burst(api, 30, 2);
  await moving;
  for (const reader of readers) await expectExactlyOnce(reader, last);
}, 120_000);

test('a change never overtakes what engine.io still holds for a socket: a reader whose last write is still in flight gets its ack first', async () => {
  const { url, api, app } = await serverWithSlices(2);
  const client = await connectReader(url);
  const reader = new FoldingReader(client, SLUG);
  const held = app.io.sockets.sockets.get(client.id ?? '');
  if (!held) throw new Error('no server socket for the reader');
  // As while a slow reader's previous write has not completed: engine.io keeps what follows in its own buffer.
  const transport = held.conn.transport as unknown as { writable: boolean };
  const engineSocket = held.conn as unknown as { flush(): void };
  transport.writable = false;
  const subscribed = reader.subscribe(null);
  // The ack waits in engine.io's buffer; the reader has already joined the fan-out.
  await waitFor(() => (app.hub.readerCounts().get(SLUG) === 1 ? true : undefined), 5_000, 'the reader following');
  const { seq } = await publish(api, SLUG, 'after the held ack');
  await new Promise((resolve) => setTimeout(resolve, 200));
  transport.writable = true;
  engineSocket.flush();
  expect((await subscribed).ok).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, 100));
  expect(reader.problems).toEqual([]);
  await expectExactlyOnce(reader, seq);
});

test('a reader that stops reading is written in few large writes, not one per change, and gets every change once when it reads again', async () => {
  const { url, api, app } = await serverWithSlices(64, { LIVEBRIEF_SLOW_CONSUMER_BYTES: String(512 * 1024 * 1024) });
  const [reading, stalled] = await subscribedReaders(url, 2);
  if (!reading || !stalled) throw new Error('two readers expected');
  // The stalled reader's client stops taking data off its TCP socket: the server's writes pile up.
  const clientSocket = (stalled.socket.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } }).ws._socket;
  clientSocket.pause();
  const serverSide = app.io.sockets.sockets.get(stalled.socket.id ?? '');
  if (!serverSide) throw new Error('no server socket for the stalled reader');
  const tcp = (
    serverSide.conn.transport as unknown as {
      socket: { _socket: { writableLength: number; _writableState: { bufferedRequestCount: number } } };
    }
  ).socket._socket;
  const body = 'A long update. '.repeat(1300);
  let seq = 0;
  let mostQueuedWrites = 0;
  for (let index = 0; index < 600; index++) {
    ({ seq } = await publish(api, SLUG, `${index} ${body}`));
    mostQueuedWrites = Math.max(mostQueuedWrites, tcp._writableState.bufferedRequestCount);
  }
  await expectExactlyOnce(reading, seq);
  // Megabytes are waiting for the stalled reader, in a handful of writes rather than hundreds.
  expect(tcp.writableLength).toBeGreaterThan(1024 * 1024);
  expect(mostQueuedWrites).toBeLessThan(20);
  clientSocket.resume();
  await expectExactlyOnce(stalled, seq);
}, 120_000);
