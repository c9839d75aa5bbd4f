import { reconcileAutoscaler } from '../hpa/reconcile.js';
import type { HPAControllerConfiguration } from '../hpa/defaults.js';
import type { AutoscalerHistory, ExternalMetric, ReplicaRecommendation } from '../hpa/types.js';
import type { MetricSpec, MetricType, MetricValue } from '../scaler.js';
import type { ExternalTrigger } from '../scaled-object/loaded-trigger.js';
import { RESOURCE_TRIGGER_TYPES, type LoadedScaledObject, type ScaleTargetRef } from '../scaled-object/scaled-object.js';
import { EngineClosedError, EngineConfigError, MetricUnavailableError, UnknownMetricError, type TriggerFailure } from './errors.js';
import { fallbackApplies, fallbackMetricValue, fallbackReplicas, type ReplicaCounts } from './fallback.js';
import { COMPOSITE_METRIC_NAME, compileFormula, FormulaError, type CompiledFormula } from './formula.js';
import type { TriggerIdentity } from './events.js';
import { requestScale, type ScaleExecutorDecision } from './scale-executor.js';
import { sameMetricName, sumOf, TriggerRuntime, type TriggerContext, type TriggerHealth, type TriggerRead, type TriggerRecord } from './trigger-runtime.js';

/** Where the engine learns the scale target's replica counts (the adapter asks the cluster; `check` has a flag). */
export interface ReplicaSource {
  replicaCounts(target: ScaleTargetOf): ReplicaCounts | undefined | Promise<ReplicaCounts | undefined>;
}

/** The scale target of one ScaledObject. */
export interface ScaleTargetOf {
  readonly namespace: string;
  readonly scaledObject: string;
  readonly scaleTargetRef: ScaleTargetRef;
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
  /** The sum of the values; undefined when the trigger failed. */
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

/** A metric as the HPA is served it: values (maybe fallback's) or an error. It spreads into the HPA's ExternalMetric. */
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

/** What a ScaledObject needs from the engine besides what each trigger needs. */
export interface ScaledObjectContext extends Omit<TriggerContext, 'onSettled' | 'pollingIntervalMs' | 'maxAgeMs'> {
  readonly replicas?: ReplicaSource;
  readonly hpaConfig?: Partial<HPAControllerConfiguration>;
  maxAgeMs(pollingIntervalMs: number): number;
}

/** A metric read for the external metrics API. */
export interface MetricRead {
  readonly metricName: string;
  readonly values: readonly MetricValue[];
  readonly fallback: boolean;
}

/**
 * One ScaledObject in the engine: its triggers, the scalingModifiers formula checked against their
 * names, fallback over every failure path, activity, and what the HPA would do.
 */
export class ScaledObjectRuntime {
  readonly namespace: string;
  readonly name: string;
  readonly triggers: readonly TriggerRuntime[];
  private readonly formula?: CompiledFormula;
  private readonly createdAt: number;
  /**
   * The MetricRead made of a trigger's value record: a pure function of the record (immutable) and
   * its spec, so each read of the same record gets the same object instead of a new one.
   */
  private readonly readOfRecord = new WeakMap<TriggerRecord, MetricRead>();
  private lastActive?: number;
  private activity?: boolean;
  private hpaHistory?: AutoscalerHistory;
  private closed = false;

  constructor(
    readonly object: LoadedScaledObject,
    private readonly context: ScaledObjectContext,
  ) {
    this.namespace = object.namespace;
    this.name = object.name;
    this.createdAt = context.clock.now();
    const where = `${object.file}:${object.line}: ${object.namespace}/${object.name}`;
    const external = object.triggers.filter((trigger): trigger is ExternalTrigger => trigger.kind === 'external');
    for (const trigger of external) {
      if (trigger.metadata === undefined || trigger.metricSpecs.length === 0) {
        throw new EngineConfigError(`${where}: spec.triggers[${trigger.index}]: the ${trigger.type} trigger's metadata could not be resolved from the files (values only a cluster has); load with unresolved: 'error' to see why`);
      }
    }
    const modifiers = object.spec.advanced?.scalingModifiers;
    if (modifiers) {
      // KEDA compiles the formula with one variable per named trigger that is not cpu or memory.
      const names = object.spec.triggers.filter((t) => t.name && !RESOURCE_TRIGGER_TYPES.has(t.type)).map((t) => t.name!);
      try {
        this.formula = compileFormula(modifiers.formula, names);
      } catch (error) {
        throw new EngineConfigError(`${where}: spec.advanced.scalingModifiers.formula: ${(error as Error).message}`);
      }
      if (!(modifiers.target > 0)) throw new EngineConfigError(`${where}: spec.advanced.scalingModifiers.target: must be a number greater than 0`);
    }
    const pollingIntervalMs = object.spec.pollingInterval * 1000;
    this.triggers = external.map(
      (trigger) =>
        new TriggerRuntime(trigger, object, {
          ...context,
          pollingIntervalMs,
          maxAgeMs: context.maxAgeMs(pollingIntervalMs),
          onSettled: () => this.onSettled(),
        }),
    );
  }

  get ref(): { readonly namespace: string; readonly name: string } {
    return { namespace: this.namespace, name: this.name };
  }

  /** The metrics the HPA is told about: each trigger's, or the one composite metric with scalingModifiers. */
  metricSpecs(): MetricSpec[] {
    const modifiers = this.object.spec.advanced?.scalingModifiers;
    if (modifiers) return [{ metricName: COMPOSITE_METRIC_NAME, target: modifiers.target, metricType: modifiers.metricType }];
    return this.triggers.flatMap((trigger) => [...trigger.metricSpecs]);
  }

  /** When the object was last seen active; undefined when never. */
  get lastActiveTime(): number | undefined {
    return this.lastActive;
  }

  /** Starts each trigger's poll, the first spread over its polling interval. */
  start(): void {
    for (const trigger of this.triggers) {
      trigger.start(this.context.random() * this.object.spec.pollingInterval * 1000);
    }
  }

  /** Waits for reads in flight, then closes every scaler once. Reads afterwards fail with EngineClosedError. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.allSettled(this.triggers.map((trigger) => trigger.close()));
  }

  /** One metric for the external metrics API: the trigger's values, fallback's, or the composite. */
  async readMetric(metricName: string): Promise<MetricRead> {
    this.assertOpen();
    const source = this.metricSource(metricName);
    if (!source) throw new UnknownMetricError(this.namespace, this.name, metricName, this.metricSpecs().map((spec) => spec.metricName));
    const reads = await Promise.all(source.parts.map(({ trigger, metricName: name }) => trigger.read(name)));
    return this.remembered(source, reads) ?? this.toMetricRead(source, await source.serve(reads), reads);
  }

  /**
   * `readMetric`'s answer when memory gives it synchronously (fresh values or useCachedMetrics
   * records, fallback, the composite), with the same onRead events; undefined, telling nothing,
   * whenever `readMetric` would fetch, wait for the ReplicaSource, or fail.
   */
  peekMetric(metricName: string): MetricRead | undefined {
    if (this.closed) return undefined;
    const source = this.metricSource(metricName);
    if (!source) return undefined;
    const started = this.context.clock.now();
    const reads: TriggerRead[] = [];
    for (const { trigger, metricName: name } of source.parts) {
      const read = trigger.fromMemory(name, started);
      if (!read) return undefined;
      reads.push(read);
    }
    let read = this.remembered(source, reads);
    if (!read) {
      let served: MaybePromise<ServedMetric>;
      try {
        served = source.serve(reads);
      } catch {
        return undefined;
      }
      // An asynchronous ReplicaSource: readMetric waits for it (the promise never rejects).
      if (served instanceof Promise || served.error !== undefined || !served.values) return undefined;
      read = this.toMetricRead(source, served, reads);
    }
    for (let i = 0; i < reads.length; i++) source.parts[i]!.trigger.countRead(reads[i]!, started);
    return read;
  }

  /** The MetricRead already made of this value record (one trigger, no composite), if any. */
  private remembered(source: MetricSource, reads: readonly TriggerRead[]): MetricRead | undefined {
    return source.single && reads[0]!.record.kind === 'value' ? this.readOfRecord.get(reads[0]!.record) : undefined;
  }

  /** What serving a metric reads (which trigger metrics) and how it puts the reads together; undefined for a name the object does not serve. */
  private metricSource(metricName: string): MetricSource | undefined {
    if (this.object.spec.advanced?.scalingModifiers) {
      if (!sameMetricName(metricName, COMPOSITE_METRIC_NAME)) return undefined;
      const names = this.formula!.triggerNames;
      // The first metric of each named trigger the formula reads.
      const parts = this.triggers.filter((trigger) => trigger.trigger.name !== undefined && names.includes(trigger.trigger.name)).map((trigger) => ({ trigger, metricName: trigger.metricNames[0]! }));
      return { parts, single: false, serve: (reads) => this.compositeServed(new Map(parts.map(({ trigger }, i) => [trigger.trigger.name!, reads[i]!])), undefined) };
    }
    for (const trigger of this.triggers) {
      const spec = trigger.metricSpecs.find((s) => sameMetricName(s.metricName, metricName));
      if (spec) return { parts: [{ trigger, metricName: spec.metricName }], single: true, serve: (reads) => this.servedFor(trigger, spec, reads[0]!, undefined) };
    }
    return undefined;
  }

  /** Reads every trigger once (from memory when fresh) and puts together values, activity and fallback. */
  async state(counts?: ReplicaCounts): Promise<ScaledObjectState> {
    this.assertOpen();
    const reads = new Map<TriggerRuntime, Map<string, TriggerRead>>();
    await Promise.all(
      this.triggers.map(async (trigger) => {
        const byMetric = new Map<string, TriggerRead>();
        for (const metricName of trigger.metricNames) byMetric.set(metricName, await trigger.read(metricName));
        reads.set(trigger, byMetric);
      }),
    );

    const triggers: TriggerMetricState[] = [];
    for (const trigger of this.triggers) {
      for (const spec of trigger.metricSpecs) {
        const read = reads.get(trigger)!.get(spec.metricName)!;
        triggers.push(metricState(trigger, spec, read));
      }
    }
    const isError = triggers.some((t) => t.error !== undefined);
    const counter = replicaCounter(this, counts);

    let metrics: ServedMetric[];
    let composite: CompositeState | undefined;
    let active: boolean;
    const modifiers = this.object.spec.advanced?.scalingModifiers;
    if (modifiers) {
      const named = new Map<string, TriggerRead>();
      for (const trigger of this.triggers) {
        if (trigger.trigger.name && this.formula!.triggerNames.includes(trigger.trigger.name)) named.set(trigger.trigger.name, reads.get(trigger)!.values().next().value!);
      }
      const served = await this.compositeServed(named, counter);
      const referencedError = [...named.values()].some((read) => read.record.kind === 'error');
      // As in KEDA, a failing trigger makes the object inactive, whatever fallback serves the HPA.
      const compositeActive = !referencedError && served.fallback === undefined && served.values !== undefined && served.values[0]! > modifiers.activationTarget;
      composite = {
        metricName: COMPOSITE_METRIC_NAME,
        formula: modifiers.formula,
        ...(served.values ? { value: served.values[0]! } : {}),
        target: modifiers.target,
        activationTarget: modifiers.activationTarget,
        metricType: modifiers.metricType,
        active: compositeActive,
        ...(served.error !== undefined ? { error: served.error } : {}),
      };
      metrics = [served];
      active = compositeActive;
    } else {
      metrics = [];
      for (const trigger of this.triggers) {
        for (const spec of trigger.metricSpecs) metrics.push(await this.servedFor(trigger, spec, reads.get(trigger)!.get(spec.metricName)!, counter));
      }
      // Only cpu/memory triggers: KEDA treats the object as always active.
      active = this.triggers.length === 0 || triggers.some((t) => t.active);
    }
    return {
      namespace: this.namespace,
      name: this.name,
      triggers,
      ...(composite ? { composite } : {}),
      active,
      isError,
      fallbackActive: metrics.some((metric) => metric.fallback !== undefined),
      metrics,
      ...(this.lastActive === undefined ? {} : { lastActiveTime: this.lastActive }),
    };
  }

  /** KEDA's 0↔1 step and the HPA's arithmetic on the current state. */
  async evaluate(input: EvaluateInput = {}): Promise<ScaleDecision> {
    let counts: ReplicaCounts | undefined;
    if (input.currentReplicas !== undefined) {
      counts = { currentReplicas: input.currentReplicas, ...(input.readyReplicas !== undefined ? { readyReplicas: input.readyReplicas } : {}) };
    } else {
      counts = await this.replicaCountsFromSource();
    }
    if (counts === undefined) {
      throw new Error(`the current replica count of ${this.namespace}/${this.name} is not known: pass currentReplicas, or give the engine a ReplicaSource`);
    }
    const state = await this.state(counts);
    const now = this.context.clock.now();
    const { spec } = this.object;
    const currentReplicas = counts.currentReplicas;
    const keda = requestScale({
      spec,
      annotations: this.object.annotations,
      isActive: state.active,
      isError: state.isError,
      currentReplicas,
      ...(this.lastActive === undefined ? {} : { lastActiveTime: this.lastActive }),
      creationTime: this.createdAt,
      now,
    });

    let hpa: ReplicaRecommendation | undefined;
    const history = input.hpaHistory ?? this.hpaHistory;
    if (state.metrics.length > 0) {
      const metrics: ExternalMetric[] = state.metrics.map((metric) => ({
        metricName: metric.metricName,
        metricType: metric.metricType,
        target: metric.target,
        ...(metric.values ? { values: metric.values.map(servedValue) } : {}),
        ...(metric.error !== undefined ? { error: metric.error } : {}),
      }));
      hpa = reconcileAutoscaler({
        spec: {
          minReplicas: Math.max(1, spec.minReplicaCount),
          maxReplicas: spec.maxReplicaCount,
          ...(spec.advanced?.horizontalPodAutoscalerConfig?.behavior ? { behavior: spec.advanced.horizontalPodAutoscalerConfig.behavior } : {}),
        },
        scale: { specReplicas: currentReplicas, readyPodCount: counts.readyReplicas ?? currentReplicas },
        metrics,
        now,
        ...(history ? { history } : {}),
        ...(this.context.hpaConfig ? { config: this.context.hpaConfig } : {}),
      });
      if (!input.hpaHistory) this.hpaHistory = hpa.history;
    }

    let desiredReplicas = currentReplicas;
    let decidedBy: ScaleDecision['decidedBy'] = 'none';
    if (keda.replicas !== undefined) {
      desiredReplicas = keda.replicas;
      decidedBy = 'keda';
    } else if (keda.action !== 'paused' && currentReplicas > 0 && hpa) {
      desiredReplicas = hpa.desiredReplicas;
      decidedBy = 'hpa';
    }
    return { namespace: this.namespace, name: this.name, currentReplicas, desiredReplicas, decidedBy, keda, ...(hpa ? { hpa } : {}), state };
  }

  private assertOpen(): void {
    if (this.closed) throw new EngineClosedError(`ScaledObject ${this.namespace}/${this.name} is closed`);
  }

  async replicaCountsFromSource(): Promise<ReplicaCounts | undefined> {
    return this.replicaCountsNow();
  }

  /** The ReplicaSource's answer as it gives it: counts, or a promise of them. May throw. */
  replicaCountsNow(): MaybePromise<ReplicaCounts | undefined> {
    return this.context.replicas?.replicaCounts({ namespace: this.namespace, scaledObject: this.name, scaleTargetRef: this.object.spec.scaleTargetRef });
  }

  /** A trigger's metric as the HPA is served it, with KEDA's fallback (pkg/fallback) on any failure. */
  private servedFor(trigger: TriggerRuntime, spec: MetricSpec, read: TriggerRead, counter: ReplicaCounter | undefined): MaybePromise<ServedMetric> {
    const base = { metricName: spec.metricName, target: spec.target, metricType: spec.metricType };
    const { record, health } = read;
    if (record.kind === 'value') return { ...base, values: record.values.map((v) => v.value), timestamp: new Date(record.at) };
    const fallback = this.object.spec.fallback;
    const error = `${trigger.trigger.type} trigger ${trigger.trigger.index}${trigger.trigger.name ? ` (${trigger.trigger.name})` : ''}: ${record.failure.message}`;
    if (!fallbackApplies(fallback, health.numberOfFailures)) return { ...base, error, timestamp: new Date(record.at) };
    return withCounts(
      counter ?? replicaCounter(this, undefined),
      fallback.behavior !== 'static' || spec.metricType === 'Value',
      (counts) => {
        const replicas = fallbackReplicas(fallback, counts?.currentReplicas);
        const value = fallbackMetricValue(spec.target, spec.metricType, replicas, counts?.readyReplicas ?? counts?.currentReplicas);
        this.context.logger.info({ scaledObject: this.ref, metricName: spec.metricName, replicas, error: record.failure.message }, 'suppressing a trigger error: serving the fallback value');
        return { ...base, values: [value], fallback: { replicas, value }, timestamp: new Date(this.context.clock.now()) };
      },
      (problem) => ({ ...base, error: `${error}; fallback cannot apply: ${(problem as Error).message}`, timestamp: new Date(record.at) }),
    );
  }

  /** The composite metric: the formula over the named triggers, or fallback's value when one fails. */
  private compositeServed(reads: ReadonlyMap<string, TriggerRead>, counter: ReplicaCounter | undefined): MaybePromise<ServedMetric> {
    const modifiers = this.object.spec.advanced!.scalingModifiers!;
    const formula = this.formula!;
    const fallback = this.object.spec.fallback;
    const base = { metricName: COMPOSITE_METRIC_NAME, target: modifiers.target, metricType: modifiers.metricType };
    const now = new Date(this.context.clock.now());
    const withFallback = (why: string, behaviorReplicas: boolean): MaybePromise<ServedMetric> =>
      withCounts(
        counter ?? replicaCounter(this, undefined),
        behaviorReplicas || modifiers.metricType === 'Value',
        (counts) => {
          const replicas = behaviorReplicas ? fallbackReplicas(fallback!, counts?.currentReplicas) : fallback!.replicas;
          const value = fallbackMetricValue(modifiers.target, modifiers.metricType, replicas, counts?.readyReplicas ?? counts?.currentReplicas);
          this.context.logger.info({ scaledObject: this.ref, replicas, why }, 'serving the fallback value for composite-metric');
          return { ...base, values: [value], fallback: { replicas, value }, timestamp: now };
        },
        (problem) => ({ ...base, error: `${why}; fallback cannot apply: ${(problem as Error).message}`, timestamp: now }),
      );

    const values: Record<string, number | null> = {};
    const failing: { name: string; read: TriggerRead }[] = [];
    for (const name of formula.triggerNames) {
      // Every name the formula uses is a trigger of this object: compileFormula checked it.
      const read = reads.get(name)!;
      if (read.record.kind === 'value') {
        values[name] = sumOf(read.record.values);
      } else if (fallback?.behavior === 'scalingModifiers' && fallbackApplies(fallback, read.health.numberOfFailures)) {
        // KEDA's scalingModifiers behaviour: the failed trigger reaches the formula as nil, for `??`.
        values[name] = null;
      } else {
        failing.push({ name, read });
      }
    }
    if (failing.length > 0) {
      const why = failing.map(({ name, read }) => `trigger ${name}: ${(read.record as { failure: TriggerFailure }).failure.message}`).join('; ');
      // KEDA skips the formula while fallback is active: the composite takes fallback's value.
      if (fallback && fallback.behavior !== 'scalingModifiers' && failing.every(({ read }) => fallbackApplies(fallback, read.health.numberOfFailures))) {
        return withFallback(why, true);
      }
      return { ...base, error: why, timestamp: now };
    }
    let value: number | null;
    try {
      value = formula.evaluate(values);
    } catch (error) {
      if (error instanceof FormulaError) return { ...base, error: error.message, timestamp: now };
      throw error;
    }
    if (value === null) {
      // KEDA: a formula that evaluates to nil under the scalingModifiers behaviour gives fallback.replicas × target.
      if (fallback?.behavior === 'scalingModifiers') return withFallback(`formula ${JSON.stringify(formula.source)} evaluated to nil`, false);
      return { ...base, error: `formula ${JSON.stringify(formula.source)} evaluated to nil`, timestamp: now };
    }
    return { ...base, values: [value], timestamp: now };
  }

  /** The served metric as read, or MetricUnavailableError with the (first) trigger failure behind it as its cause. */
  private toMetricRead(source: MetricSource, served: ServedMetric, reads: readonly TriggerRead[]): MetricRead {
    if (served.error !== undefined || !served.values) {
      const failed = reads.find((read) => read.record.kind === 'error')?.record as { failure: TriggerFailure } | undefined;
      throw new MetricUnavailableError(served.metricName, `metric:${served.metricName} encountered error: ${served.error ?? 'no value'}`, failed ? { cause: failed.failure } : undefined);
    }
    const read: MetricRead = {
      metricName: served.metricName,
      values: served.values.map((value) => ({ metricName: served.metricName, value, timestamp: served.timestamp })),
      fallback: served.fallback !== undefined,
    };
    // A trigger's own values (not fallback's, not the composite, both stamped with the time of reading) depend on the record alone.
    if (source.single && !read.fallback && reads[0]!.record.kind === 'value') this.readOfRecord.set(reads[0]!.record, read);
    return read;
  }

  /** After every fetch: the object's activity from the latest records, lastActiveTime, and change events. */
  private onSettled(): void {
    const active = this.activityFromRecords();
    if (active === undefined) return;
    if (active) this.lastActive = this.context.clock.now();
    if (active !== this.activity) {
      this.activity = active;
      this.context.emit('onActivityChange', { namespace: this.namespace, scaledObject: this.name, active });
    }
  }

  /** Activity from what is in memory; undefined until every trigger it depends on has a record. */
  activityFromRecords(): boolean | undefined {
    const modifiers = this.object.spec.advanced?.scalingModifiers;
    if (!modifiers) {
      const records = this.triggers.flatMap((trigger) => trigger.metricNames.map((name) => trigger.peek(name)));
      if (records.some((record) => record === undefined)) return undefined;
      return this.triggers.length === 0 || records.some((record) => record!.kind === 'value' && record!.active);
    }
    const values: Record<string, number> = {};
    for (const name of this.formula!.triggerNames) {
      const trigger = this.triggers.find((t) => t.trigger.name === name);
      const record: TriggerRecord | undefined = trigger?.peek(trigger.metricNames[0]!);
      if (record === undefined) return undefined;
      if (record.kind === 'error') return false;
      values[name] = sumOf(record.values);
    }
    try {
      const value = this.formula!.evaluate(values);
      return value !== null && value > modifiers.activationTarget;
    } catch {
      return false;
    }
  }
}

type MaybePromise<T> = T | Promise<T>;

/** The trigger metrics a served metric reads, and how it is served from their reads (in the same order). */
interface MetricSource {
  readonly parts: readonly { readonly trigger: TriggerRuntime; readonly metricName: string }[];
  /** One trigger's metric (not the composite). */
  readonly single: boolean;
  serve(reads: readonly TriggerRead[]): MaybePromise<ServedMetric>;
}

/**
 * Replica counts, asked of the ReplicaSource at most once per state and only when fallback needs
 * them: synchronously when the source answers synchronously.
 */
type ReplicaCounter = (needed: boolean) => MaybePromise<ReplicaCounts | undefined>;

function replicaCounter(runtime: ScaledObjectRuntime, given: ReplicaCounts | undefined): ReplicaCounter {
  let asked = false;
  let counts: MaybePromise<ReplicaCounts | undefined>;
  return (needed) => {
    if (given || !needed) return given;
    if (!asked) {
      asked = true;
      try {
        counts = runtime.replicaCountsNow();
      } catch (error) {
        counts = Promise.reject(error as Error);
      }
    }
    return counts;
  };
}

/**
 * Fallback's served metric from the replica counts: computed at once when the counter answers
 * synchronously, else a promise (that never rejects). `fail` makes the served error of any problem.
 */
function withCounts(
  counter: ReplicaCounter,
  needed: boolean,
  serve: (counts: ReplicaCounts | undefined) => ServedMetric,
  fail: (problem: unknown) => ServedMetric,
): MaybePromise<ServedMetric> {
  const finish = (counts: ReplicaCounts | undefined): ServedMetric => {
    try {
      return serve(counts);
    } catch (problem) {
      return fail(problem);
    }
  };
  let counts: MaybePromise<ReplicaCounts | undefined>;
  try {
    counts = counter(needed);
  } catch (problem) {
    return fail(problem);
  }
  return counts instanceof Promise ? counts.then(finish, fail) : finish(counts);
}

function metricState(trigger: TriggerRuntime, spec: MetricSpec, read: TriggerRead): TriggerMetricState {
  const { record } = read;
  const common = { trigger: trigger.identity, metricName: spec.metricName, target: spec.target, metricType: spec.metricType, health: read.health, at: record.at, cacheHit: read.cacheHit };
  if (record.kind === 'error') return { ...common, active: false, error: record.failure };
  return { ...common, value: sumOf(record.values), values: record.values, active: record.active, ...(record.empty ? { empty: record.empty } : {}) };
}

/** KEDA's quantityFromFloat64: NaN, infinities and negative values are served as 0. */
function servedValue(value: number): number {
  return Number.isFinite(value) && value > 0 ? value : 0;
}
