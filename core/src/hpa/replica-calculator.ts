/**
 * One External metric's replica proposal, ported from kubernetes pkg/controller/podautoscaler/
 * replica_calculator.go (`GetExternalPerPodMetricReplicas`, `GetExternalMetricReplicas`) and
 * horizontal.go (`computeStatusForExternalMetric`, `tolerancesForHpa`). All usages are in milli
 * units, as the controller reads every Quantity with MilliValue().
 */
import { formatMilli, formatQuantity, milliValue, parseQuantity } from '../quantity.js';
import { DEFAULT_HPA_CONTROLLER_CONFIGURATION, type HPAControllerConfiguration } from './defaults.js';
import {
  InvalidHorizontalPodAutoscalerError,
  type ExternalMetric,
  type HorizontalPodAutoscalerBehavior,
  type MetricReplicas,
  type QuantityValue,
  type ScaleSubresource,
  type Tolerances,
} from './types.js';

const MAX_INT32 = 2_147_483_647;

/** `Tolerances.isWithin`: inclusive at both ends, so a ratio of exactly 1.1 is left alone. */
export function isWithin(tolerances: Tolerances, usageRatio: number): boolean {
  return 1.0 - tolerances.scaleDown <= usageRatio && usageRatio <= 1.0 + tolerances.scaleUp;
}

/** `tolerancesForHpa`: the HPA's own tolerance per direction where it sets one, else the controller's flag. */
export function tolerancesForHpa(
  behavior: HorizontalPodAutoscalerBehavior | undefined,
  config: HPAControllerConfiguration = DEFAULT_HPA_CONTROLLER_CONFIGURATION,
): Tolerances {
  const fallback = config.horizontalPodAutoscalerTolerance;
  return {
    scaleUp: toleranceOf(behavior?.scaleUp?.tolerance, 'scaleUp') ?? fallback,
    scaleDown: toleranceOf(behavior?.scaleDown?.tolerance, 'scaleDown') ?? fallback,
  };
}

function toleranceOf(value: QuantityValue | undefined, direction: string): number | undefined {
  if (value === undefined) return undefined;
  const tolerance = typeof value === 'number' ? value : parseQuantity(value);
  if (!(tolerance >= 0)) throw new InvalidHorizontalPodAutoscalerError(`spec.behavior.${direction}.tolerance: must be 0 or more, got ${value}`);
  return tolerance;
}

/**
 * What the HPA reads from one value: MilliValue(), which rounds up to a whole milli ("100u" → 1).
 * A number is first formatted as the adapter serves it (rounded to milli, as KEDA's `%.3f`).
 */
export function readMilliValue(value: QuantityValue): number {
  return milliValue(typeof value === 'number' ? formatQuantity(value) : value);
}

/** `int32(math.Ceil(x))`, capped at MaxInt32 as the newer controller does; never -0. */
function ceilToInt32(x: number): number {
  return x > MAX_INT32 ? MAX_INT32 : Math.ceil(x) + 0;
}

function sum(metrics: readonly number[]): number {
  return metrics.reduce((total, value) => total + value, 0);
}

export interface ExternalReplicas {
  readonly replicaCount: number;
  /** Σ values, milli. */
  readonly usage: number;
  readonly usageRatio: number;
  readonly withinTolerance: boolean;
}

/**
 * `GetExternalPerPodMetricReplicas` (target type AverageValue): ceil(total / target). The current
 * replica count only enters the tolerance test; ready pods are not consulted.
 */
export function getExternalPerPodMetricReplicas(
  statusReplicas: number,
  targetUsagePerPod: number,
  metrics: readonly number[],
  tolerances: Tolerances,
): ExternalReplicas & { readonly averageUsage?: number } {
  const usage = sum(metrics);
  // With 0 status replicas the ratio is +Inf (or NaN for 0/0), never within tolerance.
  const usageRatio = usage / (targetUsagePerPod * statusReplicas);
  const withinTolerance = isWithin(tolerances, usageRatio);
  const replicaCount = withinTolerance ? statusReplicas : ceilToInt32(usage / targetUsagePerPod);
  const averageUsage = statusReplicas > 0 ? Math.ceil(usage / statusReplicas) + 0 : undefined;
  return { replicaCount, usage, usageRatio, withinTolerance, ...(averageUsage === undefined ? {} : { averageUsage }) };
}

/**
 * `GetExternalMetricReplicas` (target type Value): ceil(usage / target × ready pods), via
 * `getUsageRatioReplicaCount`. At 0 current replicas (scale to zero) neither tolerance nor pods
 * count: the answer is ceil(ratio).
 */
export function getExternalMetricReplicas(
  currentReplicas: number,
  targetUsage: number,
  metrics: readonly number[],
  tolerances: Tolerances,
  pods: { readonly podCount: number; readonly readyPodCount: number },
): ExternalReplicas {
  const usage = sum(metrics);
  const usageRatio = usage / targetUsage;
  if (currentReplicas === 0) return { replicaCount: ceilToInt32(usageRatio), usage, usageRatio, withinTolerance: false };
  if (isWithin(tolerances, usageRatio)) return { replicaCount: currentReplicas, usage, usageRatio, withinTolerance: true };
  if (pods.podCount === 0) {
    throw new Error('unable to calculate ready pods: no pods returned by selector while calculating replica count');
  }
  return { replicaCount: ceilToInt32(usageRatio * pods.readyPodCount), usage, usageRatio, withinTolerance: false };
}

/** The scale's counts with their defaults filled in. */
export function scaleCounts(scale: ScaleSubresource): Required<ScaleSubresource> {
  const statusReplicas = scale.statusReplicas ?? scale.specReplicas;
  const podCount = scale.podCount ?? statusReplicas;
  return { specReplicas: scale.specReplicas, statusReplicas, podCount, readyPodCount: scale.readyPodCount ?? podCount };
}

/**
 * One metric's proposal (`computeStatusForExternalMetric`). A failed or empty answer from the
 * external metrics API, or a value that is not a Quantity, is a failure of this metric, never a 0.
 */
export function computeReplicasForMetric(metric: ExternalMetric, scale: ScaleSubresource, tolerances: Tolerances): MetricReplicas {
  const { metricName, metricType } = metric;
  const targetMilli = targetMilliOf(metric);
  const failure = (error: string): MetricReplicas => ({ ok: false, metricName, metricType, error });

  if (metric.error !== undefined) {
    return failure(`unable to get external metric ${metricName}: unable to fetch metrics from external metrics API: ${metric.error}`);
  }
  if (metric.values === undefined || metric.values.length === 0) {
    return failure(`unable to get external metric ${metricName}: no metrics returned from external metrics API`);
  }
  let metrics: number[];
  try {
    metrics = metric.values.map(readMilliValue);
  } catch (error) {
    return failure(`unable to get external metric ${metricName}: ${(error as Error).message}`);
  }

  const counts = scaleCounts(scale);
  if (metricType === 'AverageValue') {
    const result = getExternalPerPodMetricReplicas(counts.statusReplicas, targetMilli, metrics, tolerances);
    const averageValue = result.averageUsage === undefined ? undefined : formatMilli(BigInt(result.averageUsage));
    return {
      ok: true, metricName, metricType, targetMilli,
      replicaCount: result.replicaCount, usage: result.usage, usageRatio: result.usageRatio, withinTolerance: result.withinTolerance,
      current: averageValue === undefined ? {} : { averageValue },
    };
  }
  try {
    const result = getExternalMetricReplicas(counts.specReplicas, targetMilli, metrics, tolerances, counts);
    return {
      ok: true, metricName, metricType, targetMilli,
      replicaCount: result.replicaCount, usage: result.usage, usageRatio: result.usageRatio, withinTolerance: result.withinTolerance,
      current: { value: formatMilli(BigInt(result.usage)) },
    };
  } catch (error) {
    return failure(`failed to get external metric ${metricName}: ${(error as Error).message}`);
  }
}

/** The target as the controller reads it (MilliValue); the API server accepts only positive targets. */
export function targetMilliOf(metric: ExternalMetric): number {
  let targetMilli: number;
  try {
    targetMilli = readMilliValue(metric.target);
  } catch (error) {
    throw new InvalidHorizontalPodAutoscalerError(`${metric.metricName}: target: ${(error as Error).message}`);
  }
  if (!(targetMilli > 0)) {
    throw new InvalidHorizontalPodAutoscalerError(`${metric.metricName}: target: must be positive, got ${String(metric.target)}`);
  }
  return targetMilli;
}
