import type { ObjectReporter } from './diagnostic-collector.js';
import { formulaIdentifiers } from './formula-identifiers.js';
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

/**
 * KEDA's admission rules for a ScaledObject (scaledobject_webhook.go, scaledobject_types.go,
 * scaletriggers_types.go), run once the document is structurally valid.
 */
export function checkScaledObjectRules(name: string, spec: ScaledObjectSpec, written: WrittenFields, reporter: ObjectReporter): void {
  const triggers: ObjectPath = ['spec', 'triggers'];

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

  if (spec.minReplicaCount > spec.maxReplicaCount) {
    const at: ObjectPath = written.minReplicaCount !== undefined ? ['spec', 'minReplicaCount'] : ['spec', 'maxReplicaCount'];
    reporter.error(at, `minReplicaCount=${spec.minReplicaCount} must not be greater than maxReplicaCount=${spec.maxReplicaCount}`);
  }
  if (spec.idleReplicaCount !== undefined && spec.idleReplicaCount >= spec.minReplicaCount) {
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
  if (onlyResources && spec.minReplicaCount === 0) {
    const at: ObjectPath = written.minReplicaCount !== undefined ? ['spec', 'minReplicaCount'] : triggers;
    reporter.error(at, "scaledobject has only cpu/memory triggers AND minReplica is 0 (scale to zero doesn't work in this case)");
  }
  if (spec.fallback && onlyResources && !spec.advanced?.scalingModifiers) {
    reporter.error(['spec', 'fallback'], 'at least one trigger (that is not cpu or memory) has to have the `AverageValue` or `Value` type for the fallback to work');
  }

  checkScalingModifiers(spec, written, reporter);
}

function checkScalingModifiers(spec: ScaledObjectSpec, written: WrittenFields, reporter: ObjectReporter): void {
  const modifiers = written.scalingModifiers;
  if (!modifiers || Object.keys(modifiers).length === 0) return;
  const at = (field?: string): ObjectPath => ['spec', 'advanced', 'scalingModifiers', ...(field ? [field] : [])];
  const formula = typeof modifiers.formula === 'string' ? modifiers.formula : '';
  if (formula.trim() === '') {
    reporter.error(at(formula === '' && modifiers.formula === undefined ? undefined : 'formula'), 'formula is mandatory when scalingModifiers is set', { shownPath: at('formula') });
    return;
  }
  const target = typeof modifiers.target === 'string' ? modifiers.target : '';
  if (target === '') {
    reporter.error(at(modifiers.target === undefined ? undefined : 'target'), 'formula is given but target is empty', { shownPath: at('target') });
  } else {
    const value = parseFloatString(target);
    if (value === undefined || value <= 0) reporter.error(at('target'), `must be a number greater than 0, written as a string, got ${JSON.stringify(target)}`);
  }
  if (typeof modifiers.activationTarget === 'string' && modifiers.activationTarget !== '' && parseFloatString(modifiers.activationTarget) === undefined) {
    reporter.error(at('activationTarget'), `must be a number written as a string, got ${JSON.stringify(modifiers.activationTarget)}`);
  }

  // KEDA compiles the formula with one variable per named trigger that is not cpu or memory.
  const known = spec.triggers.filter((t) => t.name && !RESOURCE_TRIGGER_TYPES.has(t.type)).map((t) => t.name!);
  const unknown = formulaIdentifiers(formula).filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    const list = unknown.map((name) => JSON.stringify(name)).join(', ');
    const names = known.length > 0 ? `the triggers it can use are ${known.map((name) => JSON.stringify(name)).join(', ')}` : 'no trigger has a name; set spec.triggers[].name';
    reporter.error(at('formula'), `formula uses ${list}, which ${unknown.length === 1 ? 'is not a trigger name' : 'are not trigger names'}; ${names}`);
  }
}
