import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { describeScalerConformance } from '@updraft/core/testing/vitest';
import redisScalerModule from '@updraft/scaler-redis';
import { freePort } from '../harness/process.js';
import { startRedisCluster, type RedisClusterInstance } from '../harness/redis.js';
import { everythingIn, redisTriggers, scalerError } from './triggers.js';

// `redis-cluster` and `redis-cluster-streams` against a real three-master Redis Cluster (with a
// password): keys on every node, one client for the whole cluster, and the cluster's failures.

const password = 'cluster-secret';
let cluster: RedisClusterInstance;
const triggers = redisTriggers({ connectTimeoutMs: 1_000, commandTimeoutMs: 2_000 });
const keys = ['jobs-a', 'jobs-b', 'jobs-c', 'jobs-d', 'jobs-e', 'jobs-f'];

beforeAll(async () => {
  cluster = await startRedisCluster({ password });
  const admin = cluster.admin();
  for (const [i, key] of keys.entries()) {
    await admin.rpush(key, ...Array.from({ length: i + 1 }, (_, n) => String(n)));
    await admin.xadd(`stream-${key}`, '*', 'n', '1');
    await admin.xadd(`stream-${key}`, '*', 'n', '2');
    await admin.xgroup('CREATE', `stream-${key}`, 'workers', '0');
    await admin.xreadgroup('GROUP', 'workers', 'w', 'COUNT', 1, 'STREAMS', `stream-${key}`, '>');
  }
});

afterEach(() => triggers.closeAll());
afterAll(async () => {
  await triggers.closeAll();
  await cluster?.stop();
});

const connection = () => ({ addresses: cluster.addresses.join(', ') });

it('the test keys live on more than one node', async () => {
  const nodes = new Set(await Promise.all(keys.map(async (key) => (await cluster.nodeOf(key)).port)));
  expect(nodes.size).toBeGreaterThan(1);
});

describe('redis-cluster', () => {
  it('reads each list on whichever node holds it, through one client', async () => {
    const scalers = keys.map((listName) => triggers.create('redis-cluster', { metadata: { ...connection(), listName }, authParams: { password } }));
    expect(await Promise.all(scalers.map((scaler) => triggers.value(scaler)))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(triggers.connections.size).toBe(1);
    // One connection per node at most: the client's, not one per trigger.
    const perNode = await Promise.all(cluster.nodes.map((node) => node.clients()));
    for (const count of perNode) expect(count).toBeLessThanOrEqual(1);
    const used = new Set(await Promise.all(keys.map(async (key) => (await cluster.nodeOf(key)).port)));
    expect(perNode.reduce((a, b) => a + b, 0)).toBe(used.size);
    await triggers.closeAll();
    expect(await Promise.all(cluster.nodes.map((node) => node.clients()))).toEqual([0, 0, 0]);
  });

  it('one seed address is enough: the client learns the other nodes', async () => {
    const scalers = keys.map((listName) => triggers.create('redis-cluster', { metadata: { address: cluster.addresses[0]!, listName }, authParams: { password } }));
    expect(await Promise.all(scalers.map((scaler) => triggers.value(scaler)))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('a missing key reads 0, and a key of another type is a query error', async () => {
    expect((await triggers.readOnce('redis-cluster', { metadata: { ...connection(), listName: 'none-here' }, authParams: { password } })).values[0]!.value).toBe(0);
    await scalerError(
      triggers.readOnce('redis-cluster', { metadata: { ...connection(), listName: 'stream-jobs-a' }, authParams: { password } }),
      'query',
      /^key "stream-jobs-a" in the Redis Cluster at .* is a stream, not a list/,
    );
  });

  it('a wrong password is an auth error naming the cluster, never the password', async () => {
    const error = await scalerError(
      triggers.readOnce('redis-cluster', { metadata: { ...connection(), listName: 'jobs-a' }, authParams: { password: 'wrong-cluster-pw' } }),
      'auth',
      /^authentication failed for user default at the Redis Cluster at 127\.0\.0\.1:\d+, .*: wrong password\?/,
    );
    expect(everythingIn(error)).not.toContain('wrong-cluster-pw');
  });

  it('no node reachable is an unreachable error', async () => {
    const dead = [await freePort(), await freePort()].map((port) => `127.0.0.1:${port}`).join(',');
    await scalerError(triggers.readOnce('redis-cluster', { metadata: { addresses: dead, listName: 'jobs-a' } }), 'unreachable', /^cannot connect to any node of the Redis Cluster at 127\.0\.0\.1:\d+, 127\.0\.0\.1:\d+: each refused or closed the connection/);
  });
});

describe('redis-cluster-streams', () => {
  it.each([
    ['XLEN', {}, 2],
    ['XPENDING', { consumerGroup: 'workers' }, 1],
    ['lag', { consumerGroup: 'workers', lagCount: '10' }, 1],
  ])('%s on streams across the nodes', async (_, mode, expected) => {
    const scalers = keys.map((key) => triggers.create('redis-cluster-streams', { metadata: { ...connection(), stream: `stream-${key}`, ...mode }, authParams: { password } }));
    expect(await Promise.all(scalers.map((scaler) => triggers.value(scaler)))).toEqual(keys.map(() => expected));
  });

  it('a missing stream reads 0 with empty; a missing group in lag mode falls back to XLEN', async () => {
    const missing = await triggers.readOnce('redis-cluster-streams', { metadata: { ...connection(), stream: 'stream-none', consumerGroup: 'workers' }, authParams: { password } });
    expect(missing.values[0]!.value).toBe(0);
    expect(missing.empty?.reason).toMatch(/^stream "stream-none" does not exist \(yet\) in the Redis Cluster at /);
    const fallback = await triggers.readOnce('redis-cluster-streams', { metadata: { ...connection(), stream: 'stream-jobs-c', consumerGroup: 'nobody', lagCount: '1' }, authParams: { password } });
    expect([fallback.values[0]!.value, fallback.empty]).toEqual([2, undefined]);
  });
});

// The conformance suite on the same cluster: a list and a stream on whichever node holds them.
describe('redis-cluster conformance', () => {
  describeScalerConformance(redisScalerModule, () => ({
    type: 'redis-cluster',
    value: { metadata: { ...connection(), listName: 'jobs-c', listLength: '2' }, authParams: { password } },
    unreachable: (at) => ({ metadata: { addresses: at.address, listName: 'jobs-c' }, authParams: { password } }),
    silent: (at) => ({ metadata: { addresses: at.address, listName: 'jobs-c' }, authParams: { password } }),
    secrets: [password],
  }));
});

describe('redis-cluster-streams conformance', () => {
  describeScalerConformance(redisScalerModule, () => ({
    type: 'redis-cluster-streams',
    value: { metadata: { ...connection(), stream: 'stream-jobs-c', streamLength: '1' }, authParams: { password } },
    empty: { metadata: { ...connection(), stream: 'stream-none', streamLength: '1' }, authParams: { password } },
    unreachable: (at) => ({ metadata: { addresses: at.address, stream: 'stream-jobs-c' }, authParams: { password } }),
    silent: (at) => ({ metadata: { addresses: at.address, stream: 'stream-jobs-c' }, authParams: { password } }),
    secrets: [password],
  }));
});
