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

/** Contributes the six redis trigger types: lists and streams, each standalone, cluster and sentinel. */
export const redisScalerModule = new ContainerModule(({ bind }) => {
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
