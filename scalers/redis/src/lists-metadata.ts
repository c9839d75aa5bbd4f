import { defineMetadata, p, type Infer, type MetadataRule } from '@updraft/core/metadata';
import { redisConnectionRules, redisTopologyParams, type RedisConnectionMetadata } from './connection-metadata.js';

/** What a list trigger measures and its targets (KEDA's redisMetadata, pkg/scalers/redis_scaler.go). */
export const redisListParams = {
  listName: p.string().required().describe('Key to measure: the length of a list, set, sorted set or hash. A missing key counts as 0.'),
  listLength: p.integer().default(5).describe('Target length for the HPA (per replica with the default `AverageValue` metric type).'),
  activationListLength: p.integer().default(0).describe('The trigger is active when the length is above this.'),
};

/** Parsed metadata of any list trigger: `redis`, `redis-cluster` or `redis-sentinel`. */
export type RedisListsMetadata = Infer<typeof redisListParams> & RedisConnectionMetadata;

// KEDA accepts any integer, but the HPA rejects a target that is not positive.
const listLengthRule: MetadataRule<RedisListsMetadata> = (m, context) => {
  if (m.listLength <= 0) context.warning(`listLength is ${m.listLength}, but the HPA accepts only a positive target`, 'listLength');
};

/** `redis`: one Redis server. */
export const redisMetadata = defineMetadata(
  { ...redisListParams, ...redisTopologyParams.standalone },
  { rules: [...redisConnectionRules.standalone, listLengthRule] },
);

/** `redis-cluster`: the nodes of a Redis Cluster. */
export const redisClusterMetadata = defineMetadata(
  { ...redisListParams, ...redisTopologyParams.cluster },
  { rules: [...redisConnectionRules.cluster, listLengthRule] },
);

/** `redis-sentinel`: the master that Redis Sentinels point to. */
export const redisSentinelMetadata = defineMetadata(
  { ...redisListParams, ...redisTopologyParams.sentinel },
  { rules: [...redisConnectionRules.sentinel, listLengthRule] },
);
