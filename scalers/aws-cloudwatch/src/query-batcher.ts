import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataOutput, type MessageData, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { toScalerError, type AwsCallContext, type AwsServiceDescriptor } from '@updraft/aws-common';
import { BackendCalls, recordBackendCall, ScalerError } from '@updraft/core';
import { inject, injectable, optional } from 'inversify';
import type { QueryWindow } from './query-window.js';

/** The CloudWatch client of the shared AWS client pool. */
export const cloudWatchService: AwsServiceDescriptor<CloudWatchClient> = {
  service: 'cloudwatch',
  create: (config) => new CloudWatchClient(config),
};

/** Gathers the GetMetricData queries of many triggers into few calls. */
export const CloudWatchQueryBatcher = Symbol.for('updraft.scaler-aws-cloudwatch.CloudWatchQueryBatcher');

/** Optional tuning of the batcher; bind it to change the defaults. */
export const CloudWatchBatchOptions = Symbol.for('updraft.scaler-aws-cloudwatch.CloudWatchBatchOptions');

export interface CloudWatchBatchOptions {
  /** How long a batch gathers queries before its call is made. Default 5 ms. */
  readonly windowMs?: number;
  /** Queries per GetMetricData call; CloudWatch allows 500. */
  readonly maxQueriesPerCall?: number;
  /** A safety stop for NextToken loops. Default 100 pages. */
  readonly maxPages?: number;
}

/** One trigger's query, without its Id (the batcher assigns Ids per call). */
export type CloudWatchQuery = Omit<MetricDataQuery, 'Id'>;

export interface CloudWatchQueryRequest {
  readonly client: CloudWatchClient;
  readonly window: QueryWindow;
  readonly query: CloudWatchQuery;
  /** What the query is for, for errors: the subject names the trigger's metric or expression. */
  readonly context: Omit<AwsCallContext, 'backend' | 'operation'>;
}

/** The datapoints of one query, newest first. */
export interface CloudWatchSeries {
  readonly timestamps: readonly Date[];
  readonly values: readonly number[];
}

export interface CloudWatchQueryBatcher {
  /** The datapoints of `request.query` in `request.window`; rejects with a ScalerError. */
  query(request: CloudWatchQueryRequest, signal: AbortSignal): Promise<CloudWatchSeries>;
}

/** CloudWatch's limit of queries per GetMetricData call. */
export const MAX_QUERIES_PER_CALL = 500;

type WaiterState = 'pending' | 'sent' | 'settled';

interface Waiter {
  readonly signal: AbortSignal;
  readonly context: AwsCallContext;
  readonly resolve: (series: CloudWatchSeries) => void;
  readonly reject: (error: ScalerError) => void;
  readonly detach: () => void;
  state: WaiterState;
  call?: CallState;
}

/** The triggers asking for one query (equal queries in one window are asked once). */
interface QueryGroup {
  readonly key: string;
  readonly query: CloudWatchQuery;
  readonly waiters: Set<Waiter>;
}

interface PendingBatch {
  readonly client: CloudWatchClient;
  readonly window: QueryWindow;
  readonly groups: Map<string, QueryGroup>;
}

interface CallState {
  readonly controller: AbortController;
  waiting: number;
}

interface MergedResult {
  readonly timestamps: Date[];
  readonly values: number[];
  statusCode?: string | undefined;
  readonly messages: MessageData[];
}

/** A Metrics Insights query: CloudWatch allows one per GetMetricData call. */
export function isMetricsInsightsQuery(query: CloudWatchQuery): boolean {
  return query.Expression !== undefined && /^\s*SELECT\s/i.test(query.Expression);
}

/**
 * A metric math expression (anything but a Metrics Insights query) is sent in a call of its own,
 * as KEDA sends it: `METRICS()` and query Ids in it would otherwise see other triggers' queries.
 */
export function isIsolatedQuery(query: CloudWatchQuery): boolean {
  return query.Expression !== undefined && !isMetricsInsightsQuery(query);
}

/** A stable key of a query: equal queries of different triggers are asked once. */
function queryKey(query: CloudWatchQuery): string {
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted);
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value as Record<string, unknown>)
          .filter(([, v]) => v !== undefined)
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([k, v]) => [k, sorted(v)]),
      );
    }
    return value;
  };
  return JSON.stringify(sorted(query));
}

/**
 * Splits the groups of one batch into calls: at most `max` queries each, at most one Metrics
 * Insights query each, and every metric math expression alone.
 */
export function planCalls<G extends { readonly query: CloudWatchQuery }>(groups: readonly G[], max = MAX_QUERIES_PER_CALL): G[][] {
  const calls: G[][] = [];
  const isolated = groups.filter((group) => isIsolatedQuery(group.query));
  const insights = groups.filter((group) => isMetricsInsightsQuery(group.query));
  const metrics = groups.filter((group) => group.query.Expression === undefined);
  for (const group of isolated) calls.push([group]);
  const shared: G[][] = insights.map((group) => [group]);
  let open = 0;
  for (const group of metrics) {
    while (open < shared.length && shared[open]!.length >= max) open += 1;
    if (open === shared.length) shared.push([]);
    shared[open]!.push(group);
  }
  return [...calls, ...shared];
}

/**
 * Batches GetMetricData (the README's "Batching"): the queries of all triggers that share a client
 * (identity, region, endpoint) and a window, asked within `windowMs` of each other, go out as one
 * call of up to 500 queries (more make several calls), with NextToken pages merged per query. A
 * per-query error status fails only that query's triggers, and a call that CloudWatch rejects as
 * invalid is split in halves until the invalid query is alone, so one bad trigger never fails the
 * others.
 */
@injectable()
export class CloudWatchQueryBatcherImpl implements CloudWatchQueryBatcher {
  private readonly pending = new WeakMap<CloudWatchClient, Map<string, PendingBatch>>();
  private readonly windowMs: number;
  private readonly maxQueriesPerCall: number;
  private readonly maxPages: number;

  constructor(
    @inject(BackendCalls) private readonly calls: BackendCalls,
    @inject(CloudWatchBatchOptions) @optional() options?: CloudWatchBatchOptions,
  ) {
    this.windowMs = options?.windowMs ?? 5;
    this.maxQueriesPerCall = Math.min(options?.maxQueriesPerCall ?? MAX_QUERIES_PER_CALL, MAX_QUERIES_PER_CALL);
    this.maxPages = options?.maxPages ?? 100;
  }

  query(request: CloudWatchQueryRequest, signal: AbortSignal): Promise<CloudWatchSeries> {
    const context: AwsCallContext = { ...request.context, backend: 'aws-cloudwatch', operation: 'GetMetricData' };
    if (signal.aborted) return Promise.reject(toScalerError(signal.reason, context, signal));
    const batch = this.batchFor(request.client, request.window);
    const key = queryKey(request.query);
    let group = batch.groups.get(key);
    if (!group) {
      group = { key, query: request.query, waiters: new Set() };
      batch.groups.set(key, group);
    }
    const joined = group;
    return new Promise<CloudWatchSeries>((resolve, reject) => {
      const onAbort = () => {
        if (waiter.state === 'settled') return;
        if (waiter.state === 'pending') {
          joined.waiters.delete(waiter);
          if (joined.waiters.size === 0 && batch.groups.get(joined.key) === joined) batch.groups.delete(joined.key);
        } else if (waiter.call) {
          waiter.call.waiting -= 1;
          if (waiter.call.waiting === 0) waiter.call.controller.abort(signal.reason);
        }
        waiter.state = 'settled';
        reject(toScalerError(signal.reason, context, signal));
      };
      const waiter: Waiter = {
        signal,
        context,
        state: 'pending',
        detach: () => signal.removeEventListener('abort', onAbort),
        resolve,
        reject,
      };
      signal.addEventListener('abort', onAbort, { once: true });
      joined.waiters.add(waiter);
    });
  }

  private batchFor(client: CloudWatchClient, window: QueryWindow): PendingBatch {
    let batches = this.pending.get(client);
    if (!batches) {
      batches = new Map();
      this.pending.set(client, batches);
    }
    const key = `${window.start.getTime()}/${window.end.getTime()}`;
    let batch = batches.get(key);
    if (!batch) {
      const created: PendingBatch = { client, window, groups: new Map() };
      batch = created;
      batches.set(key, created);
      const all = batches;
      setTimeout(() => {
        // From here on, new queries start a new batch.
        if (all.get(key) === created) all.delete(key);
        void this.flush(created);
      }, this.windowMs);
    }
    return batch;
  }

  private async flush(batch: PendingBatch): Promise<void> {
    const groups = [...batch.groups.values()].filter((group) => group.waiters.size > 0);
    await Promise.all(
      planCalls(groups, this.maxQueriesPerCall).map((call) => {
        const state: CallState = { controller: new AbortController(), waiting: 0 };
        for (const group of call) {
          for (const waiter of group.waiters) {
            waiter.state = 'sent';
            waiter.call = state;
            state.waiting += 1;
          }
        }
        return this.execute(batch, call, state.controller.signal).catch((error: unknown) => {
          // A bug must not leave triggers waiting for ever.
          for (const group of call) this.settle(group, (waiter) => waiter.reject(new ScalerError(`aws-cloudwatch GetMetricData for ${waiter.context.subject} failed inside Updraft: ${String(error)}`, 'internal', { cause: error })));
        });
      }),
    );
  }

  /** One call for `groups`, split in halves while CloudWatch rejects it as invalid. */
  private async execute(batch: PendingBatch, groups: readonly QueryGroup[], signal: AbortSignal): Promise<void> {
    const live = groups.filter((group) => [...group.waiters].some((waiter) => waiter.state === 'sent'));
    if (live.length === 0) return;
    let results: Map<string, MergedResult>;
    try {
      results = await this.fetch(batch, live, signal);
    } catch (error) {
      const kind = toScalerError(error, { backend: 'aws-cloudwatch', operation: 'GetMetricData', subject: 'a batch' }).kind;
      if (kind === 'query' && live.length > 1 && !signal.aborted) {
        const half = Math.ceil(live.length / 2);
        await Promise.all([this.execute(batch, live.slice(0, half), signal), this.execute(batch, live.slice(half), signal)]);
        return;
      }
      for (const group of live) this.settle(group, (waiter) => waiter.reject(toScalerError(error, waiter.context, waiter.signal.aborted ? waiter.signal : undefined)));
      return;
    }
    live.forEach((group, index) => {
      const result = results.get(idOf(index));
      this.settle(group, (waiter) => {
        const outcome = seriesOf(result, waiter.context);
        if (outcome instanceof ScalerError) waiter.reject(outcome);
        else waiter.resolve(outcome);
      });
    });
  }

  private settle(group: QueryGroup, settle: (waiter: Waiter) => void): void {
    for (const waiter of group.waiters) {
      if (waiter.state !== 'sent') continue;
      waiter.state = 'settled';
      if (waiter.call) waiter.call.waiting -= 1;
      waiter.detach();
      settle(waiter);
    }
  }

  /** One GetMetricData call, every NextToken page, merged per query Id. */
  private async fetch(batch: PendingBatch, groups: readonly QueryGroup[], signal: AbortSignal): Promise<Map<string, MergedResult>> {
    const queries: MetricDataQuery[] = groups.map((group, index) => ({ ...group.query, Id: idOf(index) }));
    const merged = new Map<string, MergedResult>();
    let nextToken: string | undefined;
    let pages = 0;
    do {
      if (++pages > this.maxPages) throw new ScalerError(`GetMetricData kept answering with a NextToken after ${this.maxPages} pages`, 'bad-response');
      const token = nextToken;
      const output: GetMetricDataOutput = await recordBackendCall(this.calls, 'aws-cloudwatch', 'GetMetricData', () =>
        batch.client.send(
          new GetMetricDataCommand({
            StartTime: batch.window.start,
            EndTime: batch.window.end,
            ScanBy: 'TimestampDescending',
            MetricDataQueries: queries,
            ...(token === undefined ? {} : { NextToken: token }),
          }),
          { abortSignal: signal },
        ),
      );
      for (const result of output.MetricDataResults ?? []) {
        if (result.Id === undefined) continue;
        let entry = merged.get(result.Id);
        if (!entry) {
          entry = { timestamps: [], values: [], messages: [] };
          merged.set(result.Id, entry);
        }
        entry.timestamps.push(...(result.Timestamps ?? []));
        entry.values.push(...(result.Values ?? []));
        entry.messages.push(...(result.Messages ?? []));
        entry.statusCode = result.StatusCode ?? entry.statusCode;
      }
      nextToken = output.NextToken === '' ? undefined : output.NextToken;
    } while (nextToken !== undefined);
    return merged;
  }
}

/** Query Ids must match ^[a-z][a-zA-Z0-9_]*$ and be unique within a call. */
function idOf(index: number): string {
  return `q${index}`;
}

function describeMessages(messages: readonly MessageData[]): string {
  return messages.map((message) => [message.Code, message.Value].filter(Boolean).join(': ')).join('; ');
}

/** The datapoints of one merged result, newest first; or the error of that query alone. */
function seriesOf(result: MergedResult | undefined, context: AwsCallContext): CloudWatchSeries | ScalerError {
  const what = `${context.backend} ${context.operation} for ${context.subject}`;
  if (!result) return new ScalerError(`${what}: the answer has no result for this query`, 'bad-response');
  if (result.statusCode === 'Forbidden' || result.statusCode === 'InternalError') {
    const messages = describeMessages(result.messages);
    return new ScalerError(
      `${what} failed: status ${result.statusCode}${messages === '' ? '' : `: ${messages}`}`,
      result.statusCode === 'Forbidden' ? 'auth' : 'unreachable',
    );
  }
  if (result.timestamps.length !== result.values.length) {
    return new ScalerError(`${what}: the answer has ${result.timestamps.length} timestamps for ${result.values.length} values`, 'bad-response');
  }
  const points = result.timestamps.map((timestamp, index) => ({ timestamp, value: result.values[index]! }));
  points.sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime());
  return { timestamps: points.map((point) => point.timestamp), values: points.map((point) => point.value) };
}
