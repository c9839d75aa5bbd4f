import type { Fallback } from '../scaled-object/scaled-object.js';

const PAUSED = 'autoscaling.keda.sh/paused';
const PAUSED_REPLICAS = 'autoscaling.keda.sh/paused-replicas';
const PAUSED_SCALE_IN = 'autoscaling.keda.sh/paused-scale-in';
const PAUSED_SCALE_OUT = 'autoscaling.keda.sh/paused-scale-out';
const FORCE_ACTIVATION = 'autoscaling.keda.sh/force-activation';

/** Everything KEDA's 0↔1 step looks at. Times are milliseconds since the epoch. */
export interface ScaleExecutorInput {
  readonly spec: {
    readonly minReplicaCount: number;
    readonly idleReplicaCount?: number;
    /** Seconds. */
    readonly cooldownPeriod: number;
    /** Seconds. */
    readonly initialCooldownPeriod: number;
    readonly fallback?: Fallback;
  };
  readonly annotations?: Readonly<Record<string, string>>;
  /** Any trigger active (or the composite value above activationTarget with scalingModifiers). */
  readonly isActive: boolean;
  /** Any trigger failed on this poll. */
  readonly isError: boolean;
  readonly currentReplicas: number;
  /** When the object was last seen active; undefined when never. */
  readonly lastActiveTime?: number;
  /** The ScaledObject's creationTimestamp. */
  readonly creationTime: number;
  readonly now: number;
}

export type ScaleExecutorAction =
  /** Paused by annotation: nothing changes (or the paused-replicas count is set). */
  | 'paused'
  /** Active from zero (or from idle): KEDA sets max(minReplicaCount, 1) and the HPA takes over. */
  | 'activate'
  /** Active at a count above zero: the HPA decides; lastActiveTime becomes now. */
  | 'active'
  /** Active, but a trigger failed: the HPA decides; lastActiveTime is not updated (PartialTriggerError). */
  | 'active-with-errors'
  /** Inactive because a trigger failed, with fallback.replicas ≠ 0: never scaled to zero, so the HPA can apply fallback. */
  | 'hold-for-fallback'
  /** Inactive because a trigger failed, without fallback: Ready=False (TriggerError); nothing changes. */
  | 'trigger-error'
  /** Inactive past the cooldown: KEDA scales to idleReplicaCount or minReplicaCount. */
  | 'deactivate'
  /** Inactive within the cooldown: nothing changes yet. */
  | 'cooling-down'
  /** Inactive below minReplicaCount (no idleReplicaCount): KEDA sets minReplicaCount. */
  | 'set-min'
  /** Inactive and nothing to do (already at zero or idle). */
  | 'none';

export interface ScaleExecutorDecision {
  readonly action: ScaleExecutorAction;
  /** The replica count KEDA writes itself on this loop; undefined when it leaves the count to the HPA or as it is. */
  readonly replicas?: number;
  /** lastActiveTime after this loop. */
  readonly lastActiveTime?: number;
  /** When a cooling-down object will be scaled in (the first instant past the cooldown). */
  readonly cooldownEndsAt?: number;
  /** One sentence for a person. */
  readonly message: string;
}

/**
 * KEDA's `RequestScale` (pkg/scaling/executor/scale_scaledobjects.go) as a pure function of state
 * and time: the 0↔1 step, idleReplicaCount, cooldownPeriod and initialCooldownPeriod. Scaling
 * between 1 and N belongs to the HPA.
 */
export function requestScale(input: ScaleExecutorInput): ScaleExecutorDecision {
  const { spec, isActive, isError, currentReplicas, now } = input;
  const annotations = input.annotations ?? {};
  const lastActiveTime = input.lastActiveTime;
  const keep = (action: ScaleExecutorAction, message: string, rest: Partial<ScaleExecutorDecision> = {}): ScaleExecutorDecision => ({
    action,
    message,
    ...(lastActiveTime === undefined ? {} : { lastActiveTime }),
    ...rest,
  });

  if (PAUSED_REPLICAS in annotations) {
    const replicas = Number(annotations[PAUSED_REPLICAS]);
    if (Number.isInteger(replicas) && replicas >= 0) return keep('paused', `paused at ${replicas} replicas by the ${PAUSED_REPLICAS} annotation`, { replicas });
  }
  if (boolAnnotation(annotations, PAUSED)) return keep('paused', `paused by the ${PAUSED} annotation`);

  const minReplicas = spec.minReplicaCount;
  const idle = spec.idleReplicaCount;
  const forced = boolAnnotation(annotations, FORCE_ACTIVATION);

  if (isActive || forced) {
    if ((idle !== undefined && currentReplicas < minReplicas) || currentReplicas === 0) {
      if (boolAnnotation(annotations, PAUSED_SCALE_OUT)) return keep('none', `active, but scale-out is paused by the ${PAUSED_SCALE_OUT} annotation`);
      const replicas = Math.max(minReplicas, 1);
      return { action: 'activate', replicas, lastActiveTime: now, message: `${forced && !isActive ? 'activation forced by annotation' : 'triggers are active'}: scale from ${currentReplicas} to ${replicas}` };
    }
    if (isError) return keep('active-with-errors', 'some triggers are active, but some are not working correctly (PartialTriggerError)');
    return { action: 'active', lastActiveTime: now, message: 'triggers are active: the HPA scales between minReplicas and maxReplicas' };
  }

  if (isError && spec.fallback && spec.fallback.replicas !== 0) {
    return keep('hold-for-fallback', `a trigger is failing: not scaled to zero, so that the HPA falls back to ${spec.fallback.replicas} replicas after ${spec.fallback.failureThreshold} failures`);
  }
  if (isError && !spec.fallback) return keep('trigger-error', 'triggers are not working correctly (TriggerError); replicas stay as they are');

  if ((idle !== undefined && currentReplicas > idle) || (currentReplicas > 0 && minReplicas === 0)) {
    const to = idle ?? minReplicas;
    if (boolAnnotation(annotations, PAUSED_SCALE_IN)) return keep('none', `inactive, but scale-in is paused by the ${PAUSED_SCALE_IN} annotation`);
    // time.Before is strict: the step happens once the cooldown has fully passed.
    const cooldownEndsAt = lastActiveTime === undefined ? input.creationTime + spec.initialCooldownPeriod * 1000 : lastActiveTime + spec.cooldownPeriod * 1000;
    if (cooldownEndsAt < now) {
      return keep('deactivate', `triggers are inactive: scale from ${currentReplicas} to ${idle !== undefined ? `idleReplicaCount ${to}` : `${to}`}`, { replicas: to });
    }
    const which = lastActiveTime === undefined ? `initialCooldownPeriod (${spec.initialCooldownPeriod}s) after creation` : `cooldownPeriod (${spec.cooldownPeriod}s) after the last active time`;
    return keep('cooling-down', `triggers are inactive: cooling down, scale to ${to} once ${which} has passed`, { cooldownEndsAt: cooldownEndsAt + 1 });
  }
  if (idle === undefined && currentReplicas < minReplicas) {
    return keep('set-min', `triggers are inactive and ${currentReplicas} is below minReplicaCount: scale to ${minReplicas}`, { replicas: minReplicas });
  }
  return keep('none', 'triggers are inactive: nothing to change');
}

/** Go's strconv.ParseBool, where KEDA reads anything unparsable as true. */
function boolAnnotation(annotations: Readonly<Record<string, string>>, key: string): boolean {
  if (!(key in annotations)) return false;
  const value = annotations[key]!;
  return !['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(value);
}
