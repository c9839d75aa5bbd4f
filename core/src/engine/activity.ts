import type { CompiledFormula } from '../scaled-object/formula.js';
import type { TriggerRecord } from './types.js';
import { sumOf } from './values.js';

/** What the activity of a ScaledObject is decided from: its latest records. */
export interface ActivityInput {
  /** Every metric record of every trigger it serves; undefined for one not read yet. */
  readonly records: readonly (TriggerRecord | undefined)[];
  /** With scalingModifiers: the formula, its activationTarget, and the first metric's record of each trigger the formula names. */
  readonly composite?: {
    readonly formula: CompiledFormula;
    readonly activationTarget: number;
    readonly named: (triggerName: string) => TriggerRecord | undefined;
  };
}

/**
 * KEDA's activity rule, the one place it is decided (pkg/scaling/scale_handler.go
 * getScaledObjectState): active when any trigger is active, or with scalingModifiers when the
 * formula's value is above activationTarget; a failing trigger the formula reads makes the object
 * inactive, whatever fallback serves the HPA. Only cpu/memory triggers: always active. Undefined
 * until every record it depends on exists.
 */
export function activityOf(input: ActivityInput): boolean | undefined {
  const { composite } = input;
  if (!composite) {
    if (input.records.some((record) => record === undefined)) return undefined;
    return input.records.length === 0 || input.records.some((record) => record!.kind === 'value' && record!.active);
  }
  const values: Record<string, number> = {};
  for (const name of composite.formula.triggerNames) {
    const record = composite.named(name);
    if (record === undefined) return undefined;
    if (record.kind === 'error') return false;
    values[name] = sumOf(record.values);
  }
  try {
    const value = composite.formula.evaluate(values);
    return value !== null && value > composite.activationTarget;
  } catch {
    return false;
  }
}
