import type { AwsCloudwatchMetadata } from './metadata.js';

// Go's Time.Truncate rounds down to a multiple of the period counted from January 1, year 1 UTC,
// not from the Unix epoch; for periods that do not divide a day (420 s, ...) the two differ.
const GO_ZERO_TIME_MS = -62_135_596_800_000;

export interface QueryWindow {
  readonly start: Date;
  readonly end: Date;
}

/**
 * The GetMetricData window, as KEDA's `computeQueryWindow` computes it: `end` is
 * `now - metricEndTimeOffset` rounded down to a multiple of `metricStatPeriod`, and `start` is
 * `metricCollectionTime` before `end`. Pure.
 */
export function computeQueryWindow(
  now: Date,
  metadata: Pick<AwsCloudwatchMetadata, 'metricStatPeriod' | 'metricEndTimeOffset' | 'metricCollectionTime'>,
): QueryWindow {
  const periodMs = metadata.metricStatPeriod * 1000;
  const shifted = now.getTime() - metadata.metricEndTimeOffset * 1000;
  const sinceZero = shifted - GO_ZERO_TIME_MS;
  const end = periodMs > 0 ? shifted - (((sinceZero % periodMs) + periodMs) % periodMs) : shifted;
  return { start: new Date(end - metadata.metricCollectionTime * 1000), end: new Date(end) };
}
