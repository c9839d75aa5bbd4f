import { ContainerModule } from 'inversify';
import { ScalerFactory } from '@updraft/core';
import { REDIS_TRIGGER_TYPES, RedisScalerFactory } from './factories.js';
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
  for (const triggerType of REDIS_TRIGGER_TYPES) {
    bind(ScalerFactory)
      .toDynamicValue((context) => new RedisScalerFactory(triggerType, context.get<RedisConnections>(RedisConnections)))
      .inSingletonScope();
  }
});

export default redisScalerModule;
