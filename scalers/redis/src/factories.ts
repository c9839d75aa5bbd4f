import { inject, injectable } from 'inversify';
import type { MetadataOf, ScalerConfig, ScalerFactory } from '@updraft/core';
import { redisClusterMetadata, redisMetadata, redisSentinelMetadata } from './lists-metadata.js';
import { RedisListsScaler } from './lists-scaler.js';
import { RedisConnections } from './redis-connections.js';
import { redisClusterStreamsMetadata, redisSentinelStreamsMetadata, redisStreamsMetadata } from './streams-metadata.js';
import { RedisStreamsScaler } from './streams-scaler.js';

// One factory per trigger type, as KEDA's buildScaler has one case per type: the type picks the
// declaration (which parameters exist) and the topology the scaler will connect with. All of them
// hand their scalers the one RedisConnections of the container, so triggers share clients.

@injectable()
export class RedisScalerFactory implements ScalerFactory<typeof redisMetadata.params> {
  readonly type = 'redis';
  readonly metadata = redisMetadata;
  constructor(@inject(RedisConnections) private readonly connections: RedisConnections) {}
  create(config: ScalerConfig<MetadataOf<typeof redisMetadata>>): RedisListsScaler {
    return new RedisListsScaler(config, 'standalone', this.connections);
  }
}

@injectable()
export class RedisClusterScalerFactory implements ScalerFactory<typeof redisClusterMetadata.params> {
  readonly type = 'redis-cluster';
  readonly metadata = redisClusterMetadata;
  constructor(@inject(RedisConnections) private readonly connections: RedisConnections) {}
  create(config: ScalerConfig<MetadataOf<typeof redisClusterMetadata>>): RedisListsScaler {
    return new RedisListsScaler(config, 'cluster', this.connections);
  }
}

@injectable()
export class RedisSentinelScalerFactory implements ScalerFactory<typeof redisSentinelMetadata.params> {
  readonly type = 'redis-sentinel';
  readonly metadata = redisSentinelMetadata;
  constructor(@inject(RedisConnections) private readonly connections: RedisConnections) {}
  create(config: ScalerConfig<MetadataOf<typeof redisSentinelMetadata>>): RedisListsScaler {
    return new RedisListsScaler(config, 'sentinel', this.connections);
  }
}

@injectable()
export class RedisStreamsScalerFactory implements ScalerFactory<typeof redisStreamsMetadata.params> {
  readonly type = 'redis-streams';
  readonly metadata = redisStreamsMetadata;
  constructor(@inject(RedisConnections) private readonly connections: RedisConnections) {}
  create(config: ScalerConfig<MetadataOf<typeof redisStreamsMetadata>>): RedisStreamsScaler {
    return new RedisStreamsScaler(config, 'standalone', this.connections);
  }
}

@injectable()
export class RedisClusterStreamsScalerFactory implements ScalerFactory<typeof redisClusterStreamsMetadata.params> {
  readonly type = 'redis-cluster-streams';
  readonly metadata = redisClusterStreamsMetadata;
  constructor(@inject(RedisConnections) private readonly connections: RedisConnections) {}
  create(config: ScalerConfig<MetadataOf<typeof redisClusterStreamsMetadata>>): RedisStreamsScaler {
    return new RedisStreamsScaler(config, 'cluster', this.connections);
  }
}

@injectable()
export class RedisSentinelStreamsScalerFactory implements ScalerFactory<typeof redisSentinelStreamsMetadata.params> {
  readonly type = 'redis-sentinel-streams';
  readonly metadata = redisSentinelStreamsMetadata;
  constructor(@inject(RedisConnections) private readonly connections: RedisConnections) {}
  create(config: ScalerConfig<MetadataOf<typeof redisSentinelStreamsMetadata>>): RedisStreamsScaler {
    return new RedisStreamsScaler(config, 'sentinel', this.connections);
  }
}
