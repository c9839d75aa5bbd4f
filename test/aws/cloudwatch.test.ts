import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startCloudWatchServer, type CloudWatchServer } from '../harness/cloudwatch-server.js';
import { awsContainer, failureOf, read, valueOf, withEnv } from './helpers.js';

// The aws-cloudwatch scaler through the real @aws-sdk/client-cloudwatch against the test
// CloudWatch server. Only Date is faked (the SDK, the batcher and the server use real timers), so
// every query window is known: at 10:07:30 a 60 s period gives 10:02-10:07, the default 300 s
// period gives 10:00-10:05.

const NOW = new Date('2030-01-01T10:07:30Z');
const at = (time: string) => new Date(`2030-01-01T${time}Z`);
const KEY = { awsAccessKeyID: 'AKIACWTRIGGERKEY0001', awsSecretAccessKey: 'cloudwatch-trigger-secret' };
const OPERATOR = { AWS_ACCESS_KEY_ID: 'AKIACWOPERATORKEY001', AWS_SECRET_ACCESS_KEY: 'cloudwatch-operator-secret' };
const ROLE = 'arn:aws:iam::000000000000:role/metrics-reader';
const SOURCE_ACCOUNT = '111122223333';

let server: CloudWatchServer;
let env: ReturnType<typeof awsContainer>;

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW);
  server = await startCloudWatchServer({ linkedAccounts: { '000000000000': [SOURCE_ACCOUNT] } });
  server.keys.addKey({ accessKeyId: KEY.awsAccessKeyID, secretAccessKey: KEY.awsSecretAccessKey });
  const dims = (queue: string, more: Record<string, string> = {}) => Object.entries({ Queue: queue, ...more }).map(([Name, Value]) => ({ Name, Value }));
  // Written with the real SDK's PutMetricData.
  await server.admin.send(
    new PutMetricDataCommand({
      Namespace: 'Test/App',
      MetricData: [
        { MetricName: 'Depth', Dimensions: dims('orders'), Timestamp: at('10:03:00'), Values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], Unit: 'Count' },
        { MetricName: 'Depth', Dimensions: dims('orders'), Timestamp: at('10:05:20'), Value: 20, Unit: 'Count' },
        { MetricName: 'Depth', Dimensions: dims('orders'), Timestamp: at('10:06:10'), Values: [4, 6], Unit: 'Count' },
        { MetricName: 'Depth', Dimensions: dims('orders', { Region: 'eu' }), Timestamp: at('10:06:10'), Value: 1000, Unit: 'Count' },
        { MetricName: 'Depth', Dimensions: dims('refunds'), Timestamp: at('10:06:40'), Value: 30, Unit: 'Count' },
        { MetricName: 'Latency', Dimensions: dims('orders'), Timestamp: at('10:06:00'), Values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], Unit: 'Milliseconds' },
        { MetricName: 'Sparse', Dimensions: dims('orders'), Timestamp: at('10:03:30'), Value: 3, Unit: 'Count' },
      ],
    }),
  );
  server.put({ namespace: 'Test/App', metricName: 'Depth', dimensions: { Queue: 'orders' } }, [{ timestamp: at('10:06:20'), value: 77 }], SOURCE_ACCOUNT);
  for (let i = 0; i < 600; i++) server.put({ namespace: 'Test/Many', metricName: 'Depth', dimensions: { Queue: `q${i}` } }, [{ timestamp: at('10:06:00'), value: i }]);
});

afterAll(async () => {
  await server?.stop();
  vi.useRealTimers();
});

afterEach(async () => {
  await env?.closeAll();
  server.resetCalls();
});

const ORDERS = { namespace: 'Test/App', metricName: 'Depth', dimensionName: 'Queue', dimensionValue: 'orders', targetMetricValue: '5', minMetricValue: '0' };

function trigger(metadata: Record<string, string>, authParams: Record<string, string> = KEY) {
  env ??= awsContainer();
  return env.cloudwatch({ metadata: { awsRegion: server.region, awsEndpoint: server.endpoint, ...metadata }, authParams });
}

/** The one query of the last GetMetricData request. */
function lastQuery() {
  const request = server.getMetricDataRequests.at(-1)!.body;
  expect(request.MetricDataQueries).toHaveLength(1);
  return { ...request, query: request.MetricDataQueries[0]! };
}

describe('the query KEDA sends', () => {
  it('defaults: Average over 300 s periods, window 10:00-10:05, newest first', async () => {
    env = awsContainer();
    const result = await read(trigger(ORDERS));
    expect(result.values).toEqual([{ metricName: 's0-aws-cloudwatch', value: 5.5, timestamp: NOW }]);
    expect(result.empty).toBeUndefined();
    const sent = lastQuery();
    expect(sent).toMatchObject({ StartTime: at('10:00:00').getTime() / 1000, EndTime: at('10:05:00').getTime() / 1000, ScanBy: 'TimestampDescending' });
    expect(sent.query).toEqual({
      Id: 'q0',
      MetricStat: { Metric: { Namespace: 'Test/App', MetricName: 'Depth', Dimensions: [{ Name: 'Queue', Value: 'orders' }] }, Period: 300, Stat: 'Average' },
      ReturnData: true,
    });
  });

  it.each([
    ['Average', 5],
    ['Sum', 10],
    ['Maximum', 6],
    ['Minimum', 4],
    ['SampleCount', 2],
  ])('metricStat %s of the newest 60 s period', async (metricStat, expected) => {
    env = awsContainer();
    expect(await valueOf(trigger({ ...ORDERS, metricStatPeriod: '60', metricStat }))).toBe(expected);
    expect(lastQuery().query.MetricStat).toMatchObject({ Stat: metricStat, Period: 60 });
  });

  it.each([
    ['p90', 9],
    ['p50', 5],
    ['p99.9', 10],
  ])('metricStat percentile %s', async (metricStat, expected) => {
    env = awsContainer();
    expect(await valueOf(trigger({ ...ORDERS, metricName: 'Latency', metricStatPeriod: '60', metricStat }))).toBe(expected);
  });

  it('metricStatPeriod 60: window 10:02-10:07, the 10:06 period', async () => {
    env = awsContainer();
    const result = await read(trigger({ ...ORDERS, metricStatPeriod: '60' }));
    expect(result.values[0]).toMatchObject({ value: 5, timestamp: NOW });
    expect(lastQuery()).toMatchObject({ StartTime: at('10:02:00').getTime() / 1000, EndTime: at('10:07:00').getTime() / 1000 });
  });

  it('metricEndTimeOffset 60 moves the window back a period: the 10:05 datapoint', async () => {
    env = awsContainer();
    expect(await valueOf(trigger({ ...ORDERS, metricStatPeriod: '60', metricEndTimeOffset: '60' }))).toBe(20);
    expect(lastQuery()).toMatchObject({ StartTime: at('10:01:00').getTime() / 1000, EndTime: at('10:06:00').getTime() / 1000 });
  });

  it.each([
    ['60', undefined],
    ['300', 3],
  ])('metricCollectionTime %s on a metric last written at 10:03:30', async (metricCollectionTime, expected) => {
    env = awsContainer();
    const result = await read(trigger({ ...ORDERS, metricName: 'Sparse', metricStatPeriod: '60', metricCollectionTime }));
    expect(lastQuery().StartTime).toBe(at('10:07:00').getTime() / 1000 - Number(metricCollectionTime));
    if (expected === undefined) expect(result.empty).toBeDefined();
    else expect(result.values[0]!.value).toBe(expected);
  });

  it.each([
    ['Count', 5],
    ['Seconds', undefined],
  ])('metricUnit %s', async (metricUnit, expected) => {
    env = awsContainer();
    const result = await read(trigger({ ...ORDERS, metricStatPeriod: '60', metricUnit }));
    expect(lastQuery().query.MetricStat!.Unit).toBe(metricUnit);
    if (expected === undefined) expect(result.empty?.reason).toMatch(/no datapoint/);
    else expect(result.values[0]!.value).toBe(expected);
  });

  it('several dimensions: dimensionName and dimensionValue lists', async () => {
    env = awsContainer();
    expect(await valueOf(trigger({ ...ORDERS, dimensionName: 'Queue;Region', dimensionValue: 'orders;eu', metricStatPeriod: '60' }))).toBe(1000);
    expect(lastQuery().query.MetricStat!.Metric.Dimensions).toEqual([{ Name: 'Queue', Value: 'orders' }, { Name: 'Region', Value: 'eu' }]);
  });

  it('namespace and metricName select the metric', async () => {
    env = awsContainer();
    expect(await valueOf(trigger({ ...ORDERS, dimensionValue: 'refunds', metricStatPeriod: '60' }))).toBe(30);
    expect((await read(trigger({ ...ORDERS, namespace: 'Other/App', metricStatPeriod: '60' }))).empty).toBeDefined();
  });

  it('expression: a Metrics Insights query, sent with Period', async () => {
    env = awsContainer();
    const expression = `SELECT AVG(Depth) FROM SCHEMA("Test/App", Queue) WHERE Queue = 'orders'`;
    expect(await valueOf(trigger({ expression, targetMetricValue: '5', minMetricValue: '0', metricStatPeriod: '60' }))).toBe(5);
    expect(lastQuery().query).toEqual({ Id: 'q0', Expression: expression, Period: 60 });
    expect(await valueOf(trigger({ expression: `SELECT MAX(Depth) FROM "Test/App"`, targetMetricValue: '5', minMetricValue: '0', metricStatPeriod: '60' }))).toBe(1000);
  });

  it('awsAccountId is sent, and reads the source account (cross-account observability)', async () => {
    env = awsContainer();
    expect(await valueOf(trigger({ ...ORDERS, metricStatPeriod: '60', awsAccountId: SOURCE_ACCOUNT }))).toBe(77);
    expect(lastQuery().query.AccountId).toBe(SOURCE_ACCOUNT);
  });

  it('targetMetricValue is the HPA target', () => {
    env = awsContainer();
    expect(trigger({ ...ORDERS, targetMetricValue: '2.5' }).getMetricSpecs()).toEqual([{ metricName: 's0-aws-cloudwatch', target: 2.5, metricType: 'AverageValue' }]);
  });

  it.each([
    ['4.9', true],
    ['5', false],
  ])('activationTargetMetricValue %s with a value of 5: active %s', async (activation, active) => {
    env = awsContainer();
    expect((await read(trigger({ ...ORDERS, metricStatPeriod: '60', activationTargetMetricValue: activation }))).active).toBe(active);
  });
});

describe('no datapoints', () => {
  const missing = { ...ORDERS, dimensionValue: 'nothing-here', minMetricValue: '2', activationTargetMetricValue: '1' };

  it('ignoreNullValues true (the default): minMetricValue, marked empty', async () => {
    env = awsContainer();
    const result = await read(trigger(missing));
    expect(result.values).toEqual([{ metricName: 's0-aws-cloudwatch', value: 2, timestamp: NOW }]);
    expect(result.active).toBe(true);
    expect(result.empty).toEqual({
      reason: 'CloudWatch has no datapoint for metric Test/App/Depth{Queue=nothing-here} Average/300s between 2030-01-01T10:00:00.000Z and 2030-01-01T10:05:00.000Z; minMetricValue 2 is used (ignoreNullValues is true)',
    });
  });

  it('ignoreNullValues false: an error, never minMetricValue or 0', async () => {
    env = awsContainer();
    expect(await failureOf(trigger({ ...missing, ignoreNullValues: 'false' }))).toMatchObject({
      kind: 'bad-response',
      message: 'CloudWatch has no datapoint for metric Test/App/Depth{Queue=nothing-here} Average/300s between 2030-01-01T10:00:00.000Z and 2030-01-01T10:05:00.000Z, and ignoreNullValues is false',
    });
  });
});

describe('batching', () => {
  const many = (i: number, extra: Record<string, string> = {}) => ({ ...ORDERS, namespace: 'Test/Many', dimensionValue: `q${i}`, metricStatPeriod: '60', ...extra });

  it('30 triggers polled together: one GetMetricData call with 30 queries', async () => {
    env = awsContainer();
    const scalers = Array.from({ length: 30 }, (_, i) => trigger(many(i)));
    const values = await Promise.all(scalers.map((scaler) => valueOf(scaler)));
    expect(values).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(server.getMetricDataCalls).toBe(1);
    expect(env.calls.count('aws-cloudwatch', 'GetMetricData')).toBe(1);
    const ids = server.getMetricDataRequests[0]!.body.MetricDataQueries.map((query) => query.Id);
    expect(new Set(ids).size).toBe(30);
    for (const id of ids) expect(id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
  });

  it('600 triggers: two calls, of 500 and 100 queries', async () => {
    env = awsContainer();
    const scalers = Array.from({ length: 600 }, (_, i) => trigger(many(i)));
    const values = await Promise.all(scalers.map((scaler) => valueOf(scaler)));
    expect(values).toEqual(Array.from({ length: 600 }, (_, i) => i));
    expect(server.getMetricDataCalls).toBe(2);
    expect(server.getMetricDataRequests.map((request) => request.body.MetricDataQueries.length).sort((a, b) => a - b)).toEqual([100, 500]);
  });

  it('equal queries of different triggers are asked once', async () => {
    env = awsContainer();
    await Promise.all([valueOf(trigger(many(1))), valueOf(trigger(many(1))), valueOf(trigger(many(2)))]);
    expect(server.getMetricDataRequests.map((request) => request.body.MetricDataQueries.length)).toEqual([2]);
  });

  it('different windows make separate calls', async () => {
    env = awsContainer();
    await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => valueOf(trigger(many(i)))),
      ...Array.from({ length: 10 }, (_, i) => valueOf(trigger(many(i, { metricCollectionTime: '600' })))),
      ...Array.from({ length: 10 }, (_, i) => valueOf(trigger(many(i, { metricEndTimeOffset: '60' })))),
    ]);
    expect(server.getMetricDataCalls).toBe(3);
  });

  it('different credentials make separate calls', async () => {
    env = awsContainer();
    server.keys.addKey({ accessKeyId: 'AKIACWSECONDKEY00001', secretAccessKey: 'second' });
    await Promise.all([
      ...Array.from({ length: 5 }, (_, i) => valueOf(trigger(many(i)))),
      ...Array.from({ length: 5 }, (_, i) => valueOf(trigger(many(i), { awsAccessKeyID: 'AKIACWSECONDKEY00001', awsSecretAccessKey: 'second' }))),
    ]);
    expect(new Set(server.getMetricDataRequests.map((request) => request.accessKeyId))).toEqual(new Set([KEY.awsAccessKeyID, 'AKIACWSECONDKEY00001']));
    expect(server.getMetricDataCalls).toBe(2);
  });

  it('Metrics Insights queries: one per call, the metric queries ride along', async () => {
    env = awsContainer();
    const insights = (queue: string) => ({ expression: `SELECT SUM(Depth) FROM "Test/App" WHERE Queue = '${queue}'`, targetMetricValue: '5', minMetricValue: '0', metricStatPeriod: '60' });
    const values = await Promise.all([valueOf(trigger(insights('orders'))), valueOf(trigger(insights('refunds'))), ...Array.from({ length: 4 }, (_, i) => valueOf(trigger(many(i))))]);
    expect(values).toEqual([1010, 30, 0, 1, 2, 3]);
    expect(server.getMetricDataCalls).toBe(2);
  });

  it('a query CloudWatch refuses fails only its trigger', async () => {
    env = awsContainer();
    const scalers = Array.from({ length: 10 }, (_, i) => trigger(many(i, i === 7 ? { metricStat: 'Median' } : {})));
    const results = await Promise.allSettled(scalers.map((scaler) => valueOf(scaler)));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[7] as PromiseRejectedResult).reason).toMatchObject({
      kind: 'query',
      message: 'aws-cloudwatch GetMetricData for metric Test/Many/Depth{Queue=q7} Median/60s failed: InvalidParameterValue (InvalidParameterValueException, HTTP 400): The value Median for parameter MetricStat.Stat is not valid.',
    });
    // 10 → 5+5 → ... until q7 is alone: a handful of calls, each counted
    expect(server.getMetricDataCalls).toBeGreaterThan(1);
    expect(server.getMetricDataCalls).toBeLessThanOrEqual(9);
    expect(env.calls.count('aws-cloudwatch', 'GetMetricData')).toBe(server.getMetricDataCalls);
  });

  it('a per-query error status (an unlinked account) fails only that trigger', async () => {
    env = awsContainer();
    const results = await Promise.allSettled([valueOf(trigger(many(1))), valueOf(trigger({ ...ORDERS, metricStatPeriod: '60', awsAccountId: '999999999999' })), valueOf(trigger(many(2)))]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({
      kind: 'auth',
      message: 'aws-cloudwatch GetMetricData for metric Test/App/Depth{Queue=orders} Average/60s failed: status Forbidden: Forbidden: account 000000000000 may not read metrics of account 999999999999',
    });
    expect(server.getMetricDataCalls).toBe(1);
  });

  it('pages (NextToken) are followed and merged per query', async () => {
    const paged = await startCloudWatchServer({ pageSize: 3 });
    try {
      paged.keys.addKey({ accessKeyId: KEY.awsAccessKeyID, secretAccessKey: KEY.awsSecretAccessKey });
      for (const queue of ['a', 'b']) {
        paged.put({ namespace: 'Test/Paged', metricName: 'Depth', dimensions: { Queue: queue } }, ['10:02:30', '10:03:30', '10:04:30', '10:05:30', '10:06:30'].map((time, i) => ({ timestamp: at(time), value: (queue === 'a' ? 10 : 20) + i })));
      }
      env = awsContainer();
      const paging = (queue: string) => env.cloudwatch({ metadata: { ...ORDERS, namespace: 'Test/Paged', dimensionValue: queue, metricStatPeriod: '60', awsRegion: paged.region, awsEndpoint: paged.endpoint }, authParams: KEY });
      expect(await Promise.all([valueOf(paging('a')), valueOf(paging('b'))])).toEqual([14, 24]);
      // 10 datapoints, 3 per page
      expect(paged.getMetricDataCalls).toBe(4);
      expect(env.calls.count('aws-cloudwatch', 'GetMetricData')).toBe(4);
      expect(paged.getMetricDataRequests.map((request) => request.body.NextToken === undefined)).toEqual([true, false, false, false]);
    } finally {
      await env.closeAll();
      await paged.stop();
    }
  });
});

describe('credentials', () => {
  it('static keys sign the calls', async () => {
    env = awsContainer();
    await valueOf(trigger(ORDERS));
    expect(server.getMetricDataRequests.map((request) => request.accessKeyId)).toEqual([KEY.awsAccessKeyID]);
  });

  it('a session token goes with temporary static keys', async () => {
    env = awsContainer();
    server.keys.addKey({ accessKeyId: 'ASIACWTEMPORARY00001', secretAccessKey: 'temporary', sessionToken: 'cw-session-token' });
    expect(await valueOf(trigger(ORDERS, { awsAccessKeyID: 'ASIACWTEMPORARY00001', awsSecretAccessKey: 'temporary', awsSessionToken: 'cw-session-token' }))).toBe(5.5);
    expect(await failureOf(trigger(ORDERS, { awsAccessKeyID: 'ASIACWTEMPORARY00001', awsSecretAccessKey: 'temporary' }))).toMatchObject({ kind: 'auth', message: expect.stringContaining('InvalidClientTokenId') });
  });

  describe('with the adapter\'s own identity in the env (the default chain)', () => {
    let restore: () => void;
    beforeAll(() => {
      server.keys.addKey({ accessKeyId: OPERATOR.AWS_ACCESS_KEY_ID, secretAccessKey: OPERATOR.AWS_SECRET_ACCESS_KEY });
      server.keys.addRole({ roleArn: ROLE });
      restore = withEnv({ ...OPERATOR, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined, AWS_EC2_METADATA_DISABLED: 'true' });
    });
    afterAll(() => restore());

    it('identityOwner operator', async () => {
      env = awsContainer();
      expect(await valueOf(trigger({ ...ORDERS, identityOwner: 'operator' }, {}))).toBe(5.5);
      expect(server.getMetricDataRequests.map((request) => request.accessKeyId)).toEqual([OPERATOR.AWS_ACCESS_KEY_ID]);
    });

    it('awsRoleArn: AssumeRole at the awsEndpoint, then the role\'s keys; one AssumeRole for 20 triggers', async () => {
      env = awsContainer();
      const before = server.keys.assumed.length;
      const scalers = Array.from({ length: 20 }, () => trigger(ORDERS, { awsRoleArn: ROLE }));
      await Promise.all(scalers.map((scaler) => valueOf(scaler)));
      await Promise.all(scalers.map((scaler) => valueOf(scaler)));
      const assumed = server.keys.assumed.slice(before);
      expect(assumed).toHaveLength(1);
      expect(assumed[0]).toMatchObject({ roleArn: ROLE, externalId: undefined, signedBy: OPERATOR.AWS_ACCESS_KEY_ID });
      expect(new Set(server.getMetricDataRequests.map((request) => request.accessKeyId))).toEqual(new Set([assumed[0]!.accessKeyId]));
      expect(server.calls('AssumeRole')).toBe(1);
      expect(server.getMetricDataCalls).toBe(2);
    });

    it('a role the adapter may not assume: auth, AccessDenied, naming the role', async () => {
      env = awsContainer();
      const failure = await failureOf(trigger(ORDERS, { awsRoleArn: 'arn:aws:iam::000000000000:role/nobody' }));
      expect(failure).toMatchObject({ kind: 'auth', message: expect.stringMatching(/failed: AccessDenied \(HTTP 403\): assuming role arn:aws:iam::000000000000:role\/nobody \(sts AssumeRole\) failed/) });
    });
  });
});

describe('errors', () => {
  it('an unknown access key: auth, InvalidClientTokenId, no secret', async () => {
    env = awsContainer();
    const failure = await failureOf(trigger(ORDERS, { awsAccessKeyID: 'AKIANOBODYKEY0000001', awsSecretAccessKey: 'nobody-secret' }));
    expect(failure).toMatchObject({
      kind: 'auth',
      message:
        'aws-cloudwatch GetMetricData for metric Test/App/Depth{Queue=orders} Average/300s failed: InvalidClientTokenId (HTTP 403): The security token included in the request is invalid. (signed as static credentials, access key ID ending 0001, in eu-west-1)',
    });
    expect(failure.message).not.toMatch(/nobody-secret|AKIANOBODYKEY0000001/);
  });

  it('throttling, after the SDK\'s retries: unreachable, with the AWS code', async () => {
    env = awsContainer();
    server.failNext('GetMetricData', { status: 400, code: 'ThrottlingException', queryCode: 'Throttling', message: 'Rate exceeded', times: 3 });
    expect(await failureOf(trigger(ORDERS))).toMatchObject({
      kind: 'unreachable',
      message: 'aws-cloudwatch GetMetricData for metric Test/App/Depth{Queue=orders} Average/300s failed: Throttling (HTTP 400): Rate exceeded',
    });
    expect(server.getMetricDataCalls).toBe(3);
    expect(env.calls.count('aws-cloudwatch', 'GetMetricData')).toBe(1);
  });

  it('a slow answer is abandoned when the signal aborts: timeout', async () => {
    env = awsContainer();
    server.delay('GetMetricData', 2_000);
    try {
      const started = performance.now();
      expect(await failureOf(trigger(ORDERS), AbortSignal.timeout(100))).toMatchObject({ kind: 'timeout', message: expect.stringMatching(/was aborted before AWS answered/) });
      expect(performance.now() - started).toBeLessThan(1_500);
    } finally {
      server.delay('GetMetricData', 0);
    }
  });
});
