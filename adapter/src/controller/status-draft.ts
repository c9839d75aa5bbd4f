import { conditionsInitialized, getCondition, initializedConditions, setCondition, type Condition, type ConditionType } from './conditions.js';
import { deepEqual } from './hpa-diff.js';
import type { ScaledObjectStatus } from './scaled-object-status.js';

/**
 * The status of one ScaledObject being worked out from what the apiserver holds now: the controller
 * sets fields, and `patch()` gives the JSON merge patch of exactly the fields that changed (null for
 * one removed), or undefined when nothing did, so that an unchanged loop writes nothing.
 */
export class StatusDraft {
  readonly status: ScaledObjectStatus;

  constructor(private readonly current: ScaledObjectStatus | undefined) {
    this.status = structuredClone(current ?? {});
    if (!conditionsInitialized(this.status.conditions)) {
      const existing = this.status.conditions ?? [];
      this.status.conditions = initializedConditions().map((initial) => existing.find((c) => c.type === initial.type) ?? initial);
      for (const other of existing) if (!this.status.conditions.some((c) => c.type === other.type)) this.status.conditions.push(other);
    }
  }

  condition(type: ConditionType): Condition | undefined {
    return getCondition(this.status.conditions, type);
  }

  set(type: ConditionType, status: Condition['status'], reason: string, message: string): void {
    this.status.conditions = setCondition(this.status.conditions, type, status, reason, message);
  }

  patch(): Record<string, unknown> | undefined {
    const before = (this.current ?? {}) as Record<string, unknown>;
    const after = this.status as Record<string, unknown>;
    const patch: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      if (deepEqual(before[key], after[key])) continue;
      patch[key] = after[key] === undefined ? null : after[key];
    }
    return Object.keys(patch).length > 0 ? patch : undefined;
  }
}
