import { ScalerError, triggerMetricName, type MetricSpec, type MetricsAndActivity, type Scaler, type ScalerConfig } from '@updraft/core';
import type { AwsSqsQueueMetadata } from './metadata.js';
import { sqsQueueName } from './queue-name.js';

/** One `aws-sqs-queue` trigger: the queue's approximate message count is the metric value. */
export class AwsSqsQueueScaler implements Scaler {
  /** The queue's name, as it appears in the metric name `s<index>-aws-sqs-<queueName>`. */
  readonly queueName: string;

  constructor(private readonly config: ScalerConfig<AwsSqsQueueMetadata>) {
    const name = sqsQueueName(config.metadata.queueURL);
    // The declaration's rule rejects such a queueURL; this guards callers that skip parsing.
    if (!name.ok) throw new Error(name.message);
    this.queueName = name.queueName;
  }

  getMetricSpecs(): MetricSpec[] {
    return [
      {
        metricName: triggerMetricName(this.config.triggerIndex, `aws-sqs-${this.queueName}`),
        target: this.config.metadata.queueLength,
        metricType: this.config.metricType,
      },
    ];
  }

  async getMetricsAndActivity(): Promise<MetricsAndActivity> {
    // Reading SQS arrives with the AWS client integration; until then a read fails loudly, never as 0.
    throw new ScalerError('reading SQS is not available in this build of @updraft/scaler-aws-sqs-queue', 'unsupported');
  }

  async close(): Promise<void> {}
}
