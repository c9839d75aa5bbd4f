import { ContainerModule } from 'inversify';
import { ScalerFactory } from '@updraft/core';
import {
  RedisClusterScalerFactory,
  RedisClusterStreamsScalerFactory,
  RedisScalerFactory,
  RedisSentinelScalerFactory,
  RedisSentinelStreamsScalerFactory,
  RedisStreamsScalerFactory,
} from './factories.js';
import { RedisConnections, RedisConnectionsImpl } from './redis-connections.js';

/**
 * Contributes the six redis trigger types: lists and streams, each standalone, cluster and sentinel.
 * Their factories share one RedisConnections; bind RedisConnectionSettings to tune its timeouts.
 */
export const redisScalerModule = new ContainerModule(({ bind, isBound }) => {
  // Once per container, even if the plugin is loaded twice: the registry then names the
  // duplicate trigger types, and a second copy of this package shares the first one's connections.
  if (!isBound(RedisConnections)) {
    bind(RedisConnectionsImpl).toSelf().inSingletonScope();
    bind(RedisConnections).toService(RedisConnectionsImpl);
  }
  bind(RedisScalerFactory).toSelf().inSingletonScope();
  bind(ScalerFactory).toService(RedisScalerFactory);
  bind(RedisClusterScalerFactory).toSelf().inSingletonScope();
  bind(ScalerFactory).toService(RedisClusterScalerFactory);
  bind(RedisSentinelScalerFactory).toSelf().inSingletonScope();
  bind(ScalerFactory).toService(RedisSentinelScalerFactory);
  bind(RedisStreamsScalerFactory).toSelf().inSingletonScope();
  bind(ScalerFactory).toService(RedisStreamsScalerFactory);
  bind(RedisClusterStreamsScalerFactory).toSelf().inSingletonScope();
  bind(ScalerFactory).toService(RedisClusterStreamsScalerFactory);
  bind(RedisSentinelStreamsScalerFactory).toSelf().inSingletonScope();
  bind(ScalerFactory).toService(RedisSentinelStreamsScalerFactory);
});

export default redisScalerModule;
