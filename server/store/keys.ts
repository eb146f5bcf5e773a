/**
 * The Redis key layout. Every key starts with the configured prefix; a briefing's keys
 * share a `{slug}` hash tag so they would live in one slot.
 *
 *   briefings              ZSET  slug -> created ms (the list of briefings); written after the
 *                                briefing's own script, and again by a create of an existing slug (repair)
 *   scheduled-briefings    ZSET  slug -> the soonest publish ms of its scheduled entries, or earlier (the
 *                                scheduler's index; a hint, rebuilt from each briefing's `scheduled` set)
 *   scheduled              ZSET  "slug id" -> publish ms: the single-Redis layout before the per-briefing
 *                                sets, moved into them once at start (see Store.adoptLegacySchedule)
 *   b:{slug}:meta          STRING briefing JSON without epoch and seq
 *   b:{slug}:epoch         STRING the id of the current history
 *   b:{slug}:seq           STRING the last seq given out in that history
 *   b:{slug}:log           STREAM the change log; entry id "<seq>-0", fields t (type), a (at), e (epoch), d (data)
 *   b:{slug}:lineage       STRING run_id of the Redis process that wrote the history; another one cannot vouch for it
 *   b:{slug}:ended-at      STRING when coverage ended (ISO), set by the update that ends it, gone once it is live again;
 *                                kept out of the briefing JSON, whose public shape the contract fixes
 *   b:{slug}:scheduled     ZSET  entry id -> publish ms (its entries waiting for their time; the ZREM that takes one decides who publishes it)
 *   b:{slug}:entries       HASH  entry id -> entry JSON (as readers see it)
 *   b:{slug}:state         HASH  entry id -> published | scheduled
 *   b:{slug}:published     ZSET  entry id -> published ms (newest first by ZREVRANGE)
 *   b:{slug}:pinned        ZSET  entry id -> published ms, published pinned entries only
 *   b:{slug}:key-events    ZSET  entry id -> published ms, published key events only (the key-events index)
 *   b:{slug}:contributors  HASH  author id -> that author's byline JSON as last published (the page's contributors),
 *                                written by the scripts that publish an entry
 *   b:{slug}:key-events-built STRING set once the index covers every entry: by createBriefing, or (a briefing from before the index) by its first read
 *   b:{slug}:idem:<hash>   STRING first response to an Idempotency-Key, 24 h
 *   b:{slug}:versions:<id> LIST  the earlier versions of a published entry, oldest first
 *                                (written by the updateEntry script, so no edit loses one)
 *   b:{slug}:drafts        HASH  draft id -> draft JSON (drafts and submissions; never public, no seq)
 *   b:{slug}:drafts:by:<author id>  SET  that author's draft ids, written with the drafts hash (the per-author cap)
 *   b:{slug}:presence      HASH  user id -> console presence JSON with its expiry ms
 *   b:{slug}:queue-rev     STRING bumped on every draft change, so consoles on every process notice
 *   b:{slug}:readers       HASH  process id -> "<reader subscriptions>:<ms when counted>", rewritten every few seconds by each process
 *   b:{slug}:webhook:<id>:cursor STRING JSON: the last change of this briefing delivered to that endpoint (epoch, seq), and its retry state
 *   b:{slug}:webhook:<id>:lease  STRING the process delivering to that endpoint for this briefing now (SET NX PX, renewed)
 *
 * Webhooks (never part of a briefing):
 *
 *   webhooks               HASH  endpoint id -> endpoint JSON (with its secret: deliveries are signed with it)
 *   webhook:<id>:deliveries LIST delivery log of one endpoint, newest first, capped
 *
 * The console's accounts and the API tokens (never part of a briefing). On a Redis Cluster
 * they share the hash tag `{accounts}` (`<prefix>{accounts}:users` …), so the scripts that
 * write several of them stay atomic; on one Redis they keep the names they always had, so
 * existing deployments find their users:
 *
 *   tokens                 HASH  token id -> token record JSON (secret stored as a hash)
 *   users                  HASH  user id -> user record JSON (password as an argon2id hash)
 *   usernames              HASH  username -> user id
 *   session:<digest>       STRING session JSON, expiring; the cookie holds the secret, Redis only its SHA-256
 *   user-sessions:<id>     SET   that user's session digests, to end them all at once
 *   setup:<digest>         STRING a one-time first-run setup link (the key holds the token's SHA-256), expiring
 *   setup-claim            STRING taken (SET NX, 60 s) by the setup request that creates the first admin
 *   audit                  STREAM who did what when: one record per write, capped
 *   rl:<limiter>:<key>     rate-limiter-flexible counters (failed logins per account and per IP)
 */
export interface BriefingKeys {
  meta: string;
  epoch: string;
  seq: string;
  log: string;
  lineage: string;
  entries: string;
  state: string;
  published: string;
  pinned: string;
  keyEvents: string;
  keyEventsBuilt: string;
  scheduled: string;
  contributors: string;
}

export interface KeysOptions {
  /** True on a Redis Cluster: the accounts' keys then share one hash tag. Default false. */
  cluster?: boolean;
}

export class Keys {
  /** Where the accounts' keys begin. */
  private readonly accounts: string;

  constructor(
    readonly prefix: string,
    options: KeysOptions = {},
  ) {
    this.accounts = options.cluster ? `${prefix}{accounts}:` : prefix;
  }

  get briefings(): string {
    return `${this.prefix}briefings`;
  }

  /** The scheduler's index: briefings with scheduled entries, by when the soonest is due. */
  get scheduledBriefings(): string {
    return `${this.prefix}scheduled-briefings`;
  }

  /** The single-Redis scheduled set of earlier versions ("slug id" members), adopted at start. */
  get legacyScheduled(): string {
    return `${this.prefix}scheduled`;
  }

  get tokens(): string {
    return `${this.accounts}tokens`;
  }

  briefing(slug: string): BriefingKeys {
    const base = `${this.prefix}b:{${slug}}:`;
    return {
      meta: `${base}meta`,
      epoch: `${base}epoch`,
      seq: `${base}seq`,
      log: `${base}log`,
      lineage: `${base}lineage`,
      entries: `${base}entries`,
      state: `${base}state`,
      published: `${base}published`,
      pinned: `${base}pinned`,
      keyEvents: `${base}key-events`,
      keyEventsBuilt: `${base}key-events-built`,
      scheduled: `${base}scheduled`,
      contributors: `${base}contributors`,
    };
  }

  idempotency(slug: string, keyHash: string): string {
    return `${this.prefix}b:{${slug}}:idem:${keyHash}`;
  }

  endedAt(slug: string): string {
    return `${this.prefix}b:{${slug}}:ended-at`;
  }

  versions(slug: string, id: string): string {
    return `${this.prefix}b:{${slug}}:versions:${id}`;
  }

  drafts(slug: string): string {
    return `${this.prefix}b:{${slug}}:drafts`;
  }

  draftsBy(slug: string, authorId: string): string {
    return `${this.drafts(slug)}:by:${authorId}`;
  }

  presence(slug: string): string {
    return `${this.prefix}b:{${slug}}:presence`;
  }

  readers(slug: string): string {
    return `${this.prefix}b:{${slug}}:readers`;
  }

  webhookCursor(slug: string, webhookId: string): string {
    return `${this.prefix}b:{${slug}}:webhook:${webhookId}:cursor`;
  }

  webhookLease(slug: string, webhookId: string): string {
    return `${this.prefix}b:{${slug}}:webhook:${webhookId}:lease`;
  }

  get webhooks(): string {
    return `${this.prefix}webhooks`;
  }

  webhookDeliveries(webhookId: string): string {
    return `${this.prefix}webhook:${webhookId}:deliveries`;
  }

  queueRevision(slug: string): string {
    return `${this.prefix}b:{${slug}}:queue-rev`;
  }

  get users(): string {
    return `${this.accounts}users`;
  }

  get usernames(): string {
    return `${this.accounts}usernames`;
  }

  session(digest: string): string {
    return `${this.accounts}session:${digest}`;
  }

  userSessions(userId: string): string {
    return `${this.accounts}user-sessions:${userId}`;
  }

  setup(digest: string): string {
    return `${this.accounts}setup:${digest}`;
  }

  /** Held for a minute by the one setup request that creates the first admin. */
  get setupClaim(): string {
    return `${this.accounts}setup-claim`;
  }

  get audit(): string {
    return `${this.accounts}audit`;
  }

  /** The key prefix handed to rate-limiter-flexible for one limiter (each of its keys stands alone). */
  rateLimit(limiter: string): string {
    return `${this.prefix}rl:${limiter}`;
  }
}
