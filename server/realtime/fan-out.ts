/**
 * The live delivery of one briefing's changes to the sockets that follow it.
 *
 * Writing a change to thousands of sockets is tens of milliseconds of synchronous work: done
 * at once, it holds back every HTTP answer and Redis reply that lands meanwhile (an editor's
 * 201 among them). So each change is queued, encoded once (one WebSocket frame in the frame
 * log, shared by every socket), and written slice by slice, yielding to the event loop
 * between slices.
 *
 * Each member keeps its own place in the queue, which makes the deferred writes exact: a
 * socket that joins is placed after everything already queued (the hub sent it those changes
 * directly), one that leaves is written nothing more, and one visited late is written every
 * change it lacks at once, in order. Every write keeps the socket's own packet order: it goes
 * through engine.io, or straight to the socket's ws sender when engine.io holds nothing for it.
 */
import { performance } from 'node:perf_hooks';
import type { Server } from 'socket.io';
import type { Change } from '../../shared/schemas';
import type { ReaderSocket } from './feed';
import { FrameLog, type FrameSpan } from './frame-log';

export interface FanOutSettings {
  /** Most sockets written to before yielding to the event loop (tests make it small to force many slices). */
  sliceSize: number;
  /** Longest stretch of writing before yielding, ms: what an HTTP answer or a Redis reply may wait behind a fan-out at each step. */
  sliceMs: number;
}

/**
 * A write costs 5-15 µs a socket, more for a follower sent several changes at once: a time
 * budget keeps the wait behind a slice the same whatever the machine or the backlog. An
 * editor's publish takes a few event-loop turns (request, Redis reply), each of which may
 * wait behind one slice.
 */
export const DEFAULT_FAN_OUT: FanOutSettings = { sliceSize: 1024, sliceMs: 0.3 };

/**
 * A follower whose socket still has bytes to send is passed over, up to this many changes
 * behind, and gets them later in one write: writing into a full socket only queues them in
 * memory (allocations, garbage, and more system calls when it drains) while other work,
 * an editor's 201 among it, waits. Past that it is written again, so the slow-consumer
 * limit (LIVEBRIEF_SLOW_CONSUMER_BYTES) still sees a reader that stopped reading.
 */
const MOST_CHANGES_DEFERRED = 64;
/** How soon a pass that found only followers still busy sending is tried again, ms. */
const BUSY_RETRY_MS = 10;

/** What a socket is told to do once a queued item reaches it. */
export type Then = 'follow' | 'let-go' | 'close';

/** One change as engine.io writes it: the Socket.IO packet(s), and the WebSocket frame built once for every socket. */
interface EncodedChange {
  packets: string[];
  /** Where its frame is in the log; null when engine.io must build the frames itself (compression, several packets). */
  frame: FrameSpan | null;
}

interface QueuedItem {
  /** Position in this fan-out's queue: consecutive, never reset (epochs do not matter here). */
  number: number;
  change: EncodedChange | null;
  then: Then;
}

interface Member {
  readonly socket: ReaderSocket;
  /** The number of the last item this socket has been written (or was sent otherwise). */
  cursor: number;
}

/** Whom a queued 'let-go' or 'close' is carried out by: the hub owns the subscriptions. */
export type MemberAction = (socket: ReaderSocket, then: Exclude<Then, 'follow'>) => void;

export class FanOut {
  /** Number of the last item queued. */
  private queued = 0;
  /** The items some member may still lack, consecutive, ending at `queued`. */
  private queue: QueuedItem[] = [];
  /** In join order; a Map's iteration visits members added during a pass, and skips those removed. */
  private readonly members = new Map<ReaderSocket, Member>();
  private pass: { members: IterableIterator<Member>; from: number; lowest: number; deferred: number } | null = null;
  private scheduled = false;
  /** The retry of a pass that found only busy followers; a new change cancels it and starts one at once. */
  private retry: NodeJS.Timeout | null = null;
  private readonly frames = new FrameLog();

  constructor(
    private readonly encoder: Server['encoder'],
    private readonly settings: FanOutSettings,
    private readonly act: MemberAction,
    /** engine.io writes a pre-encoded frame as is (no per-message compression): frames may then be joined. */
    private readonly framesAsIs: boolean,
  ) {}

  sockets(): IterableIterator<ReaderSocket> {
    return this.members.keys();
  }

  /** Adds a socket that has been sent (directly) everything queued so far. */
  join(socket: ReaderSocket): void {
    this.members.delete(socket);
    this.members.set(socket, { socket, cursor: this.queued });
  }

  /** Nothing more is written to the socket, queued or not. */
  leave(socket: ReaderSocket): void {
    this.members.delete(socket);
  }

  /** Queues a change for every member; `then` follows it at each of them. */
  send(change: Change, then: Then = 'follow'): void {
    this.enqueue(this.members.size > 0 ? this.encode(change) : null, then);
  }

  /** Closes every member's connection after what is queued for it. */
  closeAll(): void {
    this.enqueue(null, 'close');
  }

  private enqueue(change: EncodedChange | null, then: Then): void {
    this.queued++;
    // A socket that joins later is placed after this item: with no member, nobody needs it.
    if (this.members.size === 0) return;
    this.queue.push({ number: this.queued, change, then });
    if (this.retry) {
      clearTimeout(this.retry);
      this.retry = null;
      setImmediate(this.writeSlice);
    } else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.writeSlice);
    }
  }

  private encode(change: Change): EncodedChange {
    // The packet Socket.IO would send for emit('change', change), by its own encoder.
    const packets = this.encoder.encode({ type: 2, nsp: '/', data: ['change', change] }) as unknown[];
    if (!packets.every((packet): packet is string => typeof packet === 'string')) throw new Error('a change encoded to binary');
    const [only] = packets;
    // engine.io's own frame for a packet is `4` (message) and the packet, over a WebSocket.
    return { packets, frame: this.framesAsIs && packets.length === 1 && only !== undefined ? this.frames.append(`4${only}`) : null };
  }

  private readonly writeSlice = (): void => {
    this.scheduled = false;
    this.pass ??= { members: this.members.values(), from: this.queued, lowest: this.queued, deferred: 0 };
    const pass = this.pass;
    const deadline = performance.now() + this.settings.sliceMs;
    for (let visited = 0; visited < this.settings.sliceSize && (visited === 0 || performance.now() < deadline); visited++) {
      const next = pass.members.next();
      if (next.done) {
        this.pass = null;
        break;
      }
      if (this.deferred(next.value)) {
        pass.deferred++;
        pass.lowest = Math.min(pass.lowest, next.value.cursor);
      } else {
        this.catchUp(next.value);
      }
    }
    if (this.pass === null) {
      // Every member is now at least where the queue stood when this pass began (members
      // joining meanwhile were placed later still), or where it was passed over: older items
      // are no longer needed.
      const drop = this.queue.findIndex((item) => item.number > Math.min(pass.from, pass.lowest));
      this.queue = drop === -1 ? [] : this.queue.slice(drop);
      this.frames.release(this.queue.find((item) => item.change?.frame)?.change?.frame?.from ?? Number.POSITIVE_INFINITY);
      // Items queued during the pass reached only the members visited after them.
      if (this.queue.length === 0 || this.members.size === 0) {
        this.queue = [];
        return;
      }
      if (pass.deferred > 0 && this.queued === pass.from) {
        // Only followers still busy sending lack anything: look again shortly, not at once.
        this.scheduled = true;
        this.retry = setTimeout(() => {
          this.retry = null;
          this.writeSlice();
        }, BUSY_RETRY_MS);
        return;
      }
    }
    this.scheduled = true;
    setImmediate(this.writeSlice);
  };

  /** The member lacks something but its socket is still sending: it waits for a later pass. */
  private deferred(member: Member): boolean {
    const behind = this.queued - member.cursor;
    return behind > 0 && behind < MOST_CHANGES_DEFERRED && unsentBytes(member.socket) > 0;
  }

  /**
   * Writes the member every queued item it lacks, in order. Over a WebSocket, several frames
   * go as one write, a slice of the frame log: a socket write (a system call) is most of what
   * a change costs per reader, so a fan-out that falls behind catches up with fewer of them
   * instead of falling further.
   */
  private catchUp(member: Member): void {
    if (member.cursor >= this.queued) return;
    const first = this.queue[0]?.number ?? this.queued + 1;
    const connection = member.socket.conn;
    const start = Math.max(0, member.cursor + 1 - first);
    // The run ends at the first item after which the member stops following.
    let end = start;
    let joinable = this.framesAsIs && connection.transport.name === 'websocket';
    // Consecutive frames are consecutive in the log: the run's bytes are from its first frame's start to its last one's end.
    let runFrom = -1;
    let runTo = -1;
    for (; ; end++) {
      const item = this.queue[end];
      const frame = item?.change?.frame;
      if (item?.change && !frame) joinable = false;
      if (frame) {
        if (runFrom < 0) runFrom = frame.from;
        runTo = frame.to;
      }
      if (!item || item.then !== 'follow' || end === this.queue.length - 1) break;
    }
    const last = this.queue[end];
    if (!last) return;
    if (end > start && joinable) {
      if (runFrom >= 0) {
        const frames = this.frames.slice(runFrom, runTo);
        writeChange(connection, frames, [frames]);
      }
    } else {
      for (let index = start; index <= end; index++) {
        const change = this.queue[index]?.change;
        if (change) writeChange(connection, change.frame && this.frames.slice(change.frame.from, change.frame.to), change.packets);
      }
    }
    member.cursor = last.number;
    if (last.then !== 'follow') {
      this.members.delete(member.socket);
      this.act(member.socket, last.then);
    }
  }
}

type EngineSocket = ReaderSocket['conn'];

/** Bytes queued for a connection and not yet taken by the network: engine.io's buffer plus the WebSocket's. */
export function unsentBytes(socket: ReaderSocket): number {
  const connection = socket.conn as unknown as {
    writeBuffer?: { data?: unknown }[];
    transport?: { socket?: { bufferedAmount?: number } };
  };
  let bytes = connection.transport?.socket?.bufferedAmount ?? 0;
  for (const packet of connection.writeBuffer ?? []) {
    const data = packet.data;
    bytes += typeof data === 'string' ? data.length : data instanceof Uint8Array ? data.byteLength : 0;
  }
  return bytes;
}

/** engine.io's WebSocket transport as far as a direct write needs it: these members are not in its types. */
interface WebSocketTransport {
  name: string;
  perMessageDeflate?: unknown;
  socket?: { _sender?: { sendFrame?: (frames: Buffer[]) => void } };
}

/**
 * Writes a change to one follower. Over a plain WebSocket with nothing waiting in engine.io's
 * own buffer, the frame goes straight to the socket's ws sender, as engine.io itself would
 * send it, without the packet object, events and callback engine.io makes per packet: at
 * thousands of sockets a change those are most of the garbage, and young-generation pauses
 * are what an editor's 201 waits behind. Anything engine.io holds goes first, so the direct
 * write is taken only when it holds nothing: what it sent is already in ws, ahead of this.
 */
function writeChange(connection: EngineSocket, frame: Buffer | null, packets: readonly (string | Buffer)[]): void {
  const transport = connection.transport as unknown as WebSocketTransport;
  const sendFrame = transport.socket?._sender?.sendFrame;
  const direct =
    frame !== null &&
    connection.readyState === 'open' &&
    !connection.upgrading &&
    transport.name === 'websocket' &&
    !transport.perMessageDeflate &&
    typeof sendFrame === 'function' &&
    (connection as unknown as { writeBuffer: unknown[] }).writeBuffer.length === 0;
  if (direct) {
    sendFrame.call(transport.socket?._sender, [frame]);
    return;
  }
  // engine.io takes the frame as is over a WebSocket without compression, and the packets over any other transport.
  const options: { compress?: boolean; wsPreEncodedFrame?: Buffer[] } = frame ? { wsPreEncodedFrame: [frame] } : {};
  for (const packet of packets) connection.write(packet, options);
}
