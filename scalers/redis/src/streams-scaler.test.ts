import { ScalerError, type Lease, type ScalerConfig } from '@updraft/core';
import { expect, it } from 'vitest';
import type { RedisConnection } from './redis-connection.js';
import type { RedisConnections } from './redis-connections.js';
import { redisStreamsMetadata, type RedisStreamsMetadata } from './streams-metadata.js';
import { RedisStreamsScaler } from './streams-scaler.js';

// What only an old server shows: the lag mode's version check. The live modes are tested against
// real servers in test/redis/.

function scalerOn(version: string) {
  const sent: string[] = [];
  const connection = {
    description: 'redis:6379',
    keyspace: 'database 0 at redis:6379',
    redisVersion: async () => version,
    send: async (operation: string) => {
      sent.push(operation);
      throw new Error('not expected');
    },
    classify: (error: unknown) => new ScalerError(String(error), 'internal'),
  } as unknown as RedisConnection;
  const connections: RedisConnections = {
    acquire: (): Lease<RedisConnection> => ({ resource: connection, release: async () => {} }),
    size: 1,
  };
  const parsed = redisStreamsMetadata.parse({ triggerMetadata: { address: 'redis:6379', stream: 's', consumerGroup: 'g', lagCount: '10' }, authParams: {}, resolvedEnv: {} });
  const config: ScalerConfig<RedisStreamsMetadata> = {
    metadata: parsed.metadata!,
    triggerType: 'redis-streams',
    triggerIndex: 0,
    metricType: 'AverageValue',
    useCachedMetrics: false,
    scaledObject: { namespace: 'n', name: 'so' },
  };
  return { scaler: new RedisStreamsScaler(config, 'standalone', connections), sent };
}

it.each(['6.2.14', '5.0.7'])('lag mode on Redis %s is an unsupported error that says what to do, and sends nothing more', async (version) => {
  const { scaler, sent } = scalerOn(version);
  await expect(scaler.getMetricsAndActivity('m', new AbortController().signal)).rejects.toMatchObject({
    kind: 'unsupported',
    message: `consumer-group lag needs Redis 7 or later, but redis:6379 runs Redis ${version}: upgrade it, or leave lagCount out to scale on pending entries (XPENDING)`,
  });
  expect(sent).toEqual([]);
});
