import { createHash } from 'node:crypto';
import { ScalerError, SharedResourcePool, type ScalerErrorKind } from '@updraft/core';
import pg from 'pg';
import type { PostgresqlMetadata } from './metadata.js';

/** One pg.Pool per connection, shared by every trigger that names it; ended when its last trigger closes. */
export const pools = new SharedResourcePool<pg.Pool>((pool) => pool.end());

/** The pool key: a hash, so no password is kept in a key. */
export function poolKey(m: PostgresqlMetadata): string {
  return createHash('sha256').update(JSON.stringify([m.connection, m.host, m.port, m.userName, m.dbName, m.sslmode, m.password])).digest('hex');
}

/** What pg needs, from `connection` (a URL or libpq keywords) or from host, port, userName, dbName, sslmode, password. */
export function poolConfig(m: PostgresqlMetadata): pg.PoolConfig {
  const common = { max: 2, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000, allowExitOnIdle: true };
  const connection = m.connection?.trim();
  if (connection && /^postgres(ql)?:\/\//.test(connection)) return { ...common, connectionString: connection };
  const k = connection ? parseKeywords(connection) : { host: m.host, port: m.port, user: m.userName, dbname: m.dbName, sslmode: m.sslmode, password: m.password };
  return {
    ...common,
    host: k.host,
    port: k.port === undefined ? undefined : Number(k.port),
    user: k.user,
    database: k.dbname,
    password: k.password,
    ssl: sslFor(k.sslmode),
  };
}

/** The server as errors show it: host:port/dbname, never a password. */
export function serverOf(m: PostgresqlMetadata): string {
  const connection = m.connection?.trim();
  if (connection && /^postgres(ql)?:\/\//.test(connection)) {
    if (!URL.canParse(connection)) return '<connection that is not a URL>';
    const url = new URL(connection);
    return `${url.host}${url.pathname}`;
  }
  const k = connection ? parseKeywords(connection) : { host: m.host, port: m.port, dbname: m.dbName };
  return `${k.host ?? 'localhost'}:${k.port ?? 5432}/${k.dbname ?? ''}`;
}

/** libpq's keyword/value form: `host=h port=5432 password='a b\'c'`, as KEDA writes and reads it. */
export function parseKeywords(text: string): Record<string, string | undefined> {
  const out: Record<string, string> = {};
  const pattern = /\s*([A-Za-z_]+)\s*=\s*(?:'((?:\\.|[^'\\])*)'|(\S*))/gy;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null && match[0] !== '') {
    out[match[1]!] = match[2] !== undefined ? match[2].replace(/\\(.)/g, '$1') : match[3]!;
  }
  return out;
}

/** libpq sslmode to pg's `ssl`: `allow` and `prefer` connect without TLS (pg has no fallback). */
function sslFor(mode: string | undefined): pg.PoolConfig['ssl'] {
  if (mode === 'require') return { rejectUnauthorized: false };
  if (mode === 'verify-ca' || mode === 'verify-full') return { rejectUnauthorized: true };
  return false;
}

/** SQLSTATE classes to what failed: 28 log-in, 3D no such database, 42 the query, 57014 cancelled. */
function kindOf(code: string): ScalerErrorKind {
  if (code.startsWith('28')) return 'auth';
  if (code === '3D000') return 'not-found';
  if (code === '57014') return 'timeout';
  return 'query';
}

/**
 * Runs `query` and reads the first column of its one row as a number; rejects on no row, a value that
 * is not a finite number, an SQL error (a ScalerError of its SQLSTATE's kind), a transport error (as
 * pg gave it), or `signal` (pg cannot cancel a pending query; its answer is dropped).
 */
export async function queryNumber(pool: pg.Pool, query: string, signal: AbortSignal): Promise<number> {
  signal.throwIfAborted();
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => (onAbort = () => reject(signal.reason)));
  signal.addEventListener('abort', onAbort, { once: true });
  const running = pool.query<unknown[]>({ text: query, rowMode: 'array' });
  running.catch(() => {});
  try {
    const result = await Promise.race([running, aborted]);
    const cell = result.rows[0]?.[0];
    if (result.rows.length === 0) throw new ScalerError('the query returned no rows (it must return one row with one number)', 'query');
    const value = typeof cell === 'number' ? cell : typeof cell === 'string' || typeof cell === 'bigint' ? Number(cell) : NaN;
    if (!Number.isFinite(value)) throw new ScalerError(`the query's first column is ${cell === null ? 'NULL' : JSON.stringify(String(cell))}, not a number`, 'bad-response');
    return value;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (error instanceof pg.DatabaseError && typeof code === 'string') throw new ScalerError(`PostgreSQL said: ${error.message} (SQLSTATE ${code})`, kindOf(code));
    if (signal.aborted && error === signal.reason) throw new ScalerError('the read was aborted before PostgreSQL answered', 'timeout');
    throw error;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
