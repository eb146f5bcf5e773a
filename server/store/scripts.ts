/**
 * Lua scripts: each write to a briefing's public state and the append to its change log
 * happen in one atomic step, so the log and the stored state can never disagree.
 *
 * Common ARGV tail of the writing scripts: at (ISO time of the change), history limit,
 * candidate epoch (used only if the briefing has lost its epoch key).
 */

/** Shared Lua helpers, prepended to the scripts that write. */
const PRELUDE = `
local function epoch_of(epoch_key, seq_key, log_key, candidate)
  local epoch = redis.call('GET', epoch_key)
  if epoch then return epoch end
  -- the history is gone: start a new one rather than reuse numbers readers may hold
  redis.call('SET', epoch_key, candidate)
  redis.call('SET', seq_key, 0)
  redis.call('DEL', log_key)
  return candidate
end

local function append(seq_key, log_key, limit, change_type, at, data)
  local seq = redis.call('INCR', seq_key)
  redis.call('XADD', log_key, 'MAXLEN', limit, seq .. '-0', 't', change_type, 'a', at, 'd', data)
  return seq
end

local function current_seq(seq_key)
  return tonumber(redis.call('GET', seq_key) or '0')
end
`;

export interface ScriptDefinition {
  numberOfKeys: number;
  lua: string;
}

/** KEYS: meta, epoch, seq, log, briefings. ARGV: meta JSON, epoch, slug, created ms. */
const createBriefing: ScriptDefinition = {
  numberOfKeys: 5,
  lua: `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], 0)
redis.call('DEL', KEYS[4])
redis.call('ZADD', KEYS[5], ARGV[4], ARGV[3])
return 1
`,
};

/** KEYS: meta, epoch, seq, log. ARGV: old meta JSON, new meta JSON, at, limit, candidate epoch. */
const updateBriefing: ScriptDefinition = {
  numberOfKeys: 4,
  lua: `${PRELUDE}
local current = redis.call('GET', KEYS[1])
if not current then return {'missing'} end
if current ~= ARGV[1] then return {'stale'} end
redis.call('SET', KEYS[1], ARGV[2])
local epoch = epoch_of(KEYS[2], KEYS[3], KEYS[4], ARGV[5])
local seq = append(KEYS[3], KEYS[4], ARGV[4], 'briefing.updated', ARGV[3], ARGV[2])
return {'ok', epoch, seq}
`,
};

/**
 * KEYS: meta, epoch, seq, log, entries, state, published, pinned, idempotency, scheduled.
 * ARGV: entry JSON, id, published ms, pinned (1/0), at, limit, candidate epoch,
 *       mode (now/schedule), scheduled member, use idempotency (1/0), idempotency ttl s.
 * Returns {'replay', response} | {'missing'} | {'ok', response}.
 */
const publishEntry: ScriptDefinition = {
  numberOfKeys: 10,
  lua: `${PRELUDE}
if ARGV[10] == '1' then
  local prior = redis.call('GET', KEYS[9])
  if prior then return {'replay', prior} end
end
if redis.call('EXISTS', KEYS[1]) == 0 then return {'missing'} end
local epoch = epoch_of(KEYS[2], KEYS[3], KEYS[4], ARGV[7])
redis.call('HSET', KEYS[5], ARGV[2], ARGV[1])
local seq
if ARGV[8] == 'now' then
  redis.call('HSET', KEYS[6], ARGV[2], 'published')
  redis.call('ZADD', KEYS[7], ARGV[3], ARGV[2])
  if ARGV[4] == '1' then redis.call('ZADD', KEYS[8], ARGV[3], ARGV[2]) end
  seq = append(KEYS[3], KEYS[4], ARGV[6], 'entry.published', ARGV[5], ARGV[1])
else
  redis.call('HSET', KEYS[6], ARGV[2], 'scheduled')
  redis.call('ZADD', KEYS[10], ARGV[3], ARGV[9])
  seq = current_seq(KEYS[3])
end
local response = '{"entry":' .. ARGV[1] .. ',"epoch":"' .. epoch .. '","seq":' .. seq .. '}'
if ARGV[10] == '1' then redis.call('SET', KEYS[9], response, 'EX', ARGV[11]) end
return {'ok', response}
`,
};

/**
 * Publishes one due scheduled entry; the ZREM decides which process does it, once.
 * KEYS: meta, epoch, seq, log, entries, state, published, pinned, scheduled.
 * ARGV: scheduled member, id, at, limit, candidate epoch.
 */
const publishScheduled: ScriptDefinition = {
  numberOfKeys: 9,
  lua: `${PRELUDE}
local score = redis.call('ZSCORE', KEYS[9], ARGV[1])
if not score then return {'taken'} end
redis.call('ZREM', KEYS[9], ARGV[1])
if redis.call('HGET', KEYS[6], ARGV[2]) ~= 'scheduled' then return {'gone'} end
local json = redis.call('HGET', KEYS[5], ARGV[2])
if (not json) or redis.call('EXISTS', KEYS[1]) == 0 then return {'gone'} end
epoch_of(KEYS[2], KEYS[3], KEYS[4], ARGV[5])
redis.call('HSET', KEYS[6], ARGV[2], 'published')
redis.call('ZADD', KEYS[7], score, ARGV[2])
if cjson.decode(json).pinned == true then redis.call('ZADD', KEYS[8], score, ARGV[2]) end
local seq = append(KEYS[3], KEYS[4], ARGV[4], 'entry.published', ARGV[3], json)
return {'ok', seq}
`,
};

/**
 * A published entry's previous version goes to its versions list in the same step, so the
 * correction history can never miss an edit.
 * KEYS: meta, epoch, seq, log, entries, state, pinned, versions.
 * ARGV: id, old entry JSON, new entry JSON, pinned (1/0), published ms, at, limit, candidate epoch.
 * Returns {'missing'} | {'stale'} | {'ok', epoch, seq}.
 */
const updateEntry: ScriptDefinition = {
  numberOfKeys: 8,
  lua: `${PRELUDE}
local current = redis.call('HGET', KEYS[5], ARGV[1])
if not current then return {'missing'} end
if current ~= ARGV[2] then return {'stale'} end
redis.call('HSET', KEYS[5], ARGV[1], ARGV[3])
local epoch = epoch_of(KEYS[2], KEYS[3], KEYS[4], ARGV[8])
local seq
if redis.call('HGET', KEYS[6], ARGV[1]) == 'published' then
  if ARGV[4] == '1' then
    redis.call('ZADD', KEYS[7], ARGV[5], ARGV[1])
  else
    redis.call('ZREM', KEYS[7], ARGV[1])
  end
  redis.call('RPUSH', KEYS[8], ARGV[2])
  seq = append(KEYS[3], KEYS[4], ARGV[7], 'entry.updated', ARGV[6], ARGV[3])
else
  seq = current_seq(KEYS[3])
end
return {'ok', epoch, seq}
`,
};

/**
 * KEYS: meta, epoch, seq, log, entries, state, published, pinned, scheduled, versions.
 * ARGV: id, scheduled member, at, limit, candidate epoch.
 */
const deleteEntry: ScriptDefinition = {
  numberOfKeys: 10,
  lua: `${PRELUDE}
local status = redis.call('HGET', KEYS[6], ARGV[1])
if not status then return {'missing'} end
redis.call('HDEL', KEYS[5], ARGV[1])
redis.call('HDEL', KEYS[6], ARGV[1])
redis.call('ZREM', KEYS[7], ARGV[1])
redis.call('ZREM', KEYS[8], ARGV[1])
redis.call('ZREM', KEYS[9], ARGV[2])
redis.call('DEL', KEYS[10])
local epoch = epoch_of(KEYS[2], KEYS[3], KEYS[4], ARGV[5])
local seq
if status == 'published' then
  seq = append(KEYS[3], KEYS[4], ARGV[4], 'entry.deleted', ARGV[3], ARGV[1])
else
  seq = current_seq(KEYS[3])
end
return {'ok', epoch, seq}
`,
};

/**
 * Reads a consistent page of published entries (and optionally every pinned one) with the
 * exact (epoch, seq) it belongs to.
 * KEYS: meta, epoch, seq, entries, published, pinned.
 * ARGV: how many ids, before id ('' for the newest), before ms, with pinned (1/0).
 */
const readPage: ScriptDefinition = {
  numberOfKeys: 6,
  lua: `
local function bytes_less(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

local meta = redis.call('GET', KEYS[1])
if not meta then return {'missing'} end
local count = tonumber(ARGV[1])
local ids
if ARGV[2] == '' then
  ids = redis.call('ZREVRANGE', KEYS[5], 0, count - 1)
else
  local rank = redis.call('ZREVRANK', KEYS[5], ARGV[2])
  if rank then
    ids = redis.call('ZREVRANGE', KEYS[5], rank + 1, rank + count)
  else
    -- the cursor entry is gone: continue after where it stood. Equal times are ordered
    -- by id (bytewise, descending), so first the ids below it at its time, then older ones.
    ids = {}
    for _, id in ipairs(redis.call('ZREVRANGEBYSCORE', KEYS[5], ARGV[3], ARGV[3])) do
      if #ids < count and bytes_less(id, ARGV[2]) then ids[#ids + 1] = id end
    end
    if #ids < count then
      local older = redis.call('ZREVRANGEBYSCORE', KEYS[5], '(' .. ARGV[3], '-inf', 'LIMIT', 0, count - #ids)
      for _, id in ipairs(older) do ids[#ids + 1] = id end
    end
  end
end
local entries = {}
if #ids > 0 then entries = redis.call('HMGET', KEYS[4], unpack(ids)) end
local pinned = {}
if ARGV[4] == '1' then
  local pinned_ids = redis.call('ZREVRANGE', KEYS[6], 0, -1)
  if #pinned_ids > 0 then pinned = redis.call('HMGET', KEYS[4], unpack(pinned_ids)) end
end
return {'ok', meta, redis.call('GET', KEYS[2]) or '', redis.call('GET', KEYS[3]) or '0', entries, pinned}
`,
};

/**
 * KEYS: epoch, seq, log. ARGV: first stream id to return ("<since + 1>-0", formatted by the
 * caller: Lua would print a large seq as "1e+14"), most changes to return.
 * Returns {epoch, seq, first kept stream id or '', changes after since}.
 */
const readLog: ScriptDefinition = {
  numberOfKeys: 3,
  lua: `
local first = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', 1)
local first_id = ''
if #first > 0 then first_id = first[1][1] end
local changes = redis.call('XRANGE', KEYS[3], ARGV[1], '+', 'COUNT', ARGV[2])
return {redis.call('GET', KEYS[1]) or '', redis.call('GET', KEYS[2]) or '0', first_id, changes}
`,
};

/**
 * Starts a new history for a briefing whose old one was lost, announcing it as the first
 * change of the new epoch so that every reader resynchronises.
 * KEYS: meta, epoch, seq, log. ARGV: expected epoch, new epoch, at, limit.
 */
const rotateEpoch: ScriptDefinition = {
  numberOfKeys: 4,
  lua: `${PRELUDE}
local meta = redis.call('GET', KEYS[1])
if not meta then return {'missing'} end
local epoch = redis.call('GET', KEYS[2])
if epoch and epoch ~= ARGV[1] then return {'changed', epoch} end
redis.call('SET', KEYS[2], ARGV[2])
redis.call('SET', KEYS[3], 0)
redis.call('DEL', KEYS[4])
local seq = append(KEYS[3], KEYS[4], ARGV[4], 'briefing.updated', ARGV[3], meta)
return {'ok', ARGV[2], seq}
`,
};

/**
 * Compare-and-set of one hash field that readers never see (drafts), and a bump of a
 * revision counter so that consoles on every process notice the change.
 * KEYS: hash, revision. ARGV: field, expected JSON ('' = must be absent), new JSON ('' = delete).
 * Returns 1 when written, 0 when the field was not as expected.
 */
const compareAndSetField: ScriptDefinition = {
  numberOfKeys: 2,
  lua: `
local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if current ~= ARGV[2] then return 0 end
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
end
redis.call('INCR', KEYS[2])
return 1
`,
};

export const SCRIPTS = {
  compareAndSetField,
  createBriefing,
  updateBriefing,
  publishEntry,
  publishScheduled,
  updateEntry,
  deleteEntry,
  readPage,
  readLog,
  rotateEpoch,
} as const;

export type ScriptName = keyof typeof SCRIPTS;
