import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { Agent } from 'node:http';
import type { AgentOptions } from 'node:https';
import {
  ApiException,
  AppsV1Api,
  AutoscalingV2Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  KubeConfig,
  KubernetesObjectApi,
} from '@kubernetes/client-node';

/**
 * The one place that builds a KubeConfig and the API clients made from it (@kubernetes/client-node
 * 1.x; 2.x does not run on Node 20). The Kubernetes source, the controller and the install code all
 * take this from the container (`@inject(KubeClient)`); nobody else reads a kubeconfig.
 */
export const KubeClient = Symbol.for('updraft.adapter.KubeClient');

export interface KubeClient {
  readonly config: KubeConfig;
  /** The API server's URL, for logs. */
  readonly server: string;
  /** `in-cluster service account`, or the kubeconfig path(s). */
  readonly origin: string;
  /** The adapter's own namespace, where ClusterTriggerAuthentication Secrets are read (KEDA's cluster object namespace). */
  readonly namespace: string;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly autoscaling: AutoscalingV2Api;
  readonly customObjects: CustomObjectsApi;
  readonly coordination: CoordinationV1Api;
  readonly events: EventsV1Api;
  /** Reads any kind by apiVersion and kind (discovery finds its resource name). */
  readonly objects: KubernetesObjectApi;
}

export interface KubeClientOptions {
  /** `--kubeconfig`. */
  readonly kubeconfig?: string;
  /** `--namespace`: the adapter's own namespace. */
  readonly namespace?: string;
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
export const DEFAULT_ADAPTER_NAMESPACE = 'updraft';

/**
 * `--kubeconfig` when given; else the pod's service account when running in a cluster; else
 * `$KUBECONFIG`. Throws an Error with a one-line message when there is none, or the file is unusable.
 */
export function createKubeClient(options: KubeClientOptions, env: NodeJS.ProcessEnv = process.env, root = ''): KubeClient {
  const serviceAccountDir = `${root}${SERVICE_ACCOUNT}`;
  const config = new KubeConfig();
  let origin: string;
  try {
    if (options.kubeconfig) {
      if (!existsSync(options.kubeconfig)) throw new Error('the file does not exist');
      config.loadFromFile(options.kubeconfig);
      origin = options.kubeconfig;
    } else if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT && existsSync(`${serviceAccountDir}/token`)) {
      config.loadFromCluster(root || undefined);
      origin = 'in-cluster service account';
    } else {
      const files = (env.KUBECONFIG ?? '').split(':').filter((path) => path && existsSync(path));
      if (files.length === 0) {
        throw new Error('no Kubernetes API: run in a pod with a service account, or pass --kubeconfig (or set KUBECONFIG)');
      }
      config.loadFromFile(files[0]!);
      origin = files[0]!;
    }
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(options.kubeconfig || !message.startsWith('no Kubernetes API') ? `kubeconfig ${options.kubeconfig ?? env.KUBECONFIG ?? ''}: ${message}` : message, { cause: error });
  }
  const cluster = config.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig ${origin}: no current context with a cluster`);
  reuseConnections(config);
  return {
    config,
    server: cluster.server,
    origin,
    namespace: options.namespace || adapterNamespace(env, root),
    core: config.makeApiClient(CoreV1Api),
    apps: config.makeApiClient(AppsV1Api),
    autoscaling: config.makeApiClient(AutoscalingV2Api),
    customObjects: config.makeApiClient(CustomObjectsApi),
    coordination: config.makeApiClient(CoordinationV1Api),
    events: config.makeApiClient(EventsV1Api),
    objects: KubernetesObjectApi.makeApiClient(config),
  };
}

/**
 * client-node 1.x makes a new https.Agent for every request, so every call is a new TCP connection,
 * TLS handshake and OpenSSL secure context (with 1,000 ScaledObjects, tens of thousands of them; the
 * native memory they churn stays in the process). One keep-alive agent per set of TLS options is made
 * instead; a rotated client certificate (exec or file credentials) gets a new one.
 */
function reuseConnections(config: KubeConfig): void {
  const target = config as unknown as { createAgent?: (cluster: unknown, options: AgentOptions) => Agent };
  const create = target.createAgent?.bind(config);
  if (!create) return;
  const agents = new Map<string, Agent>();
  target.createAgent = (cluster, options) => {
    const server = cluster as { server?: string; proxyUrl?: string } | undefined;
    const hash = createHash('sha256');
    for (const part of [server?.server, server?.proxyUrl, options.ca, options.cert, options.key, options.pfx, options.passphrase, options.rejectUnauthorized, options.servername]) {
      hash.update(part === undefined ? '-' : typeof part === 'string' || Buffer.isBuffer(part) ? part : JSON.stringify(part)).update('\0');
    }
    const key = hash.digest('hex');
    let agent = agents.get(key);
    if (!agent) {
      // Credentials rotated: the old agent takes no new request; its connections are closed in a minute (a watch on one restarts).
      for (const old of agents.values()) setTimeout(() => old.destroy(), 60_000).unref();
      agents.clear();
      agents.set(key, (agent = create(cluster, { ...options, keepAlive: true })));
    }
    return agent;
  };
}

/** The pod's namespace (its service account's namespace file, else POD_NAMESPACE), else `updraft`. */
export function adapterNamespace(env: NodeJS.ProcessEnv = process.env, root = ''): string {
  const file = `${root}${SERVICE_ACCOUNT}/namespace`;
  const fromFile = existsSync(file) ? readFileSync(file, 'utf8').trim() : '';
  return fromFile || env.POD_NAMESPACE || DEFAULT_ADAPTER_NAMESPACE;
}

/** The HTTP status of a failed call (ApiException, or a watch's error), else undefined. */
export function statusOf(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  const candidate = error as { code?: unknown; statusCode?: unknown } | undefined;
  if (typeof candidate?.statusCode === 'number') return candidate.statusCode;
  if (typeof candidate?.code === 'number') return candidate.code;
  return undefined;
}

export function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

export function isConflict(error: unknown): boolean {
  return statusOf(error) === 409;
}

/**
 * One line for a failed call: `GET secret default/x: 403 Forbidden: secrets "x" is forbidden: ...`.
 * An ApiException's own message carries the headers and the whole body; this keeps the Status message.
 */
export function describeKubeError(error: unknown, what: string): string {
  const status = statusOf(error);
  if (error instanceof ApiException) {
    const body = parseBody(error.body);
    const reason = body?.reason ? ` ${body.reason}` : '';
    return `${what}: ${status}${reason}${body?.message ? `: ${body.message}` : ''}`;
  }
  const message = (error as Error | undefined)?.message ?? String(error);
  return `${what}: ${status !== undefined ? `${status} ` : ''}${message.split('\n')[0]}`;
}

function parseBody(body: unknown): { message?: string; reason?: string } | undefined {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as { message?: string; reason?: string };
    } catch {
      return body ? { message: body.slice(0, 200) } : undefined;
    }
  }
  return body && typeof body === 'object' ? (body as { message?: string; reason?: string }) : undefined;
}
