/** KEDA's `kedautil.NormalizeString`: `/ . : % ( )` become `-`; case is kept. */
export function normalizeString(value: string): string {
  return value.replace(/[/.:%()]/g, '-');
}

/** KEDA's `GenerateMetricNameWithIndex`: `s<index>-<name>`, e.g. `s0-prometheus`. */
export function metricNameWithIndex(triggerIndex: number, name: string): string {
  return `s${triggerIndex}-${name}`;
}

/** The HPA metric name of a trigger: `s<index>-<normalized name>`. */
export function triggerMetricName(triggerIndex: number, name: string): string {
  return metricNameWithIndex(triggerIndex, normalizeString(name));
}
