import type { ClusterObjects, IndexedObject } from './cluster-objects.js';
import { scaleTargetEnv } from './container-env.js';
import type { LoadedTrigger } from './loaded-trigger.js';
import {
  SCALED_OBJECT_DEFAULTS as DEFAULTS,
  type AdvancedConfig,
  type AuthenticationRefKind,
  type Fallback,
  type FallbackBehavior,
  type LoadedScaledObject,
  type ScaledObjectSpec,
  type ScaleTrigger,
  type TriggerMetricType,
} from './scaled-object.js';
import type { ObjectPath } from './object-path.js';
import { checkScaledObjectRules, parseFloatString, type SoundField, type WrittenFields } from './scaled-object-rules.js';
import { isSound, validateStructure, type StructuralProblem } from './schema-validation.js';
import { loadTrigger, type AuthLookup, type TargetEnv } from './trigger-loader.js';
import type { TriggerCatalog } from '../trigger-catalog.js';

// Plain YAML data; the parts read here have passed the schema, so their shapes are known.
type Raw = Record<string, any>;

export interface ScaledObjectLoadContext {
  readonly catalog: TriggerCatalog;
  readonly unresolved: 'warning' | 'error';
  readonly objects: ClusterObjects;
  findAuthentication(kind: AuthenticationRefKind, namespace: string, name: string): AuthLookup;
}

/**
 * Validates a ScaledObject (structure, KEDA's rules, each trigger's metadata) and builds its model.
 * Every rule whose fields are sound runs, and every trigger that is structurally sound is loaded,
 * whatever else is wrong, so one run reports everything. Undefined when anything is an error.
 */
export function loadScaledObject(indexed: IndexedObject, context: ScaledObjectLoadContext): LoadedScaledObject | undefined {
  const { object, reporter } = indexed;
  const namespace = indexed.namespace!;
  const problems = validateStructure('ScaledObject', object, reporter);
  const raw = (object.get(['spec']) ?? {}) as Raw;
  const name = indexed.name ?? '';

  const env = isSound(problems, ['spec', 'scaleTargetRef']) && isRecord(raw.scaleTargetRef)
    ? targetEnv(withTargetDefaults(raw.scaleTargetRef), namespace, indexed, context)
    : unknownEnv('spec.scaleTargetRef is not valid');

  const rawTriggers: unknown[] = Array.isArray(raw.triggers) ? raw.triggers : [];
  const sound: SoundField = (path) => isSound(problems, path) && !problems.some((problem) => problem.path.length < path.length && problem.path.every((segment, i) => path[i] === segment));
  // The rules read the spec with defaults in place of the fields the schema refused.
  const spec = withDefaults(isRecord(raw) ? withoutUnsound(raw, problems) : {});
  const formula = checkScaledObjectRules(name, spec, writtenFields(isRecord(raw) ? raw : {}), reporter, sound);

  const triggers: (LoadedTrigger | undefined)[] = rawTriggers.map((trigger, index) =>
    isRecord(trigger) && parseable(problems, index)
      ? loadTrigger(withTriggerDefaults(trigger), index, {
          catalog: context.catalog,
          unresolved: context.unresolved,
          reporter,
          namespace,
          name,
          env,
          findAuthentication: (ref) => context.findAuthentication(ref.kind, namespace, ref.name),
        })
      : undefined,
  );

  // KEDA refuses to build the HPA when two triggers produce the same metric name (controllers/keda/hpa.go).
  const seen = new Set<string>();
  triggers.forEach((trigger, index) => {
    if (trigger?.kind !== 'external') return;
    for (const metric of trigger.metricSpecs) {
      if (seen.has(metric.metricName)) reporter.error(['spec', 'triggers', index], `metricName ${metric.metricName} defined multiple times in ScaledObject ${name}`);
      seen.add(metric.metricName);
    }
  });

  if (problems.length > 0 || reporter.errors > 0 || !indexed.name || triggers.some((trigger) => trigger === undefined)) return undefined;
  const start = object.start();
  return {
    namespace,
    name: indexed.name,
    file: object.file,
    line: start.line,
    labels: (object.get(['metadata', 'labels']) ?? {}) as Record<string, string>,
    annotations: (object.get(['metadata', 'annotations']) ?? {}) as Record<string, string>,
    spec,
    triggers: triggers as LoadedTrigger[],
    ...(formula ? { formula } : {}),
  };
}

/** A copy of the spec without the values the schema refused (paths under `spec`). */
function withoutUnsound(raw: Raw, problems: readonly StructuralProblem[]): Raw {
  const copy = structuredClone(raw) as Raw;
  for (const problem of problems) {
    const path: ObjectPath = problem.path.slice(1);
    if (problem.path[0] !== 'spec' || path.length === 0) continue;
    let parent: unknown = copy;
    for (const segment of path.slice(0, -1)) parent = parent !== null && typeof parent === 'object' ? (parent as Raw)[segment] : undefined;
    if (parent !== null && typeof parent === 'object') delete (parent as Raw)[path[path.length - 1]!];
  }
  return copy;
}

/** A trigger whose type, metadata and authenticationRef are sound can be parsed, whatever else is wrong with it. */
function parseable(problems: readonly StructuralProblem[], index: number): boolean {
  const base = ['spec', 'triggers', index];
  const atTrigger = problems.some((problem) => problem.path.length === base.length && base.every((segment, i) => problem.path[i] === segment));
  return !atTrigger && ['type', 'metadata', 'authenticationRef'].every((field) => isSound(problems, [...base, field]));
}

function targetEnv(target: ScaledObjectSpec['scaleTargetRef'], namespace: string, indexed: IndexedObject, context: ScaledObjectLoadContext): TargetEnv {
  const found = scaleTargetEnv(target, namespace, context.objects);
  if (!found.known) return unknownEnv(found.reason);
  const container = found.container(target.envSourceContainerName || undefined);
  if ('error' in container) {
    // KEDA resolves this container for every trigger and fails them all when it is missing.
    indexed.reporter.error(['spec', 'scaleTargetRef', 'envSourceContainerName'], container.error);
    return { reason: container.error, containerNamed: (name) => found.container(name) };
  }
  return { container, containerNamed: (name) => found.container(name) };
}

function unknownEnv(reason: string): TargetEnv {
  return { reason, containerNamed: () => ({ error: reason }) };
}

function writtenFields(raw: Raw): WrittenFields {
  return {
    ...(raw.minReplicaCount !== undefined ? { minReplicaCount: raw.minReplicaCount } : {}),
    ...(raw.idleReplicaCount !== undefined ? { idleReplicaCount: raw.idleReplicaCount } : {}),
    ...(raw.advanced?.scalingModifiers ? { scalingModifiers: raw.advanced.scalingModifiers } : {}),
  };
}

function withTargetDefaults(raw: Raw): ScaledObjectSpec['scaleTargetRef'] {
  return {
    apiVersion: raw.apiVersion || DEFAULTS.scaleTargetApiVersion,
    kind: raw.kind || DEFAULTS.scaleTargetKind,
    name: raw.name,
    ...(raw.envSourceContainerName ? { envSourceContainerName: raw.envSourceContainerName } : {}),
  };
}

/** The trigger with KEDA's defaults; fields that are not valid (already reported) take their default too. */
function withTriggerDefaults(raw: Raw): ScaleTrigger {
  return {
    type: raw.type,
    ...(typeof raw.name === 'string' && raw.name !== '' ? { name: raw.name } : {}),
    metadata: raw.metadata ?? {},
    ...(raw.authenticationRef ? { authenticationRef: { name: raw.authenticationRef.name, kind: raw.authenticationRef.kind || 'TriggerAuthentication' } } : {}),
    metricType: (METRIC_TYPES.has(raw.metricType) ? raw.metricType : DEFAULTS.metricType) as TriggerMetricType,
    useCachedMetrics: raw.useCachedMetrics === true,
  };
}

const METRIC_TYPES: ReadonlySet<unknown> = new Set(['AverageValue', 'Value', 'Utilization']);

/** The spec with KEDA's defaults applied, for fields the schema accepted (the others are left out). */
function withDefaults(raw: Raw): ScaledObjectSpec {
  const fallback: Fallback | undefined = isRecord(raw.fallback)
    ? { failureThreshold: raw.fallback.failureThreshold, replicas: raw.fallback.replicas, behavior: (raw.fallback.behavior || DEFAULTS.fallbackBehavior) as FallbackBehavior }
    : undefined;
  return {
    scaleTargetRef: withTargetDefaults(isRecord(raw.scaleTargetRef) ? raw.scaleTargetRef : {}),
    pollingInterval: raw.pollingInterval ?? DEFAULTS.pollingInterval,
    initialCooldownPeriod: raw.initialCooldownPeriod ?? DEFAULTS.initialCooldownPeriod,
    cooldownPeriod: raw.cooldownPeriod ?? DEFAULTS.cooldownPeriod,
    ...(raw.idleReplicaCount !== undefined ? { idleReplicaCount: raw.idleReplicaCount } : {}),
    minReplicaCount: raw.minReplicaCount ?? DEFAULTS.minReplicaCount,
    maxReplicaCount: raw.maxReplicaCount ?? DEFAULTS.maxReplicaCount,
    ...(isRecord(raw.advanced) ? { advanced: withAdvancedDefaults(raw.advanced) } : {}),
    ...(fallback ? { fallback } : {}),
    triggers: (Array.isArray(raw.triggers) ? (raw.triggers as unknown[]) : []).map((trigger) => withTriggerDefaults(isRecord(trigger) ? trigger : {})),
  };
}

function withAdvancedDefaults(raw: Raw): AdvancedConfig {
  const modifiers = isRecord(raw.scalingModifiers) ? raw.scalingModifiers : undefined;
  return {
    ...(raw.horizontalPodAutoscalerConfig ? { horizontalPodAutoscalerConfig: raw.horizontalPodAutoscalerConfig } : {}),
    restoreToOriginalReplicaCount: raw.restoreToOriginalReplicaCount ?? false,
    ...(modifiers?.formula
      ? {
          scalingModifiers: {
            formula: modifiers.formula,
            target: parseFloatString(modifiers.target ?? '') ?? Number.NaN,
            activationTarget: modifiers.activationTarget ? (parseFloatString(modifiers.activationTarget) ?? Number.NaN) : DEFAULTS.activationTarget,
            metricType: modifiers.metricType || DEFAULTS.metricType,
          },
        }
      : {}),
  };
}

function isRecord(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
