import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScalerError } from '@updraft/core';
import { generateCertificates, startAuthProxy, startPrometheus, type AuthProxy, type AuthProxyOptions, type PrometheusServer, type TestCertificates } from '../harness/prometheus.js';
import { prometheusTriggers } from './triggers.js';

// The real Prometheus behind a reverse proxy that checks credentials and records what it received.
let prometheus: PrometheusServer;
let certs: TestCertificates;
const proxies: AuthProxy[] = [];
const triggers = prometheusTriggers();
const { read, failure } = triggers;

const QUERY = 'updraft_jobs_waiting';
const SECRETS = {
  bearerToken: 'bearer-SECRET-token-0001',
  password: 'basic-SECRET-password-0002',
  customAuthValue: 'custom-SECRET-value-0003',
  tenantHeader: 'tenant-SECRET-header-0004',
};

beforeAll(async () => {
  [prometheus, certs] = await Promise.all([startPrometheus({ backfill: [{ name: QUERY, value: 17 }] }), generateCertificates()]);
});
afterAll(async () => {
  await triggers.closeAll();
  for (const proxy of proxies) await proxy.close();
  await prometheus?.stop();
});

async function proxy(options: Omit<AuthProxyOptions, 'target'>): Promise<AuthProxy> {
  const started = await startAuthProxy({ target: prometheus.url, ...options });
  proxies.push(started);
  return started;
}

/** No credential from the trigger, nor the client key, appears anywhere in an error message. */
function expectNoSecret(error: ScalerError) {
  const forbidden = [
    ...Object.values(SECRETS),
    Buffer.from(`alice:${SECRETS.password}`).toString('base64'),
    certs.client.key,
    certs.otherClient.key,
    ...certs.client.key.split('\n').filter((line) => line.length > 20),
  ];
  for (const secret of forbidden) expect(error.message).not.toContain(secret);
  expect(error.message).toContain(`Prometheus query '${QUERY}'`);
}

describe('bearer, basic and custom auth', () => {
  let bearer: AuthProxy;
  let basic: AuthProxy;
  let custom: AuthProxy;

  beforeAll(async () => {
    bearer = await proxy({ authorize: (r) => r.headers.authorization === `Bearer ${SECRETS.bearerToken}` });
    basic = await proxy({ authorize: (r) => r.headers.authorization === `Basic ${Buffer.from(`alice:${SECRETS.password}`).toString('base64')}` });
    custom = await proxy({ authorize: (r) => r.headers['x-api-token'] === SECRETS.customAuthValue });
  });

  it('bearer: Authorization: Bearer <token> passes', async () => {
    expect((await read({ serverAddress: bearer.url, query: QUERY, authModes: 'bearer' }, { bearerToken: SECRETS.bearerToken })).values[0]!.value).toBe(17);
  });

  it('bearer: a wrong token is an auth error that does not print either token', async () => {
    const error = await failure({ serverAddress: bearer.url, query: QUERY, authModes: 'bearer', customHeaders: `X-Scope-OrgID=${SECRETS.tenantHeader}` }, { bearerToken: `${SECRETS.bearerToken}-wrong` });
    expect(error.kind).toBe('auth');
    expect(error.message).toMatch(/: HTTP 401: unauthorized: credentials rejected; request headers were .*<redacted>/);
    expectNoSecret(error);
    expect(error.message).not.toContain('-wrong');
  });

  it('bearer: no authModes sends no token and is refused', async () => {
    expect((await failure({ serverAddress: bearer.url, query: QUERY }, { bearerToken: SECRETS.bearerToken })).kind).toBe('auth');
  });

  it('basic: user and password pass', async () => {
    expect((await read({ serverAddress: basic.url, query: QUERY, authModes: 'basic' }, { username: 'alice', password: SECRETS.password })).values[0]!.value).toBe(17);
  });

  it('basic: a wrong password is an auth error that prints neither password nor the encoded credentials', async () => {
    const error = await failure({ serverAddress: basic.url, query: QUERY, authModes: 'basic' }, { username: 'alice', password: SECRETS.password.replace('0002', '9999') });
    expect(error.kind).toBe('auth');
    expectNoSecret(error);
    expect(error.message).not.toContain(SECRETS.password.replace('0002', '9999'));
    expect(error.message).not.toContain(Buffer.from(`alice:${SECRETS.password.replace('0002', '9999')}`).toString('base64'));
  });

  it('custom: the header and value from the TriggerAuthentication pass', async () => {
    const auth = { customAuthHeader: 'X-Api-Token', customAuthValue: SECRETS.customAuthValue };
    expect((await read({ serverAddress: custom.url, query: QUERY, authModes: 'custom' }, auth)).values[0]!.value).toBe(17);
  });

  it('custom: a wrong value is an auth error that does not print it', async () => {
    const error = await failure({ serverAddress: custom.url, query: QUERY, authModes: 'custom' }, { customAuthHeader: 'X-Api-Token', customAuthValue: SECRETS.customAuthValue.replace('0003', '7777') });
    expect(error.kind).toBe('auth');
    expect(error.message).not.toContain(SECRETS.customAuthValue.replace('0003', '7777'));
    expectNoSecret(error);
  });
});

describe('what goes on the wire', () => {
  it('namespace, queryParameters and customHeaders arrive as sent, and Prometheus still answers', async () => {
    const recorder = await proxy({});
    const result = await read({
      serverAddress: `${recorder.url}/`,
      query: QUERY,
      namespace: 'team-a',
      queryParameters: 'dedup=true,partial_response=false,label=a b&c',
      customHeaders: `X-Scope-OrgID=${SECRETS.tenantHeader},X-Request-Source=updraft`,
    });
    expect(result.values[0]!.value).toBe(17);
    const [received] = recorder.requests;
    expect(received!.method).toBe('GET');
    const url = new URL(received!.url, 'http://x');
    expect(url.pathname).toBe('/api/v1/query');
    expect([...url.searchParams.keys()]).toEqual(['query', 'time', 'namespace', 'dedup', 'partial_response', 'label']);
    expect(url.searchParams.get('query')).toBe(QUERY);
    expect(url.searchParams.get('namespace')).toBe('team-a');
    expect(url.searchParams.get('label')).toBe('a b&c');
    expect(received!.url).toContain('label=a+b%26c');
    expect(received!.headers['x-scope-orgid']).toBe(SECRETS.tenantHeader);
    expect(received!.headers['x-request-source']).toBe('updraft');
    expect(received!.headers.authorization).toBeUndefined();
  });
});

describe('TLS', () => {
  let https: AuthProxy;
  let mutual: AuthProxy;

  beforeAll(async () => {
    https = await proxy({ tls: certs.server });
    mutual = await proxy({ tls: { ...certs.server, clientCa: certs.ca.cert }, authorize: (r) => r.clientCertificate === 'updraft-client' });
  });

  it('a server certificate from an unknown CA is a tls error', async () => {
    const error = await failure({ serverAddress: https.url, query: QUERY });
    expect(error.kind).toBe('tls');
    expect(error.message).toBe(`Prometheus query '${QUERY}' on ${https.url}: TLS certificate verification failed for Prometheus: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE): set ca to the certificate of the CA that signed the server's certificate (unsafeSsl: "true" skips the check; for tests only)`);
  });

  it('a custom ca verifies the server, without authModes tls', async () => {
    expect((await read({ serverAddress: https.url, query: QUERY }, { ca: certs.ca.cert })).values[0]!.value).toBe(17);
  });

  it('a ca that did not sign the server certificate is a tls error', async () => {
    expect((await failure({ serverAddress: https.url, query: QUERY }, { ca: certs.otherCa.cert })).kind).toBe('tls');
  });

  it('unsafeSsl skips verification', async () => {
    expect((await read({ serverAddress: https.url, query: QUERY, unsafeSsl: 'true' })).values[0]!.value).toBe(17);
  });

  it('unsafeSsl also applies with a ca that does not match (KEDA ignores unsafeSsl once TLS material is set)', async () => {
    expect((await read({ serverAddress: https.url, query: QUERY, unsafeSsl: 'true' }, { ca: certs.otherCa.cert })).values[0]!.value).toBe(17);
  });

  it('mutual TLS: authModes tls presents the client certificate', async () => {
    const auth = { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key };
    expect((await read({ serverAddress: mutual.url, query: QUERY, authModes: 'tls' }, auth)).values[0]!.value).toBe(17);
    expect(mutual.requests.at(-1)!.clientCertificate).toBe('updraft-client');
  });

  it('mutual TLS with bearer as well: both are sent', async () => {
    const auth = { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key, bearerToken: SECRETS.bearerToken };
    expect((await read({ serverAddress: mutual.url, query: QUERY, authModes: 'tls,bearer' }, auth)).values[0]!.value).toBe(17);
    expect(mutual.requests.at(-1)!.headers.authorization).toBe(`Bearer ${SECRETS.bearerToken}`);
  });

  it('mutual TLS without a client certificate is a tls error', async () => {
    const error = await failure({ serverAddress: mutual.url, query: QUERY }, { ca: certs.ca.cert });
    expect(error.kind).toBe('tls');
    expect(error.message).toMatch(/: Prometheus (requires a client certificate: set cert and key in the TriggerAuthentication|closed the connection right after the TLS handshake)/);
  });

  it('mutual TLS with a client certificate from another CA is a tls error that does not print the key', async () => {
    const error = await failure({ serverAddress: mutual.url, query: QUERY, authModes: 'tls' }, { ca: certs.ca.cert, cert: certs.otherClient.cert, key: certs.otherClient.key });
    expect(error.kind).toBe('tls');
    expect(error.message).toMatch(/: Prometheus (rejected the client certificate \(.*alert.*\)|closed the connection right after the TLS handshake)/);
    expectNoSecret(error);
  });

  it('a certificate that does not match its key is a tls error before anything is sent, naming neither', async () => {
    const before = https.requests.length;
    const error = await failure({ serverAddress: https.url, query: QUERY, authModes: 'tls' }, { ca: certs.ca.cert, cert: certs.client.cert, key: certs.otherClient.key });
    expect(error.kind).toBe('tls');
    expect(error.message).toContain('cannot load the TLS client certificate or key for Prometheus (error:05800074:x509 certificate routines::key values mismatch)');
    expectNoSecret(error);
    expect(https.requests.length).toBe(before);
  });

  it('https://localhost verifies against the DNS name in the server certificate', async () => {
    const server = https.url.replace('127.0.0.1', 'localhost');
    expect((await read({ serverAddress: server, query: QUERY }, { ca: certs.ca.cert })).values[0]!.value).toBe(17);
  });

  it('cert and key are used only with authModes tls', async () => {
    const error = await failure({ serverAddress: mutual.url, query: QUERY }, { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key });
    expect(error.kind).toBe('tls');
  });

  it('triggers with the same TLS material share one agent, released with the last trigger', async () => {
    const { create, agents } = prometheusTriggers();
    const auth = { ca: certs.ca.cert, cert: certs.client.cert, key: certs.client.key };
    const a = create({ serverAddress: mutual.url, query: QUERY, authModes: 'tls' }, auth);
    const b = create({ serverAddress: mutual.url, query: `${QUERY} * 2`, authModes: 'tls' }, auth);
    const c = create({ serverAddress: https.url, query: QUERY }, { ca: certs.ca.cert });
    const signal = new AbortController().signal;
    expect((await a.getMetricsAndActivity('s0-prometheus', signal)).values[0]!.value).toBe(17);
    expect((await b.getMetricsAndActivity('s0-prometheus', signal)).values[0]!.value).toBe(34);
    expect((await c.getMetricsAndActivity('s0-prometheus', signal)).values[0]!.value).toBe(17);
    expect(agents.openAgents).toBe(2);
    await a.close();
    expect(agents.openAgents).toBe(2);
    await b.close();
    expect(agents.openAgents).toBe(1);
    await c.close();
    expect(agents.openAgents).toBe(0);
  });
});

describe('timeout', () => {
  it("a proxy slower than the trigger's timeout is a timeout error, fast", async () => {
    const slow = await proxy({ delayMs: 10_000 });
    const started = Date.now();
    const error = await failure({ serverAddress: slow.url, query: QUERY, timeout: '300ms' });
    const elapsed = Date.now() - started;
    expect(error.kind).toBe('timeout');
    expect(error.message).toBe(`Prometheus query '${QUERY}' on ${slow.url}: no answer from Prometheus within 300 ms (the trigger's timeout)`);
    expect(elapsed).toBeGreaterThanOrEqual(290);
    expect(elapsed).toBeLessThan(1_500);
  });

  it("without a timeout, KEDA's 3 s default applies", async () => {
    const slow = await proxy({ delayMs: 10_000 });
    const started = Date.now();
    const error = await failure({ serverAddress: slow.url, query: QUERY });
    const elapsed = Date.now() - started;
    expect(error.kind).toBe('timeout');
    expect(error.message).toContain('no answer from Prometheus within 3000 ms');
    expect(elapsed).toBeGreaterThanOrEqual(2_900);
    expect(elapsed).toBeLessThan(4_500);
  });

  it('a proxy faster than the timeout answers', async () => {
    const slowish = await proxy({ delayMs: 200 });
    expect((await read({ serverAddress: slowish.url, query: QUERY, timeout: '2s' })).values[0]!.value).toBe(17);
  });

  it('the engine signal aborts a read before the trigger timeout', async () => {
    const slow = await proxy({ delayMs: 10_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('engine shutting down')), 150);
    const started = Date.now();
    const error = await read({ serverAddress: slow.url, query: QUERY, timeout: '5s' }, undefined, controller.signal).catch((e: ScalerError) => e);
    expect(error).toMatchObject({ kind: 'timeout', message: expect.stringContaining('cancelled before Prometheus answered: engine shutting down') });
    expect(Date.now() - started).toBeLessThan(1_500);
  });
});
