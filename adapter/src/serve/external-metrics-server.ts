import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import { inject, injectable, optional } from 'inversify';
import { AuthenticationConfigSource } from './auth/authentication-config.js';
import { ExternalMetricsApi } from './external-metrics-api.js';
import { AdapterLogger } from './logger.js';
import { Readiness } from './readiness.js';
import type { ServeContribution } from './serve-application.js';
import { ServeOptions } from './serve-options.js';
import { ServingCertificate } from './tls/serving-certificate.js';
import { AdmissionWebhook } from '../webhook/admission-webhook.js';

/** How long stop() lets requests in flight finish before it closes their connections. */
const DRAIN_MS = 5_000;

/**
 * The HTTPS server of the external metrics API. With --auth=kubernetes it asks every client for a
 * certificate (requestCert, not rejectUnauthorized: kubelet probes and token clients have none)
 * and names the front-proxy and client CAs in that request, so that Go clients (the aggregator,
 * kubectl) send theirs. The serving certificate and the CAs are swapped in place when they change.
 */
@injectable()
export class ExternalMetricsServer implements ServeContribution {
  readonly name = 'external metrics API server';
  private server?: Server;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    @inject(ServeOptions) private readonly options: ServeOptions,
    @inject(ExternalMetricsApi) private readonly api: ExternalMetricsApi,
    @inject(ServingCertificate) private readonly certificate: ServingCertificate,
    @inject(Readiness) private readonly readiness: Readiness,
    @inject(AdapterLogger) private readonly logger: AdapterLogger,
    @inject(AuthenticationConfigSource) @optional() private readonly clientCAs: AuthenticationConfigSource | undefined,
    @inject(AdmissionWebhook) @optional() private readonly webhook: AdmissionWebhook | undefined,
  ) {}

  /** Where it listens; undefined before start. */
  address(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  async start(): Promise<void> {
    await this.certificate.start();
    const requestCert = this.options.auth === 'kubernetes';
    // The API server calls the admission webhook without credentials: it is routed before the API's authentication.
    const webhook = this.webhook;
    const handle = webhook ? (request: IncomingMessage, response: ServerResponse) => (webhook.handles(request) ? webhook.handle(request, response) : this.api.handle(request, response)) : this.api.handle;
    const server = createServer({ ...this.secureContext(), requestCert, rejectUnauthorized: false }, handle);
    // The aggregator and the HPA keep connections open between their 15 s syncs.
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 70_000;
    server.on('tlsClientError', (error) => this.logger.debug({ error: error.message }, 'TLS handshake failed'));
    const refresh = () => {
      server.setSecureContext(this.secureContext());
      this.logger.debug({}, 'TLS context updated');
    };
    this.unsubscribe.push(this.certificate.onChange(refresh));
    if (this.clientCAs) this.unsubscribe.push(this.clientCAs.onChange(refresh));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => reject(new Error(`cannot listen on ${this.options.host}:${this.options.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use (--port)' : error.message}`)));
      server.listen(this.options.port, this.options.host, () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    this.readiness.markShuttingDown();
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.unsubscribe.length = 0;
    this.certificate.stop();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
    await closed;
    clearTimeout(timer);
  }

  private secureContext(): SecureContextOptions {
    const { cert, key } = this.certificate.current();
    const config = this.clientCAs?.current();
    const cas = [config?.requestHeader?.caPem, config?.clientCertificate?.caPem].filter((pem): pem is string => pem !== undefined);
    return { cert, key, ...(cas.length > 0 ? { ca: cas } : {}) };
  }
}
