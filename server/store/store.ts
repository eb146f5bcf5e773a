/**
 * How briefings, entries and their change logs are kept in Redis. Every write goes
 * through one of the Lua scripts in scripts.ts; reads that must agree with a log
 * position read it in the same script.
 */
import { createHash, randomBytes } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';
import { AppError } from '../../shared/errors';
import { beforeCursorOf, parseBeforeCursor } from '../../shared/page-cursor';
import type { Briefing, BriefingMeta, Change, Entry } from '../../shared/schemas';
import { parseStoredEntry, storedEntryJson } from '../../shared/schemas';
import { nodeKeyOf, primariesOf, type RedisClient } from '../redis';
import { Keys } from './keys';
import { scriptCaller, scriptInputs, type ArgNames, type KeyNames, type NamedScript, type ScriptArg } from './scripting';
import { SCRIPTS, type HeadArg, type ScriptName } from './scripts';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** Optimistic writes retry this often under contention before giving up. */
const MAX_WRITE_ATTEMPTS = 20;

export interface Position {
  epoch: string;
  seq: number;
}

export interface Page extends Position {
  briefing: Briefing;
  entries: Entry[];
  pinned: Entry[];
  /** The `before` cursor of the following page, or null on the last one. */
  next: string | null;
}

/** What a cursor is answered: the changes after it, or that they are no longer kept (or never were). */
/** `tooFar`: the cursor is of this history but more than the replay limit behind its head. */
export type CatchUp =
  { kind: 'resume'; epoch: string; seq: number; changes: Change[] } | { kind: 'gone'; epoch: string; seq: number; tooFar: boolean };

export interface StoreOptions {
  /** Changes kept in each briefing's log. */
  historyLimit: number;
  /** Most changes one catch-up replays; a cursor further behind is answered `gone`. */
  replayLimit: number;
  /** Most versions one published entry keeps (its edits); one more edit is refused. */
  versionsPerEntry: number;
}

export type EntryStatus = 'published' | 'scheduled';

export interface StoredEntry {
  entry: Entry;
  status: EntryStatus;
  /** The stored JSON, which a later write must still find unchanged. */
  raw: string;
}

export function newEpoch(): string {
  return randomBytes(8).toString('hex');
}

/** Stream ids are "<seq>-0". */
export function seqOfStreamId(id: string): number {
  return Number.parseInt(id, 10);
}

type RedisReply = string | number | null | RedisReply[];

export class Store {
  readonly keys: Keys;

  constructor(
    readonly redis: RedisClient,
    prefix: string,
    private readonly options: StoreOptions,
  ) {
    this.keys = new Keys(prefix, { cluster: redis instanceof Cluster });
    this.call = scriptCaller<ScriptName, RedisReply>(redis, SCRIPTS);
    redis.on('ready', () => void this.readDurability());
    // A Cluster's primaries change (failover, a node added): read theirs again.
    if (redis instanceof Cluster) {
      redis.on('refresh', () => void this.readDurability());
      redis.on('+node', () => void this.readDurability());
    }
    if (redis.status === 'ready') void this.readDurability();
  }

  /**
   * The primaries (`host:port`; one Redis: '') that fsync every write before acknowledging
   * it, as last read (see trusted_epoch in scripts.ts).
   */
  private durableNodes = new Set<string>();

  /**
   * Reads each primary's durability settings, on every (re)connection: a history written
   * with `appendonly yes` and `appendfsync always` survives a restart of its primary, so its
   * epoch may stay. Where CONFIG is not allowed (some managed Redis), writes count as not durable.
   */
  private async readDurability(): Promise<void> {
    const durable = new Set<string>();
    await Promise.all(
      primariesOf(this.redis).map(async (node) => {
        try {
          const [, appendOnly] = (await node.config('GET', 'appendonly')) as string[];
          const [, appendFsync] = (await node.config('GET', 'appendfsync')) as string[];
          if (appendOnly === 'yes' && appendFsync === 'always') durable.add(this.redis instanceof Cluster ? nodeKeyOf(node) : '');
        } catch {
          // not durable, as far as this process can tell
        }
      }),
    );
    this.durableNodes = durable;
  }

  /** Whether the primary that runs the scripts of `slug` fsyncs every write: on a Cluster, the owner of its slot. */
  private durableFor(slug: string): boolean {
    if (!(this.redis instanceof Cluster)) return this.durableNodes.has('');
    const owner = this.redis.slots[calculateSlot(slug)]?.[0];
    return owner !== undefined && this.durableNodes.has(owner);
  }

  /**
   * Once at start: entries scheduled under the single-Redis layout of earlier versions (one
   * global set of "slug id") move into their briefings' own sets and the scheduler's index.
   * Each step can be repeated, so a start cut short just does it again.
   */
  async adoptLegacySchedule(): Promise<number> {
    if (this.redis instanceof Cluster) return 0;
    const legacy = await this.redis.zrange(this.keys.legacyScheduled, 0, -1, 'WITHSCORES');
    let adopted = 0;
    for (let i = 0; i + 1 < legacy.length; i += 2) {
      const member = legacy[i] as string;
      const [slug, id] = member.split(' ');
      if (slug && id) {
        const keys = this.keys.briefing(slug);
        if ((await this.run('adoptScheduled', keys, { id, publishMs: legacy[i + 1] as string })) === 1) {
          await this.indexScheduled(slug);
          adopted++;
        }
      }
      await this.redis.zrem(this.keys.legacyScheduled, member);
    }
    return adopted;
  }

  // ---------- briefings ----------

  async createBriefing(meta: BriefingMeta): Promise<Briefing> {
    const keys = this.keys.briefing(meta.slug);
    const epoch = newEpoch();
    const created = await this.run('createBriefing', keys, { ...this.headArgs(meta.slug, epoch), metaJson: JSON.stringify(meta) });
    if (created !== 1) {
      // A create whose listing was cut off (the list is another slot's key, written after
      // the briefing's script) is repaired by creating it again: the slug is listed now.
      const stored = await this.redis.get(keys.meta);
      if (stored) await this.redis.zadd(this.keys.briefings, 'NX', Date.parse((JSON.parse(stored) as BriefingMeta).createdAt), meta.slug);
      throw new AppError('conflict', `a briefing with the slug "${meta.slug}" already exists`);
    }
    await this.redis.zadd(this.keys.briefings, Date.parse(meta.createdAt), meta.slug);
    return { ...meta, epoch, seq: 0 };
  }

  async getBriefing(slug: string): Promise<Briefing> {
    const head = await this.head(slug);
    if (!head) throw notFound(slug);
    return head.briefing;
  }

  /** Every briefing, newest first. */
  async listBriefings(): Promise<Briefing[]> {
    return (await this.listBriefingsPage({ offset: 0, limit: -1 })).briefings;
  }

  /** One page of the briefings, newest first (`limit` -1: all from `offset`), and whether more follow. */
  async listBriefingsPage(page: { offset: number; limit: number }): Promise<{ briefings: Briefing[]; more: boolean }> {
    const stop = page.limit < 0 ? -1 : page.offset + page.limit;
    const slugs = await this.redis.zrevrange(this.keys.briefings, page.offset, stop);
    const more = page.limit >= 0 && slugs.length > page.limit;
    const heads = await Promise.all((more ? slugs.slice(0, page.limit) : slugs).map((slug) => this.head(slug)));
    return { briefings: heads.flatMap((head) => (head ? [head.briefing] : [])), more };
  }

  /** Read-modify-write of a briefing's metadata; `change` returns the new metadata. */
  async updateBriefing(slug: string, change: (current: BriefingMeta) => BriefingMeta): Promise<Briefing> {
    const keys = this.keys.briefing(slug);
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const raw = await this.redis.get(keys.meta);
      if (!raw) throw notFound(slug);
      const next = change(JSON.parse(raw) as BriefingMeta);
      const nextRaw = JSON.stringify(next);
      const before = JSON.parse(raw) as BriefingMeta;
      const coverage = before.status === next.status ? '' : next.status === 'ended' ? 'ended' : 'reopened';
      const reply = await this.run(
        'updateBriefing',
        { ...keys, endedAt: this.keys.endedAt(slug) },
        { ...this.headArgs(slug), oldMeta: raw, newMeta: nextRaw, coverage, updatedAt: next.updatedAt },
      );
      const [status, epoch, seq] = asTuple(reply);
      if (status === 'missing') throw notFound(slug);
      if (status === 'ok') return { ...next, epoch: String(epoch), seq: Number(seq) };
    }
    throw new AppError('conflict', 'the briefing is being changed by others right now; try again');
  }

  /**
   * When the coverage of an ended briefing ended; null while it is live. A briefing ended
   * before this was kept has none: its last update stands for it.
   */
  async coverageEnd(briefing: Briefing): Promise<string | null> {
    if (briefing.status !== 'ended') return null;
    return (await this.redis.get(this.keys.endedAt(briefing.slug))) ?? briefing.updatedAt;
  }

  // ---------- entries ----------

  /**
   * Stores a new entry and, unless it is scheduled, publishes it. Returns the JSON of the
   * response, which an Idempotency-Key replays unchanged.
   */
  async createEntry(
    entry: Entry,
    options: { scheduleAtMs?: number; idempotencyKey?: string },
  ): Promise<{ response: string; replayed: boolean }> {
    const keys = this.keys.briefing(entry.slug);
    const idempotencyKey = options.idempotencyKey
      ? this.keys.idempotency(entry.slug, createHash('sha256').update(options.idempotencyKey).digest('hex'))
      : this.keys.idempotency(entry.slug, '-');
    const scheduled = options.scheduleAtMs !== undefined;
    const reply = await this.run(
      'publishEntry',
      { ...keys, idempotency: idempotencyKey },
      {
        ...this.headArgs(entry.slug),
        entry: JSON.stringify(entry),
        id: entry.id,
        publishedMs: Date.parse(entry.publishedAt),
        pinned: entry.pinned ? 1 : 0,
        mode: scheduled ? 'schedule' : 'now',
        useIdempotency: options.idempotencyKey ? 1 : 0,
        idempotencyTtl: IDEMPOTENCY_TTL_SECONDS,
        keyEvent: entry.keyEvent ? 1 : 0,
        authorId: entry.author.id,
        byline: JSON.stringify(entry.author),
      },
    );
    const [status, response] = asTuple(reply);
    if (status === 'missing') throw notFound(entry.slug);
    if (scheduled && status === 'ok') await this.indexScheduled(entry.slug);
    return { response: String(response), replayed: status === 'replay' };
  }

  /**
   * The briefing's contributors: each author's byline as last published, in the order of
   * their names. Kept by the publishing scripts, so a briefing of any length costs one read.
   */
  async contributors(slug: string): Promise<Entry['author'][]> {
    const all = await this.redis.hvals(this.keys.briefing(slug).contributors);
    return all
      .flatMap((raw) => {
        try {
          const byline = JSON.parse(raw) as Entry['author'];
          return typeof byline.id === 'string' && typeof byline.name === 'string' ? [byline] : [];
        } catch {
          return [];
        }
      })
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async getEntry(slug: string, id: string): Promise<StoredEntry> {
    const keys = this.keys.briefing(slug);
    const [raw, status] = await this.redis
      .multi()
      .hget(keys.entries, id)
      .hget(keys.state, id)
      .exec()
      .then((results) => (results ?? []).map(([, value]) => value as string | null));
    if (!raw || (status !== 'published' && status !== 'scheduled')) {
      throw entryNotFound(slug, id);
    }
    return { entry: parseStoredEntry(raw), status, raw };
  }

  /**
   * Read-modify-write of one entry. `change` receives the stored entry and returns the
   * new one (or throws, e.g. for a stale If-Match); it runs again if another write won.
   */
  async updateEntry(slug: string, id: string, change: (current: Entry) => Entry): Promise<{ entry: Entry; epoch: string; seq: number }> {
    const keys = this.keys.briefing(slug);
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const stored = await this.getEntry(slug, id);
      const next = change(stored.entry);
      const reply = await this.run(
        'updateEntry',
        { ...keys, versions: this.keys.versions(slug, id) },
        {
          ...this.headArgs(slug),
          id,
          oldEntry: stored.raw,
          newEntry: JSON.stringify(next),
          pinned: next.pinned ? 1 : 0,
          publishedMs: Date.parse(next.publishedAt),
          maxVersions: this.options.versionsPerEntry,
          keyEvent: next.keyEvent ? 1 : 0,
        },
      );
      const [status, epoch, seq] = asTuple(reply);
      if (status === 'missing') throw entryNotFound(slug, id);
      if (status === 'full') {
        throw new AppError(
          'conflict',
          `entry "${id}" has ${this.options.versionsPerEntry} versions, the most one entry keeps; publish a new entry for further corrections`,
        );
      }
      if (status === 'ok') return { entry: next, epoch: String(epoch), seq: Number(seq) };
    }
    throw new AppError('conflict', 'the entry is being changed by others right now; try again');
  }

  async deleteEntry(slug: string, id: string): Promise<Position> {
    const keys = this.keys.briefing(slug);
    const reply = await this.run('deleteEntry', { ...keys, versions: this.keys.versions(slug, id) }, { ...this.headArgs(slug), id });
    const [status, epoch, seq] = asTuple(reply);
    if (status === 'missing') throw entryNotFound(slug, id);
    return { epoch: String(epoch), seq: Number(seq) };
  }

  /** The scheduled entries of a briefing, soonest first (for the console; never for readers). */
  async listScheduled(slug: string): Promise<Entry[]> {
    const keys = this.keys.briefing(slug);
    const states = await this.redis.hgetall(keys.state);
    const ids = Object.keys(states).filter((id) => states[id] === 'scheduled');
    if (ids.length === 0) return [];
    const raws = await this.redis.hmget(keys.entries, ...ids);
    return raws
      .filter((raw): raw is string => raw !== null)
      .map((raw) => parseStoredEntry(raw))
      .sort((a, b) => a.publishedAt.localeCompare(b.publishedAt));
  }

  /**
   * Every version of a published entry, oldest first, ending with the current one; null
   * when the entry is not published (unknown, deleted or still scheduled).
   */
  async listVersions(slug: string, id: string): Promise<Entry[] | null> {
    const keys = this.keys.briefing(slug);
    const [earlier, current, status] = await this.redis
      .multi()
      .lrange(this.keys.versions(slug, id), 0, -1)
      .hget(keys.entries, id)
      .hget(keys.state, id)
      .exec()
      .then((results) => (results ?? []).map(([, value]) => value as string[] | string | null));
    if (typeof current !== 'string' || status !== 'published') return null;
    const older = Array.isArray(earlier) ? earlier : [];
    return [...older, current].map((raw) => parseStoredEntry(raw));
  }

  /**
   * Publishes the scheduled entries that are due; returns how many this process published.
   * The index names the briefings to look at; each briefing's own set, taken from in its
   * script, decides what is due and who publishes it.
   */
  async publishDue(nowMs: number, batch = 50): Promise<number> {
    const slugs = await this.redis.zrangebyscore(this.keys.scheduledBriefings, '-inf', nowMs, 'LIMIT', 0, batch);
    let published = 0;
    for (const slug of slugs) {
      const keys = this.keys.briefing(slug);
      const due = await this.redis.zrangebyscore(keys.scheduled, '-inf', nowMs, 'LIMIT', 0, batch);
      for (const id of due) {
        const reply = await this.run('publishScheduled', keys, { ...this.headArgs(slug), id });
        if (asTuple(reply)[0] === 'ok') published++;
      }
      await this.reindexScheduled(slug);
    }
    return published;
  }

  /**
   * Rebuilds the scheduler's index from every briefing's own scheduled set, so that an index
   * write lost (a process stopped between a briefing's script and its index update) delays
   * a scheduled entry until the next rebuild but never loses it.
   */
  async rebuildScheduleIndex(): Promise<void> {
    const slugs = await this.redis.zrange(this.keys.briefings, 0, -1);
    for (const slug of slugs) await this.indexScheduled(slug);
  }

  /** Lists a briefing in the index at its soonest scheduled entry (ZADD LT: a concurrent sooner one wins). */
  private async indexScheduled(slug: string): Promise<void> {
    const [, soonest] = await this.redis.zrange(this.keys.briefing(slug).scheduled, 0, 0, 'WITHSCORES');
    if (soonest !== undefined) await this.redis.zadd(this.keys.scheduledBriefings, 'LT', soonest, slug);
  }

  /**
   * Takes a briefing out of the index, then lists it again if it still has scheduled
   * entries: an entry scheduled meanwhile is either seen by that second look or indexed by
   * its own writer after the removal, so none is left out.
   */
  private async reindexScheduled(slug: string): Promise<void> {
    await this.redis.zrem(this.keys.scheduledBriefings, slug);
    await this.indexScheduled(slug);
  }

  // ---------- reading with a log position ----------

  /** The newest `limit` key events of a briefing, newest first (the key-events index). */
  async keyEvents(slug: string, limit: number): Promise<Entry[]> {
    return (await this.readKeyEvents(slug, limit)).entries;
  }

  /** The key-events index with the position of the log it was read at. */
  async readKeyEvents(slug: string, limit: number): Promise<Position & { entries: Entry[] }> {
    const keys = this.keys.briefing(slug);
    const reply = await this.run('readKeyEvents', keys, { ...this.headArgs(slug), count: limit });
    const [status, epoch, seq, rawEntries] = asTuple(reply);
    if (status === 'missing') throw notFound(slug);
    return { epoch: String(epoch), seq: Number(seq), entries: jsonStrings(rawEntries).map((json) => parseStoredEntry(json)) };
  }

  /**
   * The `before` cursor of the page that begins with a published entry (null: it is on the
   * first page, the live one), or undefined when no such entry is published. Read in two
   * steps: an entry published or deleted in between moves the page by one at most.
   */
  async cursorBefore(slug: string, id: string, firstPageSize: number): Promise<string | null | undefined> {
    const published = this.keys.briefing(slug).published;
    const rank = await this.redis.zrevrank(published, id);
    if (rank === null) return undefined;
    if (rank < firstPageSize) return null;
    const [newerId, newerMs] = await this.redis.zrevrange(published, rank - 1, rank - 1, 'WITHSCORES');
    return newerId && newerMs ? `${newerMs}.${newerId}` : null;
  }

  async readPage(slug: string, options: { limit: number; before?: string | undefined; withPinned: boolean }): Promise<Page> {
    const raw = await this.readPageRaw(slug, options);
    const entries = raw.entries.map((json) => parseStoredEntry(json));
    const last = entries[entries.length - 1];
    return {
      epoch: raw.epoch,
      seq: raw.seq,
      briefing: composeBriefing(raw.meta, raw.epoch, raw.seq),
      entries,
      pinned: raw.pinned.map((json) => parseStoredEntry(json)),
      next: raw.hasMore && last ? beforeCursorOf(last) : null,
    };
  }

  /**
   * The API's page of entries, `{ entries, epoch, seq, next }`, as JSON text: the stored
   * entries are JSON already, so only the last one is parsed (for the cursor). Readers'
   * most frequent request then costs no parse and no re-serialization per entry.
   */
  async readEntriesJson(slug: string, options: { limit: number; before?: string | undefined }): Promise<string> {
    const raw = await this.readPageRaw(slug, { ...options, withPinned: false });
    const lastJson = raw.entries[raw.entries.length - 1];
    const next = raw.hasMore && lastJson ? beforeCursorOf(parseStoredEntry(lastJson)) : null;
    return `{"entries":[${raw.entries.map(storedEntryJson).join(',')}],"epoch":${JSON.stringify(raw.epoch)},"seq":${raw.seq},"next":${JSON.stringify(next)}}`;
  }

  private async readPageRaw(
    slug: string,
    options: { limit: number; before?: string | undefined; withPinned: boolean },
  ): Promise<{ meta: string; epoch: string; seq: number; entries: string[]; pinned: string[]; hasMore: boolean }> {
    const keys = this.keys.briefing(slug);
    const cursor = parseBeforeCursor(options.before);
    const reply = await this.run('readPage', keys, {
      ...this.headArgs(slug),
      count: options.limit + 1,
      beforeId: cursor?.id ?? '',
      beforeMs: cursor?.ms ?? 0,
      withPinned: options.withPinned ? 1 : 0,
    });
    const [status, meta, epoch, seq, rawEntries, rawPinned] = asTuple(reply);
    if (status === 'missing') throw notFound(slug);
    const entries = jsonStrings(rawEntries);
    return {
      meta: String(meta),
      epoch: String(epoch),
      seq: Number(seq),
      entries: entries.slice(0, options.limit),
      pinned: jsonStrings(rawPinned),
      hasMore: entries.length > options.limit,
    };
  }

  /**
   * The one rule for a cursor: the changes after it when `since` is of the current history,
   * no further ahead than the head and no more than the replay limit behind it, with all of
   * them still kept; otherwise `gone` (the reader needs a snapshot).
   */
  async changesSince(slug: string, since: { epoch?: string | undefined; seq: number }): Promise<CatchUp> {
    const keys = this.keys.briefing(slug);
    const reply = await this.run('readLog', keys, {
      ...this.headArgs(slug),
      since: since.seq,
      firstWanted: `${since.seq + 1}-0`,
      most: this.options.replayLimit,
    });
    const [status, epochReply, seqReply, firstId, rawChanges] = asTuple(reply);
    if (status === 'missing') throw notFound(slug);
    const epoch = String(epochReply);
    const seq = Number(seqReply);
    const firstKept = firstId ? seqOfStreamId(String(firstId)) : null;
    const otherHistory = (since.epoch !== undefined && since.epoch !== epoch) || since.seq > seq;
    const tooFar = !otherHistory && seq - since.seq > this.options.replayLimit;
    const gone = otherHistory || tooFar || (since.seq < seq && (firstKept === null || firstKept > since.seq + 1));
    if (gone) return { kind: 'gone', epoch, seq, tooFar };
    try {
      const changes = Array.isArray(rawChanges) ? rawChanges.map((item) => decodeStreamEntry(slug, epoch, item)) : [];
      return { kind: 'resume', epoch, seq, changes };
    } catch (error) {
      if (error instanceof AppError && error.code === 'gone') return { kind: 'gone', epoch, seq, tooFar: false };
      throw error;
    }
  }

  /**
   * The position of a briefing's head, with the briefing as of it (a new epoch first, if
   * its history cannot be vouched for), or null when it does not exist.
   */
  async head(slug: string): Promise<(Position & { briefing: Briefing }) | null> {
    const reply = await this.run('readHead', this.keys.briefing(slug), this.headArgs(slug));
    const [status, epochReply, seqReply, meta] = asTuple(reply);
    if (status === 'missing') return null;
    const epoch = String(epochReply);
    const seq = Number(seqReply);
    return { epoch, seq, briefing: composeBriefing(String(meta), epoch, seq) };
  }

  /** Replaces a lost history with a new epoch; returns the position after the announcement. */
  async rotateEpoch(slug: string, expectedEpoch: string): Promise<Position | null> {
    const reply = await this.run('rotateEpoch', this.keys.briefing(slug), { ...this.headArgs(slug), expectedEpoch });
    const [status, epoch, seq] = asTuple(reply);
    if (status === 'missing') return null;
    if (status === 'changed') return { epoch: String(epoch), seq: -1 };
    return { epoch: String(epoch), seq: Number(seq) };
  }

  /** Writes (or deletes, with '') a hash field only if it still holds `expected`; see compareAndSetField. */
  async compareAndSetField(hash: string, revision: string, field: string, expected: string, next: string): Promise<boolean> {
    return (await this.run('compareAndSetField', { hash, revision }, { field, expected, nextJson: next })) === 1;
  }

  logKey(slug: string): string {
    return this.keys.briefing(slug).log;
  }

  /**
   * The arguments every script on a briefing's head starts with: a candidate epoch, the time
   * of the change, the history limit, whether the primary owning the briefing fsyncs every write.
   */
  private headArgs(slug: string, candidateEpoch: string = newEpoch()): Record<HeadArg, ScriptArg> {
    return {
      candidateEpoch,
      at: new Date().toISOString(),
      historyLimit: this.options.historyLimit,
      durableWrites: this.durableFor(slug) ? 1 : 0,
    };
  }

  private readonly call: (name: ScriptName, ...keysThenArgs: ScriptArg[]) => Promise<RedisReply>;

  /** Runs a script with its inputs by name (a briefing's keys may be passed whole: the script takes the ones it names). */
  private run<Name extends ScriptName>(
    name: Name,
    keys: Readonly<Record<KeyNames<(typeof SCRIPTS)[Name]>, string>>,
    args: Readonly<Record<ArgNames<(typeof SCRIPTS)[Name]>, ScriptArg>>,
  ): Promise<RedisReply> {
    const script: NamedScript<string, string> = SCRIPTS[name];
    return this.call(name, ...scriptInputs(script, keys as Readonly<Record<string, string>>, args as Readonly<Record<string, ScriptArg>>));
  }
}

// ---------- decoding ----------

function notFound(slug: string): AppError {
  return new AppError('not_found', `no briefing "${slug}"`);
}

function entryNotFound(slug: string, id: string): AppError {
  return new AppError('not_found', `no entry "${id}" in briefing "${slug}"`);
}

function asTuple(reply: RedisReply): RedisReply[] {
  return Array.isArray(reply) ? reply : [reply];
}

function jsonStrings(raw: RedisReply | undefined): string[] {
  return Array.isArray(raw) ? raw.filter((item): item is string => typeof item === 'string') : [];
}

function composeBriefing(metaJson: string, epoch: string, seq: number): Briefing {
  return { ...(JSON.parse(metaJson) as BriefingMeta), epoch, seq };
}

/** Turns one stream entry, [id, [field, value, …]], into the Change readers receive. */
export function decodeStreamEntry(slug: string, epoch: string, item: RedisReply): Change {
  const [id, fields] = Array.isArray(item) ? item : [];
  const values = new Map<string, string>();
  if (Array.isArray(fields)) {
    for (let i = 0; i + 1 < fields.length; i += 2) values.set(String(fields[i]), String(fields[i + 1]));
  }
  const seq = seqOfStreamId(String(id));
  // Changes written before the log carried its epoch belong to the briefing's current one.
  epoch = values.get('e') ?? epoch;
  const type = values.get('t');
  const data = values.get('d') ?? '';
  const head = { slug, epoch, seq, at: values.get('a') ?? '' };
  try {
    switch (type) {
      case 'entry.published':
      case 'entry.updated':
        return { ...head, type, entry: parseStoredEntry(data) };
      case 'entry.deleted':
        return { ...head, type, id: data };
      case 'briefing.updated':
        return { ...head, type, briefing: composeBriefing(data, epoch, seq) };
      default:
        throw new Error(`unknown change type ${String(type)}`);
    }
  } catch (error) {
    // Only a damaged log gets here: its history cannot be replayed, as if it were gone.
    throw new AppError(
      'gone',
      `the change log of "${slug}" cannot be read at ${seq} (${error instanceof Error ? error.message : 'unreadable'}); reload the briefing`,
    );
  }
}
