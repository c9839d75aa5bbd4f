import type { ScalerErrorKind } from '@updraft/core';

/**
 * What a successful (2xx) answer of `/api/v1/query` says, read as KEDA reads it
 * (`ExecutePromQuery`): one element is the value; no element, an empty value list, NaN and ±Inf are
 * *empty* (the trigger's `ignoreNullValues` decides what that means); anything else is invalid.
 * `kind` is the ScalerError kind to report when the answer (or, for empty, the policy) is an error.
 */
export type QueryResultReading =
  | { readonly type: 'value'; readonly value: number }
  | { readonly type: 'empty'; readonly reason: string; readonly kind: ScalerErrorKind }
  | { readonly type: 'invalid'; readonly problem: string; readonly kind: ScalerErrorKind };

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const INFINITY = /^[+-]?inf(inity)?$/i;
const NOT_A_NUMBER = /^[+-]?nan$/i;

/** A sample value as Prometheus writes it (`"42"`, `"1.5e3"`, `"NaN"`, `"+Inf"`, `"-Inf"`), as Go's ParseFloat reads it. */
export function parseSampleValue(raw: unknown): number | undefined {
  if (typeof raw !== 'string') return undefined;
  if (INFINITY.test(raw)) return raw.startsWith('-') ? -Infinity : Infinity;
  if (NOT_A_NUMBER.test(raw)) return Number.NaN;
  return DECIMAL.test(raw) ? Number(raw) : undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads the parsed JSON body of a 2xx answer. */
export function readQueryResult(body: unknown): QueryResultReading {
  if (!isObject(body)) return { type: 'invalid', problem: 'the answer is not a JSON object', kind: 'bad-response' };
  if (body['status'] === 'error') {
    return { type: 'invalid', problem: `Prometheus reported an error: ${prometheusError(body) ?? 'no error message'}`, kind: 'query' };
  }
  // KEDA reads a missing `data` or `result` as an empty result (its table: `{}` with ignoreNullValues is 0).
  const data = isObject(body['data']) ? body['data'] : {};
  const resultType = data['resultType'];
  const result = data['result'] ?? [];
  if (resultType === 'matrix') {
    return { type: 'invalid', problem: 'it returned a range vector (matrix); an instant query must return one instant-vector element or a scalar, e.g. sum(rate(x[2m])) rather than x[2m]', kind: 'query' };
  }
  if (resultType === 'string') return { type: 'invalid', problem: 'it returned a string, not a number', kind: 'query' };
  // A scalar's result is the sample itself: [<time>, "<value>"].
  if (resultType === 'scalar') return readSample(result);
  if (!Array.isArray(result)) return { type: 'invalid', problem: `data.result is not a list (resultType ${String(resultType ?? 'missing')})`, kind: 'bad-response' };
  if (result.length === 0) return { type: 'empty', reason: 'the result is empty: no series matched', kind: 'not-found' };
  if (result.length > 1) {
    return { type: 'invalid', problem: `it returned ${result.length} series; it must return a single element (aggregate it, e.g. with sum(), max() or topk(1, ...))`, kind: 'query' };
  }
  const element: unknown = result[0];
  return readSample(isObject(element) ? element['value'] : undefined);
}

function readSample(sample: unknown): QueryResultReading {
  const values = Array.isArray(sample) ? sample : [];
  if (values.length === 0) return { type: 'empty', reason: 'the value list is empty', kind: 'not-found' };
  if (values.length < 2) return { type: 'invalid', problem: `the value list has ${values.length} entry; a sample is [<time>, "<value>"]`, kind: 'bad-response' };
  const value = parseSampleValue(values[1]);
  if (value === undefined) return { type: 'invalid', problem: `the sample value ${JSON.stringify(values[1])} is not a number`, kind: 'bad-response' };
  if (Number.isNaN(value)) return { type: 'empty', reason: 'the value is NaN', kind: 'query' };
  if (!Number.isFinite(value)) return { type: 'empty', reason: `the value is ${value > 0 ? '+Inf' : '-Inf'}`, kind: 'query' };
  return { type: 'value', value };
}

/** Prometheus's own words from an error body: `<errorType>: <error>`. */
export function prometheusError(body: unknown): string | undefined {
  if (!isObject(body)) return undefined;
  const error = typeof body['error'] === 'string' ? body['error'] : undefined;
  const errorType = typeof body['errorType'] === 'string' ? body['errorType'] : undefined;
  if (error && errorType) return `${errorType}: ${error}`;
  return error ?? errorType;
}
