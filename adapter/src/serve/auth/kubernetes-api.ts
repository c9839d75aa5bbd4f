import { existsSync, readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

/**
 * The three calls the adapter makes to the Kubernetes API (TokenReview, SubjectAccessReview, and
 * reading the extension-apiserver-authentication ConfigMap), over node:https with keep-alive.
 * @kubernetes/client-node is not a dependency: 2.x does not run on Node 20, and three JSON calls do
 * not need a generated client.
 */
export const KubernetesApi = Symbol.for('updraft.adapter.KubernetesApi');

export interface KubernetesApi {
  /** The API server's URL, for logs. */
  readonly server: string;
  createTokenReview(token: string): Promise<TokenReviewStatus>;
  createSubjectAccessReview(spec: SubjectAccessReviewSpec): Promise<SubjectAccessReviewStatus>;
  /** Undefined when the ConfigMap does not exist. */
  readConfigMap(namespace: string, name: string): Promise<{ readonly data?: Readonly<Record<string, string>> } | undefined>;
}

export interface TokenReviewStatus {
  readonly authenticated?: boolean;
  readonly user?: { readonly username?: string; readonly uid?: string; readonly groups?: readonly string[]; readonly extra?: Readonly<Record<string, readonly string[]>> };
  readonly error?: string;
}

export interface SubjectAccessReviewSpec {
  readonly user: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra: Readonly<Record<string, readonly string[]>>;
  readonly resourceAttributes?: {
    readonly namespace: string;
    readonly verb: string;
    readonly group: string;
    readonly version: string;
    readonly resource: string;
  };
  readonly nonResourceAttributes?: { readonly path: string; readonly verb: string };
}

export interface SubjectAccessReviewStatus {
  readonly allowed: boolean;
  readonly denied?: boolean;
  readonly reason?: string;
  readonly evaluationError?: string;
}

/** The API server refused or failed a call. `status` is the HTTP status (0 when there was no answer). */
export class KubernetesApiError extends Error {
  override readonly name = 'KubernetesApiError';
  constructor(readonly status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Where the API server is and how to authenticate to it. */
export interface KubernetesConnection {
  readonly server: string;
  readonly ca?: string;
  readonly insecureSkipTLSVerify?: boolean;
  readonly tlsServerName?: string;
  readonly token?: string;
  /** Read again at most once a minute: projected service account tokens rotate. */
  readonly tokenFile?: string;
  readonly clientCertificate?: string;
  readonly clientKey?: string;
  /** Where this came from, for logs: a kubeconfig path or `in-cluster`. */
  readonly origin: string;
}

const SERVICE_ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The connection to use: `--kubeconfig` when given; else the pod's service account when running in
 * a cluster; else `$KUBECONFIG`. Undefined when there is none of these.
 */
export function findKubernetesConnection(kubeconfig: string | undefined, env: NodeJS.ProcessEnv = process.env, serviceAccountDir = SERVICE_ACCOUNT): KubernetesConnection | undefined {
  if (kubeconfig) return readKubeconfig(kubeconfig);
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (host && port && existsSync(`${serviceAccountDir}/token`)) {
    return {
      server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
      ca: readFileSync(`${serviceAccountDir}/ca.crt`, 'utf8'),
      tokenFile: `${serviceAccountDir}/token`,
      origin: 'in-cluster service account',
    };
  }
  const fromEnv = env.KUBECONFIG?.split(':').find((path) => path && existsSync(path));
  return fromEnv ? readKubeconfig(fromEnv) : undefined;
}

interface KubeconfigDocument {
  readonly 'current-context'?: string;
  readonly contexts?: readonly { readonly name: string; readonly context: { readonly cluster: string; readonly user: string } }[];
  readonly clusters?: readonly { readonly name: string; readonly cluster: Record<string, unknown> }[];
  readonly users?: readonly { readonly name: string; readonly user: Record<string, unknown> }[];
}

/** The current context of a kubeconfig file: server, CA, and a token or client certificate (no exec or auth-provider plugins). */
export function readKubeconfig(path: string): KubernetesConnection {
  const document = parseYaml(readFileSync(path, 'utf8')) as KubeconfigDocument | null;
  const fail = (why: string) => new Error(`kubeconfig ${path}: ${why}`);
  if (!document || typeof document !== 'object') throw fail('not a kubeconfig');
  const contextName = document['current-context'];
  const context = document.contexts?.find((c) => c.name === contextName)?.context ?? (document.contexts?.length === 1 ? document.contexts[0]!.context : undefined);
  if (!context) throw fail(`no current-context${contextName ? ` named ${JSON.stringify(contextName)}` : ''}`);
  const cluster = document.clusters?.find((c) => c.name === context.cluster)?.cluster;
  if (!cluster || typeof cluster.server !== 'string') throw fail(`cluster ${JSON.stringify(context.cluster)} has no server`);
  const user = document.users?.find((u) => u.name === context.user)?.user ?? {};
  if (user.exec || user['auth-provider']) throw fail(`user ${JSON.stringify(context.user)} uses an exec or auth-provider plugin, which updraft does not run; use a token or a client certificate`);
  const base = dirname(resolve(path));
  const file = (value: unknown) => (typeof value === 'string' ? readFileSync(isAbsolute(value) ? value : resolve(base, value), 'utf8') : undefined);
  const data = (value: unknown) => (typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : undefined);
  const pick = (...values: (string | undefined)[]) => values.find((value) => value !== undefined);
  const tokenFile = typeof user.tokenFile === 'string' ? (isAbsolute(user.tokenFile) ? user.tokenFile : resolve(base, user.tokenFile)) : undefined;
  const connection: KubernetesConnection = {
    server: cluster.server,
    origin: path,
    ...optional('ca', pick(data(cluster['certificate-authority-data']), file(cluster['certificate-authority']))),
    ...(cluster['insecure-skip-tls-verify'] === true ? { insecureSkipTLSVerify: true } : {}),
    ...optional('tlsServerName', typeof cluster['tls-server-name'] === 'string' ? cluster['tls-server-name'] : undefined),
    ...optional('token', typeof user.token === 'string' ? user.token : undefined),
    ...optional('tokenFile', tokenFile),
    ...optional('clientCertificate', pick(data(user['client-certificate-data']), file(user['client-certificate']))),
    ...optional('clientKey', pick(data(user['client-key-data']), file(user['client-key']))),
  };
  return connection;
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

/** KubernetesApi over node:https. */
export class KubernetesApiClient implements KubernetesApi {
  readonly server: string;
  private readonly agent: Agent;
  private token?: { value: string; readAt: number };

  constructor(
    private readonly connection: KubernetesConnection,
    private readonly timeoutMs = 10_000,
  ) {
    this.server = connection.server;
    this.agent = new Agent({
      keepAlive: true,
      maxSockets: 32,
      ...(connection.ca ? { ca: connection.ca } : {}),
      ...(connection.clientCertificate ? { cert: connection.clientCertificate } : {}),
      ...(connection.clientKey ? { key: connection.clientKey } : {}),
      ...(connection.tlsServerName ? { servername: connection.tlsServerName } : {}),
      rejectUnauthorized: connection.insecureSkipTLSVerify !== true,
    });
  }

  async createTokenReview(token: string): Promise<TokenReviewStatus> {
    const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } };
    const answer = (await this.call('POST', '/apis/authentication.k8s.io/v1/tokenreviews', body)) as { status?: TokenReviewStatus } | undefined;
    return answer?.status ?? {};
  }

  async createSubjectAccessReview(spec: SubjectAccessReviewSpec): Promise<SubjectAccessReviewStatus> {
    const body = { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec };
    const answer = (await this.call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', body)) as { status?: SubjectAccessReviewStatus } | undefined;
    return answer?.status ?? { allowed: false };
  }

  async readConfigMap(namespace: string, name: string): Promise<{ data?: Record<string, string> } | undefined> {
    try {
      return (await this.call('GET', `/api/v1/namespaces/${encodeURIComponent(namespace)}/configmaps/${encodeURIComponent(name)}`)) as { data?: Record<string, string> };
    } catch (error) {
      if (error instanceof KubernetesApiError && error.status === 404) return undefined;
      throw error;
    }
  }

  close(): void {
    this.agent.destroy();
  }

  private bearer(): string | undefined {
    const { connection } = this;
    if (connection.tokenFile) {
      if (!this.token || Date.now() - this.token.readAt > 60_000) {
        this.token = { value: readFileSync(connection.tokenFile, 'utf8').trim(), readAt: Date.now() };
      }
      return this.token.value;
    }
    return connection.token;
  }

  private call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    const url = new URL(path, this.server.endsWith('/') ? this.server : `${this.server}/`);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const token = this.bearer();
    return new Promise((resolvePromise, reject) => {
      const req = request(
        url,
        {
          method,
          agent: this.agent,
          signal: AbortSignal.timeout(this.timeoutMs),
          headers: {
            accept: 'application/json',
            'user-agent': 'updraft-adapter',
            ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              parsed = undefined;
            }
            const status = res.statusCode ?? 0;
            if (status < 200 || status > 299) {
              const message = (parsed as { message?: string } | undefined)?.message ?? text.slice(0, 200);
              reject(new KubernetesApiError(status, `${method} ${path} on ${this.server}: HTTP ${status}: ${message}`));
              return;
            }
            resolvePromise(parsed);
          });
        },
      );
      req.on('error', (error) => reject(new KubernetesApiError(0, `${method} ${path} on ${this.server}: ${error.message}`, { cause: error })));
      req.end(payload);
    });
  }
}
