import { Container } from 'inversify';
import { coreModule, DuplicateTriggerTypeError, ScalerRegistry } from '@updraft/core';
import { expect, it } from 'vitest';
import { redisClusterMetadata, redisMetadata, redisSentinelMetadata } from './lists-metadata.js';
import { redisScalerModule } from './module.js';
import { RedisConnections, RedisConnectionsImpl } from './redis-connections.js';
import type { RedisTarget } from './redis-target.js';
import { redisClusterStreamsMetadata, redisSentinelStreamsMetadata, redisStreamsMetadata } from './streams-metadata.js';
import defaultExport from './index.js';

function registryOf(...modules: Parameters<Container['load']>) {
  const container = new Container();
  container.load(coreModule, ...modules);
  return container.get<ScalerRegistry>(ScalerRegistry);
}

it('the module contributes the six redis trigger types', () => {
  expect(registryOf(redisScalerModule).types()).toEqual([
    'redis',
    'redis-cluster',
    'redis-cluster-streams',
    'redis-sentinel',
    'redis-sentinel-streams',
    'redis-streams',
  ]);
});

it.each([
  ['redis', redisMetadata],
  ['redis-cluster', redisClusterMetadata],
  ['redis-sentinel', redisSentinelMetadata],
  ['redis-streams', redisStreamsMetadata],
  ['redis-cluster-streams', redisClusterStreamsMetadata],
  ['redis-sentinel-streams', redisSentinelStreamsMetadata],
])('%s is parsed with its own declaration', (type, declaration) => {
  expect(registryOf(redisScalerModule).get(type).metadata).toBe(declaration);
});

it('the package default export is the module (what the plugin loader imports)', () => {
  expect(defaultExport).toBe(redisScalerModule);
});

it('loading the module twice is refused, naming the type', () => {
  expect(() => registryOf(redisScalerModule, redisScalerModule)).toThrow(DuplicateTriggerTypeError);
});

it('the factories share the module\'s one RedisConnections singleton', () => {
  const container = new Container();
  container.load(coreModule, redisScalerModule);
  expect(container.get(RedisConnections)).toBe(container.get(RedisConnectionsImpl));
  expect(container.get(RedisConnections)).toBe(container.get(RedisConnections));
});

it('an adopter can rebind RedisConnections, and every redis trigger type uses the replacement', async () => {
  const container = new Container();
  container.load(coreModule, redisScalerModule);
  const acquired: RedisTarget[] = [];
  const real = container.get<RedisConnections>(RedisConnectionsImpl);
  container.rebind<RedisConnections>(RedisConnections).toConstantValue({
    acquire: (target) => {
      acquired.push(target);
      return real.acquire(target);
    },
    get size() {
      return real.size;
    },
  });
  const registry = container.get<ScalerRegistry>(ScalerRegistry);
  for (const type of registry.types()) {
    const factory = registry.get(type);
    const what: Record<string, string> = type.includes('streams') ? { stream: 's' } : { listName: 'l' };
    const parsed = factory.metadata.parse({ triggerMetadata: { address: 'redis:6379', sentinelMaster: 'm', ...what }, authParams: {}, resolvedEnv: {} });
    const scaler = factory.create({ metadata: parsed.metadata!, triggerType: type, triggerIndex: 0, metricType: 'AverageValue', useCachedMetrics: false, scaledObject: { namespace: 'n', name: 'so' } });
    await scaler.close();
  }
  expect(acquired.map((target) => target.topology)).toEqual(['standalone', 'cluster', 'cluster', 'sentinel', 'sentinel', 'standalone']);
  expect(real.size).toBe(0);
});
