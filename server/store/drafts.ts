/**
 * Drafts and contributors' submissions. They live beside a briefing but never in what
 * readers see: no change log entry, no seq. Every write is a compare-and-set, so two
 * editors acting on one submission cannot both win, and every write that decides
 * something (a save, an approval) names the version its author saw. Keys: see keys.ts.
 */
import { randomBytes } from 'node:crypto';
import type { Draft, DraftConflictBody, DraftFields, DraftKind } from '../../shared/console';
import { AppError } from '../../shared/errors';
import { scriptCaller } from './scripting';
import type { Store } from './store';

/**
 * One draft written only if it still holds what the caller read (or, for a new one, is
 * absent and its author is under the cap); the author's index and the queue revision move
 * with it. KEYS: drafts hash, queue revision, the author's index.
 * ARGV: id, expected JSON ('' = absent), next JSON ('' = delete), cap (0 = none).
 * Returns 1 written, 0 stale, -1 the author is at the cap.
 */
const WRITE_DRAFT = {
  numberOfKeys: 3,
  lua: `
local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if current ~= ARGV[2] then return 0 end
local cap = tonumber(ARGV[4])
if current == '' and cap > 0 and redis.call('SCARD', KEYS[3]) >= cap then return -1 end
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('SREM', KEYS[3], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  redis.call('SADD', KEYS[3], ARGV[1])
end
redis.call('INCR', KEYS[2])
return 1
`,
};
type WriteDraft = (
  drafts: string,
  revision: string,
  byAuthor: string,
  id: string,
  expected: string,
  next: string,
  cap: number,
) => Promise<number>;

/**
 * 412 for a draft that changed since its editor saw it: the answer carries both versions,
 * the number the editor saw and the draft as it is now, so the console can show them.
 */
export class StaleDraftError extends AppError {
  constructor(
    readonly seenVersion: number,
    readonly current: Draft,
  ) {
    super(
      'stale_version',
      `If-Match: the draft is at version ${current.version}, not version ${seenVersion} that you saw; review it again`,
    );
  }

  override toBody(): DraftConflictBody {
    return { error: { code: 'stale_version', message: this.message }, seenVersion: this.seenVersion, draft: this.current };
  }
}

export class DraftStore {
  private readonly writeDraft: WriteDraft;

  constructor(
    private readonly store: Store,
    /** Drafts one author may keep in one briefing. */
    private readonly perAuthor: number,
  ) {
    const call = scriptCaller<'livebriefWriteDraft', number>(store.redis, { livebriefWriteDraft: WRITE_DRAFT });
    this.writeDraft = (...args) => call('livebriefWriteDraft', ...args);
  }

  async list(slug: string): Promise<Draft[]> {
    const all = await this.store.redis.hvals(this.store.keys.drafts(slug));
    return all.map((raw) => JSON.parse(raw) as Draft).sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  async get(slug: string, id: string): Promise<{ draft: Draft; raw: string }> {
    const raw = await this.store.redis.hget(this.store.keys.drafts(slug), id);
    if (!raw) throw new AppError('not_found', `no draft "${id}" in briefing "${slug}"`);
    return { draft: JSON.parse(raw) as Draft, raw };
  }

  /** A new draft; 409 when its author already keeps the most drafts allowed in the briefing. */
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
    const written = await this.run(draft, '', JSON.stringify(draft), this.perAuthor);
    if (written === -1) {
      throw new AppError(
        'conflict',
        `drafts: you keep ${this.perAuthor} drafts and submissions in this briefing, the most allowed; publish or discard some first`,
      );
    }
    if (written !== 1) throw new AppError('conflict', `draft "${draft.id}" exists already`);
    return draft;
  }

  /**
   * Read-modify-write of one draft at the version its editor saw (`seenVersion`; undefined
   * only for decisions that do not depend on the text, e.g. sending it back). `change` may
   * throw (a missing permission). A write that lost a race is answered with 412 rather than
   * retried, since the other write was a person's decision.
   */
  async update(slug: string, id: string, seenVersion: number | undefined, change: (current: Draft) => Draft): Promise<Draft> {
    const { draft, raw } = await this.get(slug, id);
    const next = { ...change(draft), version: draft.version + 1, updatedAt: new Date().toISOString() };
    if (seenVersion !== undefined && seenVersion !== draft.version) throw new StaleDraftError(seenVersion, draft);
    if ((await this.run(draft, raw, JSON.stringify(next), 0)) !== 1) await this.throwStale(slug, id, seenVersion ?? draft.version);
    return next;
  }

  /** Removes a draft if it is still the one `raw` describes; false if it changed or went meanwhile. */
  async removeIfUnchanged(draft: Draft, raw: string): Promise<boolean> {
    return (await this.run(draft, raw, '', 0)) === 1;
  }

  /** Removes a draft if it is still the one `raw` describes; 412 (or 404) otherwise. */
  async remove(draft: Draft, raw: string): Promise<void> {
    if (!(await this.removeIfUnchanged(draft, raw))) await this.throwStale(draft.slug, draft.id, draft.version);
  }

  /** The draft changed (412 with both versions) or was removed (404) since `seenVersion`. */
  async throwStale(slug: string, id: string, seenVersion: number): Promise<never> {
    const { draft } = await this.get(slug, id);
    throw new StaleDraftError(seenVersion, draft);
  }

  private run(draft: Pick<Draft, 'id' | 'slug' | 'author'>, expected: string, next: string, cap: number): Promise<number> {
    const keys = this.store.keys;
    const drafts = keys.drafts(draft.slug);
    return this.writeDraft(
      drafts,
      keys.queueRevision(draft.slug),
      keys.draftsBy(draft.slug, draft.author.id),
      draft.id,
      expected,
      next,
      cap,
    );
  }

  /** A number that changes whenever a draft of the briefing does. */
  async revision(slugs: string[]): Promise<Map<string, string>> {
    if (slugs.length === 0) return new Map();
    // One GET each: the briefings' keys are in different slots on a Cluster (pipelined all the same).
    const values = await Promise.all(slugs.map((slug) => this.store.redis.get(this.store.keys.queueRevision(slug))));
    return new Map(slugs.map((slug, index) => [slug, values[index] ?? '0']));
  }
}
