import { DEFAULT_HPA_SCALE_DOWN_RULES, DEFAULT_HPA_SCALE_UP_RULES, parseQuantity, type HPAScalingRules, type HorizontalPodAutoscalerBehavior } from '@updraft/core';
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricTarget } from './horizontal-pod-autoscaler.js';

/** What differs between the HPA the ScaledObject asks for and the one in the cluster; empty when nothing does. */
export type HpaDifference = 'spec' | 'labels' | 'annotations' | 'owner';

/**
 * `updateHPAIfNeeded` (controllers/keda/hpa.go), semantically: the spec compared after the apiserver's
 * defaulting (minReplicas 1, behavior's unset rules) with quantities compared by value ("1" = "1000m"),
 * labels and annotations as a subset (others may add theirs), and the ScaledObject as controller.
 */
export function hpaDifferences(desired: HorizontalPodAutoscaler, found: HorizontalPodAutoscaler): HpaDifference[] {
  const differences: HpaDifference[] = [];
  if (!deepEqual(normalizeSpec(desired.spec), normalizeSpec(found.spec))) differences.push('spec');
  if (!isSubset(desired.metadata.labels, found.metadata.labels)) differences.push('labels');
  const wanted = desired.metadata.annotations ?? {};
  const present = found.metadata.annotations ?? {};
  // As KEDA: annotations the ScaledObject no longer has are removed only when it has none left.
  if (!isSubset(wanted, present) || (Object.keys(wanted).length === 0 && Object.keys(present).length > 0)) differences.push('annotations');
  const owner = desired.metadata.ownerReferences?.[0];
  if (owner && !found.metadata.ownerReferences?.some((ref) => ref.uid === owner.uid && ref.controller === true)) differences.push('owner');
  return differences;
}

/** The spec as the apiserver stores it, quantities as numbers: what two specs are compared by. */
export function normalizeSpec(spec: HorizontalPodAutoscalerSpec): unknown {
  return {
    scaleTargetRef: { apiVersion: spec.scaleTargetRef.apiVersion, kind: spec.scaleTargetRef.kind, name: spec.scaleTargetRef.name },
    minReplicas: spec.minReplicas ?? 1,
    maxReplicas: spec.maxReplicas,
    metrics: (spec.metrics ?? []).map((metric) => {
      switch (metric.type) {
        case 'External':
          return { type: metric.type, name: metric.external.metric.name, selector: metric.external.metric.selector?.matchLabels ?? {}, target: normalizeTarget(metric.external.target) };
        case 'Resource':
          return { type: metric.type, name: metric.resource.name, target: normalizeTarget(metric.resource.target) };
        case 'ContainerResource':
          return { type: metric.type, name: metric.containerResource.name, container: metric.containerResource.container, target: normalizeTarget(metric.containerResource.target) };
        default:
          return metric;
      }
    }),
    behavior: defaultBehavior(spec.behavior),
  };
}

function normalizeTarget(target: MetricTarget): unknown {
  return {
    type: target.type,
    value: quantity(target.value),
    averageValue: quantity(target.averageValue),
    averageUtilization: target.averageUtilization,
  };
}

function quantity(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'number' ? value : parseQuantity(value);
}

/** `SetDefaults_HorizontalPodAutoscalerBehavior` (pkg/apis/autoscaling/v2/defaults.go): a set behavior gets every rule filled. */
function defaultBehavior(behavior: HorizontalPodAutoscalerBehavior | undefined): unknown {
  if (!behavior) return undefined;
  const rules = (given: HPAScalingRules | undefined, defaults: { stabilizationWindowSeconds?: number; selectPolicy: string; policies: readonly unknown[] }) => ({
    stabilizationWindowSeconds: given?.stabilizationWindowSeconds ?? defaults.stabilizationWindowSeconds,
    selectPolicy: given?.selectPolicy ?? defaults.selectPolicy,
    policies: (given?.policies ?? defaults.policies).map((p) => ({ ...(p as object) })),
    tolerance: quantity(given?.tolerance),
  });
  return { scaleUp: rules(behavior.scaleUp, DEFAULT_HPA_SCALE_UP_RULES), scaleDown: rules(behavior.scaleDown, DEFAULT_HPA_SCALE_DOWN_RULES) };
}

function isSubset(wanted: Readonly<Record<string, string>> | undefined, present: Readonly<Record<string, string>> | undefined): boolean {
  return Object.entries(wanted ?? {}).every(([key, value]) => present?.[key] === value);
}

/** Structural equality of JSON values; undefined members count as absent. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => deepEqual(item, other[i]));
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if (!deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])) return false;
  return true;
}
