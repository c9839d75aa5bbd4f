import { inject, injectable } from 'inversify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { BackendCalls, ScalingEngine, type EngineListener, type ScaledObjectRef, type TriggerIdentity } from '@updraft/core';

/**
 * The adapter's own metrics, in Prometheus text on the metrics port. KEDA's names and label names
 * where KEDA has the metric (pkg/metricscollector/prommetrics.go), so that KEDA's dashboards and
 * alerts keep working; `updraft_*` for what KEDA does not measure: the metrics API's latency, reads
 * answered from memory or not, and calls to each backend.
 */
export const AdapterMetrics = Symbol.for('updraft.adapter.AdapterMetrics');

export interface AdapterMetrics {
  readonly registry: Registry;
  /** Starts listening to the engine and to backend calls. */
  start(): void;
  stop(): void;
  /** One answered request of the external metrics API. */
  observeRequest(route: RequestRoute, code: number, seconds: number): void;
  /** A source's problem count (broken files), for alerting. */
  setSourceProblems(source: string, count: number): void;
  /** Drops the series of a ScaledObject that is no longer served. */
  forget(ref: ScaledObjectRef): Promise<void>;
}

export type RequestRoute = 'metric' | 'discovery' | 'health' | 'other';

/** KEDA's label set for per-trigger metrics. */
type KedaLabel = 'namespace' | 'metric' | 'scaledObject' | 'scaler' | 'triggerIndex' | 'type';
const KEDA_LABELS: KedaLabel[] = ['namespace', 'metric', 'scaledObject', 'scaler', 'triggerIndex', 'type'];

@injectable()
export class AdapterMetricsImpl implements AdapterMetrics {
  readonly registry = new Registry();
  private unsubscribe: (() => void)[] = [];

  private readonly value = new Gauge({ name: 'keda_scaler_metrics_value', help: "The current value for each scaler's metric that would be used by the HPA in computing the target average.", labelNames: KEDA_LABELS, registers: [this.registry] });
  private readonly latency = new Gauge({ name: 'keda_scaler_metrics_latency_seconds', help: 'The latency of retrieving current metric from each scaler, in seconds.', labelNames: KEDA_LABELS, registers: [this.registry] });
  private readonly active = new Gauge({ name: 'keda_scaler_active', help: 'Indicates whether a scaler is active (1), or not (0).', labelNames: KEDA_LABELS, registers: [this.registry] });
  private readonly scalerErrors = new Counter({ name: 'keda_scaler_detail_errors_total', help: 'The total number of errors encountered for each scaler.', labelNames: KEDA_LABELS, registers: [this.registry] });
  private readonly objectErrors = new Counter({ name: 'keda_scaled_object_errors_total', help: 'The number of errors that have occurred for each ScaledObject.', labelNames: ['namespace', 'scaledObject'], registers: [this.registry] });
  private readonly emptyResponses = new Counter({
    name: 'keda_scaler_empty_upstream_responses_total',
    help: 'The number of times a scaler returned an empty response from its upstream source (e.g. a Prometheus query returning no results).',
    labelNames: ['namespace', 'scaledResource', 'scaler', 'triggerName', 'metricName', 'resourceType'],
    registers: [this.registry],
  });
  private readonly requests = new Histogram({
    name: 'updraft_metrics_api_request_duration_seconds',
    help: 'Time to answer a request of the external metrics API, by route (metric, discovery, health, other) and HTTP status code.',
    labelNames: ['route', 'code'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly reads = new Counter({
    name: 'updraft_metric_reads_total',
    help: 'Reads of a metric for the external metrics API; cache="hit" when answered from memory, "miss" when the source was asked (once, however many reads waited).',
    labelNames: ['namespace', 'scaledObject', 'metric', 'cache', 'outcome'],
    registers: [this.registry],
  });
  private readonly backendCalls = new Counter({ name: 'updraft_backend_calls_total', help: 'Calls scalers made to their metric sources, by backend, operation and outcome.', labelNames: ['backend', 'operation', 'outcome'], registers: [this.registry] });
  private readonly backendDuration = new Histogram({
    name: 'updraft_backend_call_duration_seconds',
    help: 'Duration of the calls scalers made to their metric sources.',
    labelNames: ['backend', 'operation', 'outcome'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly sourceProblems = new Gauge({ name: 'updraft_source_problems', help: 'Problems of a ScaledObject source now (broken files); the last good version of each broken object is served.', labelNames: ['source'], registers: [this.registry] });

  constructor(
    @inject(ScalingEngine) private readonly engine: ScalingEngine,
    @inject(BackendCalls) private readonly calls: BackendCalls,
  ) {
    const served = this.engine;
    new Gauge({
      name: 'updraft_scaled_objects',
      help: 'ScaledObjects served.',
      registers: [this.registry],
      // Read at scrape time; list() throws once the engine is closed.
      collect() {
        try {
          this.set(served.list().length);
        } catch {
          this.set(0);
        }
      },
    });
    collectDefaultMetrics({ register: this.registry });
  }

  start(): void {
    if (this.unsubscribe.length > 0) return;
    const listener: EngineListener = {
      onRead: (event) => {
        this.reads.inc({ namespace: event.trigger.namespace, scaledObject: event.trigger.scaledObject, metric: event.metricName, cache: event.cacheHit ? 'hit' : 'miss', outcome: event.outcome });
      },
      onFetch: (event) => {
        const labels = kedaLabels(event.trigger, event.metricName);
        this.latency.set(labels, event.latencyMs / 1000);
        if (event.outcome === 'error') {
          this.scalerErrors.inc(labels);
          this.objectErrors.inc({ namespace: event.trigger.namespace, scaledObject: event.trigger.scaledObject });
        } else {
          // As KEDA does: a series at 0 once the trigger has answered, so that rate() works from the first error.
          this.scalerErrors.inc(labels, 0);
          this.objectErrors.inc({ namespace: event.trigger.namespace, scaledObject: event.trigger.scaledObject }, 0);
        }
        if (event.outcome === 'empty' || event.errorKind === 'empty') {
          this.emptyResponses.inc({
            namespace: event.trigger.namespace,
            scaledResource: event.trigger.scaledObject,
            scaler: event.trigger.triggerType,
            triggerName: event.trigger.triggerName ?? '',
            metricName: event.metricName,
            resourceType: 'ScaledObject',
          });
        }
      },
      onTriggerChange: (event) => {
        const labels = kedaLabels(event.trigger, event.metricName);
        if (event.value !== undefined) this.value.set(labels, event.value);
        this.active.set(labels, event.active ? 1 : 0);
      },
    };
    this.unsubscribe.push(this.engine.subscribe(listener));
    this.unsubscribe.push(
      this.calls.onRecord((call) => {
        const labels = { backend: call.backend, operation: call.operation, outcome: call.outcome };
        this.backendCalls.inc(labels);
        this.backendDuration.observe(labels, call.durationMs / 1000);
      }),
    );
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.unsubscribe = [];
  }

  observeRequest(route: RequestRoute, code: number, seconds: number): void {
    this.requests.observe({ route, code: String(code) }, seconds);
  }

  setSourceProblems(source: string, count: number): void {
    this.sourceProblems.set({ source }, count);
  }

  async forget(ref: ScaledObjectRef): Promise<void> {
    const matches = (labels: Record<string, unknown>) =>
      labels.namespace === ref.namespace && (labels.scaledObject === ref.name || labels.scaledResource === ref.name);
    for (const metric of [this.value, this.latency, this.active, this.scalerErrors, this.objectErrors, this.emptyResponses, this.reads] as const) {
      const { values } = await (metric as Gauge).get();
      for (const sample of values) if (matches(sample.labels)) (metric as Gauge).remove(sample.labels as Record<string, string>);
    }
  }
}

function kedaLabels(trigger: TriggerIdentity, metricName: string): Record<KedaLabel, string> {
  return {
    namespace: trigger.namespace,
    metric: metricName,
    scaledObject: trigger.scaledObject,
    scaler: trigger.triggerType,
    triggerIndex: String(trigger.triggerIndex),
    type: 'scaledobject',
  };
}
