import type { MetadataDeclaration, ParamShape, Scaler, ScalerConfig, ScalerFactory } from '@updraft/core';
import type { RedisTopology } from './connection-metadata.js';
import { redisClusterMetadata, redisMetadata, redisSentinelMetadata } from './lists-metadata.js';
import { RedisListsScaler } from './lists-scaler.js';
import type { RedisConnections } from './redis-connections.js';
import { redisClusterStreamsMetadata, redisSentinelStreamsMetadata, redisStreamsMetadata } from './streams-metadata.js';
import { RedisStreamsScaler } from './streams-scaler.js';

/** What makes one redis trigger type: its declaration, its topology, and whether it reads lists or streams. */
export interface RedisTriggerType {
  readonly type: string;
  readonly metadata: MetadataDeclaration<any>;
  readonly topology: RedisTopology;
  readonly reads: 'lists' | 'streams';
}

/** The six trigger types, as KEDA's buildScaler has one case per type. */
export const REDIS_TRIGGER_TYPES: readonly RedisTriggerType[] = [
  { type: 'redis', metadata: redisMetadata, topology: 'standalone', reads: 'lists' },
  { type: 'redis-cluster', metadata: redisClusterMetadata, topology: 'cluster', reads: 'lists' },
  { type: 'redis-sentinel', metadata: redisSentinelMetadata, topology: 'sentinel', reads: 'lists' },
  { type: 'redis-streams', metadata: redisStreamsMetadata, topology: 'standalone', reads: 'streams' },
  { type: 'redis-cluster-streams', metadata: redisClusterStreamsMetadata, topology: 'cluster', reads: 'streams' },
  { type: 'redis-sentinel-streams', metadata: redisSentinelStreamsMetadata, topology: 'sentinel', reads: 'streams' },
];

/**
 * The factory of one redis trigger type. Every instance hands its scalers the container's one
 * RedisConnections, so triggers of any of the six types share clients.
 */
export class RedisScalerFactory implements ScalerFactory<ParamShape> {
  readonly type: string;
  readonly metadata: MetadataDeclaration<ParamShape>;

  constructor(
    private readonly triggerType: RedisTriggerType,
    private readonly connections: RedisConnections,
  ) {
    this.type = triggerType.type;
    this.metadata = triggerType.metadata;
  }

  create(config: ScalerConfig<any>): Scaler {
    const { topology, reads } = this.triggerType;
    return reads === 'lists' ? new RedisListsScaler(config, topology, this.connections) : new RedisStreamsScaler(config, topology, this.connections);
  }
}
