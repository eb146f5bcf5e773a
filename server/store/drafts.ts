/**
 * Drafts and contributors' submissions. They live beside a briefing but never in what
 * readers see: no change log entry, no seq. Every write is a compare-and-set, so two
 * editors acting on one submission cannot both win.
 */
import { randomBytes } from 'node:crypto';
import type { Draft, DraftFields, DraftKind } from '../../shared/console';
import { AppError } from '../../shared/errors';
import type { Store } from './store';

export class DraftStore {
  constructor(private readonly store: Store) {}

  async list(slug: string): Promise<Draft[]> {
    const all = await this.store.redis.hvals(this.store.keys.drafts(slug));
    return all.map((raw) => JSON.parse(raw) as Draft).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  async get(slug: string, id: string): Promise<{ draft: Draft; raw: string }> {
    const raw = await this.store.redis.hget(this.store.keys.drafts(slug), id);
    if (!raw) throw new AppError('not_found', `no draft "${id}" in briefing "${slug}"`);
    return { draft: JSON.parse(raw) as Draft, raw };
  }

  async create(slug: string, kind: DraftKind, fields: DraftFields, author: { id: string; name: string }): Promise<Draft> {
    const now = new Date().toISOString();
    const draft: Draft = {
      id: `d${Date.now().toString(36)}${randomBytes(5).toString('hex')}`,
      slug,
      kind,
      version: 1,
      author,
      fields,
      note: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.write(slug, draft.id, '', JSON.stringify(draft));
    return draft;
  }

  /**
   * Read-modify-write of one draft. `change` may throw (a stale version, a missing
   * permission); a write that lost a race is answered with 412 rather than retried, since
   * the other write was a person's decision.
   */
  async update(slug: string, id: string, change: (current: Draft) => Draft): Promise<Draft> {
    const { draft, raw } = await this.get(slug, id);
    const next = { ...change(draft), version: draft.version + 1, updatedAt: new Date().toISOString() };
    await this.write(slug, id, raw, JSON.stringify(next));
    return next;
  }

  /** Removes a draft if it is still the one `raw` describes. */
  async remove(slug: string, id: string, raw: string): Promise<void> {
    await this.write(slug, id, raw, '');
  }

  private async write(slug: string, id: string, expected: string, next: string): Promise<void> {
    const keys = this.store.keys;
    const written = await this.store.compareAndSetField(keys.drafts(slug), keys.queueRevision(slug), id, expected, next);
    if (!written) {
      throw new AppError('stale_version', `draft "${id}" was changed or removed by someone else meanwhile; reload it`);
    }
  }

  /** A number that changes whenever a draft of the briefing does. */
  async revision(slugs: string[]): Promise<Map<string, string>> {
    if (slugs.length === 0) return new Map();
    const values = await this.store.redis.mget(...slugs.map((slug) => this.store.keys.queueRevision(slug)));
    return new Map(slugs.map((slug, index) => [slug, values[index] ?? '0']));
  }
}
