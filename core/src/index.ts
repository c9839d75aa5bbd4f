/**
 * @updraft/core's public surface, named one by one (see README.md, "Public API"): the scaler
 * contract and kit for plugin authors, the ScaledObject loader, the engine and the HPA's arithmetic
 * for embedders. Types come from every module (`export type *`); runtime values only as listed, so
 * an internal helper is not a promise. Test doubles are in `@updraft/core/testing`.
 */
// First: inversify's decorators, evaluated as the modules below load, record through reflect-metadata.
import 'reflect-metadata';

export { ScalerError } from './scaler.js';
export { ScalerFactory } from './scaler-factory.js';
export { DuplicateTriggerTypeError, ScalerRegistry, UnknownTriggerTypeError } from './scaler-registry.js';
export { TriggerIndex, scalerRegistryOf } from './trigger-catalog.js';
export { coreModule } from './core-module.js';
export { BackendCalls, BackendCallsImpl, recordBackendCall } from './backend-calls.js';
export { PluginLoadError, loadPlugins } from './plugin-loader.js';
export { triggerMetricName } from './metric-name.js';
export { QuantityError, formatMilli, formatQuantity, milliValue, parseQuantity } from './quantity.js';
export { PARAMETER_TABLE_END, PARAMETER_TABLE_START, defineMetadata, metadataJsonSchema, p, renderScalerTables, replaceParameterTables } from './metadata/index.js';
export { httpAuthParams, httpAuthRule, tlsClientOptions, tlsMaterialKey, tlsParams } from './shared-params/index.js';
export { DEFAULT_HPA_CONTROLLER_CONFIGURATION, DEFAULT_HPA_SCALE_DOWN_RULES, DEFAULT_HPA_SCALE_UP_RULES, getExternalPerPodMetricReplicas, reconcileAutoscaler } from './hpa/index.js';
export { COMPOSITE_METRIC_NAME, FormulaError, KEDA_API_VERSION, ManifestLoadError, RESOURCE_TRIGGER_TYPES, SCALED_OBJECT_DEFAULTS, compileFormula, formatDiagnostic, loadManifests, scaledObjectJsonSchema, triggerAuthenticationJsonSchema } from './scaled-object/index.js';
export { SharedResourcePool } from './shared-resource-pool.js';
export { HttpClient, HttpClientImpl, SecretRedactor, TriggerErrors, classifyTransportError, defineScaler, defineScalers, kindForHttpStatus } from './kit/index.js';
export { EngineClosedError, EngineConfigError, ManualClock, MetricUnavailableError, ScalingEngine, TriggerFailure, UnknownMetricError, UnknownScaledObjectError, fallbackMetricValue, noopLogger, requestScale, staticReplicaSource, systemClock } from './engine/index.js';

export type * from './scaler.js';
export type * from './scaler-factory.js';
export type * from './scaler-registry.js';
export type * from './trigger-catalog.js';
export type * from './core-module.js';
export type * from './backend-calls.js';
export type * from './plugin-loader.js';
export type * from './metric-name.js';
export type * from './quantity.js';
export type * from './metadata/index.js';
export type * from './shared-params/index.js';
export type * from './hpa/index.js';
export type * from './scaled-object/index.js';
export type * from './shared-resource-pool.js';
export type * from './kit/index.js';
export type * from './engine/index.js';
