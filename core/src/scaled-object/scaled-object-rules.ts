import type { ObjectReporter } from './diagnostic-collector.js';
import { compileFormula, FormulaError, type CompiledFormula } from './formula.js';
import type { ObjectPath } from './object-path.js';
import { RESOURCE_TRIGGER_TYPES, type ScaledObjectSpec } from './scaled-object.js';

/** A Kubernetes label value, and so a ScaledObject name and its HPA's name, is at most 63 characters. */
const MAX_LABEL_VALUE = 63;

/** Fields as written, before defaults: some rules depend on whether a field was given. */
export interface WrittenFields {
  readonly minReplicaCount?: number;
  readonly idleReplicaCount?: number;
  readonly scalingModifiers?: Readonly<Record<string, unknown>>;
}

/** `target` and `activationTarget` are strings that Go's strconv.ParseFloat must accept. */
export function parseFloatString(text: string): number | undefined {
  const trimmed = text.trim();
  return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) ? Number(trimmed) : undefined;
}

/** Whether a field passed the schema: a rule whose input did not is skipped (its problem is reported already). */
export type SoundField = (path: ObjectPath) => boolean;

/**
 * KEDA's admission rules for a ScaledObject (scaledobject_webhook.go, scaledobject_types.go,
 * scaletriggers_types.go), run beside the schema: each rule whose fields are sound, whatever is
 * wrong elsewhere, so one run reports everything. `spec` holds defaults where a field is unsound.
 * Returns the compiled scalingModifiers formula (KEDA's ValidateAndCompileScalingModifiers).
 */
export function checkScaledObjectRules(name: string, spec: ScaledObjectSpec, written: WrittenFields, reporter: ObjectReporter, sound: SoundField): CompiledFormula | undefined {
  const triggers: ObjectPath = ['spec', 'triggers'];
  const minSound = sound(['spec', 'minReplicaCount']);
  const triggersSound = spec.triggers.every((_, index) => sound([...triggers, index, 'type']) && sound([...triggers, index, 'name']));

  if (name.length > MAX_LABEL_VALUE) {
    reporter.error(['metadata', 'name'], `scaledobject name ${JSON.stringify(name)} is ${name.length} characters long; must be no more than ${MAX_LABEL_VALUE} characters because it is used as the "scaledobject.keda.sh/name" label value`);
  } else {
    const customHpaName = spec.advanced?.horizontalPodAutoscalerConfig?.name;
    const hpaName = customHpaName || `keda-hpa-${name}`;
    if (hpaName.length > MAX_LABEL_VALUE) {
      const at: ObjectPath = customHpaName ? ['spec', 'advanced', 'horizontalPodAutoscalerConfig', 'name'] : ['metadata', 'name'];
      reporter.error(at, `HPA name ${JSON.stringify(hpaName)} derived from scaledobject is ${hpaName.length} characters long; must be no more than ${MAX_LABEL_VALUE} characters; set spec.advanced.horizontalPodAutoscalerConfig.name to a shorter name or shorten the scaledobject name`);
    }
  }

  if (minSound && sound(['spec', 'maxReplicaCount']) && spec.minReplicaCount > spec.maxReplicaCount) {
    const at: ObjectPath = written.minReplicaCount !== undefined ? ['spec', 'minReplicaCount'] : ['spec', 'maxReplicaCount'];
    reporter.error(at, `minReplicaCount=${spec.minReplicaCount} must not be greater than maxReplicaCount=${spec.maxReplicaCount}`);
  }
  if (minSound && spec.idleReplicaCount !== undefined && spec.idleReplicaCount >= spec.minReplicaCount) {
    reporter.error(['spec', 'idleReplicaCount'], `idleReplicaCount=${spec.idleReplicaCount} must be less than minReplicaCount=${spec.minReplicaCount}`);
  }

  const names = new Set<string>();
  spec.triggers.forEach((trigger, index) => {
    if (trigger.useCachedMetrics && (RESOURCE_TRIGGER_TYPES.has(trigger.type) || trigger.type === 'cron')) {
      reporter.error([...triggers, index, 'useCachedMetrics'], `property "useCachedMetrics" is not supported for ${JSON.stringify(trigger.type)} scaler`);
    }
    if (trigger.name) {
      if (names.has(trigger.name)) reporter.error([...triggers, index, 'name'], `triggerName ${JSON.stringify(trigger.name)} is defined multiple times in the ScaledObject, but it must be unique`);
      names.add(trigger.name);
    }
  });

  const onlyResources = spec.triggers.every((trigger) => RESOURCE_TRIGGER_TYPES.has(trigger.type));
  if (minSound && triggersSound && spec.triggers.length > 0 && onlyResources && spec.minReplicaCount === 0) {
    const at: ObjectPath = written.minReplicaCount !== undefined ? ['spec', 'minReplicaCount'] : triggers;
    reporter.error(at, "scaledobject has only cpu/memory triggers AND minReplica is 0 (scale to zero doesn't work in this case)");
  }
  if (triggersSound && spec.triggers.length > 0 && spec.fallback && onlyResources && !spec.advanced?.scalingModifiers) {
    reporter.error(['spec', 'fallback'], 'at least one trigger (that is not cpu or memory) has to have the `AverageValue` or `Value` type for the fallback to work');
  }

  return checkScalingModifiers(spec, written, reporter, sound, triggersSound);
}

function checkScalingModifiers(spec: ScaledObjectSpec, written: WrittenFields, reporter: ObjectReporter, sound: SoundField, triggersSound: boolean): CompiledFormula | undefined {
  const modifiers = written.scalingModifiers;
  if (!modifiers || typeof modifiers !== 'object' || Object.keys(modifiers).length === 0) return undefined;
  const at = (field?: string): ObjectPath => ['spec', 'advanced', 'scalingModifiers', ...(field ? [field] : [])];
  if (!sound(at('formula'))) return undefined;
  const formula = typeof modifiers.formula === 'string' ? modifiers.formula : '';
  if (formula.trim() === '') {
    reporter.error(at(formula === '' && modifiers.formula === undefined ? undefined : 'formula'), 'formula is mandatory when scalingModifiers is set', { shownPath: at('formula') });
    return undefined;
  }
  const target = typeof modifiers.target === 'string' ? modifiers.target : '';
  if (!sound(at('target'))) {
    // Reported by the schema.
  } else if (target === '') {
    reporter.error(at(modifiers.target === undefined ? undefined : 'target'), 'formula is given but target is empty', { shownPath: at('target') });
  } else {
    const value = parseFloatString(target);
    if (value === undefined || value <= 0) reporter.error(at('target'), `must be a number greater than 0, written as a string, got ${JSON.stringify(target)}`);
  }
  if (typeof modifiers.activationTarget === 'string' && modifiers.activationTarget !== '' && parseFloatString(modifiers.activationTarget) === undefined) {
    reporter.error(at('activationTarget'), `must be a number written as a string, got ${JSON.stringify(modifiers.activationTarget)}`);
  }

  // The trigger names are not known when a trigger's type or name is broken: that is reported already.
  if (!triggersSound) return undefined;
  // KEDA compiles the formula with one variable per named trigger that is not cpu or memory.
  const known = spec.triggers.filter((t) => t.name && !RESOURCE_TRIGGER_TYPES.has(t.type)).map((t) => t.name!);
  try {
    return compileFormula(formula, known);
  } catch (error) {
    if (!(error instanceof FormulaError)) throw error;
    reporter.error(at('formula'), error.message, error.offset === undefined ? {} : { offset: error.offset });
    return undefined;
  }
}
