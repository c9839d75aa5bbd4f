import { defineScalers, type ScalerConfig, type ScalerContext } from '@updraft/core';
import type { RedisTopology } from './connection-metadata.js';
import type { RedisListsMetadata } from './lists-metadata.js';
import { RedisListsScaler } from './lists-scaler.js';
import { RedisConnections, RedisConnectionsImpl } from './redis-connections.js';
import type { RedisStreamsMetadata } from './streams-metadata.js';
import { RedisStreamsScaler } from './streams-scaler.js';
import { redisListsTriggers, redisStreamsTriggers } from './triggers.js';

const connections = (context: ScalerContext) => context.get<RedisConnections>(RedisConnections);

const lists = (topology: RedisTopology) => (config: ScalerConfig<RedisListsMetadata>, context: ScalerContext) => new RedisListsScaler(config, topology, connections(context));
const streams = (topology: RedisTopology) => (config: ScalerConfig<RedisStreamsMetadata>, context: ScalerContext) => new RedisStreamsScaler(config, topology, connections(context));

/**
 * Contributes the six redis trigger types: lists and streams, each standalone, cluster and sentinel
 * (as KEDA's buildScaler has one case per type). They share one RedisConnections, so triggers of
 * any of the six share clients; bind RedisConnectionSettings to tune its timeouts.
 */
export const redisScalerModule = defineScalers(
  [
    { ...redisListsTriggers.standalone, create: lists('standalone') },
    { ...redisListsTriggers.cluster, create: lists('cluster') },
    { ...redisListsTriggers.sentinel, create: lists('sentinel') },
    { ...redisStreamsTriggers.standalone, create: streams('standalone') },
    { ...redisStreamsTriggers.cluster, create: streams('cluster') },
    { ...redisStreamsTriggers.sentinel, create: streams('sentinel') },
  ],
  {
    // Once per container, even if the plugin is loaded twice: the registry then names the
    // duplicate trigger types, and a second copy of this package shares the first one's connections.
    bind: ({ bind, isBound }) => {
      if (isBound(RedisConnections)) return;
      bind(RedisConnectionsImpl).toSelf().inSingletonScope();
      bind(RedisConnections).toService(RedisConnectionsImpl);
    },
  },
);

export default redisScalerModule;
