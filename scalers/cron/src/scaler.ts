import { ScalerError, triggerMetricName, type MetricSpec, type MetricsAndActivity, type Scaler, type ScalerConfig } from '@updraft/core';
import type { CronMetadata } from './metadata.js';
import { cronNamePart, withinWindow } from './schedule.js';

/** Reports `desiredReplicas` while the window from `start` to `end` is open, else 0. No I/O. */
export class CronScaler implements Scaler {
  private readonly metricName: string;
  private closed = false;

  constructor(
    private readonly config: ScalerConfig<CronMetadata>,
    private readonly now: () => number,
  ) {
    const { timezone, start, end } = config.metadata;
    this.metricName = triggerMetricName(config.triggerIndex, `cron-${timezone}-${cronNamePart(start)}-${cronNamePart(end)}`);
  }

  getMetricSpecs(): MetricSpec[] {
    // KEDA's target is 1, so with AverageValue the HPA asks for exactly desiredReplicas pods.
    return [{ metricName: this.metricName, target: 1, metricType: this.config.metricType }];
  }

  async getMetricsAndActivity(metricName: string, signal: AbortSignal): Promise<MetricsAndActivity> {
    signal.throwIfAborted();
    // A closed scaler reads nothing, as every scaler: its caller must not serve a value from it.
    if (this.closed) throw new ScalerError(`the cron scaler ${this.metricName} is closed`, 'internal');
    const now = this.now();
    const active = withinWindow(this.config.metadata, now);
    return { values: [{ metricName, value: active ? this.config.metadata.desiredReplicas : 0, timestamp: new Date(now) }], active };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
