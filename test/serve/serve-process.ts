import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { freePort } from '../harness/process.js';

// `updraft serve` as a user runs it: the real CLI binary (adapter/bin/updraft.js) in its own
// process, on free 127.0.0.1 ports, with JSON logs on stdout.

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const bin = fileURLToPath(new URL('../../adapter/bin/updraft.js', import.meta.url));
export const CONSTANT_PLUGIN = '@updraft-fixtures/scaler-constant';
export const METRICS_API = '/apis/external.metrics.k8s.io/v1beta1';

export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export interface ServeProcess {
  readonly child: ChildProcess;
  /** https://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly metricsUrl: string;
  /** JSON log lines so far. */
  logs(): LogLine[];
  stderr(): string;
  /** Resolves with the first log line that matches, or rejects after `timeoutMs`. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `updraft serve <args> --host 127.0.0.1 --port <free> --metrics-port <free>` and waits until it serves. */
export async function startServe(args: readonly string[], env: NodeJS.ProcessEnv = {}, options: { readonly cwd?: string } = {}): Promise<ServeProcess> {
  const port = await freePort();
  const metricsPort = await freePort();
  const child = spawn(process.execPath, [bin, 'serve', '--host', '127.0.0.1', '--port', String(port), '--metrics-port', String(metricsPort), '--log-format', 'json', ...args], {
    cwd: options.cwd ?? repoRoot,
    // Only the flags given here: no UPDRAFT_* setting of the machine running the tests.
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('UPDRAFT_'))), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    let newline: number;
    while ((newline = stdout.indexOf('\n')) >= 0) {
      const text = stdout.slice(0, newline);
      stdout = stdout.slice(newline + 1);
      try {
        lines.push(JSON.parse(text) as LogLine);
      } catch {
        lines.push({ level: 'raw', msg: text });
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const wake of waiters) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
    for (const wake of waiters) wake();
  });

  const waitForLog = (match: (line: LogLine) => boolean, timeoutMs = 20_000) =>
    new Promise<LogLine>((resolve, reject) => {
      const check = () => {
        const found = lines.find(match);
        if (found) {
          done();
          resolve(found);
        } else if (exitCode !== undefined) {
          done();
          reject(new Error(`updraft serve exited with ${exitCode}:\n${stderr}\n${lines.map((l) => JSON.stringify(l)).join('\n')}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for a log line:\n${stderr}\n${lines.map((l) => JSON.stringify(l)).join('\n')}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  const serving = await waitForLog((line) => line.msg === 'serving the external metrics API', 30_000);
  return {
    child,
    url: serving.url as string,
    port,
    metricsUrl: serving.metricsUrl as string,
    logs: () => [...lines],
    stderr: () => stderr,
    waitForLog,
    stop: async () => {
      if (exitCode === undefined) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The real kubectl: `kubectl --server=URL --insecure-skip-tls-verify --cache-dir=DIR get --raw PATH`.
 * kubectl with no credentials at all (no kubeconfig) stops to prompt for a username, so a token is
 * always given; `--auth=none` ignores it.
 */
export function kubectl(url: string, cacheDir: string, path: string, token = 'unused'): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(
      'kubectl',
      [`--server=${url}`, '--insecure-skip-tls-verify', `--cache-dir=${cacheDir}`, `--token=${token}`, 'get', '--raw', path],
      { timeout: 20_000, env: { ...process.env, KUBECONFIG: '/dev/null' } },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

export interface HttpsAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  json<T = unknown>(): T;
}

export interface HttpsOptions {
  readonly headers?: Record<string, string | string[]>;
  readonly cert?: string;
  readonly key?: string;
  readonly method?: string;
}

/** One HTTPS request without certificate verification, optionally with a client certificate. */
export function httpsGet(url: string, options: HttpsOptions = {}): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        rejectUnauthorized: false,
        agent: false,
        headers: options.headers ?? {},
        ...(options.cert ? { cert: options.cert, key: options.key } : {}),
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body) as T }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** `…/namespaces/<ns>/<metric>?labelSelector=scaledobject.keda.sh%2Fname%3D<so>` */
export function metricPath(namespace: string, metric: string, scaledObject?: string): string {
  const selector = scaledObject === undefined ? '' : `?labelSelector=${encodeURIComponent(`scaledobject.keda.sh/name=${scaledObject}`)}`;
  return `${METRICS_API}/namespaces/${namespace}/${metric}${selector}`;
}

/** Polls `check` every 100 ms until it holds. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}
