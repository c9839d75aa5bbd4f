import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { issueCertificate, makeClusterPki, type CertificateFiles, type ClusterPki, type IssueOptions } from './cluster-pki.js';
import { freePort } from './process.js';

/**
 * A real Kubernetes control plane on this machine: etcd, kube-apiserver and kube-controller-manager
 * (built from Go modules by scripts/build-control-plane) on free 127.0.0.1 ports, with a PKI made
 * for it, RBAC, the aggregation layer (front-proxy CA and client certificate), an audit log of
 * TokenReviews, SubjectAccessReviews and writes, and no kubelet or scheduler: a Deployment gets its
 * ReplicaSet and Pending pods. `npm run cluster` (scripts/cluster.mjs) runs the same function.
 *
 *   const cluster = await startCluster();                 // in beforeAll; about 10-20 s
 *   afterAll(() => cluster?.stop());                      // also stopped if the test process dies
 *   await cluster.kubectl(['get', 'ns']);                 // the real kubectl as cluster-admin
 *   await cluster.apply(yaml);                            // kubectl apply -f -, throws on failure
 *   const kubeconfig = await cluster.adapterKubeconfig({ namespace: 'updraft', serviceAccount: 'updraft' });
 *   //   ... start `updraft serve --auth=kubernetes --kubeconfig <kubeconfig> --tls-cert ... --tls-key ...`
 *   await cluster.registerAdapter({ url: serve.url, caPem, namespace: 'updraft', service: 'updraft' });
 *   await cluster.waitForAPIService();                    // Available=True, or throws with the reason
 *
 * One control plane per test file that needs cluster-scoped objects (a cluster has one
 * v1beta1.external.metrics.k8s.io). The API is extended, never changed: other tests build on it.
 */

export interface ClusterOptions {
  /**
   * Where the PKI, etcd's data, the logs and the kubeconfig go. Given: its `pki`, `etcd`, `logs` and
   * `kubeconfig` are replaced and kept after stop(). Default: a scratch folder that stop() removes.
   */
  readonly dir?: string;
  /** kube-controller-manager --horizontal-pod-autoscaler-sync-period. Default 1s (Kubernetes: 15s). */
  readonly hpaSyncPeriod?: string;
  /** --horizontal-pod-autoscaler-downscale-stabilization. Default 10s (Kubernetes: 5m0s). */
  readonly hpaDownscaleStabilization?: string;
  /** Controllers to run besides DEFAULT_CONTROLLERS (names as in `kube-controller-manager --help`). */
  readonly extraControllers?: readonly string[];
  readonly apiServerArgs?: readonly string[];
  readonly controllerManagerArgs?: readonly string[];
  /** How long the control plane may take to be ready. Default 120 s. */
  readonly timeoutMs?: number;
}

/** What kube-controller-manager runs: what Updraft depends on in a cluster. */
export const DEFAULT_CONTROLLERS = [
  'horizontal-pod-autoscaler-controller',
  'deployment-controller',
  'replicaset-controller',
  'statefulset-controller',
  'garbage-collector-controller',
  'namespace-controller',
  'serviceaccount-controller',
  'serviceaccount-token-controller',
] as const;

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KubectlOptions {
  /** Written to kubectl's stdin (`-f -`). */
  readonly input?: string;
  /** Another identity's kubeconfig (see writeKubeconfig); default cluster-admin. */
  readonly kubeconfig?: string;
  readonly timeoutMs?: number;
}

export interface ApiAnswer<T = unknown> {
  readonly status: number;
  readonly body: string;
  json(): T;
}

/** One line of the audit log (audit.k8s.io/v1 Event), as much as tests read. */
export interface AuditEvent {
  readonly verb: string;
  readonly requestURI: string;
  readonly user: { readonly username: string; readonly groups?: readonly string[] };
  readonly objectRef?: { readonly resource?: string; readonly subresource?: string; readonly namespace?: string; readonly name?: string; readonly apiGroup?: string };
  readonly responseStatus?: { readonly code: number };
  /** Only for TokenReviews and SubjectAccessReviews (level RequestResponse). */
  readonly requestObject?: { readonly spec?: Record<string, unknown> };
  readonly responseObject?: { readonly status?: Record<string, unknown> };
  readonly requestReceivedTimestamp: string;
}

export interface RegisterAdapterOptions {
  /** Where the adapter listens: https://127.0.0.1:<port> or https://localhost:<port>. */
  readonly url: string;
  /** The CA that signed the adapter's serving certificate (APIService spec.caBundle). */
  readonly caPem: string;
  /** The Service's namespace (created if missing). Default `updraft`. */
  readonly namespace?: string;
  /** The Service's name; the adapter's certificate must be valid for `<service>.<namespace>.svc`. Default `updraft`. */
  readonly service?: string;
}

export interface Cluster {
  readonly dir: string;
  /** `<dir>/kubeconfig`: cluster-admin (client certificate CN kubernetes-admin, O system:masters). */
  readonly kubeconfig: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  /** etcd's client URL (plain HTTP on loopback), e.g. to compact it so that old watches get 410 Gone. */
  readonly etcdUrl: string;
  /** All of the control plane's certificates and keys (the CA keys too, to issue more). */
  readonly pki: ClusterPki;
  readonly versions: { readonly kubernetes: string; readonly etcd: string };
  /** How long startCluster took, in ms. */
  readonly startMs: number;
  /** The real kubectl: `kubectl --kubeconfig <kubeconfig> --cache-dir <dir>/kubectl-cache <args>`. Never throws. */
  kubectl(args: readonly string[], options?: KubectlOptions): Promise<KubectlResult>;
  /** `kubectl apply -f -` of a manifest (one or more YAML documents); throws with kubectl's error. */
  apply(manifest: string): Promise<void>;
  /** One call to the API server as cluster-admin (node:https), for polling without starting kubectl. */
  request<T = unknown>(method: string, path: string, body?: unknown, contentType?: string): Promise<ApiAnswer<T>>;
  /** A client certificate from the cluster CA (--client-ca-file): user = CN, groups = O. Files in `<dir>/pki/users`. */
  issueClientCertificate(user: string, groups?: readonly string[]): Promise<CertificateFiles>;
  /** A certificate from the cluster CA or the front-proxy CA with any subject and usage (for "wrong certificate" tests). */
  issueCertificate(name: string, issuer: 'cluster-ca' | 'front-proxy-ca', options: IssueOptions): Promise<CertificateFiles>;
  /** Creates the namespace and ServiceAccount if missing; a token for it from the TokenRequest API. */
  serviceAccountToken(namespace: string, name: string, options?: { readonly expirationSeconds?: number; readonly audiences?: readonly string[] }): Promise<string>;
  /** Writes `<dir>/<name>.kubeconfig` for this cluster with a token or a client certificate. */
  writeKubeconfig(name: string, credentials: { readonly token: string } | { readonly cert: string; readonly key: string }): Promise<string>;
  /**
   * The identity of an extension API server as KEDA and prometheus-adapter install it: a
   * ServiceAccount bound to system:auth-delegator (TokenReview, SubjectAccessReview) and, in
   * kube-system, to extension-apiserver-authentication-reader. Returns a kubeconfig with its token.
   */
  adapterKubeconfig(options: { readonly namespace: string; readonly serviceAccount: string }): Promise<string>;
  /**
   * Points the aggregator's v1beta1.external.metrics.k8s.io at an adapter on this machine: the
   * namespace, a Service of type ExternalName naming localhost (kube-aggregator's ClusterIP
   * resolver turns it into https://localhost:<spec.service.port>; a Service's endpoints may not be
   * loopback addresses), and the APIService with the caBundle. Idempotent (server-side apply).
   */
  registerAdapter(options: RegisterAdapterOptions): Promise<void>;
  /** Waits until an APIService's Available condition is True; throws with its last message. */
  waitForAPIService(name?: string, timeoutMs?: number): Promise<void>;
  /** The audit log so far: TokenReviews and SubjectAccessReviews with their spec and status, and every write (metadata only). */
  auditEvents(): Promise<AuditEvent[]>;
  /** The last lines each component printed, for failure messages. */
  logs(lines?: number): Promise<string>;
  /**
   * Stops kube-apiserver (SIGTERM, as in a rolling update), waits `downMs` (default 0), starts it again
   * on the same port with the same etcd and flags, and resolves once /readyz answers 200. Watches and
   * connections to it break; etcd and kube-controller-manager keep running. For watch-resumption tests.
   */
  restartApiServer(options?: { readonly downMs?: number; readonly timeoutMs?: number }): Promise<void>;
  /** Resolves when a component exits while the cluster is meant to run (not after stop()). */
  readonly unexpectedExit: Promise<string>;
  /** Stops kube-controller-manager, kube-apiserver and etcd, in that order; removes a scratch dir. */
  stop(): Promise<void>;
}

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const BUILD_SCRIPT = join(repoRoot, 'scripts', 'build-control-plane');
const EXTERNAL_METRICS_APISERVICE = 'v1beta1.external.metrics.k8s.io';
const SERVICE_CIDR = '10.96.0.0/16';
const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface ControlPlaneBinaries {
  readonly bin: string;
  readonly kubernetes: string;
  readonly etcd: string;
}

/**
 * The cached binaries from scripts/build-control-plane. With `build`, builds them when missing
 * (tens of minutes the first time); without, a missing build is an error that says what to run.
 */
/**
 * A Deployment of the pause image, labelled app=<name>: a scale target for tests. There is no kubelet,
 * so its pods stay Pending, and only its replica count matters.
 */
export function pauseDeployment(name: string, { namespace = 'default', replicas = 1 }: { readonly namespace?: string; readonly replicas?: number } = {}): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      containers:
        - { name: ${name}, image: registry.k8s.io/pause:3.10 }
`;
}

export function controlPlaneBinaries(options: { readonly build?: boolean } = {}): Promise<ControlPlaneBinaries> {
  return new Promise((resolvePromise, reject) => {
    execFile('bash', [BUILD_SCRIPT, ...(options.build ? [] : ['--check'])], { maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(stderr.trim() || error.message));
      const cache = stdout.trim();
      readFile(join(cache, 'VERSION'), 'utf8').then((text) => {
        const [kubernetes = '?', , etcd = '?'] = text.trim().split(/\s+/);
        resolvePromise({ bin: join(cache, 'bin'), kubernetes, etcd });
      }, reject);
    });
  });
}

/** A process of the control plane, in its own process group, its output in a log file. */
class Component {
  readonly exited: Promise<number | null>;
  private stopping = false;
  private readonly reaper: ChildProcess;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((resolvePromise) => child.once('exit', (code, signal) => resolvePromise(code ?? (signal ? 128 : null))));
    // If this Node process dies without stop() (a crashed test worker, SIGKILL), the reaper's stdin
    // closes and it ends the component's process group: no control plane outlives its test.
    const pid = child.pid!;
    this.reaper = spawn('sh', ['-c', `read _; kill -TERM -${pid} 2>/dev/null; sleep 5; kill -KILL -${pid} 2>/dev/null`], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
    this.reaper.unref();
    (this.reaper.stdin as unknown as Socket).unref();
    LIVE.add(this);
    void this.exited.then(() => LIVE.delete(this));
  }

  static async launch(name: string, command: string, args: readonly string[], logFile: string): Promise<Component> {
    const fd = openSync(logFile, 'a');
    try {
      const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd] });
      await new Promise<void>((resolvePromise, reject) => {
        child.once('spawn', resolvePromise);
        child.once('error', (error) => reject(new Error(`cannot start ${command}: ${error.message}`)));
      });
      return new Component(name, child, logFile);
    } finally {
      closeSync(fd);
    }
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get expectedToRun(): boolean {
    return !this.stopping;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.running) {
      this.signal('SIGTERM');
      const timer = setTimeout(() => this.signal('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    this.reaper.kill('SIGKILL');
  }

  /** To the whole process group: etcd and kube-apiserver start no children, but nothing may be left. */
  signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.child.pid!, signal);
    } catch {
      // Already gone.
    }
  }

  async tail(lines: number): Promise<string> {
    const text = await readFile(this.logFile, 'utf8').catch(() => '');
    return text.split('\n').slice(-lines - 1).join('\n');
  }
}

const LIVE = new Set<Component>();
process.once('exit', () => {
  for (const component of LIVE) component.signal('SIGKILL');
});

function httpsCall(url: string, pki: Pick<ClusterPki, 'clusterCa' | 'admin'>, method: string, body?: unknown, contentType = 'application/json', timeoutMs = 10_000): Promise<ApiAnswer> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolvePromise, reject) => {
    const req = request(
      url,
      {
        method,
        ca: pki.clusterCa.cert,
        cert: pki.admin.cert,
        key: pki.admin.key,
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
        headers: { accept: 'application/json', ...(payload !== undefined ? { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) } : {}) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolvePromise({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) as never }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function kubeconfigYaml(server: string, caPem: string, user: string, credentials: { readonly token: string } | { readonly cert: string; readonly key: string }): string {
  const b64 = (text: string) => Buffer.from(text).toString('base64');
  const userFields = 'token' in credentials ? [`    token: ${credentials.token}`] : [`    client-certificate-data: ${b64(credentials.cert)}`, `    client-key-data: ${b64(credentials.key)}`];
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: updraft-local',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(caPem)}`,
    'users:',
    `- name: ${user}`,
    '  user:',
    ...userFields,
    'contexts:',
    '- name: updraft-local',
    `  context: { cluster: updraft-local, user: ${JSON.stringify(user)} }`,
    'current-context: updraft-local',
    '',
  ].join('\n');
}

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
omitManagedFields: true
rules:
  # What an aggregated API server asks of the API server, with question and answer.
  - level: RequestResponse
    resources:
      - group: authentication.k8s.io
        resources: [tokenreviews]
      - group: authorization.k8s.io
        resources: [subjectaccessreviews]
  - level: None
    verbs: [get, list, watch]
  - level: Metadata
`;

async function until<T>(what: string, deadline: number, check: () => Promise<T | undefined>, diagnose: () => Promise<string>, failed?: () => string | undefined): Promise<T> {
  let last = '';
  while (Date.now() < deadline) {
    const failure = failed?.();
    if (failure) throw new Error(`${failure} while waiting for ${what}:\n${await diagnose()}`);
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (${last})` : ''}:\n${await diagnose()}`);
}

/** Starts etcd, kube-apiserver and kube-controller-manager and waits until the cluster is usable (see Cluster). */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const started = Date.now();
  const binaries = await controlPlaneBinaries();
  const scratch = options.dir === undefined;
  const dir = options.dir ? resolve(options.dir) : await mkdtemp(join(tmpdir(), 'updraft-cluster-'));
  const logDir = join(dir, 'logs');
  await Promise.all(['pki', 'etcd', 'logs', 'kubectl-cache'].map((sub) => rm(join(dir, sub), { recursive: true, force: true })));
  await mkdir(logDir, { recursive: true });
  const components: Component[] = [];
  const deadline = started + (options.timeoutMs ?? 120_000);
  const logs = async (lines = 30) => (await Promise.all(components.map(async (c) => `--- ${c.name} (${c.logFile}) ---\n${await c.tail(lines)}`))).join('\n');
  const exitedEarly = () => {
    const gone = components.find((c) => !c.running && c.expectedToRun);
    return gone ? `${gone.name} exited with code ${gone.child.exitCode ?? gone.child.signalCode}` : undefined;
  };
  const stopAll = async () => {
    for (const component of [...components].reverse()) await component.stop();
  };

  try {
    const [etcdPort, etcdPeerPort, apiPort] = await Promise.all([freePort(), freePort(), freePort()]);
    const etcdUrl = `http://127.0.0.1:${etcdPort}`;
    const etcdPeerUrl = `http://127.0.0.1:${etcdPeerPort}`;
    // etcd needs no certificate (plain HTTP on loopback), so it starts while openssl works.
    const etcd = await Component.launch('etcd', join(binaries.bin, 'etcd'), [
      '--name=updraft', `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${etcdPeerUrl}`, `--initial-advertise-peer-urls=${etcdPeerUrl}`, `--initial-cluster=updraft=${etcdPeerUrl}`,
      // A test cluster's data is disposable: no fsync is the biggest speed-up on a busy disk.
      '--unsafe-no-fsync', '--log-level=warn',
    ], join(logDir, 'etcd.log'));
    components.push(etcd);

    const pki = await makeClusterPki(join(dir, 'pki'));
    const server = `https://127.0.0.1:${apiPort}`;
    const kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigYaml(server, pki.clusterCa.cert, 'cluster-admin', pki.admin), { mode: 0o600 });
    const controllerManagerKubeconfig = join(dir, 'pki', 'controller-manager.kubeconfig');
    await writeFile(controllerManagerKubeconfig, kubeconfigYaml(server, pki.clusterCa.cert, 'system:kube-controller-manager', pki.controllerManager), { mode: 0o600 });
    const auditPolicy = join(dir, 'pki', 'audit-policy.yaml');
    await writeFile(auditPolicy, AUDIT_POLICY);
    const auditLog = join(logDir, 'audit.log');

    await until('etcd /health', deadline, async () => {
      const res = await fetch(`${etcdUrl}/health`);
      return res.ok ? true : undefined;
    }, logs, exitedEarly);

    // Exits of components meant to run (not stopped by stop() or restartApiServer()) resolve unexpectedExit.
    let resolveExit: (why: string) => void = () => {};
    const unexpectedExit = new Promise<string>((r) => (resolveExit = r));
    const watch = (component: Component) => {
      void component.exited.then((code) => {
        if (component.expectedToRun) resolveExit(`${component.name} exited with code ${code}`);
      });
    };
    watch(etcd);

    const apiServerArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1', `--secure-port=${apiPort}`, '--advertise-address=127.0.0.1',
      // The reconciler would write 127.0.0.1 into the kubernetes Service's endpoints, which their validation refuses.
      '--endpoint-reconciler-type=none',
      `--cert-dir=${join(dir, 'pki')}`,
      `--tls-cert-file=${pki.apiServer.certFile}`, `--tls-private-key-file=${pki.apiServer.keyFile}`,
      `--client-ca-file=${pki.clusterCa.certFile}`,
      `--service-cluster-ip-range=${SERVICE_CIDR}`,
      `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
      `--service-account-key-file=${pki.serviceAccountPublicKeyFile}`,
      `--service-account-signing-key-file=${pki.serviceAccountKeyFile}`,
      '--authorization-mode=Node,RBAC',
      // The aggregation layer (kubernetes-external-metrics.md §3.2, §3.3), as kubeadm configures it.
      `--requestheader-client-ca-file=${pki.frontProxyCa.certFile}`,
      '--requestheader-allowed-names=front-proxy-client',
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-uid-headers=X-Remote-Uid',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${pki.frontProxyClient.certFile}`,
      `--proxy-client-key-file=${pki.frontProxyClient.keyFile}`,
      `--audit-policy-file=${auditPolicy}`, `--audit-log-path=${auditLog}`, '--audit-log-maxbackup=1', '--audit-log-maxsize=100',
      '--profiling=false',
      ...(options.apiServerArgs ?? []),
    ];
    const api = (path: string, method = 'GET', body?: unknown, contentType?: string) => httpsCall(`${server}${path}`, pki, method, body, contentType);
    /** Starts kube-apiserver (same port, same etcd) and waits for /readyz. */
    const launchApiServer = async (until_: number) => {
      const apiServer = await Component.launch('kube-apiserver', join(binaries.bin, 'kube-apiserver'), apiServerArgs, join(logDir, 'kube-apiserver.log'));
      components.splice(1, 0, apiServer);
      watch(apiServer);
      await until('kube-apiserver /readyz', until_, async () => ((await api('/readyz')).status === 200 ? true : undefined), logs, exitedEarly);
      return apiServer;
    };
    // kube-controller-manager gives up if the API server is not healthy within 10 s of its start.
    let apiServer = await launchApiServer(deadline);

    const controllerManager = await Component.launch('kube-controller-manager', join(binaries.bin, 'kube-controller-manager'), [
      `--kubeconfig=${controllerManagerKubeconfig}`,
      '--secure-port=0',
      '--leader-elect=false',
      // Each controller calls the API server as its own ServiceAccount (the HPA as
      // kube-system:horizontal-pod-autoscaler), with its bootstrap RBAC role, as in a real cluster.
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${pki.serviceAccountKeyFile}`,
      `--root-ca-file=${pki.clusterCa.certFile}`,
      `--controllers=${[...DEFAULT_CONTROLLERS, ...(options.extraControllers ?? [])].join(',')}`,
      `--horizontal-pod-autoscaler-sync-period=${options.hpaSyncPeriod ?? '1s'}`,
      `--horizontal-pod-autoscaler-downscale-stabilization=${options.hpaDownscaleStabilization ?? '10s'}`,
      ...(options.controllerManagerArgs ?? []),
    ], join(logDir, 'kube-controller-manager.log'));
    components.push(controllerManager);
    watch(controllerManager);

    // The service account controller is up, and pods can be admitted in default.
    await until('the default ServiceAccount', deadline, async () => ((await api('/api/v1/namespaces/default/serviceaccounts/default')).status === 200 ? true : undefined), logs, exitedEarly);

    const kubectl = (args: readonly string[], kubectlOptions: KubectlOptions = {}): Promise<KubectlResult> =>
      new Promise((resolvePromise) => {
        const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'KUBECONFIG'));
        const child = execFile(
          'kubectl',
          [`--kubeconfig=${kubectlOptions.kubeconfig ?? kubeconfig}`, `--cache-dir=${join(dir, 'kubectl-cache')}`, ...args],
          { env, timeout: kubectlOptions.timeoutMs ?? 30_000, maxBuffer: 16 << 20 },
          (error, stdout, stderr) => {
            const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : 1) : 0;
            resolvePromise({ code, stdout, stderr: (error as NodeJS.ErrnoException | null)?.code === 'ENOENT' ? 'kubectl is not installed' : stderr });
          },
        );
        child.stdin?.end(kubectlOptions.input ?? '');
      });

    const ensure = async (path: string, object: Record<string, unknown>) => {
      const answer = await api(path, 'POST', object);
      if (answer.status !== 201 && answer.status !== 409) throw new Error(`POST ${path}: HTTP ${answer.status}: ${answer.body}`);
    };
    const ensureNamespace = (name: string) => ensure('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    const ensureServiceAccount = async (namespace: string, name: string) => {
      await ensureNamespace(namespace);
      await ensure(`/api/v1/namespaces/${namespace}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
    };
    const serverSideApply = async (path: string, object: Record<string, unknown>) => {
      const answer = await api(`${path}?fieldManager=updraft-cluster&force=true`, 'PATCH', object, 'application/apply-patch+yaml');
      if (answer.status !== 200 && answer.status !== 201) throw new Error(`apply ${path}: HTTP ${answer.status}: ${answer.body}`);
    };
    const writeKubeconfig = async (name: string, credentials: { readonly token: string } | { readonly cert: string; readonly key: string }) => {
      const path = join(dir, `${name}.kubeconfig`);
      await writeFile(path, kubeconfigYaml(server, pki.clusterCa.cert, name, credentials), { mode: 0o600 });
      return path;
    };
    const serviceAccountToken = async (namespace: string, name: string, tokenOptions: { readonly expirationSeconds?: number; readonly audiences?: readonly string[] } = {}) => {
      await ensureServiceAccount(namespace, name);
      const path = `/api/v1/namespaces/${namespace}/serviceaccounts/${name}/token`;
      const answer = await api(path, 'POST', {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { expirationSeconds: tokenOptions.expirationSeconds ?? 86_400, ...(tokenOptions.audiences ? { audiences: tokenOptions.audiences } : {}) },
      });
      if (answer.status !== 201) throw new Error(`POST ${path}: HTTP ${answer.status}: ${answer.body}`);
      return (answer.json() as { status: { token: string } }).status.token;
    };

    const cluster: Cluster = {
      dir,
      kubeconfig,
      server,
      etcdUrl,
      pki,
      versions: { kubernetes: binaries.kubernetes, etcd: binaries.etcd },
      startMs: Date.now() - started,
      unexpectedExit,
      kubectl,
      apply: async (manifest) => {
        const result = await kubectl(['apply', '-f', '-'], { input: manifest });
        if (result.code !== 0) throw new Error(`kubectl apply failed: ${result.stderr.trim()}`);
      },
      request: (method, path, body, contentType) => api(path, method, body, contentType) as never,
      issueClientCertificate: (user, groups = []) => issueCertificate(join(dir, 'pki', 'users'), user.replace(/[^A-Za-z0-9._-]/g, '_'), pki.clusterCa, { commonName: user, organizations: groups, usage: 'client' }),
      issueCertificate: (name, issuer, issueOptions) => issueCertificate(join(dir, 'pki', 'issued'), name, issuer === 'cluster-ca' ? pki.clusterCa : pki.frontProxyCa, issueOptions),
      serviceAccountToken,
      writeKubeconfig,
      adapterKubeconfig: async ({ namespace, serviceAccount }) => {
        const token = await serviceAccountToken(namespace, serviceAccount);
        const subject = [{ kind: 'ServiceAccount', name: serviceAccount, namespace }];
        await serverSideApply(`/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${namespace}-${serviceAccount}-auth-delegator`, {
          apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `${namespace}-${serviceAccount}-auth-delegator` },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' }, subjects: subject,
        });
        await serverSideApply(`/apis/rbac.authorization.k8s.io/v1/namespaces/kube-system/rolebindings/${namespace}-${serviceAccount}-auth-reader`, {
          apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `${namespace}-${serviceAccount}-auth-reader`, namespace: 'kube-system' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'extension-apiserver-authentication-reader' }, subjects: subject,
        });
        return writeKubeconfig(`${namespace}-${serviceAccount}`, { token });
      },
      registerAdapter: async ({ url, caPem, namespace = 'updraft', service = 'updraft' }) => {
        const parsed = new URL(url);
        if (parsed.protocol !== 'https:' || !['127.0.0.1', 'localhost'].includes(parsed.hostname) || !parsed.port) {
          throw new Error(`registerAdapter: ${url} is not https://127.0.0.1:<port> or https://localhost:<port>; the aggregator reaches the adapter through a Service of type ExternalName naming localhost`);
        }
        await ensureNamespace(namespace);
        await serverSideApply(`/api/v1/namespaces/${namespace}/services/${service}`, {
          apiVersion: 'v1', kind: 'Service', metadata: { name: service, namespace },
          spec: { type: 'ExternalName', externalName: 'localhost' },
        });
        await serverSideApply(`/apis/apiregistration.k8s.io/v1/apiservices/${EXTERNAL_METRICS_APISERVICE}`, {
          apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: EXTERNAL_METRICS_APISERVICE },
          spec: {
            group: 'external.metrics.k8s.io', version: 'v1beta1',
            service: { name: service, namespace, port: Number(parsed.port) },
            caBundle: Buffer.from(caPem).toString('base64'),
            groupPriorityMinimum: 100, versionPriority: 100,
          },
        });
      },
      waitForAPIService: async (name = EXTERNAL_METRICS_APISERVICE, timeoutMs = 60_000) => {
        let last = 'no status yet';
        await until(`APIService ${name} Available=True`, Date.now() + timeoutMs, async () => {
          const answer = await api(`/apis/apiregistration.k8s.io/v1/apiservices/${name}`);
          if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`);
          const available = (answer.json() as { status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } }).status?.conditions?.find((c) => c.type === 'Available');
          if (available) last = `${available.status} ${available.reason ?? ''}: ${available.message ?? ''}`;
          return available?.status === 'True' ? true : undefined;
        }, async () => `last condition: ${last}`, exitedEarly);
      },
      auditEvents: async () => {
        const text = await readFile(auditLog, 'utf8').catch(() => '');
        return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as AuditEvent);
      },
      logs,
      restartApiServer: async ({ downMs = 0, timeoutMs = 60_000 } = {}) => {
        await apiServer.stop();
        components.splice(components.indexOf(apiServer), 1);
        if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
        apiServer = await launchApiServer(Date.now() + timeoutMs);
      },
      stop: async () => {
        await stopAll();
        if (scratch) await rm(dir, { recursive: true, force: true });
      },
    };
    return cluster;
  } catch (error) {
    await stopAll();
    if (scratch) await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
