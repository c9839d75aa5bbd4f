import {
  kindForHttpStatus,
  SecretRedactor,
  triggerMetricName,
  TriggerErrors,
  type HttpClient,
  type HttpResponse,
  type HttpSession,
  type MetricSpec,
  type MetricsAndActivity,
  type Scaler,
  type ScalerConfig,
} from '@updraft/core';
import { prometheusMetadata, type PrometheusMetadata } from './metadata.js';
import { prometheusError, readQueryResult } from './query-result.js';

/** KEDA's global HTTP timeout (`KEDA_HTTP_DEFAULT_TIMEOUT`), used when a trigger sets no `timeout`. */
export const PROMETHEUS_DEFAULT_TIMEOUT_MS = 3_000;
/** A single-element answer is a few hundred bytes; anything near this is a query that returns far too much. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** What one instant query gave: a value, or an empty answer and why. */
export type PrometheusQueryOutcome = { readonly value: number; readonly empty?: undefined } | { readonly value?: undefined; readonly empty: string };

/** One `prometheus` trigger: an instant query at now whose single element is the metric value. */
export class PrometheusScaler implements Scaler {
  private readonly http: HttpSession;
  private readonly errors: TriggerErrors;

  constructor(
    private readonly config: ScalerConfig<PrometheusMetadata>,
    http: HttpClient,
  ) {
    const m = config.metadata;
    this.http = http.session({ backend: 'prometheus', auth: m, headers: m.customHeaders ?? {}, where: 'Prometheus' });
    const redactor = SecretRedactor.forTrigger(prometheusMetadata, m, Object.values(m.customHeaders ?? {}));
    this.errors = new TriggerErrors(`Prometheus query '${m.query}' on ${displayServer(m.serverAddress)}`, redactor);
  }

  getMetricSpecs(): MetricSpec[] {
    return [{ metricName: triggerMetricName(this.config.triggerIndex, 'prometheus'), target: this.config.metadata.threshold, metricType: this.config.metricType }];
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
    const timeoutMs = m.timeout && m.timeout > 0 ? m.timeout : PROMETHEUS_DEFAULT_TIMEOUT_MS;
    let answer: HttpResponse;
    try {
      answer = await this.http.get(this.queryUrl(new Date()), { signal, timeoutMs, maxBytes: MAX_RESPONSE_BYTES, operation: 'query' });
    } catch (error) {
      throw this.errors.from(error);
    }
    if (answer.status < 200 || answer.status > 299) throw this.statusError(answer);

    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      throw this.errors.error('bad-response', `HTTP ${answer.status} with a body that is not JSON`);
    }
    const reading = readQueryResult(body);
    switch (reading.type) {
      case 'value':
        return { value: reading.value };
      case 'invalid':
        throw this.errors.error(reading.kind, reading.problem);
      case 'empty':
        if (m.ignoreNullValues) return { empty: `Prometheus query '${m.query}': ${reading.reason}; ignoreNullValues reads it as 0` };
        throw this.errors.error(reading.kind, `${reading.reason}; the target may be lost (set ignoreNullValues: "true" to read this as 0)`);
    }
  }

  async close(): Promise<void> {
    await this.http.close();
  }

  /** GET {serverAddress}/api/v1/query?query=..&time=..[&namespace=..][&k=v..], in KEDA's order. */
  private queryUrl(now: Date): URL {
    const { serverAddress, query, namespace, queryParameters } = this.config.metadata;
    const url = URL.canParse(serverAddress) ? new URL(serverAddress) : undefined;
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw this.errors.error('unreachable', 'serverAddress is not an http:// or https:// URL');
    }
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/query`;
    url.searchParams.append('query', query);
    // RFC 3339 at whole seconds, as Go's time.RFC3339 writes it.
    url.searchParams.append('time', now.toISOString().replace(/\.\d+Z$/, 'Z'));
    if (namespace) url.searchParams.append('namespace', namespace);
    for (const [key, value] of Object.entries(queryParameters ?? {})) url.searchParams.append(key, value);
    return url;
  }

  private statusError(answer: HttpResponse) {
    let body: unknown;
    let said: string | undefined;
    try {
      body = JSON.parse(answer.body);
      said = prometheusError(body);
    } catch {
      // Not JSON (a proxy's or load balancer's page): its first words, on one line.
      said = answer.body.trim() ? answer.body.trim().replace(/\s+/g, ' ').slice(0, 200) : undefined;
    }
    // Prometheus: 400 bad_data (the query does not parse), 422 execution (it fails to evaluate), errorType timeout.
    const timedOut = (body as { errorType?: unknown } | undefined)?.errorType === 'timeout' && answer.status !== 401 && answer.status !== 403 && answer.status !== 404;
    return this.errors.error(timedOut ? 'timeout' : kindForHttpStatus(answer.status), `HTTP ${answer.status}${said ? `: ${said}` : ''}`);
  }
}

/** The server as errors show it: no user info, no query string. */
function displayServer(serverAddress: string): string {
  if (!URL.canParse(serverAddress)) return '<serverAddress that is not a URL>';
  const url = new URL(serverAddress);
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}
