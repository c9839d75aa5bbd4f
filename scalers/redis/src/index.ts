export { redisScalerModule as default, redisScalerModule } from './module.js';
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
export { RedisConnections, RedisConnectionsImpl, TriggerConnection } from './redis-connections.js';
export {
  RedisConnection,
  RedisConnectionSettings,
  defaultRedisConnectionSettings,
  type RedisClient,
} from './redis-connection.js';
export {
  redisTarget,
  redisConnectionKey,
  parseRedisAddress,
  describeRedisTarget,
  type RedisTarget,
  type RedisEndpoint,
  type RedisTlsMaterial,
} from './redis-target.js';
export { redisScalerError, type RedisErrorContext } from './redis-errors.js';
export { KEY_LENGTH_SCRIPT } from './lists-scaler.js';
