import 'reflect-metadata';
import { AwsClients, awsCommonModule } from '@updraft/aws-common';
import { coreModule, ScalerRegistry } from '@updraft/core';
import awsCloudwatchScalerModule from '@updraft/scaler-aws-cloudwatch';
import awsSqsQueueScalerModule from '@updraft/scaler-aws-sqs-queue';
import { Container, type ContainerModule } from 'inversify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startCloudWatchServer, type CloudWatchServer } from '../harness/cloudwatch-server.js';
import { startSqs, type SqsServer } from '../harness/sqs.js';
import { awsContainer, read, valueOf, withEnv } from './helpers.js';

// "100 scalers means 100 tokens" (KEDA#5297): here, triggers that share an identity, region and
// endpoint share one credentials provider and one client per service, counted by construction.

const KEY = { awsAccessKeyID: 'AKIASHAREDKEY0000001', awsSecretAccessKey: 'shared-secret-access-key' };
const OPERATOR = { AWS_ACCESS_KEY_ID: 'AKIASHAREDOPERATOR01', AWS_SECRET_ACCESS_KEY: 'shared-operator-secret' };
const ROLE = 'arn:aws:iam::123456789012:role/shared-reader';

let sqs: SqsServer;
let cloudwatch: CloudWatchServer;
let queueUrl: string;
let env: ReturnType<typeof awsContainer>;
let restore: () => void;

beforeAll(async () => {
  [sqs, cloudwatch] = await Promise.all([startSqs(), startCloudWatchServer()]);
  for (const keys of [sqs.keys, cloudwatch.keys]) {
    keys.addKey({ accessKeyId: KEY.awsAccessKeyID, secretAccessKey: KEY.awsSecretAccessKey });
    keys.addKey({ accessKeyId: OPERATOR.AWS_ACCESS_KEY_ID, secretAccessKey: OPERATOR.AWS_SECRET_ACCESS_KEY });
    keys.addRole({ roleArn: ROLE });
  }
  queueUrl = await sqs.createQueue('shared');
  await sqs.send(queueUrl, 4);
  restore = withEnv({ ...OPERATOR, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined, AWS_EC2_METADATA_DISABLED: 'true' });
});

afterAll(async () => {
  restore?.();
  await Promise.all([sqs?.stop(), cloudwatch?.stop()]);
});

afterEach(async () => {
  await env?.closeAll();
  sqs.resetCalls();
  cloudwatch.resetCalls();
});

const sqsTrigger = (authParams: Record<string, string> = KEY, metadata: Record<string, string> = {}) =>
  env.sqs({ metadata: { queueURL: queueUrl, awsRegion: sqs.region, awsEndpoint: sqs.endpoint, ...metadata }, authParams });
const cloudwatchTrigger = (authParams: Record<string, string> = KEY) =>
  env.cloudwatch({
    metadata: { namespace: 'Test/App', metricName: 'Depth', dimensionName: 'Queue', dimensionValue: 'shared', targetMetricValue: '5', minMetricValue: '0', awsRegion: cloudwatch.region, awsEndpoint: cloudwatch.endpoint },
    authParams,
  });

describe('the credential and client cache', () => {
  it('100 SQS and 100 CloudWatch triggers with one set of keys: 1 credentials provider, 1 SQS client, 1 CloudWatch client', async () => {
    env = awsContainer();
    const queues = Array.from({ length: 100 }, () => sqsTrigger());
    const metrics = Array.from({ length: 100 }, () => cloudwatchTrigger());
    expect(env.clients.stats()).toEqual({ credentialProvidersCreated: 0, clientsCreated: {}, openCredentialProviders: 0, openClients: 0 });
    const results = await Promise.all([...queues, ...metrics].map((scaler) => read(scaler)));
    expect(results.slice(0, 100).every((result) => result.values[0]!.value === 4)).toBe(true);
    expect(results.slice(100).every((result) => result.empty !== undefined)).toBe(true);
    expect(env.clients.stats()).toEqual({ credentialProvidersCreated: 1, clientsCreated: { sqs: 1, cloudwatch: 1 }, openCredentialProviders: 1, openClients: 2 });
    // and, polled together, one call each
    expect(sqs.calls('GetQueueAttributes')).toBe(1);
    expect(cloudwatch.getMetricDataCalls).toBe(1);

    await Promise.all(queues.map((scaler) => scaler.close()));
    expect(env.clients.stats()).toMatchObject({ openCredentialProviders: 1, openClients: 1 });
    await Promise.all(metrics.map((scaler) => scaler.close()));
    expect(env.clients.stats()).toMatchObject({ openCredentialProviders: 0, openClients: 0 });

    // the last release closed them: a new trigger builds new ones
    await valueOf(sqsTrigger());
    expect(env.clients.stats()).toEqual({ credentialProvidersCreated: 2, clientsCreated: { sqs: 2, cloudwatch: 1 }, openCredentialProviders: 1, openClients: 1 });
  });

  it('100 triggers assuming one role: one AssumeRole, two providers (the role and the default chain it starts from), one client', async () => {
    env = awsContainer();
    const scalers = Array.from({ length: 100 }, () => sqsTrigger({ awsRoleArn: ROLE }));
    for (let poll = 0; poll < 3; poll++) {
      const values = await Promise.all(scalers.map((scaler) => valueOf(scaler)));
      expect(new Set(values)).toEqual(new Set([4]));
    }
    expect(sqs.calls('AssumeRole')).toBe(1);
    expect(env.calls.count('aws-sts', 'AssumeRole')).toBe(1);
    expect(env.clients.stats()).toEqual({ credentialProvidersCreated: 2, clientsCreated: { sqs: 1 }, openCredentialProviders: 2, openClients: 1 });
    expect(sqs.calls('GetQueueAttributes')).toBe(3);
  });

  it('each distinct identity, region or endpoint gets its own client; credentials are shared across endpoints', async () => {
    env = awsContainer();
    await Promise.allSettled([
      read(sqsTrigger()),
      read(sqsTrigger({}, { identityOwner: 'operator' })),
      read(sqsTrigger({ awsRoleArn: ROLE })),
      read(sqsTrigger(KEY, { awsRegion: 'us-east-1' })),
      read(sqsTrigger(KEY, { awsEndpoint: 'http://127.0.0.1:9' })),
    ]);
    // providers: the keys in eu-west-1, the default chain (also the role's base), the role, the keys in us-east-1
    expect(env.clients.stats()).toEqual({ credentialProvidersCreated: 4, clientsCreated: { sqs: 5 }, openCredentialProviders: 4, openClients: 5 });
  });
});

describe('one AwsClients, whichever AWS modules are loaded', () => {
  it.each<[string, ContainerModule[]]>([
    ['SQS then CloudWatch', [awsSqsQueueScalerModule, awsCloudwatchScalerModule]],
    ['CloudWatch then SQS', [awsCloudwatchScalerModule, awsSqsQueueScalerModule]],
    ['awsCommonModule first', [awsCommonModule, awsSqsQueueScalerModule, awsCloudwatchScalerModule]],
    ['SQS only', [awsSqsQueueScalerModule]],
    ['CloudWatch only', [awsCloudwatchScalerModule]],
  ])('%s', (_name, modules) => {
    const container = new Container();
    container.load(coreModule, ...modules);
    expect(container.getAll(AwsClients)).toHaveLength(1);
    expect(container.get<ScalerRegistry>(ScalerRegistry).types().length).toBe(modules.filter((module) => module !== awsCommonModule).length);
  });

  it('both scalers use the same cache', async () => {
    env = awsContainer();
    await Promise.all([read(sqsTrigger()), read(cloudwatchTrigger())]);
    expect(env.clients.stats().credentialProvidersCreated).toBe(1);
  });
});
