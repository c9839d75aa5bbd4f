import { describe, expect, it } from 'vitest';
import { parseSampleValue, prometheusError, readQueryResult } from './query-result.js';

// Prometheus writes sample values with Go's strconv.FormatFloat; KEDA reads them with ParseFloat.
describe('parseSampleValue', () => {
  it.each([
    { raw: '42', value: 42 },
    { raw: '-2.5', value: -2.5 },
    { raw: '1e3', value: 1000 },
    { raw: '1.5E-3', value: 0.0015 },
    { raw: '.5', value: 0.5 },
    { raw: '5.', value: 5 },
    { raw: '+Inf', value: Infinity },
    { raw: 'Inf', value: Infinity },
    { raw: '-Inf', value: -Infinity },
    { raw: 'infinity', value: Infinity },
    { raw: 'NaN', value: NaN },
  ])('$raw → $value', ({ raw, value }) => {
    expect(parseSampleValue(raw)).toBe(value);
  });

  it.each(['', ' 1', '1 ', '0x10', '1_000', 'one', '--1'])('%j is not a number', (raw) => {
    expect(parseSampleValue(raw)).toBeUndefined();
  });

  it.each([42, null, undefined, true])('a non-string %j is not a sample value', (raw) => {
    expect(parseSampleValue(raw)).toBeUndefined();
  });
});

describe('readQueryResult', () => {
  it('a string result is not a number', () => {
    expect(readQueryResult({ status: 'success', data: { resultType: 'string', result: [1, 'hello'] } })).toMatchObject({ type: 'invalid', kind: 'query' });
  });

  it('status error in a 2xx answer is an error with Prometheus words', () => {
    expect(readQueryResult({ status: 'error', errorType: 'bad_data', error: 'nope' })).toEqual({ type: 'invalid', problem: 'Prometheus reported an error: bad_data: nope', kind: 'query' });
  });

  it.each([[[]], ['text'], [null], [7]])('a body that is not an object (%j) is a bad response', (body) => {
    expect(readQueryResult(body)).toMatchObject({ type: 'invalid', kind: 'bad-response' });
  });

  it('a vector result that is not a list is a bad response', () => {
    expect(readQueryResult({ data: { resultType: 'vector', result: {} } })).toMatchObject({ type: 'invalid', kind: 'bad-response' });
  });

  it('an empty scalar sample is empty, as an empty value list', () => {
    expect(readQueryResult({ data: { resultType: 'scalar', result: [] } })).toMatchObject({ type: 'empty', reason: 'the value list is empty' });
  });
});

describe('prometheusError', () => {
  it.each([
    { body: { errorType: 'bad_data', error: 'x' }, text: 'bad_data: x' },
    { body: { error: 'x' }, text: 'x' },
    { body: { errorType: 'timeout' }, text: 'timeout' },
    { body: {}, text: undefined },
    { body: 'x', text: undefined },
  ])('$body → $text', ({ body, text }) => {
    expect(prometheusError(body)).toBe(text);
  });
});
