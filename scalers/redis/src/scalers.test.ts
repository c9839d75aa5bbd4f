import { createServer, type AddressInfo } from 'node:net';
import { Container } from 'inversify';
import { BackendCalls, coreModule, ScalerError, ScalerRegistry, type MetricType, type Scaler } from '@updraft/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { RedisConnectionMetadata } from './connection-metadata.js';
import { RedisListsScaler } from './lists-scaler.js';
import { redisScalerModule } from './module.js';
import { RedisConnections } from './redis-connections.js';
import { redisTarget } from './redis-target.js';
import { RedisStreamsScaler } from './streams-scaler.js';

const container = new Container();
container.load(coreModule, redisScalerModule);
const registry = container.get<ScalerRegistry>(ScalerRegistry);
const created: Scaler[] = [];
afterEach(async () => {
  await Promise.all(created.splice(0).map((scaler) => scaler.close()));
});

/** Parses a trigger the way the engine does, then lets the type's factory create its scaler. */
function scalerFor(type: string, metadata: Record<string, string>, triggerIndex = 0, metricType: MetricType = 'AverageValue'): Scaler {
  const factory = registry.get(type);
  const parsed = factory.metadata.parse({ triggerMetadata: metadata, authParams: {}, resolvedEnv: {} });
  expect(parsed.problems.filter((p) => p.severity === 'error')).toEqual([]);
  const scaler = factory.create({
    metadata: parsed.metadata!,
    triggerType: type,
    triggerIndex,
    metricType,
    useCachedMetrics: false,
    scaledObject: { namespace: 'default', name: 'worker' },
  });
  created.push(scaler);
  return scaler;
}

const lists = { address: 'redis:6379', sentinelMaster: 'mymaster' };
const withoutSentinel = (type: string, metadata: Record<string, string>) =>
  type.startsWith('redis-sentinel') ? metadata : Object.fromEntries(Object.entries(metadata).filter(([key]) => key !== 'sentinelMaster'));

describe('metric names and targets (KEDA: s<i>-redis-<listName>, s<i>-redis-streams-<stream>, integer targets)', () => {
  it.each<[string, Record<string, string>, number, string, number]>([
    // KEDA redisMetricIdentifiers
    ['redis', { listName: 'mylist' }, 0, 's0-redis-mylist', 5],
    ['redis', { listName: 'mylist' }, 1, 's1-redis-mylist', 5],
    ['redis', { listName: 'mylist', listLength: '10' }, 0, 's0-redis-mylist', 10],
    ['redis', { listName: 'jobs:high/v1.2(%)' }, 3, 's3-redis-jobs-high-v1-2---', 5],
    ['redis-cluster', { listName: 'mylist', listLength: '7' }, 2, 's2-redis-mylist', 7],
    ['redis-sentinel', { listName: 'mylist' }, 0, 's0-redis-mylist', 5],
    // KEDA redisStreamMetricIdentifiers
    ['redis-streams', { stream: 'my-stream', consumerGroup: 'my-stream-consumer-group', pendingEntriesCount: '5' }, 0, 's0-redis-streams-my-stream', 5],
    ['redis-streams', { stream: 'my-stream', consumerGroup: 'my-stream-consumer-group', pendingEntriesCount: '5' }, 1, 's1-redis-streams-my-stream', 5],
    // the target follows the mode
    ['redis-streams', { stream: 'my-stream', streamLength: '20', pendingEntriesCount: '30' }, 0, 's0-redis-streams-my-stream', 20],
    ['redis-cluster-streams', { stream: 'orders.v1', consumerGroup: 'g', pendingEntriesCount: '30', streamLength: '20' }, 0, 's0-redis-streams-orders-v1', 30],
    ['redis-sentinel-streams', { stream: 'my-stream', consumerGroup: 'g', lagCount: '7', pendingEntriesCount: '30' }, 4, 's4-redis-streams-my-stream', 7],
  ])('%s %j, trigger %i → %s, target %i', (type, metadata, triggerIndex, metricName, target) => {
    const scaler = scalerFor(type, withoutSentinel(type, { ...lists, ...metadata }), triggerIndex);
    expect(scaler.getMetricSpecs()).toEqual([{ metricName, target, metricType: 'AverageValue' }]);
  });

  it.each([
    ['redis', { listName: 'l' }],
    ['redis-streams', { stream: 's' }],
  ])('%s passes the trigger metric type through', (type, metadata) => {
    const scaler = scalerFor(type, { address: 'redis:6379', ...metadata }, 0, 'Value');
    expect(scaler.getMetricSpecs()[0]!.metricType).toBe('Value');
  });
});

describe('creating and closing, without a server', () => {
  const cases = [
    ['redis', RedisListsScaler, 'standalone', { listName: 'l' }],
    ['redis-cluster', RedisListsScaler, 'cluster', { listName: 'l' }],
    ['redis-sentinel', RedisListsScaler, 'sentinel', { listName: 'l' }],
    ['redis-streams', RedisStreamsScaler, 'standalone', { stream: 's' }],
    ['redis-cluster-streams', RedisStreamsScaler, 'cluster', { stream: 's' }],
    ['redis-sentinel-streams', RedisStreamsScaler, 'sentinel', { stream: 's' }],
  ] as const;

  it.each(cases)('%s: a %o for %s; create does no I/O (the client waits for the first read)', async (type, kind, topology, metadata) => {
    const scaler = scalerFor(type, withoutSentinel(type, { ...lists, ...metadata }));
    expect(scaler).toBeInstanceOf(kind);
    expect((scaler as RedisListsScaler | RedisStreamsScaler).topology).toBe(topology);
    const connections = container.get<RedisConnections>(RedisConnections);
    const parsed = registry.get(type).metadata.parse({ triggerMetadata: withoutSentinel(type, { ...lists, ...metadata }), authParams: {}, resolvedEnv: {} });
    const lease = connections.acquire(redisTarget(parsed.metadata as RedisConnectionMetadata, topology));
    expect(lease.resource.client.status).toBe('wait');
    await lease.release();
    await scaler.close();
    await scaler.close();
    expect(connections.size).toBe(0);
  });

  it.each(cases)('%s: a read after close() rejects, never 0', async (type, _, __, metadata) => {
    const scaler = scalerFor(type, withoutSentinel(type, { ...lists, ...metadata }));
    await scaler.close();
    const read = scaler.getMetricsAndActivity(scaler.getMetricSpecs()[0]!.metricName, new AbortController().signal);
    await expect(read).rejects.toBeInstanceOf(ScalerError);
    await expect(read).rejects.toMatchObject({ kind: 'internal', message: expect.stringMatching(/closed/) });
  });

  it('an address that cannot be dialled fails each read with the reason, and takes no connection', async () => {
    const scaler = scalerFor('redis', { address: 'redis:port', listName: 'l' });
    expect(container.get<RedisConnections>(RedisConnections).size).toBe(0);
    await expect(scaler.getMetricsAndActivity('m', new AbortController().signal)).rejects.toMatchObject({
      kind: 'unreachable',
      message: 'cannot dial "redis:port": an address must be host:port with a port from 1 to 65535',
    });
    await scaler.close();
  });

  it('a fired AbortSignal rejects with timeout before anything is sent', async () => {
    const scaler = scalerFor('redis', { address: '127.0.0.1:1', listName: 'l' });
    const controller = new AbortController();
    controller.abort(new Error('the trigger timed out'));
    await expect(scaler.getMetricsAndActivity('m', controller.signal)).rejects.toMatchObject({
      kind: 'timeout',
      message: 'gave up reading from 127.0.0.1:1: the trigger timed out',
    });
    expect(container.get<BackendCalls>(BackendCalls).count('redis')).toBe(0);
    await scaler.close();
  });

  it('a port nothing listens on is unreachable, with the address', async () => {
    const port = await closedPort();
    const scaler = scalerFor('redis-streams', { address: `127.0.0.1:${port}`, stream: 's' });
    await expect(scaler.getMetricsAndActivity('m', AbortSignal.timeout(5_000))).rejects.toMatchObject({
      kind: 'unreachable',
      message: `cannot connect to 127.0.0.1:${port}: connection refused (is the server running there, and is the port right?)`,
    });
    await scaler.close();
  });
});

/** A port that was free a moment ago: nothing listens on it. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
