import { ScalerError, triggerMetricName, type MetricSpec, type MetricsAndActivity, type Scaler, type ScalerConfig } from '@updraft/core';
import type { PrometheusMetadata } from './metadata.js';

/** One `prometheus` trigger: an instant query whose single element is the metric value. */
export class PrometheusScaler implements Scaler {
  constructor(private readonly config: ScalerConfig<PrometheusMetadata>) {}

  getMetricSpecs(): MetricSpec[] {
    return [
      {
        metricName: triggerMetricName(this.config.triggerIndex, 'prometheus'),
        target: this.config.metadata.threshold,
        metricType: this.config.metricType,
      },
    ];
  }

  async getMetricsAndActivity(): Promise<MetricsAndActivity> {
    // Live queries arrive with the Prometheus integration; until then a read fails loudly, never as 0.
    throw new ScalerError('reading Prometheus is not available in this build of @updraft/scaler-prometheus', 'unsupported');
  }

  async close(): Promise<void> {}
}
