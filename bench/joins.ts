/**
 * Join storm: how fast one server process takes in readers arriving all at once, as at
 * the start of a breaking story (snapshots, from the per-briefing cache) and after a
 * process died (resumes, from the recent changes in memory).
 *
 * Starts the real server as its own process with a unique REDIS_PREFIX, fills a briefing
 * with 60 entries, opens BENCH_JOINS websocket connections, then has them all subscribe
 * at once, first without a cursor (snapshot), then again with a cursor 10 changes back
 * (resume). Prints joins/s and the ack latency p50/p95/p99/max of each wave; exit 0 when
 * every ack was right. All traffic goes to 127.0.0.1; keys are deleted at the end.
 *
 *   BENCH_JOINS   connections (and subscriptions per wave)   default 1000 (10-5000)
 */
import { performance } from 'node:perf_hooks';
import type { SubscribeAck } from '../shared/schemas';
import {
  ADMIN_TOKEN,
  ApiClient,
  closeAll,
  connectReader,
  deletePrefix,
  DEFAULT_REDIS,
  spawnServer,
  uniquePrefix,
  type ReaderClient,
} from '../tests/support/harness';
import { formatNumber, summarize, type Summary } from './stats';

const joins = Math.min(5000, Math.max(10, Number(process.env.BENCH_JOINS ?? 1000) || 1000));
const SLUG = 'storm';

interface WaveResult {
  summary: Summary | null;
  perSecond: number;
  bad: number;
}

async function wave(sockets: ReaderClient[], since: { epoch: string; seq: number } | null): Promise<WaveResult> {
  const started = performance.now();
  const latencies: number[] = [];
  let bad = 0;
  await Promise.all(
    sockets.map(
      (socket) =>
        new Promise<void>((resolve) => {
          const sent = performance.now();
          socket.emit('subscribe', { slug: SLUG, ...(since ? { since } : {}) }, (ack: SubscribeAck) => {
            latencies.push(performance.now() - sent);
            const expected = since ? 'resume' : 'snapshot';
            if (!ack.ok || ack.mode !== expected) {
              bad++;
              if (bad === 1) console.error('unexpected ack', JSON.stringify(ack).slice(0, 300));
            }
            resolve();
          });
        }),
    ),
  );
  const elapsed = performance.now() - started;
  return { summary: summarize(latencies), perSecond: (sockets.length / elapsed) * 1000, bad };
}

async function main(): Promise<void> {
  const prefix = uniquePrefix();
  try {
    // Every simulated reader comes from 127.0.0.1: the per-address cap would refuse most of them.
    const server = await spawnServer({
      REDIS_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      LIVEBRIEF_CONNECTIONS_PER_ADDRESS: String(joins + 10),
    });
    const api = new ApiClient(server.url, ADMIN_TOKEN);
    const created = await api.post('/api/v1/briefings', { slug: SLUG, title: 'Join storm' });
    if (created.status !== 201) throw new Error(`could not create the briefing: ${created.status} ${JSON.stringify(created.body)}`);
    let last = { epoch: '', seq: 0 };
    for (let i = 0; i < 60; i++) {
      const published = await api.post<{ epoch: string; seq: number }>(`/api/v1/briefings/${SLUG}/entries`, {
        body: `Update ${i}: **officials** said the situation was developing, with more to follow.`,
        pinned: i === 0,
      });
      if (published.status !== 201) throw new Error(`could not publish: ${published.status}`);
      last = published.body;
    }
    const sockets: ReaderClient[] = [];
    for (let i = 0; i < joins; i += 100) {
      sockets.push(...(await Promise.all(Array.from({ length: Math.min(100, joins - i) }, () => connectReader(server.url)))));
    }
    const snapshots = await wave(sockets, null);
    const resumes = await wave(sockets, { epoch: last.epoch, seq: last.seq - 10 });
    const rows: [string, WaveResult][] = [
      ['snapshot joins', snapshots],
      ['resume joins', resumes],
    ];
    console.log(`join storm: ${joins} connections to one process, all subscribing at once`);
    for (const [name, result] of rows) {
      const s = result.summary;
      if (!s) continue;
      console.log(
        `${name.padEnd(15)} ${formatNumber(result.perSecond).padStart(8)} joins/s   ack ms p50 ${formatNumber(s.p50)}  p95 ${formatNumber(s.p95)}  p99 ${formatNumber(s.p99)}  max ${formatNumber(s.max)}   wrong acks ${result.bad}`,
      );
    }
    if (snapshots.bad + resumes.bad > 0) process.exitCode = 1;
  } finally {
    await closeAll();
    await deletePrefix(DEFAULT_REDIS, prefix);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
