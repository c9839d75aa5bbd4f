/**
 * `@updraft/core/metadata`: declaring a trigger's parameters (`defineMetadata`, `p`, the shared
 * TLS and HTTP auth parameters), without the DI container. A scaler package's declaration module
 * imports this entry, so that `updraft validate` reads it without loading any scaler. Everything
 * here is also exported by `@updraft/core`.
 */
export { defineMetadata, metadataJsonSchema, p, renderScalerTables, replaceParameterTables } from './metadata/index.js';
export { httpAuthParams, httpAuthRule, tlsClientOptions, tlsMaterialKey, tlsParams } from './shared-params/index.js';

export type * from './metadata/index.js';
export type * from './shared-params/index.js';
export type * from './trigger-catalog.js';
