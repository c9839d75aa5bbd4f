import { Container } from 'inversify';
import { coreModule, ScalerError, ScalerRegistry, type MetricType, type Scaler } from '@updraft/core';
import { describe, expect, it } from 'vitest';
import { RedisListsScaler } from './lists-scaler.js';
import { redisScalerModule } from './module.js';
import { RedisStreamsScaler } from './streams-scaler.js';

const registry = (() => {
  const container = new Container();
  container.load(coreModule, redisScalerModule);
  return container.get<ScalerRegistry>(ScalerRegistry);
})();

/** Parses a trigger the way the engine does, then lets the type's factory create its scaler. */
function scalerFor(type: string, metadata: Record<string, string>, triggerIndex = 0, metricType: MetricType = 'AverageValue'): Scaler {
  const factory = registry.get(type);
  const parsed = factory.metadata.parse({ triggerMetadata: metadata, authParams: {}, resolvedEnv: {} });
  expect(parsed.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return factory.create({
    metadata: parsed.metadata!,
    triggerType: type,
    triggerIndex,
    metricType,
    useCachedMetrics: false,
    scaledObject: { namespace: 'default', name: 'worker' },
  });
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

describe('reading values (not in this build)', () => {
  it.each([
    ['redis', RedisListsScaler, 'standalone', { listName: 'l' }],
    ['redis-cluster', RedisListsScaler, 'cluster', { listName: 'l' }],
    ['redis-sentinel', RedisListsScaler, 'sentinel', { listName: 'l' }],
    ['redis-streams', RedisStreamsScaler, 'standalone', { stream: 's' }],
    ['redis-cluster-streams', RedisStreamsScaler, 'cluster', { stream: 's' }],
    ['redis-sentinel-streams', RedisStreamsScaler, 'sentinel', { stream: 's' }],
  ] as const)('%s: a %o for %s rejects with ScalerError unsupported, never 0', async (type, kind, topology, metadata) => {
    const scaler = scalerFor(type, withoutSentinel(type, { ...lists, ...metadata }));
    expect(scaler).toBeInstanceOf(kind);
    expect((scaler as RedisListsScaler | RedisStreamsScaler).topology).toBe(topology);
    const read = scaler.getMetricsAndActivity(scaler.getMetricSpecs()[0]!.metricName, new AbortController().signal);
    await expect(read).rejects.toBeInstanceOf(ScalerError);
    await expect(read).rejects.toMatchObject({ kind: 'unsupported' });
    await scaler.close();
    await scaler.close();
  });
});
