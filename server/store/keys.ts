/**
 * The Redis key layout. Every key starts with the configured prefix; a briefing's keys
 * share a `{slug}` hash tag so they would live in one slot.
 *
 *   briefings              ZSET  slug -> created ms (the list of briefings)
 *   scheduled              ZSET  "slug id" -> publish ms (entries waiting for their time)
 *   tokens                 HASH  token id -> token record JSON (secret stored as a hash)
 *   b:{slug}:meta          STRING briefing JSON without epoch and seq
 *   b:{slug}:epoch         STRING the id of the current history
 *   b:{slug}:seq           STRING the last seq given out in that history
 *   b:{slug}:log           STREAM the change log; entry id "<seq>-0", fields t, a, d
 *   b:{slug}:entries       HASH  entry id -> entry JSON (as readers see it)
 *   b:{slug}:state         HASH  entry id -> published | scheduled
 *   b:{slug}:published     ZSET  entry id -> published ms (newest first by ZREVRANGE)
 *   b:{slug}:pinned        ZSET  entry id -> published ms, published pinned entries only
 *   b:{slug}:idem:<hash>   STRING first response to an Idempotency-Key, 24 h
 */
export interface BriefingKeys {
  meta: string;
  epoch: string;
  seq: string;
  log: string;
  entries: string;
  state: string;
  published: string;
  pinned: string;
}

export class Keys {
  constructor(readonly prefix: string) {}

  get briefings(): string {
    return `${this.prefix}briefings`;
  }

  get scheduled(): string {
    return `${this.prefix}scheduled`;
  }

  get tokens(): string {
    return `${this.prefix}tokens`;
  }

  briefing(slug: string): BriefingKeys {
    const base = `${this.prefix}b:{${slug}}:`;
    return {
      meta: `${base}meta`,
      epoch: `${base}epoch`,
      seq: `${base}seq`,
      log: `${base}log`,
      entries: `${base}entries`,
      state: `${base}state`,
      published: `${base}published`,
      pinned: `${base}pinned`,
    };
  }

  idempotency(slug: string, keyHash: string): string {
    return `${this.prefix}b:{${slug}}:idem:${keyHash}`;
  }

  /** The member of `scheduled` for one entry; slugs never contain a space. */
  scheduledMember(slug: string, id: string): string {
    return `${slug} ${id}`;
  }
}
