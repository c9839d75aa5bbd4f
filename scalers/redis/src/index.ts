export { redisScalerModule as default, redisScalerModule } from './module.js';
export {
  RedisScalerFactory,
  RedisClusterScalerFactory,
  RedisSentinelScalerFactory,
  RedisStreamsScalerFactory,
  RedisClusterStreamsScalerFactory,
  RedisSentinelStreamsScalerFactory,
} from './factories.js';
export { RedisListsScaler } from './lists-scaler.js';
export { RedisStreamsScaler } from './streams-scaler.js';
export { redisMetadata, redisClusterMetadata, redisSentinelMetadata, redisListParams, type RedisListsMetadata } from './lists-metadata.js';
export {
  redisStreamsMetadata,
  redisClusterStreamsMetadata,
  redisSentinelStreamsMetadata,
  redisStreamParams,
  streamsMode,
  type RedisStreamsMetadata,
  type StreamsMode,
} from './streams-metadata.js';
export {
  redisConnectionParams,
  redisSentinelParams,
  redisDatabaseParams,
  redisTopologyParams,
  redisConnectionRules,
  redisAddresses,
  redisTlsEnabled,
  joinHostPort,
  type RedisConnectionMetadata,
  type RedisTopology,
} from './connection-metadata.js';
