import { ScalerError, triggerMetricName, type MetricSpec, type MetricsAndActivity, type Scaler, type ScalerConfig } from '@updraft/core';
import type { AwsCloudwatchMetadata } from './metadata.js';

/** One `aws-cloudwatch` trigger: the newest datapoint of one GetMetricData query is the metric value. */
export class AwsCloudwatchScaler implements Scaler {
  constructor(private readonly config: ScalerConfig<AwsCloudwatchMetadata>) {}

  getMetricSpecs(): MetricSpec[] {
    return [
      {
        // A constant name, not derived from the CloudWatch metric, so several triggers never clash.
        metricName: triggerMetricName(this.config.triggerIndex, 'aws-cloudwatch'),
        target: this.config.metadata.targetMetricValue,
        metricType: this.config.metricType,
      },
    ];
  }

  async getMetricsAndActivity(): Promise<MetricsAndActivity> {
    // Reading CloudWatch arrives with the AWS client integration; until then a read fails loudly, never as 0.
    throw new ScalerError('reading CloudWatch is not available in this build of @updraft/scaler-aws-cloudwatch', 'unsupported');
  }

  async close(): Promise<void> {}
}
