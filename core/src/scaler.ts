import type { PodIdentity } from './metadata/declaration.js';

/** The HPA target type of an External metric. KEDA rejects `Utilization` for external metrics. */
export type MetricType = 'AverageValue' | 'Value';

/** One External metric the HPA is told about: its name (`s<index>-<name>`), target and target type. */
export interface MetricSpec {
  readonly metricName: string;
  readonly target: number;
  readonly metricType: MetricType;
}

/** A value served to the HPA. */
export interface MetricValue {
  readonly metricName: string;
  readonly value: number;
  readonly timestamp: Date;
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * What one read returns. A read has three outcomes: values; *empty* (the source answered with no
 * data: `empty` says why, and `values` holds what the trigger's empty policy made of it); or an
 * error, which is a rejected promise and never a 0.
 */
export interface MetricsAndActivity {
  readonly values: readonly MetricValue[];
  readonly active: boolean;
  readonly empty?: { readonly reason: string };
}

/** What a scaler knows about the trigger it serves. */
export interface ScalerConfig<M> {
  /** The trigger's parsed metadata, as the scaler's declaration types it. */
  readonly metadata: M;
  readonly triggerType: string;
  readonly triggerIndex: number;
  readonly triggerName?: string;
  readonly metricType: MetricType;
  readonly useCachedMetrics: boolean;
  readonly scaledObject: { readonly namespace: string; readonly name: string };
  /** The TriggerAuthentication's `podIdentity`, when it names a provider other than `none`. */
  readonly podIdentity?: PodIdentity;
}

/** One live instance per trigger. */
export interface Scaler {
  /** The HPA metric specs of this trigger. Pure: no I/O. */
  getMetricSpecs(): MetricSpec[];
  /** Reads the metric source now. Rejects with a ScalerError when the source fails. */
  getMetricsAndActivity(metricName: string, signal: AbortSignal): Promise<MetricsAndActivity>;
  /** Releases connections. Idempotent. */
  close(): Promise<void>;
  /** Push scalers only: reports activity changes as they happen, until `signal` aborts. */
  watchActivity?(signal: AbortSignal, onChange: (active: boolean) => void): void;
}

/** The kinds of failure a scaler tells apart, so that logs, metrics and operators can act on them. */
export type ScalerErrorKind = 'unreachable' | 'auth' | 'tls' | 'timeout' | 'not-found' | 'bad-response' | 'query' | 'unsupported' | 'internal';

/** A metric source failed. The message names the cause and never a credential. */
export class ScalerError extends Error {
  override readonly name = 'ScalerError';
  constructor(
    message: string,
    readonly kind: ScalerErrorKind,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
