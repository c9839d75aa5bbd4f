import { Container } from 'inversify';
import { coreModule, DuplicateTriggerTypeError, ScalerRegistry } from '@updraft/core';
import { expect, it } from 'vitest';
import { redisClusterMetadata, redisMetadata, redisSentinelMetadata } from './lists-metadata.js';
import { redisScalerModule } from './module.js';
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
