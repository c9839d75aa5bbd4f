import { ScalerError, triggerMetricName, type MetricSpec, type MetricsAndActivity, type Scaler, type ScalerConfig } from '@updraft/core';
import type { RedisTopology } from './connection-metadata.js';
import type { RedisListsMetadata } from './lists-metadata.js';

/** One `redis`, `redis-cluster` or `redis-sentinel` trigger: the length of a list, set, sorted set or hash. */
export class RedisListsScaler implements Scaler {
  constructor(
    private readonly config: ScalerConfig<RedisListsMetadata>,
    readonly topology: RedisTopology,
  ) {}

  getMetricSpecs(): MetricSpec[] {
    const { triggerIndex, metadata, metricType } = this.config;
    return [{ metricName: triggerMetricName(triggerIndex, `redis-${metadata.listName}`), target: metadata.listLength, metricType }];
  }

  async getMetricsAndActivity(): Promise<MetricsAndActivity> {
    // Live reads arrive with the Redis client; until then a read fails loudly, never as 0.
    throw new ScalerError('reading Redis lists is not available in this build of @updraft/scaler-redis', 'unsupported');
  }

  async close(): Promise<void> {}
}
