import type { AutoscalerHistory } from '../hpa/types.js';
import type { MetricSpec } from '../scaler.js';
import { COMPOSITE_METRIC_NAME, type CompiledFormula } from '../scaled-object/formula.js';
import type { ExternalTrigger } from '../scaled-object/loaded-trigger.js';
import type { LoadedScaledObject } from '../scaled-object/scaled-object.js';
import { activityOf, type ActivityInput } from './activity.js';
import type { EngineContext } from './engine-context.js';
import { EngineClosedError, EngineConfigError, MetricUnavailableError, UnknownMetricError, type TriggerFailure } from './errors.js';
import { replicaCounter, type ReplicaCounter } from './fallback.js';
import { decideScale } from './hpa-decision.js';
import { metricState, serveComposite, serveTriggerMetric, type ServingContext } from './serving.js';
import { TriggerRuntime } from './trigger-runtime.js';
import type {
  CompositeState,
  EvaluateInput,
  MaybePromise,
  MetricRead,
  ReplicaCounts,
  ScaledObjectRef,
  ScaledObjectState,
  ScaleDecision,
  ServedMetric,
  TriggerRead,
  TriggerRecord,
} from './types.js';
import { sameMetricName } from './values.js';

/** The trigger metrics a served metric reads, and how it is served from their reads (in the same order). */
interface MetricSource {
  readonly parts: readonly { readonly trigger: TriggerRuntime; readonly metricName: string }[];
  /** One trigger's metric (not the composite): its served read depends on the record alone. */
  readonly single: boolean;
  serve(reads: readonly TriggerRead[], context: ServingContext): MaybePromise<ServedMetric>;
}

// Distinct metric names asked for are remembered; a client asking for endless new names cannot grow memory.
const MAX_REMEMBERED_SOURCES = 64;

/**
 * One ScaledObject in the engine: its triggers, the metrics it serves (each trigger's, or the
 * scalingModifiers composite), its state and activity, and what the HPA would do.
 */
export class ScaledObjectRuntime {
  readonly namespace: string;
  readonly name: string;
  readonly ref: ScaledObjectRef;
  readonly triggers: readonly TriggerRuntime[];
  private readonly formula?: CompiledFormula;
  private readonly createdAt: number;
  private readonly sources = new Map<string, MetricSource | null>();
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
    private readonly context: EngineContext,
  ) {
    this.namespace = object.namespace;
    this.name = object.name;
    this.ref = { namespace: object.namespace, name: object.name };
    this.createdAt = context.clock.now();
    // Not a validation: loadManifests reports these; this is an object loaded for `validate` or built by hand.
    const where = `${object.file}:${object.line}: ${object.namespace}/${object.name}`;
    const external = object.triggers.filter((trigger): trigger is ExternalTrigger => trigger.kind === 'external');
    for (const trigger of external) {
      if (trigger.metadata === undefined || trigger.metricSpecs.length === 0) {
        throw new EngineConfigError(`${where}: spec.triggers[${trigger.index}]: the ${trigger.type} trigger's metadata could not be resolved from the files (values only a cluster has); load with unresolved: 'error' to see why`);
      }
    }
    if (object.spec.advanced?.scalingModifiers && !object.formula) {
      throw new EngineConfigError(`${where}: spec.advanced.scalingModifiers has no compiled formula; load the object with loadManifests`);
    }
    if (object.formula) this.formula = object.formula;
    const pollingIntervalMs = object.spec.pollingInterval * 1000;
    this.triggers = external.map((trigger) => new TriggerRuntime(trigger, this.ref, context, { pollingIntervalMs, onSettled: () => this.onSettled() }));
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

  /**
   * One metric for the external metrics API: the trigger's values, fallback's, or the composite.
   * The read itself when memory answers (and the ReplicaSource, if fallback asks it, answers
   * synchronously); otherwise a promise. Failures are always a rejected promise.
   */
  readMetric(metricName: string): MaybePromise<MetricRead> {
    try {
      this.assertOpen();
      const source = this.metricSource(metricName);
      if (!source) throw new UnknownMetricError(this.namespace, this.name, metricName, this.metricSpecs().map((spec) => spec.metricName));
      if (source.single) {
        const read = source.parts[0]!.trigger.read(source.parts[0]!.metricName);
        return read instanceof Promise ? read.then((answer) => this.served(source, [answer])) : this.served(source, [read]);
      }
      const reads = source.parts.map(({ trigger, metricName: name }) => trigger.read(name));
      if (reads.some((read) => read instanceof Promise)) return Promise.all(reads).then((answers) => this.served(source, answers));
      return this.served(source, reads as TriggerRead[]);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** Reads every trigger once (from memory when fresh) and puts together values, activity and fallback. */
  async state(counts?: ReplicaCounts): Promise<ScaledObjectState> {
    this.assertOpen();
    const reads = new Map<TriggerRuntime, TriggerRead[]>();
    await Promise.all(
      this.triggers.map(async (trigger) => {
        const byMetric: TriggerRead[] = [];
        for (const metricName of trigger.metricNames) byMetric.push(await trigger.read(metricName));
        reads.set(trigger, byMetric);
      }),
    );
    const readOf = (trigger: TriggerRuntime, index: number) => reads.get(trigger)![index]!;
    const triggers = this.triggers.flatMap((trigger) => trigger.metricSpecs.map((spec, index) => metricState(trigger, spec, readOf(trigger, index))));
    const active = activityOf(this.activityInput((trigger, index) => readOf(trigger, index).record))!;
    const context = this.servingContext(replicaCounter(counts, () => this.replicaCountsNow()));

    let metrics: ServedMetric[];
    let composite: CompositeState | undefined;
    const modifiers = this.object.spec.advanced?.scalingModifiers;
    if (modifiers) {
      const served = await serveComposite(modifiers, this.formula!, (name) => readOf(this.namedTrigger(name)!, 0), context);
      composite = {
        metricName: COMPOSITE_METRIC_NAME,
        formula: modifiers.formula,
        ...(served.values ? { value: served.values[0]! } : {}),
        target: modifiers.target,
        activationTarget: modifiers.activationTarget,
        metricType: modifiers.metricType,
        active,
        ...(served.error !== undefined ? { error: served.error } : {}),
      };
      metrics = [served];
    } else {
      metrics = await Promise.all(this.triggers.flatMap((trigger) => trigger.metricSpecs.map((spec, index) => serveTriggerMetric(trigger, spec, readOf(trigger, index), context))));
    }
    return {
      namespace: this.namespace,
      name: this.name,
      triggers,
      ...(composite ? { composite } : {}),
      active,
      isError: triggers.some((t) => t.error !== undefined),
      fallbackActive: metrics.some((metric) => metric.fallback !== undefined),
      metrics,
      ...(this.lastActive === undefined ? {} : { lastActiveTime: this.lastActive }),
    };
  }

  /** KEDA's 0↔1 step and the HPA's arithmetic on the current state. */
  async evaluate(input: EvaluateInput = {}): Promise<ScaleDecision> {
    const counts: ReplicaCounts | undefined =
      input.currentReplicas !== undefined
        ? { currentReplicas: input.currentReplicas, ...(input.readyReplicas !== undefined ? { readyReplicas: input.readyReplicas } : {}) }
        : await this.replicaCountsNow();
    if (counts === undefined) {
      throw new Error(`the current replica count of ${this.namespace}/${this.name} is not known: pass currentReplicas, or give the engine a ReplicaSource`);
    }
    const state = await this.state(counts);
    const history = input.hpaHistory ?? this.hpaHistory;
    const { decision, hpaHistory } = decideScale({
      object: this.object,
      state,
      counts,
      now: this.context.clock.now(),
      createdAt: this.createdAt,
      ...(this.lastActive === undefined ? {} : { lastActiveTime: this.lastActive }),
      ...(history ? { hpaHistory: history } : {}),
      ...(this.context.hpaConfig ? { hpaConfig: this.context.hpaConfig } : {}),
    });
    if (!input.hpaHistory && hpaHistory) this.hpaHistory = hpaHistory;
    return decision;
  }

  /** Activity from what is in memory; undefined until every trigger it depends on has a record. */
  activityFromRecords(): boolean | undefined {
    return activityOf(this.activityInput((trigger, index) => trigger.lastRecord(trigger.metricNames[index]!)));
  }

  private assertOpen(): void {
    if (this.closed) throw new EngineClosedError(`ScaledObject ${this.namespace}/${this.name} is closed`);
  }

  /** The ReplicaSource's answer as it gives it: counts, or a promise of them. May throw. */
  private replicaCountsNow(): MaybePromise<ReplicaCounts | undefined> {
    return this.context.replicas?.replicaCounts({ namespace: this.namespace, scaledObject: this.name, scaleTargetRef: this.object.spec.scaleTargetRef });
  }

  private servingContext(counts: ReplicaCounter): ServingContext {
    return {
      scaledObject: this.ref,
      ...(this.object.spec.fallback ? { fallback: this.object.spec.fallback } : {}),
      counts,
      now: this.context.clock.now(),
      logger: this.context.logger,
    };
  }

  private namedTrigger(name: string): TriggerRuntime | undefined {
    return this.triggers.find((trigger) => trigger.trigger.name === name);
  }

  private activityInput(recordOf: (trigger: TriggerRuntime, metricIndex: number) => TriggerRecord | undefined): ActivityInput {
    const modifiers = this.object.spec.advanced?.scalingModifiers;
    if (modifiers && this.formula) {
      const named = (name: string) => {
        const trigger = this.namedTrigger(name);
        return trigger && recordOf(trigger, 0);
      };
      return { records: [], composite: { formula: this.formula, activationTarget: modifiers.activationTarget, named } };
    }
    return { records: this.triggers.flatMap((trigger) => trigger.metricNames.map((_, index) => recordOf(trigger, index))) };
  }

  /** What serving `metricName` reads; undefined for a name the object does not serve. */
  private metricSource(metricName: string): MetricSource | undefined {
    let source = this.sources.get(metricName);
    if (source === undefined) {
      source = this.findSource(metricName) ?? null;
      if (this.sources.size < MAX_REMEMBERED_SOURCES) this.sources.set(metricName, source);
    }
    return source ?? undefined;
  }

  private findSource(metricName: string): MetricSource | undefined {
    const modifiers = this.object.spec.advanced?.scalingModifiers;
    if (modifiers) {
      if (!sameMetricName(metricName, COMPOSITE_METRIC_NAME)) return undefined;
      const formula = this.formula!;
      // The first metric of each named trigger the formula reads.
      const parts = formula.triggerNames.map((name) => this.namedTrigger(name)!).map((trigger) => ({ trigger, metricName: trigger.metricNames[0]! }));
      return {
        parts,
        single: false,
        serve: (reads, context) => serveComposite(modifiers, formula, (name) => reads[parts.findIndex(({ trigger }) => trigger.trigger.name === name)]!, context),
      };
    }
    for (const trigger of this.triggers) {
      const spec = trigger.metricSpecs.find((s) => sameMetricName(s.metricName, metricName));
      if (spec) return { parts: [{ trigger, metricName: spec.metricName }], single: true, serve: (reads, context) => serveTriggerMetric(trigger, spec, reads[0]!, context) };
    }
    return undefined;
  }

  /** The served read of `source` from its trigger reads: remembered for a trigger's value record, else served now. */
  private served(source: MetricSource, reads: readonly TriggerRead[]): MaybePromise<MetricRead> {
    const record = reads[0]!.record;
    if (source.single && record.kind === 'value') {
      const remembered = this.readOfRecord.get(record);
      if (remembered) return remembered;
    }
    const served = source.serve(reads, this.servingContext(replicaCounter(undefined, () => this.replicaCountsNow())));
    return served instanceof Promise ? served.then((metric) => this.toMetricRead(source, metric, reads)) : this.toMetricRead(source, served, reads);
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
}
