import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisInstance } from '../harness/redis.js';
import { everythingIn, redisTriggers, scalerError } from './triggers.js';

// `redis` triggers against a real redis-server: what each key type reads as, databaseIndex,
// activation, the script cache, and credentials from metadata, env and TriggerAuthentication.

let server: RedisInstance;
let secured: RedisInstance;
const triggers = redisTriggers();

beforeAll(async () => {
  [server, secured] = await Promise.all([
    startRedis(),
    startRedis({ password: 'default-secret', users: [{ name: 'alice', password: 'alice-secret-7' }, { name: 'reader', password: 'reader-secret', rules: ['~*', '+@all', '-eval', '-evalsha'] }] }),
  ]);
  const admin = server.admin();
  await admin.rpush('jobs:list', 'a', 'b', 'c');
  await admin.sadd('jobs:set', 'a', 'b');
  await admin.zadd('jobs:zset', 1, 'a', 2, 'b', 3, 'c', 4, 'd');
  await admin.hset('jobs:hash', { a: 1, b: 2, c: 3, d: 4, e: 5 });
  await admin.set('jobs:string', 'x');
  await admin.xadd('jobs:stream', '*', 'f', 'v');
  await server.admin(3).rpush('jobs:list', 'only', 'in', 'db', 'three', '!', '!');
  await secured.admin().rpush('jobs', '1', '2');
});

afterEach(() => triggers.closeAll());
afterAll(async () => {
  await triggers.closeAll();
  await Promise.all([server?.stop(), secured?.stop()]);
});

describe('what a key reads as (KEDA: one script reads TYPE, then LLEN/SCARD/ZCARD/HLEN)', () => {
  it.each([
    ['a list: LLEN', 'jobs:list', 3],
    ['a set: SCARD', 'jobs:set', 2],
    ['a sorted set: ZCARD', 'jobs:zset', 4],
    ['a hash: HLEN', 'jobs:hash', 5],
    ['a missing key: 0, an empty list (Redis deletes a list when it empties)', 'no-such-key', 0],
  ])('%s', async (_, listName, expected) => {
    const result = await triggers.readOnce('redis', { metadata: { address: server.address, listName } });
    expect(result.values.map((v) => v.value)).toEqual([expected]);
    expect(result.empty).toBeUndefined();
  });

  it.each([
    ['jobs:string', 'string'],
    ['jobs:stream', 'stream'],
  ])('a key of another type (%s) is a query error naming the type, never 0', async (listName, type) => {
    await scalerError(
      triggers.readOnce('redis', { metadata: { address: server.address, listName } }),
      'query',
      new RegExp(`^key "${listName}" in database 0 at ${server.address} is a ${type}, not a list, set, sorted set or hash`),
    );
  });

  it('the value carries the metric name it was asked for, and the spec has the listLength target', async () => {
    const scaler = triggers.create('redis', { metadata: { address: server.address, listName: 'jobs:list', listLength: '7' } }, 2);
    expect(scaler.getMetricSpecs()).toEqual([{ metricName: 's2-redis-jobs-list', target: 7, metricType: 'AverageValue' }]);
    const result = await scaler.getMetricsAndActivity('s2-redis-jobs-list', AbortSignal.timeout(10_000));
    expect(result.values).toEqual([{ metricName: 's2-redis-jobs-list', value: 3, timestamp: expect.any(Date) }]);
  });

  it('host and port instead of address', async () => {
    const result = await triggers.readOnce('redis', { metadata: { host: server.host, port: String(server.port), listName: 'jobs:list' } });
    expect(result.values[0]!.value).toBe(3);
  });

  it('a read goes through the script cache: EVALSHA, and EVAL once after the server forgot the script', async () => {
    const scaler = triggers.create('redis', { metadata: { address: server.address, listName: 'jobs:list' } });
    await triggers.value(scaler); // loads the script, whatever the cache held
    await server.admin().script('FLUSH');
    const before = { evalsha: triggers.calls.count('redis', 'EVALSHA'), eval: triggers.calls.count('redis', 'EVAL') };
    expect(await triggers.value(scaler)).toBe(3);
    expect(await triggers.value(scaler)).toBe(3);
    expect(triggers.calls.count('redis', 'EVALSHA') - before.evalsha).toBe(2);
    expect(triggers.calls.count('redis', 'EVAL') - before.eval).toBe(1);
    expect(triggers.calls.totals().filter((t) => t.backend === 'redis' && t.outcome === 'ok').map((t) => t.operation).sort()).toEqual(['EVAL', 'EVALSHA']);
  });
});

describe('databaseIndex', () => {
  it('reads the key in the database it names', async () => {
    const three = triggers.create('redis', { metadata: { address: server.address, listName: 'jobs:list', databaseIndex: '3' } });
    const zero = triggers.create('redis', { metadata: { address: server.address, listName: 'jobs:list', databaseIndex: '0' } });
    const none = triggers.create('redis', { metadata: { address: server.address, listName: 'jobs:list', databaseIndex: '5' } });
    expect(await Promise.all([three, zero, none].map((scaler) => triggers.value(scaler)))).toEqual([6, 3, 0]);
  });

  it('a database the server does not have is a not-found error, not database 0', async () => {
    await scalerError(
      triggers.readOnce('redis', { metadata: { address: server.address, listName: 'jobs:list', databaseIndex: '16' } }),
      'not-found',
      new RegExp(`^database 16 does not exist at ${server.address} .*: check databaseIndex$`),
    );
  });
});

describe('activationListLength (active when the length is above it)', () => {
  it.each([
    ['0', true],
    ['2', true],
    ['3', false],
    ['10', false],
  ])('length 3, activationListLength %s → active %s', async (activationListLength, active) => {
    const result = await triggers.readOnce('redis', { metadata: { address: server.address, listName: 'jobs:list', activationListLength } });
    expect(result.active).toBe(active);
  });

  it('a missing key with the default threshold is inactive', async () => {
    expect((await triggers.readOnce('redis', { metadata: { address: server.address, listName: 'nothing' } })).active).toBe(false);
  });
});

describe('credentials', () => {
  const listName = 'jobs';

  it.each([
    ['password in a TriggerAuthentication (default user)', { metadata: { listName }, authParams: { password: 'default-secret' } }],
    ['passwordFromEnv', { metadata: { listName, passwordFromEnv: 'REDIS_PASSWORD' }, resolvedEnv: { REDIS_PASSWORD: 'default-secret' } }],
    ['username and password of an ACL user', { metadata: { listName, username: 'alice' }, authParams: { password: 'alice-secret-7' } }],
    ['address, username and password all from the TriggerAuthentication', { metadata: { listName }, authParams: { username: 'alice', password: 'alice-secret-7' } }],
  ])('%s', async (_, input: { metadata: Record<string, string>; authParams?: Record<string, string>; resolvedEnv?: Record<string, string> }) => {
    const metadata = input.authParams?.username ? input.metadata : { ...input.metadata, address: secured.address };
    const authParams = input.authParams?.username ? { ...input.authParams, address: secured.address } : input.authParams;
    const result = await triggers.readOnce('redis', { ...input, metadata, ...(authParams && { authParams }) });
    expect(result.values[0]!.value).toBe(2);
  });

  it('a wrong password is an auth error that names the user and the server, and never the password', async () => {
    const error = await scalerError(
      triggers.readOnce('redis', { metadata: { address: secured.address, listName, username: 'alice' }, authParams: { password: 'not-alices-password' } }),
      'auth',
      new RegExp(`^authentication failed for user alice at ${secured.address}: wrong password\\?`),
    );
    expect(everythingIn(error)).not.toContain('not-alices-password');
  });

  it('a wrong password of the default user says so', async () => {
    const error = await scalerError(
      triggers.readOnce('redis', { metadata: { address: secured.address, listName }, authParams: { password: 'guess-1234' } }),
      'auth',
      /^authentication failed for user default at /,
    );
    expect(everythingIn(error)).not.toContain('guess-1234');
  });

  it('no password for a server that needs one is an auth error that says to set it', async () => {
    await scalerError(
      triggers.readOnce('redis', { metadata: { address: secured.address, listName } }),
      'auth',
      new RegExp(`^${secured.address} requires authentication: set password`),
    );
  });

  it('a user without permission for the script is an auth error naming the user', async () => {
    await scalerError(
      triggers.readOnce('redis', { metadata: { address: secured.address, listName, username: 'reader' }, authParams: { password: 'reader-secret' } }),
      'auth',
      new RegExp(`^user reader lacks a permission at ${secured.address}: NOPERM`),
    );
  });
});
