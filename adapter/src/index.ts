/**
 * @updraft/adapter's public surface (see README.md, "Embedding the adapter"): the CLI, the
 * composition root, and `updraft serve` started in-process with its extension points. Types of
 * every serve part are exported; runtime values only as listed.
 */
export { main } from './cli.js';
export { createContainer, createRegistry, BUILT_IN_SCALERS, type CompositionOptions } from './composition.js';
export { readManifestFiles, type ManifestFiles } from './manifest-files.js';
export type { Output } from './output.js';

// `updraft serve`, in-process: start it, or bind its parts into your own container.
export { startServe, type RunningServer, type StartServeDependencies } from './serve/start-serve.js';
export { ServeOptions, SERVE_DEFAULTS, type AuthMode } from './serve/serve-options.js';
export { serveModule, type ServeModuleDependencies } from './serve/serve-module.js';
export { ServeContribution } from './serve/serve-application.js';
export { ScaledObjectSource, type ScaledObjectChange } from './serve/sources/scaled-object-source.js';
export { ExternalMetricsProvider, SCALED_OBJECT_NAME_LABEL, type ExternalMetricAnswer } from './serve/external-metrics-provider.js';
export { AdapterLogger, createLogger, type LoggerOptions } from './serve/logger.js';
export { RequestAuthenticator, RequestAuthorizer } from './serve/auth/request-auth.js';
// A self-signed serving certificate, as `serve` makes one (bench/serve uses it too).
export { createCertificate } from './serve/tls/certificates.js';
export type * from './serve/index.js';
