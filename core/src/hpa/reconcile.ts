/**
 * One sync of the HPA controller for an HPA whose metrics are all External, ported from kubernetes
 * pkg/controller/podautoscaler/horizontal.go (`reconcileAutoscaler`, `computeReplicasForMetrics`).
 * Pure: the time and the controller's memory of this HPA come in, the decision and the new memory
 * go out.
 */
import { LIMIT_MESSAGES, storeScaleEvent } from './behavior.js';
import { DEFAULT_HPA_CONTROLLER_CONFIGURATION, setDefaultsHorizontalPodAutoscalerBehavior, type HPAControllerConfiguration } from './defaults.js';
import { normalizeDesiredReplicas, normalizeDesiredReplicasWithBehaviors, recordInitialRecommendation, type Normalization } from './normalize.js';
import { computeReplicasForMetric, targetMilliOf, tolerancesForHpa } from './replica-calculator.js';
import {
  InvalidHorizontalPodAutoscalerError,
  type AutoscalerHistory,
  type ExternalMetric,
  type HorizontalPodAutoscalerCondition,
  type HorizontalPodAutoscalerSpec,
  type MetricReplicas,
  type ReplicaRecommendation,
  type ScaleSubresource,
  type ScalingReason,
  type Tolerances,
} from './types.js';

export const EMPTY_AUTOSCALER_HISTORY: AutoscalerHistory = Object.freeze({ recommendations: [], scaleUpEvents: [], scaleDownEvents: [] });

export interface MetricsReplicas {
  /** The largest proposal; undefined when the HPA must not scale on these metrics at all. */
  readonly replicas?: number;
  readonly metricName?: string;
  readonly metrics: readonly MetricReplicas[];
  readonly invalidMetricsCount: number;
  readonly error?: string;
  readonly condition: HorizontalPodAutoscalerCondition;
}

/**
 * `computeReplicasForMetrics`: the largest proposal over the metrics. A failed metric blocks
 * everything when all fail, or when the others would scale below the current count: missing data
 * must never scale down. When the others scale up, the HPA scales up and still reports the error.
 */
export function computeReplicasForMetrics(
  metrics: readonly ExternalMetric[],
  scale: ScaleSubresource,
  tolerances: Tolerances,
): MetricsReplicas {
  const results = metrics.map((metric) => computeReplicasForMetric(metric, scale, tolerances));
  let replicas = 0;
  let metricName: string | undefined;
  for (const result of results) {
    if (result.ok && (replicas === 0 || result.replicaCount > replicas)) {
      replicas = result.replicaCount;
      metricName = result.metricName;
    }
  }
  const failures = results.filter((result) => !result.ok);
  const invalidMetricsCount = failures.length;
  const firstFailure = failures[0];
  const error = firstFailure && `invalid metrics (${invalidMetricsCount} invalid out of ${metrics.length}), first error is: ${firstFailure.error}`;
  if (firstFailure && (invalidMetricsCount >= metrics.length || replicas < scale.specReplicas)) {
    const condition = unableToComputeCondition(firstFailure.error);
    return { metrics: results, invalidMetricsCount, ...(error === undefined ? {} : { error }), condition };
  }
  const condition = cond('ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from external metric ${metricName ?? ''}`);
  return {
    replicas,
    ...(metricName === undefined ? {} : { metricName }),
    metrics: results,
    invalidMetricsCount,
    ...(error === undefined ? {} : { error }),
    condition,
  };
}

export interface ReconcileInput {
  readonly spec: HorizontalPodAutoscalerSpec;
  readonly scale: ScaleSubresource;
  /** The HPA's External metrics with what the external metrics API answered on this sync. */
  readonly metrics: readonly ExternalMetric[];
  /** The time of this sync, in milliseconds since the epoch. */
  readonly now: number;
  /** The controller's memory of this HPA from the previous sync; none means its first sync. */
  readonly history?: AutoscalerHistory;
  readonly config?: Partial<HPAControllerConfiguration>;
}

/**
 * `reconcileAutoscaler`: what the HPA controller does on one sync. Out-of-range counts are fixed
 * before metrics are read; otherwise the metrics' proposal goes through normalization (legacy, or
 * `spec.behavior` when set) and a rescale is recorded as a scale event (behavior only).
 */
export function reconcileAutoscaler(input: ReconcileInput): ReplicaRecommendation {
  const { spec, scale, metrics, now } = input;
  const config: HPAControllerConfiguration = { ...DEFAULT_HPA_CONTROLLER_CONFIGURATION, ...input.config };
  validate(input);
  const behavior = setDefaultsHorizontalPodAutoscalerBehavior(spec.behavior, config);
  const tolerances = tolerancesForHpa(spec.behavior, config);
  const currentReplicas = scale.specReplicas;
  const minReplicas = spec.minReplicas ?? 1;
  const maxReplicas = spec.maxReplicas;
  const previous = input.history ?? EMPTY_AUTOSCALER_HISTORY;
  let history: AutoscalerHistory = { ...previous, recommendations: recordInitialRecommendation(previous.recommendations, currentReplicas, now) };

  const decide = (desiredReplicas: number, reason: ScalingReason, message: string, rest: Partial<ReplicaRecommendation>): ReplicaRecommendation => {
    const rescale = desiredReplicas !== currentReplicas && reason !== 'ScalingDisabled' && reason !== 'FailedGetExternalMetric';
    if (rescale && behavior) history = { ...history, ...storeScaleEvent(behavior, history, currentReplicas, desiredReplicas, now) };
    return {
      currentReplicas,
      desiredReplicas: rescale ? desiredReplicas : currentReplicas,
      rescale,
      reason,
      message,
      metrics: [],
      conditions: [],
      ...rest,
      history,
    };
  };

  if (currentReplicas === 0 && minReplicas !== 0) {
    const message = 'scaling is disabled since the replica count of the target is zero';
    return decide(0, 'ScalingDisabled', message, { conditions: [cond('ScalingActive', 'False', 'ScalingDisabled', message)] });
  }
  if (currentReplicas > maxReplicas) {
    return decide(maxReplicas, 'CurrentAboveMaxReplicas', 'Current number of replicas above Spec.MaxReplicas', {});
  }
  if (currentReplicas < minReplicas) {
    return decide(minReplicas, 'CurrentBelowMinReplicas', 'Current number of replicas below Spec.MinReplicas', {});
  }

  const computed = computeReplicasForMetrics(metrics, scale, tolerances);
  const common = { metrics: computed.metrics, ...(computed.error === undefined ? {} : { error: computed.error }) };
  if (computed.replicas === undefined) {
    return decide(currentReplicas, 'FailedGetExternalMetric', computed.condition.message, { ...common, conditions: [computed.condition] });
  }

  // A negative proposal (negative metric values) counts as 0.
  const prenormalized = Math.max(computed.replicas, 0);
  const args = { currentReplicas, desiredReplicas: prenormalized, minReplicas, maxReplicas };
  let normalization: Normalization;
  if (behavior === undefined) {
    normalization = normalizeDesiredReplicas(args, history.recommendations, now, config.horizontalPodAutoscalerDownscaleStabilizationWindowSeconds);
  } else {
    normalization = normalizeDesiredReplicasWithBehaviors(args, behavior, history, now);
  }
  history = { ...history, recommendations: normalization.recommendations };

  const { desiredReplicas } = normalization;
  const limited = desiredReplicas !== normalization.stabilizedRecommendation;
  const stabilized = normalization.stabilizationReason !== 'ReadyForNewScale';
  let reason: ScalingReason = 'DesiredWithinRange';
  let message = LIMIT_MESSAGES.DesiredWithinRange;
  if (limited) {
    reason = normalization.limitReason;
    message = normalization.limitMessage;
  } else if (stabilized) {
    reason = normalization.stabilizationReason as ScalingReason;
    message = normalization.stabilizationMessage;
  }
  return decide(desiredReplicas, reason, message, {
    ...common,
    metricDesiredReplicas: computed.replicas,
    ...(computed.metricName === undefined ? {} : { metricName: computed.metricName }),
    stabilizedRecommendation: normalization.stabilizedRecommendation,
    ...(normalization.rateLimit === undefined ? {} : { rateLimit: normalization.rateLimit }),
    conditions: [
      cond('AbleToScale', 'True', normalization.stabilizationReason, normalization.stabilizationMessage),
      computed.condition,
      cond('ScalingLimited', limited ? 'True' : 'False', normalization.limitReason, normalization.limitMessage),
    ],
  });
}

function cond(
  type: HorizontalPodAutoscalerCondition['type'],
  status: HorizontalPodAutoscalerCondition['status'],
  reason: string,
  message: string,
): HorizontalPodAutoscalerCondition {
  return { type, status, reason, message };
}

/** `getUnableComputeReplicaCountCondition` for an External metric. */
function unableToComputeCondition(error: string): HorizontalPodAutoscalerCondition {
  return cond('ScalingActive', 'False', 'FailedGetExternalMetric', `the HPA was unable to compute the replica count: ${error}`);
}

/** What the API server's validation guarantees the controller; anything else cannot be computed with. */
function validate({ spec, scale, metrics, now }: ReconcileInput): void {
  const problems: string[] = [];
  const count = (field: string, value: number | undefined, min: number): void => {
    if (value !== undefined && !(Number.isInteger(value) && value >= min)) problems.push(`${field}: must be an integer of at least ${min}, got ${value}`);
  };
  count('spec.maxReplicas', spec.maxReplicas, 1);
  count('spec.minReplicas', spec.minReplicas, 0);
  if ((spec.minReplicas ?? 1) > spec.maxReplicas) problems.push(`spec.minReplicas: must be at most spec.maxReplicas (${spec.maxReplicas}), got ${spec.minReplicas ?? 1}`);
  for (const direction of ['scaleUp', 'scaleDown'] as const) {
    const rules = spec.behavior?.[direction];
    count(`spec.behavior.${direction}.stabilizationWindowSeconds`, rules?.stabilizationWindowSeconds, 0);
    rules?.policies?.forEach((policy, i) => {
      count(`spec.behavior.${direction}.policies[${i}].value`, policy.value, 1);
      count(`spec.behavior.${direction}.policies[${i}].periodSeconds`, policy.periodSeconds, 1);
    });
  }
  count('scale.specReplicas', scale.specReplicas, 0);
  count('scale.statusReplicas', scale.statusReplicas, 0);
  count('scale.podCount', scale.podCount, 0);
  count('scale.readyPodCount', scale.readyPodCount, 0);
  if (metrics.length === 0) problems.push('spec.metrics: must list at least one External metric');
  for (const metric of metrics) {
    try {
      targetMilliOf(metric);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (!Number.isFinite(now)) problems.push(`now: must be a time in milliseconds since the epoch, got ${now}`);
  if (problems.length > 0) throw new InvalidHorizontalPodAutoscalerError(problems.join('; '));
}
