/**
 * Benchmark readers: socket.io-client connections that subscribe to one briefing and
 * timestamp every `change` the moment its handler runs, keyed by seq. They also check
 * the contract's delivery guarantee (after the ack: seq + 1, + 2 … once each, in order,
 * nothing before the ack), so a fast but wrong server cannot pass as a good result.
 * They run in reader threads (reader-worker.ts), away from the publisher's event loop.
 */
import type { SubscribeAck } from '../shared/schemas';
import { connectReader, type ReaderClient } from '../tests/support/harness';
import type { Clock } from './clock';
import type { LoopDelay } from './protocol';

export interface Arrival {
  /** Clock time when the change event was handled. */
  at: number;
  /** The entry id carried by the change (null for changes without an entry). */
  entryId: string | null;
}

export interface DeliveryProblems {
  /** A change for the slug before the subscribe ack. */
  beforeAck: number;
  /** The same seq twice. */
  duplicates: number;
  /** A seq other than the one expected next (a gap or a reordering). */
  outOfOrder: number;
}

/** The sum of several readers' (or reader groups') delivery problems. */
export function sumProblems(all: readonly DeliveryProblems[]): DeliveryProblems {
  const sum = { beforeAck: 0, duplicates: 0, outOfOrder: 0 };
  for (const problems of all) {
    sum.beforeAck += problems.beforeAck;
    sum.duplicates += problems.duplicates;
    sum.outOfOrder += problems.outOfOrder;
  }
  return sum;
}

/** The worst of several event loops' delays, figure by figure. */
export function worstLoopDelay(all: readonly LoopDelay[]): LoopDelay {
  return {
    p50: Math.max(...all.map((delay) => delay.p50)),
    p99: Math.max(...all.map((delay) => delay.p99)),
    max: Math.max(...all.map((delay) => delay.max)),
  };
}

export class TimedReader {
  readonly arrivals = new Map<number, Arrival>();
  readonly problems: DeliveryProblems = { beforeAck: 0, duplicates: 0, outOfOrder: 0 };
  /** The seq of the subscribe ack, or null before it. */
  ackSeq: number | null = null;
  /** The highest seq received so far (the ack's seq before any change). */
  highest = 0;
  private expectedNext = 0;

  constructor(
    readonly socket: ReaderClient,
    readonly slug: string,
    private readonly clock: Clock,
  ) {
    socket.on('change', (change) => {
      const at = this.clock();
      if (change.slug !== this.slug) return;
      if (this.ackSeq === null) {
        this.problems.beforeAck++;
        return;
      }
      if (this.arrivals.has(change.seq)) {
        this.problems.duplicates++;
        return;
      }
      if (change.seq !== this.expectedNext) this.problems.outOfOrder++;
      this.expectedNext = change.seq + 1;
      if (change.seq > this.highest) this.highest = change.seq;
      this.arrivals.set(change.seq, { at, entryId: 'entry' in change ? change.entry.id : null });
    });
  }

  /** Subscribes without a cursor (a snapshot ack); resolves with the ack. */
  async subscribe(timeoutMs: number): Promise<SubscribeAck> {
    return new Promise<SubscribeAck>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no subscribe ack for ${this.slug} within ${timeoutMs} ms`)), timeoutMs);
      this.socket.emit('subscribe', { slug: this.slug }, (ack) => {
        clearTimeout(timer);
        if (ack.ok) {
          // Taken in before anything else runs: the changes after the ack may follow in the same tick.
          this.ackSeq = ack.seq;
          this.expectedNext = ack.seq + 1;
          this.highest = ack.seq;
        }
        resolve(ack);
      });
    });
  }

  close(): void {
    this.socket.disconnect();
  }
}

export interface OpenedReaders {
  readers: TimedReader[];
  /** Per reader: ms from starting the connection to `connect`. */
  connectMs: number[];
  /** Per reader: ms from emitting `subscribe` to its ack. */
  subscribeMs: number[];
}

/**
 * Connects `count` readers (websocket transport), `batch` at a time, then subscribes all
 * of them at once. Fails if any connection or subscription fails.
 */
export async function openReaders(
  url: string,
  slug: string,
  count: number,
  options: { batch: number; timeoutMs: number; clock: Clock },
): Promise<OpenedReaders> {
  const { batch, timeoutMs, clock } = options;
  const readers: TimedReader[] = [];
  const connectMs: number[] = [];
  for (let first = 0; first < count; first += batch) {
    const size = Math.min(batch, count - first);
    const sockets = await Promise.all(
      Array.from({ length: size }, async () => {
        const started = clock();
        const socket = await connectReader(url, { transports: ['websocket'] });
        connectMs.push(clock() - started);
        return socket;
      }),
    );
    for (const socket of sockets) readers.push(new TimedReader(socket, slug, clock));
  }
  const subscribeMs = await Promise.all(
    readers.map(async (reader) => {
      const started = clock();
      const ack = await reader.subscribe(timeoutMs);
      if (!ack.ok) throw new Error(`subscribe refused: ${ack.error.code}: ${ack.error.message}`);
      return clock() - started;
    }),
  );
  return { readers, connectMs, subscribeMs };
}
