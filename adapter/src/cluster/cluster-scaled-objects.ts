import type { KubernetesObject } from '@kubernetes/client-node';
import type { LoadedScaledObject } from '@updraft/core';

/**
 * The ScaledObjects of the cluster as the Kubernetes source holds them, for the controller (HPAs,
 * status, events, scale). Bound only with `--source kubernetes`.
 */
export const ClusterScaledObjects = Symbol.for('updraft.adapter.ClusterScaledObjects');

export interface ClusterScaledObjects {
  /** Every ScaledObject the informers hold now (after --watch-namespace and --watch-label-selector), valid or not. */
  list(): readonly ClusterScaledObject[];
  get(namespace: string, name: string): ClusterScaledObject | undefined;
  /**
   * Called after a ScaledObject was added, changed (anything but its status) or deleted, and after
   * anything it depends on changed (its TriggerAuthentication or ClusterTriggerAuthentication, a
   * Secret or ConfigMap it reads, its scale target's pod template). Called after the engine was
   * told. `deleted`: gone from the informer (get() returns undefined). Returns the unsubscribe.
   */
  onChange(listener: (change: ClusterScaledObjectChange) => void): () => void;
  /** Resolves when the first lists are in and every listed ScaledObject has been loaded once. */
  synced(): Promise<void>;
}

export interface ClusterScaledObjectChange {
  readonly namespace: string;
  readonly name: string;
  readonly deleted: boolean;
}

export interface ClusterScaledObject {
  /** As the apiserver returned it. */
  readonly object: KedaScaledObject;
  /** What the loader made of the current version; else the last good one; undefined when none ever loaded. */
  readonly loaded?: LoadedScaledObject;
  /** metadata.generation of the version `loaded` came from. */
  readonly loadedGeneration?: number;
  /** The current version's errors, one line each, as `updraft validate` words them ([] when it loaded). */
  readonly errors: readonly string[];
  /** The current version's warnings; they never stop it from being served. */
  readonly warnings: readonly string[];
  /** True when `errors` is not empty and `loaded` is an earlier version, still served. */
  readonly servingLastGood: boolean;
  /** KEDA's status.triggersTypes: the trigger types in order, de-duplicated, joined with ",". */
  readonly triggersTypes: string;
  /** KEDA's status.authenticationsTypes: the authenticationRef names in order, de-duplicated, joined with ",". */
  readonly authenticationsTypes: string;
}

export interface KedaScaledObject extends KubernetesObject {
  spec?: Record<string, unknown>;
  status?: ScaledObjectStatus;
}

/** KEDA's ScaledObjectStatus (apis/keda/v1alpha1/scaledobject_types.go), as the CRD's status schema accepts it. */
export interface ScaledObjectStatus {
  scaleTargetKind?: string;
  scaleTargetGVKR?: { group: string; version: string; kind: string; resource: string };
  originalReplicaCount?: number;
  /** RFC 3339. */
  lastActiveTime?: string;
  externalMetricNames?: string[];
  resourceMetricNames?: string[];
  compositeScalerName?: string;
  hpaName?: string;
  health?: Record<string, { numberOfFailures?: number; status?: 'Happy' | 'Failing' | string }>;
  triggersActivity?: Record<string, { isActive?: boolean }>;
  pausedReplicaCount?: number;
  triggersTypes?: string;
  authenticationsTypes?: string;
  conditions?: { type: string; status: 'True' | 'False' | 'Unknown' | string; reason?: string; message?: string }[];
}
