/**
 * A benchmark reader that speaks Engine.IO v4 / Socket.IO v5 itself over one WebSocket
 * (raw-websocket.ts), so that thousands of them fit in a few load-generator processes: no
 * socket.io-client, no JSON parse of a `change` (its seq and entry id are read straight
 * from the frame's bytes, where they lie in the chunk read), one timestamp per chunk. Its
 * ledger checks the contract's delivery guarantee for every reader.
 *
 * The wire, as a server speaks it to `/socket.io/?EIO=4&transport=websocket`:
 *   server `0{"sid":…,"pingInterval":…}` (open) · client `40` (connect the default namespace)
 *   server `40{"sid":…}` · server `2` (ping), client `3` (pong)
 *   client `42<id>["subscribe",{…}]` · server `43<id>[ack]` · server `42["change",{…}]`
 */
import type { Clock } from '../clock';
import type { DeliveryProblems } from '../readers';
import { RawWebSocket } from './raw-websocket';

export interface Cursor {
  epoch: string;
  seq: number;
}

export interface AckSummary {
  ok: boolean;
  mode: string | null;
  epoch: string | null;
  seq: number | null;
  /** The ack as the server sent it (the JSON array's one element), for the floor to serve the same bytes. */
  json: string;
}

const CHANGE_PREFIX = Buffer.from('42["change",');
const SEQ_KEY = Buffer.from('"seq":');
const ENTRY_ID_KEY = Buffer.from('"entry":{"id":"');
const QUOTE = 0x22;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** FNV-1a over bytes: a compact stand-in for an entry id, compared with the published id's. */
export function hashBytes(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let hash = 0x811c9dc5;
  for (let index = start; index < end; index++) {
    hash ^= bytes[index] ?? 0;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function hashId(id: string): number {
  return hashBytes(Buffer.from(id));
}

function readInt(bytes: Buffer, start: number, end: number): number {
  let value = 0;
  let index = start;
  for (; index < end; index++) {
    const byte = bytes[index] ?? 0;
    if (byte < DIGIT_0 || byte > DIGIT_9) break;
    value = value * 10 + (byte - DIGIT_0);
  }
  return index === start ? Number.NaN : value;
}

/** What a `change` frame says, read without parsing it; null when the frame is not a change. */
export interface ChangeFields {
  slug: string | null;
  seq: number;
  /** hashBytes of the entry id, 0 for a change without an entry. */
  entryIdHash: number;
}

/** Whether bytes[at…] starts with `pattern`. A plain loop: the patterns are short, a native call costs more. */
function hasAt(bytes: Buffer, at: number, end: number, pattern: Buffer): boolean {
  if (end - at < pattern.length) return false;
  for (let index = 0; index < pattern.length; index++) if (bytes[at + index] !== pattern[index]) return false;
  return true;
}

/** Where `pattern` first is in bytes[from, end), or -1. */
function find(bytes: Buffer, pattern: Buffer, from: number, end: number): number {
  const at = bytes.indexOf(pattern, from);
  return at >= 0 && at + pattern.length <= end ? at : -1;
}

/**
 * Reads a `42["change",{…}]` packet, bytes[start, end). The change's own `seq` is the
 * packet's first `"seq":` (a briefing inside it comes later; a string value holds `\"`,
 * never a bare quote), its entry id follows `"entry":{"id":"`. The slug is checked by
 * comparing bytes; a packet that does not start with it is parsed to learn which slug it
 * is for.
 */
export function readChange(bytes: Buffer, start: number, end: number, slugPrefix: Buffer): ChangeFields | null {
  if (!hasAt(bytes, start, end, CHANGE_PREFIX)) return null;
  const bodyStart = start + CHANGE_PREFIX.length;
  let slug: string | null = null;
  if (!hasAt(bytes, bodyStart, end, slugPrefix)) {
    const parsed = JSON.parse(bytes.toString('utf8', start + 2, end)) as unknown;
    const change = Array.isArray(parsed) ? (parsed[1] as { slug?: unknown } | undefined) : undefined;
    slug = typeof change?.slug === 'string' ? change.slug : '';
  }
  const seqAt = find(bytes, SEQ_KEY, bodyStart, end);
  const seq = seqAt < 0 ? Number.NaN : readInt(bytes, seqAt + SEQ_KEY.length, end);
  const idAt = find(bytes, ENTRY_ID_KEY, bodyStart, end);
  let entryIdHash = 0;
  if (idAt >= 0) {
    const idStart = idAt + ENTRY_ID_KEY.length;
    const idEnd = bytes.indexOf(QUOTE, idStart);
    if (idEnd > idStart && idEnd < end) entryIdHash = hashBytes(bytes, idStart, idEnd);
  }
  return { slug, seq, entryIdHash };
}

/**
 * One reader's record of what it received: receive time and entry-id hash per seq, in
 * compact typed arrays indexed from its first ack's seq, and the guarantee's violations.
 */
export class DeliveryLedger {
  readonly problems: DeliveryProblems = { beforeAck: 0, duplicates: 0, outOfOrder: 0 };
  /** The first ack's seq: times[0] is for base + 1. Null before any ack. */
  base: number | null = null;
  /** The current subscription's ack seq, null while not subscribed. */
  ackSeq: number | null = null;
  epoch: string | null = null;
  /** The seq the guarantee says comes next. */
  next = 0;
  private times = new Float64Array(64).fill(Number.NaN);
  private idHashes = new Uint32Array(64);

  acked(epoch: string, seq: number): void {
    if (this.base === null || this.epoch !== epoch) {
      this.base = seq;
      this.times.fill(Number.NaN);
      this.idHashes.fill(0);
    }
    this.epoch = epoch;
    this.ackSeq = seq;
    this.next = seq + 1;
  }

  /** The subscription ended (connection dropped): what comes before the next ack breaks the guarantee. */
  unsubscribed(): void {
    this.ackSeq = null;
  }

  received(seq: number, at: number, entryIdHash: number): void {
    if (this.ackSeq === null || this.base === null) {
      this.problems.beforeAck++;
      return;
    }
    const index = seq - this.base - 1;
    if (!Number.isInteger(seq) || seq <= this.ackSeq || (index < this.times.length && !Number.isNaN(this.times[index] ?? Number.NaN))) {
      this.problems.duplicates++;
      return;
    }
    // A late seq counts once, and does not make the ones after it count too.
    if (seq !== this.next) this.problems.outOfOrder++;
    if (seq >= this.next) this.next = seq + 1;
    if (index >= this.times.length) this.grow(index + 1);
    this.times[index] = at;
    this.idHashes[index] = entryIdHash;
  }

  /** The cursor a resubscribe sends: the last seq received in order. */
  cursor(): Cursor | null {
    return this.epoch === null ? null : { epoch: this.epoch, seq: this.next - 1 };
  }

  /** Receive time of `seq` (NaN: never), and whether its entry id hash differs from `idHash` (0: not checked). */
  timeOf(seq: number): number {
    if (this.base === null) return Number.NaN;
    const index = seq - this.base - 1;
    return index >= 0 && index < this.times.length ? (this.times[index] ?? Number.NaN) : Number.NaN;
  }

  idHashOf(seq: number): number {
    if (this.base === null) return 0;
    const index = seq - this.base - 1;
    return index >= 0 && index < this.idHashes.length ? (this.idHashes[index] ?? 0) : 0;
  }

  private grow(length: number): void {
    let size = this.times.length;
    while (size < length) size *= 2;
    const times = new Float64Array(size).fill(Number.NaN);
    times.set(this.times);
    const idHashes = new Uint32Array(size);
    idHashes.set(this.idHashes);
    this.times = times;
    this.idHashes = idHashes;
  }
}

export interface SubscribeOutcome {
  /** Clock time the connection was started. */
  startedAt: number;
  /** Clock time the subscribe ack arrived. */
  ackAt: number;
  ack: AckSummary;
}

function parseAck(json: string): AckSummary {
  const parsed = JSON.parse(json) as { ok?: unknown; mode?: unknown; epoch?: unknown; seq?: unknown } | null;
  return {
    ok: parsed?.ok === true,
    mode: typeof parsed?.mode === 'string' ? parsed.mode : null,
    epoch: typeof parsed?.epoch === 'string' ? parsed.epoch : null,
    seq: typeof parsed?.seq === 'number' ? parsed.seq : null,
    json,
  };
}

export class EngineIoReader {
  readonly ledger = new DeliveryLedger();
  /** When set, every change frame's payload (the change's JSON) is kept, in arrival order. */
  readonly captured: string[] | null;
  /** How the connection last closed when drop() did not close it (the server or the network did), else null. */
  unexpectedClose: string | null = null;
  /** When capturing, the first ack's JSON (the snapshot the floor is to serve). */
  capturedAck: string | null = null;
  private socket: RawWebSocket | null = null;
  private readonly slugPrefix: Buffer;
  private nextAckId = 0;

  constructor(
    private readonly url: string,
    readonly slug: string,
    private readonly clock: Clock,
    options: { capture?: boolean } = {},
  ) {
    this.slugPrefix = Buffer.from(`{"slug":${JSON.stringify(slug)},`);
    this.captured = options.capture ? [] : null;
  }

  /** ws://host:port/socket.io/?EIO=4&transport=websocket for a server's http://host:port. */
  static socketUrl(base: string): string {
    const url = new URL('/socket.io/', base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = '?EIO=4&transport=websocket';
    return url.toString();
  }

  /**
   * Opens the connection, connects the namespace and subscribes (with `since`, or the
   * ledger's cursor when `resume`); resolves at the ack. Rejects on a refusal, a close or
   * after `timeoutMs`, and leaves no connection open then.
   */
  subscribe(timeoutMs: number, options: { resume?: boolean } = {}): Promise<SubscribeOutcome> {
    const since = options.resume ? this.ledger.cursor() : null;
    const startedAt = this.clock();
    const ackId = this.nextAckId++;
    const request = JSON.stringify(['subscribe', since ? { slug: this.slug, since } : { slug: this.slug }]);
    return new Promise<SubscribeOutcome>((resolve, reject) => {
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.drop();
        reject(error);
      };
      const timer = setTimeout(() => fail(new Error(`no subscribe ack within ${timeoutMs} ms`)), timeoutMs);
      const socket: RawWebSocket = new RawWebSocket(this.url, this.clock, {
        error: (error) => fail(error),
        close: (code, reason) => {
          this.ledger.unsubscribed();
          if (this.socket === socket) this.unexpectedClose = `code ${code}${reason.length > 0 ? ` (${reason})` : ''}`;
          fail(new Error('the connection closed before the subscribe ack'));
        },
        text: (data, start, end, at) => {
          const kind = data[start];
          if (kind === 0x34 /* 4: message */) {
            const packet = data[start + 1];
            if (packet === 0x32 /* 2: event */) {
              this.onEvent(data, start, end, at);
              return;
            }
            if (packet === 0x33 /* 3: ack */) {
              const open = data.indexOf(0x5b /* [ */, start + 2);
              if (open < 0 || open >= end || readInt(data, start + 2, end) !== ackId || settled) return;
              // `43<id>[ack]`: the array's one element.
              const ack = parseAck(data.toString('utf8', open + 1, end - 1));
              settled = true;
              clearTimeout(timer);
              if (ack.ok && ack.epoch !== null && ack.seq !== null) this.ledger.acked(ack.epoch, ack.seq);
              if (this.captured && this.capturedAck === null) this.capturedAck = ack.json;
              resolve({ startedAt, ackAt: at, ack });
              return;
            }
            if (packet === 0x30 /* 0: namespace connected */) {
              socket.send(`42${ackId}${request}`);
              return;
            }
            if (packet === 0x34 /* 4: connect error */) {
              fail(new Error(`connection refused: ${data.toString('utf8', start + 2, Math.min(end, start + 300))}`));
            }
            return;
          }
          if (kind === 0x32 /* 2: ping */) socket.send('3');
          else if (kind === 0x30 /* 0: open */) socket.send('40');
        },
      });
      this.socket = socket;
    });
  }

  /** Closes the connection; the ledger is kept for a resume. */
  drop(): void {
    const socket = this.socket;
    this.socket = null;
    this.ledger.unsubscribed();
    socket?.terminate();
  }

  get connected(): boolean {
    return this.socket?.isOpen ?? false;
  }

  private onEvent(bytes: Buffer, start: number, end: number, at: number): void {
    const change = readChange(bytes, start, end, this.slugPrefix);
    if (!change || (change.slug !== null && change.slug !== this.slug)) return;
    this.ledger.received(change.seq, at, change.entryIdHash);
    // `42["change",{…}]`: the change is everything between the event name and the closing bracket.
    this.captured?.push(bytes.toString('utf8', start + CHANGE_PREFIX.length, end - 1));
  }
}
