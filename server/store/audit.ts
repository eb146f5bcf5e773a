/** The audit log: who did what when, one record per write, in one capped Redis Stream. */
import type { RedisClient } from '../redis';
import type { AuditRecord } from '../../shared/console';
import type { Keys } from './keys';

/** Records kept; the oldest go first. */
const AUDIT_LIMIT = 100_000;

export class AuditLog {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
  ) {}

  async record(record: Omit<AuditRecord, 'id'>): Promise<void> {
    await this.redis.xadd(this.keys.audit, 'MAXLEN', '~', AUDIT_LIMIT, '*', 'r', JSON.stringify(record));
  }

  /** Newest first; `before` is the id of the last record of the previous page. */
  async list(options: { limit: number; before?: string | undefined }): Promise<{ records: AuditRecord[]; next: string | null }> {
    const end = options.before ? `(${options.before}` : '+';
    const items = await this.redis.xrevrange(this.keys.audit, end, '-', 'COUNT', options.limit + 1);
    const records = items.slice(0, options.limit).map(([id, fields]) => {
      const json = fields[fields.indexOf('r') + 1] ?? '{}';
      return { ...(JSON.parse(json) as Omit<AuditRecord, 'id'>), id };
    });
    const last = records[records.length - 1];
    return { records, next: items.length > options.limit && last ? last.id : null };
  }
}
