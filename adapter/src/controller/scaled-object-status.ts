import type { LoadedScaledObject } from '@updraft/core';
import type { Condition } from './conditions.js';
import type { GroupVersionKindResource } from './horizontal-pod-autoscaler.js';

/** `ScaledObjectStatus` (apis/keda/v1alpha1/scaledobject_types.go), JSON field names as KEDA's. */
export interface ScaledObjectStatus {
  scaleTargetKind?: string;
  scaleTargetGVKR?: GroupVersionKindResource;
  originalReplicaCount?: number;
  /** RFC 3339, seconds precision (metav1.Time). */
  lastActiveTime?: string;
  externalMetricNames?: string[];
  resourceMetricNames?: string[];
  compositeScalerName?: string;
  conditions?: Condition[];
  health?: Record<string, { numberOfFailures?: number; status?: 'Happy' | 'Failing' }>;
  triggersActivity?: Record<string, { isActive: boolean }>;
  pausedReplicaCount?: number;
  hpaName?: string;
  triggersTypes?: string;
  authenticationsTypes?: string;
}

/** `CombinedTriggersAndAuthenticationsTypes`: each trigger type and authenticationRef name once, in order, comma-joined. */
export function triggersAndAuthenticationsTypes(triggers: readonly { type: string; authenticationRef?: { name: string } }[]): { triggersTypes: string; authenticationsTypes: string } {
  const types: string[] = [];
  const auths: string[] = [];
  for (const trigger of triggers) {
    if (!types.includes(trigger.type)) types.push(trigger.type);
    const auth = trigger.authenticationRef?.name;
    if (auth && !auths.includes(auth)) auths.push(auth);
  }
  return { triggersTypes: types.join(','), authenticationsTypes: auths.join(',') };
}

/** The names `status.externalMetricNames` and `resourceMetricNames` list: every trigger's, also with scalingModifiers. */
export function metricNames(loaded: LoadedScaledObject): { external: string[]; resource: string[] } {
  const external: string[] = [];
  const resource: string[] = [];
  for (const trigger of loaded.triggers) {
    if (trigger.kind === 'resource') resource.push(trigger.type);
    else external.push(...trigger.metricSpecs.map((spec) => spec.metricName));
  }
  return { external, resource };
}

/** metav1.Time as the apiserver writes it: RFC 3339 in UTC, whole seconds. */
export function metaTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Scale targets KEDA knows without discovery (gvkr.go `getResource`); others are looked up with discovery. */
export function parseGroupVersion(apiVersion: string | undefined): { group: string; version: string } {
  if (!apiVersion) return { group: 'apps', version: 'v1' };
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}
