import { namedScript, scriptInputs } from '../../server/store/scripting';
import { SCRIPTS } from '../../server/store/scripts';

test('a named script declares its inputs as Lua locals, in the order its callers are given them', () => {
  const script = namedScript(['entries', 'keyEvents'], ['id', 'maxVersions'], 'return 1');
  expect(script.numberOfKeys).toBe(2);
  expect(script.lua.split('\n')).toEqual([
    'local entries_key = KEYS[1]',
    'local key_events_key = KEYS[2]',
    'local id = ARGV[1]',
    'local max_versions = ARGV[2]',
    'return 1',
  ]);
  // extra keys (a briefing's whole key set) are ignored; the order is the script's, not the object's
  expect(
    scriptInputs(script, { keyEvents: 'k', entries: 'e', other: 'x' } as { entries: string; keyEvents: string }, {
      maxVersions: 5,
      id: 'a',
    }),
  ).toEqual(['e', 'k', 'a', 5]);
});

test('no script reads KEYS or ARGV by position outside its generated header', () => {
  for (const [name, script] of Object.entries(SCRIPTS)) {
    const body = script.lua
      .split('\n')
      .slice(script.keys.length + script.args.length)
      .join('\n');
    expect([name, /KEYS\[|ARGV\[/.test(body)]).toEqual([name, false]);
  }
});
