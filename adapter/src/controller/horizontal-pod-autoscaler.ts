import { formatMilli, formatQuantity, type HorizontalPodAutoscalerBehavior, type LoadedScaledObject, type MetricSpec, type ResourceTrigger } from '@updraft/core';
import { ANNOTATIONS, COMPOSITE_METRIC_NAME, DEFAULT_HPA_MAX_REPLICAS, KEDA_GROUP, KEDA_VERSION, MANAGED_BY, SCALED_OBJECT_KIND, SCALED_OBJECT_NAME_LABEL, boolAnnotation } from './keda-api.js';

/** The parts of an `autoscaling/v2` HorizontalPodAutoscaler the controller writes and reads, as JSON. */
export interface HorizontalPodAutoscaler {
  apiVersion: 'autoscaling/v2';
  kind: 'HorizontalPodAutoscaler';
  metadata: ObjectMeta;
  spec: HorizontalPodAutoscalerSpec;
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[]; currentReplicas?: number; desiredReplicas?: number };
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  resourceVersion?: string;
  uid?: string;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface HorizontalPodAutoscalerSpec {
  scaleTargetRef: { apiVersion: string; kind: string; name: string };
  minReplicas?: number;
  maxReplicas: number;
  metrics?: HpaMetricSpec[];
  behavior?: HorizontalPodAutoscalerBehavior;
}

export interface MetricTarget {
  type: 'AverageValue' | 'Value' | 'Utilization';
  value?: string;
  averageValue?: string;
  averageUtilization?: number;
}

export type HpaMetricSpec =
  | { type: 'External'; external: { metric: { name: string; selector?: { matchLabels?: Record<string, string> } }; target: MetricTarget } }
  | { type: 'Resource'; resource: { name: string; target: MetricTarget } }
  | { type: 'ContainerResource'; containerResource: { name: string; container: string; target: MetricTarget } };

/** `scaleTargetGVKR`: the scale target's group, version, kind and resource (apis/keda/v1alpha1/gvkr.go). */
export interface GroupVersionKindResource {
  group: string;
  version: string;
  kind: string;
  resource: string;
}

/** `GVKString`: `apps/v1.Deployment`, what `status.scaleTargetKind` holds. */
export function gvkString(gvkr: GroupVersionKindResource): string {
  return `${gvkr.group}/${gvkr.version}.${gvkr.kind}`;
}

/** `GroupVersion().String()`: `apps/v1`, or `v1` for the core group. */
export function groupVersion(gvkr: Pick<GroupVersionKindResource, 'group' | 'version'>): string {
  return gvkr.group === '' ? gvkr.version : `${gvkr.group}/${gvkr.version}`;
}

/** The ScaledObject's identity, as the apiserver holds it. */
export interface ScaledObjectIdentity {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** `getHPAName`: `advanced.horizontalPodAutoscalerConfig.name`, else `keda-hpa-<name>`. */
export function hpaNameOf(object: Pick<LoadedScaledObject, 'name' | 'spec'>): string {
  return object.spec.advanced?.horizontalPodAutoscalerConfig?.name || `keda-hpa-${object.name}`;
}

export class HpaSpecError extends Error {
  override readonly name = 'HpaSpecError';
}

export interface HpaInput {
  /** metadata of the ScaledObject in the cluster: labels and annotations are copied from here, its uid owns the HPA. */
  readonly scaledObject: ScaledObjectIdentity;
  readonly loaded: LoadedScaledObject;
  /** The engine's metric specs for this object (`s<i>-…`, or the one composite metric with scalingModifiers). */
  readonly metricSpecs: readonly MetricSpec[];
  readonly gvkr: GroupVersionKindResource;
  /** `app.kubernetes.io/version`. */
  readonly version: string;
}

/**
 * The HPA KEDA's operator makes for a ScaledObject (`newHPAForScaledObject`, controllers/keda/hpa.go):
 * name, labels, annotations, controller owner, min/max, metrics in KEDA's order, behavior with the
 * paused-scale-in/out policies. Throws HpaSpecError when KEDA would refuse (a metric name twice).
 */
export function buildHorizontalPodAutoscaler(input: HpaInput): HorizontalPodAutoscaler {
  const { scaledObject, loaded, gvkr } = input;
  const name = hpaNameOf(loaded);
  const annotations = scaledObject.annotations ?? {};
  const spec: HorizontalPodAutoscalerSpec = {
    scaleTargetRef: { apiVersion: groupVersion(gvkr), kind: gvkr.kind, name: loaded.spec.scaleTargetRef.name },
    minReplicas: loaded.spec.minReplicaCount > 0 ? loaded.spec.minReplicaCount : 1,
    maxReplicas: loaded.spec.maxReplicaCount ?? DEFAULT_HPA_MAX_REPLICAS,
    metrics: hpaMetrics(loaded, input.metricSpecs),
  };
  const behavior = hpaBehavior(loaded.spec.advanced?.horizontalPodAutoscalerConfig?.behavior, annotations);
  if (behavior) spec.behavior = behavior;
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: {
      name,
      namespace: scaledObject.namespace,
      labels: hpaLabels(name, scaledObject, input.version),
      ...(Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
      ownerReferences: [controllerReference(scaledObject)],
    },
    spec,
  };
}

/** `SetControllerReference`: the ScaledObject controls the HPA, so the garbage collector deletes it with the ScaledObject. */
export function controllerReference(scaledObject: Pick<ScaledObjectIdentity, 'name' | 'uid'>): OwnerReference {
  return { apiVersion: `${KEDA_GROUP}/${KEDA_VERSION}`, kind: SCALED_OBJECT_KIND, name: scaledObject.name, uid: scaledObject.uid, controller: true, blockOwnerDeletion: true };
}

/** KEDA's four labels (the name cut to 63 characters), then the ScaledObject's labels minus `hpa-excluded-labels`. */
function hpaLabels(hpaName: string, scaledObject: ScaledObjectIdentity, version: string): Record<string, string> {
  let labelName = hpaName;
  if (labelName.length > 63) labelName = labelName.slice(0, 63).replace(/[^\p{L}\p{N}]+$/u, '');
  const labels: Record<string, string> = {
    'app.kubernetes.io/name': labelName,
    'app.kubernetes.io/version': version,
    'app.kubernetes.io/part-of': scaledObject.name,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
  const excluded = new Set((scaledObject.annotations?.[ANNOTATIONS.hpaExcludedLabels] ?? '').split(','));
  for (const [key, value] of Object.entries(scaledObject.labels ?? {})) if (!excluded.has(key)) labels[key] = value;
  return labels;
}

/** `behavior` passed through; paused-scale-in / paused-scale-out set scaleDown / scaleUp `selectPolicy: Disabled`. */
function hpaBehavior(behavior: HorizontalPodAutoscalerBehavior | undefined, annotations: Readonly<Record<string, string>>): HorizontalPodAutoscalerBehavior | undefined {
  let result: HorizontalPodAutoscalerBehavior | undefined = behavior ? structuredClone(behavior) as HorizontalPodAutoscalerBehavior : undefined;
  if (boolAnnotation(annotations, ANNOTATIONS.pausedScaleIn)) result = { ...result, scaleDown: { ...result?.scaleDown, selectPolicy: 'Disabled' } };
  if (boolAnnotation(annotations, ANNOTATIONS.pausedScaleOut)) result = { ...result, scaleUp: { ...result?.scaleUp, selectPolicy: 'Disabled' } };
  return result;
}

/**
 * `getScaledObjectMetricSpecs`: one External metric per engine spec with the `scaledobject.keda.sh/name`
 * selector, the cpu/memory triggers as Resource (or ContainerResource) metrics, sorted by type
 * (External before Resource); with scalingModifiers the Resource metrics first, then the composite.
 */
function hpaMetrics(loaded: LoadedScaledObject, metricSpecs: readonly MetricSpec[]): HpaMetricSpec[] {
  const resource = loaded.triggers.filter((t): t is ResourceTrigger => t.kind === 'resource').map(resourceMetric);
  const seen = new Set<string>();
  const external: HpaMetricSpec[] = [];
  for (const spec of metricSpecs) {
    if (seen.has(spec.metricName)) throw new HpaSpecError(`metricName ${spec.metricName} defined multiple times in ScaledObject ${loaded.name}`);
    seen.add(spec.metricName);
    const composite = spec.metricName === COMPOSITE_METRIC_NAME && loaded.spec.advanced?.scalingModifiers !== undefined;
    // KEDA truncates the composite target to a milli (NewMilliQuantity(int64(target*1000))) and formats trigger targets with %.3f.
    const quantity = composite ? formatMilli(BigInt(Math.trunc(spec.target * 1000))) : formatQuantity(spec.target);
    external.push({
      type: 'External',
      external: {
        metric: { name: spec.metricName, selector: { matchLabels: { [SCALED_OBJECT_NAME_LABEL]: loaded.name } } },
        target: spec.metricType === 'Value' ? { type: 'Value', value: quantity } : { type: 'AverageValue', averageValue: quantity },
      },
    });
  }
  if (loaded.spec.advanced?.scalingModifiers) return [...resource, ...external];
  // Go's sort.Slice by type string: "ContainerResource" < "External" < "Resource"; stable here so the order never flaps.
  return [...external, ...resource].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
}

/** cpu_memory_scaler.go: `value` as averageUtilization (Utilization, the default) or averageValue; `containerName` makes it ContainerResource. */
function resourceMetric(trigger: ResourceTrigger): HpaMetricSpec {
  // The deprecated metadata `type` counts only where metricType was left at its default.
  const metricType = trigger.metricType === 'AverageValue' && trigger.metadata.type ? trigger.metadata.type : trigger.metricType;
  const value = trigger.metadata.value ?? '';
  const target: MetricTarget = metricType === 'AverageValue' ? { type: 'AverageValue', averageValue: value } : { type: 'Utilization', averageUtilization: Number.parseInt(value, 10) };
  const container = trigger.metadata.containerName;
  return container
    ? { type: 'ContainerResource', containerResource: { name: trigger.type, container, target } }
    : { type: 'Resource', resource: { name: trigger.type, target } };
}
