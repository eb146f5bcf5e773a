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

test('REDIS_SENTINELS with REDIS_SENTINEL_NAME names the Sentinels and the primary they watch', () => {
  const config = loadConfig({ REDIS_SENTINELS: ' 10.0.0.1:26379,sentinel-b:26380 ', REDIS_SENTINEL_NAME: 'main' });
  expect(config.redisSentinel).toEqual({
    name: 'main',
    sentinels: [
      { host: '10.0.0.1', port: 26379 },
      { host: 'sentinel-b', port: 26380 },
    ],
  });
  expect(loadConfig({}).redisSentinel).toBeNull();
});

test.each([[{ REDIS_SENTINELS: '127.0.0.1:26379' }], [{ REDIS_SENTINEL_NAME: 'main' }]])(
  '%p alone is refused, naming both variables',
  (env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(/REDIS_SENTINELS.*REDIS_SENTINEL_NAME|REDIS_SENTINEL_NAME.*REDIS_SENTINELS/);
  },
);

test.each(['127.0.0.1', '127.0.0.1:port', ':26379', '127.0.0.1:70000', 'a:1,,b'])('REDIS_SENTINELS=%p is refused, naming it', (value) => {
  expect(() => loadConfig({ REDIS_SENTINELS: value, REDIS_SENTINEL_NAME: 'main' })).toThrow('REDIS_SENTINELS');
});

test('LIVEBRIEF_WORKERS: unset is one process; a count runs that many workers; anything else is refused', () => {
  expect(loadConfig({}).workers).toBeNull();
  expect(loadConfig({ LIVEBRIEF_WORKERS: '4' }).workers).toBe(4);
  for (const value of ['0', 'many', '1.5']) expect(() => loadConfig({ LIVEBRIEF_WORKERS: value })).toThrow('LIVEBRIEF_WORKERS');
});

test('a Cluster and Sentinels at once are refused, naming both', () => {
  expect(() =>
    loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', REDIS_SENTINELS: '127.0.0.1:26379', REDIS_SENTINEL_NAME: 'main' }),
  ).toThrow(/REDIS_CLUSTER_NODES.*REDIS_SENTINELS/);
});
