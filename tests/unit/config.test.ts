import { ConfigError, DEFAULT_REDIS_URL, loadConfig } from '../../server/config';

test('defaults follow the contract', () => {
  const config = loadConfig({});
  expect(config).toMatchObject({
    port: 3000,
    host: '127.0.0.1',
    redisUrl: DEFAULT_REDIS_URL,
    redisUrlGiven: false,
    redisPrefix: 'livebrief:',
    adminToken: undefined,
    historyLimit: 10_000,
  });
  expect(Object.isFrozen(config)).toBe(true);
});

test('values are read from the environment, empty ones count as unset', () => {
  const config = loadConfig({
    PORT: '0',
    HOST: '0.0.0.0',
    REDIS_URL: 'redis://example:6380',
    REDIS_PREFIX: 'x:',
    LIVEBRIEF_ADMIN_TOKEN: '',
  });
  expect(config).toMatchObject({
    port: 0,
    host: '0.0.0.0',
    redisUrl: 'redis://example:6380',
    redisUrlGiven: true,
    redisPrefix: 'x:',
    adminToken: undefined,
  });
});

test('the service speaks English unless told a language', () => {
  expect(loadConfig({}).language).toBe('en');
  expect(loadConfig({ LIVEBRIEF_LANGUAGE: 'ka-GE' }).language).toBe('ka-GE');
});

test('an admin token of any length is taken as given', () => {
  expect(loadConfig({ LIVEBRIEF_ADMIN_TOKEN: 'secret' }).adminToken).toBe('secret');
});

test.each([
  [{ PORT: 'eighty' }, 'PORT'],
  [{ PORT: '70000' }, 'PORT'],
  [{ REDIS_URL: 'http://localhost' }, 'REDIS_URL'],
  [{ LIVEBRIEF_HISTORY_LIMIT: '0' }, 'LIVEBRIEF_HISTORY_LIMIT'],
  [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  [{ LIVEBRIEF_LANGUAGE: 'not a language' }, 'LIVEBRIEF_LANGUAGE'],
])('%p is refused, naming %s', (env, name) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(name);
});

test('REDIS_CLUSTER_NODES lists host:port seeds; anything else is refused', () => {
  expect(loadConfig({}).redisClusterNodes).toBeNull();
  expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b:7001' }).redisClusterNodes).toEqual([
    { host: '10.0.0.1', port: 7000 },
    { host: 'redis-b', port: 7001 },
  ]);
  expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis-b' })).toThrow(ConfigError);
  expect(() => loadConfig({ REDIS_CLUSTER_NODES: 'redis-b:0' })).toThrow(ConfigError);
  expect(() => loadConfig({ REDIS_CLUSTER_NODES: ' , ' })).toThrow(ConfigError);
});
