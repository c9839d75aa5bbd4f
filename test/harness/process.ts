import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1, chosen by the kernel. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Whether something accepts TCP connections at `url`'s host and port now. */
export function acceptsConnections(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A scratch folder that `dispose` removes. */
export async function scratchDir(prefix: string): Promise<{ path: string; dispose(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `updraft-${prefix}-`));
  return { path, dispose: () => rm(path, { recursive: true, force: true }) };
}

export class MissingBinaryError extends Error {
  override readonly name = 'MissingBinaryError';
  constructor(binary: string, debianPackage: string) {
    super(`${binary} is not installed: install the Debian package ${debianPackage} (apt-get install --no-install-recommends ${debianPackage}); .ci/run does this on CI`);
  }
}

export interface ServerProcess {
  readonly child: ChildProcess;
  /** Everything the process printed so far, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly command: string;
  readonly args: readonly string[];
  /** The Debian package that provides `command`, named when it is missing. */
  readonly debianPackage: string;
  /** Resolves once the server answers; rejects or times out otherwise. */
  readonly ready: () => Promise<boolean>;
  readonly timeoutMs?: number;
  readonly cwd?: string;
}

/** Starts a real server process and waits until `ready` says it answers. */
export async function startServer(options: StartOptions): Promise<ServerProcess> {
  let output = '';
  const child = spawn(options.command, options.args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'ENOENT' ? new MissingBinaryError(options.command, options.debianPackage) : error),
    );
  });
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  await spawned;

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${options.command} exited with code ${child.exitCode} before it was ready:\n${output}`);
    if (await options.ready().catch(() => false)) return { child, output: () => output, stop };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`${options.command} was not ready after ${options.timeoutMs ?? 20_000} ms:\n${output}`);
}
