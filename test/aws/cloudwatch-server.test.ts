import {
  CloudWatchClient,
  CloudWatchServiceException,
  GetMetricDataCommand,
  InvalidParameterValueException,
  PutMetricDataCommand,
  ValidationException,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudWatchServer, type CloudWatchServer } from '../harness/cloudwatch-server.js';

// The test CloudWatch server itself, driven by the real @aws-sdk/client-cloudwatch: what it
// speaks, what it computes, and how it refuses.

let server: CloudWatchServer;
const START = new Date('2030-01-01T10:00:00Z');
const at = (minutes: number, seconds = 0) => new Date(START.getTime() + minutes * 60_000 + seconds * 1000);
const window = { StartTime: START, EndTime: at(5) };

const metric = (name: string, dimensions: Record<string, string> = { Queue: 'a' }) => ({
  Namespace: 'Test/App',
  MetricName: name,
  Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
});

function stat(id: string, name: string, statName: string, extra: Partial<MetricDataQuery> = {}, dimensions?: Record<string, string>, period = 60): MetricDataQuery {
  return { Id: id, MetricStat: { Metric: metric(name, dimensions), Period: period, Stat: statName }, ReturnData: true, ...extra };
}

/** GetMetricData through the SDK, every NextToken page merged per Id. */
async function query(queries: MetricDataQuery[], extra: { ScanBy?: 'TimestampAscending' | 'TimestampDescending' } = {}, client: CloudWatchClient = server.admin) {
  const merged: Record<string, { timestamps: string[]; values: number[]; status: string | undefined }> = {};
  let NextToken: string | undefined;
  do {
    const output = await client.send(new GetMetricDataCommand({ ...window, ScanBy: 'TimestampDescending', MetricDataQueries: queries, ...extra, ...(NextToken ? { NextToken } : {}) }));
    for (const result of output.MetricDataResults ?? []) {
      const entry = (merged[result.Id!] ??= { timestamps: [], values: [], status: undefined });
      entry.timestamps.push(...(result.Timestamps ?? []).map((t) => t.toISOString()));
      entry.values.push(...(result.Values ?? []));
      entry.status = result.StatusCode;
    }
    NextToken = output.NextToken;
  } while (NextToken);
  return merged;
}

beforeAll(async () => {
  server = await startCloudWatchServer({ pageSize: 4 });
  // minute 1: 1..10 (one PutMetricData with Values/Counts), minute 3: 5 and 7, in Count; Latency in Milliseconds.
  await server.admin.send(
    new PutMetricDataCommand({
      Namespace: 'Test/App',
      MetricData: [
        { MetricName: 'Depth', Dimensions: metric('Depth').Dimensions, Timestamp: at(1, 10), Values: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], Counts: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], Unit: 'Count' },
        { MetricName: 'Depth', Dimensions: metric('Depth').Dimensions, Timestamp: at(3, 0), Value: 5, Unit: 'Count' },
        { MetricName: 'Depth', Dimensions: metric('Depth').Dimensions, Timestamp: at(3, 59), Value: 7, Unit: 'Count' },
        { MetricName: 'Depth', Dimensions: metric('Depth', { Queue: 'b' }).Dimensions, Timestamp: at(3, 30), Value: 100, Unit: 'Count' },
        { MetricName: 'Depth', Dimensions: metric('Depth', { Queue: 'a', Region: 'eu' }).Dimensions, Timestamp: at(3, 30), Value: 1000, Unit: 'Count' },
        { MetricName: 'Latency', Dimensions: metric('Latency').Dimensions, Timestamp: at(3, 30), StatisticValues: { SampleCount: 4, Sum: 40, Minimum: 2, Maximum: 20 }, Unit: 'Milliseconds' },
      ],
    }),
  );
});

afterAll(async () => {
  await server?.stop();
});

describe('statistics per period', () => {
  it.each([
    ['Average', [6, 5.5]],
    ['Sum', [12, 55]],
    ['Minimum', [5, 1]],
    ['Maximum', [7, 10]],
    ['SampleCount', [2, 10]],
    ['p90', [7, 9]],
    ['p50', [5, 5]],
    ['p100', [7, 10]],
  ])('%s, newest period first', async (statName, values) => {
    expect(await query([stat('m', 'Depth', statName)])).toEqual({
      m: { timestamps: ['2030-01-01T10:03:00.000Z', '2030-01-01T10:01:00.000Z'], values, status: 'Complete' },
    });
  });

  it('a StatisticSet counts for Average, Sum, Minimum, Maximum and SampleCount', async () => {
    const result = await query(['Average', 'Sum', 'Minimum', 'Maximum', 'SampleCount'].map((s, i) => stat(`s${i}`, 'Latency', s)));
    expect(Object.values(result).map((r) => r.values)).toEqual([[10], [40], [2], [20], [4]]);
  });

  it('a period of 300 aggregates the whole window', async () => {
    expect((await query([stat('m', 'Depth', 'Average', {}, undefined, 300)])).m!.values).toEqual([67 / 12]);
  });

  it('ScanBy TimestampAscending puts the oldest first', async () => {
    expect((await query([stat('m', 'Depth', 'Sum')], { ScanBy: 'TimestampAscending' })).m!.values).toEqual([55, 12]);
  });

  it('the dimension set must match exactly', async () => {
    const result = await query([stat('b', 'Depth', 'Sum', {}, { Queue: 'b' }), stat('both', 'Depth', 'Sum', {}, { Queue: 'a', Region: 'eu' }), stat('none', 'Depth', 'Sum', {}, { Queue: 'c' })]);
    expect([result.b!.values, result.both!.values, result.none!.values]).toEqual([[100], [1000], []]);
  });

  it('a unit filters datapoints', async () => {
    const result = await query([
      { Id: 'count', MetricStat: { Metric: metric('Depth'), Period: 60, Stat: 'Sum', Unit: 'Count' } },
      { Id: 'seconds', MetricStat: { Metric: metric('Depth'), Period: 60, Stat: 'Sum', Unit: 'Seconds' } },
    ]);
    expect([result.count!.values, result.seconds!.values]).toEqual([[12, 55], []]);
  });
});

describe('expressions', () => {
  it('metric math: ids, a constant multiply, SUM(METRICS()), ReturnData false', async () => {
    const result = await query([
      stat('m1', 'Depth', 'Sum', { ReturnData: false }),
      stat('m2', 'Depth', 'Sum', { ReturnData: false }, { Queue: 'b' }),
      { Id: 'plus', Expression: 'm1 + m2' },
      { Id: 'twice', Expression: '2 * m1' },
      { Id: 'all', Expression: 'SUM(METRICS())' },
      { Id: 'scaled', Expression: '(m1 - 2) / 2' },
    ]);
    expect(Object.keys(result)).toEqual(['plus', 'twice', 'all', 'scaled']);
    expect(result.plus!.values).toEqual([112]);
    expect(result.twice!.values).toEqual([24, 110]);
    expect(result.all!.values).toEqual([112, 55]);
    expect(result.scaled!.values).toEqual([5, 26.5]);
  });

  it('Metrics Insights: SELECT FUNC(metric) FROM namespace | SCHEMA(...) WHERE ...', async () => {
    const insights = async (expression: string) => (await query([{ Id: 'q', Expression: expression, Period: 60 }])).q!.values;
    expect(await insights(`SELECT SUM(Depth) FROM "Test/App" WHERE Queue = 'a'`)).toEqual([1012, 55]);
    expect(await insights(`SELECT SUM(Depth) FROM SCHEMA("Test/App", Queue) WHERE Queue = 'a'`)).toEqual([12, 55]);
    expect(await insights(`SELECT MAX(Depth) FROM SCHEMA("Test/App", Queue)`)).toEqual([100, 10]);
    expect(await insights(`SELECT COUNT(Depth) FROM "Test/App" WHERE Queue != 'a'`)).toEqual([1]);
    expect(await insights(`SELECT AVG(Depth) FROM "Other"`)).toEqual([]);
  });

  it('only one Metrics Insights query per request', async () => {
    await expect(
      query([
        { Id: 'a', Expression: `SELECT SUM(Depth) FROM "Test/App"`, Period: 60 },
        { Id: 'b', Expression: `SELECT MAX(Depth) FROM "Test/App"`, Period: 60 },
      ]),
    ).rejects.toBeInstanceOf(ValidationException);
  });
});

describe('pages', () => {
  it('answers at most pageSize datapoints, then a NextToken; the pages add up', async () => {
    const queries = [stat('a', 'Depth', 'Sum'), stat('b', 'Depth', 'Average'), stat('c', 'Depth', 'Maximum')];
    const first = await server.admin.send(new GetMetricDataCommand({ ...window, MetricDataQueries: queries }));
    expect(first.NextToken).toBeDefined();
    expect(first.MetricDataResults!.reduce((n, r) => n + r.Values!.length, 0)).toBe(4);
    expect(first.MetricDataResults!.map((r) => r.StatusCode)).toEqual(['Complete', 'Complete', 'PartialData']);
    const second = await server.admin.send(new GetMetricDataCommand({ ...window, MetricDataQueries: queries, NextToken: first.NextToken }));
    expect(second.NextToken).toBeUndefined();
    expect(second.MetricDataResults!.map((r) => r.Values)).toEqual([[], [], [7, 10]]);
    await expect(server.admin.send(new GetMetricDataCommand({ ...window, MetricDataQueries: queries, NextToken: 'bogus' }))).rejects.toMatchObject({ name: 'InvalidNextToken' });
  });
});

describe('refusals, as typed SDK exceptions', () => {
  it('an unknown statistic: InvalidParameterValueException, query code InvalidParameterValue', async () => {
    const error = await query([stat('m', 'Depth', 'Median')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidParameterValueException);
    expect(error).toMatchObject({ name: 'InvalidParameterValueException', Code: 'InvalidParameterValue', $metadata: { httpStatusCode: 400 } });
  });

  it.each([
    ['an Id that does not match ^[a-z][a-zA-Z0-9_]*$', [stat('Bad-Id', 'Depth', 'Sum')]],
    ['duplicate Ids', [stat('m', 'Depth', 'Sum'), stat('m', 'Depth', 'Sum')]],
    ['an unknown id in an expression', [{ Id: 'e', Expression: 'nope * 2' }]],
  ])('%s: ValidationException', async (_name, queries) => {
    await expect(query(queries)).rejects.toBeInstanceOf(ValidationException);
  });

  it('more than 500 queries', async () => {
    await expect(query(Array.from({ length: 501 }, (_, i) => stat(`m${i}`, 'Depth', 'Sum')))).rejects.toBeInstanceOf(InvalidParameterValueException);
  });

  it('a request without a SigV4 Authorization header: MissingAuthenticationToken', async () => {
    const response = await fetch(`${server.endpoint}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'GraniteServiceVersion20100801.GetMetricData' },
      body: JSON.stringify({ MetricDataQueries: [], StartTime: 0, EndTime: 1 }),
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toMatch(/^MissingAuthenticationToken:/);
    expect(await response.json()).toEqual({ __type: 'com.amazon.coral.service#MissingAuthenticationToken', message: 'Request is missing Authentication Token' });
  });

  it.each([
    ['an unknown access key', { accessKeyId: 'AKIANOBODY0000000001', secretAccessKey: 'x' }, 'InvalidClientTokenId'],
    ['a wrong secret', { accessKeyId: 'AKIACWADMINTESTKEY01', secretAccessKey: 'wrong' }, 'SignatureDoesNotMatch'],
  ])('%s: %s', async (_name, credentials, code) => {
    const client = new CloudWatchClient({ region: server.region, endpoint: server.endpoint, credentials, maxAttempts: 1 });
    try {
      const error = await query([stat('m', 'Depth', 'Sum')], {}, client).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CloudWatchServiceException);
      expect(error).toMatchObject({ name: code, Code: code, $metadata: { httpStatusCode: 403 } });
    } finally {
      client.destroy();
    }
  });

  it('an injected ThrottlingException: the SDK names unmodelled errors by their query code (x-amzn-query-error)', async () => {
    server.failNext('GetMetricData', { status: 400, code: 'ThrottlingException', queryCode: 'Throttling', message: 'Rate exceeded' });
    const client = new CloudWatchClient({ region: server.region, endpoint: server.endpoint, credentials: { accessKeyId: server.adminKey.accessKeyId, secretAccessKey: server.adminKey.secretAccessKey }, maxAttempts: 1 });
    try {
      await expect(query([stat('m', 'Depth', 'Sum')], {}, client)).rejects.toMatchObject({ name: 'Throttling', Code: 'Throttling', message: 'Rate exceeded' });
    } finally {
      client.destroy();
    }
  });

  it('counts GetMetricData calls', () => {
    expect(server.getMetricDataCalls).toBe(server.calls('GetMetricData'));
    expect(server.getMetricDataCalls).toBeGreaterThan(10);
  });
});
