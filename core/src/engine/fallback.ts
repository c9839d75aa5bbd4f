import { readMilliValue } from '../hpa/replica-calculator.js';
import type { MetricSpec, MetricType } from '../scaler.js';
import type { Fallback } from '../scaled-object/scaled-object.js';
import type { Logger } from './logger.js';
import type { MaybePromise, ReplicaCounts, ServedMetric } from './types.js';

/** KEDA's fallback (pkg/fallback/fallback.go): when it applies, which replica count it aims for, and the value that gets the HPA there. */

/** Fallback applies once the failures exceed the threshold: strictly greater, as in KEDA. */
export function fallbackApplies(fallback: Fallback | undefined, numberOfFailures: number): fallback is Fallback {
  return fallback !== undefined && numberOfFailures > fallback.failureThreshold;
}

/** The replica count fallback aims for (KEDA pkg/fallback doFallback). */
export function fallbackReplicas(fallback: Fallback, currentReplicas: number | undefined): number {
  const needCurrent = (): number => {
    if (currentReplicas === undefined) {
      throw new Error(`fallback behavior ${fallback.behavior} needs the current replica count, and none is known (give the engine a ReplicaSource)`);
    }
    return currentReplicas;
  };
  switch (fallback.behavior) {
    case 'currentReplicas':
      return needCurrent();
    case 'currentReplicasIfHigher':
      return Math.max(needCurrent(), fallback.replicas);
    case 'currentReplicasIfLower':
      return Math.min(needCurrent(), fallback.replicas);
    case 'static':
    case 'scalingModifiers':
    default:
      return fallback.replicas;
  }
}

/**
 * The synthetic value that makes the HPA land on `replicas`: for AverageValue `target × replicas`
 * (the HPA computes ceil(value / target)); for Value `target × replicas / readyReplicas` (the HPA
 * computes ceil(value / target × ready)), rounded down to a milli so the HPA's ceil cannot overshoot.
 * Computed in the milli units the HPA reads, so that it is exact.
 */
export function fallbackMetricValue(target: number, metricType: MetricType, replicas: number, readyReplicas: number | undefined): number {
  const targetMilli = readMilliValue(target);
  if (metricType === 'AverageValue') return (targetMilli * replicas) / 1000;
  if (readyReplicas === undefined) throw new Error('a Value fallback needs the number of ready replicas, and none is known (give the engine a ReplicaSource)');
  if (readyReplicas <= 0) throw new Error('a Value fallback divides by the ready replicas, and there are 0 ready replicas');
  return Math.floor((targetMilli * replicas) / readyReplicas) / 1000;
}

/**
 * Replica counts, asked of the ReplicaSource at most once per state and only when fallback needs
 * them: synchronously when the source answers synchronously.
 */
export type ReplicaCounter = (needed: boolean) => MaybePromise<ReplicaCounts | undefined>;

/** A ReplicaCounter over counts given by the caller, or else asked (once) of `ask`. */
export function replicaCounter(given: ReplicaCounts | undefined, ask: () => MaybePromise<ReplicaCounts | undefined>): ReplicaCounter {
  let asked = false;
  let counts: MaybePromise<ReplicaCounts | undefined>;
  return (needed) => {
    if (given || !needed) return given;
    if (!asked) {
      asked = true;
      try {
        counts = ask();
      } catch (error) {
        counts = Promise.reject(error as Error);
      }
    }
    return counts;
  };
}

export interface FallbackInput {
  /** The metric served in place of the failing one. */
  readonly spec: MetricSpec;
  readonly fallback: Fallback;
  /** Aim for fallback's behaviour's count; false: `fallback.replicas` whatever the behaviour (a formula that evaluated to nil). */
  readonly byBehavior: boolean;
  /** Why fallback serves: the failure, in the served error when fallback cannot apply. */
  readonly why: string;
  readonly counts: ReplicaCounter;
  /** When the failure was recorded, and now (clock milliseconds). */
  readonly failedAt: number;
  readonly now: number;
  readonly logger: Logger;
  readonly scaledObject: { readonly namespace: string; readonly name: string };
}

/**
 * The one place a fallback value is computed: the served metric that makes the HPA land on
 * fallback's replica count, or an error saying why fallback cannot apply. Synchronous when the
 * replica counts are; a promise (that never rejects) otherwise.
 */
export function serveFallback(input: FallbackInput): MaybePromise<ServedMetric> {
  const { spec, fallback } = input;
  const base = { metricName: spec.metricName, target: spec.target, metricType: spec.metricType };
  const fail = (problem: unknown): ServedMetric => ({ ...base, error: `${input.why}; fallback cannot apply: ${(problem as Error).message}`, timestamp: new Date(input.failedAt) });
  const finish = (counts: ReplicaCounts | undefined): ServedMetric => {
    try {
      const replicas = input.byBehavior ? fallbackReplicas(fallback, counts?.currentReplicas) : fallback.replicas;
      const value = fallbackMetricValue(spec.target, spec.metricType, replicas, counts?.readyReplicas ?? counts?.currentReplicas);
      input.logger.info({ scaledObject: input.scaledObject, metricName: spec.metricName, replicas, error: input.why }, 'serving the fallback value');
      return { ...base, values: [value], fallback: { replicas, value }, timestamp: new Date(input.now) };
    } catch (problem) {
      return fail(problem);
    }
  };
  // The counts matter to the behaviours other than static, and to a Value target.
  const needed = (input.byBehavior && fallback.behavior !== 'static') || spec.metricType === 'Value';
  let counts: MaybePromise<ReplicaCounts | undefined>;
  try {
    counts = input.counts(needed);
  } catch (problem) {
    return fail(problem);
  }
  return counts instanceof Promise ? counts.then(finish, fail) : finish(counts);
}
