import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { answerAssumeRole, AwsKeyTable, readBody, stsError, verifySigV4, type AwsKey } from './aws-auth.js';

/**
 * A CloudWatch stand-in for tests (no CloudWatch emulator exists), speaking what
 * @aws-sdk/client-cloudwatch 3.1164.0 sends: the AWS JSON 1.0 protocol (`POST /`,
 * `Content-Type: application/x-amz-json-1.0`, `X-Amz-Target: GraniteServiceVersion20100801.<Operation>`,
 * `x-amzn-query-mode: true`), timestamps as epoch seconds, errors as `{ __type, message }` with the
 * `x-amzn-ErrorType` and `x-amzn-query-error` headers, so the real SDK raises its typed exceptions.
 *
 * It keeps PutMetricData datapoints per account and answers GetMetricData with real statistics per
 * period (SampleCount, Sum, Average, Minimum, Maximum, pNN), a metric math subset (ids, numbers,
 * + - * /, SUM/AVG/MIN/MAX, METRICS()), a Metrics Insights subset (`SELECT AVG|SUM|MIN|MAX|COUNT(metric)
 * FROM namespace | SCHEMA(namespace, dims...) [WHERE dim = 'v' AND dim != 'v' ...]`), ScanBy, and
 * NextToken pages of `pageSize` datapoints. Every request must be SigV4-signed by a key in `keys`.
 * It also answers STS AssumeRole (Query protocol) for roles in `keys`, so that an `awsEndpoint`
 * override that points STS here too works, as it would against LocalStack.
 */
export interface CloudWatchServer {
  readonly endpoint: string;
  readonly region: string;
  readonly keys: AwsKeyTable;
  /** The key of `admin`, in account 000000000000. */
  readonly adminKey: AwsKey;
  /** A real CloudWatch client for PutMetricData. */
  readonly admin: CloudWatchClient;
  /** GetMetricData requests answered or refused (each NextToken page is one). */
  readonly getMetricDataCalls: number;
  /** The GetMetricData request bodies, in order, with the key that signed each. */
  readonly getMetricDataRequests: readonly RecordedRequest[];
  /** Requests per operation (`GetMetricData`, `PutMetricData`, `AssumeRole`), signed or not. */
  calls(operation: string): number;
  resetCalls(): void;
  /** Stores datapoints without a PutMetricData call (for large set-ups). */
  put(metric: StoredMetricId, points: readonly { readonly timestamp: Date; readonly value: number; readonly unit?: string }[], accountId?: string): void;
  /** Answers the next `times` calls of `operation` with an AWS JSON error. */
  failNext(operation: string, error: { status: number; code: string; queryCode?: string; message: string; times?: number }): void;
  /** Holds back the answers to `operation` for `ms` until cleared with 0. */
  delay(operation: string, ms: number): void;
  stop(): Promise<void>;
}

export interface CloudWatchServerOptions {
  readonly region?: string;
  /** Datapoints per GetMetricData answer before a NextToken (AWS: 100,800). */
  readonly pageSize?: number;
  /** Monitoring accounts and the source accounts they may read with a query's AccountId. */
  readonly linkedAccounts?: Readonly<Record<string, readonly string[]>>;
}

export interface RecordedRequest {
  readonly accessKeyId: string;
  readonly body: GetMetricDataBody;
}

export interface StoredMetricId {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions?: Readonly<Record<string, string>>;
}

interface Dimension {
  Name: string;
  Value: string;
}

interface MetricStatBody {
  Metric: { Namespace?: string; MetricName?: string; Dimensions?: Dimension[] };
  Period?: number;
  Stat?: string;
  Unit?: string;
}

interface QueryBody {
  Id: string;
  MetricStat?: MetricStatBody;
  Expression?: string;
  Label?: string;
  ReturnData?: boolean;
  Period?: number;
  AccountId?: string;
}

export interface GetMetricDataBody {
  MetricDataQueries: QueryBody[];
  StartTime: number;
  EndTime: number;
  NextToken?: string;
  ScanBy?: 'TimestampDescending' | 'TimestampAscending';
  MaxDatapoints?: number;
}

interface PutMetricDataBody {
  Namespace: string;
  MetricData: {
    MetricName: string;
    Dimensions?: Dimension[];
    Timestamp?: number;
    Value?: number;
    Values?: number[];
    Counts?: number[];
    StatisticValues?: { SampleCount: number; Sum: number; Minimum: number; Maximum: number };
    Unit?: string;
  }[];
}

/** One stored observation: a value seen `count` times, or an aggregated StatisticSet. */
interface Sample {
  readonly t: number;
  readonly unit: string;
  readonly count: number;
  readonly value?: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

interface StoredMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly samples: Sample[];
}

/** A request the server refuses as a whole, as CloudWatch does. */
class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly queryCode: string,
    message: string,
  ) {
    super(message);
  }
}

const invalidParameter = (message: string) => new ApiError(400, 'InvalidParameterValueException', 'InvalidParameterValue', message);
const validation = (message: string) => new ApiError(400, 'ValidationException', 'ValidationError', message);

type Series = Map<number, number>;
type Value = { kind: 'scalar'; value: number } | { kind: 'series'; series: Series } | { kind: 'array'; items: Series[] };

function metricKey(namespace: string, metricName: string, dimensions: Readonly<Record<string, string>>): string {
  const dims = Object.keys(dimensions)
    .sort()
    .map((name) => `${name}=${dimensions[name]}`)
    .join(',');
  return `${namespace}\u0000${metricName}\u0000${dims}`;
}

function dimensionRecord(dimensions: readonly Dimension[] | undefined): Record<string, string> {
  return Object.fromEntries((dimensions ?? []).map((dimension) => [dimension.Name, dimension.Value]));
}

/** The statistic of the samples of one period; undefined when there is none. */
export function statistic(stat: string, samples: readonly Sample[]): number | undefined {
  if (samples.length === 0) return undefined;
  const count = samples.reduce((total, sample) => total + sample.count, 0);
  const sum = samples.reduce((total, sample) => total + sample.sum, 0);
  switch (stat) {
    case 'SampleCount':
      return count;
    case 'Sum':
      return sum;
    case 'Average':
      return count === 0 ? undefined : sum / count;
    case 'Minimum':
      return Math.min(...samples.map((sample) => sample.min));
    case 'Maximum':
      return Math.max(...samples.map((sample) => sample.max));
  }
  const percentile = /^p(\d{1,2}(?:\.\d+)?|100)$/.exec(stat);
  if (!percentile) throw invalidParameter(`The value ${stat} for parameter MetricStat.Stat is not valid.`);
  // Nearest rank over the single values (StatisticSets carry no distribution, as in CloudWatch).
  const values = samples.filter((sample) => sample.value !== undefined).sort((a, b) => a.value! - b.value!);
  const total = values.reduce((sum, sample) => sum + sample.count, 0);
  if (total === 0) return undefined;
  const rank = Math.max(1, Math.ceil((Number(percentile[1]) / 100) * total));
  let seen = 0;
  for (const sample of values) {
    seen += sample.count;
    if (seen >= rank) return sample.value;
  }
  return values.at(-1)!.value;
}

function checkPeriod(period: number | undefined, where: string): number {
  if (period === undefined) throw new ApiError(400, 'MissingRequiredParameterException', 'MissingParameter', `${where}.Period is required`);
  const ok = period === 1 || period === 5 || period === 10 || period === 30 || (period >= 60 && period % 60 === 0);
  if (!ok) throw invalidParameter(`The parameter ${where}.Period must be 1, 5, 10, 30 or a multiple of 60.`);
  return period;
}

/** Period starts from StartTime to EndTime (exclusive). */
function periods(startMs: number, endMs: number, periodMs: number): number[] {
  const starts: number[] = [];
  for (let t = startMs; t < endMs; t += periodMs) starts.push(t);
  return starts;
}

/** A statistic per period over the samples of some metrics, skipping empty periods. */
function aggregate(metrics: readonly StoredMetric[], stat: string, unit: string | undefined, startMs: number, endMs: number, periodMs: number): Series {
  const series: Series = new Map();
  for (const from of periods(startMs, endMs, periodMs)) {
    const to = Math.min(from + periodMs, endMs);
    const inPeriod = metrics.flatMap((metric) => metric.samples.filter((sample) => sample.t >= from && sample.t < to && (unit === undefined || sample.unit === unit)));
    const value = statistic(stat, inPeriod);
    if (value !== undefined) series.set(from, value);
  }
  return series;
}

interface InsightsQuery {
  readonly fn: 'AVG' | 'SUM' | 'MIN' | 'MAX' | 'COUNT';
  readonly metricName: string;
  readonly namespace: string;
  /** SCHEMA(ns, dims...): exactly these dimension names. */
  readonly schema?: readonly string[];
  readonly where: readonly { readonly name: string; readonly op: '=' | '!='; readonly value: string }[];
}

const unquote = (text: string) => text.trim().replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1');

/** The Metrics Insights subset: SELECT FN(metric) FROM ns | SCHEMA(ns, dims) [WHERE d = 'v' [AND ...]]. */
export function parseInsights(expression: string): InsightsQuery {
  const match = /^\s*SELECT\s+(AVG|SUM|MIN|MAX|COUNT)\s*\(\s*("[^"]+"|[A-Za-z0-9_.:-]+)\s*\)\s+FROM\s+(SCHEMA\s*\(([^)]*)\)|"[^"]+"|[A-Za-z0-9_/.:-]+)\s*(?:WHERE\s+(.+?))?\s*$/i.exec(expression);
  if (!match) throw validation(`Metrics Insights query is not supported by this test server or is malformed: ${expression}`);
  const [, fn, metric, from, schemaArgs, where] = match;
  let namespace: string;
  let schema: string[] | undefined;
  if (schemaArgs !== undefined) {
    const args = schemaArgs.split(',').map(unquote);
    namespace = args[0]!;
    schema = args.slice(1);
  } else {
    namespace = unquote(from!);
  }
  const conditions = (where ?? '')
    .split(/\s+AND\s+/i)
    .filter((part) => part.trim() !== '')
    .map((part) => {
      const condition = /^\s*("[^"]+"|[A-Za-z0-9_.:-]+)\s*(!=|=)\s*'([^']*)'\s*$/.exec(part);
      if (!condition) throw validation(`Metrics Insights condition is not supported by this test server: ${part}`);
      return { name: unquote(condition[1]!), op: condition[2] as '=' | '!=', value: condition[3]! };
    });
  return { fn: fn!.toUpperCase() as InsightsQuery['fn'], metricName: unquote(metric!), namespace, ...(schema ? { schema } : {}), where: conditions };
}

const INSIGHTS_STAT: Record<InsightsQuery['fn'], string> = { AVG: 'Average', SUM: 'Sum', MIN: 'Minimum', MAX: 'Maximum', COUNT: 'SampleCount' };

type Token = { kind: 'number'; value: number } | { kind: 'name'; value: string } | { kind: 'op'; value: string } | { kind: 'string'; value: string };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|('[^']*')|([-+*/(),]))/y;
  let index = 0;
  while (index < expression.length) {
    if (/^\s*$/.test(expression.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(expression);
    if (!match) throw validation(`Error in expression: unexpected character at ${index}: ${expression}`);
    if (match[1] !== undefined) tokens.push({ kind: 'number', value: Number(match[1]) });
    else if (match[2] !== undefined) tokens.push({ kind: 'name', value: match[2] });
    else if (match[3] !== undefined) tokens.push({ kind: 'string', value: match[3].slice(1, -1) });
    else tokens.push({ kind: 'op', value: match[4]! });
    index = pattern.lastIndex;
  }
  return tokens;
}

function binary(op: string, left: Value, right: Value): Value {
  const apply = (a: number, b: number) => (op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b);
  const withScalar = (series: Series, scalar: number, scalarLeft: boolean) =>
    new Map([...series].map(([t, v]) => [t, scalarLeft ? apply(scalar, v) : apply(v, scalar)] as const));
  if (left.kind === 'scalar' && right.kind === 'scalar') return { kind: 'scalar', value: apply(left.value, right.value) };
  if (left.kind === 'series' && right.kind === 'scalar') return { kind: 'series', series: withScalar(left.series, right.value, false) };
  if (left.kind === 'scalar' && right.kind === 'series') return { kind: 'series', series: withScalar(right.series, left.value, true) };
  if (left.kind === 'array' && right.kind === 'scalar') return { kind: 'array', items: left.items.map((series) => withScalar(series, right.value, false)) };
  if (left.kind === 'series' && right.kind === 'series') {
    const series: Series = new Map();
    for (const [t, v] of left.series) if (right.series.has(t)) series.set(t, apply(v, right.series.get(t)!));
    return { kind: 'series', series };
  }
  throw validation(`Error in expression: ${op} is not supported between ${left.kind} and ${right.kind} here`);
}

function reduce(fn: string, value: Value): Value {
  const pick = (values: number[]) =>
    fn === 'SUM' ? values.reduce((a, b) => a + b, 0) : fn === 'AVG' ? values.reduce((a, b) => a + b, 0) / values.length : fn === 'MIN' ? Math.min(...values) : Math.max(...values);
  if (value.kind === 'array') {
    const series: Series = new Map();
    const times = new Set(value.items.flatMap((item) => [...item.keys()]));
    for (const t of times) series.set(t, pick(value.items.filter((item) => item.has(t)).map((item) => item.get(t)!)));
    return { kind: 'series', series };
  }
  if (value.kind === 'series') return { kind: 'scalar', value: value.series.size === 0 ? NaN : pick([...value.series.values()]) };
  return value;
}

/** Evaluates the metric math subset; `lookup` resolves query Ids, `metrics()` is every MetricStat query's series. */
function evaluateMath(expression: string, lookup: (id: string) => Series, metrics: () => Series[]): Value {
  const tokens = tokenize(expression);
  let position = 0;
  const peek = () => tokens[position];
  const take = () => tokens[position++];
  const expect = (op: string) => {
    const token = take();
    if (token?.kind !== 'op' || token.value !== op) throw validation(`Error in expression: expected "${op}": ${expression}`);
  };
  const parseExpression = (): Value => {
    let left = parseTerm();
    while (peek()?.kind === 'op' && (peek()!.value === '+' || peek()!.value === '-')) left = binary(take()!.value as string, left, parseTerm());
    return left;
  };
  const parseTerm = (): Value => {
    let left = parseFactor();
    while (peek()?.kind === 'op' && (peek()!.value === '*' || peek()!.value === '/')) left = binary(take()!.value as string, left, parseFactor());
    return left;
  };
  const parseFactor = (): Value => {
    const token = take();
    if (!token) throw validation(`Error in expression: unexpected end: ${expression}`);
    if (token.kind === 'number') return { kind: 'scalar', value: token.value };
    if (token.kind === 'op' && token.value === '-') return binary('*', { kind: 'scalar', value: -1 }, parseFactor());
    if (token.kind === 'op' && token.value === '(') {
      const inner = parseExpression();
      expect(')');
      return inner;
    }
    if (token.kind === 'name') {
      const name = token.value;
      if (peek()?.kind === 'op' && peek()!.value === '(') {
        take();
        const fn = name.toUpperCase();
        if (fn === 'METRICS') {
          if (peek()?.kind === 'string') take();
          expect(')');
          return { kind: 'array', items: metrics() };
        }
        if (['SUM', 'AVG', 'MIN', 'MAX'].includes(fn)) {
          const argument = parseExpression();
          expect(')');
          return reduce(fn, argument);
        }
        throw validation(`Error in expression: the function ${name} is not supported by this test server`);
      }
      return { kind: 'series', series: lookup(name) };
    }
    throw validation(`Error in expression: unexpected token in ${expression}`);
  };
  const value = parseExpression();
  if (position !== tokens.length) throw validation(`Error in expression: unexpected input after position ${position}: ${expression}`);
  return value;
}

interface QueryResult {
  readonly id: string;
  readonly label: string;
  /** Newest or oldest first, as ScanBy asks. */
  readonly points: readonly (readonly [number, number])[];
  readonly statusCode: 'Complete' | 'Forbidden' | 'InternalError';
  readonly messages: readonly { Code: string; Value: string }[];
}

const ID_PATTERN = /^[a-z][a-zA-Z0-9_]*$/;

export async function startCloudWatchServer(options: CloudWatchServerOptions = {}): Promise<CloudWatchServer> {
  const region = options.region ?? 'eu-west-1';
  const pageSize = options.pageSize ?? 100_800;
  const keys = new AwsKeyTable();
  const adminKey = keys.addKey({ accessKeyId: 'AKIACWADMINTESTKEY01', secretAccessKey: 'cloudwatch-admin-secret' });
  const accounts = new Map<string, Map<string, StoredMetric>>();
  const counts = new Map<string, number>();
  const failures = new Map<string, { status: number; code: string; queryCode: string; message: string; times: number }>();
  const delays = new Map<string, number>();
  const requests: RecordedRequest[] = [];
  let getMetricDataCalls = 0;

  const store = (accountId: string, id: StoredMetricId, sample: Sample) => {
    let metrics = accounts.get(accountId);
    if (!metrics) {
      metrics = new Map();
      accounts.set(accountId, metrics);
    }
    const dimensions = id.dimensions ?? {};
    const key = metricKey(id.namespace, id.metricName, dimensions);
    let metric = metrics.get(key);
    if (!metric) {
      metric = { namespace: id.namespace, metricName: id.metricName, dimensions, samples: [] };
      metrics.set(key, metric);
    }
    metric.samples.push(sample);
  };

  const putMetricData = (body: PutMetricDataBody, caller: AwsKey) => {
    if (!body.Namespace) throw new ApiError(400, 'MissingRequiredParameterException', 'MissingParameter', 'The parameter Namespace is required.');
    for (const datum of body.MetricData ?? []) {
      const t = datum.Timestamp === undefined ? Date.now() : datum.Timestamp * 1000;
      const unit = datum.Unit ?? 'None';
      const id = { namespace: body.Namespace, metricName: datum.MetricName, dimensions: dimensionRecord(datum.Dimensions) };
      if (datum.StatisticValues) {
        const s = datum.StatisticValues;
        store(caller.accountId, id, { t, unit, count: s.SampleCount, sum: s.Sum, min: s.Minimum, max: s.Maximum });
      } else if (datum.Values) {
        datum.Values.forEach((value, index) => {
          const count = datum.Counts?.[index] ?? 1;
          store(caller.accountId, id, { t, unit, count, value, sum: value * count, min: value, max: value });
        });
      } else if (datum.Value !== undefined) {
        store(caller.accountId, id, { t, unit, count: 1, value: datum.Value, sum: datum.Value, min: datum.Value, max: datum.Value });
      }
    }
    return {};
  };

  const readableAccount = (caller: AwsKey, accountId: string | undefined) =>
    accountId === undefined || accountId === caller.accountId || (options.linkedAccounts?.[caller.accountId] ?? []).includes(accountId);

  const getMetricData = (body: GetMetricDataBody, caller: AwsKey) => {
    const queries = body.MetricDataQueries ?? [];
    if (queries.length === 0) throw new ApiError(400, 'MissingRequiredParameterException', 'MissingParameter', 'The parameter MetricDataQueries is required.');
    if (queries.length > 500) throw invalidParameter(`The collection MetricDataQueries must not have a size greater than 500, got ${queries.length}.`);
    if (typeof body.StartTime !== 'number' || typeof body.EndTime !== 'number') throw new ApiError(400, 'MissingRequiredParameterException', 'MissingParameter', 'StartTime and EndTime are required.');
    if (body.StartTime >= body.EndTime) throw invalidParameter('The parameter StartTime must be less than the parameter EndTime.');
    const ids = new Set<string>();
    let insights = 0;
    queries.forEach((query, index) => {
      const where = `MetricDataQueries.member.${index + 1}`;
      if (!ID_PATTERN.test(query.Id ?? '')) throw validation(`The value ${query.Id} for parameter ${where}.Id is not valid: it must start with a lowercase letter and hold only letters, digits and underscores.`);
      if (ids.has(query.Id)) throw validation(`The values for parameter Id in MetricDataQueries are not unique: ${query.Id}.`);
      ids.add(query.Id);
      if ((query.MetricStat === undefined) === (query.Expression === undefined)) throw validation(`Exactly one of ${where}.MetricStat and ${where}.Expression must be set.`);
      if (query.MetricStat) {
        checkPeriod(query.MetricStat.Period, `${where}.MetricStat`);
        if (!query.MetricStat.Metric?.Namespace || !query.MetricStat.Metric.MetricName) throw new ApiError(400, 'MissingRequiredParameterException', 'MissingParameter', `${where}.MetricStat.Metric needs Namespace and MetricName.`);
        statistic(query.MetricStat.Stat ?? '', [{ t: 0, unit: 'None', count: 1, value: 0, sum: 0, min: 0, max: 0 }]);
      }
      if (query.Expression !== undefined && /^\s*SELECT\s/i.test(query.Expression)) insights += 1;
    });
    if (insights > 1) throw validation('A GetMetricData request can include only one Metrics Insights query.');

    const startMs = body.StartTime * 1000;
    const endMs = body.EndTime * 1000;
    const byId = new Map(queries.map((query) => [query.Id, query] as const));
    const evaluated = new Map<string, Series>();
    const evaluating = new Set<string>();
    const forbidden = new Set<string>();

    const metricsOf = (accountId: string) => [...(accounts.get(accountId)?.values() ?? [])];
    const evaluate = (id: string): Series => {
      const known = evaluated.get(id);
      if (known) return known;
      const query = byId.get(id);
      if (!query) throw validation(`Error in expression: Unrecognized metric name ${id}.`);
      if (evaluating.has(id)) throw validation(`Error in expression ${id}: circular reference.`);
      evaluating.add(id);
      const account = query.AccountId ?? caller.accountId;
      let series: Series;
      if (!readableAccount(caller, query.AccountId)) {
        forbidden.add(id);
        series = new Map();
      } else if (query.MetricStat) {
        const stat = query.MetricStat;
        const dimensions = dimensionRecord(stat.Metric.Dimensions);
        const metric = accounts.get(account)?.get(metricKey(stat.Metric.Namespace!, stat.Metric.MetricName!, dimensions));
        series = aggregate(metric ? [metric] : [], stat.Stat!, stat.Unit, startMs, endMs, stat.Period! * 1000);
      } else if (/^\s*SELECT\s/i.test(query.Expression!)) {
        const parsed = parseInsights(query.Expression!);
        const period = checkPeriod(query.Period, `MetricDataQueries (${id})`);
        const matching = metricsOf(account).filter((metric) => {
          if (metric.namespace !== parsed.namespace || metric.metricName !== parsed.metricName) return false;
          if (parsed.schema) {
            const names = Object.keys(metric.dimensions).sort();
            if (names.join(',') !== [...parsed.schema].sort().join(',')) return false;
          }
          return parsed.where.every((condition) => (metric.dimensions[condition.name] === condition.value) === (condition.op === '='));
        });
        series = aggregate(matching, INSIGHTS_STAT[parsed.fn], undefined, startMs, endMs, period * 1000);
      } else {
        const value = evaluateMath(query.Expression!, evaluate, () =>
          queries.filter((other) => other.MetricStat !== undefined).map((other) => evaluate(other.Id)),
        );
        const period = (query.Period ?? queries.find((other) => other.MetricStat)?.MetricStat?.Period ?? 60) * 1000;
        if (value.kind === 'array') throw validation(`Error in expression ${id}: the result must be a single time series.`);
        series = value.kind === 'series' ? value.series : new Map(periods(startMs, endMs, period).map((t) => [t, value.value] as const));
      }
      evaluating.delete(id);
      evaluated.set(id, series);
      return series;
    };

    const descending = (body.ScanBy ?? 'TimestampDescending') === 'TimestampDescending';
    const results: QueryResult[] = queries
      .filter((query) => query.ReturnData !== false)
      .map((query) => {
        const series = evaluate(query.Id);
        const points = [...series].filter(([, value]) => Number.isFinite(value)).sort(([a], [b]) => (descending ? b - a : a - b));
        const denied = forbidden.has(query.Id);
        return {
          id: query.Id,
          label: query.Label ?? query.MetricStat?.Metric.MetricName ?? query.Id,
          points,
          statusCode: denied ? 'Forbidden' : 'Complete',
          messages: denied ? [{ Code: 'Forbidden', Value: `account ${caller.accountId} may not read metrics of account ${query.AccountId}` }] : [],
        };
      });

    // Pages of `pageSize` datapoints, in result order; the token is the offset into them.
    const total = results.reduce((sum, result) => sum + result.points.length, 0);
    let offset = 0;
    if (body.NextToken !== undefined) {
      const decoded = /^page:(\d+)$/.exec(Buffer.from(body.NextToken, 'base64').toString('utf8'));
      if (!decoded || Number(decoded[1]) > total) throw new ApiError(400, 'InvalidNextToken', 'InvalidNextToken', 'The service found NextToken to be invalid.');
      offset = Number(decoded[1]);
    }
    const end = Math.min(offset + pageSize, total);
    let cursor = 0;
    const page = results.map((result) => {
      const from = Math.max(offset - cursor, 0);
      const to = Math.max(Math.min(end - cursor, result.points.length), 0);
      cursor += result.points.length;
      const slice = from < to ? result.points.slice(from, to) : [];
      const more = cursor > end;
      return {
        Id: result.id,
        Label: result.label,
        Timestamps: slice.map(([t]) => t / 1000),
        Values: slice.map(([, value]) => value),
        StatusCode: result.statusCode === 'Complete' && more ? 'PartialData' : result.statusCode,
        Messages: result.messages,
      };
    });
    return { MetricDataResults: page, Messages: [], ...(end < total ? { NextToken: Buffer.from(`page:${end}`).toString('base64') } : {}) };
  };

  const sendJson = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID(), ...headers });
    res.end(JSON.stringify(body));
  };
  /** An AWS JSON error: CloudWatch's own (modelled) errors are in its namespace, auth and throttling in Coral's. */
  const sendError = (res: ServerResponse, error: { status: number; code: string; queryCode: string; message: string }, namespace = 'com.amazon.coral.service') => {
    sendJson(res, error.status, { __type: `${namespace}#${error.code}`, message: error.message }, {
      'x-amzn-errortype': `${error.code}:http://internal.amazon.com/coral/${namespace}/`,
      'x-amzn-query-error': `${error.queryCode};Sender`,
    });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const contentType = req.headers['content-type'] ?? '';
    const form = contentType.includes('x-www-form-urlencoded') ? new URLSearchParams(raw.toString('utf8')) : undefined;
    const target = typeof req.headers['x-amz-target'] === 'string' ? req.headers['x-amz-target'] : '';
    const operation = form?.get('Action') ?? target.replace(/^GraniteServiceVersion20100801\./, '');
    counts.set(operation, (counts.get(operation) ?? 0) + 1);
    if (operation === 'GetMetricData') getMetricDataCalls += 1;

    const auth = verifySigV4({ method: req.method ?? 'POST', url: req.url ?? '/', headers: req.headers }, raw, keys);
    if (!auth.ok) {
      if (form) {
        const answer = stsError(auth.status, auth.code, auth.message);
        res.writeHead(answer.status, { 'content-type': 'text/xml' });
        return res.end(answer.body);
      }
      return sendError(res, { status: auth.status, code: auth.code, queryCode: auth.code, message: auth.message });
    }
    const service = form ? 'sts' : 'monitoring';
    if (auth.service !== service) {
      return sendError(res, { status: 403, code: 'SignatureDoesNotMatch', queryCode: 'SignatureDoesNotMatch', message: `Credential should be scoped to correct service: '${service}'.` });
    }
    const wait = delays.get(operation) ?? 0;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const failure = failures.get(operation);
    if (failure && failure.times > 0) {
      failure.times -= 1;
      return sendError(res, failure);
    }
    if (form) {
      if (form.get('Action') !== 'AssumeRole') {
        const answer = stsError(400, 'InvalidAction', `This test server answers only AssumeRole, not ${form.get('Action')}`);
        res.writeHead(answer.status, { 'content-type': 'text/xml' });
        return res.end(answer.body);
      }
      const answer = answerAssumeRole(form, auth.key, keys);
      res.writeHead(answer.status, { 'content-type': 'text/xml' });
      return res.end(answer.body);
    }
    if (req.method !== 'POST' || !contentType.includes('application/x-amz-json-1.0')) {
      return sendError(res, { status: 400, code: 'UnknownOperationException', queryCode: 'UnknownOperation', message: `expected POST with application/x-amz-json-1.0, got ${req.method} ${contentType}` });
    }
    const text = (req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
    let body: unknown;
    try {
      body = text === '' ? {} : JSON.parse(text);
    } catch {
      return sendError(res, { status: 400, code: 'SerializationException', queryCode: 'SerializationException', message: 'The request body is not JSON.' });
    }
    try {
      if (operation === 'PutMetricData') return sendJson(res, 200, putMetricData(body as PutMetricDataBody, auth.key));
      if (operation === 'GetMetricData') {
        requests.push({ accessKeyId: auth.key.accessKeyId, body: body as GetMetricDataBody });
        return sendJson(res, 200, getMetricData(body as GetMetricDataBody, auth.key));
      }
      return sendError(res, { status: 400, code: 'UnknownOperationException', queryCode: 'UnknownOperation', message: `This test server does not implement ${operation}` });
    } catch (error) {
      if (error instanceof ApiError) return sendError(res, error, 'com.amazonaws.cloudwatch');
      throw error;
    }
  };

  const server: Server = createServer((req, res) => {
    // The Date header from this process's clock (the SDK corrects its clock skew from it), so a test that fakes Date stays consistent.
    res.setHeader('date', new Date().toUTCString());
    handle(req, res).catch((error: unknown) => sendError(res, { status: 500, code: 'InternalServiceFault', queryCode: 'InternalServiceError', message: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const admin = new CloudWatchClient({ region, endpoint, credentials: { accessKeyId: adminKey.accessKeyId, secretAccessKey: adminKey.secretAccessKey } });

  return {
    endpoint,
    region,
    keys,
    adminKey,
    admin,
    get getMetricDataCalls() {
      return getMetricDataCalls;
    },
    getMetricDataRequests: requests,
    calls: (operation) => counts.get(operation) ?? 0,
    resetCalls() {
      counts.clear();
      requests.length = 0;
      getMetricDataCalls = 0;
    },
    put(metric, points, accountId = adminKey.accountId) {
      for (const point of points) {
        store(accountId, metric, { t: point.timestamp.getTime(), unit: point.unit ?? 'None', count: 1, value: point.value, sum: point.value, min: point.value, max: point.value });
      }
    },
    failNext(operation, error) {
      failures.set(operation, { status: error.status, code: error.code, queryCode: error.queryCode ?? error.code, message: error.message, times: error.times ?? 1 });
    },
    delay(operation, ms) {
      delays.set(operation, ms);
    },
    async stop() {
      admin.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
