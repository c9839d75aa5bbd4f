import type { Container } from 'inversify';
import type { HPAControllerConfiguration } from '../hpa/defaults.js';
import type { MetricSpec } from '../scaler.js';
import { ScalerRegistry } from '../scaler-registry.js';
import { formatDiagnostic } from '../scaled-object/diagnostic.js';
import { loadManifests, ManifestLoadError } from '../scaled-object/load-manifests.js';
import type { ManifestSource } from '../scaled-object/manifest-object.js';
import type { LoadedScaledObject } from '../scaled-object/scaled-object.js';
import { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { systemClock, type Clock } from './clock.js';
import type { EngineContext, StatsCounters } from './engine-context.js';
import { EngineClosedError, UnknownScaledObjectError } from './errors.js';
import type { EngineListener, EngineStats, TriggerIdentity } from './events.js';
import { noopLogger, type Logger } from './logger.js';
import { ScaledObjectRuntime } from './scaled-object-runtime.js';
import type { EvaluateInput, MaybePromise, MetricRead, ReplicaSource, ScaleDecision, ScaledObjectRef, ScaledObjectState } from './types.js';

/** The default per-trigger timeout: KEDA's global HTTP timeout (KEDA_HTTP_DEFAULT_TIMEOUT). */
export const DEFAULT_TRIGGER_TIMEOUT_MS = 3_000;
/** A value older than this many polling intervals is stale: a read fetches it (once) instead of serving it. */
export const DEFAULT_MAX_AGE_INTERVALS = 1.5;
/** Each poll is moved by up to ±10% of the interval, so that objects with one interval drift apart. */
export const DEFAULT_POLL_JITTER = 0.1;

export interface EngineOptions {
  /** The scaler registry; or give `container` and it is resolved from there. */
  readonly registry?: ScalerRegistry;
  /** A container with core's module and the scaler plugins loaded (e.g. `createContainer()` of @updraft/adapter). */
  readonly container?: Pick<Container, 'get'>;
  /**
   * ScaledObject YAML to serve (one text, or files already read) with its TriggerAuthentications,
   * Secrets and workloads, loaded as `updraft check` loads it: a value only a cluster could supply is
   * an error. Any error throws ManifestLoadError; warnings go to the logger.
   */
  readonly manifests?: string | readonly ManifestSource[];
  /** Objects already loaded with loadManifests, to serve. */
  readonly scaledObjects?: readonly LoadedScaledObject[];
  /** Default: the process clock. Tests pass a ManualClock. */
  readonly clock?: Clock;
  /** pino-compatible; default: logs nothing. */
  readonly logger?: Logger;
  /** The scale target's current and ready replicas, for fallback's behaviours, Value fallback and desiredReplicas. */
  readonly replicas?: ReplicaSource;
  /** Per-trigger read timeout in ms, for every trigger or per trigger. Default 3000. */
  readonly timeoutMs?: number | ((trigger: TriggerIdentity) => number);
  /** How old a value may be and still be served from memory, in ms. Default: 1.5 × the object's pollingInterval. */
  readonly maxAgeMs?: number | ((pollingIntervalMs: number) => number);
  /** How failing triggers are retried. Default: 1 s doubling to 2 min. */
  readonly backoff?: Partial<BackoffPolicy>;
  /** ± fraction applied to poll intervals and backoff waits. Default 0.1. */
  readonly jitter?: number;
  /** Random numbers in [0, 1) for jitter and the first poll's spread. Default Math.random. */
  readonly random?: () => number;
  /** kube-controller-manager flags for the HPA arithmetic (tolerance, downscale stabilization). */
  readonly hpaConfig?: Partial<HPAControllerConfiguration>;
}

/**
 * Updraft's scaling engine: every trigger of every ScaledObject polled in the background, values
 * served from memory, one fetch per stale value however many readers wait, per-trigger timeouts,
 * rebuilds with backoff, KEDA's fallback, activity and scalingModifiers, and the HPA's arithmetic.
 *
 * ```ts
 * const engine = new ScalingEngine({ container, manifests: yamlText });
 * engine.start();
 * const decision = await engine.evaluate({ namespace: 'default', name: 'worker' }, { currentReplicas: 2 });
 * await engine.close();
 * ```
 */
export class ScalingEngine {
  private readonly objects = new Map<string, ScaledObjectRuntime>();
  private readonly listeners = new Set<EngineListener>();
  private readonly closing = new Set<Promise<void>>();
  private readonly counters: StatsCounters = { reads: 0, cacheHits: 0, cacheMisses: 0, fetches: 0, emptyAnswers: 0, failures: {}, scalersBuilt: 0, scalersClosed: 0 };
  private readonly logger: Logger;
  private readonly context: EngineContext;
  private started = false;
  private closed = false;
  private closeDone?: Promise<void>;

  /** The one way to make an engine. Throws ManifestLoadError when `manifests` has errors. */
  constructor(options: EngineOptions) {
    const registry = options.registry ?? options.container?.get<ScalerRegistry>(ScalerRegistry);
    if (!registry) throw new Error('a ScalingEngine needs a registry, or a container to resolve it from');
    this.logger = options.logger ?? noopLogger;
    this.context = this.contextOf(options, registry);
    for (const object of options.scaledObjects ?? []) this.add(object);
    if (options.manifests !== undefined) {
      const sources = typeof options.manifests === 'string' ? [{ file: '<manifests>', text: options.manifests }] : options.manifests;
      const loaded = loadManifests(sources, registry, { unresolved: 'error' });
      if (loaded.diagnostics.some((d) => d.severity === 'error')) throw new ManifestLoadError(loaded.diagnostics);
      for (const d of loaded.diagnostics) if (d.severity === 'warning') this.logger.warn({ diagnostic: formatDiagnostic(d) }, 'ScaledObject warning');
      for (const object of loaded.scaledObjects) this.add(object);
    }
  }

  /**
   * Serves a ScaledObject loaded by loadManifests (replacing one of the same namespace and name,
   * which is closed). Whatever loaded without errors for `check` or `serve` is served; only an
   * object loaded with unresolved values (as `validate` loads) or built by hand throws
   * EngineConfigError. Scalers are built on first use, not here.
   */
  add(object: LoadedScaledObject): void {
    this.assertOpen();
    const runtime = new ScaledObjectRuntime(object, this.context);
    const key = keyOf(object);
    const previous = this.objects.get(key);
    this.objects.set(key, runtime);
    if (previous) this.track(previous.close());
    if (this.started) runtime.start();
  }

  /** Stops serving a ScaledObject: waits for its reads in flight, then closes its scalers. */
  async remove(ref: ScaledObjectRef): Promise<void> {
    const key = keyOf(ref);
    const runtime = this.objects.get(key);
    if (!runtime) return;
    this.objects.delete(key);
    await this.track(runtime.close());
  }

  /** The ScaledObjects served, sorted by namespace and name. */
  list(): ScaledObjectRef[] {
    return [...this.objects.values()].map((runtime) => runtime.ref).sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  }

  has(ref: ScaledObjectRef): boolean {
    return this.objects.has(keyOf(ref));
  }

  /** Starts the background polls: each trigger's first poll falls at a random point of its interval. */
  start(): void {
    this.assertOpen();
    if (this.started) return;
    this.started = true;
    for (const runtime of this.objects.values()) runtime.start();
  }

  /** Stops polling, waits for reads in flight, closes every scaler once. Reads afterwards fail with EngineClosedError. */
  close(): Promise<void> {
    this.closeDone ??= (async () => {
      this.closed = true;
      const runtimes = [...this.objects.values()];
      this.objects.clear();
      await Promise.allSettled([...runtimes.map((runtime) => runtime.close()), ...this.closing]);
    })();
    return this.closeDone;
  }

  /** The metrics the HPA is told about for this object: `s<i>-<name>` each, or `composite-metric`. */
  metricSpecs(ref: ScaledObjectRef): MetricSpec[] {
    return this.runtime(ref).metricSpecs();
  }

  /**
   * One metric as the external metrics API serves it (matched case-insensitively, as KEDA does):
   * values from memory or one shared fetch, fallback's value when it applies. The read itself,
   * without a promise, when memory answers it (the fast path of a server: `read instanceof Promise`
   * tells); otherwise a promise. Failures are always a rejected promise: MetricUnavailableError when
   * the trigger failed without fallback (its cause is the TriggerFailure), UnknownMetricError for a
   * name the object does not serve, UnknownScaledObjectError, EngineClosedError.
   *
   * ```ts
   * const read = await engine.readMetric(ref, metricName);
   * ```
   */
  readMetric(ref: ScaledObjectRef, metricName: string): MaybePromise<MetricRead> {
    if (this.closed) return Promise.reject(new EngineClosedError('the scaling engine is closed'));
    const runtime = this.objects.get(keyOf(ref));
    if (!runtime) return Promise.reject(new UnknownScaledObjectError(ref.namespace, ref.name));
    return runtime.readMetric(metricName);
  }

  /** Reads every trigger of the object once (from memory when fresh): values, errors, health, activity, the composite. */
  async state(ref: ScaledObjectRef): Promise<ScaledObjectState> {
    return this.runtime(ref).state();
  }

  /**
   * What happens to the replica count now: KEDA's 0↔1 step (minReplicaCount, idleReplicaCount,
   * cooldownPeriod) and the HPA's arithmetic on the served metrics, from `currentReplicas` or the
   * engine's ReplicaSource.
   */
  async evaluate(ref: ScaledObjectRef, input?: EvaluateInput): Promise<ScaleDecision> {
    return this.runtime(ref).evaluate(input);
  }

  /** Whether the object is active by what is in memory; undefined until each trigger has been read once. */
  isActive(ref: ScaledObjectRef): boolean | undefined {
    return this.runtime(ref).activityFromRecords();
  }

  /** Listens to reads, fetches, value and activity changes. Returns the unsubscribe. */
  subscribe(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stats(): EngineStats {
    return { ...this.counters, failures: { ...this.counters.failures } };
  }

  private runtime(ref: ScaledObjectRef): ScaledObjectRuntime {
    this.assertOpen();
    const runtime = this.objects.get(keyOf(ref));
    if (!runtime) throw new UnknownScaledObjectError(ref.namespace, ref.name);
    return runtime;
  }

  private assertOpen(): void {
    if (this.closed) throw new EngineClosedError('the scaling engine is closed');
  }

  private track(closing: Promise<void>): Promise<void> {
    this.closing.add(closing);
    void closing.finally(() => this.closing.delete(closing));
    return closing;
  }

  private contextOf(options: EngineOptions, registry: ScalerRegistry): EngineContext {
    const { timeoutMs, maxAgeMs } = options;
    return {
      registry,
      clock: options.clock ?? systemClock,
      logger: this.logger,
      timeoutMs: typeof timeoutMs === 'function' ? timeoutMs : () => timeoutMs ?? DEFAULT_TRIGGER_TIMEOUT_MS,
      maxAgeMs: (pollingIntervalMs) => (typeof maxAgeMs === 'number' ? maxAgeMs : maxAgeMs ? maxAgeMs(pollingIntervalMs) : DEFAULT_MAX_AGE_INTERVALS * pollingIntervalMs),
      backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
      jitter: options.jitter ?? DEFAULT_POLL_JITTER,
      random: options.random ?? Math.random,
      stats: this.counters,
      emit: (kind, event) => {
        for (const listener of this.listeners) {
          try {
            (listener[kind] as ((e: typeof event) => void) | undefined)?.call(listener, event);
          } catch (error) {
            this.logger.warn({ error: (error as Error).message, event: kind }, 'an engine listener threw');
          }
        }
      },
      ...(options.replicas ? { replicas: options.replicas } : {}),
      ...(options.hpaConfig ? { hpaConfig: options.hpaConfig } : {}),
    };
  }
}

function keyOf(ref: ScaledObjectRef): string {
  return `${ref.namespace}/${ref.name}`;
}
