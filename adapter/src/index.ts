export { main } from './cli.js';
export { createContainer, createRegistry, BUILT_IN_SCALERS, type CompositionOptions } from './composition.js';
export { readManifestFiles, type ManifestFiles } from './manifest-files.js';
export type { Output } from './output.js';

// `updraft serve`: the external metrics API server.
export * from './serve/index.js';
