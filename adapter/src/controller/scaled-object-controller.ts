import type { ScalingEngine } from '@updraft/core';
import type { ClusterScaledObject, ClusterScaledObjects } from '../cluster/cluster-scaled-objects.js';
import type { AdapterLogger } from '../serve/logger.js';
import { invalidReadyCondition } from './conditions.js';
import { ClusterCallError, type ControllerCluster, type ScaledObjectResource } from './controller-cluster.js';
import type { EventRecorder } from './event-recorder.js';
import { buildHorizontalPodAutoscaler, gvkString, hpaNameOf, HpaSpecError, type GroupVersionKindResource, type HorizontalPodAutoscaler } from './horizontal-pod-autoscaler.js';
import { hpaDifferences } from './hpa-diff.js';
import { ANNOTATIONS, EVENT_REASONS, FINALIZER, MESSAGES, REASONS, SCALED_OBJECT_KIND, SCALED_OBJECT_NAME_LABEL, boolAnnotation, pausedByAnnotation, pausedReplicaCount } from './keda-api.js';
import { ScaleLoops } from './scale-loops.js';
import { metricNames, parseGroupVersion } from './scaled-object-status.js';
import { StatusDraft } from './status-draft.js';
import { KeyedLock, WorkQueue } from './work-queue.js';

export interface ScaledObjectControllerOptions {
  /** `app.kubernetes.io/version` of the HPAs. */
  readonly version: string;
  /** Every ScaledObject is reconciled again this often, which also repairs an HPA edited or deleted by hand. Default 30 s. */
  readonly resyncIntervalMs?: number;
}

/** A step of the reconcile failed in a way KEDA reports as `Ready=False ScaledObjectCheckFailed "<summary>: <cause>"`. */
class CheckFailed extends Error {
  constructor(readonly summary: string, readonly cause_: string) {
    super(`${summary}: ${cause_}`);
  }
}

/**
 * KEDA's ScaledObject reconciler (controllers/keda/scaledobject_controller.go) for the objects the
 * Kubernetes source holds: finalizer and name label, pause, the scale target and its GVKR, the HPA
 * created or updated only when it differs, the status and the conditions, and a scale loop per object.
 * Runs only while this process leads.
 */
export class ScaledObjectController {
  private readonly queue: WorkQueue;
  private readonly lock = new KeyedLock();
  private readonly loops: ScaleLoops;
  private readonly unsubscribe: (() => void)[] = [];
  private resync?: NodeJS.Timeout;

  constructor(
    private readonly cluster: ControllerCluster,
    private readonly inventory: ClusterScaledObjects,
    private readonly engine: ScalingEngine,
    private readonly recorder: EventRecorder,
    private readonly logger: AdapterLogger,
    private readonly options: ScaledObjectControllerOptions,
  ) {
    this.queue = new WorkQueue(
      (key) => this.lock.run(key, () => this.reconcile(key)),
      (key, error, retryInMs) => this.logger.warn({ scaledObject: key, error: error.message, retryInMs }, 'reconcile failed; retrying'),
    );
    this.loops = new ScaleLoops(cluster, inventory, engine, recorder, this.lock, logger);
  }

  /** Starts reconciling every ScaledObject and following changes; again after stop(). */
  async start(): Promise<void> {
    await this.inventory.synced();
    this.queue.start();
    this.unsubscribe.push(this.inventory.onChange((key) => this.queue.add(`${key.namespace}/${key.name}`)));
    this.unsubscribe.push(this.engine.subscribe({ onActivityChange: (event) => this.loops.kick(`${event.namespace}/${event.scaledObject}`) }));
    this.enqueueAll();
    this.resync = setInterval(() => this.enqueueAll(), this.options.resyncIntervalMs ?? 30_000);
    this.logger.info({ scaledObjects: this.inventory.list().length }, 'controller started');
  }

  /** Stops at once: no write starts after this resolves. */
  async stop(): Promise<void> {
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    clearInterval(this.resync);
    await this.queue.stop();
    await this.loops.stopAll();
    this.logger.info({}, 'controller stopped');
  }

  private enqueueAll(): void {
    for (const entry of this.inventory.list()) this.queue.add(`${entry.object.metadata!.namespace}/${entry.object.metadata!.name}`);
  }

  private async reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const entry = this.inventory.get(namespace, name);
    const fresh = entry ? await this.cluster.getScaledObject(namespace, name) : undefined;
    if (!entry || !fresh) {
      await this.loops.stop(key);
      this.recorder.forget(namespace, name);
      return;
    }
    if (fresh.metadata.deletionTimestamp) return this.finalize(key, fresh);
    const so = await this.ensureFinalizerAndLabel(fresh);
    const draft = new StatusDraft(so.status);
    try {
      await this.reconcileScaledObject(key, so, entry, draft);
    } catch (error) {
      if (!(error instanceof CheckFailed)) throw error;
      draft.set('Ready', 'False', REASONS.checkFailed, error.message);
      draft.set('Active', 'Unknown', REASONS.unknownState, MESSAGES.checkFailedActive);
      await this.event(so, 'Warning', EVENT_REASONS.checkFailed, error.message);
    }
    if (!so.spec.fallback) draft.set('Fallback', 'False', REASONS.noFallbackFound, MESSAGES.noFallbackFound);
    await this.commit(so, draft);
  }

  private async reconcileScaledObject(key: string, so: ScaledObjectResource, entry: ClusterScaledObject, draft: StatusDraft): Promise<void> {
    const { namespace, name } = so.metadata;
    const loaded = entry.loaded;
    draft.status.triggersTypes = entry.triggersTypes;
    draft.status.authenticationsTypes = entry.authenticationsTypes;
    // Not loaded yet (the source reads its Secrets and scale target first): its change comes later.
    if (!loaded && entry.errors.length === 0) return;
    if (!loaded) {
      await this.loops.stop(key);
      throw new CheckFailed('ScaledObject is not valid', entry.errors.join('; '));
    }
    const annotations = so.metadata.annotations ?? {};
    const wasPaused = draft.condition('Paused')?.status === 'True';

    if (pausedByAnnotation(annotations)) {
      if (!wasPaused) await this.event(so, 'Normal', EVENT_REASONS.paused, MESSAGES.paused);
      draft.set('Paused', 'True', REASONS.paused, MESSAGES.paused);
      await this.loops.stop(key);
      await this.cluster.deleteHpa(namespace, draft.status.hpaName || hpaNameOf(loaded));
      let count: number | undefined;
      try {
        count = pausedReplicaCount(annotations);
      } catch (error) {
        throw new CheckFailed('failed to scale target to paused replica count', (error as Error).message);
      }
      if (count !== undefined) {
        const gvkr = await this.scaleTarget(so, entry, draft);
        const scale = await this.cluster.getScale(namespace, gvkr, loaded.spec.scaleTargetRef.name);
        if ((scale.spec.replicas ?? 0) !== count) await this.cluster.replaceScale(namespace, gvkr, scale, count);
        draft.status.pausedReplicaCount = count;
      } else {
        delete draft.status.pausedReplicaCount;
      }
      await this.ready(so, draft, entry, MESSAGES.paused);
      return;
    }
    if (boolAnnotation(annotations, ANNOTATIONS.pausedScaleIn) || boolAnnotation(annotations, ANNOTATIONS.pausedScaleOut)) {
      if (!wasPaused) await this.event(so, 'Normal', EVENT_REASONS.paused, MESSAGES.paused);
      draft.set('Paused', 'True', REASONS.paused, MESSAGES.paused);
    } else if (wasPaused) {
      draft.set('Paused', 'False', REASONS.unpaused, MESSAGES.unpaused);
      await this.event(so, 'Normal', EVENT_REASONS.unpaused, MESSAGES.unpaused);
      delete draft.status.pausedReplicaCount;
    }

    const gvkr = await this.scaleTarget(so, entry, draft);
    await this.ensureHpa(so, entry, gvkr, draft);
    const started = this.loops.ensure(key, entry);
    if (started) await this.event(so, 'Normal', EVENT_REASONS.scalersStarted, MESSAGES.scalersStarted, 'ScalersWatchStarted');
    await this.ready(so, draft, entry, MESSAGES.ready);
  }

  /** Ready True (with ScaledObjectReady the first time), or False when the current version is invalid and the last good one is served. */
  private async ready(so: ScaledObjectResource, draft: StatusDraft, entry: ClusterScaledObject, message: string): Promise<void> {
    if (entry.errors.length > 0) {
      const invalid = invalidReadyCondition(entry.errors, entry.servingLastGood);
      if (draft.condition('Ready')?.message !== invalid.message) await this.event(so, 'Warning', EVENT_REASONS.checkFailed, invalid.message!);
      draft.set('Ready', invalid.status, invalid.reason!, invalid.message!);
      return;
    }
    if (draft.condition('Ready')?.status !== 'True') await this.event(so, 'Normal', EVENT_REASONS.ready, MESSAGES.scalerReady);
    draft.set('Ready', 'True', REASONS.ready, message);
  }

  /** `checkTargetResourceIsScalable`: GVKR, /scale, scaleTargetKind/GVKR and originalReplicaCount in the status. */
  private async scaleTarget(so: ScaledObjectResource, entry: ClusterScaledObject, draft: StatusDraft): Promise<GroupVersionKindResource> {
    const ref = entry.loaded!.spec.scaleTargetRef;
    const { group, version } = parseGroupVersion(ref.apiVersion);
    const kind = ref.kind || 'Deployment';
    let gvkr: GroupVersionKindResource;
    try {
      gvkr = { group, version, kind, resource: await this.cluster.resourceOf(group, version, kind) };
    } catch (error) {
      await this.event(so, 'Warning', EVENT_REASONS.updateFailed, (error as Error).message);
      throw new CheckFailed(MESSAGES.scaleTarget, (error as Error).message);
    }
    const { namespace } = so.metadata;
    let replicas: number;
    try {
      replicas = (await this.cluster.getScale(namespace, gvkr, ref.name)).spec.replicas ?? 0;
    } catch (error) {
      const exists = await this.cluster.targetExists(namespace, gvkr, ref.name).catch(() => true);
      await this.event(so, 'Warning', EVENT_REASONS.checkFailed, exists ? MESSAGES.scaleTargetNoSubresource : MESSAGES.scaleTargetNotFound);
      throw new CheckFailed(MESSAGES.scaleTarget, (error as Error).message);
    }
    draft.status.scaleTargetKind = gvkString(gvkr);
    draft.status.scaleTargetGVKR = gvkr;
    draft.status.originalReplicaCount ??= replicas;
    return gvkr;
  }

  /** `ensureHPAForScaledObjectExists`: create, rename, adopt (transfer-hpa-ownership) or update the HPA, only when it differs. */
  private async ensureHpa(so: ScaledObjectResource, entry: ClusterScaledObject, gvkr: GroupVersionKindResource, draft: StatusDraft): Promise<void> {
    const loaded = entry.loaded!;
    const { namespace, name, uid } = so.metadata;
    const ref = { namespace, name };
    const metricSpecs = this.engine.has(ref) ? this.engine.metricSpecs(ref) : loaded.triggers.flatMap((t) => (t.kind === 'external' ? [...t.metricSpecs] : []));
    let desired: HorizontalPodAutoscaler;
    try {
      desired = buildHorizontalPodAutoscaler({
        scaledObject: { namespace, name, uid: uid!, labels: so.metadata.labels ?? {}, annotations: so.metadata.annotations ?? {} },
        loaded,
        metricSpecs,
        gvkr,
        version: this.options.version,
      });
    } catch (error) {
      if (error instanceof HpaSpecError) throw new CheckFailed(MESSAGES.ensureHpa, error.message);
      throw error;
    }
    const lookup = draft.status.hpaName || desired.metadata.name;
    let found = await this.cluster.getHpa(namespace, lookup);
    if (found && found.metadata.name !== desired.metadata.name) {
      this.logger.info({ scaledObject: `${namespace}/${name}`, from: found.metadata.name, to: desired.metadata.name }, 'renaming the HPA');
      await this.cluster.deleteHpa(namespace, found.metadata.name);
      found = await this.cluster.getHpa(namespace, desired.metadata.name);
    }
    try {
      if (!found) {
        await this.checkNoOtherHpa(so, desired);
        await this.cluster.createHpa(desired);
        this.logger.info({ scaledObject: `${namespace}/${name}`, hpa: desired.metadata.name }, 'created the HPA');
      } else {
        const controlled = found.metadata.ownerReferences?.some((owner) => owner.controller && owner.kind === SCALED_OBJECT_KIND && owner.name === name);
        if (!controlled && !this.mayTransfer(so, found.metadata.name)) {
          throw new CheckFailed(MESSAGES.ensureHpa, `the workload '${loaded.spec.scaleTargetRef.name}' of type '${gvkString(gvkr)}' is already managed by the hpa '${found.metadata.name}'`);
        }
        const differences = hpaDifferences(desired, found);
        if (differences.length > 0) {
          await this.cluster.replaceHpa({ ...desired, metadata: { ...desired.metadata, resourceVersion: found.metadata.resourceVersion! } });
          this.logger.info({ scaledObject: `${namespace}/${name}`, hpa: desired.metadata.name, differences }, controlled ? 'updated the HPA' : 'took over the HPA (transfer-hpa-ownership)');
        }
      }
    } catch (error) {
      if (error instanceof ClusterCallError && error.conflict) throw error;
      if (error instanceof ClusterCallError) throw new CheckFailed(MESSAGES.ensureHpa, error.message);
      throw error;
    }
    draft.status.hpaName = desired.metadata.name;
    const names = metricNames(loaded);
    setOrDelete(draft.status, 'externalMetricNames', names.external.length > 0 ? names.external : undefined);
    setOrDelete(draft.status, 'resourceMetricNames', names.resource.length > 0 ? names.resource : undefined);
    setOrDelete(draft.status, 'compositeScalerName', loaded.spec.advanced?.scalingModifiers ? 'composite-metric' : draft.status.compositeScalerName);
    if (draft.status.health) {
      const kept = Object.fromEntries(Object.entries(draft.status.health).filter(([metric]) => names.external.includes(metric)));
      setOrDelete(draft.status, 'health', Object.keys(kept).length > 0 ? kept : undefined);
    }
  }

  /** The webhook's rule (scaledobject_webhook.go): another HPA scaling the same workload refuses this ScaledObject, unless it is to be taken over. */
  private async checkNoOtherHpa(so: ScaledObjectResource, desired: HorizontalPodAutoscaler): Promise<void> {
    const target = desired.spec.scaleTargetRef;
    for (const hpa of await this.cluster.listHpas(so.metadata.namespace)) {
      if (hpa.metadata.annotations?.[ANNOTATIONS.validationsHpaOwnership] === 'false') continue;
      const same = hpa.spec.scaleTargetRef.name === target.name && hpa.spec.scaleTargetRef.kind === target.kind && (hpa.spec.scaleTargetRef.apiVersion ?? '') === target.apiVersion;
      if (!same || hpa.metadata.ownerReferences?.some((owner) => owner.kind === SCALED_OBJECT_KIND && owner.name === so.metadata.name)) continue;
      if (this.mayTransfer(so, hpa.metadata.name)) continue;
      const gvk = `${target.apiVersion.includes('/') ? target.apiVersion : `/${target.apiVersion}`}.${target.kind}`;
      throw new CheckFailed(
        MESSAGES.ensureHpa,
        boolAnnotation(so.metadata.annotations, ANNOTATIONS.transferHpaOwnership)
          ? `the existing hpa '${hpa.metadata.name}' for workload '${target.name}' of type '${gvk}' must be specified by name in advanced settings to enable ownership transfer`
          : `the workload '${target.name}' of type '${gvk}' is already managed by the hpa '${hpa.metadata.name}'`,
      );
    }
  }

  private mayTransfer(so: ScaledObjectResource, hpaName: string): boolean {
    const advanced = so.spec.advanced as { horizontalPodAutoscalerConfig?: { name?: string } } | undefined;
    return so.metadata.annotations?.[ANNOTATIONS.transferHpaOwnership] === 'true' && advanced?.horizontalPodAutoscalerConfig?.name === hpaName;
  }

  /** The finalizer and the `scaledobject.keda.sh/name` label, in one conditional update. */
  private async ensureFinalizerAndLabel(so: ScaledObjectResource): Promise<ScaledObjectResource> {
    const finalizers = so.metadata.finalizers ?? [];
    const labels = so.metadata.labels ?? {};
    if (finalizers.includes(FINALIZER) && labels[SCALED_OBJECT_NAME_LABEL] === so.metadata.name) return so;
    const next = structuredClone(so);
    next.metadata.finalizers = finalizers.includes(FINALIZER) ? finalizers : [...finalizers, FINALIZER];
    next.metadata.labels = { ...labels, [SCALED_OBJECT_NAME_LABEL]: so.metadata.name };
    delete next.status;
    return this.cluster.replaceScaledObject(next);
  }

  /** `finalizeScaledObject`: stop the loop, restore the original replicas when asked, drop the finalizer. The GC deletes the HPA. */
  private async finalize(key: string, so: ScaledObjectResource): Promise<void> {
    await this.loops.stop(key);
    if (!(so.metadata.finalizers ?? []).includes(FINALIZER)) return;
    const { namespace } = so.metadata;
    const advanced = so.spec.advanced as { restoreToOriginalReplicaCount?: boolean } | undefined;
    const gvkr = so.status?.scaleTargetGVKR;
    const original = so.status?.originalReplicaCount;
    const targetName = (so.spec.scaleTargetRef as { name?: string } | undefined)?.name;
    if (advanced?.restoreToOriginalReplicaCount && gvkr && original !== undefined && targetName) {
      try {
        const scale = await this.cluster.getScale(namespace, gvkr, targetName);
        await this.cluster.replaceScale(namespace, gvkr, scale, original);
        this.logger.info({ scaledObject: key, replicas: original }, "restored the scale target's original replica count");
      } catch (error) {
        this.logger.warn({ scaledObject: key, error: (error as Error).message }, "could not restore the scale target's original replica count");
      }
    }
    const next = structuredClone(so);
    next.metadata.finalizers = (so.metadata.finalizers ?? []).filter((f) => f !== FINALIZER);
    delete next.status;
    await this.cluster.replaceScaledObject(next);
    await this.event(so, 'Warning', EVENT_REASONS.deleted, MESSAGES.removed);
    this.recorder.forget(namespace, so.metadata.name);
  }

  private async commit(so: ScaledObjectResource, draft: StatusDraft): Promise<void> {
    const patch = draft.patch();
    if (patch) await this.cluster.patchScaledObjectStatus(so.metadata.namespace, so.metadata.name, patch);
  }

  private event(so: ScaledObjectResource, type: 'Normal' | 'Warning', reason: string, note: string, action = reason): Promise<void> {
    return this.recorder.emit({ regarding: { namespace: so.metadata.namespace, name: so.metadata.name, ...(so.metadata.uid ? { uid: so.metadata.uid } : {}) }, type, reason, action, note });
  }
}

function setOrDelete<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value === undefined) delete target[key];
  else target[key] = value;
}
