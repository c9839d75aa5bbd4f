import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Container } from 'inversify';
import { ScalingEngine } from '@updraft/core';
import { createKubeClient, type KubeClient } from '../cluster/kube-client.js';
import { createContainer } from '../composition.js';
import { findKubernetesConnection, KubernetesApiClient, type KubernetesApi } from './auth/kubernetes-api.js';
import { ExternalMetricsServer } from './external-metrics-server.js';
import { createLogger, type AdapterLogger } from './logger.js';
import { MetricsEndpoint } from './metrics/metrics-endpoint.js';
import { ServeApplication } from './serve-application.js';
import { serveModule } from './serve-module.js';
import type { ServeOptions } from './serve-options.js';
import { ServingCertificate } from './tls/serving-certificate.js';

export interface StartServeDependencies {
  /** Default: pino to stdout at options.logLevel. */
  readonly logger?: AdapterLogger;
  /** Default: from --kubeconfig, the pod's service account, or $KUBECONFIG (with --auth=kubernetes only). */
  readonly kubernetes?: KubernetesApi;
  /** A container with core and the scaler plugins loaded. Default: createContainer({ plugins: options.plugins }). */
  readonly container?: Container;
  /** With --source kubernetes. Default: createKubeClient from --kubeconfig, the pod's service account, or $KUBECONFIG. */
  readonly kube?: KubeClient;
}

/** A started `updraft serve`. */
export interface RunningServer {
  /** `https://host:port` of the external metrics API; empty with --metrics-api=false. */
  readonly url: string;
  /** `http://host:port/metrics` */
  readonly metricsUrl: string;
  readonly container: Container;
  readonly engine: ScalingEngine;
  readonly logger: AdapterLogger;
  /** The CA of the certificate made at start; undefined with --tls-cert. */
  readonly generatedCaPem?: string;
  /** Stops serving, the sources, the engine (closing every scaler) and the metrics endpoint. */
  stop(): Promise<void>;
}

/** The namespace of the pod's service account, when running in a cluster. */
export function podNamespace(): string | undefined {
  const file = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';
  return existsSync(file) ? readFileSync(file, 'utf8').trim() || undefined : undefined;
}

/** The names a generated serving certificate is made for: loopback, the Service's DNS names, and --host when it is an address. */
export function certificateHosts(options: Pick<ServeOptions, 'service' | 'serviceNamespace' | 'host'>): string[] {
  const { service, serviceNamespace: namespace } = options;
  const hosts = ['localhost', '127.0.0.1', '::1', `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`, `${service}.${namespace}`, service];
  if (isIP(options.host) && options.host !== '0.0.0.0' && options.host !== '::') hosts.push(options.host);
  return [...new Set(hosts)];
}

/**
 * Starts `updraft serve`: loads the plugins, reads the ScaledObjects, starts the engine, the
 * metrics endpoint and the HTTPS server. Rejects (having stopped whatever had started) when it
 * cannot serve: a plugin that does not load, a port in use, no Kubernetes API with --auth=kubernetes.
 */
export async function startServe(options: ServeOptions, dependencies: StartServeDependencies = {}): Promise<RunningServer> {
  const logger = dependencies.logger ?? (await createLogger({ level: options.logLevel, format: options.logFormat }));
  let kubernetes = dependencies.kubernetes;
  if (options.auth === 'kubernetes' && !kubernetes) {
    const connection = findKubernetesConnection(options.kubeconfig);
    if (!connection) {
      throw new Error('--auth=kubernetes needs the Kubernetes API for TokenReview and SubjectAccessReview: run in a pod with a service account, or pass --kubeconfig (or set KUBECONFIG); --auth=none serves without authentication');
    }
    kubernetes = new KubernetesApiClient(connection);
    logger.info({ server: connection.server, credentials: connection.origin }, 'delegating authentication and authorization to the Kubernetes API');
  }
  if (options.auth === 'none') {
    logger.warn(
      { host: options.host, port: options.port },
      `--auth=none: ANYONE who can reach ${options.host}:${options.port} can read every metric, with no certificate, token or RBAC check; use it on a laptop, never in a cluster`,
    );
  }

  let kube = dependencies.kube;
  if ((options.source === 'kubernetes' || options.certSecret) && !kube) {
    kube = createKubeClient({ ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}), ...(options.namespace ? { namespace: options.namespace } : {}) });
    if (options.source === 'kubernetes') logger.info({ server: kube.server, credentials: kube.origin, namespace: kube.namespace, watchNamespaces: options.watchNamespaces?.length ? options.watchNamespaces : 'all', watchLabelSelector: options.watchLabelSelector }, 'reading ScaledObjects from the Kubernetes API');
  }

  const container = dependencies.container ?? (await createContainer({ plugins: options.plugins }));
  container.load(serveModule(options, { logger, ...(kubernetes ? { kubernetes } : {}), ...(kube ? { kube } : {}), certificateHosts: certificateHosts(options) }));
  const application = container.get<ServeApplication>(ServeApplication);
  try {
    await application.start();
  } catch (error) {
    if (kubernetes instanceof KubernetesApiClient) kubernetes.close();
    throw error;
  }

  // --metrics-api=false: no HTTPS server, only the controller (and /metrics).
  const api = container.isBound(ExternalMetricsServer) ? container.get<ExternalMetricsServer>(ExternalMetricsServer).address() : undefined;
  const metrics = container.get<MetricsEndpoint>(MetricsEndpoint).address()!;
  const engine = container.get<ScalingEngine>(ScalingEngine);
  const url = api ? `https://${displayHost(options.host)}:${api.port}` : '';
  const metricsUrl = `http://${displayHost(options.host)}:${metrics.port}/metrics`;
  const generated = container.get<ServingCertificate>(ServingCertificate).generated;
  if (api) logger.info({ url, metricsUrl, auth: options.auth, scaledObjects: engine.list().length }, 'serving the external metrics API');
  else logger.info({ metricsUrl, scaledObjects: engine.list().length }, '--metrics-api=false: not serving the external metrics API');

  let stopping: Promise<void> | undefined;
  return {
    url,
    metricsUrl,
    container,
    engine,
    logger,
    ...(generated ? { generatedCaPem: generated.caPem } : {}),
    stop: () =>
      (stopping ??= (async () => {
        logger.info({}, 'stopping');
        try {
          await application.stop();
        } finally {
          if (kubernetes instanceof KubernetesApiClient) kubernetes.close();
        }
        logger.info({}, 'stopped');
      })()),
  };
}

function displayHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return isIP(host) === 6 ? `[${host}]` : host;
}
