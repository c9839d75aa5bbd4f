import { execFile } from 'node:child_process';
import { writeFile, readFile } from 'node:fs/promises';
import { createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { MissingBinaryError, freePort, scratchDir, startServer } from './process.js';

/** Runs a binary to completion; a missing binary is a MissingBinaryError naming its Debian package. */
function run(command: string, args: readonly string[], debianPackage: string, cwd?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') reject(new MissingBinaryError(command, debianPackage));
      else if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Prometheus with backfilled data

/** One gauge series written into the TSDB before Prometheus starts. */
export interface BackfillSeries {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  /** The value of every sample; OpenMetrics spells the specials NaN, +Inf, -Inf. */
  readonly value: number | 'NaN' | '+Inf' | '-Inf';
}

/** Samples are written this many seconds before `now`: the last one is what an instant query at now sees. */
export const BACKFILL_SAMPLE_AGES_SECONDS = [240, 120, 30] as const;

/** The OpenMetrics text that `promtool tsdb create-blocks-from openmetrics` reads: gauges, timestamps in seconds, `# EOF`. */
export function openMetricsText(series: readonly BackfillSeries[], nowSeconds: number): string {
  const byName = new Map<string, BackfillSeries[]>();
  for (const s of series) byName.set(s.name, [...(byName.get(s.name) ?? []), s]);
  const lines: string[] = [];
  for (const [name, all] of byName) {
    lines.push(`# TYPE ${name} gauge`);
    for (const s of all) {
      const labels = Object.entries(s.labels ?? {}).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`);
      const selector = labels.length > 0 ? `${name}{${labels.join(',')}}` : name;
      for (const age of BACKFILL_SAMPLE_AGES_SECONDS) lines.push(`${selector} ${s.value} ${nowSeconds - age}`);
    }
  }
  lines.push('# EOF');
  return `${lines.join('\n')}\n`;
}

export interface PrometheusOptions {
  /** Series backfilled with promtool before start, each with samples at BACKFILL_SAMPLE_AGES_SECONDS. */
  readonly backfill?: readonly BackfillSeries[];
  /** host:port targets scraped at `/metrics`. */
  readonly scrapeTargets?: readonly string[];
  /** Prometheus duration; default 1s. */
  readonly scrapeInterval?: string;
}

export interface PrometheusServer {
  /** Base URL, e.g. http://127.0.0.1:40123 (the `serverAddress` of a trigger). */
  readonly url: string;
  readonly port: number;
  /** Everything Prometheus printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the Debian `prometheus` on a free 127.0.0.1 port, with its TSDB in a scratch folder that
 * `promtool` filled with `backfill` first. Flags that matter, checked on 2.42:
 * `--query.lookback-delta=1h`, so the backfilled samples (the newest 30 s old at start) stay visible to
 * instant queries however long a test runs (the default lookback is 5m); no overlap or retention flag
 * is needed, as 2.42 always allows overlapping blocks and the default 15d retention keeps them.
 */
export async function startPrometheus(options: PrometheusOptions = {}): Promise<PrometheusServer> {
  const dir = await scratchDir('prometheus');
  try {
    const tsdb = join(dir.path, 'tsdb');
    if (options.backfill && options.backfill.length > 0) {
      const input = join(dir.path, 'backfill.om');
      await writeFile(input, openMetricsText(options.backfill, Math.floor(Date.now() / 1000)));
      await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', input, tsdb], 'prometheus');
    }
    const config = join(dir.path, 'prometheus.yml');
    const interval = options.scrapeInterval ?? '1s';
    const targets = options.scrapeTargets ?? [];
    await writeFile(
      config,
      [
        'global:',
        `  scrape_interval: ${interval}`,
        `  scrape_timeout: ${interval}`,
        'scrape_configs:',
        ...(targets.length > 0 ? ['  - job_name: exporter', '    static_configs:', `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`] : []),
        '',
      ].join('\n'),
    );
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const server = await startServer({
      command: 'prometheus',
      debianPackage: 'prometheus',
      args: [
        `--config.file=${config}`,
        `--storage.tsdb.path=${tsdb}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--query.lookback-delta=1h',
        '--log.level=warn',
      ],
      ready: async () => (await fetch(`${url}/-/ready`)).ok,
      cwd: dir.path,
    });
    return {
      url,
      port,
      output: server.output,
      stop: async () => {
        await server.stop();
        await dir.dispose();
      },
    };
  } catch (error) {
    await dir.dispose();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------
// Certificates

export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

export interface TestCertificates {
  /** The CA that signs `server` and `client`. */
  readonly ca: KeyPair;
  /** For 127.0.0.1 and localhost. */
  readonly server: KeyPair;
  /** A client certificate for mutual TLS, CN updraft-client. */
  readonly client: KeyPair;
  /** A second, unrelated CA, and a client certificate it signed: trusted by nobody here. */
  readonly otherCa: KeyPair;
  readonly otherClient: KeyPair;
}

/** Generates a throw-away PKI with the `openssl` binary (Debian package openssl), EC P-256 keys, valid 2 days. */
export async function generateCertificates(): Promise<TestCertificates> {
  const dir = await scratchDir('certs');
  const openssl = (...args: string[]) => run('openssl', args, 'openssl', dir.path);
  const newKey = (name: string) => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`);
  const selfSigned = async (name: string, cn: string) => {
    await newKey(name);
    await openssl('req', '-x509', '-new', '-key', `${name}.key`, '-out', `${name}.crt`, '-days', '2', '-subj', `/CN=${cn}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  };
  const signed = async (name: string, cn: string, ca: string, extensions: string) => {
    await newKey(name);
    await openssl('req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    await writeFile(join(dir.path, `${name}.ext`), extensions);
    await openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-set_serial', String(Date.now() + Math.floor(Math.random() * 1e6)),
      '-days', '2', '-out', `${name}.crt`, '-extfile', `${name}.ext`);
  };
  try {
    await selfSigned('ca', 'updraft-test-ca');
    await selfSigned('other-ca', 'updraft-other-ca');
    await signed('server', '127.0.0.1', 'ca', 'basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    await signed('client', 'updraft-client', 'ca', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
    await signed('other-client', 'updraft-other-client', 'other-ca', 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
    const pair = async (name: string): Promise<KeyPair> => ({
      cert: await readFile(join(dir.path, `${name}.crt`), 'utf8'),
      key: await readFile(join(dir.path, `${name}.key`), 'utf8'),
    });
    return { ca: await pair('ca'), server: await pair('server'), client: await pair('client'), otherCa: await pair('other-ca'), otherClient: await pair('other-client') };
  } finally {
    await dir.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// A reverse proxy that checks credentials, as the gateways in front of real Prometheus servers do

/** A request as the proxy received it. */
export interface ProxiedRequest {
  readonly method: string;
  /** Path and query string. */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** CN of the verified client certificate, with mutual TLS. */
  readonly clientCertificate?: string;
}

export interface AuthProxyOptions {
  /** The Prometheus to forward to. */
  readonly target: string;
  /** Serve https with this certificate; with `clientCa`, require a client certificate it signed (mutual TLS). */
  readonly tls?: KeyPair & { readonly clientCa?: string };
  /** Whether to let a request through; a refusal is a 401 (see below). Default: everything passes. */
  readonly authorize?: (request: ProxiedRequest) => boolean;
  /** Wait this long before forwarding: a slow upstream. */
  readonly delayMs?: number;
}

export interface AuthProxy {
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: ProxiedRequest[];
  close(): Promise<void>;
}

/**
 * Starts an http(s) reverse proxy on a free 127.0.0.1 port in front of `target`. A refused request
 * gets a 401 whose Prometheus-style JSON body echoes every request header back, as a careless
 * gateway might: the scaler must still never print a credential.
 */
export async function startAuthProxy(options: AuthProxyOptions): Promise<AuthProxy> {
  const requests: ProxiedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const target = new URL(options.target);

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket as Partial<TLSSocket>;
    const peer = socket.getPeerCertificate?.();
    const received: ProxiedRequest = {
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers: request.headers,
      ...(peer && peer.subject ? { clientCertificate: String(peer.subject.CN) } : {}),
    };
    requests.push(received);
    if (options.authorize && !options.authorize(received)) {
      response.writeHead(401, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'error', errorType: 'unauthorized', error: `credentials rejected; request headers were ${JSON.stringify(request.headers)}` }));
      return;
    }
    const forward = () => {
      timers.delete(timer);
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: { ...request.headers, host: target.host } },
        (answer) => {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
        },
      );
      upstream.on('error', (error) => {
        if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`proxy: ${error.message}`);
      });
      request.pipe(upstream);
    };
    const timer = setTimeout(forward, options.delayMs ?? 0);
    timers.add(timer);
    response.on('close', () => {
      clearTimeout(timer);
      timers.delete(timer);
    });
  };

  const server: Server = options.tls
    ? createHttpsServer(
        {
          cert: options.tls.cert,
          key: options.tls.key,
          ...(options.tls.clientCa ? { ca: options.tls.clientCa, requestCert: true, rejectUnauthorized: true } : {}),
        },
        handle,
      )
    : createHttpServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
