import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { inject, injectable } from 'inversify';
import { formatDiagnostic, loadManifests, ScalerRegistry, type LoadedScaledObject, type ManifestSource, type ScaledObjectRef } from '@updraft/core';
import { AdapterLogger } from '../serve/logger.js';
import { fingerprintOf } from '../serve/sources/file-scaled-object-source.js';
import type { ScaledObjectChange, ScaledObjectSource } from '../serve/sources/scaled-object-source.js';
import { ClusterDependencies, type ClusterDependenciesOptions } from './cluster-dependencies.js';
import {
  authenticationReferences,
  clusterManifest,
  KEDA_GROUP,
  KEDA_PLURALS,
  KEDA_VERSION,
  objectSourceName,
  podTemplateReferences,
  refId,
  scaledObjectReferences,
  triggersAndAuthenticationsTypes,
  type AuthKind,
  type ObjectRef,
} from './cluster-manifests.js';
import type { ClusterScaledObject, ClusterScaledObjectChange, ClusterScaledObjects, KedaScaledObject } from './cluster-scaled-objects.js';
import { KubeClient, statusOf } from './kube-client.js';
import { ResilientInformer } from './resilient-informer.js';

export const KubernetesSourceOptions = Symbol.for('updraft.adapter.KubernetesSourceOptions');

export interface KubernetesSourceOptions {
  /** `--watch-namespace`: ScaledObjects and TriggerAuthentications only from these; empty: every namespace. */
  readonly watchNamespaces: readonly string[];
  /** `--watch-label-selector`: only ScaledObjects with these labels (KEDA's WATCH_LABEL_SELECTOR, for sharding). */
  readonly labelSelector?: string;
  readonly dependencies?: ClusterDependenciesOptions;
  /** Watch restart backoff: first delay, doubled up to the maximum. Default 1 s and 30 s. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
  /** How long start() waits for the first lists before it lets serve start without them. Default 30 s. */
  readonly syncTimeoutMs?: number;
}

interface Entry {
  object: KedaScaledObject;
  /** The object without status and bookkeeping: equal when only the status changed. */
  specKey: string;
  loaded?: LoadedScaledObject;
  loadedGeneration?: number;
  fingerprint?: string;
  errors: readonly string[];
  warnings: readonly string[];
  /** When the first load of this object finished. */
  loadedOnce: boolean;
}

type AuthObject = KubernetesObject & { spec?: unknown };

/**
 * ScaledObjects from the Kubernetes API: informers on ScaledObjects, TriggerAuthentications and
 * ClusterTriggerAuthentications, and a GET of each Secret, ConfigMap and scale target they refer to
 * (re-read every half polling interval). Each ScaledObject is given to the same loader as a file
 * (`loadManifests`, as YAML shaped like `kubectl get -o yaml`), with exactly the objects it refers
 * to, so it gets the errors `updraft validate` gives. A version that does not load keeps the last
 * good one served, and says so in problems() and in ClusterScaledObjects for the controller's status.
 */
@injectable()
export class KubernetesScaledObjectSource implements ScaledObjectSource {
  readonly name = 'kubernetes';
  private readonly entries = new Map<string, Entry>();
  /** `TriggerAuthentication/<ns>/<name>` or `ClusterTriggerAuthentication//<name>` → the ScaledObjects that use it. */
  private readonly authUsers = new Map<string, Set<string>>();
  private readonly authsOf = new Map<string, readonly string[]>();
  private readonly sourceListeners = new Set<(change: ScaledObjectChange) => void>();
  private readonly clusterListeners = new Set<(change: ClusterScaledObjectChange) => void>();
  private readonly dependencies: ClusterDependencies;
  private scaledObjectInformers: ResilientInformer<KedaScaledObject>[] = [];
  private triggerAuthInformers = new Map<string, ResilientInformer<AuthObject>>();
  private clusterTriggerAuthInformer?: ResilientInformer<AuthObject>;
  private readonly dirty = new Set<string>();
  private processing?: Promise<void>;
  private syncedResolve!: () => void;
  private readonly syncedPromise = new Promise<void>((resolve) => (this.syncedResolve = resolve));
  private stopped = false;
  /** Loading waits for every first list, so a ScaledObject is never loaded before its TriggerAuthentication is known. */
  private listed = false;

  constructor(
    @inject(KubeClient) private readonly kube: KubeClient,
    @inject(KubernetesSourceOptions) private readonly options: KubernetesSourceOptions,
    @inject(ScalerRegistry) private readonly registry: ScalerRegistry,
    @inject(AdapterLogger) private readonly logger: Pick<AdapterLogger, 'info' | 'warn' | 'error' | 'debug'>,
  ) {
    this.dependencies = new ClusterDependencies(kube, options.dependencies ?? {}, logger);
    this.dependencies.onChange((users) => {
      for (const user of users) this.markDirty(user);
    });
  }

  async start(): Promise<void> {
    this.stopped = false;
    const scopes = this.options.watchNamespaces.length > 0 ? [...this.options.watchNamespaces] : [undefined];
    this.scaledObjectInformers = scopes.map((namespace) => this.informer<KedaScaledObject>('ScaledObject', namespace, this.options.labelSelector));
    for (const namespace of scopes) this.triggerAuthInformers.set(namespace ?? '', this.informer<AuthObject>('TriggerAuthentication', namespace));
    this.clusterTriggerAuthInformer = this.informer<AuthObject>('ClusterTriggerAuthentication', undefined);

    for (const informer of this.scaledObjectInformers) {
      informer.on('add', (object) => this.scaledObjectChanged(object));
      informer.on('update', (object) => this.scaledObjectChanged(object));
      informer.on('delete', (object) => this.scaledObjectDeleted(object));
    }
    for (const [informer, kind] of [...[...this.triggerAuthInformers.values()].map((i) => [i, 'TriggerAuthentication'] as const), [this.clusterTriggerAuthInformer, 'ClusterTriggerAuthentication'] as const]) {
      for (const event of ['add', 'update', 'delete'] as const) informer.on(event, (object) => this.authenticationChanged(kind, object));
    }

    const informers = this.informers();
    for (const informer of informers) informer.start();
    const all = Promise.all(informers.map((informer) => informer.synced()));
    const timeoutMs = this.options.syncTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const inTime = await Promise.race([all.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]);
    clearTimeout(timer);
    this.dependencies.start();
    if (!inTime) {
      this.logger.warn({ source: this.name, problems: this.informerProblems() }, `the first lists did not arrive within ${timeoutMs} ms; serving starts without them and they are loaded when they arrive`);
      void all.then(() => {
        this.listed = true;
        return this.drain();
      }).then(() => this.syncedResolve());
      return;
    }
    this.listed = true;
    await this.drain();
    this.syncedResolve();
    this.logger.info({ source: this.name, scaledObjects: this.entries.size, served: this.scaledObjects().length, dependencies: this.dependencies.size() }, 'ScaledObjects listed and loaded');
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const informer of this.informers()) informer.stop();
    this.dependencies.stop();
    await this.processing?.catch(() => undefined);
  }

  synced(): Promise<void> {
    return this.syncedPromise;
  }

  scaledObjects(): readonly LoadedScaledObject[] {
    return [...this.entries.values()].flatMap((entry) => (entry.loaded ? [entry.loaded] : []));
  }

  /** For ScaledObjectSync, which feeds the engine. The controller subscribes through clusterView(). */
  onChange(listener: (change: ScaledObjectChange) => void): () => void {
    this.sourceListeners.add(listener);
    return () => this.sourceListeners.delete(listener);
  }

  /** The ClusterScaledObjects face of this source, for the controller; its listeners are called after the engine's. */
  clusterView(): ClusterScaledObjects {
    return {
      list: () => this.list(),
      get: (namespace, name) => this.get(namespace, name),
      onChange: (listener) => {
        this.clusterListeners.add(listener);
        return () => this.clusterListeners.delete(listener);
      },
      synced: () => this.synced(),
    };
  }

  list(): readonly ClusterScaledObject[] {
    return [...this.entries.values()].map((entry) => view(entry));
  }

  get(namespace: string, name: string): ClusterScaledObject | undefined {
    const entry = this.entries.get(`${namespace}/${name}`);
    return entry ? view(entry) : undefined;
  }

  problems(): readonly string[] {
    const lines = [...this.informerProblems()];
    for (const entry of this.entries.values()) {
      lines.push(...entry.errors);
      if (entry.errors.length > 0 && entry.loaded) {
        lines.push(`${entry.object.metadata?.namespace}/${entry.object.metadata?.name}: the last good version (generation ${entry.loadedGeneration ?? '?'}) is served until its errors are fixed`);
      }
    }
    return lines;
  }

  /** Loads every dirty ScaledObject, until none is left. */
  drain(): Promise<void> {
    if (!this.listed || (this.dirty.size === 0 && !this.processing)) return this.processing ?? Promise.resolve();
    this.processing ??= (async () => {
      // Yield first: were the body to finish synchronously, its finally would run before the assignment and leave processing set forever.
      await Promise.resolve();
      try {
        while (this.dirty.size > 0 && !this.stopped) {
          const batch = [...this.dirty];
          this.dirty.clear();
          const results = await Promise.all(batch.map((key) => this.load(key).catch((error: unknown) => {
            this.logger.error({ scaledObject: key, error: (error as Error).message }, 'loading a ScaledObject from the cluster failed');
            return undefined;
          })));
          const upserted = results.flatMap((result) => (result?.upserted ? [result.upserted] : []));
          if (upserted.length > 0) this.emitSource({ upserted, removed: [] });
          for (const result of results) if (result?.changed) this.emitCluster({ ...result.ref, deleted: false });
        }
      } finally {
        this.processing = undefined;
      }
    })();
    return this.processing;
  }

  private informers(): ResilientInformer<KubernetesObject>[] {
    return [...this.scaledObjectInformers, ...this.triggerAuthInformers.values(), ...(this.clusterTriggerAuthInformer ? [this.clusterTriggerAuthInformer] : [])] as ResilientInformer<KubernetesObject>[];
  }

  private informerProblems(): string[] {
    return this.informers().flatMap((informer) => {
      const { error } = informer.state();
      return error ? [error] : [];
    });
  }

  private informer<T extends KubernetesObject>(kind: keyof typeof KEDA_PLURALS, namespace: string | undefined, labelSelector?: string): ResilientInformer<T> {
    const plural = KEDA_PLURALS[kind];
    const api = this.kube.customObjects;
    const group = KEDA_GROUP;
    const version = KEDA_VERSION;
    const selector = labelSelector ? { labelSelector } : {};
    const list = async () => {
      try {
        return (namespace
          ? await api.listNamespacedCustomObject({ group, version, namespace, plural, ...selector })
          : await api.listClusterCustomObject({ group, version, plural, ...selector })) as KubernetesListObject<T>;
      } catch (error) {
        if (statusOf(error) === 404) throw Object.assign(new Error(`${plural}.${group} is not served: are the CRDs of deploy/crds applied?`), { statusCode: 404 });
        throw error;
      }
    };
    return new ResilientInformer<T>(
      this.kube.config,
      {
        what: `${plural}.${group}${kind === 'ClusterTriggerAuthentication' ? '' : namespace ? ` in namespace ${namespace}` : ' in all namespaces'}${labelSelector ? ` with labels ${labelSelector}` : ''}`,
        path: namespace ? `/apis/${group}/${version}/namespaces/${encodeURIComponent(namespace)}/${plural}` : `/apis/${group}/${version}/${plural}`,
        list,
        ...(labelSelector ? { labelSelector } : {}),
        ...(this.options.initialBackoffMs !== undefined ? { initialBackoffMs: this.options.initialBackoffMs } : {}),
        ...(this.options.maxBackoffMs !== undefined ? { maxBackoffMs: this.options.maxBackoffMs } : {}),
      },
      this.logger,
    );
  }

  private scaledObjectChanged(object: KedaScaledObject): void {
    const key = keyOf(object);
    const specKey = specKeyOf(object);
    const entry = this.entries.get(key);
    if (entry) {
      entry.object = object;
      // A status write (the controller's) changes nothing the engine serves.
      if (entry.specKey === specKey) return;
      entry.specKey = specKey;
    } else {
      this.entries.set(key, { object, specKey, errors: [], warnings: [], loadedOnce: false });
    }
    this.markDirty(key);
  }

  private scaledObjectDeleted(object: KedaScaledObject): void {
    const key = keyOf(object);
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.dirty.delete(key);
    this.dependencies.release(key);
    this.indexAuths(key, []);
    const ref = { namespace: object.metadata?.namespace ?? 'default', name: object.metadata?.name ?? '' };
    if (entry.loaded) this.emitSource({ upserted: [], removed: [ref] });
    this.emitCluster({ ...ref, deleted: true });
    this.logger.info({ source: this.name, scaledObject: key }, 'ScaledObject deleted');
  }

  private authenticationChanged(kind: AuthKind, object: AuthObject): void {
    const key = authKey(kind, object.metadata?.namespace, object.metadata?.name ?? '');
    for (const user of this.authUsers.get(key) ?? []) this.markDirty(user);
  }

  private markDirty(key: string): void {
    if (!this.entries.has(key)) return;
    this.dirty.add(key);
    if (this.listed && !this.processing) setImmediate(() => void this.drain());
  }

  private indexAuths(user: string, keys: readonly string[]): void {
    for (const key of this.authsOf.get(user) ?? []) {
      const users = this.authUsers.get(key);
      users?.delete(user);
      if (users?.size === 0) this.authUsers.delete(key);
    }
    if (keys.length === 0) this.authsOf.delete(user);
    else this.authsOf.set(user, keys);
    for (const key of keys) {
      let users = this.authUsers.get(key);
      if (!users) this.authUsers.set(key, (users = new Set()));
      users.add(user);
    }
  }

  private findAuthentication(kind: AuthKind, namespace: string, name: string): AuthObject | undefined {
    if (kind === 'ClusterTriggerAuthentication') return this.clusterTriggerAuthInformer?.get(name);
    const informer = this.triggerAuthInformers.get(namespace) ?? this.triggerAuthInformers.get('');
    return informer?.get(name, namespace);
  }

  /** Loads the current version of one ScaledObject with everything it refers to. */
  private async load(key: string): Promise<{ ref: ScaledObjectRef; upserted?: LoadedScaledObject; changed: boolean } | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const { object, specKey } = entry;
    const namespace = object.metadata?.namespace ?? 'default';
    const name = object.metadata?.name ?? '';
    const references = scaledObjectReferences(object);
    const sources: ManifestSource[] = [clusterManifest(object as KedaScaledObject & Record<string, unknown>, objectSourceName('ScaledObject', namespace, name))];
    const needed: ObjectRef[] = [];
    let readsEnv = references.readsEnv;
    const auths: string[] = [];
    for (const auth of references.auths) {
      auths.push(authKey(auth.kind, namespace, auth.name));
      const found = this.findAuthentication(auth.kind, namespace, auth.name);
      if (!found) continue;
      const cluster = auth.kind === 'ClusterTriggerAuthentication';
      sources.push(clusterManifest(found as AuthObject & Record<string, unknown>, objectSourceName(auth.kind, cluster ? undefined : namespace, auth.name)));
      // KEDA reads a ClusterTriggerAuthentication's Secrets and ConfigMaps in its own namespace only.
      const refs = authenticationReferences(found, cluster ? this.kube.namespace : namespace);
      needed.push(...refs.objects);
      readsEnv ||= refs.readsEnv;
    }
    this.indexAuths(key, auths);
    if (readsEnv && references.target) needed.unshift(references.target);
    this.dependencies.use(key, dedupe(needed), references.pollingIntervalSeconds);
    const values = await this.dependencies.read(dedupe(needed));
    // The scale target's containers name more Secrets and ConfigMaps (env valueFrom, envFrom).
    const target = references.target && readsEnv ? values.get(refId(references.target)) : undefined;
    if (target?.state === 'found') {
      const envRefs = podTemplateReferences(target.containers, namespace);
      if (envRefs.length > 0) {
        needed.push(...envRefs);
        this.dependencies.use(key, dedupe(needed), references.pollingIntervalSeconds);
        for (const [id, value] of await this.dependencies.read(dedupe(envRefs))) values.set(id, value);
      }
    }
    // A newer version arrived (or the object went) while reading: that one is loaded instead.
    if (this.entries.get(key) !== entry || entry.specKey !== specKey) return undefined;

    const readProblems: string[] = [];
    const readWarnings: string[] = [];
    for (const value of values.values()) {
      if (value.state === 'found') sources.push(value.manifest);
      if (value.state === 'failed') readProblems.push(`${objectSourceName('ScaledObject', namespace, name)}: ${namespace}/${name}: ${value.error}`);
      else if (value.error) readWarnings.push(`${objectSourceName('ScaledObject', namespace, name)}: ${namespace}/${name}: warning: ${value.error}; using the value read before`);
    }
    const result = loadManifests(sources, this.registry, { unresolved: 'error', kedaNamespace: this.kube.namespace });
    const errors = [...readProblems, ...result.diagnostics.filter((d) => d.severity === 'error').map((d) => inClusterWords(formatDiagnostic(d)))];
    const warnings = [...readWarnings, ...result.diagnostics.filter((d) => d.severity === 'warning').map((d) => inClusterWords(formatDiagnostic(d)))];
    const loaded = result.scaledObjects.find((o) => o.namespace === namespace && o.name === name);

    const before = JSON.stringify([entry.errors, entry.warnings]);
    const first = !entry.loadedOnce;
    entry.loadedOnce = true;
    let upserted: LoadedScaledObject | undefined;
    if (loaded) {
      entry.errors = [];
      entry.warnings = [...warnings, ...errors];
      const fingerprint = fingerprintOf(loaded);
      if (fingerprint !== entry.fingerprint) {
        entry.loaded = loaded;
        entry.fingerprint = fingerprint;
        upserted = loaded;
      }
      if (object.metadata?.generation !== undefined) entry.loadedGeneration = object.metadata.generation;
    } else {
      entry.errors = errors.length > 0 ? errors : [`${objectSourceName('ScaledObject', namespace, name)}: ${namespace}/${name}: did not load`];
      entry.warnings = warnings;
    }
    if (first || upserted || before !== JSON.stringify([entry.errors, entry.warnings])) this.report(key, entry, upserted !== undefined);
    // Only a change of the object or of what it refers to gets here: the controller hears of each.
    return { ref: { namespace, name }, ...(upserted ? { upserted } : {}), changed: true };
  }

  private report(key: string, entry: Entry, served: boolean): void {
    if (entry.errors.length > 0) {
      for (const problem of entry.errors) this.logger.error({ source: this.name, problem }, 'ScaledObject error');
      if (entry.loaded) this.logger.warn({ source: this.name, scaledObject: key, generation: entry.loadedGeneration }, 'keeping the last good version of a ScaledObject');
    }
    for (const problem of entry.warnings) this.logger.warn({ source: this.name, problem }, 'ScaledObject warning');
    if (served) this.logger.info({ source: this.name, scaledObject: key, generation: entry.loadedGeneration }, 'ScaledObject loaded');
  }

  private emitSource(change: ScaledObjectChange): void {
    for (const listener of this.sourceListeners) {
      try {
        listener(change);
      } catch (error) {
        this.logger.error({ error: (error as Error).message }, 'a ScaledObject source listener threw');
      }
    }
  }

  private emitCluster(change: ClusterScaledObjectChange): void {
    for (const listener of this.clusterListeners) {
      try {
        listener(change);
      } catch (error) {
        this.logger.error({ error: (error as Error).message }, 'a ClusterScaledObjects listener threw');
      }
    }
  }
}

function view(entry: Entry): ClusterScaledObject {
  return {
    object: entry.object,
    ...(entry.loaded ? { loaded: entry.loaded } : {}),
    ...(entry.loadedGeneration !== undefined ? { loadedGeneration: entry.loadedGeneration } : {}),
    errors: entry.errors,
    warnings: entry.warnings,
    servingLastGood: entry.errors.length > 0 && entry.loaded !== undefined,
    ...triggersAndAuthenticationsTypes(entry.object),
  };
}

function keyOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? 'default'}/${object.metadata?.name ?? ''}`;
}

function authKey(kind: AuthKind, namespace: string | undefined, name: string): string {
  return kind === 'ClusterTriggerAuthentication' ? `${kind}//${name}` : `${kind}/${namespace ?? 'default'}/${name}`;
}

function specKeyOf(object: KedaScaledObject): string {
  const { status: _status, metadata, ...rest } = object;
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = metadata ?? {};
  return JSON.stringify([rest, meta]);
}

function dedupe(refs: readonly ObjectRef[]): ObjectRef[] {
  const seen = new Map<string, ObjectRef>();
  for (const ref of refs) seen.set(refId(ref), ref);
  return [...seen.values()];
}

/**
 * The loader words a missing object for files ("is not in these files; only the cluster can supply
 * it"); here the cluster was asked, so the sentence says the cluster does not have it.
 */
export function inClusterWords(line: string): string {
  return line
    .replaceAll('is not in these files; only the cluster can supply it', 'does not exist in the cluster')
    .replaceAll('not found in these files', 'not found in the cluster')
    .replaceAll('is not in these files', 'does not exist in the cluster');
}
