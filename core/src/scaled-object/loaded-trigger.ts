import type { MetadataInput } from '../metadata/declaration.js';
import type { MetricSpec, MetricType, ScalerConfig } from '../scaler.js';
import type { AuthenticationRef, TriggerMetricType } from './scaled-object.js';

interface LoadedTriggerBase {
  /** The position in `spec.triggers`; metric names start with `s<index>-`. */
  readonly index: number;
  readonly type: string;
  readonly name?: string;
  readonly useCachedMetrics: boolean;
  /** Where the trigger is written. */
  readonly line: number;
  readonly col: number;
}

/** A trigger Updraft serves: an External metric computed by a scaler plugin. */
export interface ExternalTrigger extends LoadedTriggerBase {
  readonly kind: 'external';
  readonly metricType: MetricType;
  readonly authenticationRef?: AuthenticationRef;
  /**
   * Exactly what the metadata was parsed from, so the engine can build the scaler again: the
   * TriggerAuthentication's podIdentity included. authParams and resolvedEnv hold secret values:
   * never log them. resolvedEnv holds every var the files tell, and is undefined only when the scale
   * target's container is not in the files; `unresolved` names the values only the cluster can supply.
   */
  readonly input: MetadataInput;
  /**
   * The metadata parsed by the scaler's declaration. Undefined when a value could not be resolved
   * from the files (an env var or TriggerAuthentication value only a cluster has), which is possible
   * only when unresolved values are warnings (`updraft validate`).
   */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** The HPA metric specs (empty when metadata is undefined, or when loaded from declarations alone). */
  readonly metricSpecs: readonly MetricSpec[];
}

/** A cpu or memory trigger: the HPA reads it from metrics-server; Updraft does not serve it. */
export interface ResourceTrigger extends LoadedTriggerBase {
  readonly kind: 'resource';
  readonly metricType: TriggerMetricType;
  readonly metadata: Readonly<Record<string, string>>;
}

export type LoadedTrigger = ExternalTrigger | ResourceTrigger;

/** What the loader and the engine hand a scaler factory for one trigger: built here alone, so both build the same scaler. */
export function scalerConfigOf(
  trigger: Pick<ExternalTrigger, 'type' | 'index' | 'name' | 'metricType' | 'useCachedMetrics' | 'input'>,
  metadata: Readonly<Record<string, unknown>>,
  scaledObject: { readonly namespace: string; readonly name: string },
): ScalerConfig<never> {
  return {
    metadata: metadata as never,
    triggerType: trigger.type,
    triggerIndex: trigger.index,
    ...(trigger.name ? { triggerName: trigger.name } : {}),
    metricType: trigger.metricType,
    useCachedMetrics: trigger.useCachedMetrics,
    scaledObject: { namespace: scaledObject.namespace, name: scaledObject.name },
    ...(trigger.input.podIdentity ? { podIdentity: trigger.input.podIdentity } : {}),
  };
}
