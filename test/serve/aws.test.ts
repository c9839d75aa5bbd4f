import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudWatchServer, type CloudWatchServer } from '../harness/cloudwatch-server.js';
import { scratchDir } from '../harness/process.js';
import { startSqs, type SqsServer } from '../harness/sqs.js';
import { eventually, httpsGet, kubectl, metricPath, startServe, type ServeProcess } from './serve-process.js';

// `updraft serve` with aws-sqs-queue and aws-cloudwatch triggers, static keys from a Secret through
// a TriggerAuthentication, against fauxqs (behind the SigV4 front) and the CloudWatch test server,
// read with the real kubectl while the queue and the metric change.

const KEY = { accessKeyId: 'AKIASERVETRIGGERKEY1', secretAccessKey: 'serve-trigger-secret-access-key' };
const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const MINUTE = 60_000;

describe('updraft serve with aws-sqs-queue and aws-cloudwatch triggers', () => {
  let sqs: SqsServer;
  let cloudwatch: CloudWatchServer;
  let server: ServeProcess;
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  let cache: string;
  let queueUrl: string;

  /**
   * One datapoint of `value` at hh:mm:30 of every minute from 15 minutes ago to 15 minutes ahead, so
   * that the newest 60 s period of any window the trigger asks for while the test runs holds exactly
   * the datapoints of each call (the window moves with the real clock).
   */
  const putEveryMinute = (value: number) => {
    const minute = Math.floor(Date.now() / MINUTE) * MINUTE;
    return cloudwatch.admin.send(
      new PutMetricDataCommand({
        Namespace: 'Serve/Test',
        MetricData: Array.from({ length: 31 }, (_, i) => ({
          MetricName: 'Backlog',
          Dimensions: [{ Name: 'Queue', Value: 'payments' }],
          Timestamp: new Date(minute + (i - 15) * MINUTE + 30_000),
          Value: value,
          Unit: 'Count',
        })),
      }),
    );
  };

  beforeAll(async () => {
    [sqs, cloudwatch] = await Promise.all([startSqs(), startCloudWatchServer()]);
    sqs.keys.addKey(KEY);
    cloudwatch.keys.addKey(KEY);
    queueUrl = await sqs.createQueue('orders');
    await sqs.send(queueUrl, 3);
    await putEveryMinute(12.5);

    dir = await scratchDir('serve-aws');
    cache = join(dir.path, 'kubectl-cache');
    await writeFile(
      join(dir.path, 'auth.yaml'),
      `apiVersion: v1
kind: Secret
metadata:
  name: aws-secrets
  namespace: shop
data:
  AWS_ACCESS_KEY_ID: ${base64(KEY.accessKeyId)}
  AWS_SECRET_ACCESS_KEY: ${base64(KEY.secretAccessKey)}
---
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: aws-credentials
  namespace: shop
spec:
  secretTargetRef:
    - parameter: awsAccessKeyID
      name: aws-secrets
      key: AWS_ACCESS_KEY_ID
    - parameter: awsSecretAccessKey
      name: aws-secrets
      key: AWS_SECRET_ACCESS_KEY
---
apiVersion: v1
kind: Secret
metadata:
  name: unknown-aws-secrets
  namespace: shop
data:
  AWS_ACCESS_KEY_ID: ${base64('AKIASERVEUNKNOWNKEY1')}
  AWS_SECRET_ACCESS_KEY: ${base64('not-a-key-the-server-knows')}
---
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata:
  name: unknown-credentials
  namespace: shop
spec:
  secretTargetRef:
    - parameter: awsAccessKeyID
      name: unknown-aws-secrets
      key: AWS_ACCESS_KEY_ID
    - parameter: awsSecretAccessKey
      name: unknown-aws-secrets
      key: AWS_SECRET_ACCESS_KEY
`,
    );
    await writeFile(
      join(dir.path, 'orders.yaml'),
      `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: orders
  namespace: shop
spec:
  scaleTargetRef:
    name: order-worker
  pollingInterval: 1
  triggers:
    - type: aws-sqs-queue
      authenticationRef:
        name: aws-credentials
      metadata:
        queueURL: ${queueUrl}
        awsRegion: ${sqs.region}
        awsEndpoint: ${sqs.endpoint}
        queueLength: '5'
`,
    );
    await writeFile(
      join(dir.path, 'refused.yaml'),
      `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: refused
  namespace: shop
spec:
  scaleTargetRef:
    name: refused-worker
  triggers:
    - type: aws-sqs-queue
      authenticationRef:
        name: unknown-credentials
      metadata:
        queueURL: ${queueUrl}
        awsRegion: ${sqs.region}
        awsEndpoint: ${sqs.endpoint}
        queueLength: '5'
`,
    );
    await writeFile(
      join(dir.path, 'payments.yaml'),
      `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: payments
  namespace: shop
spec:
  scaleTargetRef:
    name: payment-worker
  pollingInterval: 1
  triggers:
    - type: aws-cloudwatch
      authenticationRef:
        name: aws-credentials
      metadata:
        namespace: Serve/Test
        metricName: Backlog
        dimensionName: Queue
        dimensionValue: payments
        targetMetricValue: '10'
        minMetricValue: '0'
        metricStatPeriod: '60'
        metricCollectionTime: '300'
        awsRegion: ${cloudwatch.region}
        awsEndpoint: ${cloudwatch.endpoint}
`,
    );
    server = await startServe(['--config', dir.path, '--auth', 'none']);
  });

  afterAll(async () => {
    const code = await server?.stop();
    await Promise.all([sqs?.stop(), cloudwatch?.stop()]);
    await dir?.dispose();
    expect(code).toBe(0);
  });

  const list = async (metric: string, so: string) => {
    const result = await kubectl(server.url, cache, metricPath('shop', metric, so));
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as { items: { timestamp: string; value: string }[] };
  };

  /** Polls with kubectl until the metric reads `expected` (bounded by `eventually`). */
  const follows = (metric: string, so: string, expected: string) =>
    eventually(`${metric} of ${so} to read ${expected}`, async () => ((await list(metric, so)).items[0]?.value === expected ? true : undefined), 20_000);

  it('reads the SQS queue length in KEDA’s shape, signed with the keys from the Secret, and follows new messages', async () => {
    const answer = await list('s0-aws-sqs-orders', 'orders');
    expect(answer).toEqual({
      kind: 'ExternalMetricValueList',
      apiVersion: 'external.metrics.k8s.io/v1beta1',
      metadata: {},
      items: [{ metricName: 's0-aws-sqs-orders', metricLabels: null, timestamp: answer.items[0]!.timestamp, value: '3' }],
    });
    expect(answer.items[0]!.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(sqs.signers('GetQueueAttributes')).toContain(KEY.accessKeyId);

    await sqs.send(queueUrl, 4);
    await follows('s0-aws-sqs-orders', 'orders', '7');
  });

  it('reads the CloudWatch metric in KEDA’s shape, signed with the keys from the Secret, and follows new datapoints', async () => {
    const answer = await list('s0-aws-cloudwatch', 'payments');
    expect(answer).toEqual({
      kind: 'ExternalMetricValueList',
      apiVersion: 'external.metrics.k8s.io/v1beta1',
      metadata: {},
      items: [{ metricName: 's0-aws-cloudwatch', metricLabels: null, timestamp: answer.items[0]!.timestamp, value: '12500m' }],
    });
    const sent = cloudwatch.getMetricDataRequests.at(-1)!;
    expect(sent.accessKeyId).toBe(KEY.accessKeyId);
    expect(sent.body.MetricDataQueries[0]!.MetricStat).toMatchObject({
      Metric: { Namespace: 'Serve/Test', MetricName: 'Backlog', Dimensions: [{ Name: 'Queue', Value: 'payments' }] },
      Period: 60,
      Stat: 'Average',
    });

    // A second datapoint in every minute: the newest period's Average becomes (12.5 + 40.5) / 2.
    await putEveryMinute(40.5);
    await follows('s0-aws-cloudwatch', 'payments', '26500m');
  });

  it('answers 500 naming the cause when AWS refuses the keys: the source answered, but wrongly', async () => {
    const answer = await httpsGet(`${server.url}${metricPath('shop', 's0-aws-sqs-orders', 'refused')}`);
    expect(answer.status).toBe(500);
    const status = answer.json<{ reason: string; message: string; details: { causes: { reason: string }[] } }>();
    expect(status.reason).toBe('InternalError');
    expect(status.details.causes[0]!.reason).toBe('auth');
    expect(status.message).toContain('encountered error');
  });
});
