import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ManifestSource } from '@updraft/core';
import { clusterManifest, objectSourceName, refId, type ObjectRef } from './cluster-manifests.js';
import { describeKubeError, isNotFound, type KubeClient } from './kube-client.js';
import type { InformerLogger } from './resilient-informer.js';

/** What the last read of a Secret, ConfigMap or scale target found. */
export type DependencyValue =
  | { readonly state: 'found'; readonly manifest: ManifestSource; readonly containers: readonly unknown[] }
  | { readonly state: 'missing' }
  | { readonly state: 'failed'; readonly error: string };

export interface ClusterDependenciesOptions {
  /** Each object is read again after this fraction of the shortest pollingInterval of the ScaledObjects using it. Default 0.5. */
  readonly refreshFraction?: number;
  /** Never more often than this. Default 1 s. */
  readonly minRefreshMs?: number;
  /** GETs in flight at once. Default 8. */
  readonly maxConcurrentReads?: number;
}

interface Dependency {
  readonly ref: ObjectRef;
  value?: DependencyValue;
  fingerprint?: string;
  /** The last failure while an earlier value is still used. */
  error?: string;
  readonly users: Map<string, number>;
  nextReadAt: number;
  reading?: Promise<void>;
}

/**
 * The Secrets, ConfigMaps and scale targets the ScaledObjects refer to, each read with a GET of that
 * one object (never a list or watch of every Secret: the adapter needs no cluster-wide Secret
 * access), and read again every half polling interval of the ScaledObjects that use it, so a rotated
 * Secret reaches its scalers within one polling interval. A read that fails keeps the value read
 * before (a Secret does not vanish because the apiserver restarts); one that answers 404 is missing.
 */
export class ClusterDependencies {
  private readonly dependencies = new Map<string, Dependency>();
  private readonly byUser = new Map<string, Set<string>>();
  private readonly listeners = new Set<(users: ReadonlySet<string>) => void>();
  private timer?: NodeJS.Timeout;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  reads = 0;

  constructor(
    private readonly kube: KubeClient,
    private readonly options: ClusterDependenciesOptions,
    private readonly logger: InformerLogger,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.refreshDue(), 250);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Called with the users of objects whose content changed. */
  onChange(listener: (users: ReadonlySet<string>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** `user` (a ScaledObject) needs exactly these objects now, polled every `pollingIntervalSeconds`. */
  use(user: string, refs: readonly ObjectRef[], pollingIntervalSeconds: number): void {
    const ids = new Set(refs.map(refId));
    for (const id of this.byUser.get(user) ?? []) if (!ids.has(id)) this.releaseOne(user, id);
    for (const ref of refs) {
      const id = refId(ref);
      let dependency = this.dependencies.get(id);
      if (!dependency) {
        dependency = { ref, users: new Map(), nextReadAt: 0 };
        this.dependencies.set(id, dependency);
      }
      dependency.users.set(user, pollingIntervalSeconds);
    }
    this.byUser.set(user, ids);
  }

  release(user: string): void {
    for (const id of this.byUser.get(user) ?? []) this.releaseOne(user, id);
    this.byUser.delete(user);
  }

  /** The values of these objects, reading those never read. */
  async read(refs: readonly ObjectRef[]): Promise<Map<string, DependencyValue & { readonly error?: string }>> {
    const values = new Map<string, DependencyValue & { error?: string }>();
    await Promise.all(
      refs.map(async (ref) => {
        const id = refId(ref);
        // Not used by anyone (use() was not called): read once, not kept.
        const dependency: Dependency = this.dependencies.get(id) ?? { ref, users: new Map(), nextReadAt: 0 };
        if (!dependency.value) await this.refresh(dependency);
        const value = dependency.value!;
        values.set(id, dependency.error && value.state !== 'failed' ? { ...value, error: dependency.error } : value);
      }),
    );
    return values;
  }

  /** How many objects are tracked, for logs. */
  size(): number {
    return this.dependencies.size;
  }

  private releaseOne(user: string, id: string): void {
    const dependency = this.dependencies.get(id);
    if (!dependency) return;
    dependency.users.delete(user);
    if (dependency.users.size === 0) this.dependencies.delete(id);
  }

  private refreshDue(): void {
    const now = Date.now();
    const changed = new Set<string>();
    const due = [...this.dependencies.values()].filter((d) => d.users.size > 0 && !d.reading && d.value && d.nextReadAt <= now);
    for (const dependency of due) {
      const before = dependency.fingerprint;
      void this.refresh(dependency).then(() => {
        if (dependency.fingerprint === before) return;
        this.logger.debug({ object: refId(dependency.ref) }, 'a referenced object changed');
        for (const user of dependency.users.keys()) changed.add(user);
        queueMicrotask(() => this.emit(changed));
      });
    }
  }

  private emit(users: Set<string>): void {
    if (users.size === 0) return;
    const copy = new Set(users);
    users.clear();
    for (const listener of this.listeners) listener(copy);
  }

  private refresh(dependency: Dependency): Promise<void> {
    dependency.reading ??= (async () => {
      await this.acquire();
      try {
        this.reads += 1;
        const value = await this.fetch(dependency.ref);
        if (value.state === 'failed' && dependency.value && dependency.value.state !== 'failed') {
          // Keep what was read before; say why it may be stale.
          dependency.error = value.error;
        } else {
          dependency.value = value;
          dependency.error = undefined;
          dependency.fingerprint = fingerprint(value);
        }
      } finally {
        this.release_();
        dependency.nextReadAt = Date.now() + this.intervalOf(dependency);
        dependency.reading = undefined;
      }
    })();
    return dependency.reading;
  }

  private intervalOf(dependency: Dependency): number {
    const seconds = Math.min(...dependency.users.values(), 30);
    return Math.max(this.options.minRefreshMs ?? 1_000, seconds * 1000 * (this.options.refreshFraction ?? 0.5));
  }

  private async fetch(ref: ObjectRef): Promise<DependencyValue> {
    const { kind, apiVersion, namespace, name } = ref;
    const file = objectSourceName(kind, namespace, name);
    try {
      if (kind === 'Secret' && apiVersion === 'v1') {
        const secret = await this.kube.core.readNamespacedSecret({ name, namespace });
        return found({ apiVersion, kind, metadata: { name, namespace }, ...(secret.data ? { data: secret.data } : {}) }, file, []);
      }
      if (kind === 'ConfigMap' && apiVersion === 'v1') {
        const configMap = await this.kube.core.readNamespacedConfigMap({ name, namespace });
        return found({ apiVersion, kind, metadata: { name, namespace }, ...(configMap.data ? { data: configMap.data } : {}), ...(configMap.binaryData ? { binaryData: configMap.binaryData } : {}) }, file, []);
      }
      const workload = await this.readWorkload(ref);
      const template = (workload.spec as { template?: { spec?: { containers?: unknown[]; initContainers?: unknown[] } } } | undefined)?.template;
      // Only what the env of the containers needs: the rest of the pod template is not the source's business.
      const containers = plain(template?.spec?.containers ?? []) as unknown[];
      return found({ apiVersion, kind, metadata: { name, namespace }, spec: { template: { spec: { containers } } } }, file, containers);
    } catch (error) {
      if (isNotFound(error)) return { state: 'missing' };
      return { state: 'failed', error: describeKubeError(error, `GET ${kind.toLowerCase()} ${namespace}/${name}`) };
    }
  }

  private async readWorkload(ref: ObjectRef): Promise<KubernetesObject & { spec?: unknown }> {
    const { namespace, name } = ref;
    if (ref.apiVersion === 'apps/v1' && ref.kind === 'Deployment') return this.kube.apps.readNamespacedDeployment({ name, namespace });
    if (ref.apiVersion === 'apps/v1' && ref.kind === 'StatefulSet') return this.kube.apps.readNamespacedStatefulSet({ name, namespace });
    // Any other kind with a pod template at spec.template (Argo Rollouts, OpenKruise CloneSets, ...).
    return (await this.kube.objects.read({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name, namespace } })) as KubernetesObject & { spec?: unknown };
  }

  private async acquire(): Promise<void> {
    if (this.active < (this.options.maxConcurrentReads ?? 8)) {
      this.active += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release_(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active -= 1;
  }
}

function found(object: KubernetesObject & Record<string, unknown>, file: string, containers: readonly unknown[]): DependencyValue {
  return { state: 'found', manifest: clusterManifest(object, file), containers };
}

/** client-node's typed models as plain JSON (dates as strings, no undefined members). */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value ?? null)) as unknown;
}

function fingerprint(value: DependencyValue): string {
  if (value.state === 'found') return createHash('sha256').update(value.manifest.text).digest('hex');
  return value.state === 'missing' ? 'missing' : `failed:${value.error}`;
}
