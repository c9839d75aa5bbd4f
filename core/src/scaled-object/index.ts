export { formatDiagnostic, type Diagnostic, type Severity } from './diagnostic.js';
export type { ManifestSource } from './manifest-object.js';
export { loadManifests, ManifestLoadError, type LoadOptions, type LoadResult } from './load-manifests.js';
export { COMPOSITE_METRIC_NAME, compileFormula, FormulaError, type CompiledFormula } from './formula.js';
export { scaledObjectJsonSchema, triggerAuthenticationJsonSchema } from './schema.js';
export { UTILIZATION_MESSAGE } from './schema-validation.js';
export {
  KEDA_API_VERSION,
  RESOURCE_TRIGGER_TYPES,
  SCALED_OBJECT_DEFAULTS,
  type AdvancedConfig,
  type AuthenticationRef,
  type AuthenticationRefKind,
  type Fallback,
  type FallbackBehavior,
  type HorizontalPodAutoscalerConfig,
  type LoadedScaledObject,
  type ScaledObjectSpec,
  type ScaleTargetRef,
  type ScaleTrigger,
  type ScalingModifiers,
  type TriggerMetricType,
} from './scaled-object.js';
export { scalerConfigOf, type ExternalTrigger, type LoadedTrigger, type ResourceTrigger } from './loaded-trigger.js';
export {
  triggerAuthenticationLabel,
  type AuthEnvironment,
  type AuthTargetRef,
  type ClusterOnlySource,
  type LoadedTriggerAuthentication,
  type AuthPodIdentity,
  type PodIdentityProvider,
  type SecretStoreSpec,
  type TriggerAuthenticationKind,
  type TriggerAuthenticationSpec,
} from './trigger-authentication.js';
