import type { Agent } from 'node:http';
import {
  ScalerError,
  recordBackendCall,
  triggerMetricName,
  type BackendCalls,
  type Lease,
  type MetricSpec,
  type MetricsAndActivity,
  type Scaler,
  type ScalerConfig,
  type ScalerErrorKind,
} from '@updraft/core';
import { SecretRedactor, describeTransportError, kindForStatus } from './errors.js';
import type { PrometheusHttpAgents } from './http-agents.js';
import { httpGet, type HttpAnswer } from './http-get.js';
import type { PrometheusMetadata } from './metadata.js';
import { prometheusError, readQueryResult } from './query-result.js';

/** KEDA's global HTTP timeout (`KEDA_HTTP_DEFAULT_TIMEOUT`), used when a trigger sets no `timeout`. */
export const PROMETHEUS_DEFAULT_TIMEOUT_MS = 3_000;
/** A single-element answer is a few hundred bytes; anything near this is a query that returns far too much. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** What a Prometheus scaler needs from its container. */
export interface PrometheusScalerDeps {
  readonly calls: BackendCalls;
  readonly agents: PrometheusHttpAgents;
}

/** What one instant query gave: a value, or an empty answer and why. */
export type PrometheusQueryOutcome = { readonly value: number; readonly empty?: undefined } | { readonly value?: undefined; readonly empty: string };

/** One `prometheus` trigger: an instant query at now whose single element is the metric value. */
export class PrometheusScaler implements Scaler {
  private lease: Lease<Agent> | undefined;
  private closed = false;
  private readonly redactor: SecretRedactor;

  constructor(
    private readonly config: ScalerConfig<PrometheusMetadata>,
    private readonly deps: PrometheusScalerDeps,
  ) {
    const m = config.metadata;
    this.redactor = new SecretRedactor([
      m.bearerToken,
      m.password,
      m.username && basicCredentials(m.username, m.password),
      m.customAuthValue,
      m.key,
      m.apiKey,
      m.clientSecret,
      ...Object.values(m.customHeaders ?? {}),
      serverPassword(m.serverAddress),
    ]);
  }

  getMetricSpecs(): MetricSpec[] {
    return [
      {
        metricName: triggerMetricName(this.config.triggerIndex, 'prometheus'),
        target: this.config.metadata.threshold,
        metricType: this.config.metricType,
      },
    ];
  }

  async getMetricsAndActivity(metricName: string, signal: AbortSignal): Promise<MetricsAndActivity> {
    const outcome = await this.query(signal);
    const value = outcome.value ?? 0;
    return {
      values: [{ metricName, value, timestamp: new Date() }],
      active: value > this.config.metadata.activationThreshold,
      ...(outcome.empty !== undefined ? { empty: { reason: outcome.empty } } : {}),
    };
  }

  /**
   * Runs the instant query now. Empty answers (no series, an empty value list, NaN, ±Inf) are 0
   * with a reason when `ignoreNullValues` is true and an error otherwise; every failure rejects
   * with a ScalerError that names the query and never a credential.
   */
  async query(signal: AbortSignal): Promise<PrometheusQueryOutcome> {
    const m = this.config.metadata;
    if (this.closed) throw this.error('internal', 'the scaler is closed');
    const unsupported = (m.authModes ?? []).filter((mode) => mode === 'apiKey' || mode === 'oauth');
    if (unsupported.length > 0) throw this.error('unsupported', `authModes ${unsupported.join(', ')} is not supported by the prometheus scaler yet`);

    const url = this.queryUrl(new Date());
    const agent = this.agent(url.protocol as 'http:' | 'https:');
    const timeoutMs = m.timeout && m.timeout > 0 ? m.timeout : PROMETHEUS_DEFAULT_TIMEOUT_MS;
    const timeout = AbortSignal.timeout(timeoutMs);

    let answer: HttpAnswer;
    try {
      answer = await recordBackendCall(this.deps.calls, 'prometheus', 'query', async () => {
        const got = await httpGet(url, { agent, headers: this.headers(), signal: AbortSignal.any([signal, timeout]), maxBytes: MAX_RESPONSE_BYTES });
        if (got.status < 200 || got.status > 299) throw this.statusError(got);
        return got;
      });
    } catch (error) {
      if (error instanceof ScalerError) throw error;
      if (timeout.aborted) throw this.error('timeout', `no answer within ${timeoutMs} ms (the trigger's timeout)`, error);
      if (signal.aborted) throw this.error('timeout', `the read was cancelled before Prometheus answered: ${reasonOf(signal)}`, error);
      const { kind, detail } = describeTransportError(error);
      throw this.error(kind, detail, error);
    }

    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      throw this.error('bad-response', `HTTP ${answer.status} with a body that is not JSON`);
    }
    const reading = readQueryResult(body);
    switch (reading.type) {
      case 'value':
        return { value: reading.value };
      case 'invalid':
        throw this.error(reading.kind, reading.problem);
      case 'empty':
        if (m.ignoreNullValues) return { empty: `Prometheus query '${m.query}': ${reading.reason}; ignoreNullValues reads it as 0` };
        throw this.error(reading.kind, `${reading.reason}; the target may be lost (set ignoreNullValues: "true" to read this as 0)`);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const lease = this.lease;
    this.lease = undefined;
    await lease?.release();
  }

  /** GET {serverAddress}/api/v1/query?query=..&time=..[&namespace=..][&k=v..], in KEDA's order. */
  private queryUrl(now: Date): URL {
    const { serverAddress, query, namespace, queryParameters } = this.config.metadata;
    const url = URL.canParse(serverAddress) ? new URL(serverAddress) : undefined;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw this.error('unreachable', 'serverAddress is not an http:// or https:// URL');
    }
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/query`;
    url.searchParams.append('query', query);
    // RFC 3339 at whole seconds, as Go's time.RFC3339 writes it.
    url.searchParams.append('time', now.toISOString().replace(/\.\d+Z$/, 'Z'));
    if (namespace) url.searchParams.append('namespace', namespace);
    for (const [key, value] of Object.entries(queryParameters ?? {})) url.searchParams.append(key, value);
    return url;
  }

  /** Custom headers first, then the auth headers, which win on a clash (KEDA: Header.Add, then Header.Set). */
  private headers(): Record<string, string> {
    const m = this.config.metadata;
    const headers: Record<string, string> = { ...m.customHeaders };
    const modes = new Set(m.authModes ?? []);
    const set = (name: string, value: string) => {
      for (const existing of Object.keys(headers)) if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
      headers[name] = value;
    };
    if (modes.has('bearer')) set('Authorization', `Bearer ${m.bearerToken}`);
    else if (modes.has('basic')) set('Authorization', `Basic ${basicCredentials(m.username!, m.password)}`);
    if (modes.has('custom')) set(m.customAuthHeader!, m.customAuthValue!);
    return headers;
  }

  /** The shared agent for this trigger's protocol and TLS material, acquired on the first read. */
  private agent(protocol: 'http:' | 'https:'): Agent {
    if (this.lease) return this.lease.resource;
    const m = this.config.metadata;
    const tlsMode = (m.authModes ?? []).includes('tls');
    try {
      this.lease = this.deps.agents.acquire(protocol, { ca: m.ca, cert: tlsMode ? m.cert : undefined, key: tlsMode ? m.key : undefined, unsafeSsl: m.unsafeSsl });
    } catch (error) {
      throw this.error('tls', `the TLS material (ca, cert, key) from the TriggerAuthentication cannot be loaded: ${error instanceof Error ? error.message : String(error)}`, error);
    }
    return this.lease.resource;
  }

  private statusError(answer: HttpAnswer): ScalerError {
    let body: unknown;
    let said: string | undefined;
    try {
      body = JSON.parse(answer.body);
      said = prometheusError(body);
    } catch {
      // Not JSON (a proxy's or load balancer's page): its first words, on one line.
      said = answer.body.trim() ? answer.body.trim().replace(/\s+/g, ' ').slice(0, 200) : undefined;
    }
    const errorType = (body as { errorType?: unknown } | undefined)?.errorType;
    return this.error(kindForStatus(answer.status, typeof errorType === 'string' ? errorType : undefined), `HTTP ${answer.status}${said ? `: ${said}` : ''}`);
  }

  /** Every error names the query and the server, and goes through the redactor. */
  private error(kind: ScalerErrorKind, what: string, cause?: unknown): ScalerError {
    const message = `Prometheus query '${this.config.metadata.query}' on ${displayServer(this.config.metadata.serverAddress)}: ${what}`;
    return new ScalerError(this.redactor.redact(message), kind, cause === undefined ? undefined : { cause });
  }
}

function basicCredentials(username: string, password: string | undefined): string {
  return Buffer.from(`${username}:${password ?? ''}`).toString('base64');
}

/** The server as errors show it: no user info, no query string. */
function displayServer(serverAddress: string): string {
  if (!URL.canParse(serverAddress)) return '<serverAddress that is not a URL>';
  const url = new URL(serverAddress);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

function serverPassword(serverAddress: string): string | undefined {
  return URL.canParse(serverAddress) ? decodeURIComponent(new URL(serverAddress).password) || undefined : undefined;
}

function reasonOf(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : String(reason ?? 'aborted');
}
