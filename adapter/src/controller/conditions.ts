import { MESSAGES, REASONS } from './keda-api.js';

/** KEDA's condition (apis/keda/v1alpha1/condition_types.go): no lastTransitionTime, as KEDA writes none. */
export interface Condition {
  type: ConditionType;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export type ConditionType = 'Ready' | 'Active' | 'Fallback' | 'Paused' | 'HPAActive';
export type ConditionStatus = Condition['status'];

/** `GetInitializedConditions`: Paused False, the others Unknown, in KEDA's order. */
export function initializedConditions(): Condition[] {
  return [
    { type: 'Ready', status: 'Unknown' },
    { type: 'Active', status: 'Unknown' },
    { type: 'Fallback', status: 'Unknown' },
    { type: 'Paused', status: 'False' },
  ];
}

/** `AreInitialized`: all four of Ready, Active, Fallback and Paused are there. */
export function conditionsInitialized(conditions: readonly Condition[] | undefined): boolean {
  return (['Ready', 'Active', 'Fallback', 'Paused'] as const).every((type) => conditions?.some((c) => c.type === type));
}

/** `SetCondition` on a copy: replaces the condition of that type in place, or appends it. */
export function setCondition(conditions: readonly Condition[] | undefined, type: ConditionType, status: ConditionStatus, reason: string, message: string): Condition[] {
  const base = conditions && conditions.length > 0 ? conditions.map((c) => ({ ...c })) : initializedConditions();
  const existing = base.find((c) => c.type === type);
  if (existing) {
    existing.status = status;
    existing.reason = reason;
    existing.message = message;
  } else {
    base.push({ type, status, reason, message });
  }
  return base;
}

export function getCondition(conditions: readonly Condition[] | undefined, type: ConditionType): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** The Ready condition of a ScaledObject the loader refused, with its errors; says so when the last good version is still served. */
export function invalidReadyCondition(errors: readonly string[], servingLastGood: boolean): Pick<Condition, 'status' | 'reason' | 'message'> {
  const joined = errors.join('; ');
  return {
    status: 'False',
    reason: REASONS.checkFailed,
    message: servingLastGood ? `${joined} (the last valid version of this ScaledObject is still served and scaled)` : joined,
  };
}

/** The Fallback condition as KEDA's fallback sets it (pkg/fallback/fallback.go). */
export function fallbackCondition(active: boolean): Pick<Condition, 'status' | 'reason' | 'message'> {
  return active
    ? { status: 'True', reason: REASONS.fallbackExists, message: MESSAGES.fallbackExists }
    : { status: 'False', reason: REASONS.noFallbackFound, message: MESSAGES.noFallbackFound };
}
