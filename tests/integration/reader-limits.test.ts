/**
 * What one reader (or one address) can make a process hold: subscribes and briefings per connection,
 * connections per address, unsent data of a reader that stopped reading; and what one
 * entry can make Redis hold: its versions.
 */
import type { Socket as NetSocket } from 'node:net';
import type { ErrorBody } from '../../shared/errors';
import type { Entry, SubscribeAck } from '../../shared/schemas';
import { closeAll, connectReader, onClose, startServer, waitFor } from '../support/harness';
import { createBriefing, publish } from '../support/fixtures';
import { FoldingReader } from '../support/reader';

afterEach(closeAll);

const SLUG = 'limits';

test('a connection that subscribes too often is refused with a rate_limited ack; other connections are not', async () => {
  const { url, api } = await startServer({ LIVEBRIEF_SUBSCRIBES_PER_MINUTE: '5' });
  await createBriefing(api, SLUG);
  const greedy = new FoldingReader(await connectReader(url), SLUG);
  const acks: SubscribeAck[] = [];
  for (let i = 0; i < 6; i++) acks.push(await greedy.subscribe(null));
  expect(acks.slice(0, 5).every((ack) => ack.ok)).toBe(true);
  expect(acks[5]).toEqual({ ok: false, error: { code: 'rate_limited', message: expect.stringContaining('at most 5') as unknown } });

  const polite = new FoldingReader(await connectReader(url), SLUG);
  expect(await polite.subscribe(null)).toMatchObject({ ok: true, mode: 'snapshot' });
  // The refused connection still has its earlier subscription, and still receives changes.
  await publish(api, SLUG, 'still delivered');
  await greedy.waitForSeq(1);
  expect(greedy.problems).toEqual([]);
});

test('a connection follows at most LIVEBRIEF_SUBSCRIPTIONS_PER_SOCKET briefings; one it unsubscribes frees its place, and each connection counts its own', async () => {
  const { url, api } = await startServer({ LIVEBRIEF_SUBSCRIPTIONS_PER_SOCKET: '2' });
  for (const slug of ['first', 'second', 'third']) await createBriefing(api, slug);
  const socket = await connectReader(url);
  const subscribe = (slug: string): Promise<SubscribeAck> => socket.timeout(5000).emitWithAck('subscribe', { slug });
  expect(await subscribe('first')).toMatchObject({ ok: true });
  expect(await subscribe('second')).toMatchObject({ ok: true });
  expect(await subscribe('third')).toEqual({ ok: false, error: { code: 'invalid', message: 'at most 2 briefings per connection' } });
  // A briefing it follows already may be subscribed to again: that replaces, not adds.
  expect(await subscribe('second')).toMatchObject({ ok: true });
  expect(await socket.timeout(5000).emitWithAck('unsubscribe', { slug: 'first' })).toEqual({ ok: true });
  expect(await subscribe('third')).toMatchObject({ ok: true });
  // Still following the two it kept: both get their changes.
  const received: string[] = [];
  socket.on('change', (change) => received.push(change.slug));
  await publish(api, 'second', 'to the second');
  await publish(api, 'third', 'to the third');
  await publish(api, 'first', 'to the first, no longer followed');
  await waitFor(() => (received.length >= 2 ? true : undefined), 5000, 'changes of both followed briefings');
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(received.sort()).toEqual(['second', 'third']);

  // Another connection starts with no briefing followed, whatever this one follows.
  const other = await connectReader(url);
  for (const slug of ['first', 'third']) expect(await other.timeout(5000).emitWithAck('subscribe', { slug })).toMatchObject({ ok: true });
});

test('connections from one address past the limit are refused with a clear error until one closes', async () => {
  const { url } = await startServer({ LIVEBRIEF_CONNECTIONS_PER_ADDRESS: '3' });
  const open = [await connectReader(url), await connectReader(url), await connectReader(url)];
  await expect(connectReader(url)).rejects.toThrow(/too many connections from your address \(at most 3\)/);
  open[0]?.disconnect();
  await waitFor(async () => connectReader(url).catch(() => undefined), 5000, 'a connection once one has closed');
});

test('a reader that stops reading is disconnected once its unsent data passes the limit; the others miss nothing', async () => {
  const { url, api, app } = await startServer({ LIVEBRIEF_SLOW_CONSUMER_BYTES: String(256 * 1024) });
  await createBriefing(api, SLUG);
  const healthy = new FoldingReader(await connectReader(url), SLUG);
  await healthy.subscribe(null);
  const stalled = new FoldingReader(await connectReader(url), SLUG);
  await stalled.subscribe(null);
  expect(app.io.of('/').sockets.size).toBe(2);
  // Stop reading from the TCP connection, as a reader on a frozen network would.
  const transport = stalled.socket.io.engine.transport as unknown as { ws: { _socket: NetSocket } };
  const tcp = transport.ws._socket;
  tcp.pause();
  onClose(() => {
    tcp.destroy();
  });

  // About 40 KB per change (the Markdown and its HTML): the kernel's buffers fill, then the server's.
  const body = 'A long dispatch from the front line. '.repeat(540);
  let seq = 0;
  for (let i = 0; i < 400 && app.io.of('/').sockets.size === 2; i++) seq = (await publish(api, SLUG, body)).seq;
  await waitFor(() => (app.io.of('/').sockets.size === 1 ? true : undefined), 10_000, 'the stalled reader to be dropped');
  expect(await app.metrics.registry.getSingleMetricAsString('livebrief_readers_refused_total')).toContain('reason="slow_consumer"} 1');
  await healthy.waitForSeq(seq, 20_000);
  expect(healthy.problems).toEqual([]);
});

test('an entry takes edits up to LIVEBRIEF_VERSIONS_PER_ENTRY versions; the next edit is 409 and changes nothing', async () => {
  const { api } = await startServer({ LIVEBRIEF_VERSIONS_PER_ENTRY: '3' });
  await createBriefing(api, SLUG);
  const { entry } = await publish(api, SLUG, 'version 1');
  const path = `/api/v1/briefings/${SLUG}/entries/${entry.id}`;
  for (const body of ['version 2', 'version 3']) expect((await api.patch(path, { body })).status).toBe(200);
  const refused = await api.patch<ErrorBody>(path, { body: 'version 4' });
  expect(refused.status).toBe(409);
  expect(refused.body.error.message).toMatch(/3 versions/);
  const stored = await api.get<{ entry: Entry }>(path);
  expect(stored.body.entry).toMatchObject({ body: 'version 3', version: 3 });
  const versions = await api.get<{ versions: unknown[] }>(`${path}/versions`);
  expect(versions.body.versions).toHaveLength(3);
});
