/**
 * The benchmark suite's own checks: its Engine.IO reader must catch a broken delivery
 * guarantee (fed one by a stub WebSocket server), and the suite at a tiny scale must run
 * against livebrief and the floor with every delivery checked and a result file in the
 * shared format.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { makeClock } from '../../bench/clock';
import { EngineIoReader, hashId } from '../../bench/suite/engine-io-reader';
import { fanout } from '../../bench/suite/fanout';
import { runSuite } from '../../bench/suite/main';
import { renderTable, resultSchema } from '../../bench/suite/results';
import { startFloor } from '../../bench/suite/targets';
import { closeAll, onClose, waitFor } from '../support/harness';

afterEach(closeAll);

function change(slug: string, seq: number): string {
  return `42${JSON.stringify(['change', { slug, epoch: 'e1', seq, at: '2026-01-01T00:00:00.000Z', type: 'entry.published', entry: { id: `entry-${seq}`, slug } }])}`;
}

/**
 * A stub server speaking just enough Engine.IO / Socket.IO: it answers `subscribe` with a
 * snapshot ack at seq 10, and sends `frames` around it (ACK marks where the ack goes).
 */
const ACK = Symbol('the subscribe ack');

async function stubServer(frames: (string | typeof ACK)[]): Promise<{ url: string; pongs: () => number }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  let pongs = 0;
  onClose(
    () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  );
  server.on('connection', (socket: WebSocket) => {
    socket.send('0{"sid":"stub","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}');
    socket.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text === '40') {
        socket.send('40{"sid":"stub-ns"}');
        socket.send('2');
      } else if (text === '3') {
        pongs++;
      } else {
        const request = /^42(\d+)\["subscribe"/.exec(text);
        if (!request) return;
        for (const frame of frames) {
          socket.send(frame === ACK ? `43${request[1]}[{"ok":true,"mode":"snapshot","epoch":"e1","seq":10,"snapshot":{}}]` : frame);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/socket.io/?EIO=4&transport=websocket`, pongs: () => pongs };
}

describe('the suite reader', () => {
  it('counts a change before the ack, duplicates and changes out of order, and ignores other slugs', async () => {
    const stub = await stubServer([
      change('news', 9),
      ACK,
      change('news', 11),
      change('news', 12),
      change('other', 13),
      change('news', 12),
      change('news', 10),
      change('news', 14),
      change('news', 13),
      change('news', 15),
    ]);
    const reader = new EngineIoReader(stub.url, 'news', makeClock(process.hrtime.bigint()));
    onClose(() => reader.drop());
    const outcome = await reader.subscribe(5000);
    expect(outcome.ack).toMatchObject({ ok: true, mode: 'snapshot', epoch: 'e1', seq: 10 });
    await waitFor(() => (reader.ledger.next === 16 ? true : undefined), 5000, 'the last change');
    expect(reader.ledger.problems).toEqual({ beforeAck: 1, duplicates: 2, outOfOrder: 2 });
    for (const seq of [11, 12, 13, 14, 15]) {
      expect(reader.ledger.timeOf(seq)).toBeGreaterThanOrEqual(outcome.ackAt);
      expect(reader.ledger.idHashOf(seq)).toBe(hashId(`entry-${seq}`));
    }
    expect(Number.isNaN(reader.ledger.timeOf(16))).toBe(true);
    await waitFor(() => (stub.pongs() > 0 ? true : undefined), 5000, 'a pong to the ping');
  });

  it('finds nothing wrong in a stream that keeps the guarantee', async () => {
    const stub = await stubServer([ACK, change('news', 11), change('news', 12), change('news', 13)]);
    const reader = new EngineIoReader(stub.url, 'news', makeClock(process.hrtime.bigint()));
    onClose(() => reader.drop());
    await reader.subscribe(5000);
    await waitFor(() => (reader.ledger.next === 14 ? true : undefined), 5000, 'the last change');
    expect(reader.ledger.problems).toEqual({ beforeAck: 0, duplicates: 0, outOfOrder: 0 });
  });
});

describe('the floor', () => {
  it('emits changes in seq order when their publishes arrive the other way round', async () => {
    const clock = makeClock(process.hrtime.bigint());
    const changes = [2, 3].map((seq) =>
      JSON.stringify({ slug: 'news', epoch: 'e1', seq, type: 'entry.published', entry: { id: `entry-${seq}` } }),
    );
    const floor = await startFloor(
      { clock, redisUrl: '', bodyChars: 0, requestTimeoutMs: 5000 },
      { ack: JSON.stringify({ ok: true, mode: 'snapshot', epoch: 'e1', seq: 1, snapshot: { briefing: { slug: 'news' } } }), changes },
    );
    onClose(() => floor.stop());
    const reader = new EngineIoReader(EngineIoReader.socketUrl(floor.url), 'news', clock);
    onClose(() => reader.drop());
    expect((await reader.subscribe(5000)).ack).toMatchObject({ ok: true, mode: 'snapshot', seq: 1 });
    await floor.publish(1);
    await floor.publish(0);
    await waitFor(() => (reader.ledger.next === 4 ? true : undefined), 5000, 'both changes');
    expect(reader.ledger.problems).toEqual({ beforeAck: 0, duplicates: 0, outOfOrder: 0 });
  });
});

describe('the suite at a tiny scale', () => {
  const overrides: Record<string, string> = {
    BENCH_READERS_LIST: '20',
    BENCH_RUNS: '1',
    BENCH_ENTRIES: '5',
    BENCH_RATE: '50',
    BENCH_WARMUP: '1',
    BENCH_READER_PROCESSES: '2',
  };
  const saved: Record<string, string | undefined> = {};
  let dir = '';

  beforeAll(() => {
    for (const [name, value] of Object.entries(overrides)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
    dir = mkdtempSync(path.join(tmpdir(), 'livebrief-bench-'));
  });

  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs fan-out against livebrief and the floor, every delivery checked, and writes a result file', async () => {
    const problems = await runSuite([fanout], { resultsDir: dir, log: () => undefined });
    expect(problems).toEqual([]);
    const result = resultSchema.parse(JSON.parse(readFileSync(path.join(dir, 'fanout-20.json'), 'utf8')) as unknown);
    expect(result).toMatchObject({ scenario: 'fanout-20', better: 'lower', floorName: 'bare Socket.IO room broadcast' });
    expect(result.livebrief).toBeGreaterThan(0);
    expect(result.floor).toBeGreaterThan(0);
    expect(result.runs).toHaveLength(1);
    const run = result.runs[0]?.details as Record<'livebrief' | 'floor', { figures: { delivery: Record<string, number> } }>;
    for (const target of ['livebrief', 'floor'] as const) {
      expect(run[target].figures.delivery).toEqual({
        expected: 5 * 20,
        lost: 0,
        duplicates: 0,
        outOfOrder: 0,
        beforeAck: 0,
        wrongEntry: 0,
      });
    }
    expect(renderTable([result])).toContain('| Fan-out, 20 readers |');
  });
});
