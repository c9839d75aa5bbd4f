import type { ControllerOptions } from '../controller/controller-options.js';
import type { LogFormat, LogLevel } from './logger.js';

// Here, not in logger.ts, so that the CLI can list them without loading pino.
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;

/** How `updraft serve` runs: its flags, each also read from an UPDRAFT_* environment variable. */
export const ServeOptions = Symbol.for('updraft.adapter.ServeOptions');

export type AuthMode = 'none' | 'kubernetes';

/** Where ScaledObjects come from: `--config` files, or the Kubernetes API (KEDA's CRDs). */
export type SourceKind = 'files' | 'kubernetes';

export interface ServeOptions {
  /** `--source`; default `files`. */
  readonly source?: SourceKind;
  /** `--config`: ScaledObject files and folders (with `--source files`). */
  readonly config: readonly string[];
  /** `--namespace`: the adapter's own namespace, where ClusterTriggerAuthentication Secrets are read (default: the pod's, else POD_NAMESPACE, else `updraft`). */
  readonly namespace?: string;
  /** `--watch-namespace`: with `--source kubernetes`, only these namespaces; empty: all. */
  readonly watchNamespaces?: readonly string[];
  /** `--watch-label-selector`: with `--source kubernetes`, only ScaledObjects with these labels. */
  readonly watchLabelSelector?: string;
  /** `--host`: the address the external metrics API listens on. */
  readonly host: string;
  /** `--port`; 0 lets the system choose (the start log says which). */
  readonly port: number;
  /** `--tls-cert` and `--tls-key`, reloaded when they change; without them a certificate is made at start. */
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  /**
   * `--cert-secret`: the adapter's own CA and serving certificate, kept in this Secret of its namespace
   * (shared by the replicas, rotated before expiry), the CA written into the caBundle of `caBundleApiService`
   * and `caBundleWebhook` (`--cert-apiservice`, `--cert-webhook`; '' for none). Instead of --tls-cert.
   */
  readonly certSecret?: string;
  readonly caBundleApiService?: string;
  readonly caBundleWebhook?: string;
  /** `--cert-serving-validity`: how long a serving certificate made for --cert-secret is valid (renewed with a third left). Default 90 days. */
  readonly certServingValiditySeconds?: number;
  /** `--service` and `--service-namespace`: the generated certificate is valid for `<service>.<namespace>.svc`. */
  readonly service: string;
  readonly serviceNamespace: string;
  readonly auth: AuthMode;
  readonly kubeconfig?: string;
  readonly requestHeaderClientCAFile?: string;
  readonly requestHeaderAllowedNames: readonly string[];
  readonly clientCAFile?: string;
  /** `--metrics-port`: Prometheus text over plain HTTP on the same host; 0 lets the system choose. */
  readonly metricsPort: number;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  readonly plugins: readonly string[];
  /** How often files (ScaledObjects, certificates, CAs) are checked for changes no watch event reported. Default 15 s. */
  readonly rescanIntervalMs?: number;
  /** `--controller` (with the Kubernetes source): KEDA's operator part, HPAs, 0↔1, status, events. Default true. */
  readonly controller?: boolean;
  /** `--metrics-api`: serve the external metrics API. Default true. */
  readonly metricsApi?: boolean;
  /** The controller's leader election and resync (`--leader-elect*`, `--controller-resync`). */
  readonly controllerOptions?: ControllerOptions;
}

export const SERVE_DEFAULTS = {
  host: '0.0.0.0',
  port: 6443,
  metricsPort: 8080,
  auth: 'kubernetes',
  service: 'updraft',
  logLevel: 'info',
  logFormat: 'auto',
} as const;
