/**
 * `npm start` on a built tree: time from the command to its port accepting connections,
 * against a target of 1 s.
 *
 *   node --import tsx bench/start/run.ts        (builds first if the tree is not built)
 *
 * Each run spawns `npm start` (its prestart checks the build, then `node dist/server/main.js`)
 * in its own process group with PORT set to a free loopback port, REDIS_URL to
 * redis://127.0.0.1:6379 and a unique REDIS_PREFIX; it tries a TCP connection every 5 ms
 * until one succeeds (ceiling 15 s), then ends the whole group and waits for it to exit. The
 * same is measured for `node dist/server/main.js` alone, to show what npm and the build check
 * add. Medians of START_RUNS runs (default 5) go to bench/results/start.json (no floor;
 * details.target 1000). Redis keys under the prefixes are removed at the end.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import path from 'node:path';
import { deletePrefix, DEFAULT_REDIS, freePort, onClose, uniquePrefix } from '../../tests/support/harness';
import { withCeiling } from '../ceiling';
import { intFromEnv } from '../env';
import { median, resultOf, runOf, writeResult, type ScenarioResult } from '../suite/results';
import { round } from '../stats';

const ROOT = path.resolve(__dirname, '../..');
const TARGET_MS = 1000;
const LISTEN_TIMEOUT_MS = 15_000;
const POLL_MS = 5;
const EXIT_TIMEOUT_MS = 10_000;

const COMMANDS = {
  'npm start': ['npm', ['start', '--silent']],
  'node dist/server/main.js': [process.execPath, ['dist/server/main.js']],
} as const satisfies Record<string, readonly [string, readonly string[]]>;
type CommandName = keyof typeof COMMANDS;

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Ends the process group (npm and the server it started) and waits for the leader to exit. */
async function endGroup(pid: number, exited: Promise<void>): Promise<void> {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return; // gone already
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }, EXIT_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** Milliseconds from spawning `name` to its port taking a TCP connection. */
async function timeToListen(name: CommandName): Promise<number> {
  const [command, args] = COMMANDS[name];
  const port = await freePort();
  const prefix = uniquePrefix();
  onClose(() => deletePrefix(DEFAULT_REDIS, prefix));
  const started = performance.now();
  const child = spawn(command, [...args], {
    cwd: ROOT,
    detached: true,
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: String(port),
      REDIS_URL: DEFAULT_REDIS,
      REDIS_PREFIX: prefix,
      LIVEBRIEF_ADMIN_TOKEN: randomBytes(16).toString('hex'),
      LOG_LEVEL: 'warn',
    },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${name} did not start`);
  onClose(() => endGroup(pid, exited));
  let stopped = false;
  void exited.then(() => (stopped = true));
  const deadline = started + LISTEN_TIMEOUT_MS;
  try {
    for (;;) {
      if (await accepts(port)) return performance.now() - started;
      if (stopped) throw new Error(`${name} exited before it listened`);
      if (performance.now() > deadline) throw new Error(`${name} did not listen within ${LISTEN_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    await endGroup(pid, exited);
  }
}

export async function runStart(runs = intFromEnv('START_RUNS', 5, 1, 50)): Promise<ScenarioResult> {
  // The tree must be built, and the build stamp current, before the first timed start.
  execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: ROOT, stdio: 'inherit' });
  const times: Record<CommandName, number[]> = { 'npm start': [], 'node dist/server/main.js': [] };
  await withCeiling('start benchmark', 120_000 + runs * 2 * LISTEN_TIMEOUT_MS, async () => {
    for (let run = 0; run < runs; run++) {
      for (const name of Object.keys(COMMANDS) as CommandName[]) times[name].push(round(await timeToListen(name)));
    }
  });
  const result = resultOf(
    {
      scenario: 'start',
      title: '`npm start` on a built tree: listening',
      command: 'node --import tsx bench/start/run.ts',
      metric: 'npm start → port accepts a connection, median (ms)',
      better: 'lower',
      floorName: null,
      details: {
        target: TARGET_MS,
        runsMs: times,
        nodeAloneMedianMs: median(times['node dist/server/main.js']),
        maxMs: Math.max(...times['npm start']),
      },
    },
    times['npm start'].map((ms) => runOf(ms, null)),
  );
  writeResult(result);
  return result;
}

if (require.main === module) {
  runStart()
    .then((result) => {
      process.stdout.write(
        `npm start listening after ${result.livebrief} ms (median; target ${TARGET_MS} ms); runs ${JSON.stringify(result.details.runsMs)}\n`,
      );
      process.exit(0);
    })
    .catch((error: unknown) => {
      process.stderr.write(`start benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    });
}
