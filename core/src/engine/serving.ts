import type { MetricSpec } from '../scaler.js';
import { COMPOSITE_METRIC_NAME, FormulaError, type CompiledFormula } from '../scaled-object/formula.js';
import type { Fallback, ScalingModifiers } from '../scaled-object/scaled-object.js';
import type { TriggerFailure } from './errors.js';
import { fallbackApplies, serveFallback, type ReplicaCounter } from './fallback.js';
import type { Logger } from './logger.js';
import type { TriggerRuntime } from './trigger-runtime.js';
import type { MaybePromise, ServedMetric, TriggerMetricState, TriggerRead } from './types.js';
import { servedValue, sumOf } from './values.js';

/** What serving one ScaledObject's metrics needs besides the reads. */
export interface ServingContext {
  readonly scaledObject: { readonly namespace: string; readonly name: string };
  readonly fallback?: Fallback;
  readonly counts: ReplicaCounter;
  readonly now: number;
  readonly logger: Logger;
}

/** A trigger's metric as the HPA is served it: its values, or on failure fallback's value when fallback applies. */
export function serveTriggerMetric(trigger: TriggerRuntime, spec: MetricSpec, read: TriggerRead, context: ServingContext): MaybePromise<ServedMetric> {
  const { record, health } = read;
  const base = { metricName: spec.metricName, target: spec.target, metricType: spec.metricType };
  if (record.kind === 'value') return { ...base, values: record.values.map((v) => servedValue(v.value)), timestamp: new Date(record.at) };
  const { identity } = trigger;
  const why = `${identity.triggerType} trigger ${identity.triggerIndex}${identity.triggerName ? ` (${identity.triggerName})` : ''}: ${record.failure.message}`;
  if (!fallbackApplies(context.fallback, health.numberOfFailures)) return { ...base, error: why, timestamp: new Date(record.at) };
  return serveFallback({ spec, fallback: context.fallback, byBehavior: true, why, counts: context.counts, failedAt: record.at, now: context.now, logger: context.logger, scaledObject: context.scaledObject });
}

/**
 * The scalingModifiers composite metric: the formula over the named triggers' values, or fallback's
 * value when one fails (KEDA skips the formula while fallback is active), or with the
 * `scalingModifiers` fallback behaviour the failed trigger as nil for the formula's `??`.
 */
export function serveComposite(modifiers: ScalingModifiers, formula: CompiledFormula, reads: (triggerName: string) => TriggerRead, context: ServingContext): MaybePromise<ServedMetric> {
  const { fallback, now } = context;
  const spec: MetricSpec = { metricName: COMPOSITE_METRIC_NAME, target: modifiers.target, metricType: modifiers.metricType };
  const error = (why: string): ServedMetric => ({ ...spec, error: why, timestamp: new Date(now) });
  const withFallback = (why: string, byBehavior: boolean) =>
    serveFallback({ spec, fallback: fallback!, byBehavior, why, counts: context.counts, failedAt: now, now, logger: context.logger, scaledObject: context.scaledObject });

  const values: Record<string, number | null> = {};
  const failing: { name: string; read: TriggerRead }[] = [];
  for (const name of formula.triggerNames) {
    // Every name the formula uses is a trigger of this object: the loader checked it.
    const read = reads(name);
    if (read.record.kind === 'value') {
      values[name] = sumOf(read.record.values);
    } else if (fallback?.behavior === 'scalingModifiers' && fallbackApplies(fallback, read.health.numberOfFailures)) {
      values[name] = null;
    } else {
      failing.push({ name, read });
    }
  }
  if (failing.length > 0) {
    const why = failing.map(({ name, read }) => `trigger ${name}: ${(read.record as { failure: TriggerFailure }).failure.message}`).join('; ');
    if (fallback && fallback.behavior !== 'scalingModifiers' && failing.every(({ read }) => fallbackApplies(fallback, read.health.numberOfFailures))) return withFallback(why, true);
    return error(why);
  }
  let value: number | null;
  try {
    value = formula.evaluate(values);
  } catch (problem) {
    if (problem instanceof FormulaError) return error(problem.message);
    throw problem;
  }
  if (value === null) {
    const why = `formula ${JSON.stringify(formula.source)} evaluated to nil`;
    // KEDA: a formula that evaluates to nil under the scalingModifiers behaviour gives fallback.replicas × target.
    return fallback?.behavior === 'scalingModifiers' ? withFallback(why, false) : error(why);
  }
  return { ...spec, values: [servedValue(value)], timestamp: new Date(now) };
}

/** One trigger metric's read, as `state()` reports it (the value as the source gave it). */
export function metricState(trigger: TriggerRuntime, spec: MetricSpec, read: TriggerRead): TriggerMetricState {
  const { record } = read;
  const common = { trigger: trigger.identity, metricName: spec.metricName, target: spec.target, metricType: spec.metricType, health: read.health, at: record.at, cacheHit: read.cacheHit };
  if (record.kind === 'error') return { ...common, active: false, error: record.failure };
  return { ...common, value: sumOf(record.values), values: record.values, active: record.active, ...(record.empty ? { empty: record.empty } : {}) };
}
