/**
 * KEDA's names, as the operator spells them, in one place: annotations and labels
 * (apis/keda/v1alpha1/scaledobject_types.go), the finalizer (controllers/keda/scaledobject_finalizer.go),
 * condition reasons and messages (apis/keda/v1alpha1/condition_types.go, scaledobject_controller.go,
 * pkg/scaling/executor/scale_scaledobjects.go, pkg/fallback/fallback.go), event reasons
 * (pkg/eventreason/eventreason.go) and messages (pkg/common/message/message.go).
 */

export const KEDA_GROUP = 'keda.sh';
export const KEDA_VERSION = 'v1alpha1';
export const SCALED_OBJECT_KIND = 'ScaledObject';
export const SCALED_OBJECT_PLURAL = 'scaledobjects';

export const FINALIZER = 'finalizer.keda.sh';

/** The label on the ScaledObject, and the HPA's metric selector (`ScaledObjectOwnerAnnotation`). */
export const SCALED_OBJECT_NAME_LABEL = 'scaledobject.keda.sh/name';

export const ANNOTATIONS = {
  paused: 'autoscaling.keda.sh/paused',
  pausedReplicas: 'autoscaling.keda.sh/paused-replicas',
  pausedScaleIn: 'autoscaling.keda.sh/paused-scale-in',
  pausedScaleOut: 'autoscaling.keda.sh/paused-scale-out',
  forceActivation: 'autoscaling.keda.sh/force-activation',
  transferHpaOwnership: 'scaledobject.keda.sh/transfer-hpa-ownership',
  hpaExcludedLabels: 'scaledobject.keda.sh/hpa-excluded-labels',
  /** On an HPA: "false" lets a ScaledObject target the same workload (scaledobject_webhook.go). */
  validationsHpaOwnership: 'validations.keda.sh/hpa-ownership',
} as const;

/** The `app.kubernetes.io/managed-by` of every HPA KEDA makes; kept so that tools that select on it still find Updraft's. */
export const MANAGED_BY = 'keda-operator';

export const COMPOSITE_METRIC_NAME = 'composite-metric';
export const DEFAULT_HPA_MAX_REPLICAS = 100;

export const REASONS = {
  ready: 'ScaledObjectReady',
  checkFailed: 'ScaledObjectCheckFailed',
  partialTriggerError: 'PartialTriggerError',
  triggerError: 'TriggerError',
  errorGettingCurrentReplicas: 'ErrorGettingCurrentReplicas',
  scalerActive: 'ScalerActive',
  scalerNotActive: 'ScalerNotActive',
  scalerCooldown: 'ScalerCooldown',
  unknownState: 'UnknownState',
  fallbackExists: 'FallbackExists',
  noFallbackFound: 'NoFallbackFound',
  paused: 'ScaledObjectPaused',
  unpaused: 'ScaledObjectUnpaused',
} as const;

export const MESSAGES = {
  ready: 'ScaledObject is defined correctly and is ready for scaling',
  paused: 'ScaledObject is paused',
  unpaused: 'pause annotation removed for ScaledObject',
  checkFailedActive: 'ScaledObject check failed',
  activeByTriggers: 'Scaling is performed because triggers are active',
  activeByForce: 'Scaling is performed because activation is being forced by annotation',
  notActive: 'Scaling is not performed because triggers are not active',
  cooldown: 'Scaler cooling down because triggers are not active',
  partialTriggerError: 'Some triggers defined in ScaledObject are not working correctly',
  triggerError: 'Triggers defined in ScaledObject are not working correctly',
  fallbackExists: 'At least one trigger is falling back on this scaled object',
  noFallbackFound: 'No fallbacks are active on this scaled object',
  scaleTarget: "ScaledObject doesn't have correct scaleTargetRef specification",
  scaleTargetNotFound: "Target resource doesn't exist",
  scaleTargetNoSubresource: "Target resource doesn't expose /scale subresource",
  scalerReady: 'ScaledObject is ready for scaling',
  scalersStarted: 'Started scalers watch',
  scalersStopped: 'Stopped scalers watch',
  removed: 'ScaledObject was deleted',
  fallbackActivated: 'ScaledObject fallback is active',
  fallbackDeactivated: 'ScaledObject fallback is no longer active',
  ensureHpa: 'failed to ensure HPA is correctly created for ScaledObject',
  replicaBounds: "ScaledObject doesn't have correct Idle/Min/Max Replica Counts specification",
  triggers: "ScaledObject doesn't have correct triggers specification",
} as const;

export const EVENT_REASONS = {
  ready: 'ScaledObjectReady',
  checkFailed: 'ScaledObjectCheckFailed',
  updateFailed: 'ScaledObjectUpdateFailed',
  deleted: 'ScaledObjectDeleted',
  paused: 'ScaledObjectPaused',
  unpaused: 'ScaledObjectUnpaused',
  fallbackActivated: 'ScaledObjectFallbackActivated',
  fallbackDeactivated: 'ScaledObjectFallbackDeactivated',
  scalersStarted: 'KEDAScalersStarted',
  scalersStopped: 'KEDAScalersStopped',
  scalerFailed: 'KEDAScalerFailed',
  metricSourceFailed: 'KEDAMetricSourceFailed',
  scaleTargetActivated: 'KEDAScaleTargetActivated',
  scaleTargetDeactivated: 'KEDAScaleTargetDeactivated',
  scaleTargetActivationFailed: 'KEDAScaleTargetActivationFailed',
  scaleTargetDeactivationFailed: 'KEDAScaleTargetDeactivationFailed',
} as const;

/** Go's strconv.ParseBool, where KEDA reads anything unparsable as true (`getBoolAnnotation`). */
export function boolAnnotation(annotations: Readonly<Record<string, string>> | undefined, key: string): boolean {
  if (!annotations || !(key in annotations)) return false;
  return !['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(annotations[key]!);
}

/** `NeedToBePausedByAnnotation`: paused-replicas (any value) or paused (true). */
export function pausedByAnnotation(annotations: Readonly<Record<string, string>> | undefined): boolean {
  return (annotations !== undefined && ANNOTATIONS.pausedReplicas in annotations) || boolAnnotation(annotations, ANNOTATIONS.paused);
}

/** `GetPausedReplicaCount`: the paused-replicas count, undefined when absent; throws on a value that is not an int32. */
export function pausedReplicaCount(annotations: Readonly<Record<string, string>> | undefined): number | undefined {
  if (!annotations || !(ANNOTATIONS.pausedReplicas in annotations)) return undefined;
  const text = annotations[ANNOTATIONS.pausedReplicas]!.trim();
  const value = Number(text);
  if (!/^[+-]?\d+$/.test(text) || value < -(2 ** 31) || value >= 2 ** 31) {
    throw new Error(`annotation ${ANNOTATIONS.pausedReplicas}: ${JSON.stringify(annotations[ANNOTATIONS.pausedReplicas])} is not a replica count (a whole number)`);
  }
  return value;
}
