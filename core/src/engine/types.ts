import type { AutoscalerHistory, ReplicaRecommendation } from '../hpa/types.js';
import type { MetricType, MetricValue } from '../scaler.js';
import type { COMPOSITE_METRIC_NAME } from '../scaled-object/formula.js';
import type { ScaleTargetRef } from '../scaled-object/scaled-object.js';
import type { TriggerFailure } from './errors.js';
import type { TriggerIdentity } from './events.js';
import type { ScaleExecutorDecision } from './scale-executor.js';

/** An answer now, or later: the engine answers from memory without a promise. */
export type MaybePromise<T> = T | Promise<T>;

export interface ScaledObjectRef {
  readonly namespace: string;
  readonly name: string;
}

/** KEDA's `status.health[metricName]`: consecutive failures, and whether the metric is failing now. */
export interface TriggerHealth {
  readonly numberOfFailures: number;
  readonly status: 'Happy' | 'Failing';
}

/** What the engine last learned about one metric of a trigger, and when. */
export type TriggerRecord = ValueRecord | ErrorRecord;

export interface ValueRecord {
  readonly kind: 'value';
  readonly metricName: string;
  /** When the answer arrived (clock milliseconds). */
  readonly at: number;
  readonly values: readonly MetricValue[];
  readonly active: boolean;
  /** Set when the source answered with no data and the trigger's empty policy made `values` of it. */
  readonly empty?: { readonly reason: string };
}

export interface ErrorRecord {
  readonly kind: 'error';
  readonly metricName: string;
  readonly at: number;
  readonly failure: TriggerFailure;
  /** The source was not asked: the trigger is waiting out its backoff after earlier failures. */
  readonly backingOff: boolean;
}

/** A read's answer: the record, the metric's health after it, and whether memory answered. */
export interface TriggerRead {
  readonly record: TriggerRecord;
  readonly health: TriggerHealth;
  readonly cacheHit: boolean;
}

/** The replica counts fallback's behaviours and `Value` targets need. */
export interface ReplicaCounts {
  /** `scale.spec.replicas` of the scale target. */
  readonly currentReplicas: number;
  /** Pods that are Running and Ready. Default: currentReplicas. */
  readonly readyReplicas?: number;
}

/** The scale target of one ScaledObject. */
export interface ScaleTargetOf {
  readonly namespace: string;
  readonly scaledObject: string;
  readonly scaleTargetRef: ScaleTargetRef;
}

/** Where the engine learns the scale target's replica counts (the adapter asks the cluster; `check` has a flag). */
export interface ReplicaSource {
  replicaCounts(target: ScaleTargetOf): MaybePromise<ReplicaCounts | undefined>;
}

/** A ReplicaSource that always answers the same counts. */
export function staticReplicaSource(counts: ReplicaCounts): ReplicaSource {
  return { replicaCounts: () => counts };
}

/** One metric of one trigger, as last read. */
export interface TriggerMetricState {
  readonly trigger: TriggerIdentity;
  readonly metricName: string;
  readonly target: number;
  readonly metricType: MetricType;
  /** The sum of the values as the source gave them; undefined when the trigger failed. */
  readonly value?: number;
  readonly values?: readonly MetricValue[];
  /** value > activation threshold, as the scaler reports it; false on error. */
  readonly active: boolean;
  /** The source answered with no data; `value` is what the trigger's empty policy made of it. */
  readonly empty?: { readonly reason: string };
  readonly error?: TriggerFailure;
  readonly health: TriggerHealth;
  /** When the record was made (clock milliseconds). */
  readonly at: number;
  readonly cacheHit: boolean;
}

/** The scalingModifiers composite metric. */
export interface CompositeState {
  readonly metricName: typeof COMPOSITE_METRIC_NAME;
  readonly formula: string;
  readonly value?: number;
  readonly target: number;
  readonly activationTarget: number;
  readonly metricType: MetricType;
  readonly active: boolean;
  readonly error?: string;
}

/** A metric as the HPA is served it: values (maybe fallback's, never negative) or an error. It spreads into the HPA's ExternalMetric. */
export interface ServedMetric {
  readonly metricName: string;
  readonly target: number;
  readonly metricType: MetricType;
  readonly values?: readonly number[];
  readonly error?: string;
  /** Fallback's synthetic value stands in for a failing trigger. */
  readonly fallback?: { readonly replicas: number; readonly value: number };
  readonly timestamp: Date;
}

/** Everything the engine knows about a ScaledObject after reading each of its triggers once. */
export interface ScaledObjectState {
  readonly namespace: string;
  readonly name: string;
  readonly triggers: readonly TriggerMetricState[];
  readonly composite?: CompositeState;
  /** Any trigger active, or the composite value above activationTarget with scalingModifiers. */
  readonly active: boolean;
  /** Any trigger failed. */
  readonly isError: boolean;
  readonly fallbackActive: boolean;
  /** What the HPA is served. */
  readonly metrics: readonly ServedMetric[];
  readonly lastActiveTime?: number;
}

/** What happens to the replica count: KEDA's 0↔1 step when it acts, otherwise the HPA's arithmetic. */
export interface ScaleDecision {
  readonly namespace: string;
  readonly name: string;
  readonly currentReplicas: number;
  readonly desiredReplicas: number;
  /** Who set desiredReplicas: KEDA's executor (0↔1, idle, min), the HPA, or nobody (the count stays). */
  readonly decidedBy: 'keda' | 'hpa' | 'none';
  readonly keda: ScaleExecutorDecision;
  /** The HPA's sync; undefined when the object serves no external metric. */
  readonly hpa?: ReplicaRecommendation;
  readonly state: ScaledObjectState;
}

export interface EvaluateInput {
  /** The scale target's replicas; default: the engine's ReplicaSource. */
  readonly currentReplicas?: number;
  readonly readyReplicas?: number;
  /**
   * The HPA controller's memory to compute with (and not remember). Default: the engine's memory of
   * this object, updated by each call as a controller's would be.
   */
  readonly hpaHistory?: AutoscalerHistory;
}

/** A metric read for the external metrics API: values as served (never negative), maybe fallback's. */
export interface MetricRead {
  readonly metricName: string;
  readonly values: readonly MetricValue[];
  readonly fallback: boolean;
}
