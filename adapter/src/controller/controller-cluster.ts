import https from 'node:https';
import { PatchStrategy, setHeaderOptions, type KubernetesObject } from '@kubernetes/client-node';
import { describeKubeError, isConflict, isNotFound, type KubeClient } from '../cluster/kube-client.js';
import type { HorizontalPodAutoscaler, GroupVersionKindResource } from './horizontal-pod-autoscaler.js';
import { KEDA_GROUP, KEDA_VERSION, SCALED_OBJECT_PLURAL } from './keda-api.js';
import type { LeaseSpec, LeaseStore, StoredLease } from './leader-election.js';
import type { ScaledObjectStatus } from './scaled-object-status.js';

/** A ScaledObject as the controller reads and writes it. */
export type ScaledObjectResource = KubernetesObject & {
  metadata: NonNullable<KubernetesObject['metadata']> & { name: string; namespace: string };
  spec: Record<string, unknown>;
  status?: ScaledObjectStatus;
};

/** `autoscaling/v1` Scale, as the scale subresource answers. */
export interface Scale {
  metadata: { name: string; namespace: string; resourceVersion?: string };
  spec: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

export interface EventToEmit {
  readonly regarding: { namespace: string; name: string; uid?: string; resourceVersion?: string };
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly action: string;
  readonly note: string;
}

/** A call the apiserver refused or that never got an answer; `status` 0 when there was none. */
export class ClusterCallError extends Error {
  override readonly name = 'ClusterCallError';
  constructor(message: string, readonly notFound: boolean, readonly conflict: boolean, options?: { cause?: unknown }) {
    super(message, options);
  }
}

function wrap(what: string): (error: unknown) => never {
  return (error: unknown) => {
    throw new ClusterCallError(describeKubeError(error, what), isNotFound(error), isConflict(error), { cause: error });
  };
}

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * Every call the controller makes to the apiserver, over the shared KubeClient (client-node 1.x).
 * Each failure is a ClusterCallError with one line naming the call; writes carry the resourceVersion
 * they read, so an update can fail with a conflict but never overwrite one it did not see.
 */
export class ControllerCluster {
  private readonly resources = new Map<string, string>();

  constructor(private readonly kube: KubeClient) {}

  async getScaledObject(namespace: string, name: string): Promise<ScaledObjectResource | undefined> {
    try {
      return (await this.kube.customObjects.getNamespacedCustomObject({ group: KEDA_GROUP, version: KEDA_VERSION, namespace, plural: SCALED_OBJECT_PLURAL, name })) as ScaledObjectResource;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      return wrap(`GET scaledobject ${namespace}/${name}`)(error);
    }
  }

  /** PUT of the whole object (metadata: finalizers, labels), conditional on its resourceVersion. */
  replaceScaledObject(object: ScaledObjectResource): Promise<ScaledObjectResource> {
    const { namespace, name } = object.metadata;
    return this.kube.customObjects
      .replaceNamespacedCustomObject({ group: KEDA_GROUP, version: KEDA_VERSION, namespace, plural: SCALED_OBJECT_PLURAL, name, body: object })
      .then((result) => result as ScaledObjectResource, wrap(`PUT scaledobject ${namespace}/${name}`));
  }

  /** JSON merge patch of /status: only the fields given change (null removes one). */
  patchScaledObjectStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<ScaledObjectResource> {
    return this.kube.customObjects
      .patchNamespacedCustomObjectStatus({ group: KEDA_GROUP, version: KEDA_VERSION, namespace, plural: SCALED_OBJECT_PLURAL, name, body: { status } }, MERGE_PATCH)
      .then((result) => result as ScaledObjectResource, wrap(`PATCH scaledobject ${namespace}/${name}/status`));
  }

  async getHpa(namespace: string, name: string): Promise<HorizontalPodAutoscaler | undefined> {
    try {
      return (await this.kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name })) as unknown as HorizontalPodAutoscaler;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      return wrap(`GET horizontalpodautoscaler ${namespace}/${name}`)(error);
    }
  }

  listHpas(namespace: string): Promise<HorizontalPodAutoscaler[]> {
    return this.kube.autoscaling
      .listNamespacedHorizontalPodAutoscaler({ namespace })
      .then((list) => list.items as unknown as HorizontalPodAutoscaler[], wrap(`LIST horizontalpodautoscalers in ${namespace}`));
  }

  createHpa(hpa: HorizontalPodAutoscaler): Promise<HorizontalPodAutoscaler> {
    const { namespace, name } = hpa.metadata;
    return this.kube.autoscaling
      .createNamespacedHorizontalPodAutoscaler({ namespace, body: hpa as never })
      .then((result) => result as unknown as HorizontalPodAutoscaler, wrap(`POST horizontalpodautoscaler ${namespace}/${name}`));
  }

  replaceHpa(hpa: HorizontalPodAutoscaler): Promise<HorizontalPodAutoscaler> {
    const { namespace, name } = hpa.metadata;
    return this.kube.autoscaling
      .replaceNamespacedHorizontalPodAutoscaler({ namespace, name, body: hpa as never })
      .then((result) => result as unknown as HorizontalPodAutoscaler, wrap(`PUT horizontalpodautoscaler ${namespace}/${name}`));
  }

  async deleteHpa(namespace: string, name: string): Promise<void> {
    try {
      await this.kube.autoscaling.deleteNamespacedHorizontalPodAutoscaler({ namespace, name });
    } catch (error) {
      if (!isNotFound(error)) wrap(`DELETE horizontalpodautoscaler ${namespace}/${name}`)(error);
    }
  }

  /** The resource name of a scale target's kind: KEDA's two well-known ones, else discovery. */
  async resourceOf(group: string, version: string, kind: string): Promise<string> {
    if (group === 'apps' && kind === 'Deployment') return 'deployments';
    if (group === 'apps' && kind === 'StatefulSet') return 'statefulsets';
    const key = `${group}/${version}/${kind}`;
    const known = this.resources.get(key);
    if (known) return known;
    const apiVersion = group === '' ? version : `${group}/${version}`;
    const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
    const list = (await this.getJson(path).catch(wrap(`GET ${path} (discovery of ${kind})`))) as { resources?: { name: string; kind: string }[] };
    const resource = list.resources?.find((r) => r.kind === kind && !r.name.includes('/'));
    if (!resource) throw new ClusterCallError(`the API server has no kind ${kind} in ${apiVersion}`, true, false);
    this.resources.set(key, resource.name);
    return resource.name;
  }

  async getScale(namespace: string, gvkr: GroupVersionKindResource, name: string): Promise<Scale> {
    return (await this.kube.customObjects
      .getNamespacedCustomObjectScale({ group: gvkr.group, version: gvkr.version, namespace, plural: gvkr.resource, name })
      .catch(wrap(`GET ${gvkr.resource} ${namespace}/${name}/scale`))) as Scale;
  }

  /** Writes scale.spec.replicas, conditional on the resourceVersion read with it. */
  async replaceScale(namespace: string, gvkr: GroupVersionKindResource, scale: Scale, replicas: number): Promise<Scale> {
    const body = { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: scale.metadata, spec: { replicas } };
    return (await this.kube.customObjects
      .replaceNamespacedCustomObjectScale({ group: gvkr.group, version: gvkr.version, namespace, plural: gvkr.resource, name: scale.metadata.name, body })
      .catch(wrap(`PUT ${gvkr.resource} ${namespace}/${scale.metadata.name}/scale`))) as Scale;
  }

  /** Whether the scale target exists at all (to tell "no such object" from "no /scale"). */
  async targetExists(namespace: string, gvkr: GroupVersionKindResource, name: string): Promise<boolean> {
    try {
      await this.kube.customObjects.getNamespacedCustomObject({ group: gvkr.group, version: gvkr.version, namespace, plural: gvkr.resource, name });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      return wrap(`GET ${gvkr.resource} ${namespace}/${name}`)(error);
    }
  }

  /** events.k8s.io/v1, as KEDA's recorder writes them; returns the event's name for a later series update. */
  async createEvent(event: EventToEmit, reportingInstance: string, now: string): Promise<string> {
    const { namespace, name } = event.regarding;
    const body = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { namespace, name: `${name}.${Date.now().toString(16)}${Math.floor(Math.random() * 0x10000).toString(16)}` },
      eventTime: now,
      reportingController: 'keda-operator',
      reportingInstance: reportingInstance.slice(0, 128),
      action: event.action,
      reason: event.reason,
      note: event.note.slice(0, 1024),
      type: event.type,
      regarding: { apiVersion: `${KEDA_GROUP}/${KEDA_VERSION}`, kind: 'ScaledObject', namespace, name, ...(event.regarding.uid ? { uid: event.regarding.uid } : {}) },
    };
    const created = await this.kube.events.createNamespacedEvent({ namespace, body: body as never }).catch(wrap(`POST event for scaledobject ${namespace}/${name}`));
    return created.metadata?.name ?? body.metadata.name;
  }

  /** Counts a repeat of an event in its series instead of writing a new one (client-go's events.k8s.io recorder). */
  async updateEventSeries(namespace: string, name: string, count: number, now: string): Promise<void> {
    await this.kube.events
      .patchNamespacedEvent({ namespace, name, body: { series: { count, lastObservedTime: now } } }, MERGE_PATCH)
      .catch(wrap(`PATCH event ${namespace}/${name}`));
  }

  /** The Lease the controller elects its leader on. */
  leaseStore(namespace: string, name: string): LeaseStore {
    const coordination = this.kube.coordination;
    const stored = (lease: { spec?: object; metadata?: { resourceVersion?: string } }): StoredLease => ({ spec: (lease.spec ?? {}) as LeaseSpec, resourceVersion: lease.metadata?.resourceVersion ?? '' });
    return {
      get: async () => {
        try {
          return stored(await coordination.readNamespacedLease({ namespace, name }));
        } catch (error) {
          if (isNotFound(error)) return undefined;
          return wrap(`GET lease ${namespace}/${name}`)(error);
        }
      },
      create: async (spec) => stored(await coordination.createNamespacedLease({ namespace, body: { metadata: { name, namespace }, spec: spec as never } }).catch(wrap(`POST lease ${namespace}/${name}`))),
      replace: async (spec, resourceVersion) =>
        stored(await coordination.replaceNamespacedLease({ namespace, name, body: { metadata: { name, namespace, resourceVersion }, spec: spec as never } }).catch(wrap(`PUT lease ${namespace}/${name}`))),
    };
  }

  /** A GET the generated clients do not offer (discovery), with the kubeconfig's credentials. */
  private async getJson(path: string): Promise<unknown> {
    const cluster = this.kube.config.getCurrentCluster();
    if (!cluster) throw new Error('no current cluster in the kubeconfig');
    const url = new URL(path, cluster.server);
    const options: https.RequestOptions = { method: 'GET', hostname: url.hostname, port: url.port, path: url.pathname, headers: { accept: 'application/json' } };
    await this.kube.config.applyToHTTPSOptions(options);
    return new Promise((resolve, reject) => {
      const request = https.request(options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((response.statusCode ?? 0) >= 300) return reject(new Error(`${response.statusCode} ${text.slice(0, 200)}`));
          try {
            resolve(JSON.parse(text));
          } catch (error) {
            reject(error as Error);
          }
        });
      });
      request.on('error', reject);
      request.end();
    });
  }
}
