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

/**
 * A script whose inputs are named: the order of its KEYS and ARGV is written here once,
 * and each one is a Lua local of the same name at the top of the script (`keyEvents` as a
 * key: `key_events_key = KEYS[n]`; `maxVersions` as an argument: `max_versions = ARGV[n]`).
 * Callers pass an object by name (see scriptInputs), so no array is kept in line by hand.
 */
export interface NamedScript<Key extends string, Arg extends string> extends ScriptDefinition {
  keys: readonly Key[];
  args: readonly Arg[];
}

function luaName(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

export function namedScript<const Key extends string, const Arg extends string>(
  keys: readonly Key[],
  args: readonly Arg[],
  body: string,
): NamedScript<Key, Arg> {
  const header = [
    ...keys.map((key, index) => `local ${luaName(key)}_key = KEYS[${index + 1}]`),
    ...args.map((arg, index) => `local ${luaName(arg)} = ARGV[${index + 1}]`),
  ].join('\n');
  return { keys, args, numberOfKeys: keys.length, lua: `${header}\n${body}` };
}

export type KeyNames<S> = S extends NamedScript<infer Key, string> ? Key : never;
export type ArgNames<S> = S extends NamedScript<string, infer Arg> ? Arg : never;

/** KEYS then ARGV of one call, in the script's order, from named inputs. */
export function scriptInputs<Key extends string, Arg extends string>(
  script: NamedScript<Key, Arg>,
  keys: Readonly<Record<Key, string>>,
  args: Readonly<Record<Arg, ScriptArg>>,
): ScriptArg[] {
  return [...script.keys.map((key) => keys[key]), ...script.args.map((arg) => args[arg])];
}
