/**
 * Everything stored under a test's Redis prefix, byte for byte: every key's type and
 * value (not its TTL, so a session whose idle timer was restarted by a read counts as
 * unchanged, as it should). Two snapshots are compared to prove that a refused request or
 * a reader's packet stored nothing.
 */
import type { Redis } from 'ioredis';

/** Key (without the prefix) -> the SHA-1 of its type and value in canonical form. */
export type RedisState = Map<string, string>;

/**
 * One round trip: Redis walks the prefix and hashes each key's value itself, so a
 * snapshot costs the same whether an entry is ten bytes or a megabyte. Values are read by
 * type and put in a canonical order: DUMP is not canonical for a hash or set stored as a
 * hash table, whose order changes when Redis rehashes it, and reads step a rehash along.
 * (A test-only script: it reads keys it does not declare, which a standalone Redis allows.)
 */
const SNAPSHOT_SCRIPT = `
local function field(text)
  return #text .. ':' .. text
end
local function sorted(items)
  table.sort(items)
  return table.concat(items, ',')
end
local function canonical(key)
  local kind = redis.call('TYPE', key)['ok']
  local parts = {}
  if kind == 'string' then
    return kind .. field(redis.call('GET', key))
  elseif kind == 'hash' then
    local flat = redis.call('HGETALL', key)
    for i = 1, #flat, 2 do parts[#parts + 1] = field(flat[i]) .. field(flat[i + 1]) end
    return kind .. sorted(parts)
  elseif kind == 'set' then
    for _, member in ipairs(redis.call('SMEMBERS', key)) do parts[#parts + 1] = field(member) end
    return kind .. sorted(parts)
  elseif kind == 'zset' then
    for _, item in ipairs(redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')) do parts[#parts + 1] = field(item) end
  elseif kind == 'list' then
    for _, item in ipairs(redis.call('LRANGE', key, 0, -1)) do parts[#parts + 1] = field(item) end
  elseif kind == 'stream' then
    for _, entry in ipairs(redis.call('XRANGE', key, '-', '+')) do
      parts[#parts + 1] = field(entry[1])
      for _, item in ipairs(entry[2]) do parts[#parts + 1] = field(item) end
    end
    local info = redis.call('XINFO', 'STREAM', key)
    for i = 1, #info, 2 do
      if info[i] == 'last-generated-id' or info[i] == 'max-deleted-entry-id' or info[i] == 'entries-added' then
        parts[#parts + 1] = field(info[i]) .. field(tostring(info[i + 1]))
      end
    end
  else
    return nil
  end
  return kind .. table.concat(parts, ',')
end
local out = {}
local cursor = '0'
repeat
  local found = redis.call('SCAN', cursor, 'MATCH', ARGV[1], 'COUNT', 1000)
  cursor = found[1]
  for _, key in ipairs(found[2]) do
    local value = canonical(key)
    if value then
      out[#out + 1] = key
      out[#out + 1] = redis.sha1hex(value)
    end
  end
until cursor == '0'
return out`;

export async function snapshot(redis: Redis, prefix: string, ignore: (key: string) => boolean = () => false): Promise<RedisState> {
  const pattern = `${prefix.replace(/[*?[\]\\]/g, (char) => `\\${char}`)}*`;
  const reply = (await redis.eval(SNAPSHOT_SCRIPT, 0, pattern)) as string[];
  const state: RedisState = new Map();
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const key = (reply[i] as string).slice(prefix.length);
    if (!ignore(key)) state.set(key, reply[i + 1] as string);
  }
  return new Map([...state.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** What differs, one line per key; empty when the two are identical. */
export function differences(before: RedisState, after: RedisState): string[] {
  const out: string[] = [];
  for (const [key, value] of before) {
    if (!after.has(key)) out.push(`removed ${key}`);
    else if (after.get(key) !== value) out.push(`changed ${key}`);
  }
  for (const key of after.keys()) if (!before.has(key)) out.push(`added ${key}`);
  return out;
}

/**
 * Polls until two snapshots in a row agree: writes a route makes after its response
 * (the audit record of a successful write) have landed, and a new baseline can be taken.
 */
export async function settledSnapshot(redis: Redis, prefix: string, ignore?: (key: string) => boolean): Promise<RedisState> {
  let previous = await snapshot(redis, prefix, ignore);
  for (let attempt = 0; attempt < 50; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 5));
    const next = await snapshot(redis, prefix, ignore);
    if (differences(previous, next).length === 0) return next;
    previous = next;
  }
  return previous;
}
