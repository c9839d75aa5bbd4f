import { AwsClients, awsCommonModule, type AwsClientLease, type AwsClientsStats, type AwsServiceClient, type AwsServiceDescriptor, type AwsTarget } from '@updraft/aws-common';
import { coreModule, ScalerError, ScalerRegistry, type MetricType, type ScalerConfig } from '@updraft/core';
import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import awsCloudwatchScalerModule from './index.js';
import { awsCloudwatchMetadata, type AwsCloudwatchMetadata } from './metadata.js';
import { CloudWatchQueryBatcher, type CloudWatchQueryRequest, type CloudWatchSeries } from './query-batcher.js';
import { AwsCloudwatchScaler, cloudWatchQuery, describeCloudWatchQuery } from './scaler.js';

function config(metadata: Record<string, string>, triggerIndex = 0, metricType: MetricType = 'AverageValue'): ScalerConfig<AwsCloudwatchMetadata> {
  const parsed = awsCloudwatchMetadata.parse({ triggerMetadata: metadata, authParams: { awsAccessKeyId: 'AKIAIOSFODNN7EXAMPLE', awsSecretAccessKey: 'secret-key' }, resolvedEnv: {} });
  if (!parsed.metadata) throw new Error(JSON.stringify(parsed.problems));
  return { metadata: parsed.metadata, triggerType: 'aws-cloudwatch', triggerIndex, metricType, useCachedMetrics: false, scaledObject: { namespace: 'keda-test', name: 'nginx' } };
}

class FakeClients implements AwsClients {
  readonly targets: AwsTarget[] = [];
  released = 0;
  acquire<C extends AwsServiceClient>(_service: AwsServiceDescriptor<C>, target: AwsTarget): AwsClientLease<C> {
    this.targets.push(target);
    return { key: 'fake', resource: { destroy() {} } as unknown as C, release: async () => void (this.released += 1) };
  }
  stats(): AwsClientsStats {
    return { credentialProvidersCreated: 0, clientsCreated: {}, openCredentialProviders: 0, openClients: 0 };
  }
}

/** A batcher that answers every query with `series`, and records the requests. */
class FakeBatcher implements CloudWatchQueryBatcher {
  readonly requests: CloudWatchQueryRequest[] = [];
  constructor(public answer: (request: CloudWatchQueryRequest) => Promise<CloudWatchSeries>) {}
  query(request: CloudWatchQueryRequest): Promise<CloudWatchSeries> {
    this.requests.push(request);
    return this.answer(request);
  }
}

function setup(answer: (request: CloudWatchQueryRequest) => Promise<CloudWatchSeries> = async () => ({ timestamps: [], values: [] })) {
  const clients = new FakeClients();
  const batcher = new FakeBatcher(answer);
  return { clients, batcher, factory: { create: (c: ScalerConfig<AwsCloudwatchMetadata>) => new AwsCloudwatchScaler(c, clients, batcher) } };
}

const signal = () => new AbortController().signal;

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
  expression: `SELECT MIN(MessageCount) FROM "AWS/AmazonMQ" WHERE Broker = 'production' and Queue = 'worker'`,
  targetMetricValue: '2',
  activationTargetMetricValue: '0',
  minMetricValue: '0',
  awsRegion: 'eu-west-1',
};

describe('metric specs', () => {
  const { factory } = setup();
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
    expect(factory.create(config({ ...query, targetMetricValue: target }, 0, metricType)).getMetricSpecs()).toEqual([{ metricName: 's0-aws-cloudwatch', target: expected, metricType }]);
  });
});

describe('the query, as KEDA builds it', () => {
  it('a metric: namespace, name, dimensions, period, stat, ReturnData', () => {
    expect(cloudWatchQuery(config({ ...query, dimensionName: 'QueueName;Region', dimensionValue: 'keda;eu-west-1', metricStat: 'p95', metricStatPeriod: '60' }).metadata)).toEqual({
      MetricStat: {
        Metric: { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: 'keda' }, { Name: 'Region', Value: 'eu-west-1' }] },
        Period: 60,
        Stat: 'p95',
      },
      ReturnData: true,
    });
  });

  it('a unit and an account are sent when given', () => {
    expect(cloudWatchQuery(config({ ...query, metricUnit: 'Count', awsAccountId: '111122223333' }).metadata)).toMatchObject({
      MetricStat: { Unit: 'Count', Stat: 'Average', Period: 300 },
      AccountId: '111122223333',
    });
  });

  it('an expression: Expression and Period, with the account', () => {
    expect(cloudWatchQuery(config({ ...expression, metricStatPeriod: '60', metricCollectionTime: '120', awsAccountId: '111122223333' }).metadata)).toEqual({
      Expression: expression.expression,
      Period: 60,
      AccountId: '111122223333',
    });
  });

  it('is described in errors by its metric or expression', () => {
    expect(describeCloudWatchQuery(config(query).metadata)).toBe('metric AWS/SQS/ApproximateNumberOfMessagesVisible{QueueName=keda} Average/300s');
    expect(describeCloudWatchQuery(config(expression).metadata)).toBe(`expression ${JSON.stringify(expression.expression)}`);
  });
});

describe('reading', () => {
  const newest = new Date('2021-11-07T15:03:00Z');
  it('the newest datapoint is the value; active above activationTargetMetricValue', async () => {
    const { factory, batcher } = setup(async () => ({ timestamps: [newest, new Date('2021-11-07T15:02:00Z')], values: [7.5, 3] }));
    const result = await factory.create(config({ ...query, activationTargetMetricValue: '7' })).getMetricsAndActivity('s0-aws-cloudwatch', signal());
    expect(result).toEqual({ values: [{ metricName: 's0-aws-cloudwatch', value: 7.5, timestamp: expect.any(Date) }], active: true });
    const request = batcher.requests[0]!;
    expect(request.window.end.getTime() - request.window.start.getTime()).toBe(300_000);
    expect(request.window.end.getTime() % 300_000).toBe(0);
    expect(request.context.subject).toBe('metric AWS/SQS/ApproximateNumberOfMessagesVisible{QueueName=keda} Average/300s');
  });

  it.each([
    ['7', '7', false],
    ['7.5', '7', true],
  ])('value %s with activation %s is active: %s', async (value, activation, active) => {
    const { factory } = setup(async () => ({ timestamps: [newest], values: [Number(value)] }));
    expect((await factory.create(config({ ...query, activationTargetMetricValue: activation })).getMetricsAndActivity('m', signal())).active).toBe(active);
  });

  it('no datapoint with ignoreNullValues true is empty, valued minMetricValue', async () => {
    const { factory } = setup();
    const result = await factory.create(config({ ...query, minMetricValue: '2', activationTargetMetricValue: '1' })).getMetricsAndActivity('m', signal());
    expect(result.values.map((value) => value.value)).toEqual([2]);
    expect(result.active).toBe(true);
    expect(result.empty?.reason).toMatch(/^CloudWatch has no datapoint for metric AWS\/SQS\/ApproximateNumberOfMessagesVisible\{QueueName=keda\} Average\/300s between .* and .*; minMetricValue 2 is used \(ignoreNullValues is true\)$/);
  });

  it('no datapoint with ignoreNullValues false is an error, never 0', async () => {
    const { factory } = setup();
    const read = factory.create(config({ ...query, ignoreNullValues: 'false' })).getMetricsAndActivity('m', signal());
    await expect(read).rejects.toBeInstanceOf(ScalerError);
    await expect(read).rejects.toMatchObject({ kind: 'bad-response', message: expect.stringMatching(/has no datapoint .* and ignoreNullValues is false$/) });
  });

  it('a failed query rejects with its ScalerError', async () => {
    const { factory } = setup(async () => {
      throw new ScalerError('aws-cloudwatch GetMetricData for x failed: AccessDenied', 'auth');
    });
    await expect(factory.create(config(query)).getMetricsAndActivity('m', signal())).rejects.toMatchObject({ kind: 'auth' });
  });

  it('leases the client on the first read and releases it on close', async () => {
    const { factory, clients } = setup();
    const scaler = factory.create(config({ ...query, awsEndpoint: 'http://127.0.0.1:1' }));
    expect(clients.targets).toHaveLength(0);
    await scaler.getMetricsAndActivity('m', signal());
    await scaler.getMetricsAndActivity('m', signal());
    expect(clients.targets).toHaveLength(1);
    expect(clients.targets[0]!.endpoint).toBe('http://127.0.0.1:1');
    await scaler.close();
    await scaler.close();
    expect(clients.released).toBe(1);
    await expect(scaler.getMetricsAndActivity('m', signal())).rejects.toMatchObject({ kind: 'internal' });
  });
});

describe('module', () => {
  it('registers the aws-cloudwatch type', () => {
    const container = new Container();
    container.load(coreModule, awsCloudwatchScalerModule);
    const registry = container.get<ScalerRegistry>(ScalerRegistry);
    expect(registry.types()).toEqual(['aws-cloudwatch']);
    expect(registry.get('aws-cloudwatch').type).toBe('aws-cloudwatch');
    expect(registry.get('aws-cloudwatch').metadata).toBe(awsCloudwatchMetadata);
  });

  it('loads next to awsCommonModule, in either order, with one AwsClients', () => {
    for (const modules of [
      [awsCommonModule, awsCloudwatchScalerModule],
      [awsCloudwatchScalerModule, awsCommonModule],
    ]) {
      const container = new Container();
      container.load(coreModule, ...modules);
      expect(container.getAll(AwsClients)).toHaveLength(1);
      expect(container.get(CloudWatchQueryBatcher)).toBe(container.get(CloudWatchQueryBatcher));
    }
  });
});
