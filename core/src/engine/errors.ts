import type { ScalerErrorKind } from '../scaler.js';

/** Where a trigger failed: each is a failure for fallback's count, as in KEDA's health status. */
export type FailureStage =
  /** factory.create threw (or the trigger's metadata is not usable). */
  | 'construction'
  /** The scaler's metric specs threw, were empty, or did not name the metric asked for. */
  | 'spec'
  /** The read rejected. */
  | 'value'
  /** The read did not answer within the trigger's timeout. */
  | 'timeout'
  /** The source answered with no data and the trigger's empty policy made no value of it. */
  | 'empty';

/** One failed attempt to get a trigger's value. `kind` is the scaler's error kind for `value` failures. */
export class TriggerFailure extends Error {
  override readonly name = 'TriggerFailure';
  constructor(
    message: string,
    readonly stage: FailureStage,
    readonly kind: ScalerErrorKind,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** What events and metrics call this failure: the stage, or the scaler's error kind for a rejected read. */
  get errorKind(): string {
    return this.stage === 'value' ? this.kind : this.stage;
  }
}

/** The engine, or the ScaledObject a read was for, is closed. */
export class EngineClosedError extends Error {
  override readonly name = 'EngineClosedError';
}

/** No ScaledObject of that namespace and name is in the engine. */
export class UnknownScaledObjectError extends Error {
  override readonly name = 'UnknownScaledObjectError';
  constructor(readonly namespace: string, readonly scaledObject: string) {
    super(`no ScaledObject ${namespace}/${scaledObject} is served`);
  }
}

/** The ScaledObject serves no metric of that name. */
export class UnknownMetricError extends Error {
  override readonly name = 'UnknownMetricError';
  constructor(readonly namespace: string, readonly scaledObject: string, readonly metricName: string, readonly known: readonly string[]) {
    super(`no matching metrics found for ${metricName} in ScaledObject ${namespace}/${scaledObject}; it serves ${known.join(', ') || 'no metric'}`);
  }
}

/** The metric cannot be served now: its trigger failed and no fallback applies. */
export class MetricUnavailableError extends Error {
  override readonly name = 'MetricUnavailableError';
  constructor(readonly metricName: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A ScaledObject the engine cannot serve as given (a formula naming unknown triggers, unresolved metadata). */
export class EngineConfigError extends Error {
  override readonly name = 'EngineConfigError';
}
