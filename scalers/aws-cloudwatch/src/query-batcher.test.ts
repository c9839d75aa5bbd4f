import { GetMetricDataCommand, type CloudWatchClient, type GetMetricDataOutput, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { BackendCallsImpl, ScalerError } from '@updraft/core';
import { describe, expect, it } from 'vitest';
import { CloudWatchQueryBatcherImpl, isIsolatedQuery, isMetricsInsightsQuery, planCalls, type CloudWatchQuery, type CloudWatchSeries } from './query-batcher.js';

type Answer = (input: GetMetricDataCommand['input'], options: { abortSignal?: AbortSignal }) => Promise<GetMetricDataOutput>;

/** A stand-in CloudWatch client: records every GetMetricData input. */
class FakeCloudWatch {
  readonly inputs: GetMetricDataCommand['input'][] = [];
  constructor(public answer: Answer) {}
  async send(command: GetMetricDataCommand, options: { abortSignal?: AbortSignal } = {}): Promise<GetMetricDataOutput> {
    this.inputs.push(command.input);
    return this.answer(command.input, options);
  }
  destroy(): void {}
  get client(): CloudWatchClient {
    return this as unknown as CloudWatchClient;
  }
}

const T = (minute: number) => new Date(Date.UTC(2021, 10, 7, 15, minute));
const WINDOW = { start: T(0), end: T(5) };

/** Answers each query with one datapoint: the number in its dimension value. */
const echo: Answer = async (input) => ({
  MetricDataResults: (input.MetricDataQueries ?? []).map((query: MetricDataQuery) => ({
    Id: query.Id,
    Timestamps: [T(4)],
    Values: [Number(query.MetricStat?.Metric?.Dimensions?.[0]?.Value ?? 0)],
    StatusCode: 'Complete',
  })),
});

function metric(n: number, extra: Partial<CloudWatchQuery> = {}): CloudWatchQuery {
  return { MetricStat: { Metric: { Namespace: 'Test', MetricName: 'Depth', Dimensions: [{ Name: 'Queue', Value: String(n) }] }, Period: 60, Stat: 'Average' }, ReturnData: true, ...extra };
}

function setup(answer: Answer = echo, options: { windowMs?: number; maxQueriesPerCall?: number } = {}) {
  const fake = new FakeCloudWatch(answer);
  const calls = new BackendCallsImpl();
  const batcher = new CloudWatchQueryBatcherImpl(calls, options);
  const ask = (query: CloudWatchQuery, signal: AbortSignal = new AbortController().signal, window = WINDOW): Promise<CloudWatchSeries> =>
    batcher.query({ client: fake.client, window, query, context: { subject: `trigger ${JSON.stringify(query.MetricStat?.Metric?.Dimensions?.[0]?.Value ?? query.Expression)}` } }, signal);
  return { fake, calls, batcher, ask };
}

describe('planCalls', () => {
  const group = (query: CloudWatchQuery) => ({ query });
  it('fills calls up to the limit', () => {
    const groups = Array.from({ length: 1200 }, (_, i) => group(metric(i)));
    expect(planCalls(groups).map((call) => call.length)).toEqual([500, 500, 200]);
    expect(planCalls(groups, 400).map((call) => call.length)).toEqual([400, 400, 400]);
  });

  it('puts at most one Metrics Insights query in a call, and each math expression alone', () => {
    const insights = (n: number) => group({ Expression: `SELECT AVG(Depth) FROM Test WHERE Queue = '${n}'`, Period: 60 });
    const math = group({ Expression: 'SUM(METRICS())', Period: 60 });
    const calls = planCalls([insights(1), insights(2), math, group(metric(1)), group(metric(2)), group(metric(3))]);
    expect(calls.map((call) => call.map((g) => g.query.Expression ?? 'metric'))).toEqual([
      ['SUM(METRICS())'],
      [`SELECT AVG(Depth) FROM Test WHERE Queue = '1'`, 'metric', 'metric', 'metric'],
      [`SELECT AVG(Depth) FROM Test WHERE Queue = '2'`],
    ]);
  });

  it('tells the query kinds apart', () => {
    expect(isMetricsInsightsQuery({ Expression: '  select max(x) from y' })).toBe(true);
    expect(isIsolatedQuery({ Expression: 'SEARCH(\'{AWS/SQS}\', \'Sum\', 60)' })).toBe(true);
    expect(isIsolatedQuery(metric(1))).toBe(false);
  });
});

describe('batching', () => {
  it('30 queries asked together make one call, with unique Ids, and each gets its own answer', async () => {
    const { fake, calls, ask } = setup();
    const answers = await Promise.all(Array.from({ length: 30 }, (_, i) => ask(metric(i))));
    expect(answers.map((series) => series.values[0])).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(fake.inputs).toHaveLength(1);
    const input = fake.inputs[0]!;
    expect(input.MetricDataQueries).toHaveLength(30);
    expect(new Set(input.MetricDataQueries!.map((query) => query.Id)).size).toBe(30);
    for (const query of input.MetricDataQueries!) expect(query.Id).toMatch(/^[a-z][a-zA-Z0-9_]*$/);
    expect(input).toMatchObject({ StartTime: WINDOW.start, EndTime: WINDOW.end, ScanBy: 'TimestampDescending' });
    expect(calls.count('aws-cloudwatch', 'GetMetricData')).toBe(1);
  });

  it('600 queries make 2 calls of at most 500', async () => {
    const { fake, ask } = setup();
    await Promise.all(Array.from({ length: 600 }, (_, i) => ask(metric(i))));
    expect(fake.inputs.map((input) => input.MetricDataQueries!.length).sort()).toEqual([100, 500]);
  });

  it('different windows make separate calls', async () => {
    const { fake, ask } = setup();
    await Promise.all([ask(metric(1)), ask(metric(2), undefined, { start: T(1), end: T(5) }), ask(metric(3))]);
    expect(fake.inputs.map((input) => input.MetricDataQueries!.length).sort()).toEqual([1, 2]);
  });

  it('equal queries of different triggers are asked once', async () => {
    const { fake, ask } = setup();
    const answers = await Promise.all([ask(metric(4)), ask(metric(4)), ask(metric(5))]);
    expect(answers.map((series) => series.values[0])).toEqual([4, 4, 5]);
    expect(fake.inputs[0]!.MetricDataQueries).toHaveLength(2);
  });

  it('queries asked after the batch window start a new call; nothing is cached', async () => {
    const { fake, ask } = setup();
    await ask(metric(1));
    await ask(metric(1));
    expect(fake.inputs).toHaveLength(2);
  });

  it('merges NextToken pages per Id, and orders datapoints newest first', async () => {
    const { fake, calls, ask } = setup(async (input) => {
      const [a, b] = input.MetricDataQueries!;
      if (input.NextToken === undefined) {
        return { MetricDataResults: [{ Id: a!.Id, Timestamps: [T(3)], Values: [3], StatusCode: 'PartialData' }, { Id: b!.Id, Timestamps: [], Values: [], StatusCode: 'PartialData' }], NextToken: 'page2' };
      }
      return { MetricDataResults: [{ Id: a!.Id, Timestamps: [T(4)], Values: [4], StatusCode: 'Complete' }, { Id: b!.Id, Timestamps: [T(1), T(2)], Values: [1, 2], StatusCode: 'Complete' }] };
    });
    const [first, second] = await Promise.all([ask(metric(1)), ask(metric(2))]);
    expect(first).toEqual({ timestamps: [T(4), T(3)], values: [4, 3] });
    expect(second).toEqual({ timestamps: [T(2), T(1)], values: [2, 1] });
    expect(fake.inputs.map((input) => input.NextToken)).toEqual([undefined, 'page2']);
    expect(calls.count('aws-cloudwatch', 'GetMetricData')).toBe(2);
  });

  it('a per-query error status fails only that query', async () => {
    const { ask } = setup(async (input) => ({
      MetricDataResults: input.MetricDataQueries!.map((query, index) =>
        index === 1
          ? { Id: query.Id, Timestamps: [], Values: [], StatusCode: 'Forbidden', Messages: [{ Code: 'Forbidden', Value: 'not linked' }] }
          : { Id: query.Id, Timestamps: [T(4)], Values: [index], StatusCode: 'Complete' },
      ),
    }));
    const results = await Promise.allSettled([ask(metric(0)), ask(metric(1, { AccountId: '111122223333' })), ask(metric(2))]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const error = (results[1] as PromiseRejectedResult).reason as ScalerError;
    expect(error).toBeInstanceOf(ScalerError);
    expect(error.kind).toBe('auth');
    expect(error.message).toBe('aws-cloudwatch GetMetricData for trigger "1" failed: status Forbidden: Forbidden: not linked');
  });

  it('a call CloudWatch rejects as invalid is split until the bad query is alone', async () => {
    const { fake, ask } = setup(async (input) => {
      if (input.MetricDataQueries!.some((query) => query.MetricStat?.Stat === 'bogus')) {
        throw Object.assign(new Error('The value bogus for parameter MetricStat.Stat is not valid.'), { name: 'InvalidParameterValueException', Code: 'InvalidParameterValue', $fault: 'client', $metadata: { httpStatusCode: 400 } });
      }
      return echo(input, {});
    });
    const queries = Array.from({ length: 8 }, (_, i) => (i === 5 ? metric(i, { MetricStat: { ...metric(i).MetricStat!, Stat: 'bogus' } }) : metric(i)));
    const results = await Promise.allSettled(queries.map((query) => ask(query)));
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((results[5] as PromiseRejectedResult).reason).toMatchObject({
      kind: 'query',
      message: 'aws-cloudwatch GetMetricData for trigger "5" failed: InvalidParameterValue (InvalidParameterValueException, HTTP 400): The value bogus for parameter MetricStat.Stat is not valid.',
    });
    // 8 → 4+4 → 2+2 → 1+1: five calls on the bad half's path, one for the good half
    expect(fake.inputs.length).toBeLessThanOrEqual(7);
  });

  it('a call that fails otherwise fails every query in it, each naming its own trigger', async () => {
    const { fake, ask } = setup(async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', Code: 'Throttling', $fault: 'client', $metadata: { httpStatusCode: 400 } });
    });
    const results = await Promise.allSettled([ask(metric(1)), ask(metric(2))]);
    expect(results.map((result) => (result as PromiseRejectedResult).reason.message)).toEqual([
      'aws-cloudwatch GetMetricData for trigger "1" failed: Throttling (ThrottlingException, HTTP 400): Rate exceeded',
      'aws-cloudwatch GetMetricData for trigger "2" failed: Throttling (ThrottlingException, HTTP 400): Rate exceeded',
    ]);
    expect(results.every((result) => (result as PromiseRejectedResult).reason.kind === 'unreachable')).toBe(true);
    expect(fake.inputs).toHaveLength(1);
  });
});

describe('abort', () => {
  it('a query aborted before its batch is sent is left out of the call', async () => {
    const { fake, ask } = setup();
    const controller = new AbortController();
    const left = ask(metric(1), controller.signal);
    const stays = ask(metric(2));
    controller.abort(new Error('timeout'));
    await expect(left).rejects.toMatchObject({ kind: 'timeout' });
    expect((await stays).values).toEqual([2]);
    expect(fake.inputs[0]!.MetricDataQueries).toHaveLength(1);
  });

  it('the call is aborted when every trigger in it has gone', async () => {
    let seen: AbortSignal | undefined;
    const { ask } = setup(
      (_input, options) =>
        new Promise((_resolve, reject) => {
          seen = options.abortSignal;
          options.abortSignal?.addEventListener('abort', () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })));
        }),
    );
    const a = new AbortController();
    const b = new AbortController();
    const reads = [ask(metric(1), a.signal), ask(metric(2), b.signal)];
    await new Promise((resolve) => setTimeout(resolve, 20));
    a.abort();
    expect(seen?.aborted).toBe(false);
    b.abort();
    await expect(Promise.all(reads)).rejects.toMatchObject({ kind: 'timeout' });
    expect(seen?.aborted).toBe(true);
  });

  it('an already aborted query makes no call', async () => {
    const { fake, ask } = setup();
    await expect(ask(metric(1), AbortSignal.abort())).rejects.toMatchObject({ kind: 'timeout' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fake.inputs).toHaveLength(0);
  });
});
