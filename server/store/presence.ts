/**
 * Who has a briefing open in the console, and which entry each is editing. One hash per
 * briefing, one field per console connection, each with its own expiry: a process that
 * dies leaves fields that simply age out.
 */
import type { RedisClient } from '../redis';
import type { PresentEditor } from '../../shared/console';
import type { Keys } from './keys';

interface PresenceRecord extends PresentEditor {
  until: number;
}

export class PresenceStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    /** How long a connection counts as present after its last heartbeat, in ms. */
    readonly ttlMs: number,
  ) {}

  async touch(slug: string, connectionId: string, editor: PresentEditor): Promise<void> {
    const record: PresenceRecord = { ...editor, until: Date.now() + this.ttlMs };
    await this.redis
      .multi()
      .hset(this.keys.presence(slug), connectionId, JSON.stringify(record))
      .pexpire(this.keys.presence(slug), this.ttlMs * 2)
      .exec();
  }

  async remove(slug: string, connectionId: string): Promise<void> {
    await this.redis.hdel(this.keys.presence(slug), connectionId);
  }

  /** One line per person (several tabs of one person merge), sorted by name. */
  async list(slug: string): Promise<PresentEditor[]> {
    const all = await this.redis.hgetall(this.keys.presence(slug));
    const now = Date.now();
    const expired: string[] = [];
    const byUser = new Map<string, PresentEditor>();
    for (const [field, raw] of Object.entries(all)) {
      const record = JSON.parse(raw) as PresenceRecord;
      if (record.until < now) {
        expired.push(field);
        continue;
      }
      const seen = byUser.get(record.userId);
      byUser.set(record.userId, {
        userId: record.userId,
        name: record.name,
        role: record.role,
        editing: record.editing ?? seen?.editing ?? null,
      });
    }
    if (expired.length > 0) await this.redis.hdel(this.keys.presence(slug), ...expired);
    return [...byUser.values()].sort((a, b) => a.name.localeCompare(b.name) || a.userId.localeCompare(b.userId));
  }
}
