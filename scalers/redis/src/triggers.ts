import type { TriggerDeclaration } from '@updraft/core/metadata';
import { redisClusterMetadata, redisMetadata, redisSentinelMetadata } from './lists-metadata.js';
import { redisClusterStreamsMetadata, redisSentinelStreamsMetadata, redisStreamsMetadata } from './streams-metadata.js';

/**
 * The six redis triggers' declaration alone, without the scaler or its client library: the package's
 * `./triggers` entry, which `updraft validate` imports to check a file in a blink.
 */
export const redisListsTriggers = {
  standalone: { type: 'redis', metadata: redisMetadata },
  cluster: { type: 'redis-cluster', metadata: redisClusterMetadata },
  sentinel: { type: 'redis-sentinel', metadata: redisSentinelMetadata },
} as const;

export const redisStreamsTriggers = {
  standalone: { type: 'redis-streams', metadata: redisStreamsMetadata },
  cluster: { type: 'redis-cluster-streams', metadata: redisClusterStreamsMetadata },
  sentinel: { type: 'redis-sentinel-streams', metadata: redisSentinelStreamsMetadata },
} as const;

// Any parameter shape: each declaration keeps its own.
export const triggers: readonly TriggerDeclaration<any>[] = [...Object.values(redisListsTriggers), ...Object.values(redisStreamsTriggers)];
