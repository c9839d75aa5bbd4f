import type { IncomingMessage, ServerResponse } from 'node:http';
import { inject, injectable } from 'inversify';
import { AdapterLogger } from './logger.js';
import { ExternalMetricsProvider, SCALED_OBJECT_NAME_LABEL, type ExternalMetricAnswer } from './external-metrics-provider.js';
import { LabelSelectorError, parseLabelSelector, requiredValue, type LabelSelector } from './label-selector.js';
import { AdapterMetrics, type RequestRoute } from './metrics/adapter-metrics.js';
import { Readiness } from './readiness.js';
import { NoAuthentication, RequestAuthenticator, RequestAuthorizer, type Authenticated } from './auth/request-auth.js';
import {
  API_GROUP,
  API_GROUP_LIST,
  API_RESOURCE_LIST,
  badRequest,
  forbidden,
  GROUP,
  internalError,
  methodNotAllowed,
  pathNotFound,
  StatusError,
  unauthorized,
  VERSION,
  type RequestAttributes,
} from './wire-format.js';

const METRICS_PREFIX = `/apis/${GROUP}/${VERSION}/namespaces/`;
const DISCOVERY: Readonly<Record<string, string>> = {
  '/apis': API_GROUP_LIST,
  [`/apis/${GROUP}`]: API_GROUP,
  [`/apis/${GROUP}/${VERSION}`]: API_RESOURCE_LIST,
};
const HEALTH = new Set(['/healthz', '/livez', '/readyz']);
const SELECTOR_CACHE_MAX = 1_000;
const RESOURCE_VERBS: Readonly<Record<string, string>> = { GET: 'list', HEAD: 'list', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'deletecollection' };

interface ParsedSelector {
  readonly selector: LabelSelector;
  /** The ScaledObject the selector names, if it names one. */
  readonly scaledObject: string | undefined;
}

/** What a request is, once its path is read. */
type Route =
  | { readonly kind: 'health'; readonly path: string; readonly verbose: boolean }
  | { readonly kind: 'discovery'; readonly body: string }
  | { readonly kind: 'metric'; readonly namespace: string; readonly metricName: string }
  | { readonly kind: 'not-found' };

/**
 * The external metrics API over HTTP: routing, authentication and authorization, discovery,
 * metric reads, health, and metav1.Status errors. One debug log line per request.
 */
@injectable()
export class ExternalMetricsApi {
  private readonly selectors = new Map<string, ParsedSelector | LabelSelectorError>();
  private readonly open: boolean;

  constructor(
    @inject(ExternalMetricsProvider) private readonly provider: ExternalMetricsProvider,
    @inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
    @inject(RequestAuthorizer) private readonly authorizer: RequestAuthorizer,
    @inject(Readiness) private readonly readiness: Readiness,
    @inject(AdapterMetrics) private readonly metrics: Pick<AdapterMetrics, 'observeRequest'>,
    @inject(AdapterLogger) private readonly logger: AdapterLogger,
  ) {
    // --auth=none: skip the (always positive) authentication and authorization awaits.
    this.open = authenticator instanceof NoAuthentication && authorizer instanceof NoAuthentication;
  }

  /**
   * The request listener of the HTTPS server. A read the engine answers from memory (its
   * `readMetric` returns the read itself), and with --auth=none everything else but a metric read
   * that must wait for a fetch, is answered synchronously, without a promise.
   */
  readonly handle = (request: IncomingMessage, response: ServerResponse): void => {
    const started = performance.now();
    try {
      this.serve(request, response, started)?.catch((error: unknown) => this.failed(error, request, response, started));
    } catch (error) {
      this.failed(error, request, response, started);
    }
  };

  private failed(error: unknown, request: IncomingMessage, response: ServerResponse, started: number): void {
    this.logger.error({ error: (error as Error).message, path: request.url }, 'answering a request failed');
    if (!response.headersSent) this.send(response, internalError('the request could not be answered'), 'other', started, request, undefined);
    else response.destroy();
  }

  private serve(request: IncomingMessage, response: ServerResponse, started: number): Promise<void> | undefined {
    const url = request.url ?? '/';
    const mark = url.indexOf('?');
    const path = mark < 0 ? url : url.slice(0, mark);
    const query = mark < 0 ? '' : url.slice(mark + 1);
    const route = routeOf(path, query);

    // Kubelet probes present no credentials: health paths are always open (AlwaysAllowPaths).
    if (route.kind === 'health') {
      const answer = route.path === '/readyz' ? this.readiness.ready(route.verbose) : this.readiness.live(route.verbose);
      this.respond(response, answer.code, 'text/plain; charset=utf-8', answer.body, 'health', started, request, undefined);
      return undefined;
    }
    if (this.open) return this.dispatch(request, response, route, query, started, undefined);
    return this.authorized(request, response, route, path, query, started);
  }

  private async authorized(request: IncomingMessage, response: ServerResponse, route: Route, path: string, query: string, started: number): Promise<void> {
    const authenticated = await this.authenticator.authenticate(request);
    if (!authenticated) return this.send(response, unauthorized(), routeLabel(route), started, request, undefined);
    const attributes = attributesOf(route, request.method ?? 'GET', path);
    let decision: { allowed: boolean; reason: string };
    try {
      decision = await this.authorizer.authorize(authenticated.user, attributes);
    } catch (error) {
      this.logger.warn({ error: (error as Error).message, user: authenticated.user.name }, 'authorization failed: the SubjectAccessReview could not be made');
      return this.send(response, internalError(`cannot authorize the request: ${(error as Error).message}`), routeLabel(route), started, request, authenticated);
    }
    if (!decision.allowed) return this.send(response, forbidden(authenticated.user.name, attributes, decision.reason), routeLabel(route), started, request, authenticated);
    return this.dispatch(request, response, route, query, started, authenticated);
  }

  private dispatch(request: IncomingMessage, response: ServerResponse, route: Route, query: string, started: number, authenticated: Authenticated | undefined): Promise<void> | undefined {
    if (route.kind === 'not-found') return this.send(response, pathNotFound(), 'other', started, request, authenticated);
    if (request.method !== 'GET' && request.method !== 'HEAD') return this.send(response, methodNotAllowed(), routeLabel(route), started, request, authenticated);
    if (route.kind === 'discovery') return this.respond(response, 200, 'application/json', route.body, 'discovery', started, request, authenticated);
    if (route.kind !== 'metric') return undefined;

    const parsed = this.selector(query);
    if (parsed instanceof LabelSelectorError) return this.send(response, badRequest(parsed.message), 'metric', started, request, authenticated);
    const answer = this.provider.getExternalMetric(route.namespace, route.metricName, parsed.selector);
    if (!(answer instanceof Promise)) return this.respond(response, 200, 'application/json', answer.body ?? JSON.stringify(answer.list), 'metric', started, request, authenticated);
    return this.read(request, response, answer, started, authenticated);
  }

  private async read(request: IncomingMessage, response: ServerResponse, pending: Promise<ExternalMetricAnswer>, started: number, authenticated: Authenticated | undefined): Promise<void> {
    let body: string;
    try {
      const answer = await pending;
      body = answer.body ?? JSON.stringify(answer.list);
    } catch (error) {
      if (error instanceof StatusError) return this.send(response, error, 'metric', started, request, authenticated);
      this.logger.error({ error: (error as Error).message, path: request.url }, 'reading a metric failed unexpectedly');
      return this.send(response, internalError((error as Error).message), 'metric', started, request, authenticated);
    }
    this.respond(response, 200, 'application/json', body, 'metric', started, request, authenticated);
  }

  /** Parsed selectors by their query string: the HPA sends the same few strings every 15 s. */
  private selector(query: string): ParsedSelector | LabelSelectorError {
    let parsed = this.selectors.get(query);
    if (parsed === undefined) {
      try {
        const selector = parseLabelSelector(query === '' ? '' : (new URLSearchParams(query).get('labelSelector') ?? ''));
        parsed = { selector, scaledObject: requiredValue(selector, SCALED_OBJECT_NAME_LABEL) };
      } catch (error) {
        if (!(error instanceof LabelSelectorError)) throw error;
        parsed = error;
      }
      if (this.selectors.size >= SELECTOR_CACHE_MAX) this.selectors.clear();
      this.selectors.set(query, parsed);
    }
    return parsed;
  }

  private send(response: ServerResponse, status: StatusError, route: RequestRoute, started: number, request: IncomingMessage, authenticated: Authenticated | undefined): undefined {
    return this.respond(response, status.code, 'application/json', status.body(), route, started, request, authenticated, status.message);
  }

  /** Bodies are strings: node then writes the headers and the body in one TLS record and one system call. */
  private respond(response: ServerResponse, code: number, contentType: string, body: string, route: RequestRoute, started: number, request: IncomingMessage, authenticated: Authenticated | undefined, error?: string): undefined {
    response.writeHead(code, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-cache, private' });
    response.end(body);
    const seconds = (performance.now() - started) / 1000;
    this.metrics.observeRequest(route, code, seconds);
    if (this.logger.isLevelEnabled('debug')) {
      this.logger.debug(
        {
          method: request.method,
          url: request.url,
          code,
          ms: Math.round(seconds * 1e6) / 1e3,
          remote: request.socket.remoteAddress,
          ...(authenticated ? { user: authenticated.user.name, via: authenticated.method } : {}),
          ...(error !== undefined ? { error } : {}),
        },
        'request',
      );
    }
    return undefined;
  }
}

function routeOf(path: string, query: string): Route {
  if (HEALTH.has(path)) return { kind: 'health', path, verbose: /(^|&)verbose(=|&|$)/.test(query) };
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const discovery = DISCOVERY[trimmed];
  if (discovery) return { kind: 'discovery', body: discovery };
  if (trimmed.startsWith(METRICS_PREFIX)) {
    const parts = trimmed.slice(METRICS_PREFIX.length).split('/');
    if (parts.length === 2 && parts[0] && parts[1]) {
      try {
        const decode = (part: string) => (part.includes('%') ? decodeURIComponent(part) : part);
        return { kind: 'metric', namespace: decode(parts[0]), metricName: decode(parts[1]) };
      } catch {
        return { kind: 'not-found' };
      }
    }
  }
  return { kind: 'not-found' };
}

function routeLabel(route: Route): RequestRoute {
  return route.kind === 'not-found' ? 'other' : route.kind;
}

/** RequestInfo's reading of a request: a metric read is `list` on the metric; anything else is a non-resource request. */
function attributesOf(route: Route, method: string, path: string): RequestAttributes {
  if (route.kind === 'metric') {
    return { resourceRequest: true, verb: RESOURCE_VERBS[method] ?? method.toLowerCase(), namespace: route.namespace, group: GROUP, version: VERSION, resource: route.metricName };
  }
  return { resourceRequest: false, verb: method === 'HEAD' ? 'get' : method.toLowerCase(), path };
}
