import { describe, expect, it } from 'vitest';
import { QuantityError, formatMilli, formatQuantity, milliValue, parseQuantity, toMilli } from './quantity.js';

// Vectors from reference/kubernetes-external-metrics.md §2 and apimachinery's
// pkg/api/resource/quantity_test.go (TestQuantityString, TestQuantityParse, TestMilliNewSet).

describe('formatQuantity: canonical DecimalSI at milli precision', () => {
  // reference/kubernetes-external-metrics.md §2.2, every row
  it.each([
    { value: 0, text: '0' },
    { value: 0.001, text: '1m' },
    { value: 0.1, text: '100m' },
    { value: 0.5, text: '500m' },
    { value: 1, text: '1' },
    { value: 1.2, text: '1200m' },
    { value: 1.5, text: '1500m' },
    { value: 1.08, text: '1080m' },
    { value: 123.456, text: '123456m' },
    { value: 30, text: '30' },
    { value: 1500, text: '1500' },
    { value: 2000, text: '2k' },
    { value: 10000, text: '10k' },
    { value: 120000, text: '120k' },
    { value: 1234567, text: '1234567' },
    { value: 1e9, text: '1G' },
    { value: 5e9, text: '5G' },
    { value: 9.5e15, text: '9500T' },
    { value: -0.5, text: '-500m' },
  ])('$value → $text', ({ value, text }) => {
    expect(formatQuantity(value)).toBe(text);
  });

  // apimachinery TestQuantityString, the DecimalSI cases a milli-precision value can express, and
  // their negations ("Don't expect it to print -0 ever").
  it.each([
    { value: 1.08, text: '1080m' },
    { value: 0.08, text: '80m' },
    { value: 3000, text: '3k' },
    { value: 1e9, text: '1G' },
    { value: 300e6, text: '300M' },
    { value: 1234567e6, text: '1234567M' },
    { value: 1e12, text: '1T' },
    { value: 1e18, text: '1E' },
    { value: 5, text: '5' },
    { value: 1025, text: '1025' },
    { value: 1e21, text: '1e21' },
    { value: 5e21, text: '5e21' },
  ])('TestQuantityString: $value → $text, and the negation', ({ value, text }) => {
    expect(formatQuantity(value)).toBe(text);
    expect(formatQuantity(-value)).toBe(`-${text}`);
  });

  it('TestQuantityString: "1n" and "1u" are below milli precision, so they are emitted as 0, never "-0"', () => {
    expect(formatQuantity(1e-9)).toBe('0');
    expect(formatQuantity(1e-6)).toBe('0');
    expect(formatQuantity(-1e-6)).toBe('0');
    expect(formatQuantity(-0)).toBe('0');
  });

  // TestQuantityString "alternate" inputs and TestQuantityParseEmit: any spelling of a value comes
  // back out in the canonical form.
  it.each([
    { input: '1000M', text: '1G' },
    { input: '0.001T', text: '1G' },
    { input: '1000u', text: '1m' },
    { input: '1.08', text: '1080m' },
    { input: '1080000000n', text: '1080m' },
    { input: '5000m', text: '5' },
    { input: '0.5', text: '500m' },
    { input: '1000E', text: '1e21' },
    { input: '5000E', text: '5e21' },
    { input: '.001Ki', text: '1024m' },
    { input: '1.500', text: '1500m' }, // kubernetes#138165: Go keeps "1.500" verbatim; we emit the canonical form
    { input: '0.500', text: '500m' },
    { input: '2.000', text: '2' },
  ])('parse($input) then format → $text', ({ input, text }) => {
    expect(formatQuantity(parseQuantity(input))).toBe(text);
  });

  describe('milli rounding: toFixed(3), i.e. to the nearest milli of the exact binary value', () => {
    it.each([
      { value: 0.0004, text: '0', why: '0.0004 is below half a milli' },
      { value: 0.0005, text: '1m', why: 'the double nearest 0.0005 is 0.000500000000000000010…, above half' },
      { value: -0.0005, text: '-1m', why: 'the same, negated' },
      { value: -0.0004, text: '0', why: 'rounds to zero, and zero has no sign' },
      { value: 0.0015, text: '2m', why: 'the double is 0.001500000000000000031…, above half' },
      { value: 1.0005, text: '1', why: 'the double nearest 1.0005 is 1.000499999999999944…, below half' },
      { value: 1.0015, text: '1002m', why: 'the double is 1.001500000000000056…, above half' },
      { value: 123.4565, text: '123457m', why: 'the double is 123.456500000000005…, above half' },
      { value: 0.1 + 0.2, text: '300m', why: 'float noise far below a milli disappears' },
    ])('$value → $text: $why (same as KEDA %.3f)', ({ value, text }) => {
      expect(formatQuantity(value)).toBe(text);
    });

    // Exact binary ties (odd multiples of 1/16) are the only values where toFixed and Go's %.3f
    // differ: toFixed rounds them away from zero, Go (and so KEDA) to even.
    it.each([
      { value: 0.0625, text: '62m' },
      { value: 0.3125, text: '312m' },
      { value: -0.0625, text: '-62m' },
      { value: 0.1875, text: '188m' }, // 187.5 → 188: 8 is even
      { value: 2.5625, text: '2562m' },
    ])('exact tie $value → $text: ties round to even, as Go %.3f does', ({ value, text }) => {
      expect(formatQuantity(value)).toBe(text);
    });
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('%s is refused, not served as a number', (value) => {
    expect(() => formatQuantity(value)).toThrow(QuantityError);
    expect(() => formatQuantity(value)).toThrow(`a metric value must be a finite number, got ${value}`);
  });
});

describe('toMilli: an exact whole count of thousandths', () => {
  it.each([
    { value: 0, milli: 0n },
    { value: 1.5, milli: 1500n },
    { value: -0.5, milli: -500n },
    { value: 0.1 + 0.2, milli: 300n },
    { value: 9.5e15, milli: 9_500_000_000_000_000_000n },
    { value: 1e21, milli: 10n ** 24n },
    { value: 2 ** 80, milli: 2n ** 80n * 1000n },
  ])('$value → $milli', ({ value, milli }) => {
    expect(toMilli(value)).toBe(milli);
  });
});

describe('formatMilli: apimachinery int64Amount.AsCanonicalBytes of milli / 1000', () => {
  it.each([
    // TestMilliNewSet (DecimalSI)
    { milli: 1n, text: '1m' },
    { milli: 1000n, text: '1' },
    { milli: 1234000n, text: '1234' },
    // suffixes and exponents that are not multiples of 3
    { milli: 0n, text: '0' },
    { milli: -1n, text: '-1m' },
    { milli: 10n, text: '10m' },
    { milli: 1500n, text: '1500m' },
    { milli: 1_500_000n, text: '1500' },
    { milli: 2_000_000n, text: '2k' },
    { milli: -2_000_000n, text: '-2k' },
    { milli: 20_000_000n, text: '20k' },
    { milli: 200_000_000n, text: '200k' },
    { milli: 10n ** 21n, text: '1E' },
    { milli: 12n * 10n ** 21n, text: '12E' },
    // TestQuantityString: beyond E, the exponent form (kubernetes#140459)
    { milli: 10n ** 24n, text: '1e21' },
    { milli: 5n * 10n ** 24n, text: '5e21' },
    { milli: 10n ** 27n, text: '1e24' },
    { milli: -(10n ** 27n), text: '-1e24' },
  ])('$milli → $text', ({ milli, text }) => {
    expect(formatMilli(milli)).toBe(text);
  });

  it.each([1n, 1000n, 1234000n, 1500n, 999n, 10n ** 15n])('TestMilliNewSet: milliValue(formatMilli(%s)) round-trips', (milli) => {
    expect(milliValue(formatMilli(milli))).toBe(Number(milli));
  });
});

describe('parseQuantity: every valid form', () => {
  // apimachinery TestQuantityParse, with the value as a number
  const valid: { input: string; value: number }[] = [
    ...['0', '0n', '0u', '0m', '0Ki', '0k', '0Mi', '0M', '0Gi', '0G', '0Ti', '0T'].map((input) => ({ input, value: 0 })),
    { input: '1', value: 1 },
    // binary suffixes
    { input: '1Ki', value: 1024 },
    { input: '8Ki', value: 8 * 1024 },
    { input: '7Mi', value: 7 * 2 ** 20 },
    { input: '6Gi', value: 6 * 2 ** 30 },
    { input: '5Ti', value: 5 * 2 ** 40 },
    { input: '4Pi', value: 4 * 2 ** 50 },
    { input: '3Ei', value: 3 * 2 ** 60 },
    { input: '10Ti', value: 10 * 2 ** 40 },
    { input: '100Ti', value: 100 * 2 ** 40 },
    // decimal suffixes
    { input: '5n', value: 5e-9 },
    { input: '4u', value: 4e-6 },
    { input: '3m', value: 0.003 },
    { input: '9', value: 9 },
    { input: '8k', value: 8000 },
    { input: '50k', value: 50_000 },
    { input: '7M', value: 7e6 },
    { input: '6G', value: 6e9 },
    { input: '5T', value: 5e12 },
    { input: '40T', value: 40e12 },
    { input: '300T', value: 300e12 },
    { input: '2P', value: 2e15 },
    { input: '1E', value: 1e18 },
    { input: '12E', value: 12e18 },
    // decimal exponents (E followed by digits is an exponent, E alone is exa)
    { input: '1E-3', value: 0.001 },
    { input: '1e3', value: 1000 },
    { input: '1E6', value: 1e6 },
    { input: '1e9', value: 1e9 },
    { input: '1E12', value: 1e12 },
    { input: '1e15', value: 1e15 },
    { input: '1E18', value: 1e18 },
    { input: '1e14', value: 1e14 },
    { input: '1e13', value: 1e13 },
    { input: '1e+3', value: 1000 },
    { input: '100.035k', value: 100_035 },
    // things that look like floating point
    { input: '0.001', value: 0.001 },
    { input: '0.0005k', value: 0.5 },
    { input: '0.005', value: 0.005 },
    { input: '0.05', value: 0.05 },
    { input: '0.5', value: 0.5 },
    { input: '0.00050k', value: 0.5 },
    { input: '0.00500', value: 0.005 },
    { input: '0.05000', value: 0.05 },
    { input: '0.50000', value: 0.5 },
    { input: '0.5e0', value: 0.5 },
    { input: '0.5e-1', value: 0.05 },
    { input: '0.5e-2', value: 0.005 },
    { input: '10.035M', value: 10_035_000 },
    { input: '1.2e3', value: 1200 },
    { input: '1.3E+6', value: 1.3e6 },
    { input: '1.40e9', value: 1.4e9 },
    { input: '1.53E12', value: 1.53e12 },
    { input: '1.6e15', value: 1.6e15 },
    { input: '1.7E18', value: 1.7e18 },
    { input: '9.01', value: 9.01 },
    { input: '8.1k', value: 8100 },
    { input: '7.123456M', value: 7_123_456 },
    { input: '6.987654321G', value: 6_987_654_321 },
    { input: '5.444T', value: 5.444e12 },
    { input: '40.1T', value: 40.1e12 },
    { input: '300.2T', value: 300.2e12 },
    { input: '2.5P', value: 2.5e15 },
    { input: '1.01E', value: 1.01e18 },
    // fractional binary
    { input: '0.5Mi', value: 0.5 * 2 ** 20 },
    { input: '100.035Ki', value: 100.035 * 1024 },
    { input: '0.05Gi', value: 0.05 * 2 ** 30 },
    { input: '0.025Ti', value: 0.025 * 2 ** 40 },
    // "things written by trolls"
    { input: '.001', value: 0.001 },
    { input: '.0001k', value: 0.1 },
    { input: '1.', value: 1 },
    { input: '1.G', value: 1e9 },
    // non-canonical spellings (reference §2.4)
    { input: '1.500', value: 1.5 },
    { input: '1500m', value: 1.5 },
  ];

  it.each(valid)('$input → $value', ({ input, value }) => {
    expect(parseQuantity(input)).toBe(value);
  });

  // TestQuantityParse "Try the negative version of everything" and "with an explicit +"
  it.each(valid)('-$input and +$input', ({ input, value }) => {
    expect(parseQuantity(`-${input}`)).toBe(-value);
    expect(parseQuantity(`+${input}`)).toBe(value);
  });

  it('scales decimal suffixes exactly, without binary float drift', () => {
    expect(parseQuantity('1500m')).toBe(1.5);
    expect(parseQuantity('100m')).toBe(0.1);
    expect(parseQuantity('123456m')).toBe(123.456);
    expect(parseQuantity('7338891n')).toBe(0.007338891);
  });

  it('does not round to nano on parse as Go does ("3.001n" is 4n in Go), which milliValue never sees', () => {
    expect(parseQuantity('3.001n')).toBe(3.001e-9);
    expect(milliValue('3.001n')).toBe(1);
  });

  it('trims surrounding whitespace, as UnmarshalJSON does (Go ParseQuantity itself rejects " 1" and "1 ")', () => {
    expect(parseQuantity(' 1')).toBe(1);
    expect(parseQuantity('1500m ')).toBe(1.5);
  });

  it.each([
    // apimachinery TestQuantityParse invalid list
    '1.1.M',
    '1+1.0M',
    '0.1mi',
    '0.1am',
    'aoeu',
    '.5i',
    '1i',
    '-3.01i',
    '-3.01e-',
    // and more
    '1.2.3',
    '1kb',
    '',
    ' ',
    'm',
    'Ki',
    '1K', // k is lower case only
    '1ki',
    '1e',
    '1e+',
    '1 m',
    '++1',
    '--1',
    '+-1',
    '1e3k',
    '1mm',
    '0x10',
    'NaN',
    'Infinity',
  ])('%j is not a quantity', (input) => {
    expect(() => parseQuantity(input)).toThrow(QuantityError);
    expect(() => parseQuantity(input)).toThrow(`${JSON.stringify(input)} is not a Kubernetes quantity`);
  });
});

describe('milliValue: what the HPA reads, MilliValue(), a fraction of a milli rounded away from zero', () => {
  it.each([
    { input: '100u', milli: 1 },
    { input: '1n', milli: 1 },
    { input: '1001u', milli: 2 },
    { input: '0', milli: 0 },
    { input: '1', milli: 1000 },
    { input: '1500m', milli: 1500 },
    { input: '1.5', milli: 1500 },
    { input: '1.500', milli: 1500 },
    { input: '9.01', milli: 9010 }, // TestQuantityRoundUp at scale -3
    { input: '1.001', milli: 1001 }, // 1.001 * 1000 is 1000.9999999999999 in doubles
    { input: '2.3', milli: 2300 }, // 2.3 * 1000 is 2300.0000000000005 in doubles
    { input: '0.1', milli: 100 },
    { input: '2k', milli: 2_000_000 },
    { input: '1Ki', milli: 1_024_000 },
    { input: '.001Ki', milli: 1024 },
    { input: '100.035Ki', milli: 102_435_840 },
    { input: '1e-3', milli: 1 },
    { input: '9500T', milli: 9.5e18 },
    // negatives round away from zero too (apimachinery negativeScaleInt64), never to -0
    { input: '-100u', milli: -1 },
    { input: '-1n', milli: -1 },
    { input: '-1.5', milli: -1500 },
    { input: '-9.01', milli: -9010 },
    { input: '-0', milli: 0 },
  ])('$input → $milli', ({ input, milli }) => {
    expect(milliValue(input)).toBe(milli);
  });

  it('refuses what is not a quantity', () => {
    expect(() => milliValue('ten')).toThrow(QuantityError);
  });
});
