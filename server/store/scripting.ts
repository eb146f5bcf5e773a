/**
 * Lua scripts as commands of a Redis connection (ioredis defineCommand: EVALSHA, loaded
 * again by itself after a restart), and a typed way to call them: one place for what every
 * store that runs scripts needs.
 */
import type { RedisClient } from '../redis';

export interface ScriptDefinition {
  numberOfKeys: number;
  lua: string;
}

export type ScriptArg = string | number;

/**
 * Defines each script as a command of `redis` (once per connection, whoever asks first) and
 * returns a caller: `call(name, ...keysThenArgs)`.
 */
export function scriptCaller<Name extends string, Reply>(
  redis: RedisClient,
  scripts: Record<Name, ScriptDefinition>,
): (name: Name, ...keysThenArgs: ScriptArg[]) => Promise<Reply> {
  for (const [name, script] of Object.entries<ScriptDefinition>(scripts)) {
    if (!(name in redis)) redis.defineCommand(name, script);
  }
  const commands = redis as unknown as Record<Name, (...params: ScriptArg[]) => Promise<Reply>>;
  return (name, ...keysThenArgs) => commands[name].apply(redis, keysThenArgs);
}
