/**
 * The scaling engine: background polling with jitter, values served from memory, one fetch per
 * stale value however many readers wait, per-trigger timeouts, rebuilds with backoff, KEDA's
 * fallback, activation and scale to zero, scalingModifiers formulas, and the HPA's arithmetic.
 */
export { type Clock, type TimerHandle, systemClock } from './clock.js';
export { ManualClock } from './manual-clock.js';
export { type Logger, noopLogger } from './logger.js';
export { type BackoffPolicy, DEFAULT_BACKOFF } from './backoff.js';
export {
  EngineClosedError,
  EngineConfigError,
  MetricUnavailableError,
  TriggerFailure,
  UnknownMetricError,
  UnknownScaledObjectError,
  type FailureStage,
} from './errors.js';
export type {
  ActivityChangeEvent,
  EngineListener,
  EngineStats,
  FetchEvent,
  ReadEvent,
  ReadOutcome,
  TriggerChangeEvent,
  TriggerIdentity,
} from './events.js';
export { fallbackMetricValue, fallbackReplicas } from './fallback.js';
export { requestScale, type ScaleExecutorAction, type ScaleExecutorDecision, type ScaleExecutorInput } from './scale-executor.js';
export {
  staticReplicaSource,
  type CompositeState,
  type ErrorRecord,
  type EvaluateInput,
  type MaybePromise,
  type MetricRead,
  type ReplicaCounts,
  type ReplicaSource,
  type ScaleDecision,
  type ScaledObjectRef,
  type ScaledObjectState,
  type ScaleTargetOf,
  type ServedMetric,
  type TriggerHealth,
  type TriggerMetricState,
  type TriggerRecord,
  type ValueRecord,
} from './types.js';
export { DEFAULT_MAX_AGE_INTERVALS, DEFAULT_POLL_JITTER, DEFAULT_TRIGGER_TIMEOUT_MS, ScalingEngine, type EngineOptions } from './scaling-engine.js';
