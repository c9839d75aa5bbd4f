import { requestScale, type LoadedScaledObject, type ScaleExecutorDecision } from '@updraft/core';
import type { Condition, ConditionType } from './conditions.js';
import { ANNOTATIONS, EVENT_REASONS, MESSAGES, REASONS, boolAnnotation } from './keda-api.js';

/** What one scale loop of one ScaledObject saw. Times are ms since the epoch. */
export interface ScaleLoopInput {
  readonly loaded: LoadedScaledObject;
  /** The annotations of the object in the cluster now. */
  readonly annotations: Readonly<Record<string, string>>;
  /** Any trigger active, or the composite value above activationTarget. */
  readonly active: boolean;
  readonly isError: boolean;
  /** Fallback's value is served for at least one metric. */
  readonly fallbackActive: boolean;
  /** The metric names of the active triggers, for the activation event. */
  readonly activeTriggers: readonly string[];
  readonly currentReplicas: number;
  /** status.lastActiveTime, kept in the cluster so that a new leader knows it. */
  readonly lastActiveTime?: number;
  readonly creationTime: number;
  readonly now: number;
  /** status.scaleTargetKind, e.g. apps/v1.Deployment: the events name it. */
  readonly scaleTargetKind: string;
}

export interface PlannedEvent {
  readonly type: 'Normal' | 'Warning';
  readonly reason: string;
  readonly message: string;
}

/** What to do: the replicas to write through /scale (if any), the conditions, lastActiveTime, and the events either way. */
export interface ScalePlan {
  readonly decision: ScaleExecutorDecision;
  /** Write this count to the scale subresource. */
  readonly replicas?: number;
  readonly conditions: readonly Pick<Condition, 'type' | 'status' | 'reason' | 'message'>[];
  /** Conditions to apply only when the write succeeded (Active after a deactivation). */
  readonly conditionsOnSuccess: readonly Pick<Condition, 'type' | 'status' | 'reason' | 'message'>[];
  /** status.lastActiveTime to write now (set by a loop that is active); `lastActiveOnSuccess` once the write succeeded. */
  readonly lastActiveTime?: number;
  readonly lastActiveOnSuccess?: number;
  readonly onSuccess?: PlannedEvent;
  readonly onFailure?: (error: string) => PlannedEvent;
  readonly triggersActivity: Readonly<Record<string, { isActive: boolean }>>;
}

/**
 * KEDA's `RequestScale` (pkg/scaling/executor/scale_scaledobjects.go) for one loop: core's
 * `requestScale` decides, and this adds what KEDA writes around the decision: the Active and Ready
 * conditions with KEDA's reasons, lastActiveTime, the activation events. A trigger served by
 * fallback counts as active, as in KEDA (`isActiveOrFallback`), so that a target at zero is scaled
 * to one and the HPA can apply fallback's replicas.
 */
export function planScale(input: ScaleLoopInput, metricNames: readonly string[]): ScalePlan {
  const { loaded, annotations, currentReplicas, now } = input;
  const forced = boolAnnotation(annotations, ANNOTATIONS.forceActivation);
  const isActive = input.active || (input.fallbackActive && !loaded.spec.advanced?.scalingModifiers);
  const decision = requestScale({
    spec: loaded.spec,
    annotations,
    isActive,
    isError: input.isError,
    currentReplicas,
    ...(input.lastActiveTime !== undefined ? { lastActiveTime: input.lastActiveTime } : {}),
    creationTime: input.creationTime,
    now,
  });
  const conditions: Pick<Condition, 'type' | 'status' | 'reason' | 'message'>[] = [{ type: 'Ready', status: 'True', reason: REASONS.ready, message: MESSAGES.ready }];
  const set = (type: ConditionType, status: Condition['status'], reason: string, message: string) => {
    const existing = conditions.findIndex((c) => c.type === type);
    const condition = { type, status, reason, message };
    if (existing >= 0) conditions[existing] = condition;
    else conditions.push(condition);
  };
  const target = `${input.scaleTargetKind} ${loaded.namespace}/${loaded.spec.scaleTargetRef.name}`;
  const activeSet = new Set(input.activeTriggers);
  const triggersActivity = Object.fromEntries(metricNames.map((name) => [name, { isActive: activeSet.has(name) }]));
  const base = { decision, triggersActivity, conditionsOnSuccess: [] as Pick<Condition, 'type' | 'status' | 'reason' | 'message'>[] };

  if (isActive || forced) set('Active', 'True', REASONS.scalerActive, forced ? MESSAGES.activeByForce : MESSAGES.activeByTriggers);
  else set('Active', 'False', REASONS.scalerNotActive, MESSAGES.notActive);

  switch (decision.action) {
    case 'activate': {
      const replicas = decision.replicas!;
      const cause = forced ? 'caused by forced activation annotation' : `triggered by ${input.activeTriggers.join(';')}`;
      return {
        ...base,
        conditions,
        replicas,
        lastActiveOnSuccess: now,
        onSuccess: { type: 'Normal', reason: EVENT_REASONS.scaleTargetActivated, message: `Scaled ${target} from ${currentReplicas} to ${replicas}, ${cause}` },
        onFailure: () => ({ type: 'Warning', reason: EVENT_REASONS.scaleTargetActivationFailed, message: `Failed to scale ${target} from ${currentReplicas} to ${replicas}` }),
      };
    }
    case 'active':
      return { ...base, conditions, lastActiveTime: now };
    case 'active-with-errors':
      set('Ready', 'Unknown', REASONS.partialTriggerError, MESSAGES.partialTriggerError);
      return { ...base, conditions };
    case 'trigger-error':
      set('Ready', 'False', REASONS.triggerError, MESSAGES.triggerError);
      return { ...base, conditions };
    case 'deactivate': {
      const replicas = decision.replicas!;
      return {
        ...base,
        conditions,
        replicas,
        conditionsOnSuccess: [{ type: 'Active', status: 'False', reason: REASONS.scalerNotActive, message: MESSAGES.notActive }],
        onSuccess: { type: 'Normal', reason: EVENT_REASONS.scaleTargetDeactivated, message: `Deactivated ${target} from ${currentReplicas} to ${replicas}` },
        onFailure: () => ({ type: 'Warning', reason: EVENT_REASONS.scaleTargetDeactivationFailed, message: `Failed to deactivate ${target} from ${currentReplicas} to ${replicas}` }),
      };
    }
    case 'cooling-down':
      set('Active', 'False', REASONS.scalerCooldown, MESSAGES.cooldown);
      return { ...base, conditions };
    case 'set-min':
      return { ...base, conditions, replicas: decision.replicas! };
    default:
      return { ...base, conditions };
  }
}
