/**
 * Kubernetes `resource.Quantity` strings (apimachinery pkg/api/resource): the canonical DecimalSI
 * form that the HPA reads, at milli precision, and a parser for every valid form.
 */

const DECIMAL_SUFFIX: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const DECIMAL_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_POWER: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE]?)$/;

export class QuantityError extends Error {
  override readonly name = 'QuantityError';
}

/**
 * Formats a metric value as a canonical Quantity: rounded to milli precision exactly as KEDA's
 * `%.3f` does (to nearest, ties to even), then no fractional digits and the largest exponent that is a multiple of 3:
 * 0.5 → "500m", 1.5 → "1500m", 1500 → "1500", 2000 → "2k". NaN and infinities are refused.
 */
export function formatQuantity(value: number): string {
  if (!Number.isFinite(value)) throw new QuantityError(`a metric value must be a finite number, got ${value}`);
  return formatMilli(toMilli(value));
}

/** Rounds a finite number to a whole count of thousandths, exactly (no binary float drift). */
export function toMilli(value: number): bigint {
  if (Math.abs(value) >= 1e21) {
    // toFixed switches to exponent notation here; the value is an integer in binary anyway.
    return BigInt(Math.round(value)) * 1000n;
  }
  // The only exact ties a double can hold are odd multiples of 1/16; Go's %.3f rounds those to
  // even, where toFixed would round them away from zero.
  if (Number.isInteger(value * 16) && !Number.isInteger(value * 8) && Math.abs(value) < 2 ** 40) {
    const floor = BigInt(Math.floor(value * 1000));
    return floor % 2n === 0n ? floor : floor + 1n;
  }
  return BigInt(value.toFixed(3).replace('.', ''));
}

/** Canonical DecimalSI form of `milli / 1000` (apimachinery `int64Amount.AsCanonicalBytes`). */
export function formatMilli(milli: bigint): string {
  if (milli === 0n) return '0';
  const sign = milli < 0n ? '-' : '';
  let mantissa = milli < 0n ? -milli : milli;
  let exponent = -3;
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exponent += 1;
  }
  const remainder = exponent % 3;
  if (remainder === 1 || remainder === -2) {
    mantissa *= 10n;
    exponent -= 1;
  } else if (remainder === 2 || remainder === -1) {
    mantissa *= 100n;
    exponent -= 2;
  }
  const suffix = DECIMAL_SUFFIX[exponent];
  return suffix === undefined ? `${sign}${mantissa}e${exponent}` : `${sign}${mantissa}${suffix}`;
}

/** Parses any valid Quantity string ("1500m", "1.5", "2k", "1Ki", "1e3", "+5") to a number. */
export function parseQuantity(text: string): number {
  const match = QUANTITY.exec(text.trim());
  if (!match) throw new QuantityError(`${JSON.stringify(text)} is not a Kubernetes quantity (expected a number with an optional suffix such as m, k, M, Ki or e3)`);
  const [, number, suffix] = match as unknown as [string, string, string];
  const base = Number(number);
  if (suffix in BINARY_POWER) return base * 2 ** BINARY_POWER[suffix]!;
  const exponent = /^[eE][+-]?\d/.test(suffix) ? Number(suffix.slice(1)) : DECIMAL_EXPONENT[suffix]!;
  // Scale with a decimal exponent in the string so that "1500m" gives exactly 1.5.
  return Number(`${number}e${exponent}`);
}

/**
 * What the HPA reads from a Quantity: `MilliValue()`, which rounds a fraction of a milli away from
 * zero (apimachinery `negativeScaleInt64`): "100u" → 1, "-100u" → -1.
 */
export function milliValue(text: string): number {
  const milli = Number((parseQuantity(text) * 1000).toPrecision(15));
  return milli < 0 ? -Math.ceil(-milli) : Math.ceil(milli);
}
