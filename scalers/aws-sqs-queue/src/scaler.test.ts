import { Container } from 'inversify';
import { coreModule, ScalerError, ScalerRegistry, type MetricType, type Scaler, type ScalerConfig } from '@updraft/core';
import { describe, expect, it } from 'vitest';
import { AwsSqsQueueScalerFactory } from './factory.js';
import { awsSqsQueueMetadata, type AwsSqsQueueMetadata } from './metadata.js';
import awsSqsQueueScalerModule from './index.js';

function config(metadata: Record<string, string>, triggerIndex: number, metricType: MetricType = 'AverageValue'): ScalerConfig<AwsSqsQueueMetadata> {
  const parsed = awsSqsQueueMetadata.parse({ triggerMetadata: metadata, authParams: { awsAccessKeyId: 'none', awsSecretAccessKey: 'none' }, resolvedEnv: {} });
  if (!parsed.metadata) throw new Error(JSON.stringify(parsed.problems));
  return {
    metadata: parsed.metadata,
    triggerType: 'aws-sqs-queue',
    triggerIndex,
    metricType,
    useCachedMetrics: false,
    scaledObject: { namespace: 'default', name: 'worker' },
  };
}

const factory = new AwsSqsQueueScalerFactory();
const proper = { queueURL: 'https://sqs.eu-west-1.amazonaws.com/account_id/DeleteArtifactQ', queueLength: '1', awsRegion: 'eu-west-1' };

describe('metric specs', () => {
  // KEDA awsSQSMetricIdentifiers
  it.each([
    [proper, 0, 's0-aws-sqs-DeleteArtifactQ'],
    [proper, 1, 's1-aws-sqs-DeleteArtifactQ'],
    [{ ...proper, queueURL: 'my-queue' }, 2, 's2-aws-sqs-my-queue'],
    [{ ...proper, queueURL: 'https://sqs.eu-west-1.amazonaws.com/123/orders.fifo' }, 0, 's0-aws-sqs-orders-fifo'],
    [{ ...proper, queueURL: 'sqs.eu-west-1.amazonaws.com/123/q' }, 0, 's0-aws-sqs-sqs-eu-west-1-amazonaws-com-123-q'],
  ])('%o at index %i is named %s', (metadata, index, name) => {
    expect(factory.create(config(metadata, index)).getMetricSpecs().map((spec) => spec.metricName)).toEqual([name]);
  });

  it.each([
    [{ ...proper, queueLength: '1' }, 'AverageValue', 1],
    [{ ...proper, queueLength: '30' }, 'Value', 30],
    [{ queueURL: 'my-queue', awsRegion: 'eu-west-1' }, 'AverageValue', 5],
  ] as const)('%o with %s targets the integer queueLength %i', (metadata, metricType, target) => {
    expect(factory.create(config(metadata, 0, metricType)).getMetricSpecs()).toEqual([
      { metricName: expect.any(String), target, metricType },
    ]);
  });

  it('exposes the queue name', () => {
    expect(factory.create(config(proper, 0)).queueName).toBe('DeleteArtifactQ');
  });

  it('refuses metadata whose queueURL has no queue name, when parsing was skipped', () => {
    const bad = { ...config(proper, 0) };
    expect(() => factory.create({ ...bad, metadata: { ...bad.metadata, queueURL: 'https://sqs.eu-west-1.amazonaws.com/account_id' } })).toThrow(/queueURL has no queue name/);
  });
});

describe('reading', () => {
  it('rejects with an unsupported ScalerError, never a 0', async () => {
    const scaler: Scaler = factory.create(config(proper, 0));
    const read = scaler.getMetricsAndActivity('s0-aws-sqs-DeleteArtifactQ', new AbortController().signal);
    await expect(read).rejects.toBeInstanceOf(ScalerError);
    await expect(read).rejects.toMatchObject({ kind: 'unsupported' });
  });

  it('closes, twice', async () => {
    const scaler = factory.create(config(proper, 0));
    await scaler.close();
    await expect(scaler.close()).resolves.toBeUndefined();
  });
});

describe('module', () => {
  it('registers the aws-sqs-queue type', () => {
    const container = new Container();
    container.load(coreModule, awsSqsQueueScalerModule);
    const registry = container.get<ScalerRegistry>(ScalerRegistry);
    expect(registry.types()).toEqual(['aws-sqs-queue']);
    expect(registry.get('aws-sqs-queue')).toBeInstanceOf(AwsSqsQueueScalerFactory);
    expect(registry.get('aws-sqs-queue').metadata).toBe(awsSqsQueueMetadata);
  });
});
