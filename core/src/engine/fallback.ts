import { readMilliValue } from '../hpa/replica-calculator.js';
import type { MetricType } from '../scaler.js';
import type { Fallback } from '../scaled-object/scaled-object.js';

/** The replica counts fallback's behaviours and `Value` targets need. */
export interface ReplicaCounts {
  /** `scale.spec.replicas` of the scale target. */
  readonly currentReplicas: number;
  /** Pods that are Running and Ready. Default: currentReplicas. */
  readonly readyReplicas?: number;
}

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
