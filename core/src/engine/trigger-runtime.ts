import { ScalerError, type MetricSpec, type MetricsAndActivity, type Scaler, type ScalerErrorKind } from '../scaler.js';
import { scalerConfigOf, type ExternalTrigger } from '../scaled-object/loaded-trigger.js';
import { backoffDelay, jittered } from './backoff.js';
import type { TimerHandle } from './clock.js';
import type { EngineContext } from './engine-context.js';
import { EngineClosedError, TriggerFailure } from './errors.js';
import type { ReadOutcome, TriggerIdentity } from './events.js';
import { ScalerHandle } from './scaler-handle.js';
import type { MaybePromise, ScaledObjectRef, TriggerHealth, TriggerRead, TriggerRecord } from './types.js';
import { sameMetricName, sumOf } from './values.js';

/** How often one trigger polls, and whom it tells when a fetch settles: set by its ScaledObject. */
export interface TriggerSchedule {
  readonly pollingIntervalMs: number;
  /** Called after every fetch settles, so the ScaledObject can recompute its activity. */
  readonly onSettled: () => void;
}

type Attempt = { readonly ok: true; readonly result: MetricsAndActivity } | { readonly ok: false; readonly failure: TriggerFailure };

/**
 * One trigger in the engine: its scaler (built on first use, rebuilt after a failure with backoff),
 * the last record of each of its metrics, one fetch in flight per metric however many readers
 * wait, a per-call timeout, and the background poll.
 */
export class TriggerRuntime {
  readonly identity: TriggerIdentity;
  /** The HPA metric specs of this trigger, as loaded. */
  readonly metricSpecs: readonly MetricSpec[];
  readonly useCachedMetrics: boolean;
  /** This trigger's per-call timeout. */
  readonly timeoutMs: number;
  private readonly maxAgeMs: number;

  private handle?: ScalerHandle;
  private readonly records = new Map<string, TriggerRecord>();
  private readonly health = new Map<string, TriggerHealth>();
  private readonly inflight = new Map<string, Promise<TriggerRecord>>();
  private readonly closing = new Set<Promise<void>>();
  private consecutiveFailures = 0;
  private retryAt = 0;
  private lastFailure?: TriggerFailure;
  private succeededBefore = false;
  private polling = false;
  private timer?: TimerHandle;
  private closed = false;
  private closeDone?: Promise<void>;

  constructor(
    readonly trigger: ExternalTrigger,
    private readonly scaledObject: ScaledObjectRef,
    private readonly context: EngineContext,
    private readonly schedule: TriggerSchedule,
  ) {
    this.identity = {
      namespace: scaledObject.namespace,
      scaledObject: scaledObject.name,
      triggerIndex: trigger.index,
      triggerType: trigger.type,
      ...(trigger.name ? { triggerName: trigger.name } : {}),
    };
    this.metricSpecs = trigger.metricSpecs;
    this.useCachedMetrics = trigger.useCachedMetrics;
    this.timeoutMs = context.timeoutMs(this.identity);
    this.maxAgeMs = context.maxAgeMs(schedule.pollingIntervalMs);
  }

  get metricNames(): string[] {
    return this.metricSpecs.map((spec) => spec.metricName);
  }

  /** The last record of a metric, without reading anything. */
  lastRecord(metricName: string): TriggerRecord | undefined {
    return this.records.get(metricName);
  }

  healthOf(metricName: string): TriggerHealth {
    return this.health.get(metricName) ?? { numberOfFailures: 0, status: 'Happy' };
  }

  /**
   * A value for the HPA or an embedder: synchronously from memory when it may be served from there
   * (fresh, or any record with useCachedMetrics, KEDA's meaning), else one fetch shared by every
   * concurrent reader. Each read is counted and told (onRead) once.
   */
  read(metricName: string): MaybePromise<TriggerRead> {
    if (this.closed) return Promise.reject(this.closedError());
    const started = this.context.clock.now();
    const cached = this.records.get(metricName);
    if (cached !== undefined && (this.useCachedMetrics || started - cached.at <= this.maxAgeMs)) {
      return this.counted({ record: cached, health: this.healthOf(metricName), cacheHit: true }, started);
    }
    return this.fetch(metricName, 'read').then((record) => this.counted({ record, health: this.healthOf(metricName), cacheHit: false }, started));
  }

  private counted(read: TriggerRead, started: number): TriggerRead {
    const { stats } = this.context;
    stats.reads += 1;
    if (read.cacheHit) stats.cacheHits += 1;
    else stats.cacheMisses += 1;
    this.context.emit('onRead', {
      trigger: this.identity,
      metricName: read.record.metricName,
      latencyMs: this.context.clock.now() - started,
      ...outcomeOf(read.record),
      cacheHit: read.cacheHit,
    });
    return read;
  }

  /** Asks the source now, unless a fetch of this metric is already in flight: then its answer is shared. */
  fetch(metricName: string, reason: 'poll' | 'read'): Promise<TriggerRecord> {
    if (this.closed) return Promise.reject(this.closedError());
    const running = this.inflight.get(metricName);
    if (running) return running;
    const attempt = this.attempt(metricName, reason).finally(() => this.inflight.delete(metricName));
    this.inflight.set(metricName, attempt);
    return attempt;
  }

  /** Starts the background poll, the first one after `initialDelayMs` (spread by the engine). */
  start(initialDelayMs: number): void {
    if (this.closed || this.polling) return;
    this.polling = true;
    this.scheduleNext(initialDelayMs);
  }

  /** Waits for the fetches in flight, then closes the scaler (once). Reads after this fail. */
  close(): Promise<void> {
    this.closeDone ??= this.doClose();
    return this.closeDone;
  }

  private async doClose(): Promise<void> {
    this.closed = true;
    this.polling = false;
    if (this.timer !== undefined) this.context.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await Promise.allSettled([...this.inflight.values()]);
    if (this.handle) this.retire(this.handle);
    await Promise.allSettled([...this.closing]);
  }

  private closedError(): EngineClosedError {
    return new EngineClosedError(`ScaledObject ${this.scaledObject.namespace}/${this.scaledObject.name} is closed: trigger ${this.trigger.index} (${this.trigger.type}) no longer reads`);
  }

  private scheduleNext(delayMs: number): void {
    if (this.timer !== undefined) this.context.clock.clearTimeout(this.timer);
    this.timer = this.context.clock.setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, Math.max(0, delayMs));
  }

  private async poll(): Promise<void> {
    if (this.closed) return;
    // Each metric's fetch reschedules the next poll when it settles.
    await Promise.allSettled(this.metricNames.map((metricName) => this.fetch(metricName, 'poll')));
  }

  private async attempt(metricName: string, reason: 'poll' | 'read'): Promise<TriggerRecord> {
    const { clock } = this.context;
    const started = clock.now();
    if (this.lastFailure && started < this.retryAt) {
      // Backing off: the source is not asked, and the poll still counts as a failure.
      return this.settle({ kind: 'error', metricName, at: started, failure: this.lastFailure, backingOff: true });
    }
    const deadline = started + this.timeoutMs;
    const healthyBefore = this.succeededBefore && this.consecutiveFailures === 0;
    let attempt = await this.call(metricName, deadline, reason);
    // A scaler that worked and now fails (a dropped connection) is rebuilt and asked once more, within
    // the same timeout, as KEDA refreshes a scaler after an error. During an outage there is no retry.
    if (!attempt.ok && attempt.failure.stage === 'value' && healthyBefore && clock.now() < deadline) {
      attempt = await this.call(metricName, deadline, reason);
    }
    const at = clock.now();
    if (!attempt.ok) return this.settle({ kind: 'error', metricName, at, failure: attempt.failure, backingOff: false });
    const { result } = attempt;
    return this.settle({
      kind: 'value',
      metricName,
      at,
      values: [...result.values],
      active: result.active,
      ...(result.empty ? { empty: { reason: result.empty.reason } } : {}),
    });
  }

  /** One call to the source: build the scaler if needed, check its specs, read within the deadline. */
  private async call(metricName: string, deadline: number, reason: 'poll' | 'read'): Promise<Attempt> {
    const { clock, stats } = this.context;
    const started = clock.now();
    let built = false;
    let handle: ScalerHandle | undefined;
    let attempt: Attempt;
    try {
      if (!this.handle) {
        built = true;
        this.handle = this.build();
      }
      handle = this.handle;
      if (!handle.specs.some((spec) => sameMetricName(spec.metricName, metricName))) {
        throw new TriggerFailure(`the ${this.trigger.type} scaler's metric specs (${handle.specs.map((spec) => spec.metricName).join(', ')}) do not include ${metricName}`, 'spec', 'internal');
      }
      const result = await this.withTimeout(handle, metricName, deadline - started);
      if (result.empty) stats.emptyAnswers += 1;
      if (result.empty && result.values.length === 0) {
        throw new TriggerFailure(`the source answered with no data (${result.empty.reason}), and the trigger's empty policy makes that an error`, 'empty', 'bad-response');
      }
      attempt = { ok: true, result };
    } catch (error) {
      attempt = { ok: false, failure: asFailure(error) };
      // KEDA refreshes a scaler after any error: this one is closed once idle, the next call builds anew.
      if (this.handle && this.handle === handle) {
        this.retire(this.handle);
        this.handle = undefined;
      }
    }
    stats.fetches += 1;
    if (!attempt.ok) stats.failures[attempt.failure.errorKind] = (stats.failures[attempt.failure.errorKind] ?? 0) + 1;
    this.context.emit('onFetch', {
      trigger: this.identity,
      metricName,
      latencyMs: clock.now() - started,
      ...(attempt.ok ? outcomeOfResult(attempt.result) : { outcome: 'error' as const, errorKind: attempt.failure.errorKind }),
      reason,
      built,
    });
    if (!attempt.ok) {
      this.context.logger.debug({ trigger: this.identity, metricName, stage: attempt.failure.stage, kind: attempt.failure.kind, error: attempt.failure.message }, 'metric source call failed');
    }
    return attempt;
  }

  private build(): ScalerHandle {
    const { trigger } = this;
    const metadata = trigger.metadata;
    if (metadata === undefined) {
      throw new TriggerFailure('the trigger metadata could not be resolved (it needs values only a cluster has)', 'construction', 'internal');
    }
    let scaler: Scaler;
    try {
      const factory = this.context.registry.get(trigger.type);
      scaler = factory.create(scalerConfigOf(trigger, metadata, this.scaledObject));
    } catch (error) {
      throw new TriggerFailure(`creating the ${trigger.type} scaler failed: ${messageOf(error)}`, 'construction', error instanceof ScalerError ? error.kind : 'internal', { cause: error });
    }
    this.context.stats.scalersBuilt += 1;
    let specs: MetricSpec[];
    try {
      specs = scaler.getMetricSpecs();
    } catch (error) {
      this.retire(new ScalerHandle(scaler, [], (s) => this.closeScaler(s)));
      throw new TriggerFailure(`the ${trigger.type} scaler's metric specs failed: ${messageOf(error)}`, 'spec', error instanceof ScalerError ? error.kind : 'internal', { cause: error });
    }
    if (!Array.isArray(specs) || specs.length === 0) {
      this.retire(new ScalerHandle(scaler, [], (s) => this.closeScaler(s)));
      throw new TriggerFailure(`got empty metric spec from the ${trigger.type} scaler`, 'spec', 'internal');
    }
    return new ScalerHandle(scaler, specs, (s) => this.closeScaler(s));
  }

  private retire(handle: ScalerHandle): void {
    const closing = handle.retire();
    this.closing.add(closing);
    void closing.finally(() => this.closing.delete(closing));
  }

  private async closeScaler(scaler: Scaler): Promise<void> {
    this.context.stats.scalersClosed += 1;
    try {
      await scaler.close();
    } catch (error) {
      this.context.logger.warn({ trigger: this.identity, error: messageOf(error) }, 'closing a scaler failed');
    }
  }

  private async withTimeout(handle: ScalerHandle, metricName: string, remainingMs: number): Promise<MetricsAndActivity> {
    const { clock } = this.context;
    const { timeoutMs } = this;
    if (remainingMs <= 0) throw new TriggerFailure(`no answer within the ${timeoutMs} ms timeout`, 'timeout', 'timeout');
    const controller = new AbortController();
    let timer: TimerHandle | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = clock.setTimeout(() => {
        const failure = new TriggerFailure(`no answer within the ${timeoutMs} ms timeout`, 'timeout', 'timeout');
        controller.abort(failure);
        reject(failure);
      }, remainingMs);
    });
    handle.acquire();
    let call: Promise<MetricsAndActivity>;
    try {
      call = Promise.resolve(handle.scaler.getMetricsAndActivity(metricName, controller.signal));
    } catch (error) {
      call = Promise.reject(error);
    }
    // A read that answers after its timeout is ignored, and must not surface as an unhandled rejection.
    call.catch(() => undefined);
    try {
      return await Promise.race([call, timedOut]);
    } catch (error) {
      if (error instanceof TriggerFailure) throw error;
      throw new TriggerFailure(messageOf(error), 'value', error instanceof ScalerError ? error.kind : 'internal', { cause: error });
    } finally {
      if (timer !== undefined) clock.clearTimeout(timer);
      handle.release();
    }
  }

  /** Stores the record, updates health and backoff, tells listeners, and schedules the next poll. */
  private settle(record: TriggerRecord): TriggerRecord {
    const { metricName } = record;
    const previous = this.records.get(metricName);
    this.records.set(metricName, record);
    if (record.kind === 'value') {
      this.health.set(metricName, { numberOfFailures: 0, status: 'Happy' });
      this.consecutiveFailures = 0;
      this.retryAt = 0;
      this.lastFailure = undefined;
      this.succeededBefore = true;
    } else {
      const failures = this.healthOf(metricName).numberOfFailures + 1;
      this.health.set(metricName, { numberOfFailures: failures, status: 'Failing' });
      if (!record.backingOff) {
        this.consecutiveFailures += 1;
        this.lastFailure = record.failure;
        this.retryAt = record.at + jittered(backoffDelay(this.context.backoff, this.consecutiveFailures), this.context.jitter, this.context.random);
      }
    }
    if (changed(previous, record)) {
      // One line per change of state, not one per failed poll.
      if (record.kind === 'error') {
        const { stage, kind, message } = record.failure;
        this.context.logger.warn({ trigger: this.identity, metricName, stage, kind, error: message, health: this.healthOf(metricName) }, 'trigger failing');
      } else if (previous?.kind === 'error') {
        this.context.logger.info({ trigger: this.identity, metricName }, 'trigger recovered');
      }
      this.context.emit('onTriggerChange', {
        trigger: this.identity,
        metricName,
        ...(record.kind === 'value' ? { value: sumOf(record.values), active: record.active } : { error: record.failure.message }),
        health: this.healthOf(metricName),
      });
    }
    this.schedule.onSettled();
    if (this.polling && !this.closed) {
      this.scheduleNext(jittered(this.schedule.pollingIntervalMs, this.context.jitter, this.context.random));
    }
    return record;
  }
}

function changed(previous: TriggerRecord | undefined, next: TriggerRecord): boolean {
  if (!previous || previous.kind !== next.kind) return true;
  if (previous.kind === 'value' && next.kind === 'value') return previous.active !== next.active || sumOf(previous.values) !== sumOf(next.values);
  return previous.kind === 'error' && next.kind === 'error' && previous.failure.message !== next.failure.message;
}

function outcomeOf(record: TriggerRecord): { outcome: ReadOutcome; errorKind?: string } {
  if (record.kind === 'error') return { outcome: 'error', errorKind: record.failure.errorKind };
  return { outcome: record.empty ? 'empty' : 'value' };
}

function outcomeOfResult(result: MetricsAndActivity): { outcome: ReadOutcome } {
  return { outcome: result.empty ? 'empty' : 'value' };
}

function asFailure(error: unknown): TriggerFailure {
  if (error instanceof TriggerFailure) return error;
  const kind: ScalerErrorKind = error instanceof ScalerError ? error.kind : 'internal';
  return new TriggerFailure(messageOf(error), 'value', kind, { cause: error });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
