/**
 * The scaling engine: background polling with jitter, values served from memory, one fetch per
 * stale value however many readers wait, per-trigger timeouts, rebuilds with backoff, KEDA's
 * fallback, activation and scale to zero, scalingModifiers formulas, and the HPA's arithmetic.
 */
export { type Clock, type TimerHandle, systemClock } from './clock.js';
export { ManualClock } from './manual-clock.js';
export { type Logger, noopLogger } from './logger.js';
export { type BackoffPolicy, DEFAULT_BACKOFF, backoffDelay, jittered } from './backoff.js';
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
export { COMPOSITE_METRIC_NAME, compileFormula, FormulaError, type CompiledFormula } from './formula.js';
export { fallbackApplies, fallbackMetricValue, fallbackReplicas, type ReplicaCounts } from './fallback.js';
export { requestScale, type ScaleExecutorAction, type ScaleExecutorDecision, type ScaleExecutorInput } from './scale-executor.js';
export type { TriggerHealth, TriggerRecord, ValueRecord, ErrorRecord } from './trigger-runtime.js';
export {
  staticReplicaSource,
  type CompositeState,
  type EvaluateInput,
  type MetricRead,
  type ReplicaSource,
  type ScaleDecision,
  type ScaledObjectState,
  type ScaleTargetOf,
  type ServedMetric,
  type TriggerMetricState,
} from './scaled-object-runtime.js';
export {
  createEngine,
  DEFAULT_MAX_AGE_INTERVALS,
  DEFAULT_POLL_JITTER,
  DEFAULT_TRIGGER_TIMEOUT_MS,
  ManifestLoadError,
  ScalingEngine,
  type CreateEngineOptions,
  type EngineOptions,
  type ScaledObjectRef,
} from './scaling-engine.js';
