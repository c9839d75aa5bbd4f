import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Container } from 'inversify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BackendCalls, BackendCallsImpl, HttpClient, HttpClientImpl, ScalerError, ScalerRegistry, coreModule, type MetadataInput } from '@updraft/core';
import { prometheusMetadata } from './metadata.js';
import { prometheusScalerModule } from './module.js';
import { PrometheusScaler } from './scaler.js';

// A tiny real HTTP server stands in for Prometheus: each test sets what it answers and reads what it was sent.
interface Seen {
  readonly path: string;
  readonly params: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
}
let answer: { status: number; body: string; delayMs?: number };
let seen: Seen[];
let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    const url = new URL(request.url!, 'http://x');
    seen.push({ path: url.pathname, params: url.searchParams, headers: request.headers });
    const timer = setTimeout(() => {
      response.writeHead(answer.status, { 'content-type': 'application/json' });
      response.end(answer.body);
    }, answer.delayMs ?? 0);
    response.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  answer = { status: 200, body: vector('1') };
  seen = [];
});

const vector = (value: string) => JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1_700_000_000, value] }] } });
const never = () => new AbortController().signal;

function makeScaler(metadata: Record<string, string>, authParams?: Record<string, string>, calls = new BackendCallsImpl()) {
  const input: MetadataInput = { triggerMetadata: { serverAddress: base, query: 'up', threshold: '10', ...metadata }, ...(authParams ? { authParams } : {}) };
  const parsed = prometheusMetadata.parse(input);
  const errors = parsed.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0 || !parsed.metadata) throw new Error(JSON.stringify(errors));
  const config = { metadata: parsed.metadata, triggerType: 'prometheus', triggerIndex: 0, metricType: 'AverageValue' as const, useCachedMetrics: false, scaledObject: { namespace: 'default', name: 'so' } };
  return new PrometheusScaler(config, new HttpClientImpl(calls));
}

async function read(metadata: Record<string, string> = {}, authParams?: Record<string, string>) {
  const scaler = makeScaler(metadata, authParams);
  try {
    return await scaler.getMetricsAndActivity('s0-prometheus', never());
  } finally {
    await scaler.close();
  }
}

async function failure(metadata: Record<string, string> = {}, authParams?: Record<string, string>): Promise<ScalerError> {
  const error = await read(metadata, authParams).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScalerError);
  return error as ScalerError;
}

// KEDA's TestPrometheusScalerExecutePromQuery (pkg/scalers/prometheus_scaler_test.go), both policies each time.
describe('KEDA testPromQueryResult', () => {
  it.each<{ name: string; body: string; status?: number; ignoreNullValues: boolean; value?: number; empty?: RegExp; error?: { kind: string; message: RegExp } }>([
    { name: 'no results', body: '{}', ignoreNullValues: true, value: 0, empty: /the result is empty/ },
    { name: 'no results, not ignored', body: '{}', ignoreNullValues: false, error: { kind: 'not-found', message: /the result is empty/ } },
    { name: 'no values', body: '{"data":{"result":[]}}', ignoreNullValues: true, value: 0, empty: /the result is empty/ },
    { name: "no values but shouldn't ignore", body: '{"data":{"result":[]}}', ignoreNullValues: false, error: { kind: 'not-found', message: /the result is empty: no series matched; the target may be lost/ } },
    { name: 'value is empty list', body: '{"data":{"result":[{"value": []}]}}', ignoreNullValues: true, value: 0, empty: /the value list is empty/ },
    { name: "value is empty list but shouldn't ignore", body: '{"data":{"result":[{"value": []}]}}', ignoreNullValues: false, error: { kind: 'not-found', message: /the value list is empty/ } },
    { name: 'valid value', body: '{"data":{"result":[{"value": ["1", "2"]}]}}', ignoreNullValues: true, value: 2 },
    { name: 'valid value, not ignoring', body: '{"data":{"result":[{"value": ["1", "2"]}]}}', ignoreNullValues: false, value: 2 },
    { name: 'not enough values', body: '{"data":{"result":[{"value": ["1"]}]}}', ignoreNullValues: true, error: { kind: 'bad-response', message: /the value list has 1 entry/ } },
    { name: 'not enough values, not ignoring', body: '{"data":{"result":[{"value": ["1"]}]}}', ignoreNullValues: false, error: { kind: 'bad-response', message: /the value list has 1 entry/ } },
    { name: 'multiple results', body: '{"data":{"result":[{},{}]}}', ignoreNullValues: true, error: { kind: 'query', message: /it returned 2 series; it must return a single element/ } },
    { name: 'multiple results, not ignoring', body: '{"data":{"result":[{},{},{}]}}', ignoreNullValues: false, error: { kind: 'query', message: /it returned 3 series/ } },
    { name: 'error status response', body: '{}', status: 400, ignoreNullValues: true, error: { kind: 'query', message: /HTTP 400$/ } },
    { name: 'error status response, not ignoring', body: '{}', status: 400, ignoreNullValues: false, error: { kind: 'query', message: /HTTP 400$/ } },
    { name: '+Inf', body: '{"data":{"result":[{"value": ["1", "+Inf"]}]}}', ignoreNullValues: true, value: 0, empty: /the value is \+Inf/ },
    { name: "+Inf but shouldn't ignore", body: '{"data":{"result":[{"value": ["1", "+Inf"]}]}}', ignoreNullValues: false, error: { kind: 'query', message: /the value is \+Inf/ } },
    { name: '-Inf', body: '{"data":{"result":[{"value": ["1", "-Inf"]}]}}', ignoreNullValues: true, value: 0, empty: /the value is -Inf/ },
    { name: "-Inf but shouldn't ignore", body: '{"data":{"result":[{"value": ["1", "-Inf"]}]}}', ignoreNullValues: false, error: { kind: 'query', message: /the value is -Inf/ } },
    { name: 'NaN', body: '{"data":{"result":[{"value": ["1", "NaN"]}]}}', ignoreNullValues: true, value: 0, empty: /the value is NaN/ },
    { name: "NaN but shouldn't ignore", body: '{"data":{"result":[{"value": ["1", "NaN"]}]}}', ignoreNullValues: false, error: { kind: 'query', message: /the value is NaN/ } },
  ])('$name', async ({ body, status, ignoreNullValues, value, empty, error }) => {
    answer = { status: status ?? 200, body };
    const metadata = { ignoreNullValues: String(ignoreNullValues) };
    if (error) {
      const e = await failure(metadata);
      expect(e.kind).toBe(error.kind);
      expect(e.message).toMatch(error.message);
      expect(e.message).toMatch(/^Prometheus query 'up' on http:\/\/127\.0\.0\.1:\d+: /);
      return;
    }
    const result = await read(metadata);
    expect(result.values).toEqual([{ metricName: 's0-prometheus', value, timestamp: expect.any(Date) }]);
    if (empty) expect(result.empty?.reason).toMatch(empty);
    else expect(result).not.toHaveProperty('empty');
  });
});

describe('the request', () => {
  it('is GET {serverAddress}/api/v1/query with query and time (RFC 3339, now), then namespace, then queryParameters', async () => {
    const before = Date.now();
    await read({ namespace: 'team-a', queryParameters: 'first=foo,second=bar' });
    const [request] = seen;
    expect(request!.path).toBe('/api/v1/query');
    expect([...request!.params.keys()]).toEqual(['query', 'time', 'namespace', 'first', 'second']);
    expect(request!.params.get('query')).toBe('up');
    const time = request!.params.get('time')!;
    expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Date.parse(time)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
    expect(Date.parse(time)).toBeLessThanOrEqual(Date.now());
    expect(request!.params.get('namespace')).toBe('team-a');
    expect(request!.params.get('first')).toBe('foo');
    expect(request!.params.get('second')).toBe('bar');
  });

  // KEDA's TestPrometheusScalerCustomHeaders
  it('sends customHeaders', async () => {
    await read({ customHeaders: 'X-Client-Id=cid,X-Tenant-Id=tid,X-Organization-Token=oid' });
    expect(seen[0]!.headers).toMatchObject({ 'x-client-id': 'cid', 'x-tenant-id': 'tid', 'x-organization-token': 'oid' });
  });

  // KEDA's TestPrometheusScalerExecutePromQuery_AllSpecialCharactersCombined
  it('escapes the query, the parameters and the namespace', async () => {
    answer = { status: 200, body: '{"data":{"result":[{"value": ["1", "789"]}]}}' };
    const query = 'sum(rate(test_metric{label="value & test=1"}[5m]))';
    const result = await read({ serverAddress: `${base}/prometheus`, query, namespace: 'a&b=c', queryParameters: 'param1=value with spaces & symbols,param2=测试' });
    expect(result.values[0]!.value).toBe(789);
    const { path, params } = seen[0]!;
    expect(path).toBe('/prometheus/api/v1/query');
    expect(params.get('query')).toBe(query);
    expect(params.get('namespace')).toBe('a&b=c');
    expect(params.get('param1')).toBe('value with spaces & symbols');
    expect(params.get('param2')).toBe('测试');
  });

  // KEDA's TestPrometheusScalerExecutePromQuery_TrailingSlashBehavior
  it.each([
    { suffix: '', path: '/api/v1/query' },
    { suffix: '/', path: '/api/v1/query' },
    { suffix: '/prometheus', path: '/prometheus/api/v1/query' },
    { suffix: '/prometheus/', path: '/prometheus/api/v1/query' },
  ])('serverAddress ending in "$suffix" queries $path', async ({ suffix, path }) => {
    answer = { status: 200, body: vector('42') };
    expect((await read({ serverAddress: base + suffix })).values[0]!.value).toBe(42);
    expect(seen[0]!.path).toBe(path);
  });

  it.each<{ modes: string; auth: Record<string, string>; header: string; value: string }>([
    { modes: 'bearer', auth: { bearerToken: 'tooooken' }, header: 'authorization', value: 'Bearer tooooken' },
    { modes: 'basic', auth: { username: 'user', password: 'pass' }, header: 'authorization', value: `Basic ${Buffer.from('user:pass').toString('base64')}` },
    { modes: 'basic', auth: { username: 'apikey-only' }, header: 'authorization', value: `Basic ${Buffer.from('apikey-only:').toString('base64')}` },
    { modes: 'custom', auth: { customAuthHeader: 'X-Api-Token', customAuthValue: 'value' }, header: 'x-api-token', value: 'value' },
  ])('authModes $modes sets $header', async ({ modes, auth, header, value }) => {
    await read({ authModes: modes }, auth);
    expect(seen[0]!.headers[header]).toBe(value);
  });

  it('sends the auth header over a customHeaders entry of the same name, and both custom and bearer when both are asked for', async () => {
    await read({ authModes: 'bearer,custom', customHeaders: 'authorization=from-custom-headers' }, { bearerToken: 'tok', customAuthHeader: 'X-Scope-OrgID', customAuthValue: 'tenant' });
    expect(seen[0]!.headers['authorization']).toBe('Bearer tok');
    expect(seen[0]!.headers['x-scope-orgid']).toBe('tenant');
  });

  it('sends no auth header without authModes, even when the TriggerAuthentication holds credentials', async () => {
    await read({}, { bearerToken: 'unused-token', username: 'u', password: 'p' });
    expect(seen[0]!.headers['authorization']).toBeUndefined();
  });

  it('refuses authModes it cannot carry yet, before sending anything', async () => {
    const error = await failure({ authModes: 'apiKey' }, { apiKey: 'the-api-key' });
    expect(error.kind).toBe('unsupported');
    expect(error.message).toContain('authModes apiKey is not supported');
    expect(seen).toEqual([]);
  });
});

describe('results', () => {
  it('reads a scalar result', async () => {
    answer = { status: 200, body: JSON.stringify({ status: 'success', data: { resultType: 'scalar', result: [1_700_000_000, '12.5'] } }) };
    expect((await read()).values[0]!.value).toBe(12.5);
  });

  it('rejects a range vector rather than reading it as empty (KEDA reads it as an empty value list)', async () => {
    answer = { status: 200, body: JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [{ metric: {}, values: [[1, '1']] }] } }) };
    const error = await failure();
    expect(error.kind).toBe('query');
    expect(error.message).toContain('range vector');
  });

  it.each([
    { value: '1e3', expected: 1000 },
    { value: '-2.5', expected: -2.5 },
    { value: '0.001', expected: 0.001 },
  ])('parses $value', async ({ value, expected }) => {
    answer = { status: 200, body: vector(value) };
    expect((await read()).values[0]!.value).toBe(expected);
  });

  it.each([{ value: 'abc' }, { value: '' }, { value: '0x10' }, { value: 12 }])('a sample value $value is a bad response', async ({ value }) => {
    answer = { status: 200, body: JSON.stringify({ data: { result: [{ value: [1, value] }] } }) };
    const error = await failure();
    expect(error.kind).toBe('bad-response');
    expect(error.message).toContain('is not a number');
  });

  it('a 2xx body that is not JSON is a bad response', async () => {
    answer = { status: 200, body: '<html>hello</html>' };
    expect(await failure()).toMatchObject({ kind: 'bad-response', message: expect.stringContaining('HTTP 200 with a body that is not JSON') });
  });

  it.each([
    { threshold: '0', value: '0', active: false },
    { threshold: '5', value: '5', active: false },
    { threshold: '5', value: '5.001', active: true },
    { threshold: '-1', value: '0', active: true },
  ])('activationThreshold $threshold, value $value → active $active (strictly greater)', async ({ threshold, value, active }) => {
    answer = { status: 200, body: vector(value) };
    expect((await read({ activationThreshold: threshold })).active).toBe(active);
  });

  it('an empty result read as 0 is active only below a negative activationThreshold, as in KEDA', async () => {
    answer = { status: 200, body: '{"status":"success","data":{"resultType":"vector","result":[]}}' };
    expect(await read({ activationThreshold: '0' })).toMatchObject({ active: false, empty: { reason: expect.stringContaining('ignoreNullValues reads it as 0') } });
  });
});

describe('errors', () => {
  it.each([
    { status: 400, body: '{"status":"error","errorType":"bad_data","error":"invalid parameter \\"query\\": 1:5: parse error"}', kind: 'query', text: 'HTTP 400: bad_data: invalid parameter "query": 1:5: parse error' },
    { status: 422, body: '{"status":"error","errorType":"execution","error":"many-to-many matching not allowed"}', kind: 'query', text: 'HTTP 422: execution: many-to-many matching not allowed' },
    { status: 401, body: 'Unauthorized', kind: 'auth', text: 'HTTP 401: Unauthorized' },
    { status: 403, body: '', kind: 'auth', text: 'HTTP 403' },
    { status: 404, body: '404 page not found', kind: 'not-found', text: 'HTTP 404: 404 page not found' },
    { status: 503, body: '{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}', kind: 'timeout', text: 'HTTP 503: timeout: query timed out' },
    { status: 502, body: '<html>Bad Gateway</html>', kind: 'unreachable', text: 'HTTP 502: <html>Bad Gateway</html>' },
    { status: 500, body: '{"status":"error","errorType":"internal","error":"boom"}', kind: 'bad-response', text: 'HTTP 500: internal: boom' },
  ])('HTTP $status is a $kind error with what the server said', async ({ status, body, kind, text }) => {
    answer = { status, body };
    const error = await failure();
    expect(error.kind).toBe(kind);
    expect(error.message).toContain(`Prometheus query 'up' on ${base}: ${text}`);
  });

  it('an unreachable server is kind unreachable', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const error = await failure({ serverAddress: `http://127.0.0.1:${port}` });
    expect(error.kind).toBe('unreachable');
    expect(error.message).toMatch(/cannot connect to Prometheus: connection refused/);
  });

  it('a serverAddress that is not a URL fails every read, naming neither it nor its credentials', async () => {
    const error = await failure({ serverAddress: 'prometheus:9090' });
    expect(error).toMatchObject({ kind: 'unreachable', message: expect.stringContaining('serverAddress is not an http:// or https:// URL') });
  });

  it('times out after the trigger timeout, fast, and does not wait for the answer', async () => {
    answer = { status: 200, body: vector('1'), delayMs: 5_000 };
    const started = Date.now();
    const error = await failure({ timeout: '200' });
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('no answer from Prometheus within 200 ms');
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('stops when the engine aborts its signal', async () => {
    answer = { status: 200, body: vector('1'), delayMs: 5_000 };
    const scaler = makeScaler({});
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('engine deadline')), 100);
    const error = await scaler.getMetricsAndActivity('s0-prometheus', controller.signal).catch((e: unknown) => e);
    await scaler.close();
    expect(error).toMatchObject({ kind: 'timeout', message: expect.stringContaining('cancelled before Prometheus answered: engine deadline') });
  });

  it('never puts a credential in a message, even when the server echoes the request headers back', async () => {
    const secrets = { bearerToken: 'BEARER-SECRET-1234', customAuthValue: 'CUSTOM-SECRET-5678' };
    const echo = createServer((request, response) => {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'error', errorType: 'unauthorized', error: `rejected ${JSON.stringify(request.headers)}` }));
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const echoBase = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
    try {
      const withBearer = await failure({ serverAddress: echoBase, authModes: 'bearer,custom', customHeaders: 'X-Scope-OrgID=TENANT-HEADER-VALUE' }, { ...secrets, customAuthHeader: 'X-Custom' });
      const withBasic = await failure({ serverAddress: echoBase, authModes: 'basic' }, { username: 'alice', password: 'BASIC-PASSWORD-9' });
      for (const error of [withBearer, withBasic]) {
        expect(error.kind).toBe('auth');
        expect(error.message).toContain('<redacted>');
        for (const secret of [...Object.values(secrets), 'TENANT-HEADER-VALUE', 'BASIC-PASSWORD-9', Buffer.from('alice:BASIC-PASSWORD-9').toString('base64')]) {
          expect(error.message).not.toContain(secret);
        }
      }
    } finally {
      echo.closeAllConnections();
      await new Promise((resolve) => echo.close(resolve));
    }
  });

  it('a client key that cannot be loaded is a tls error that does not quote it', async () => {
    const error = await failure({ serverAddress: 'https://127.0.0.1:1', authModes: 'tls' }, { cert: 'NOT-A-CERT', key: 'NOT-A-KEY-SECRET' });
    expect(error.kind).toBe('tls');
    expect(error.message).toContain('cannot load the TLS client certificate or key');
    expect(error.message).not.toContain('NOT-A-KEY-SECRET');
  });

  it('a closed scaler refuses to read', async () => {
    const scaler = makeScaler({});
    await scaler.close();
    await scaler.close();
    await expect(scaler.getMetricsAndActivity('s0-prometheus', never())).rejects.toMatchObject({ kind: 'internal', message: expect.stringContaining('closed') });
  });
});

describe('in a container', () => {
  function container() {
    const c = new Container();
    c.load(coreModule, prometheusScalerModule);
    const factory = c.get<ScalerRegistry>(ScalerRegistry).get('prometheus');
    const create = (metadata: Record<string, string>) =>
      factory.create({
        metadata: prometheusMetadata.parse({ triggerMetadata: { serverAddress: base, query: 'up', threshold: '1', ...metadata } }).metadata!,
        triggerType: 'prometheus',
        triggerIndex: 0,
        metricType: 'Value',
        useCachedMetrics: false,
        scaledObject: { namespace: 'default', name: 'so' },
      } as never);
    return { create, calls: c.get<BackendCalls>(BackendCalls), agents: c.get<HttpClient>(HttpClient) };
  }

  it('counts every request as a prometheus query backend call, by outcome', async () => {
    const { create, calls } = container();
    const scaler = create({});
    await scaler.getMetricsAndActivity('s0-prometheus', never());
    answer = { status: 500, body: '' };
    await expect(scaler.getMetricsAndActivity('s0-prometheus', never())).rejects.toBeInstanceOf(ScalerError);
    await scaler.close();
    expect(calls.count('prometheus', 'query')).toBe(2);
    expect(calls.totals().map(({ outcome, count }) => ({ outcome, count }))).toEqual([
      { outcome: 'ok', count: 1 },
      { outcome: 'error', count: 1 },
    ]);
  });

  it('shares one agent between triggers with the same TLS material and closes it with the last', async () => {
    const { create, agents } = container();
    const a = create({ serverAddress: 'https://127.0.0.1:1', unsafeSsl: 'true' });
    const b = create({ serverAddress: 'https://127.0.0.1:2', unsafeSsl: 'true' });
    const c = create({ serverAddress: 'https://127.0.0.1:3' });
    const d = create({});
    for (const scaler of [a, b, c, d]) await scaler.getMetricsAndActivity('s0-prometheus', never()).catch(() => undefined);
    expect(agents.openAgents).toBe(3); // https+unsafe, https verified, http
    await a.close();
    expect(agents.openAgents).toBe(3);
    await b.close();
    expect(agents.openAgents).toBe(2);
    await c.close();
    await d.close();
    expect(agents.openAgents).toBe(0);
  });
});
