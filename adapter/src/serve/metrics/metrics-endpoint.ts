import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inject, injectable } from 'inversify';
import { AdapterLogger } from '../logger.js';
import type { ServeContribution } from '../serve-application.js';
import { ServeOptions } from '../serve-options.js';
import { AdapterMetrics } from './adapter-metrics.js';

/** `GET /metrics` in Prometheus text on the metrics port, over plain HTTP (as KEDA's `--port` 8080). */
@injectable()
export class MetricsEndpoint implements ServeContribution {
  readonly name = 'metrics endpoint';
  private server?: Server;

  constructor(
    @inject(ServeOptions) private readonly options: ServeOptions,
    @inject(AdapterMetrics) private readonly metrics: AdapterMetrics,
    @inject(AdapterLogger) private readonly logger: AdapterLogger,
  ) {}

  /** Where it listens; undefined before start. */
  address(): AddressInfo | undefined {
    return (this.server?.address() as AddressInfo | null) ?? undefined;
  }

  async start(): Promise<void> {
    this.metrics.start();
    const server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
      if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: the metrics are at /metrics\n');
        return;
      }
      this.metrics.registry.metrics().then(
        (text) => response.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text),
        (error: unknown) => {
          this.logger.error({ error: (error as Error).message }, 'collecting metrics failed');
          response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('collecting metrics failed\n');
        },
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => reject(new Error(`cannot listen on ${this.options.host}:${this.options.metricsPort} for metrics: ${error.code === 'EADDRINUSE' ? 'the port is in use (--metrics-port)' : error.message}`)));
      server.listen(this.options.metricsPort, this.options.host, () => resolve());
    });
    this.server = server;
  }

  async stop(): Promise<void> {
    this.metrics.stop();
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
