/**
 * The Horizontal Pod Autoscaler's inputs and outputs for External metrics, named as Kubernetes names
 * them (k8s.io/api/autoscaling/v2 and pkg/controller/podautoscaler). Times are milliseconds since
 * the epoch (what `Date.now()` returns) and are always passed in: nothing here reads the clock.
 */
import type { MetricType } from '../scaler.js';

/** The HPA's spec or the scale's counts cannot be computed with; the message names the field. */
export class InvalidHorizontalPodAutoscalerError extends Error {
  override readonly name = 'InvalidHorizontalPodAutoscalerError';
}

/** A Quantity as a string ("1500m", "5", "2k") or as a plain number. */
export type QuantityValue = string | number;

/** `HPAScalingPolicyType`: a policy limits the change by a count of pods or by a percentage. */
export type HPAScalingPolicyType = 'Pods' | 'Percent';

/** `ScalingPolicySelect`: which policy wins (`Max` = the one allowing the most change) or none at all. */
export type ScalingPolicySelect = 'Max' | 'Min' | 'Disabled';

/** `HPAScalingPolicy`: at most `value` pods (or percent) of change over the last `periodSeconds`. */
export interface HPAScalingPolicy {
  readonly type: HPAScalingPolicyType;
  readonly value: number;
  readonly periodSeconds: number;
}

/** `HPAScalingRules`, for one direction. Unset fields take Kubernetes' defaults (see defaults.ts). */
export interface HPAScalingRules {
  readonly stabilizationWindowSeconds?: number;
  readonly selectPolicy?: ScalingPolicySelect;
  readonly policies?: readonly HPAScalingPolicy[];
  /** Per-HPA tolerance (KEP-4951, feature gate `HPAConfigurableTolerance`), e.g. "0.05". */
  readonly tolerance?: QuantityValue;
}

/** `HorizontalPodAutoscalerBehavior`. Leaving the whole behavior out selects the legacy normalization. */
export interface HorizontalPodAutoscalerBehavior {
  readonly scaleUp?: HPAScalingRules;
  readonly scaleDown?: HPAScalingRules;
}

/** `HPAScalingRules` after defaulting: every field set. */
export interface ResolvedHPAScalingRules {
  readonly stabilizationWindowSeconds: number;
  readonly selectPolicy: ScalingPolicySelect;
  readonly policies: readonly HPAScalingPolicy[];
}

/** `HorizontalPodAutoscalerBehavior` after defaulting. */
export interface ResolvedHorizontalPodAutoscalerBehavior {
  readonly scaleUp: ResolvedHPAScalingRules;
  readonly scaleDown: ResolvedHPAScalingRules;
}

/** The part of `HorizontalPodAutoscalerSpec` the replica calculation reads. */
export interface HorizontalPodAutoscalerSpec {
  /** Default 1. 0 needs the `HPAScaleToZero` feature gate in the cluster. */
  readonly minReplicas?: number;
  readonly maxReplicas: number;
  readonly behavior?: HorizontalPodAutoscalerBehavior;
}

/** The scale subresource of the target, and its pods, as the controller sees them on this sync. */
export interface ScaleSubresource {
  /** `scale.spec.replicas`: what the controller calls currentReplicas. */
  readonly specReplicas: number;
  /** `scale.status.replicas`, which AverageValue targets divide by. Default: specReplicas. */
  readonly statusReplicas?: number;
  /** Pods matching `scale.status.selector`; none makes a Value target fail. Default: statusReplicas. */
  readonly podCount?: number;
  /** Of those, pods that are Running and Ready; Value targets multiply by it. Default: podCount. */
  readonly readyPodCount?: number;
}

/**
 * One External metric of the HPA and what the external metrics API answered for it on this sync:
 * either the `items[].value` list (an empty list is an error to the HPA) or the failure.
 * A core `MetricSpec` spreads into it: `{ ...spec, values }`.
 */
export interface ExternalMetric {
  readonly metricName: string;
  readonly metricType: MetricType;
  /** The target's `averageValue` (AverageValue) or `value` (Value). Must be positive. */
  readonly target: QuantityValue;
  /** Numbers are read as the adapter serves them (rounded to milli), strings as given. */
  readonly values?: readonly QuantityValue[];
  /** The external metrics API call failed (404, 500, timeout): its message. */
  readonly error?: string;
}

/** Scale-up and scale-down tolerances: a usage ratio r is acted on only outside [1 − scaleDown, 1 + scaleUp]. */
export interface Tolerances {
  readonly scaleUp: number;
  readonly scaleDown: number;
}

/** The proposal of one metric (`computeStatusForExternalMetric`), or why there is none. */
export type MetricReplicas = MetricProposal | MetricFailure;

export interface MetricProposal {
  readonly ok: true;
  readonly metricName: string;
  readonly metricType: MetricType;
  /** The replica count this metric asks for, before any limit. */
  readonly replicaCount: number;
  /** Sum of the values in milli units, each read with MilliValue() (rounded up). */
  readonly usage: number;
  readonly targetMilli: number;
  readonly usageRatio: number;
  /** The ratio was inside the tolerance band, so the proposal is the current count. */
  readonly withinTolerance: boolean;
  /** What `status.currentMetrics[].external.current` would show, as a Quantity string. */
  readonly current: { readonly value?: string; readonly averageValue?: string };
}

export interface MetricFailure {
  readonly ok: false;
  readonly metricName: string;
  readonly metricType: MetricType;
  readonly error: string;
}

/** `timestampedRecommendation`: an unstabilized proposal the controller remembers. */
export interface TimestampedRecommendation {
  readonly recommendation: number;
  readonly timestamp: number;
}

/** `timestampedScaleEvent`: a rescale, as the absolute number of replicas added or removed. */
export interface TimestampedScaleEvent {
  readonly replicaChange: number;
  readonly timestamp: number;
}

/**
 * What the controller remembers of one HPA between syncs (in memory: a controller-manager restart
 * forgets it). Pass `history` from one result into the next call.
 */
export interface AutoscalerHistory {
  readonly recommendations: readonly TimestampedRecommendation[];
  readonly scaleUpEvents: readonly TimestampedScaleEvent[];
  readonly scaleDownEvents: readonly TimestampedScaleEvent[];
}

export type HorizontalPodAutoscalerConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';

export interface HorizontalPodAutoscalerCondition {
  readonly type: HorizontalPodAutoscalerConditionType;
  readonly status: 'True' | 'False';
  readonly reason: string;
  readonly message: string;
}

/** Why the ScalingLimited condition has the value it has (`convertDesiredReplicas...`). */
export type LimitReason = 'DesiredWithinRange' | 'TooFewReplicas' | 'TooManyReplicas' | 'ScaleUpLimit' | 'ScaleDownLimit';

/** Why the AbleToScale condition has the value it has (the stabilization step). */
export type StabilizationReason = 'ReadyForNewScale' | 'ScaleUpStabilized' | 'ScaleDownStabilized';

/** The one reason `desiredReplicas` is what it is: the last step that decided it. */
export type ScalingReason =
  | LimitReason
  | Exclude<StabilizationReason, 'ReadyForNewScale'>
  | 'ScalingDisabled'
  | 'CurrentAboveMaxReplicas'
  | 'CurrentBelowMinReplicas'
  | 'FailedGetExternalMetric';

/** The arithmetic of one policy in a rate limit, so a reader can see which policy bound the result. */
export interface PolicyLimit {
  readonly policy: HPAScalingPolicy;
  /** Replicas at the start of the policy's period: current − added + removed within it. */
  readonly periodStartReplicas: number;
  /** The replica count this policy allows. */
  readonly limit: number;
}

/** A rate limit on one direction of scaling, from `behavior` policies or the legacy scale-up limit. */
export interface ScaleRateLimit {
  readonly direction: 'up' | 'down';
  /** Absent for the legacy limit max(2 × current, 4). */
  readonly selectPolicy?: ScalingPolicySelect;
  readonly policies: readonly PolicyLimit[];
  /** The replica count allowed, before min/max replicas apply. */
  readonly limit: number;
}

/** What one sync of the HPA controller decides (`reconcileAutoscaler`). */
export interface ReplicaRecommendation {
  readonly currentReplicas: number;
  /** What scale.spec.replicas is after this sync. */
  readonly desiredReplicas: number;
  /** The controller writes a new replica count. */
  readonly rescale: boolean;
  readonly reason: ScalingReason;
  /** One sentence for a person, in the words of the controller's condition messages. */
  readonly message: string;
  /** The largest proposal over the metrics, before normalization; absent when metrics were not used. */
  readonly metricDesiredReplicas?: number;
  /** The metric that made that proposal. */
  readonly metricName?: string;
  /** Each metric's proposal or failure, in spec order; empty when metrics were not evaluated. */
  readonly metrics: readonly MetricReplicas[];
  /** The recommendation after the stabilization window, when normalization ran. */
  readonly stabilizedRecommendation?: number;
  /** The rate limit that applied in the direction of the change, when normalization ran and the count moved. */
  readonly rateLimit?: ScaleRateLimit;
  readonly conditions: readonly HorizontalPodAutoscalerCondition[];
  /** Failed metrics, reported even when the HPA still scales on the others. */
  readonly error?: string;
  /** The controller's memory after this sync: pass it to the next call. */
  readonly history: AutoscalerHistory;
}
