import { Container } from 'inversify';
import { coreModule, ScalerError, ScalerRegistry, type MetricType, type Scaler, type ScalerConfig } from '@updraft/core';
import { describe, expect, it } from 'vitest';
import { AwsCloudwatchScalerFactory } from './factory.js';
import { awsCloudwatchMetadata, type AwsCloudwatchMetadata } from './metadata.js';
import awsCloudwatchScalerModule from './index.js';

function config(metadata: Record<string, string>, triggerIndex: number, metricType: MetricType = 'AverageValue'): ScalerConfig<AwsCloudwatchMetadata> {
  const parsed = awsCloudwatchMetadata.parse({ triggerMetadata: metadata, authParams: { awsAccessKeyId: 'none', awsSecretAccessKey: 'none' }, resolvedEnv: {} });
  if (!parsed.metadata) throw new Error(JSON.stringify(parsed.problems));
  return {
    metadata: parsed.metadata,
    triggerType: 'aws-cloudwatch',
    triggerIndex,
    metricType,
    useCachedMetrics: false,
    scaledObject: { namespace: 'keda-test', name: 'nginx' },
  };
}

const factory = new AwsCloudwatchScalerFactory();
// KEDA testAWSCloudwatchMetadata[1] and [2]
const query = {
  namespace: 'AWS/SQS',
  dimensionName: 'QueueName',
  dimensionValue: 'keda',
  metricName: 'ApproximateNumberOfMessagesVisible',
  targetMetricValue: '2',
  activationTargetMetricValue: '0',
  minMetricValue: '0',
  awsRegion: 'eu-west-1',
};
const expression = {
  namespace: 'AWS/SQS',
  expression: `SELECT MIN(MessageCount) FROM "AWS/AmazonMQ" WHERE Broker = 'production' and Queue = 'worker'`,
  metricName: 'ApproximateNumberOfMessagesVisible',
  targetMetricValue: '2',
  activationTargetMetricValue: '0',
  minMetricValue: '0',
  awsRegion: 'eu-west-1',
};

describe('metric specs', () => {
  // KEDA awsCloudwatchMetricIdentifiers
  it.each([
    [query, 0, 's0-aws-cloudwatch'],
    [query, 3, 's3-aws-cloudwatch'],
    [expression, 5, 's5-aws-cloudwatch'],
  ])('trigger %# at index %i is named %s', (metadata, index, name) => {
    expect(factory.create(config(metadata, index)).getMetricSpecs().map((spec) => spec.metricName)).toEqual([name]);
  });

  it.each([
    ['2', 'AverageValue', 2],
    ['2.1', 'Value', 2.1],
    ['0.5', 'AverageValue', 0.5],
  ] as const)('targetMetricValue %s with %s is the (milli) target %d', (target, metricType, expected) => {
    expect(factory.create(config({ ...query, targetMetricValue: target }, 0, metricType)).getMetricSpecs()).toEqual([
      { metricName: 's0-aws-cloudwatch', target: expected, metricType },
    ]);
  });
});

describe('reading', () => {
  it('rejects with an unsupported ScalerError, never minMetricValue or 0', async () => {
    const scaler: Scaler = factory.create(config(query, 0));
    const read = scaler.getMetricsAndActivity('s0-aws-cloudwatch', new AbortController().signal);
    await expect(read).rejects.toBeInstanceOf(ScalerError);
    await expect(read).rejects.toMatchObject({ kind: 'unsupported' });
  });

  it('closes, twice', async () => {
    const scaler = factory.create(config(query, 0));
    await scaler.close();
    await expect(scaler.close()).resolves.toBeUndefined();
  });
});

describe('module', () => {
  it('registers the aws-cloudwatch type', () => {
    const container = new Container();
    container.load(coreModule, awsCloudwatchScalerModule);
    const registry = container.get<ScalerRegistry>(ScalerRegistry);
    expect(registry.types()).toEqual(['aws-cloudwatch']);
    expect(registry.get('aws-cloudwatch')).toBeInstanceOf(AwsCloudwatchScalerFactory);
    expect(registry.get('aws-cloudwatch').metadata).toBe(awsCloudwatchMetadata);
  });
});
