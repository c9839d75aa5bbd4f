import { describe, expect, it } from 'vitest';
import {
  coerceBoolean,
  coerceDuration,
  coerceInteger,
  coerceList,
  coerceMap,
  coerceNumber,
  coerceUrl,
  patterns,
  type Coerced,
} from './coerce.js';

// Tables in the style of KEDA's pkg/scalers/scalersconfig/typed_config_test.go: raw string in,
// value or error out. KEDA reads ints and floats with json.Unmarshal, bools with strconv.ParseBool,
// durations as a Go duration or whole milliseconds (see reference/keda-behaviour.md §1.5).

function valueOf<T>(result: Coerced<T>): T {
  if (!result.ok) throw new Error(`expected a value, got the error: ${result.message}`);
  return result.value;
}

function messageOf(result: Coerced<unknown>): string {
  if (result.ok) throw new Error(`expected an error, got the value ${JSON.stringify(result.value)}`);
  return result.message;
}

describe('coerceNumber: JSON number syntax only, as json.Unmarshal into float64', () => {
  it.each([
    { raw: '1', value: 1 },
    { raw: '1.5', value: 1.5 },
    { raw: '-2', value: -2 },
    { raw: '0', value: 0 },
    { raw: '0.25', value: 0.25 },
    { raw: '1e3', value: 1000 },
    { raw: '1E3', value: 1000 },
    { raw: '1e+3', value: 1000 },
    { raw: '2.5e-3', value: 0.0025 },
  ])('$raw → $value', ({ raw, value }) => {
    expect(valueOf(coerceNumber(raw))).toBe(value);
  });

  it.each([
    { raw: 'ten', why: 'a word (KEDA: threshold: one fails)' },
    { raw: '+1', why: 'a leading +' },
    { raw: '.5', why: 'no digit before the point' },
    { raw: '1.', why: 'no digit after the point' },
    { raw: '0x10', why: 'hexadecimal' },
    { raw: '1,5', why: 'a decimal comma' },
    { raw: '01', why: 'a leading zero' },
    { raw: '', why: 'the empty string' },
    { raw: ' 1', why: 'a space (values are trimmed before coercion, not here)' },
    { raw: 'NaN', why: 'NaN' },
    { raw: 'Infinity', why: 'Infinity' },
    { raw: '1_000', why: 'digit separators' },
  ])('$raw is rejected: $why', ({ raw }) => {
    expect(messageOf(coerceNumber(raw))).toBe(`must be a number, got ${JSON.stringify(raw)}`);
  });

  it('a JSON number too large for a double is rejected, not read as Infinity', () => {
    expect(messageOf(coerceNumber('1e400'))).toBe('must be a finite number, got "1e400"');
  });
});

describe('coerceInteger: JSON integer syntax, safe integers only', () => {
  it.each([
    { raw: '0', value: 0 },
    { raw: '1', value: 1 },
    { raw: '-2', value: -2 },
    { raw: '9007199254740991', value: Number.MAX_SAFE_INTEGER },
  ])('$raw → $value', ({ raw, value }) => {
    expect(valueOf(coerceInteger(raw))).toBe(value);
  });

  it.each(['1.0', '1.5', '1e3', 'ten', '+1', '01', ''])('%j is rejected', (raw) => {
    expect(messageOf(coerceInteger(raw))).toBe(`must be an integer, got ${JSON.stringify(raw)}`);
  });

  it('an integer beyond 2^53 is rejected rather than silently rounded', () => {
    expect(messageOf(coerceInteger('9007199254740993'))).toMatch(/^must be an integer between -9007199254740991 and 9007199254740991/);
  });
});

describe('coerceBoolean: exactly the strings strconv.ParseBool accepts', () => {
  it.each(['1', 't', 'T', 'TRUE', 'true', 'True'])('%j → true', (raw) => {
    expect(valueOf(coerceBoolean(raw))).toBe(true);
  });

  it.each(['0', 'f', 'F', 'FALSE', 'false', 'False'])('%j → false', (raw) => {
    expect(valueOf(coerceBoolean(raw))).toBe(false);
  });

  it.each(['yes', 'no', 'on', 'off', 'TrUe', 'fAlse', '2', 'y', ''])('%j is rejected', (raw) => {
    expect(messageOf(coerceBoolean(raw))).toBe(`must be true or false, got ${JSON.stringify(raw)}`);
  });
});

describe('coerceDuration: a Go duration string or whole milliseconds, in milliseconds, never negative', () => {
  it.each([
    // KEDA TestDurationParsing
    { raw: '1000', ms: 1000 },
    { raw: '30s', ms: 30_000 },
    { raw: '0', ms: 0 },
    // Go's time.ParseDuration forms
    { raw: '1m30s', ms: 90_000 },
    { raw: '1.5h', ms: 5_400_000 },
    { raw: '300ms', ms: 300 },
    { raw: '1h2m3s4ms', ms: 3_723_004 },
    { raw: '1.5m', ms: 90_000 },
    { raw: '.5s', ms: 500 },
    { raw: '1.s', ms: 1000 },
    { raw: '0s', ms: 0 },
    { raw: '+1s', ms: 1000 },
    { raw: '1500us', ms: 1.5 },
    { raw: '1500µs', ms: 1.5 },
    { raw: '2000000ns', ms: 2 },
  ])('$raw → $ms ms', ({ raw, ms }) => {
    expect(valueOf(coerceDuration(raw))).toBe(ms);
  });

  it.each(['-1', '-1000', '-1s', '-1m30s', '-0.5h'])('%j is rejected as negative (KEDA rejects negative durations)', (raw) => {
    expect(messageOf(coerceDuration(raw))).toBe(`must not be negative, got ${JSON.stringify(raw)}`);
  });

  it.each([
    { raw: 'a', why: 'KEDA prometheus timeout "a"' },
    { raw: 'abc', why: 'a word' },
    { raw: '1.5', why: 'a fractional number without a unit' },
    { raw: '1e3', why: 'an exponent' },
    { raw: '1d', why: 'days are not a Go unit' },
    { raw: '5 s', why: 'a space inside' },
    { raw: 's', why: 'a unit without a number' },
    { raw: '.s', why: 'a point without digits' },
    { raw: '1mss', why: 'a second unit without a number' },
    { raw: '1h-1m', why: 'a sign inside' },
    { raw: '', why: 'the empty string' },
  ])('$raw is rejected: $why', ({ raw }) => {
    expect(messageOf(coerceDuration(raw))).toBe(
      `must be a duration such as "5s" or "1m30s", or a whole number of milliseconds, got ${JSON.stringify(raw)}`,
    );
  });
});

describe('coerceMap: k1=v1,k2=v2 with exactly one = per pair', () => {
  it.each([
    { raw: 'key1=1,key2=2', separator: ',', map: { key1: '1', key2: '2' } }, // KEDA TestMap
    { raw: 'k1=v1,k2=v2', separator: ',', map: { k1: 'v1', k2: 'v2' } },
    { raw: ' k1 = v1 ,  k2=v2 ', separator: ',', map: { k1: 'v1', k2: 'v2' } },
    { raw: 'X-Scope-OrgID=tenant', separator: ',', map: { 'X-Scope-OrgID': 'tenant' } },
    { raw: 'k1=v1;k2=a,b', separator: ';', map: { k1: 'v1', k2: 'a,b' } },
    { raw: 'k=', separator: ',', map: { k: '' } },
  ])('$raw (separator $separator)', ({ raw, separator, map }) => {
    expect(valueOf(coerceMap(raw, separator))).toEqual(map);
  });

  it('a later pair overrides an earlier one with the same key', () => {
    expect(valueOf(coerceMap('a=1,a=2', ','))).toEqual({ a: '2' });
  });

  it('empty pairs are skipped (KEDA would report `expected format key=value, got ""`)', () => {
    expect(valueOf(coerceMap('k=v,', ','))).toEqual({ k: 'v' });
  });

  it.each([
    { raw: 'key1=value1,key2', separator: ',', bad: 'key2' }, // KEDA prometheus customHeaders case
    { raw: 'a=b=c', separator: ',', bad: 'a=b=c' },
    { raw: '=v', separator: ',', bad: '=v' },
    { raw: 'k1=v1,k2=v2', separator: ';', bad: 'k1=v1,k2=v2' },
  ])('$raw is rejected, quoting the bad pair', ({ raw, separator, bad }) => {
    expect(messageOf(coerceMap(raw, separator))).toBe(`must be key=value pairs separated by "${separator}", got ${JSON.stringify(bad)}`);
  });
});

describe('coerceList: split on the separator, elements trimmed', () => {
  it.each([
    { raw: '1,2,3', separator: ',', list: ['1', '2', '3'] }, // KEDA TestSlice
    { raw: '1, 2, 3', separator: ',', list: ['1', '2', '3'] },
    { raw: '1;2;3', separator: ';', list: ['1', '2', '3'] },
    { raw: 'a,b;c', separator: ';', list: ['a,b', 'c'] },
    { raw: 'single', separator: ',', list: ['single'] },
  ])('$raw (separator $separator) → $list', ({ raw, separator, list }) => {
    expect(coerceList(raw, separator)).toEqual(list);
  });

  it('empty elements are dropped (KEDA keeps them as "")', () => {
    expect(coerceList('a,,b, ,', ',')).toEqual(['a', 'b']);
  });
});

describe('coerceUrl: absolute http or https URLs, returned as written', () => {
  it.each(['http://prometheus:9090', 'https://example.com/api/prom', 'http://127.0.0.1:9090/', 'https://user@host/path?q=1'])('%j is accepted', (raw) => {
    expect(valueOf(coerceUrl(raw))).toBe(raw);
  });

  it.each([
    { raw: 'prometheus', message: 'must be an absolute http:// or https:// URL, got "prometheus"' },
    { raw: '/api/v1', message: 'must be an absolute http:// or https:// URL, got "/api/v1"' },
    { raw: 'http://', message: 'must be an absolute http:// or https:// URL, got "http://"' },
    { raw: '', message: 'must be an absolute http:// or https:// URL, got ""' },
    { raw: 'ftp://host/file', message: 'must be an http:// or https:// URL, got "ftp://host/file"' },
    { raw: 'prometheus:9090', message: 'must be an http:// or https:// URL, got "prometheus:9090"' },
  ])('$raw is rejected', ({ raw, message }) => {
    expect(messageOf(coerceUrl(raw))).toBe(message);
  });
});

// The JSON Schema uses these patterns; they must agree with the coercions on every case above.
describe('the schema patterns accept exactly what the coercions accept', () => {
  const cases = {
    number: { coerce: coerceNumber, raws: ['1', '1.5', '-2', '1e3', '1E+3', 'ten', '+1', '.5', '1.', '0x10', '1,5', '01', ''] },
    integer: { coerce: coerceInteger, raws: ['0', '1', '-2', '1.0', '1e3', '+1', '01', ''] },
    boolean: { coerce: coerceBoolean, raws: ['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False', 'yes', 'TrUe', ''] },
    duration: { coerce: coerceDuration, raws: ['1000', '0', '30s', '1m30s', '1.5h', '300ms', '.5s', '1500µs', '-1', '-1s', 'abc', '1.5', '1e3', '1d', ''] },
  } as const;

  for (const [kind, { coerce, raws }] of Object.entries(cases)) {
    it.each(raws)(`${kind}: %j`, (raw) => {
      expect(new RegExp(patterns[kind as keyof typeof cases], 'u').test(raw)).toBe((coerce as (raw: string) => Coerced<unknown>)(raw).ok);
    });
  }
});
