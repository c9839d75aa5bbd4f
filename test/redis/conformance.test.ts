import { afterAll, beforeAll } from 'vitest';
import { describeScalerConformance } from '@updraft/core/testing/vitest';
import redisScalerModule from '@updraft/scaler-redis';
import { startRedis, type RedisInstance } from '../harness/redis.js';

// The conformance suite against a real redis-server with a password.
const password = 'conformance-redis-password';
let redis: RedisInstance;
beforeAll(async () => {
  redis = await startRedis({ password });
  await redis.admin().rpush('jobs', 'a', 'b', 'c');
});
afterAll(async () => redis?.stop());

describeScalerConformance(redisScalerModule, () => ({
  type: 'redis',
  value: { metadata: { address: redis.address, listName: 'jobs', listLength: '2' }, authParams: { password } },
  unreachable: (at) => ({ metadata: { address: at.address, listName: 'jobs' }, authParams: { password } }),
  silent: (at) => ({ metadata: { address: at.address, listName: 'jobs' }, authParams: { password } }),
  secrets: [password],
}));

describeScalerConformance(redisScalerModule, () => ({
  type: 'redis-streams',
  value: { metadata: { address: redis.address, stream: 'events', streamLength: '2' }, authParams: { password } },
  empty: { metadata: { address: redis.address, stream: 'no-such-stream', streamLength: '2' }, authParams: { password } },
  unreachable: (at) => ({ metadata: { address: at.address, stream: 'events', streamLength: '2' }, authParams: { password } }),
  silent: (at) => ({ metadata: { address: at.address, stream: 'events', streamLength: '2' }, authParams: { password } }),
  secrets: [password],
}));

beforeAll(async () => {
  await redis.admin().xadd('events', '*', 'k', 'v');
  await redis.admin().xadd('events', '*', 'k', 'v');
});
