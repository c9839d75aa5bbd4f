/**
 * Coercion of one raw metadata string into a typed value, with KEDA's rules
 * (pkg/scalers/scalersconfig/typed_config.go). Every function returns a value or a message that
 * completes the sentence "<parameter>: ...".
 */
export type Coerced<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Coerced<T> => ({ ok: true, value });
const fail = (message: string): Coerced<never> => ({ ok: false, message });

// KEDA parses numbers with json.Unmarshal, so only JSON number syntax is accepted.
const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;
const JSON_INTEGER = /^-?(0|[1-9]\d*)$/;
// strconv.ParseBool
const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);
// time.ParseDuration units, in nanoseconds, and its grammar: a sign, then number-unit pairs.
const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const DURATION_PART_SOURCE = '(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)';
const GO_DURATION = new RegExp(`^([-+]?)((?:${DURATION_PART_SOURCE})+)$`, 'u');
const DURATION_PART = new RegExp(DURATION_PART_SOURCE, 'gu');

export const patterns = {
  number: JSON_NUMBER.source,
  integer: JSON_INTEGER.source,
  boolean: '^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$',
  // whole milliseconds, or a Go duration that is not negative
  duration: `^(\\d+|\\+?(${DURATION_PART_SOURCE})+|-(0+(\\.0*)?|\\.0+)(ns|us|µs|μs|ms|s|m|h))$`,
};

export function coerceNumber(raw: string): Coerced<number> {
  if (!JSON_NUMBER.test(raw)) return fail(`must be a number, got ${quote(raw)}`);
  const value = Number(raw);
  return Number.isFinite(value) ? ok(value) : fail(`must be a finite number, got ${quote(raw)}`);
}

export function coerceInteger(raw: string): Coerced<number> {
  if (!JSON_INTEGER.test(raw)) return fail(`must be an integer, got ${quote(raw)}`);
  const value = Number(raw);
  return Number.isSafeInteger(value) ? ok(value) : fail(`must be an integer between ${Number.MIN_SAFE_INTEGER} and ${Number.MAX_SAFE_INTEGER}, got ${quote(raw)}`);
}

export function coerceBoolean(raw: string): Coerced<boolean> {
  if (TRUE.has(raw)) return ok(true);
  if (FALSE.has(raw)) return ok(false);
  return fail(`must be true or false, got ${quote(raw)}`);
}

/** A Go duration ("30s", "1m30s", "1.5h") or an integer number of milliseconds; the result is in milliseconds. */
export function coerceDuration(raw: string): Coerced<number> {
  const expected = `must be a duration such as "5s" or "1m30s", or a whole number of milliseconds, got ${quote(raw)}`;
  if (JSON_INTEGER.test(raw)) {
    const ms = Number(raw);
    return ms < 0 ? fail(`must not be negative, got ${quote(raw)}`) : ok(ms);
  }
  const match = GO_DURATION.exec(raw);
  if (!match) return fail(expected);
  let ns = 0;
  for (const [, digits, unit] of match[2]!.matchAll(DURATION_PART)) ns += Number(digits) * DURATION_UNITS[unit!]!;
  if (match[1] === '-' && ns !== 0) return fail(`must not be negative, got ${quote(raw)}`);
  return ok(ns / 1e6);
}

/** `k1=v1,k2=v2`: exactly one `=` in each pair, keys and values trimmed. */
export function coerceMap(raw: string, separator: string): Coerced<Record<string, string>> {
  const map: Record<string, string> = {};
  for (const pair of raw.split(separator)) {
    if (pair.trim() === '') continue;
    const parts = pair.split('=');
    if (parts.length !== 2 || parts[0]!.trim() === '') {
      return fail(`must be key=value pairs separated by "${separator}", got ${quote(pair.trim())}`);
    }
    map[parts[0]!.trim()] = parts[1]!.trim();
  }
  return ok(map);
}

export function coerceList(raw: string, separator: string): string[] {
  return raw
    .split(separator)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function coerceUrl(raw: string): Coerced<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(`must be an absolute http:// or https:// URL, got ${quote(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return fail(`must be an http:// or https:// URL, got ${quote(raw)}`);
  }
  return ok(raw);
}

export function quote(value: string): string {
  return JSON.stringify(value);
}
