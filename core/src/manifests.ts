/**
 * `@updraft/core/manifests`: reading and checking ScaledObjects without the DI container, the engine
 * or any scaler; what `updraft validate` imports, so that it starts in a blink. Everything here is
 * also exported by `@updraft/core`.
 */
export { DuplicateTriggerTypeError, UnknownTriggerTypeError } from './scaler-registry.js';
export { TriggerIndex } from './trigger-catalog.js';
export { COMPOSITE_METRIC_NAME, FormulaError, KEDA_API_VERSION, ManifestLoadError, RESOURCE_TRIGGER_TYPES, SCALED_OBJECT_DEFAULTS, compileFormula, formatDiagnostic, loadManifests, scaledObjectJsonSchema, triggerAuthenticationJsonSchema } from './scaled-object/index.js';

export type * from './trigger-catalog.js';
export type * from './scaled-object/index.js';
