import { inject, injectable } from 'inversify';
import {
  EngineClosedError,
  formatQuantity,
  MetricUnavailableError,
  ScalingEngine,
  TriggerFailure,
  type MaybePromise,
  type MetricRead,
  UnknownMetricError,
  UnknownScaledObjectError,
} from '@updraft/core';
import { requiredValue, type LabelSelector } from './label-selector.js';
import {
  externalMetricValueList,
  formatTimestamp,
  internalError,
  metricNotFound,
  serviceUnavailable,
  StatusError,
  type ExternalMetricValueList,
} from './wire-format.js';

/** The label KEDA's operator puts on every HPA metric selector. */
export const SCALED_OBJECT_NAME_LABEL = 'scaledobject.keda.sh/name';

/**
 * What the external metrics API serves: KEDA's provider `GetExternalMetric(namespace, selector,
 * metric)`. Rejects with a StatusError, which the server writes as a metav1.Status.
 */
export const ExternalMetricsProvider = Symbol.for('updraft.adapter.ExternalMetricsProvider');

export interface ExternalMetricsProvider {
  /** The answer itself when it is in memory, else a promise of it; failures are a rejected promise. */
  getExternalMetric(namespace: string, metricName: string, selector: LabelSelector): MaybePromise<ExternalMetricAnswer>;
}

export interface ExternalMetricAnswer {
  readonly list: ExternalMetricValueList;
  /** The list as JSON, when the provider has it already. */
  readonly body?: string;
}

/** The engine, answering as KEDA's metrics server does. */
@injectable()
export class EngineMetricsProvider implements ExternalMetricsProvider {
  /** The answer made of each MetricRead: the engine gives the same MetricRead object for every read of the same record. */
  private readonly answers = new WeakMap<MetricRead, ExternalMetricAnswer>();

  constructor(@inject(ScalingEngine) private readonly engine: ScalingEngine) {}

  getExternalMetric(namespace: string, metricName: string, selector: LabelSelector): MaybePromise<ExternalMetricAnswer> {
    const name = requiredValue(selector, SCALED_OBJECT_NAME_LABEL);
    // KEDA's message and status (a plain Go error: 500, no reason).
    if (name === undefined) return Promise.reject(new StatusError(500, 'scaledObject name is not specified'));
    const read = this.engine.readMetric({ namespace, name }, metricName);
    if (!(read instanceof Promise)) return this.answerOf(read);
    return read.then(
      (answer) => this.answerOf(answer),
      (error: unknown) => {
        throw toStatus(error, namespace, name, metricName);
      },
    );
  }

  private answerOf(read: MetricRead): ExternalMetricAnswer {
    let answer = this.answers.get(read);
    if (!answer) {
      const list = externalMetricValueList(
        read.values.map((value) => ({
          metricName: value.metricName,
          metricLabels: null,
          timestamp: formatTimestamp(value.timestamp),
          // The engine serves values clamped as KEDA does (never NaN or negative).
          value: formatQuantity(value.value),
        })),
      );
      answer = { list, body: JSON.stringify(list) };
      this.answers.set(read, answer);
    }
    return answer;
  }
}

/** The Status for a failed read: what the HPA logs in its FailedGetExternalMetric event. */
export function toStatus(error: unknown, namespace: string, scaledObject: string, metricName: string): StatusError {
  if (error instanceof StatusError) return error;
  const forWhat = `ScaledObject ${namespace}/${scaledObject}`;
  if (error instanceof UnknownScaledObjectError) return metricNotFound(metricName, `${forWhat} (no such ScaledObject is served)`);
  if (error instanceof UnknownMetricError) {
    return metricNotFound(metricName, `${forWhat} (it serves ${error.known.join(', ') || 'no external metric'})`);
  }
  if (error instanceof MetricUnavailableError) {
    const failure = triggerFailureOf(error);
    const kind = failure?.errorKind;
    // The source is down or slow: 503. It answered, but wrongly (auth, query, bad data): 500.
    if (kind === undefined || kind === 'unreachable' || kind === 'timeout' || kind === 'tls') {
      return serviceUnavailable(error.message, kind ? [{ reason: kind, message: failure!.message }] : undefined);
    }
    return new StatusError(500, `Internal error occurred: ${error.message}`, 'InternalError', { causes: [{ reason: kind, message: failure!.message }] });
  }
  if (error instanceof EngineClosedError) return serviceUnavailable(`the metrics server is shutting down: ${error.message}`);
  return internalError(error instanceof Error ? error.message : String(error));
}

function triggerFailureOf(error: Error): TriggerFailure | undefined {
  for (let cause: unknown = error.cause; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof TriggerFailure) return cause;
  }
  return undefined;
}
