import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../harness/process.js';
import { startPrometheus, type PrometheusServer } from '../harness/prometheus.js';
import { prometheusTriggers } from './triggers.js';

// A real Prometheus 2.42 with data backfilled by promtool: every value below is deterministic.
let prometheus: PrometheusServer;
const triggers = prometheusTriggers();
const { read, failure } = triggers;

beforeAll(async () => {
  prometheus = await startPrometheus({
    backfill: [
      { name: 'updraft_queue_depth', labels: { queue: 'orders' }, value: 42 },
      { name: 'updraft_queue_depth', labels: { queue: 'billing' }, value: 7 },
      { name: 'updraft_queue_depth', labels: { queue: 'fractional' }, value: 2.75 },
      { name: 'updraft_ratio', labels: { kind: 'nan' }, value: 'NaN' },
      { name: 'updraft_ratio', labels: { kind: 'inf' }, value: '+Inf' },
      { name: 'updraft_ratio', labels: { kind: 'minus-inf' }, value: '-Inf' },
    ],
  });
});
afterAll(async () => {
  await triggers.closeAll();
  await prometheus?.stop();
});

const at = (query: string, more: Record<string, string> = {}) => ({ serverAddress: prometheus.url, query, ...more });

describe('values', () => {
  it.each([
    { query: 'updraft_queue_depth{queue="orders"}', value: 42 },
    { query: 'updraft_queue_depth{queue="fractional"}', value: 2.75 },
    { query: 'sum(updraft_queue_depth)', value: 51.75 },
    { query: 'max(updraft_queue_depth) - min(updraft_queue_depth)', value: 39.25 },
    { query: 'count(updraft_queue_depth > 5)', value: 2 },
  ])('an instant vector of one element gives its value: $query = $value', async ({ query, value }) => {
    const result = await read(at(query));
    expect(result.values).toEqual([{ metricName: 's0-prometheus', value, timestamp: expect.any(Date) }]);
    expect(result).not.toHaveProperty('empty');
  });

  it.each([
    { query: 'scalar(updraft_queue_depth{queue="orders"})', value: 42 },
    { query: '3.5', value: 3.5 },
    { query: 'scalar(sum(updraft_queue_depth)) * 2', value: 103.5 },
  ])('a scalar gives its value: $query = $value (KEDA cannot read scalar results)', async ({ query, value }) => {
    expect((await read(at(query))).values[0]!.value).toBe(value);
  });

  it.each([
    { activationThreshold: '41', active: true },
    { activationThreshold: '41.99', active: true },
    { activationThreshold: '42', active: false },
    { activationThreshold: '100', active: false },
  ])('value 42 with activationThreshold $activationThreshold → active $active', async ({ activationThreshold, active }) => {
    expect((await read(at('updraft_queue_depth{queue="orders"}', { activationThreshold }))).active).toBe(active);
  });

  it('the time parameter is now: a query that depends on it sees the current time', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { values } = await read(at('time()'));
    expect(values[0]!.value).toBeGreaterThanOrEqual(before);
    expect(values[0]!.value).toBeLessThanOrEqual(Date.now() / 1000);
  });
});

describe('results that are not one number', () => {
  it('several series are an error that names how many and the query', async () => {
    const error = await failure(at('updraft_queue_depth'));
    expect(error.kind).toBe('query');
    expect(error.message).toBe(`Prometheus query 'updraft_queue_depth' on ${prometheus.url}: it returned 3 series; it must return a single element (aggregate it, e.g. with sum(), max() or topk(1, ...))`);
  });

  it('several series stay an error with ignoreNullValues', async () => {
    expect((await failure(at('updraft_queue_depth', { ignoreNullValues: 'true' }))).kind).toBe('query');
  });

  it('an empty result with ignoreNullValues true (the default) is 0, marked empty so the engine counts it', async () => {
    const result = await read(at('updraft_queue_depth{queue="missing"}'));
    expect(result.values[0]!.value).toBe(0);
    expect(result.active).toBe(false);
    expect(result.empty?.reason).toBe(`Prometheus query 'updraft_queue_depth{queue="missing"}': the result is empty: no series matched; ignoreNullValues reads it as 0`);
  });

  it('an empty result with ignoreNullValues false is an error', async () => {
    const error = await failure(at('updraft_queue_depth{queue="missing"}', { ignoreNullValues: 'false' }));
    expect(error.kind).toBe('not-found');
    expect(error.message).toContain(`Prometheus query 'updraft_queue_depth{queue="missing"}' on ${prometheus.url}: the result is empty: no series matched; the target may be lost`);
  });

  it.each([
    { query: '0/0', shape: 'scalar', text: 'NaN' },
    { query: '1/0', shape: 'scalar', text: '+Inf' },
    { query: '-1/0', shape: 'scalar', text: '-Inf' },
    { query: 'vector(0/0)', shape: 'vector', text: 'NaN' },
    { query: 'updraft_ratio{kind="nan"}', shape: 'stored', text: 'NaN' },
    { query: 'updraft_ratio{kind="inf"}', shape: 'stored', text: '+Inf' },
    { query: 'updraft_ratio{kind="minus-inf"}', shape: 'stored', text: '-Inf' },
    { query: 'scalar(updraft_queue_depth)', shape: 'scalar() of several series', text: 'NaN' },
  ])('$query ($shape) is $text: 0 and empty with ignoreNullValues, an error without', async ({ query, text }) => {
    const ignored = await read(at(query));
    expect(ignored.values[0]!.value).toBe(0);
    expect(ignored.empty?.reason).toContain(`the value is ${text}`);

    const error = await failure(at(query, { ignoreNullValues: 'false' }));
    expect(error.kind).toBe('query');
    expect(error.message).toContain(`Prometheus query '${query}' on ${prometheus.url}: the value is ${text}`);
  });

  it('a range vector is an error, not an empty value list', async () => {
    const error = await failure(at('updraft_queue_depth{queue="orders"}[5m]'));
    expect(error.kind).toBe('query');
    expect(error.message).toContain('range vector');
  });
});

describe('errors', () => {
  it("a query that does not parse is HTTP 400 with Prometheus's own message", async () => {
    const error = await failure(at('sum(updraft_queue_depth'));
    expect(error.kind).toBe('query');
    expect(error.message).toMatch(/^Prometheus query 'sum\(updraft_queue_depth' on http:\/\/127\.0\.0\.1:\d+: HTTP 400: bad_data: invalid parameter "query": .*parse error/);
  });

  it("a query that fails to evaluate is HTTP 422 with Prometheus's own message", async () => {
    const error = await failure(at('updraft_queue_depth + on() group_left updraft_queue_depth'));
    expect(error.kind).toBe('query');
    expect(error.message).toMatch(/HTTP 422: execution: .*many-to-many matching not allowed/);
  });

  it('a serverAddress with the wrong path is not-found (HTTP 404)', async () => {
    const error = await failure({ serverAddress: `${prometheus.url}/not-prometheus`, query: 'up' });
    expect(error.kind).toBe('not-found');
    expect(error.message).toContain('HTTP 404');
  });

  it('a server that is not listening is unreachable, fast', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await failure({ serverAddress: `http://127.0.0.1:${port}`, query: 'up' });
    expect(error.kind).toBe('unreachable');
    expect(error.message).toBe(`Prometheus query 'up' on http://127.0.0.1:${port}: cannot connect to Prometheus: connection refused (is the server running there, and is the port right?)`);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('https:// to the plain-HTTP Prometheus is a tls error', async () => {
    const error = await failure({ serverAddress: prometheus.url.replace('http:', 'https:'), query: 'up' });
    expect(error.kind).toBe('tls');
  });
});

describe('backend calls', () => {
  it('counts each request to Prometheus as one prometheus/query call, by outcome', async () => {
    const { read: readOnce, calls } = prometheusTriggers();
    await readOnce(at('updraft_queue_depth{queue="orders"}'));
    await readOnce(at('updraft_queue_depth{queue="missing"}'));
    await readOnce(at('updraft_queue_depth')).catch(() => undefined);
    await readOnce(at('sum(')).catch(() => undefined);
    expect(calls.count('prometheus', 'query')).toBe(4);
    // An HTTP error is a failed call; an answer the scaler cannot use (3 series) is a successful call.
    expect(Object.fromEntries(calls.totals().map((t) => [t.outcome, t.count]))).toEqual({ ok: 3, error: 1 });
  });

  it('one trigger polled repeatedly reuses its connection', async () => {
    const { create, agents } = prometheusTriggers();
    const scaler = create(at('updraft_queue_depth{queue="orders"}'));
    for (let i = 0; i < 5; i += 1) expect((await scaler.getMetricsAndActivity('s0-prometheus', new AbortController().signal)).values[0]!.value).toBe(42);
    expect(agents.openAgents).toBe(1);
    await scaler.close();
    expect(agents.openAgents).toBe(0);
  });
});
