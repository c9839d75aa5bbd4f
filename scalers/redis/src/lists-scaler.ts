import { createHash } from 'node:crypto';
import { ScalerError, triggerMetricName, type MetricSpec, type MetricsAndActivity, type Scaler, type ScalerConfig } from '@updraft/core';
import type { RedisTopology } from './connection-metadata.js';
import type { RedisListsMetadata } from './lists-metadata.js';
import type { RedisConnection } from './redis-connection.js';
import { TriggerConnection, type RedisConnections } from './redis-connections.js';
import { redisTarget } from './redis-target.js';

/**
 * KEDA's script (pkg/scalers/redis_scaler.go): one round trip reads the key's type and its length.
 * A missing key (`none`) is an empty list, because Redis deletes a list when its last item is
 * popped. Any other type comes back without a length, so the scaler can name it.
 */
export const KEY_LENGTH_SCRIPT = `local kind = redis.call('TYPE', KEYS[1])['ok']
if kind == 'list' or kind == 'none' then return {kind, redis.call('LLEN', KEYS[1])} end
if kind == 'set' then return {kind, redis.call('SCARD', KEYS[1])} end
if kind == 'zset' then return {kind, redis.call('ZCARD', KEYS[1])} end
if kind == 'hash' then return {kind, redis.call('HLEN', KEYS[1])} end
return {kind}`;

const KEY_LENGTH_SHA = createHash('sha1').update(KEY_LENGTH_SCRIPT).digest('hex');
const NOSCRIPT = Symbol('NOSCRIPT');

/** One `redis`, `redis-cluster` or `redis-sentinel` trigger: the length of a list, set, sorted set or hash. */
export class RedisListsScaler implements Scaler {
  private readonly connection: TriggerConnection;

  constructor(
    private readonly config: ScalerConfig<RedisListsMetadata>,
    readonly topology: RedisTopology,
    connections: RedisConnections,
  ) {
    this.connection = new TriggerConnection(connections, redisTarget(config.metadata, topology));
  }

  getMetricSpecs(): MetricSpec[] {
    const { triggerIndex, metadata, metricType } = this.config;
    return [{ metricName: triggerMetricName(triggerIndex, `redis-${metadata.listName}`), target: metadata.listLength, metricType }];
  }

  async getMetricsAndActivity(metricName: string, signal: AbortSignal): Promise<MetricsAndActivity> {
    const connection = this.connection.get();
    const { listName, activationListLength } = this.config.metadata;
    const [kind, length] = await keyLength(connection, listName, signal);
    if (length === undefined) {
      throw new ScalerError(
        `key ${JSON.stringify(listName)} in ${connection.keyspace} is a ${kind}, not a list, set, sorted set or hash: listName must name one of those`,
        'query',
      );
    }
    return { values: [{ metricName, value: length, timestamp: new Date() }], active: length > activationListLength };
  }

  async close(): Promise<void> {
    await this.connection.close();
  }
}

/** Runs the script by its SHA (EVALSHA), loading it with EVAL where the server does not have it yet. */
async function keyLength(connection: RedisConnection, key: string, signal: AbortSignal): Promise<[string, number | undefined]> {
  const cached = await connection.send('EVALSHA', signal, (client) =>
    client.evalsha(KEY_LENGTH_SHA, 1, key).catch((error: unknown) => (error instanceof Error && error.message.startsWith('NOSCRIPT') ? NOSCRIPT : Promise.reject(error))),
  );
  const reply = cached === NOSCRIPT ? await connection.send('EVAL', signal, (client) => client.eval(KEY_LENGTH_SCRIPT, 1, key)) : cached;
  if (!Array.isArray(reply) || typeof reply[0] !== 'string' || (reply.length > 1 && typeof reply[1] !== 'number')) {
    throw new ScalerError(`${connection.description} answered the key-length script with ${JSON.stringify(reply)}`, 'bad-response');
  }
  return [reply[0], reply[1] as number | undefined];
}
