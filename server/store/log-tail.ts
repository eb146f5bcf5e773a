/**
 * The blocking read of many briefings' change logs on one Redis connection (XREAD BLOCK),
 * and its interruption when the set of logs to read changes.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** A log to read, after the position already delivered. */
export interface LogCursor {
  logKey: string;
  position: number;
}

/** What one read brought: per log key, its stream entries ([id, [field, value, …]]). */
export type LogReply = [logKey: string, items: [id: string, fields: string[]][]][];

/** Most stream entries one read returns per log. */
const READ_COUNT = 1000;

export class LogTail {
  private clientId: number | null = null;
  /** A token for the XREAD in flight, null between reads. */
  private readInFlight: object | null = null;

  /**
   * `blocking` carries the XREADs and nothing else; `control` sends CLIENT UNBLOCK to it.
   * `onReconnect` is called whenever `blocking` is ready again (Redis may have restarted).
   */
  constructor(
    private readonly blocking: Redis,
    private readonly control: Redis,
    private readonly logger: Logger,
    onReconnect: () => void,
  ) {
    blocking.on('ready', () => {
      this.clientId = null;
      onReconnect();
    });
  }

  /** Waits up to `blockMs` for entries after each cursor; null when none came. */
  async read(cursors: LogCursor[], blockMs: number): Promise<LogReply | null> {
    if (this.clientId === null) this.clientId = Number(await this.blocking.client('ID'));
    const read = {};
    this.readInFlight = read;
    try {
      return await this.blocking.xread(
        'COUNT',
        READ_COUNT,
        'BLOCK',
        blockMs,
        'STREAMS',
        ...cursors.map((cursor) => cursor.logKey),
        ...cursors.map((cursor) => `${cursor.position}-0`),
      );
    } finally {
      if (this.readInFlight === read) this.readInFlight = null;
    }
  }

  /**
   * Ends the XREAD in flight so the next one reads another set of logs. UNBLOCK reaches
   * only a client already blocked; one whose XREAD is sent but not yet blocking would miss
   * it, so it is tried again until that read has ended.
   */
  async interrupt(): Promise<void> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const read = this.readInFlight;
      const id = this.clientId;
      if (!read || id === null) return;
      try {
        const unblocked = Number(await this.control.client('UNBLOCK', id));
        if (unblocked === 1 || this.readInFlight !== read) return;
      } catch (error) {
        this.logger.debug({ err: error }, 'could not interrupt the log tail');
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}
