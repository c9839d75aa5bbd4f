import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createSecureContext, TLSSocket } from 'node:tls';
import { inject, injectable, optional } from 'inversify';
import { BackendCalls } from '../backend-calls.js';
import { ScalerError, type ScalerErrorKind } from '../scaler.js';
import { SharedResourcePool, type Lease } from '../shared-resource-pool.js';
import { tlsClientOptions, tlsMaterialKey, type TlsMaterial } from '../shared-params/tls-options.js';
import { basicCredentials, SecretRedactor } from './redact.js';
import { classifyTransportError } from './transport-errors.js';

/** The kit's HTTP(S) client: keep-alive agents shared by every trigger with the same TLS material. */
export const HttpClient = Symbol.for('updraft.core.HttpClient');

/**
 * The shared HTTP authentication parameters (`httpAuthParams`) as a trigger parsed them. Modes
 * `bearer`, `basic`, `custom` and `tls` are sent; `apiKey` and `oauth` are refused as unsupported.
 */
export interface HttpAuth {
  readonly authModes?: readonly string[] | undefined;
  readonly bearerToken?: string | undefined;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly customAuthHeader?: string | undefined;
  readonly customAuthValue?: string | undefined;
  readonly ca?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  readonly unsafeSsl?: boolean | undefined;
}

/** What a trigger's requests carry. */
export interface HttpSessionOptions {
  /** The backend name calls are counted under (`BackendCalls`), e.g. `prometheus`. */
  readonly backend: string;
  /** Auth headers per `authModes`; `ca` and `unsafeSsl` always apply, the client certificate with mode `tls`. */
  readonly auth?: HttpAuth;
  /** TLS material when the trigger has no `auth` block of its own. */
  readonly tls?: TlsMaterial;
  /** Extra headers (a trigger's `customHeaders`); an auth header of the same name wins, as in KEDA. */
  readonly headers?: Readonly<Record<string, string>>;
  /** How the server is named in messages. Default `the server`. */
  readonly where?: string;
}

export interface HttpGetOptions {
  /** The engine's signal for this read. */
  readonly signal: AbortSignal;
  /** The trigger's own timeout; its expiry rejects with kind `timeout`. */
  readonly timeoutMs: number;
  /** A larger body rejects with kind `bad-response`. Default 8 MiB. */
  readonly maxBytes?: number;
  /** The operation calls are counted under. Default `GET`. */
  readonly operation?: string;
}

/** A complete HTTP answer, whatever its status: the caller says what a status means (`kindForHttpStatus`). */
export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One trigger's use of the shared agents: acquired on the first request, released by `close`. */
export interface HttpSession {
  /**
   * One GET, the whole body read as UTF-8. Rejects with a ScalerError whose message names `where`
   * and never a credential: `timeout` when the timeout expires or `signal` aborts (at any stage of
   * the exchange), the transport failure's kind otherwise.
   */
  get(url: URL, options: HttpGetOptions): Promise<HttpResponse>;
  /** Releases the agent. Idempotent; a `get` after it rejects. */
  close(): Promise<void>;
  /** Every secret the session sends, for the caller's own messages. */
  readonly redactor: SecretRedactor;
}

export interface HttpClient {
  session(options: HttpSessionOptions): HttpSession;
  /** How many distinct agents are open. */
  readonly openAgents: number;
}

type Recorder = (operation: string, call: () => Promise<HttpResponse>) => Promise<HttpResponse>;

const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

@injectable()
export class HttpClientImpl implements HttpClient {
  private readonly agents = new SharedResourcePool<HttpAgent>((agent) => agent.destroy());

  /** @param calls counts every request; a client made by hand without it counts nothing. */
  constructor(@inject(BackendCalls) @optional() private readonly calls?: BackendCalls) {}

  session(options: HttpSessionOptions): HttpSession {
    return new Session(options, this.agents, async (operation, call) => {
      const started = performance.now();
      let outcome: 'ok' | 'error' = 'error';
      try {
        const response = await call();
        // An answer that is not 2xx is a failed call of the backend, whatever the scaler makes of it.
        if (response.status >= 200 && response.status <= 299) outcome = 'ok';
        return response;
      } finally {
        this.calls?.record({ backend: options.backend, operation, outcome, durationMs: performance.now() - started });
      }
    });
  }

  get openAgents(): number {
    return this.agents.size;
  }
}

class Session implements HttpSession {
  readonly redactor: SecretRedactor;
  private readonly leases = new Map<string, Lease<HttpAgent>>();
  private readonly where: string;
  private closed = false;

  constructor(
    private readonly options: HttpSessionOptions,
    private readonly agents: SharedResourcePool<HttpAgent>,
    private readonly record: Recorder,
  ) {
    const a = options.auth ?? {};
    this.where = options.where ?? 'the server';
    this.redactor = new SecretRedactor([
      a.bearerToken,
      a.password,
      a.username && basicCredentials(a.username, a.password),
      a.customAuthValue,
      a.key,
      ...Object.values(options.headers ?? {}),
    ]);
  }

  async get(url: URL, options: HttpGetOptions): Promise<HttpResponse> {
    if (this.closed) throw this.error('internal', `the request to ${this.where} was not sent: the trigger is closed`);
    const unsupported = (this.options.auth?.authModes ?? []).filter((mode) => mode === 'apiKey' || mode === 'oauth');
    if (unsupported.length > 0) throw this.error('unsupported', `authModes ${unsupported.join(', ')} is not supported yet`);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw this.error('unreachable', `${this.where} is not an http:// or https:// URL`);
    const agent = this.agent(url.protocol);
    const timeout = AbortSignal.timeout(options.timeoutMs);
    const { signal } = options;
    try {
      return await this.record(options.operation ?? 'GET', () =>
        exchange(url, { where: this.where, agent, headers: this.headers(), signal: AbortSignal.any([signal, timeout]), maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES }),
      );
    } catch (error) {
      if (timeout.aborted && !signal.aborted) throw this.error('timeout', `no answer from ${this.where} within ${options.timeoutMs} ms (the trigger's timeout)`, error);
      if (signal.aborted) throw this.error('timeout', `the read was cancelled before ${this.where} answered: ${reasonOf(signal)}`, error);
      if (error instanceof ScalerError) throw error;
      const failure = classifyTransportError(error, this.where);
      throw this.error(failure?.kind ?? 'unreachable', failure?.message ?? `the request to ${this.where} failed: ${(error as Error).message}`, error);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const leases = [...this.leases.values()];
    this.leases.clear();
    await Promise.all(leases.map((lease) => lease.release()));
  }

  /** Custom headers first, then the auth headers, which win on a clash (KEDA: Header.Add, then Header.Set). */
  private headers(): Record<string, string> {
    const a = this.options.auth ?? {};
    const headers: Record<string, string> = { ...this.options.headers };
    const modes = new Set(a.authModes ?? []);
    const set = (name: string, value: string) => {
      for (const existing of Object.keys(headers)) if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
      headers[name] = value;
    };
    if (modes.has('bearer')) set('Authorization', `Bearer ${a.bearerToken}`);
    else if (modes.has('basic')) set('Authorization', `Basic ${basicCredentials(a.username!, a.password)}`);
    if (modes.has('custom')) set(a.customAuthHeader!, a.customAuthValue!);
    return headers;
  }

  private tls(): TlsMaterial {
    const a = this.options.auth;
    if (!a) return this.options.tls ?? {};
    const tlsMode = (a.authModes ?? []).includes('tls');
    return { ca: a.ca, cert: tlsMode ? a.cert : undefined, key: tlsMode ? a.key : undefined, unsafeSsl: a.unsafeSsl };
  }

  /** The shared agent for a protocol and this trigger's TLS material, acquired on first use. */
  private agent(protocol: 'http:' | 'https:'): HttpAgent {
    const held = this.leases.get(protocol);
    if (held) return held.resource;
    const tls = this.tls();
    let lease: Lease<HttpAgent>;
    try {
      // keepAlive: a trigger polls every few seconds; agents unref idle sockets, so they never hold the process open.
      lease =
        protocol === 'http:'
          ? this.agents.acquire('http', () => new HttpAgent({ keepAlive: true }))
          : this.agents.acquire(`https:${tlsMaterialKey(tls)}`, () => {
              const options = tlsClientOptions(tls);
              // Load the PEM material here, once, so a bad certificate or key fails before any request.
              return new HttpsAgent({ keepAlive: true, secureContext: createSecureContext(options), rejectUnauthorized: options.rejectUnauthorized ?? true });
            });
    } catch (error) {
      const failure = classifyTransportError(error, this.where);
      throw this.error('tls', failure?.message ?? `the TLS material (ca, cert, key) from the TriggerAuthentication cannot be loaded: ${(error as Error).message}`, error);
    }
    this.leases.set(protocol, lease);
    return lease.resource;
  }

  private error(kind: ScalerErrorKind, message: string, cause?: unknown): ScalerError {
    return new ScalerError(this.redactor.redact(message), kind, cause === undefined ? undefined : { cause });
  }
}

/** The answer was larger than the caller allows. */
class ResponseTooLargeError extends ScalerError {
  constructor(maxBytes: number) {
    super(`the response is larger than ${maxBytes} bytes`, 'bad-response');
  }
}

/**
 * One GET through `agent`. Rejects with Node's own error (with its `code`) when the request fails,
 * and as soon as `signal` aborts, whatever stage the exchange is in.
 */
function exchange(url: URL, options: { where: string; agent: HttpAgent; headers: Record<string, string>; signal: AbortSignal; maxBytes: number }): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: 'GET', agent: options.agent, headers: options.headers, signal: options.signal });
    let handshakeDone = false;
    let answered = false;
    request.once('socket', (socket) => {
      if (socket instanceof TLSSocket && !request.reusedSocket) socket.once('secureConnect', () => (handshakeDone = true));
    });
    request.once('error', (error: NodeJS.ErrnoException) => {
      const reset = error.code === 'ECONNRESET' || error.code === 'EPIPE';
      // With TLS 1.3 the client finishes its side of the handshake before the server checks the
      // client certificate, so a reset right after it is how a rejected certificate looks.
      if (reset && handshakeDone && !answered) {
        reject(new ScalerError(`${options.where} closed the connection right after the TLS handshake (${error.message}); did it reject the client certificate?`, 'tls', { cause: error }));
      } else reject(error);
    });
    request.once('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= options.maxBytes) return void chunks.push(chunk);
        reject(new ResponseTooLargeError(options.maxBytes));
        request.destroy();
      });
      response.once('error', reject);
      // A connection dropped mid-body: 'close' without 'end' (the promise settles once, so a late close is harmless).
      response.once('close', () => {
        if (!response.complete) reject(Object.assign(new Error('the connection closed before the response was complete'), { code: 'ECONNRESET' }));
      });
      response.once('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.end();
  });
}

function reasonOf(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : String(reason ?? 'aborted');
}
