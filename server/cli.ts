/**
 * `npm run cli -- token create --name N --role editor | token list | token revoke ID`
 * Talks to the same Redis as the server (REDIS_URL, REDIS_PREFIX).
 */
import { parseArgs } from 'node:util';
import { createToken } from './auth/tokens';
import { loadConfig } from './config';
import { connectRedis, waitReady } from './redis';
import { Keys } from './store/keys';
import { ROLES, TokenStore, type Role } from './store/tokens';

const USAGE = `usage:
  npm run cli -- token create --name NAME --role admin|editor
  npm run cli -- token list
  npm run cli -- token revoke ID`;

class UsageError extends Error {}

async function run(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, role: { type: 'string', default: 'editor' } },
  });
  const [group, command, argument] = positionals;
  if (group !== 'token' || !command) throw new UsageError(USAGE);

  const config = loadConfig();
  const redis = connectRedis(config.redisUrl, 'livebrief-cli');
  redis.on('error', () => undefined);
  try {
    await waitReady(redis, 3000);
    const tokens = new TokenStore(redis, new Keys(config.redisPrefix));
    if (command === 'create') {
      const name = values.name?.trim();
      if (!name) throw new UsageError('token create needs --name');
      const role = values.role as Role;
      if (!ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
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

run(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
