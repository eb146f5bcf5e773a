import { serializeError } from '../../server/logger';

/** What ioredis attaches to a failed command's error. */
function redisError(message: string, name: string, args: string[]): Error {
  return Object.assign(new Error(message), { command: { name, args } });
}

test('the error serializer keeps a failed Redis command’s name and drops its arguments, at any depth', () => {
  const hash = '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA';
  const digest = 'a'.repeat(64);
  const inner = redisError('WRONGTYPE Operation against a key holding the wrong kind of value', 'hset', [
    'lb:users',
    'u1',
    `{"passwordHash":"${hash}"}`,
  ]);
  const outer = Object.assign(redisError('EXECABORT Transaction discarded', 'exec', []), {
    previousErrors: [redisError('WRONGTYPE', 'getex', [`lb:session:${digest}`, 'EX', '60'])],
    cause: inner,
  });
  const serialized = serializeError(outer) as { command: unknown; message: string };
  const text = JSON.stringify(serialized);
  expect(serialized.message).toMatch(/^EXECABORT Transaction discarded/);
  expect(serialized.command).toEqual({ name: 'exec', args: '[0 arguments redacted]' });
  expect((serialized as unknown as { previousErrors: unknown[] }).previousErrors).toEqual([
    expect.objectContaining({ message: 'WRONGTYPE', command: { name: 'getex', args: '[3 arguments redacted]' } }),
  ]);
  expect(text).not.toContain(hash);
  expect(text).not.toContain(digest);
  // Anything else passes as pino would log it.
  expect(serializeError({ plain: 1 })).toEqual({ plain: 1 });
});
