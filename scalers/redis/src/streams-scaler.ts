import { ScalerError, triggerMetricName, type MetricSpec, type MetricsAndActivity, type Scaler, type ScalerConfig } from '@updraft/core';
import type { RedisTopology } from './connection-metadata.js';
import { streamsMode, type RedisStreamsMetadata } from './streams-metadata.js';

/** One `redis-streams`, `redis-cluster-streams` or `redis-sentinel-streams` trigger: stream length, pending entries or lag. */
export class RedisStreamsScaler implements Scaler {
  constructor(
    private readonly config: ScalerConfig<RedisStreamsMetadata>,
    readonly topology: RedisTopology,
  ) {}

  getMetricSpecs(): MetricSpec[] {
    const { triggerIndex, metadata, metricType } = this.config;
    return [{ metricName: triggerMetricName(triggerIndex, `redis-streams-${metadata.stream}`), target: streamsMode(metadata).target, metricType }];
  }

  async getMetricsAndActivity(): Promise<MetricsAndActivity> {
    // Live reads arrive with the Redis client; until then a read fails loudly, never as 0.
    throw new ScalerError('reading Redis streams is not available in this build of @updraft/scaler-redis', 'unsupported');
  }

  async close(): Promise<void> {}
}
