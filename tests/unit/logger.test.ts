import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { ConfigError, loadConfig } from '../../server/config';
import { createLogger, serializeError } from '../../server/logger';

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

describe('log format', () => {
  /** A logger writing into a string, as if stdout were (or were not) a terminal. */
  function capture(env: Record<string, string>, isTTY: boolean): { logger: Logger; text: () => string } {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk.toString());
        callback();
      },
    });
    const logger = createLogger(loadConfig({ LOG_LEVEL: 'info', ...env }), { stream, isTTY });
    return { logger, text: () => chunks.join('') };
  }

  const ESCAPES = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

  test('JSON when stdout is not a terminal, readable lines when it is; credentials redacted in both', () => {
    const machine = capture({}, false);
    machine.logger.info(
      { token: 'secret-token-1', req: { headers: { authorization: 'Bearer secret-2' } } },
      'listening on http://127.0.0.1:3000',
    );
    const line = JSON.parse(machine.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, msg: 'listening on http://127.0.0.1:3000', token: '[redacted]' });
    expect(machine.text()).not.toMatch(/secret/);

    const person = capture({}, true);
    person.logger.warn({ token: 'secret-token-1', password: 'secret-3' }, 'listening on http://127.0.0.1:3000');
    const text = person.text().replace(ESCAPES, '');
    expect(() => JSON.parse(text) as unknown).toThrow();
    expect(text).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}\] WARN: listening on http:\/\/127\.0\.0\.1:3000\n/);
    expect(text).toContain('[redacted]');
    expect(text).not.toMatch(/secret/);
  });

  test('LOG_FORMAT forces either format; anything else is a configuration error', () => {
    const forcedJson = capture({ LOG_FORMAT: 'json' }, true);
    forcedJson.logger.info('hello');
    expect(JSON.parse(forcedJson.text().trim())).toMatchObject({ msg: 'hello' });

    const forcedPretty = capture({ LOG_FORMAT: 'pretty' }, false);
    forcedPretty.logger.info('hello');
    // Not a terminal: no colours.
    expect(forcedPretty.text()).toMatch(/^\[[^\]]+\] INFO: hello\n$/);

    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(ConfigError);
  });
});
