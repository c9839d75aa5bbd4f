import pino from 'pino';

/** The adapter's logger: pino. The engine's Logger interface is a subset of it. */
export type AdapterLogger = pino.Logger;
export const AdapterLogger = Symbol.for('updraft.adapter.AdapterLogger');

import { LOG_FORMATS, LOG_LEVELS } from './serve-options.js';
export { LOG_FORMATS, LOG_LEVELS };
export type LogLevel = (typeof LOG_LEVELS)[number];
/** `auto`: JSON, unless stdout is a terminal. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * Paths whose values never reach a log line: credentials in headers, tokens, passwords, TLS keys,
 * and trigger auth parameters, at the top level and up to three levels deep.
 */
const SECRET_KEYS = [
  'authorization',
  'Authorization',
  'cookie',
  'token',
  'bearerToken',
  'password',
  'secret',
  'clientSecret',
  'keyPem',
  'tlsKey',
  'apiKey',
  'authParams',
  'resolvedEnv',
];

export const REDACTED_PATHS: readonly string[] = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]);

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format?: LogFormat;
  /** Where lines go; default stdout. */
  readonly destination?: pino.DestinationStream;
  /** For `auto`: whether the destination is a terminal. Default: process.stdout.isTTY. */
  readonly isTTY?: boolean;
}

/** JSON lines by default; on a terminal (or with format `pretty`), pino-pretty when installed, else a small formatter. */
export async function createLogger(options: LoggerOptions): Promise<AdapterLogger> {
  const pretty = options.format === 'pretty' || (options.format !== 'json' && (options.isTTY ?? process.stdout.isTTY === true));
  const base: pino.LoggerOptions = {
    level: options.level,
    base: { name: 'updraft' },
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (!pretty) return pino(base, options.destination ?? pino.destination({ dest: 1, sync: true }));
  const out = options.destination ?? process.stdout;
  return pino(base, (await prettyStream(out)) ?? new ReadableLines(out));
}

/** pino-pretty, if it is installed (it is optional: `npm install pino-pretty` for its colours). */
async function prettyStream(out: pino.DestinationStream): Promise<pino.DestinationStream | undefined> {
  const name = 'pino-pretty';
  try {
    const module = (await import(name)) as { default: (options: object) => pino.DestinationStream };
    return module.default({ colorize: process.stdout.isTTY === true, destination: out, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,name', sync: true });
  } catch {
    return undefined;
  }
}

const LEVEL_NAMES: Record<string, string> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO ', warn: 'WARN ', error: 'ERROR', fatal: 'FATAL' };
const OMITTED = new Set(['level', 'time', 'msg', 'name', 'pid', 'hostname']);

/** One readable line per JSON log line: `12:00:01.234 INFO  message key=value ...`. */
export class ReadableLines implements pino.DestinationStream {
  constructor(private readonly out: pino.DestinationStream) {}

  write(line: string): void {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.out.write(line);
      return;
    }
    const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
    const level = LEVEL_NAMES[String(entry.level)] ?? String(entry.level).toUpperCase();
    const fields = Object.entries(entry)
      .filter(([key]) => !OMITTED.has(key))
      .map(([key, value]) => `${key}=${typeof value === 'string' ? (/[\s"=]/.test(value) ? JSON.stringify(value) : value) : JSON.stringify(value)}`);
    this.out.write(`${[time, level, entry.msg ?? '', ...fields].filter((part) => part !== '').join(' ')}\n`);
  }
}
