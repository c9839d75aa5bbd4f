import { afterAll, beforeAll, describe } from 'vitest';
import { describeScalerConformance } from '@updraft/core/testing/vitest';
import awsCloudwatchScalerModule from '@updraft/scaler-aws-cloudwatch';
import awsSqsQueueScalerModule from '@updraft/scaler-aws-sqs-queue';
import { startCloudWatchServer, type CloudWatchServer } from '../harness/cloudwatch-server.js';
import { startSqs, type SqsServer } from '../harness/sqs.js';

// The conformance suite for both AWS scalers, each module loaded alone as a plugin author's test
// would: aws-sqs-queue against fauxqs, aws-cloudwatch against the test CloudWatch server, both
// through the real SDK with SigV4-checked static keys. Real time (cloudwatch.test.ts fakes Date).

const KEY = { awsAccessKeyID: 'AKIACONFORMANCEKEY01', awsSecretAccessKey: 'conformance-secret-access-key' };
let sqs: SqsServer;
let cloudwatch: CloudWatchServer;
let ordersUrl: string;

beforeAll(async () => {
  [sqs, cloudwatch] = await Promise.all([startSqs(), startCloudWatchServer()]);
  sqs.keys.addKey({ accessKeyId: KEY.awsAccessKeyID, secretAccessKey: KEY.awsSecretAccessKey });
  cloudwatch.keys.addKey({ accessKeyId: KEY.awsAccessKeyID, secretAccessKey: KEY.awsSecretAccessKey });
  ordersUrl = await sqs.createQueue('orders');
  await sqs.send(ordersUrl, 3);
  // A datapoint a minute for the last ten: the default query window (300 s, aligned to the period) holds some.
  const points = Array.from({ length: 10 }, (_, i) => ({ timestamp: new Date(Date.now() - (i + 1) * 60_000), value: 7 }));
  cloudwatch.put({ namespace: 'Conformance/App', metricName: 'Depth', dimensions: { Queue: 'orders' } }, points);
});
afterAll(async () => Promise.all([sqs?.stop(), cloudwatch?.stop()]));

/** The suite's address (nothing listening, or a server that never answers) as the AWS endpoint. */
const at = (address: string) => ({ awsEndpoint: `http://${address}` });

describe('aws-sqs-queue conformance', () => {
  describeScalerConformance(awsSqsQueueScalerModule, () => ({
    value: { metadata: { queueURL: ordersUrl, awsRegion: sqs.region, awsEndpoint: sqs.endpoint, queueLength: '2' }, authParams: KEY },
    unreachable: (to) => ({ metadata: { queueURL: ordersUrl, awsRegion: sqs.region, ...at(to.address) }, authParams: KEY }),
    silent: (to) => ({ metadata: { queueURL: ordersUrl, awsRegion: sqs.region, ...at(to.address) }, authParams: KEY }),
    secrets: [KEY.awsSecretAccessKey],
  }));
});

const depth = { namespace: 'Conformance/App', metricName: 'Depth', dimensionName: 'Queue', dimensionValue: 'orders', targetMetricValue: '5', minMetricValue: '0' };
describe('aws-cloudwatch conformance', () => {
  describeScalerConformance(awsCloudwatchScalerModule, () => ({
    value: { metadata: { ...depth, awsRegion: cloudwatch.region, awsEndpoint: cloudwatch.endpoint }, authParams: KEY },
    empty: { metadata: { ...depth, dimensionValue: 'no-such-queue', awsRegion: cloudwatch.region, awsEndpoint: cloudwatch.endpoint }, authParams: KEY },
    unreachable: (to) => ({ metadata: { ...depth, awsRegion: cloudwatch.region, ...at(to.address) }, authParams: KEY }),
    silent: (to) => ({ metadata: { ...depth, awsRegion: cloudwatch.region, ...at(to.address) }, authParams: KEY }),
    secrets: [KEY.awsSecretAccessKey],
  }));
});
