import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeScalerConformance } from '@updraft/core/testing/vitest';
import redisScalerModule from '@updraft/scaler-redis';
import { startRedisSentinel, type RedisSentinelInstance } from '../harness/redis.js';
import { everythingIn, redisTriggers, scalerError } from './triggers.js';

// `redis-sentinel` and `redis-sentinel-streams` against a real sentinel (redis-server --sentinel)
// that monitors one master. Both need passwords; the sentinel also has an ACL user.

const masterPassword = 'master-secret';
const sentinelPassword = 'sentinel-secret';
const watcher = { name: 'watcher', password: 'watcher-secret' };
let sentinel: RedisSentinelInstance;
const triggers = redisTriggers({ connectTimeoutMs: 1_000, commandTimeoutMs: 2_000 });

beforeAll(async () => {
  sentinel = await startRedisSentinel({ masterPassword, sentinelPassword, sentinelUser: watcher });
  const admin = sentinel.master.admin();
  await admin.rpush('jobs', '1', '2', '3', '4');
  await admin.xadd('orders', '1-0', 'n', '1');
  await admin.xadd('orders', '2-0', 'n', '2');
  await admin.xadd('orders', '3-0', 'n', '3');
  await admin.xgroup('CREATE', 'orders', 'workers', '0');
  await admin.xreadgroup('GROUP', 'workers', 'w', 'COUNT', 1, 'STREAMS', 'orders', '>');
  await sentinel.master.admin(4).rpush('jobs', 'x');
});

afterEach(() => triggers.closeAll());
afterAll(async () => {
  await triggers.closeAll();
  await sentinel?.stop();
});

const auth = (extra: Record<string, string> = {}) => ({ password: masterPassword, sentinelPassword, ...extra });
const metadata = (extra: Record<string, string>) => ({ addresses: sentinel.sentinelAddress, sentinelMaster: sentinel.masterName, ...extra });

describe('redis-sentinel', () => {
  it('finds the master through the sentinel and reads the list; triggers share one connection to the master', async () => {
    const scalers = Array.from({ length: 5 }, () => triggers.create('redis-sentinel', { metadata: metadata({ listName: 'jobs' }), authParams: auth() }));
    expect(await Promise.all(scalers.map((scaler) => triggers.value(scaler)))).toEqual([4, 4, 4, 4, 4]);
    expect(await sentinel.master.clients()).toBe(1);
    await triggers.closeAll();
    expect(await sentinel.master.clients()).toBe(0);
  });

  it('sentinelUsername and sentinelPassword of an ACL user on the sentinel', async () => {
    const result = await triggers.readOnce('redis-sentinel', {
      metadata: metadata({ listName: 'jobs', sentinelUsername: watcher.name }),
      authParams: { password: masterPassword, sentinelPassword: watcher.password },
    });
    expect(result.values[0]!.value).toBe(4);
  });

  it('databaseIndex applies to the master', async () => {
    expect((await triggers.readOnce('redis-sentinel', { metadata: metadata({ listName: 'jobs', databaseIndex: '4' }), authParams: auth() })).values[0]!.value).toBe(1);
  });

  it('a wrong sentinelPassword is an auth error naming the sentinels, never the password', async () => {
    const error = await scalerError(
      triggers.readOnce('redis-sentinel', { metadata: metadata({ listName: 'jobs' }), authParams: auth({ sentinelPassword: 'not-the-sentinel-pw' }) }),
      'auth',
      new RegExp(`^authentication failed for user default at the sentinels ${sentinel.sentinelAddress}: wrong sentinelPassword\\?`),
    );
    expect(everythingIn(error)).not.toContain('not-the-sentinel-pw');
    expect(everythingIn(error)).not.toContain(masterPassword);
  });

  it('no sentinelPassword for a sentinel that needs one says to set it', async () => {
    await scalerError(
      triggers.readOnce('redis-sentinel', { metadata: metadata({ listName: 'jobs' }), authParams: { password: masterPassword } }),
      'auth',
      /^the sentinels at .* require authentication: set sentinelPassword/,
    );
  });

  it('a wrong master password is an auth error at the master', async () => {
    const error = await scalerError(
      triggers.readOnce('redis-sentinel', { metadata: metadata({ listName: 'jobs' }), authParams: auth({ password: 'not-the-master-pw' }) }),
      'auth',
      new RegExp(`^authentication failed for user default at master "mymaster" via the sentinels at ${sentinel.sentinelAddress}: wrong password\\?`),
    );
    expect(everythingIn(error)).not.toContain('not-the-master-pw');
  });

  it('a master name the sentinels do not know is a not-found error', async () => {
    await scalerError(
      triggers.readOnce('redis-sentinel', { metadata: metadata({ listName: 'jobs', sentinelMaster: 'othermaster' }), authParams: auth() }),
      'not-found',
      /^the sentinels at .* do not know a master named "othermaster": check sentinelMaster$/,
    );
  });

  it('no sentinelMaster at all fails each read with not-found (the trigger parses with a warning)', async () => {
    const scaler = triggers.create('redis-sentinel', { metadata: { addresses: sentinel.sentinelAddress, listName: 'jobs' }, authParams: auth() });
    await scalerError(triggers.read(scaler), 'not-found', /^sentinelMaster is not set/);
  });
});

describe('redis-sentinel-streams', () => {
  it.each([
    ['XLEN', {}, 3],
    ['XPENDING', { consumerGroup: 'workers' }, 1],
    ['lag', { consumerGroup: 'workers', lagCount: '5' }, 2],
  ])('%s', async (_, mode, expected) => {
    const result = await triggers.readOnce('redis-sentinel-streams', { metadata: metadata({ stream: 'orders', ...mode }), authParams: auth() });
    expect(result.values[0]!.value).toBe(expected);
  });

  it('a missing stream reads 0 with empty', async () => {
    const result = await triggers.readOnce('redis-sentinel-streams', { metadata: metadata({ stream: 'none', consumerGroup: 'workers' }), authParams: auth() });
    expect([result.values[0]!.value, result.empty?.reason]).toEqual([0, expect.stringMatching(/^stream "none" does not exist \(yet\) in database 0 at master "mymaster"/)]);
  });
});

// The conformance suite through the same sentinel; the suite's addresses stand in for the sentinel.
describe('redis-sentinel conformance', () => {
  describeScalerConformance(redisScalerModule, () => ({
    type: 'redis-sentinel',
    value: { metadata: metadata({ listName: 'jobs', listLength: '2' }), authParams: auth() },
    unreachable: (at) => ({ metadata: { addresses: at.address, sentinelMaster: sentinel.masterName, listName: 'jobs' }, authParams: auth() }),
    silent: (at) => ({ metadata: { addresses: at.address, sentinelMaster: sentinel.masterName, listName: 'jobs' }, authParams: auth() }),
    secrets: [masterPassword, sentinelPassword],
  }));
});

describe('redis-sentinel-streams conformance', () => {
  describeScalerConformance(redisScalerModule, () => ({
    type: 'redis-sentinel-streams',
    value: { metadata: metadata({ stream: 'orders', streamLength: '2' }), authParams: auth() },
    empty: { metadata: metadata({ stream: 'none', streamLength: '2' }), authParams: auth() },
    unreachable: (at) => ({ metadata: { addresses: at.address, sentinelMaster: sentinel.masterName, stream: 'orders' }, authParams: auth() }),
    silent: (at) => ({ metadata: { addresses: at.address, sentinelMaster: sentinel.masterName, stream: 'orders' }, authParams: auth() }),
    secrets: [masterPassword, sentinelPassword],
  }));
});
