import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { awsIdentity, AwsIdentityError, type AwsClientLease, type AwsClients, type AwsIdentity } from '@updraft/aws-common';
import { ScalerError, triggerMetricName, type MetricSpec, type MetricsAndActivity, type Scaler, type ScalerConfig } from '@updraft/core';
import type { AwsCloudwatchMetadata } from './metadata.js';
import { cloudWatchService, type CloudWatchQuery, type CloudWatchQueryBatcher } from './query-batcher.js';
import { computeQueryWindow } from './query-window.js';

/** The GetMetricData query of a trigger, as KEDA builds it (without the Id, which the batcher assigns). */
export function cloudWatchQuery(metadata: AwsCloudwatchMetadata): CloudWatchQuery {
  const account = metadata.awsAccountId === undefined ? {} : { AccountId: metadata.awsAccountId };
  if (metadata.expression !== undefined) {
    return { Expression: metadata.expression, Period: metadata.metricStatPeriod, ...account };
  }
  const names = metadata.dimensionName ?? [];
  const values = metadata.dimensionValue ?? [];
  return {
    MetricStat: {
      Metric: {
        Namespace: metadata.namespace,
        MetricName: metadata.metricName,
        Dimensions: names.map((name, index) => ({ Name: name, Value: values[index] })),
      },
      Period: metadata.metricStatPeriod,
      Stat: metadata.metricStat,
      ...(metadata.metricUnit === undefined ? {} : { Unit: metadata.metricUnit }),
    },
    ReturnData: true,
    ...account,
  };
}

/** How a trigger's query is named in messages: its metric and dimensions, or its expression. */
export function describeCloudWatchQuery(metadata: AwsCloudwatchMetadata): string {
  if (metadata.expression !== undefined) {
    const expression = metadata.expression.length > 120 ? `${metadata.expression.slice(0, 117)}...` : metadata.expression;
    return `expression ${JSON.stringify(expression)}`;
  }
  const names = metadata.dimensionName ?? [];
  const values = metadata.dimensionValue ?? [];
  const dimensions = names.map((name, index) => `${name}=${values[index] ?? ''}`).join(',');
  return `metric ${metadata.namespace}/${metadata.metricName}{${dimensions}} ${metadata.metricStat}/${metadata.metricStatPeriod}s`;
}

/** One `aws-cloudwatch` trigger: the newest datapoint of one GetMetricData query is the metric value. */
export class AwsCloudwatchScaler implements Scaler {
  /** The query this trigger sends (the batcher adds the Id). */
  readonly query: CloudWatchQuery;
  private lease: AwsClientLease<CloudWatchClient> | undefined;
  private closed = false;

  constructor(
    private readonly config: ScalerConfig<AwsCloudwatchMetadata>,
    private readonly clients: AwsClients,
    private readonly batcher: CloudWatchQueryBatcher,
  ) {
    this.query = cloudWatchQuery(config.metadata);
  }

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

  async getMetricsAndActivity(metricName: string, signal: AbortSignal): Promise<MetricsAndActivity> {
    const { metadata } = this.config;
    const subject = describeCloudWatchQuery(metadata);
    if (this.closed) throw new ScalerError(`the aws-cloudwatch scaler for ${subject} is closed`, 'internal');
    const identity = this.identity(subject);
    this.lease ??= this.clients.acquire(cloudWatchService, { identity, endpoint: metadata.awsEndpoint });
    const window = computeQueryWindow(new Date(), metadata);
    const series = await this.batcher.query(
      { client: this.lease.resource, window, query: this.query, context: { subject, identity, endpoint: metadata.awsEndpoint } },
      signal,
    );
    const newest = series.values[0];
    if (newest === undefined) {
      const reason = `CloudWatch has no datapoint for ${subject} between ${window.start.toISOString()} and ${window.end.toISOString()}`;
      // KEDA: "empty metric data received, ignoreNullValues is false, returning error"
      if (!metadata.ignoreNullValues) throw new ScalerError(`${reason}, and ignoreNullValues is false`, 'bad-response');
      return {
        values: [{ metricName, value: metadata.minMetricValue, timestamp: new Date() }],
        active: metadata.minMetricValue > metadata.activationTargetMetricValue,
        empty: { reason: `${reason}; minMetricValue ${metadata.minMetricValue} is used (ignoreNullValues is true)` },
      };
    }
    return {
      // Stamped with the read time, as KEDA does (the datapoint's own time is the start of its period).
      values: [{ metricName, value: newest, timestamp: new Date() }],
      active: newest > metadata.activationTargetMetricValue,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const lease = this.lease;
    this.lease = undefined;
    await lease?.release();
  }

  private identity(subject: string): AwsIdentity {
    try {
      return awsIdentity(this.config.metadata, this.config.podIdentity);
    } catch (error) {
      if (error instanceof AwsIdentityError) throw new ScalerError(`${subject}: ${error.message}`, 'auth', { cause: error });
      throw error;
    }
  }
}
