/**
 * `npm run cli -- token …` (API tokens) and `npm run cli -- user …` (console accounts).
 * Talks to the same Redis as the server (REDIS_URL, REDIS_PREFIX). Passwords are read
 * from standard input, never from arguments (which other users can see in `ps`).
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { PASSWORD_MIN, ROLES, TOKEN_ROLES, type Role, type TokenRole } from '../shared/console';
import { createUserSchema } from '../shared/console-schemas';
import { describeIssue } from '../shared/schemas';
import { hashPassword } from './auth/passwords';
import { FirstRun } from './auth/setup';
import { createToken } from './auth/tokens';
import { loadConfig } from './config';
import { connectCommands, waitReady, type RedisClient } from './redis';
import { Keys } from './store/keys';
import { SessionStore } from './store/sessions';
import { TokenStore } from './store/tokens';
import { UserStore, type UserRecord } from './store/users';

const USAGE = `usage:
  npm run cli -- token create --name NAME --role admin|editor
  npm run cli -- token list
  npm run cli -- token revoke ID
  npm run cli -- user add --username LOGIN --name "FULL NAME" --role admin|editor|contributor   (password on stdin)
  npm run cli -- user passwd LOGIN      (new password on stdin; ends the account's sessions)
  npm run cli -- user disable LOGIN     (ends the account's sessions at once)
  npm run cli -- user enable LOGIN
  npm run cli -- user list
  npm run cli -- user setup-link [--url https://briefs.example.org]   (only while no account exists)`;

class UsageError extends Error {}

async function run(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      role: { type: 'string', default: 'editor' },
      username: { type: 'string' },
      url: { type: 'string' },
    },
  });
  const [group, command, argument] = positionals;
  if ((group !== 'token' && group !== 'user') || !command) throw new UsageError(USAGE);

  const config = loadConfig();
  const redis = connectCommands(config, 'livebrief-cli');
  const keys = new Keys(config.redisPrefix, { cluster: config.redisClusterNodes !== null });
  redis.on('error', () => undefined);
  try {
    await waitReady(redis, 3000);
    if (group === 'user') {
      await userCommand(redis, keys, config.sessionTtlSeconds, command, argument, values);
      return;
    }
    const tokens = new TokenStore(redis, keys);
    if (command === 'create') {
      const name = values.name?.trim();
      if (!name) throw new UsageError('token create needs --name');
      const role = values.role as TokenRole;
      if (!TOKEN_ROLES.includes(role)) throw new UsageError(`--role must be one of ${TOKEN_ROLES.join(', ')}`);
      const { token, record } = await createToken(tokens, name, role);
      process.stdout.write(`created token ${record.id} (${record.name}, ${record.role}); it is shown only now:\n${token}\n`);
    } else if (command === 'list') {
      const all = await tokens.list();
      if (all.length === 0) process.stdout.write('no tokens\n');
      for (const record of all) process.stdout.write(`${record.id}\t${record.role}\t${record.createdAt}\t${record.name}\n`);
    } else if (command === 'revoke') {
      if (!argument) throw new UsageError('token revoke needs the token id (see token list)');
      const removed = await tokens.remove(argument);
      if (!removed) throw new UsageError(`no token with id ${argument}`);
      process.stdout.write(`revoked token ${argument}\n`);
    } else {
      throw new UsageError(USAGE);
    }
  } finally {
    redis.disconnect();
  }
}

/** Reads one password: typed twice without echo on a terminal, else the first line of stdin. */
async function readPassword(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const lines = createInterface({ input: process.stdin });
    for await (const line of lines) {
      lines.close();
      return line;
    }
    throw new UsageError('no password on standard input');
  }
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const ask = (question: string): Promise<string> =>
    new Promise((resolve) => {
      const terminal = createInterface({ input: process.stdin, output, terminal: true });
      muted = false;
      terminal.question(question, (answer) => {
        terminal.close();
        process.stderr.write('\n');
        resolve(answer);
      });
      muted = true;
    });
  const first = await ask(prompt);
  if ((await ask('again: ')) !== first) throw new UsageError('the two passwords differ');
  return first;
}

async function userCommand(
  redis: RedisClient,
  keys: Keys,
  sessionTtlSeconds: number,
  command: string,
  argument: string | undefined,
  values: { name?: string | undefined; role?: string | undefined; username?: string | undefined; url?: string | undefined },
): Promise<void> {
  const users = new UserStore(redis, keys);
  const sessions = new SessionStore(redis, keys, sessionTtlSeconds);
  const find = async (): Promise<UserRecord> => {
    if (!argument) throw new UsageError(`user ${command} needs the username`);
    const user = await users.findByUsername(argument);
    if (!user) throw new UsageError(`no user "${argument}"`);
    return user;
  };
  if (command === 'add') {
    const role = values.role as Role;
    if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const password = await readPassword(`password for ${values.username ?? '?'} (${PASSWORD_MIN}+ characters): `);
    const parsed = createUserSchema.safeParse({ username: values.username ?? argument, name: values.name, role, password });
    if (!parsed.success) throw new UsageError(describeIssue(parsed.error));
    const user = await users.create({ ...parsed.data, passwordHash: await hashPassword(parsed.data.password) });
    process.stdout.write(`created ${user.role} ${user.username} (${user.name})\n`);
  } else if (command === 'passwd') {
    const user = await find();
    const password = await readPassword(`new password for ${user.username}: `);
    const parsed = createUserSchema.shape.password.safeParse(password);
    if (!parsed.success) throw new UsageError(`password: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    await users.save({ ...user, passwordHash: await hashPassword(parsed.data) });
    await sessions.destroyAllOf(user.id);
    process.stdout.write(`changed the password of ${user.username}; their sessions are ended\n`);
  } else if (command === 'disable' || command === 'enable') {
    const user = await find();
    await users.save({ ...user, disabled: command === 'disable' });
    if (command === 'disable') await sessions.destroyAllOf(user.id);
    process.stdout.write(`${command}d ${user.username}\n`);
  } else if (command === 'list') {
    const all = await users.list();
    if (all.length === 0) process.stdout.write('no users\n');
    for (const user of all) {
      process.stdout.write(`${user.username}\t${user.role}\t${user.disabled ? 'disabled' : 'active'}\t${user.name}\n`);
    }
  } else if (command === 'setup-link') {
    const origin = (values.url ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
    const link = await new FirstRun(redis, keys, users).linkIfNoAccounts(origin);
    if (!link) throw new UsageError('accounts exist already: sign in, or ask an admin (user add)');
    process.stdout.write(`open this link once, within 24 hours, to create the first admin:\n${link}\n`);
  } else {
    throw new UsageError(USAGE);
  }
}

run(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
