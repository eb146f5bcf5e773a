/**
 * Lua scripts: each write to a briefing's public state and the append to its change log
 * happen in one atomic step, so the log and the stored state can never disagree. Each
 * names its inputs (namedScript: the order of KEYS and ARGV is written once, beside the
 * script, and each input is a Lua local of its name); the store passes them by name.
 * Every script's keys are one briefing's, which share its hash tag: one slot on a Cluster.
 */

/**
 * Shared Lua helpers, in every script that writes a briefing's log or hands out a position
 * in it (headScript). Such a script's inputs begin with the five keys of the briefing's head
 * and the four head arguments (candidate epoch, time of the change, history limit, whether
 * the Redis running it fsyncs every write: 1/0); its own inputs follow.
 */
const PRELUDE = `

local function append(epoch, change_type, data)
  local seq = redis.call('INCR', seq_key)
  redis.call('XADD', log_key, 'MAXLEN', history_limit, seq .. '-0', 't', change_type, 'a', at, 'e', epoch, 'd', data)
  return seq
end

local function current_seq()
  return tonumber(redis.call('GET', seq_key) or '0')
end

local function server_run_id()
  return string.match(redis.call('INFO', 'server'), 'run_id:(%x+)')
end

-- Who vouches for a history: the run_id of the Redis process that wrote it, marked
-- ':always' when that Redis fsynced every write before acknowledging it.
local function lineage_stamp(run_id)
  if durable_writes == '1' then return run_id .. ':always' end
  return run_id
end

-- The epoch this briefing's history is written and read under. A history is vouched for
-- by the Redis process that wrote it. After a restart from older data, a failover to a
-- replica that lagged, or a wipe, acknowledged changes may be gone, so a new epoch starts,
-- announced as its seq 1, before any position is written or handed out. The one restart
-- trusted is that of a primary (never a promoted replica) whose writer fsynced every
-- write: it comes back with all it acknowledged. Call it once the briefing is known to exist.
local function trusted_epoch()
  local run_id = server_run_id()
  local epoch = redis.call('GET', epoch_key)
  local lineage = redis.call('GET', lineage_key)
  if epoch and lineage then
    local trusted = string.match(lineage, '^(%x+)') == run_id
    if not trusted and string.sub(lineage, -7) == ':always' then
      -- a replica promoted to primary keeps the old primary's replication id as its second one
      trusted = string.find(redis.call('INFO', 'replication'), 'master_replid2:' .. string.rep('0', 40), 1, true) ~= nil
    end
    if trusted then
      if lineage ~= lineage_stamp(run_id) then redis.call('SET', lineage_key, lineage_stamp(run_id)) end
      return epoch
    end
  end
  redis.call('SET', epoch_key, candidate_epoch)
  redis.call('SET', seq_key, 0)
  redis.call('DEL', log_key)
  redis.call('SET', lineage_key, lineage_stamp(run_id))
  append(candidate_epoch, 'briefing.updated', redis.call('GET', meta_key))
  return candidate_epoch
end
`;

import { namedScript, type NamedScript } from './scripting';

/** The keys of a briefing's head, named as in BriefingKeys (see PRELUDE). */
export const HEAD_KEYS = ['meta', 'epoch', 'seq', 'log', 'lineage'] as const;
/** The arguments every script on a briefing's head starts with (see PRELUDE). */
export const HEAD_ARGS = ['candidateEpoch', 'at', 'historyLimit', 'durableWrites'] as const;

type HeadKey = (typeof HEAD_KEYS)[number];
export type HeadArg = (typeof HEAD_ARGS)[number];

/** A script on a briefing's head: its own named inputs after the head's, PRELUDE before its body. */
function headScript<const Key extends string, const Arg extends string>(
  keys: readonly Key[],
  args: readonly Arg[],
  body: string,
): NamedScript<HeadKey | Key, HeadArg | Arg> {
  return namedScript([...HEAD_KEYS, ...keys], [...HEAD_ARGS, ...args], `${PRELUDE}\n${body}`);
}

/**
 * Keys: head, key events built. Args: head, meta JSON.
 * The new history is stamped with this Redis's run_id: it vouches for it from the start.
 * The list of briefings is another slot's key: the store adds the slug to it afterwards.
 */
const createBriefing = headScript(
  ['keyEventsBuilt'],
  ['metaJson'],
  `
if redis.call('EXISTS', meta_key) == 1 then return 0 end
redis.call('SET', meta_key, meta_json)
redis.call('SET', epoch_key, candidate_epoch)
redis.call('SET', seq_key, 0)
redis.call('DEL', log_key)
redis.call('SET', lineage_key, lineage_stamp(server_run_id()))
-- key events index: a new briefing's is complete from the start (nothing to build on a read)
redis.call('SET', key_events_built_key, '1')
return 1
`,
);

/**
 * Keys: head, ended-at. Args: head, old meta JSON, new meta JSON, coverage (ended/reopened/'':
 * what this update does to the status, told from the old meta it is checked against), the
 * new meta's updatedAt (the moment an ending ends the coverage).
 * Returns {'missing'} | {'stale'} | {'ok', epoch, seq}.
 */
const updateBriefing = headScript(
  ['endedAt'],
  ['oldMeta', 'newMeta', 'coverage', 'updatedAt'],
  `
local current = redis.call('GET', meta_key)
if not current then return {'missing'} end
if current ~= old_meta then return {'stale'} end
local epoch = trusted_epoch()
redis.call('SET', meta_key, new_meta)
if coverage == 'ended' then
  redis.call('SET', ended_at_key, updated_at)
elseif coverage == 'reopened' then
  redis.call('DEL', ended_at_key)
end
local seq = append(epoch, 'briefing.updated', new_meta)
return {'ok', epoch, seq}
`,
);

/**
 * Keys: head, entries, state, published, pinned, idempotency, the briefing's scheduled, key events, contributors.
 * Args: head, entry JSON, id, published ms, pinned (1/0), mode (now/schedule),
 *       use idempotency (1/0), idempotency ttl s, key event (1/0), author id, author's byline JSON.
 * Returns {'replay', response} | {'missing'} | {'ok', response}.
 */
const publishEntry = headScript(
  ['entries', 'state', 'published', 'pinned', 'idempotency', 'scheduled', 'keyEvents', 'contributors'],
  ['entry', 'id', 'publishedMs', 'pinned', 'mode', 'useIdempotency', 'idempotencyTtl', 'keyEvent', 'authorId', 'byline'],
  `
if use_idempotency == '1' then
  local prior = redis.call('GET', idempotency_key)
  if prior then return {'replay', prior} end
end
if redis.call('EXISTS', meta_key) == 0 then return {'missing'} end
local epoch = trusted_epoch()
redis.call('HSET', entries_key, id, entry)
local seq
if mode == 'now' then
  redis.call('HSET', state_key, id, 'published')
  redis.call('ZADD', published_key, published_ms, id)
  if pinned == '1' then redis.call('ZADD', pinned_key, published_ms, id) end
  -- key events index
  if key_event == '1' then redis.call('ZADD', key_events_key, published_ms, id) end
  -- contributors: the byline last published by each author
  redis.call('HSET', contributors_key, author_id, byline)
  seq = append(epoch, 'entry.published', entry)
else
  redis.call('HSET', state_key, id, 'scheduled')
  redis.call('ZADD', scheduled_key, published_ms, id)
  seq = current_seq()
end
local response = '{"entry":' .. entry .. ',"epoch":"' .. epoch .. '","seq":' .. seq .. '}'
if use_idempotency == '1' then redis.call('SET', idempotency_key, response, 'EX', idempotency_ttl) end
return {'ok', response}
`,
);

/**
 * Publishes one due scheduled entry; the ZREM from the briefing's scheduled set decides
 * which process does it, once.
 * Keys: head, entries, state, published, pinned, the briefing's scheduled, key events, contributors. Args: head, id.
 */
const publishScheduled = headScript(
  ['entries', 'state', 'published', 'pinned', 'scheduled', 'keyEvents', 'contributors'],
  ['id'],
  `
local score = redis.call('ZSCORE', scheduled_key, id)
if not score then return {'taken'} end
redis.call('ZREM', scheduled_key, id)
if redis.call('HGET', state_key, id) ~= 'scheduled' then return {'gone'} end
local json = redis.call('HGET', entries_key, id)
if (not json) or redis.call('EXISTS', meta_key) == 0 then return {'gone'} end
local epoch = trusted_epoch()
redis.call('HSET', state_key, id, 'published')
redis.call('ZADD', published_key, score, id)
local decoded = cjson.decode(json)
if decoded.pinned == true then redis.call('ZADD', pinned_key, score, id) end
-- key events index
if decoded.keyEvent == true then redis.call('ZADD', key_events_key, score, id) end
-- contributors: the byline last published by each author
if type(decoded.author) == 'table' and type(decoded.author.id) == 'string' then
  redis.call('HSET', contributors_key, decoded.author.id, cjson.encode(decoded.author))
end
local seq = append(epoch, 'entry.published', json)
return {'ok', seq}
`,
);

/**
 * A published entry's previous version goes to its versions list in the same step, so the
 * correction history can never miss an edit; an entry with a full list takes no more edits.
 * Keys: head, entries, state, pinned, versions, key events.
 * Args: head, id, old entry JSON, new entry JSON, pinned (1/0), published ms, most versions kept, key event (1/0).
 * Returns {'missing'} | {'stale'} | {'full'} | {'ok', epoch, seq}.
 */
const updateEntry = headScript(
  ['entries', 'state', 'pinned', 'versions', 'keyEvents'],
  ['id', 'oldEntry', 'newEntry', 'pinned', 'publishedMs', 'maxVersions', 'keyEvent'],
  `
local current = redis.call('HGET', entries_key, id)
if (not current) or redis.call('EXISTS', meta_key) == 0 then return {'missing'} end
if current ~= old_entry then return {'stale'} end
local published = redis.call('HGET', state_key, id) == 'published'
if published and redis.call('LLEN', versions_key) + 1 >= tonumber(max_versions) then return {'full'} end
local epoch = trusted_epoch()
redis.call('HSET', entries_key, id, new_entry)
local seq
if published then
  if pinned == '1' then
    redis.call('ZADD', pinned_key, published_ms, id)
  else
    redis.call('ZREM', pinned_key, id)
  end
  -- key events index
  if key_event == '1' then
    redis.call('ZADD', key_events_key, published_ms, id)
  else
    redis.call('ZREM', key_events_key, id)
  end
  redis.call('RPUSH', versions_key, old_entry)
  seq = append(epoch, 'entry.updated', new_entry)
else
  seq = current_seq()
end
return {'ok', epoch, seq}
`,
);

/**
 * Keys: head, entries, state, published, pinned, the briefing's scheduled, versions, key events.
 * Args: head, id.
 */
const deleteEntry = headScript(
  ['entries', 'state', 'published', 'pinned', 'scheduled', 'versions', 'keyEvents'],
  ['id'],
  `
local status = redis.call('HGET', state_key, id)
if (not status) or redis.call('EXISTS', meta_key) == 0 then return {'missing'} end
local epoch = trusted_epoch()
redis.call('HDEL', entries_key, id)
redis.call('HDEL', state_key, id)
redis.call('ZREM', published_key, id)
redis.call('ZREM', pinned_key, id)
redis.call('ZREM', scheduled_key, id)
redis.call('DEL', versions_key)
-- key events index
redis.call('ZREM', key_events_key, id)
local seq
if status == 'published' then
  seq = append(epoch, 'entry.deleted', id)
else
  seq = current_seq()
end
return {'ok', epoch, seq}
`,
);

/**
 * Reads a consistent page of published entries (and optionally every pinned one) with the
 * exact (epoch, seq) it belongs to.
 * Keys: head, entries, published, pinned.
 * Args: head, how many ids, before id ('' for the newest), before ms, with pinned (1/0).
 */
const readPage = headScript(
  ['entries', 'published', 'pinned'],
  ['count', 'beforeId', 'beforeMs', 'withPinned'],
  `
count = tonumber(count)

local function bytes_less(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

local meta = redis.call('GET', meta_key)
if not meta then return {'missing'} end
local epoch = trusted_epoch()
local ids
if before_id == '' then
  ids = redis.call('ZREVRANGE', published_key, 0, count - 1)
else
  local rank = redis.call('ZREVRANK', published_key, before_id)
  if rank then
    ids = redis.call('ZREVRANGE', published_key, rank + 1, rank + count)
  else
    -- the cursor entry is gone: continue after where it stood. Equal times are ordered
    -- by id (bytewise, descending), so first the ids below it at its time, then older ones.
    ids = {}
    for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', published_key, before_ms, before_ms)) do
      if #ids < count and bytes_less(id, before_id) then ids[#ids + 1] = id end
    end
    if #ids < count then
      local older = redis.call('ZREVRANGEBYSCORE', published_key, '(' .. before_ms, '-inf', 'LIMIT', 0, count - #ids)
      for _, id in ipairs(older) do ids[#ids + 1] = id end
    end
  end
end
local entries = {}
if #ids > 0 then entries = redis.call('HMGET', entries_key, unpack(ids)) end
local pinned = {}
if with_pinned == '1' then
  local pinned_ids = redis.call('ZREVRANGE', pinned_key, 0, -1)
  if #pinned_ids > 0 then pinned = redis.call('HMGET', entries_key, unpack(pinned_ids)) end
end
return {'ok', meta, epoch, current_seq(), entries, pinned}
`,
);

/**
 * The key-events index: the newest `count` key events (entry JSON, newest first) with the
 * position of the log they were read at. A briefing stored before the index existed gets
 * it built once from its published entries (marked built, so the writes alone keep it after).
 * Keys: head, entries, key events, state, published, key events built.
 * Args: head, count.
 * Returns {'missing'} | {'ok', epoch, seq, entries}.
 */
const readKeyEvents = headScript(
  ['entries', 'keyEvents', 'state', 'published', 'keyEventsBuilt'],
  ['count'],
  `
count = tonumber(count)
if redis.call('EXISTS', meta_key) == 0 then return {'missing'} end
local epoch = trusted_epoch()
if redis.call('EXISTS', key_events_built_key) == 0 then
  redis.call('DEL', key_events_key)
  local states = redis.call('HGETALL', state_key)
  for i = 1, #states, 2 do
    local id = states[i]
    local json = states[i + 1] == 'published' and redis.call('HGET', entries_key, id)
    local score = json and redis.call('ZSCORE', published_key, id)
    if score and cjson.decode(json).keyEvent == true then redis.call('ZADD', key_events_key, score, id) end
  end
  redis.call('SET', key_events_built_key, '1')
end
local ids = redis.call('ZREVRANGE', key_events_key, 0, count - 1)
local entries = {}
if #ids > 0 then entries = redis.call('HMGET', entries_key, unpack(ids)) end
return {'ok', epoch, current_seq(), entries}
`,
);

/**
 * The changes after a cursor, when it is no more than `most` behind the head.
 * Keys: head. Args: head, since, first stream id to return ("<since + 1>-0", formatted by
 * the caller: Lua would print a large seq as "1e+14"), most changes to return.
 * Returns {'missing'} | {'ok', epoch, seq, first kept stream id or '', changes after since
 * (none when more than `most`)}.
 */
const readLog = headScript(
  [],
  ['since', 'firstWanted', 'most'],
  `
since, most = tonumber(since), tonumber(most)
if redis.call('EXISTS', meta_key) == 0 then return {'missing'} end
local epoch = trusted_epoch()
local seq = current_seq()
local first = redis.call('XRANGE', log_key, '-', '+', 'COUNT', 1)
local first_id = ''
if #first > 0 then first_id = first[1][1] end
local changes = {}
if seq > since and seq - since <= most then changes = redis.call('XRANGE', log_key, first_wanted, '+', 'COUNT', most) end
return {'ok', epoch, seq, first_id, changes}
`,
);

/**
 * A briefing's metadata and the position of its head, starting a new epoch first when the
 * history cannot be vouched for. Keys: head. Args: head.
 * Returns {'missing'} | {'ok', epoch, seq, meta JSON}.
 */
const readHead = headScript(
  [],
  [],
  `
local meta = redis.call('GET', meta_key)
if not meta then return {'missing'} end
local epoch = trusted_epoch()
return {'ok', epoch, current_seq(), meta}
`,
);

/**
 * Starts a new history for a briefing whose log was found behind what a process had
 * already delivered, announcing it as the first change of the new epoch.
 * Keys: head. Args: head, expected epoch.
 */
const rotateEpoch = headScript(
  [],
  ['expectedEpoch'],
  `
if redis.call('EXISTS', meta_key) == 0 then return {'missing'} end
local epoch = redis.call('GET', epoch_key)
if epoch and epoch ~= expected_epoch then return {'changed', epoch} end
redis.call('DEL', lineage_key)
epoch = trusted_epoch()
return {'ok', epoch, current_seq()}
`,
);

/**
 * Compare-and-set of one hash field that readers never see (drafts), and a bump of a
 * revision counter so that consoles on every process notice the change.
 * Keys: hash, revision. Args: field, expected JSON ('' = must be absent), new JSON ('' = delete).
 * Returns 1 when written, 0 when the field was not as expected.
 */
const compareAndSetField = namedScript(
  ['hash', 'revision'],
  ['field', 'expected', 'nextJson'],
  `
local current = redis.call('HGET', hash_key, field) or ''
if current ~= expected then return 0 end
if next_json == '' then
  redis.call('HDEL', hash_key, field)
else
  redis.call('HSET', hash_key, field, next_json)
end
redis.call('INCR', revision_key)
return 1
`,
);

/**
 * Moves one entry of the single-Redis global scheduled set of earlier versions into its
 * briefing's own set, if it is still scheduled. Keys: state, the briefing's scheduled.
 * Args: id, publish ms. Returns 1 when adopted.
 */
const adoptScheduled = namedScript(
  ['state', 'scheduled'],
  ['id', 'publishMs'],
  `
if redis.call('HGET', state_key, id) ~= 'scheduled' then return 0 end
redis.call('ZADD', scheduled_key, 'NX', publish_ms, id)
return 1
`,
);

export const SCRIPTS = {
  adoptScheduled,
  compareAndSetField,
  createBriefing,
  updateBriefing,
  publishEntry,
  publishScheduled,
  updateEntry,
  deleteEntry,
  readPage,
  readKeyEvents,
  readLog,
  readHead,
  rotateEpoch,
} as const;

export type ScriptName = keyof typeof SCRIPTS;
