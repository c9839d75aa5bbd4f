import { defineMetadata, p, type Infer, type MetadataRule } from '@updraft/core/metadata';
import { redisConnectionRules, redisTopologyParams, type RedisConnectionMetadata } from './connection-metadata.js';

/** What a streams trigger measures and its targets (KEDA's redisStreamsMetadata, pkg/scalers/redis_streams_scaler.go). */
export const redisStreamParams = {
  stream: p.string().required().describe('Stream key.'),
  consumerGroup: p.string().describe('Consumer group. Without it the trigger scales on the stream length (XLEN); with it, on the group\'s pending entries (XPENDING) or, when `lagCount` is set, its lag.'),
  pendingEntriesCount: p.integer().default(5).describe('Target number of pending entries, used when `consumerGroup` is set and `lagCount` is not.'),
  streamLength: p.integer().default(5).describe('Target stream length, used when `consumerGroup` is not set.'),
  lagCount: p.integer().default(0).describe('Target lag of the consumer group (Redis 7 or later). Not 0 together with `consumerGroup` selects lag mode.'),
  activationLagCount: p.integer().default(0).describe('The trigger is active when the value (length, pending entries or lag) is above this.'),
};

/** Parsed metadata of any streams trigger: `redis-streams`, `redis-cluster-streams` or `redis-sentinel-streams`. */
export type RedisStreamsMetadata = Infer<typeof redisStreamParams> & RedisConnectionMetadata;

/** What a streams trigger counts, and the parameter that holds its HPA target. */
export interface StreamsMode {
  /** `length`: XLEN of the stream; `pending`: XPENDING count of the group; `lag`: the group's lag from XINFO GROUPS. */
  readonly mode: 'length' | 'pending' | 'lag';
  readonly targetParameter: 'streamLength' | 'pendingEntriesCount' | 'lagCount';
  readonly target: number;
}

/** KEDA's mode selection (redisStreamsMetadata.Validate): no group → length; a group → pending, or lag when lagCount ≠ 0. */
export function streamsMode(metadata: Pick<RedisStreamsMetadata, 'consumerGroup' | 'lagCount' | 'pendingEntriesCount' | 'streamLength'>): StreamsMode {
  if (!metadata.consumerGroup) return { mode: 'length', targetParameter: 'streamLength', target: metadata.streamLength };
  if (metadata.lagCount !== 0) return { mode: 'lag', targetParameter: 'lagCount', target: metadata.lagCount };
  return { mode: 'pending', targetParameter: 'pendingEntriesCount', target: metadata.pendingEntriesCount };
}

// KEDA chooses silently; say when a setting has no effect, and when the HPA will refuse the target.
const streamsModeRule: MetadataRule<RedisStreamsMetadata> = (m, context) => {
  const { mode, targetParameter, target } = streamsMode(m);
  if (mode === 'length' && m.lagCount !== 0) {
    context.warning('lagCount has no effect without consumerGroup: the trigger scales on the stream length (XLEN) with the target streamLength', 'lagCount');
  }
  if (target <= 0) context.warning(`${targetParameter} is ${target}, but the HPA accepts only a positive target`, targetParameter);
};

/** `redis-streams`: one Redis server. */
export const redisStreamsMetadata = defineMetadata(
  { ...redisStreamParams, ...redisTopologyParams.standalone },
  { rules: [...redisConnectionRules.standalone, streamsModeRule] },
);

/** `redis-cluster-streams`: the nodes of a Redis Cluster. */
export const redisClusterStreamsMetadata = defineMetadata(
  { ...redisStreamParams, ...redisTopologyParams.cluster },
  { rules: [...redisConnectionRules.cluster, streamsModeRule] },
);

/** `redis-sentinel-streams`: the master that Redis Sentinels point to. */
export const redisSentinelStreamsMetadata = defineMetadata(
  { ...redisStreamParams, ...redisTopologyParams.sentinel },
  { rules: [...redisConnectionRules.sentinel, streamsModeRule] },
);
