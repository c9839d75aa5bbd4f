import { awsIdentity, AwsIdentityError, type AwsClientLease, type AwsClients, type AwsIdentity } from '@updraft/aws-common';
import { ScalerError, triggerMetricName, type MetricSpec, type MetricsAndActivity, type Scaler, type ScalerConfig } from '@updraft/core';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsSqsQueueMetadata } from './metadata.js';
import { sqsQueueName } from './queue-name.js';
import { sqsService, type QueueLengthAttribute, type SqsQueueReader } from './sqs-queue-reader.js';

/** One `aws-sqs-queue` trigger: the queue's approximate message count is the metric value. */
export class AwsSqsQueueScaler implements Scaler {
  /** The queue's name, as it appears in the metric name `s<index>-aws-sqs-<queueName>`. */
  readonly queueName: string;
  /** The attributes summed into the queue length, in KEDA's order. */
  readonly attributes: readonly QueueLengthAttribute[];
  private lease: AwsClientLease<SQSClient> | undefined;
  private closed = false;

  constructor(
    private readonly config: ScalerConfig<AwsSqsQueueMetadata>,
    private readonly clients: AwsClients,
    private readonly reader: SqsQueueReader,
  ) {
    const name = sqsQueueName(config.metadata.queueURL);
    // The declaration's rule rejects such a queueURL; this guards callers that skip parsing.
    if (!name.ok) throw new Error(name.message);
    this.queueName = name.queueName;
    const { scaleOnInFlight, scaleOnDelayed } = config.metadata;
    this.attributes = [
      'ApproximateNumberOfMessages',
      ...(scaleOnInFlight ? (['ApproximateNumberOfMessagesNotVisible'] as const) : []),
      ...(scaleOnDelayed ? (['ApproximateNumberOfMessagesDelayed'] as const) : []),
    ];
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

  async getMetricsAndActivity(metricName: string, signal: AbortSignal): Promise<MetricsAndActivity> {
    const length = await this.queueLength(signal);
    return {
      values: [{ metricName, value: length, timestamp: new Date() }],
      active: length > this.config.metadata.activationQueueLength,
    };
  }

  /** The queue length: visible messages, plus in-flight and delayed ones as the trigger asks. */
  async queueLength(signal: AbortSignal): Promise<number> {
    if (this.closed) throw new ScalerError(`the aws-sqs-queue scaler for queue ${this.queueName} is closed`, 'internal');
    const identity = this.identity();
    const { metadata } = this.config;
    this.lease ??= this.clients.acquire(sqsService, { identity, endpoint: metadata.awsEndpoint });
    const subject = `queue ${this.queueName}`;
    const found = await this.reader.readAttributes(
      this.lease.resource,
      { queue: metadata.queueURL, context: { subject, identity, endpoint: metadata.awsEndpoint } },
      signal,
    );
    let length = 0;
    for (const attribute of this.attributes) {
      const raw = found[attribute];
      // KEDA: "metric %s not found in SQS queue attributes"
      if (raw === undefined) throw new ScalerError(`aws-sqs GetQueueAttributes for ${subject} answered without ${attribute}`, 'bad-response');
      if (!/^\d+$/.test(raw)) throw new ScalerError(`aws-sqs GetQueueAttributes for ${subject} answered ${attribute}=${JSON.stringify(raw)}, not a count`, 'bad-response');
      length += Number(raw);
    }
    return length;
  }

  async close(): Promise<void> {
    this.closed = true;
    const lease = this.lease;
    this.lease = undefined;
    await lease?.release();
  }

  private identity(): AwsIdentity {
    try {
      return awsIdentity(this.config.metadata, this.config.podIdentity);
    } catch (error) {
      if (error instanceof AwsIdentityError) throw new ScalerError(`queue ${this.queueName}: ${error.message}`, 'auth', { cause: error });
      throw error;
    }
  }
}
