import type { ScaledObjectState, ScalingEngine } from '@updraft/core';
import type { ClusterScaledObject, ClusterScaledObjects } from '../cluster/cluster-scaled-objects.js';
import type { AdapterLogger } from '../serve/logger.js';
import { fallbackCondition } from './conditions.js';
import type { ControllerCluster, ScaledObjectResource } from './controller-cluster.js';
import type { EventRecorder } from './event-recorder.js';
import { EVENT_REASONS, MESSAGES, REASONS, pausedByAnnotation } from './keda-api.js';
import { planScale, type PlannedEvent } from './scale-plan.js';
import { metaTime } from './scaled-object-status.js';
import { StatusDraft } from './status-draft.js';
import type { KeyedLock } from './work-queue.js';

interface Loop {
  /** Only what a tick and stop() read: the whole entry would keep the object of this version alive until the next one. */
  readonly entry: Pick<ClusterScaledObject, 'loaded' | 'errors'>;
  readonly regarding: { readonly namespace: string; readonly name: string; readonly uid?: string };
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

/**
 * KEDA's scale loops (pkg/scaling/scale_handler.go `startScaleLoop`, executor `RequestScale`): one per
 * ScaledObject, every pollingInterval and at once when the engine sees its activity change: read the
 * engine's state and the target's /scale, plan with KEDA's rules, write 0↔1 (or idle/min) through
 * the scale subresource, and write lastActiveTime, conditions, health and triggersActivity.
 */
export class ScaleLoops {
  private readonly loops = new Map<string, Loop>();

  constructor(
    private readonly cluster: ControllerCluster,
    private readonly inventory: ClusterScaledObjects,
    private readonly engine: ScalingEngine,
    private readonly recorder: EventRecorder,
    private readonly lock: KeyedLock,
    private readonly logger: AdapterLogger,
  ) {}

  /** Runs a loop for this version of the object; true when one was (re)started. */
  ensure(key: string, entry: ClusterScaledObject): boolean {
    const current = this.loops.get(key);
    if (current && current.entry.loaded === entry.loaded) return false;
    if (current) this.halt(current);
    const { namespace, name, uid } = entry.object.metadata!;
    const loop: Loop = { entry: { loaded: entry.loaded, errors: entry.errors }, regarding: { namespace: namespace!, name: name!, ...(uid ? { uid } : {}) }, stopped: false };
    this.loops.set(key, loop);
    this.schedule(key, loop, 0);
    return true;
  }

  /** A tick as soon as possible (the engine saw the activity change). */
  kick(key: string): void {
    const loop = this.loops.get(key);
    if (loop && !loop.stopped) this.schedule(key, loop, 0);
  }

  async stop(key: string): Promise<void> {
    const loop = this.loops.get(key);
    if (!loop) return;
    this.loops.delete(key);
    this.halt(loop);
    await this.recorder.emit({
      regarding: loop.regarding,
      type: 'Normal',
      reason: EVENT_REASONS.scalersStopped,
      action: EVENT_REASONS.scalersStopped,
      note: MESSAGES.scalersStopped,
    });
  }

  async stopAll(): Promise<void> {
    for (const loop of this.loops.values()) this.halt(loop);
    this.loops.clear();
    // Wait for ticks holding a lock: nothing writes after this resolves.
    await Promise.all([...new Set(this.inFlight)]);
  }

  private readonly inFlight = new Set<Promise<void>>();

  private halt(loop: Loop): void {
    loop.stopped = true;
    clearTimeout(loop.timer);
  }

  private schedule(key: string, loop: Loop, ms: number): void {
    clearTimeout(loop.timer);
    loop.timer = setTimeout(() => {
      const run = this.lock
        .run(key, () => (loop.stopped ? Promise.resolve(undefined) : this.tick(key, loop)))
        .catch((error: unknown) => {
          this.logger.warn({ scaledObject: key, error: (error as Error).message }, 'scale loop failed');
          return undefined;
        })
        .then((nextMs) => {
          this.inFlight.delete(run);
          const interval = (loop.entry.loaded?.spec.pollingInterval ?? 30) * 1000;
          if (!loop.stopped) this.schedule(key, loop, nextMs === undefined ? interval : Math.min(interval, nextMs));
        });
      this.inFlight.add(run);
    }, ms);
  }

  /** One loop; resolves to the ms until the next one should run when sooner than pollingInterval (a cooldown ending). */
  private async tick(key: string, loop: Loop): Promise<number | undefined> {
    const [namespace, name] = key.split('/') as [string, string];
    const entry = this.inventory.get(namespace, name) ?? loop.entry;
    const loaded = entry.loaded;
    if (!loaded || !this.engine.has({ namespace, name })) return undefined;
    const so = await this.cluster.getScaledObject(namespace, name);
    if (!so || so.metadata.deletionTimestamp || pausedByAnnotation(so.metadata.annotations)) return undefined;
    const gvkr = so.status?.scaleTargetGVKR;
    if (!gvkr) return undefined;
    const draft = new StatusDraft(so.status);
    const events: PlannedEvent[] = [];
    let nextMs: number | undefined;

    const state = await this.engine.state({ namespace, name });
    let scale;
    try {
      scale = await this.cluster.getScale(namespace, gvkr, loaded.spec.scaleTargetRef.name);
    } catch (error) {
      draft.set('Ready', 'False', REASONS.errorGettingCurrentReplicas, `Error getting current replicas count for ScaleTarget: ${(error as Error).message}`);
      await this.commit(so, draft, events);
      return undefined;
    }
    const currentReplicas = scale.spec.replicas ?? 0;
    const now = Date.now();
    const lastActive = so.status?.lastActiveTime ? Date.parse(so.status.lastActiveTime) : undefined;
    const plan = planScale(
      {
        loaded,
        annotations: so.metadata.annotations ?? {},
        active: state.active,
        isError: state.isError,
        fallbackActive: state.fallbackActive,
        activeTriggers: state.triggers.filter((t) => t.active).map((t) => t.metricName),
        currentReplicas,
        ...(lastActive !== undefined && !Number.isNaN(lastActive) ? { lastActiveTime: lastActive } : {}),
        creationTime: Date.parse(so.metadata.creationTimestamp as unknown as string) || now,
        now,
        scaleTargetKind: so.status?.scaleTargetKind ?? `${gvkr.group}/${gvkr.version}.${gvkr.kind}`,
      },
      so.status?.externalMetricNames ?? [],
    );
    let conditions = [...plan.conditions];
    let lastActiveTime = plan.lastActiveTime;
    if (plan.replicas !== undefined && plan.replicas !== currentReplicas) {
      try {
        await this.cluster.replaceScale(namespace, gvkr, scale, plan.replicas);
        this.logger.info({ scaledObject: key, from: currentReplicas, to: plan.replicas, action: plan.decision.action }, 'scaled the target');
        if (plan.onSuccess) events.push(plan.onSuccess);
        conditions = [...conditions, ...plan.conditionsOnSuccess];
        lastActiveTime = plan.lastActiveOnSuccess ?? lastActiveTime;
      } catch (error) {
        this.logger.warn({ scaledObject: key, to: plan.replicas, error: (error as Error).message }, 'scaling the target failed');
        if (plan.onFailure) events.push(plan.onFailure((error as Error).message));
      }
    }
    if (plan.decision.cooldownEndsAt !== undefined) nextMs = Math.max(0, plan.decision.cooldownEndsAt - now) + 1_000;

    // The current version is invalid: Ready stays as the reconciler wrote it (serving the last good one).
    for (const condition of conditions) if (!(condition.type === 'Ready' && entry.errors.length > 0)) draft.set(condition.type, condition.status, condition.reason!, condition.message!);
    if (lastActiveTime !== undefined) draft.status.lastActiveTime = metaTime(lastActiveTime);
    draft.status.triggersActivity = plan.triggersActivity;
    this.fallback(draft, loaded.spec.fallback !== undefined, state, events);
    for (const trigger of state.triggers) {
      if (trigger.error) events.push({ type: 'Warning', reason: EVENT_REASONS.scalerFailed, message: trigger.error.message });
    }
    await this.commit(so, draft, events);
    return nextMs;
  }

  /** Fallback's condition and health (pkg/fallback/fallback.go), with the activated/deactivated events. */
  private fallback(draft: StatusDraft, configured: boolean, state: ScaledObjectState, events: PlannedEvent[]): void {
    if (!configured) return;
    const was = draft.condition('Fallback')?.status === 'True';
    if (state.fallbackActive && !was) events.push({ type: 'Normal', reason: EVENT_REASONS.fallbackActivated, message: MESSAGES.fallbackActivated });
    if (!state.fallbackActive && was) events.push({ type: 'Normal', reason: EVENT_REASONS.fallbackDeactivated, message: MESSAGES.fallbackDeactivated });
    const condition = fallbackCondition(state.fallbackActive);
    draft.set('Fallback', condition.status, condition.reason!, condition.message!);
    draft.status.health = Object.fromEntries(state.triggers.map((t) => [t.metricName, { numberOfFailures: t.health.numberOfFailures, status: t.health.status }]));
  }

  private async commit(so: ScaledObjectResource, draft: StatusDraft, events: readonly PlannedEvent[]): Promise<void> {
    const patch = draft.patch();
    if (patch) await this.cluster.patchScaledObjectStatus(so.metadata.namespace, so.metadata.name, patch);
    for (const event of events) {
      await this.recorder.emit({ regarding: { namespace: so.metadata.namespace, name: so.metadata.name, ...(so.metadata.uid ? { uid: so.metadata.uid } : {}) }, type: event.type, reason: event.reason, action: event.reason, note: event.message });
    }
  }
}
