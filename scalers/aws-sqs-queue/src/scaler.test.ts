import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { AwsClients, awsCommonModule, type AwsClientLease, type AwsClientsStats, type AwsServiceClient, type AwsServiceDescriptor, type AwsTarget } from '@updraft/aws-common';
import { BackendCalls, BackendCallsImpl, coreModule, ScalerError, ScalerRegistry, type MetricType, type ScalerConfig } from '@updraft/core';
import { Container } from 'inversify';
import { describe, expect, it } from 'vitest';
import awsSqsQueueScalerModule from './index.js';
import { awsSqsQueueMetadata, type AwsSqsQueueMetadata } from './metadata.js';
import { AwsSqsQueueScaler } from './scaler.js';
import { SqsQueueReader } from './sqs-queue-reader.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

function config(metadata: Record<string, string>, triggerIndex = 0, metricType: MetricType = 'AverageValue'): ScalerConfig<AwsSqsQueueMetadata> {
  const parsed = awsSqsQueueMetadata.parse({ triggerMetadata: metadata, authParams: { awsAccessKeyId: 'AKIAIOSFODNN7EXAMPLE', awsSecretAccessKey: SECRET }, resolvedEnv: {} });
  if (!parsed.metadata) throw new Error(JSON.stringify(parsed.problems));
  return { metadata: parsed.metadata, triggerType: 'aws-sqs-queue', triggerIndex, metricType, useCachedMetrics: false, scaledObject: { namespace: 'default', name: 'worker' } };
}

type Handler = (command: unknown, options: { abortSignal?: AbortSignal }) => Promise<unknown>;

/** A stand-in SQS client: `send` answers through `handler` and records every command. */
class FakeSqs implements AwsServiceClient {
  readonly sent: unknown[] = [];
  destroyed = 0;
  constructor(public handler: Handler) {}
  send(command: unknown, options: { abortSignal?: AbortSignal } = {}): Promise<unknown> {
    this.sent.push(command);
    return this.handler(command, options);
  }
  destroy(): void {
    this.destroyed += 1;
  }
  count(type: new (...args: never[]) => unknown): number {
    return this.sent.filter((command) => command instanceof type).length;
  }
}

/** AwsClients that hands out one fake client, and counts leases. */
class FakeClients implements AwsClients {
  readonly targets: AwsTarget[] = [];
  released = 0;
  constructor(readonly client: FakeSqs) {}
  acquire<C extends AwsServiceClient>(_service: AwsServiceDescriptor<C>, target: AwsTarget): AwsClientLease<C> {
    this.targets.push(target);
    let done = false;
    return {
      key: 'fake',
      resource: this.client as unknown as C,
      release: async () => {
        if (!done) this.released += 1;
        done = true;
      },
    };
  }
  stats(): AwsClientsStats {
    return { credentialProvidersCreated: 0, clientsCreated: {}, openCredentialProviders: 0, openClients: 0 };
  }
}

const ATTRIBUTES = { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '2', ApproximateNumberOfMessagesDelayed: '4' };
const URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders';

function setup(handler: Handler = async () => ({ Attributes: ATTRIBUTES })) {
  const client = new FakeSqs(handler);
  const clients = new FakeClients(client);
  const calls = new BackendCallsImpl();
  const reader = new SqsQueueReader(calls);
  const factory = { create: (c: ScalerConfig<AwsSqsQueueMetadata>) => new AwsSqsQueueScaler(c, clients, reader) };
  return { client, clients, calls, factory };
}

const signal = () => new AbortController().signal;
const proper = { queueURL: 'https://sqs.eu-west-1.amazonaws.com/account_id/DeleteArtifactQ', queueLength: '1', awsRegion: 'eu-west-1' };

describe('metric specs', () => {
  const { factory } = setup();
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
    expect(factory.create(config(metadata, 0, metricType)).getMetricSpecs()).toEqual([{ metricName: expect.any(String), target, metricType }]);
  });

  it('exposes the queue name', () => {
    expect(factory.create(config(proper)).queueName).toBe('DeleteArtifactQ');
  });

  it('refuses metadata whose queueURL has no queue name, when parsing was skipped', () => {
    const bad = config(proper);
    expect(() => factory.create({ ...bad, metadata: { ...bad.metadata, queueURL: 'https://sqs.eu-west-1.amazonaws.com/account_id' } })).toThrow(/queueURL has no queue name/);
  });
});

describe('queue length', () => {
  it.each([
    ['defaults: visible + in flight', {}, 5],
    ['scaleOnInFlight false: visible only', { scaleOnInFlight: 'false' }, 3],
    ['scaleOnDelayed: visible + in flight + delayed', { scaleOnDelayed: 'true' }, 9],
    ['visible + delayed', { scaleOnInFlight: 'false', scaleOnDelayed: 'true' }, 7],
  ])('%s', async (_name, flags, expected) => {
    const { client, factory } = setup();
    const result = await factory.create(config({ queueURL: URL, awsRegion: 'eu-west-1', ...flags })).getMetricsAndActivity('s0-aws-sqs-orders', signal());
    expect(result.values.map((value) => [value.metricName, value.value])).toEqual([['s0-aws-sqs-orders', expected]]);
    expect(result.empty).toBeUndefined();
    // one GetQueueAttributes for the three attributes, whatever the flags: triggers with different flags share it
    expect(client.sent).toHaveLength(1);
    expect((client.sent[0] as GetQueueAttributesCommand).input).toEqual({
      QueueUrl: URL,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    });
  });

  it.each([
    ['0', '0', false],
    ['5', '5', false],
    ['5', '6', true],
    ['0', '1', true],
  ])('activationQueueLength %s with length %s is active: %s', async (activation, visible, active) => {
    const { factory } = setup(async () => ({ Attributes: { ...ATTRIBUTES, ApproximateNumberOfMessages: visible, ApproximateNumberOfMessagesNotVisible: '0' } }));
    const result = await factory.create(config({ queueURL: URL, awsRegion: 'eu-west-1', activationQueueLength: activation })).getMetricsAndActivity('m', signal());
    expect(result.active).toBe(active);
  });

  it('a missing attribute that the trigger needs is an error, never 0', async () => {
    const { factory } = setup(async () => ({ Attributes: { ApproximateNumberOfMessages: '3' } }));
    const read = factory.create(config({ queueURL: URL, awsRegion: 'eu-west-1' })).getMetricsAndActivity('m', signal());
    await expect(read).rejects.toBeInstanceOf(ScalerError);
    await expect(read).rejects.toMatchObject({ kind: 'bad-response', message: expect.stringMatching(/queue orders answered without ApproximateNumberOfMessagesNotVisible/) });
  });

  it('an attribute the trigger does not need may be missing', async () => {
    const { factory } = setup(async () => ({ Attributes: { ApproximateNumberOfMessages: '3' } }));
    const result = await factory.create(config({ queueURL: URL, awsRegion: 'eu-west-1', scaleOnInFlight: 'false' })).getMetricsAndActivity('m', signal());
    expect(result.values[0]!.value).toBe(3);
  });

  it('an attribute that is not a count is an error', async () => {
    const { factory } = setup(async () => ({ Attributes: { ...ATTRIBUTES, ApproximateNumberOfMessages: 'lots' } }));
    await expect(factory.create(config({ queueURL: URL, awsRegion: 'eu-west-1' })).getMetricsAndActivity('m', signal())).rejects.toMatchObject({ kind: 'bad-response' });
  });
});

describe('queue URL or name', () => {
  const byName: Handler = async (command) => {
    if (command instanceof GetQueueUrlCommand) return { QueueUrl: `https://sqs.eu-west-1.amazonaws.com/123456789012/${command.input.QueueName}` };
    return { Attributes: ATTRIBUTES };
  };

  it('a bare name is resolved with GetQueueUrl once, then the URL is reused', async () => {
    const { client, factory, calls } = setup(byName);
    const scaler = factory.create(config({ queueURL: 'orders', awsRegion: 'eu-west-1' }));
    await scaler.getMetricsAndActivity('m', signal());
    await scaler.getMetricsAndActivity('m', signal());
    await factory.create(config({ queueURL: 'orders', awsRegion: 'eu-west-1' })).getMetricsAndActivity('m', signal());
    expect(client.count(GetQueueUrlCommand)).toBe(1);
    expect(client.count(GetQueueAttributesCommand)).toBe(3);
    expect((client.sent.find((c) => c instanceof GetQueueAttributesCommand) as GetQueueAttributesCommand).input.QueueUrl).toBe(URL);
    expect(calls.count('aws-sqs', 'GetQueueUrl')).toBe(1);
    expect(calls.count('aws-sqs', 'GetQueueAttributes')).toBe(3);
  });

  it('a URL is used as it is, without GetQueueUrl', async () => {
    const { client, factory } = setup(byName);
    await factory.create(config({ queueURL: URL, awsRegion: 'eu-west-1' })).getMetricsAndActivity('m', signal());
    expect(client.count(GetQueueUrlCommand)).toBe(0);
  });

  it('a queue that disappears is looked up again by name', async () => {
    let gone = true;
    const { client, factory } = setup(async (command) => {
      if (command instanceof GetQueueUrlCommand) return byName(command, {});
      if (gone) {
        gone = false;
        throw Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist', Code: 'AWS.SimpleQueueService.NonExistentQueue', $fault: 'client', $metadata: { httpStatusCode: 400 } });
      }
      return { Attributes: ATTRIBUTES };
    });
    const scaler = factory.create(config({ queueURL: 'orders', awsRegion: 'eu-west-1' }));
    await expect(scaler.getMetricsAndActivity('m', signal())).rejects.toMatchObject({
      kind: 'not-found',
      message: 'aws-sqs GetQueueAttributes for queue orders failed: AWS.SimpleQueueService.NonExistentQueue (QueueDoesNotExist, HTTP 400): The specified queue does not exist.',
    });
    await scaler.getMetricsAndActivity('m', signal());
    expect(client.count(GetQueueUrlCommand)).toBe(2);
  });
});

describe('coalescing', () => {
  it('triggers on the same queue read at the same time share one GetQueueAttributes call, and nothing is kept after it', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { client, factory, calls } = setup(async () => {
      await gate;
      return { Attributes: ATTRIBUTES };
    });
    const scalers = [
      factory.create(config({ queueURL: URL, awsRegion: 'eu-west-1' }, 0)),
      factory.create(config({ queueURL: URL, awsRegion: 'eu-west-1', scaleOnDelayed: 'true' }, 1)),
      factory.create(config({ queueURL: URL, awsRegion: 'eu-west-1', scaleOnInFlight: 'false' }, 2)),
    ];
    const reads = scalers.map((scaler) => scaler.getMetricsAndActivity('m', signal()));
    release();
    expect((await Promise.all(reads)).map((result) => result.values[0]!.value)).toEqual([5, 9, 3]);
    expect(client.count(GetQueueAttributesCommand)).toBe(1);
    await scalers[0]!.getMetricsAndActivity('m', signal());
    expect(calls.count('aws-sqs', 'GetQueueAttributes')).toBe(2);
  });

  it('a caller that aborts stops waiting; the others still get the shared answer', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { client, factory } = setup(async () => {
      await gate;
      return { Attributes: ATTRIBUTES };
    });
    const impatient = new AbortController();
    const first = factory.create(config({ queueURL: URL, awsRegion: 'eu-west-1' })).getMetricsAndActivity('m', impatient.signal);
    const second = factory.create(config({ queueURL: URL, awsRegion: 'eu-west-1' })).getMetricsAndActivity('m', signal());
    impatient.abort(new Error('the per-trigger timeout of 3s passed'));
    await expect(first).rejects.toMatchObject({ kind: 'timeout', message: expect.stringMatching(/queue orders was aborted before AWS answered: the per-trigger timeout of 3s passed/) });
    release();
    expect((await second).values[0]!.value).toBe(5);
    expect(client.count(GetQueueAttributesCommand)).toBe(1);
  });

  it('the SDK call is aborted when every caller has gone', async () => {
    let seen: AbortSignal | undefined;
    const { factory } = setup(
      (_command, options) =>
        new Promise((_resolve, reject) => {
          seen = options.abortSignal;
          options.abortSignal?.addEventListener('abort', () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })));
        }),
    );
    const controller = new AbortController();
    const read = factory.create(config({ queueURL: URL, awsRegion: 'eu-west-1' })).getMetricsAndActivity('m', controller.signal);
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await expect(read).rejects.toMatchObject({ kind: 'timeout' });
    expect(seen?.aborted).toBe(true);
  });

  it('an already aborted read makes no call', async () => {
    const { client, factory } = setup();
    await expect(factory.create(config({ queueURL: URL, awsRegion: 'eu-west-1' })).getMetricsAndActivity('m', AbortSignal.abort())).rejects.toMatchObject({ kind: 'timeout' });
    expect(client.sent).toHaveLength(0);
  });
});

describe('errors', () => {
  it('name the queue and the AWS code, say who signed, and never print a secret', async () => {
    const { factory, calls } = setup(async () => {
      throw Object.assign(new Error(`The security token included in the request is invalid (${SECRET}).`), { name: 'InvalidClientTokenId', Code: 'InvalidClientTokenId', $fault: 'client', $metadata: { httpStatusCode: 403 } });
    });
    const read = factory.create(config({ queueURL: URL, awsRegion: 'eu-west-1' })).getMetricsAndActivity('m', signal());
    await expect(read).rejects.toMatchObject({ kind: 'auth' });
    const error = (await read.catch((e: unknown) => e)) as ScalerError;
    expect(error.message).toMatch(/^aws-sqs GetQueueAttributes for queue orders failed: InvalidClientTokenId \(HTTP 403\)/);
    expect(error.message).toMatch(/signed as static credentials, access key ID ending MPLE, in eu-west-1/);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(calls.totals()).toEqual([{ backend: 'aws-sqs', operation: 'GetQueueAttributes', outcome: 'error', count: 1, totalDurationMs: expect.any(Number) }]);
  });

  it('a trigger without credentials fails as auth', async () => {
    const { factory } = setup();
    const base = config({ queueURL: URL, awsRegion: 'eu-west-1' });
    const scaler = factory.create({ ...base, metadata: { ...base.metadata, awsAccessKeyID: undefined, awsSecretAccessKey: undefined } });
    await expect(scaler.getMetricsAndActivity('m', signal())).rejects.toMatchObject({ kind: 'auth', message: expect.stringMatching(/^queue orders: no AWS credentials/) });
  });
});

describe('lifecycle', () => {
  it('leases the client of its identity on the first read, and releases it on close', async () => {
    const { clients, factory } = setup();
    const scaler = factory.create(config({ queueURL: URL, awsRegion: 'eu-west-1', awsEndpoint: 'http://127.0.0.1:4566' }));
    expect(clients.targets).toHaveLength(0);
    await scaler.getMetricsAndActivity('m', signal());
    await scaler.getMetricsAndActivity('m', signal());
    expect(clients.targets).toEqual([{ identity: { kind: 'static', region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: SECRET }, endpoint: 'http://127.0.0.1:4566' }]);
    await scaler.close();
    await scaler.close();
    expect(clients.released).toBe(1);
    await expect(scaler.getMetricsAndActivity('m', signal())).rejects.toMatchObject({ kind: 'internal' });
  });
});

describe('module', () => {
  it('registers the aws-sqs-queue type', () => {
    const container = new Container();
    container.load(coreModule, awsSqsQueueScalerModule);
    const registry = container.get<ScalerRegistry>(ScalerRegistry);
    expect(registry.types()).toEqual(['aws-sqs-queue']);
    expect(registry.get('aws-sqs-queue').type).toBe('aws-sqs-queue');
    expect(registry.get('aws-sqs-queue').metadata).toBe(awsSqsQueueMetadata);
  });

  it.each([
    ['after awsCommonModule', [awsCommonModule, awsSqsQueueScalerModule]],
    ['before awsCommonModule', [awsSqsQueueScalerModule, awsCommonModule]],
  ])('loads %s without a second AwsClients binding', (_name, modules) => {
    const container = new Container();
    container.load(coreModule, ...modules);
    expect(container.get(AwsClients)).toBe(container.get(AwsClients));
    expect(container.getAll(AwsClients)).toHaveLength(1);
    expect(container.get<ScalerRegistry>(ScalerRegistry).types()).toEqual(['aws-sqs-queue']);
    expect(container.get(BackendCalls)).toBeInstanceOf(BackendCallsImpl);
  });

  it('uses the parent container\'s AwsClients', () => {
    const parent = new Container();
    parent.load(coreModule, awsCommonModule);
    const child = new Container({ parent });
    child.load(awsSqsQueueScalerModule);
    expect(child.get(AwsClients)).toBe(parent.get(AwsClients));
  });
});

// Type check only: the fake must stay assignable where the real client goes.
export type FakeIsClient = FakeSqs extends Pick<SQSClient, 'destroy'> ? true : false;
