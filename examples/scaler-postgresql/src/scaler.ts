import { SecretRedactor, triggerMetricName, TriggerErrors, type Lease, type MetricSpec, type MetricsAndActivity, type Scaler, type ScalerConfig } from '@updraft/core';
import pg from 'pg';
import { poolConfig, poolKey, pools, queryNumber, serverOf } from './connection.js';
import { postgresqlMetadata, type PostgresqlMetadata } from './metadata.js';

/** One `postgresql` trigger: a query whose one row's first column is the metric value. */
export class PostgresqlScaler implements Scaler {
  private readonly errors: TriggerErrors;
  private lease: Lease<pg.Pool> | undefined;
  private closed = false;

  constructor(private readonly config: ScalerConfig<PostgresqlMetadata>) {
    const m = config.metadata;
    this.errors = new TriggerErrors(`PostgreSQL query '${m.query}' on ${serverOf(m)}`, SecretRedactor.forTrigger(postgresqlMetadata, m));
  }

  getMetricSpecs(): MetricSpec[] {
    return [{ metricName: triggerMetricName(this.config.triggerIndex, 'postgresql'), target: this.config.metadata.targetQueryValue, metricType: this.config.metricType }];
  }

  async getMetricsAndActivity(metricName: string, signal: AbortSignal): Promise<MetricsAndActivity> {
    if (this.closed) throw this.errors.error('internal', 'the scaler is closed');
    this.lease ??= pools.acquire(poolKey(this.config.metadata), () => new pg.Pool(poolConfig(this.config.metadata)));
    const value = await queryNumber(this.lease.resource, this.config.metadata.query, signal).catch((error: unknown) => {
      throw this.errors.from(error, serverOf(this.config.metadata));
    });
    return { values: [{ metricName, value, timestamp: new Date() }], active: value > this.config.metadata.activationTargetQueryValue };
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.lease?.release();
  }
}
