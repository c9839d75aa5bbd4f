import type { HorizontalPodAutoscalerBehavior } from '../hpa/types.js';
import type { CompiledFormula } from './formula.js';
import type { LoadedTrigger } from './loaded-trigger.js';

/** The API version of ScaledObject, TriggerAuthentication and ClusterTriggerAuthentication. */
export const KEDA_API_VERSION = 'keda.sh/v1alpha1';

/** The HPA target type a trigger asks for; `Utilization` is only valid on cpu and memory triggers. */
export type TriggerMetricType = 'AverageValue' | 'Value' | 'Utilization';

export type FallbackBehavior = 'static' | 'currentReplicas' | 'currentReplicasIfHigher' | 'currentReplicasIfLower' | 'scalingModifiers';

export type AuthenticationRefKind = 'TriggerAuthentication' | 'ClusterTriggerAuthentication';

export interface AuthenticationRef {
  readonly name: string;
  readonly kind: AuthenticationRefKind;
}

/** One entry of `spec.triggers`, with KEDA's defaults applied. */
export interface ScaleTrigger {
  readonly type: string;
  readonly name?: string;
  /** The raw strings, as written in YAML. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly authenticationRef?: AuthenticationRef;
  readonly metricType: TriggerMetricType;
  readonly useCachedMetrics: boolean;
}

export interface ScaleTargetRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** The container whose env feeds `<name>FromEnv`; the first container when unset. */
  readonly envSourceContainerName?: string;
}

export interface Fallback {
  readonly failureThreshold: number;
  readonly replicas: number;
  readonly behavior: FallbackBehavior;
}

export interface HorizontalPodAutoscalerConfig {
  /** Default `keda-hpa-<ScaledObject name>`. */
  readonly name?: string;
  /** Copied into the HPA. */
  readonly behavior?: HorizontalPodAutoscalerBehavior;
}

/** A formula over trigger names that replaces every external metric with one composite metric. */
export interface ScalingModifiers {
  readonly formula: string;
  /** Parsed from KEDA's string field; greater than 0. */
  readonly target: number;
  /** Parsed from KEDA's string field; default 0. */
  readonly activationTarget: number;
  readonly metricType: 'AverageValue' | 'Value';
}

export interface AdvancedConfig {
  readonly horizontalPodAutoscalerConfig?: HorizontalPodAutoscalerConfig;
  readonly restoreToOriginalReplicaCount: boolean;
  /** Present only when a formula is set. */
  readonly scalingModifiers?: ScalingModifiers;
}

/** `spec` of a ScaledObject with KEDA's defaults applied. */
export interface ScaledObjectSpec {
  readonly scaleTargetRef: ScaleTargetRef;
  /** Seconds; default 30. */
  readonly pollingInterval: number;
  /** Seconds; default 0. */
  readonly initialCooldownPeriod: number;
  /** Seconds; default 300. Applies only to scaling to zero (or to idleReplicaCount). */
  readonly cooldownPeriod: number;
  readonly idleReplicaCount?: number;
  /** Default 0. */
  readonly minReplicaCount: number;
  /** Default 100. */
  readonly maxReplicaCount: number;
  readonly advanced?: AdvancedConfig;
  readonly fallback?: Fallback;
  readonly triggers: readonly ScaleTrigger[];
}

/** A ScaledObject that loaded without errors: its spec, and every trigger ready for the engine. */
export interface LoadedScaledObject {
  readonly namespace: string;
  readonly name: string;
  /** Where the document starts. */
  readonly file: string;
  readonly line: number;
  readonly labels: Readonly<Record<string, string>>;
  /** Carries KEDA's switches, e.g. `autoscaling.keda.sh/paused`. */
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: ScaledObjectSpec;
  /** One per `spec.triggers` entry, same order and index. */
  readonly triggers: readonly LoadedTrigger[];
  /**
   * `spec.advanced.scalingModifiers.formula`, compiled once by the loader against the trigger names;
   * set exactly when scalingModifiers is. The engine evaluates this and never compiles again.
   */
  readonly formula?: CompiledFormula;
}

/** KEDA's defaults (keda-behaviour.md §3.1). */
export const SCALED_OBJECT_DEFAULTS = {
  pollingInterval: 30,
  initialCooldownPeriod: 0,
  cooldownPeriod: 300,
  minReplicaCount: 0,
  maxReplicaCount: 100,
  scaleTargetApiVersion: 'apps/v1',
  scaleTargetKind: 'Deployment',
  fallbackBehavior: 'static',
  metricType: 'AverageValue',
  activationTarget: 0,
} as const;

/** The trigger types the HPA serves itself from metrics-server (Resource metrics); Updraft only notes them. */
export const RESOURCE_TRIGGER_TYPES: ReadonlySet<string> = new Set(['cpu', 'memory']);
