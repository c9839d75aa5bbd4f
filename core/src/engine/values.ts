import type { MetricValue } from '../scaler.js';

/** KEDA matches metric names case-insensitively (strings.EqualFold). */
export function sameMetricName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

export function sumOf(values: readonly MetricValue[]): number {
  return values.reduce((total, value) => total + value.value, 0);
}

/**
 * The value the HPA is served, the one place values are clamped: NaN, infinities and negative
 * values are served as 0, as KEDA's quantityFromFloat64 does.
 */
export function servedValue(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}
