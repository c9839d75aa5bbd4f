import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

/** A real PostgreSQL on 127.0.0.1 in a temporary data directory, with a password user and a `jobs` table. */
export interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  readonly database: string;
  /** Runs SQL as the test user. */
  sql(text: string): Promise<void>;
  stop(): Promise<void>;
}

/** The Debian postgresql package's binaries (`/usr/lib/postgresql/<major>/bin`), newest first; or PG_BIN. */
export function postgresBin(): string {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((d) => existsSync(join(root, d, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a)) : [];
  if (majors.length === 0) throw new Error(`no PostgreSQL server binaries under ${root}/*/bin: install the Debian package postgresql (or set PG_BIN)`);
  return join(root, majors[0]!, 'bin');
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), 'updraft-pg-'));
  const data = join(dir, 'data');
  // initdb and postgres refuse to run as root: then they run as the postgres user, which owns the folder.
  const asRoot = process.getuid?.() === 0;
  const wrap = (command: string, args: string[]): [string, string[]] => (asRoot ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', command, ...args]] : [command, args]);
  if (asRoot) chownSync(dir, Number(await idOf('-u')), Number(await idOf('-g')));
  const password = 'pg-secret-p4ss word';
  writeFileSync(join(dir, 'pw'), `${password}\n`);
  if (asRoot) chownSync(join(dir, 'pw'), Number(await idOf('-u')), Number(await idOf('-g')));
  const [initdb, initArgs] = wrap(join(bin, 'initdb'), ['-D', data, '-U', 'updraft', '--auth=scram-sha-256', `--pwfile=${join(dir, 'pw')}`, '--no-sync', '-E', 'UTF8']);
  await promisify(execFile)(initdb, initArgs);
  const port = await freePort();
  const [postgres, args] = wrap(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off']);
  const child: ChildProcess = spawn(postgres, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk) => (log += chunk));
  const config = { host: '127.0.0.1', port, user: 'updraft', password, database: 'postgres' };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with ${child.exitCode}: ${log}`);
    const client = new pg.Client(config);
    try {
      await client.connect();
      await client.query('CREATE TABLE jobs (id serial PRIMARY KEY, state text NOT NULL)');
      await client.end();
      break;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw new Error(`postgres did not accept connections on ${port} in 30 s: ${String(error)}\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    ...config,
    async sql(text) {
      const client = new pg.Client(config);
      await client.connect();
      try {
        await client.query(text);
      } finally {
        await client.end();
      }
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT'); // fast shutdown
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function idOf(flag: '-u' | '-g'): Promise<string> {
  return (await promisify(execFile)('id', [flag, 'postgres'])).stdout.trim();
}
