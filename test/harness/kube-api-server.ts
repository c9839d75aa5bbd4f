import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { run } from './redis.js';
import { scratchDir } from './process.js';

// A Kubernetes API server for the adapter's authentication and authorization tests: HTTPS on a
// free 127.0.0.1 port, answering TokenReview and SubjectAccessReview as kube-apiserver does
// (kubernetes-external-metrics.md §3.4) and serving the ConfigMap
// kube-system/extension-apiserver-authentication (§3.3) made from a PKI generated for the test.

export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

/** The certificates of a small cluster, made with openssl (EC P-256, valid 2 days). */
export interface KubePki {
  /** Signs the API server's serving certificate. */
  readonly clusterCa: KeyPair;
  /** For 127.0.0.1 and localhost. */
  readonly apiServer: KeyPair;
  /** The front-proxy CA (requestheader-client-ca-file). */
  readonly frontProxyCa: KeyPair;
  /** What the aggregator presents: CN front-proxy-client, clientAuth. */
  readonly frontProxyClient: KeyPair;
  /** Signed by the front-proxy CA, clientAuth, but a CN not in requestheader-allowed-names. */
  readonly frontProxyWrongName: KeyPair;
  /** Signed by the front-proxy CA with CN front-proxy-client, but only for serverAuth. */
  readonly frontProxyServerAuthOnly: KeyPair;
  /** CN front-proxy-client, clientAuth, signed by a CA nobody trusts. */
  readonly rogueFrontProxy: KeyPair;
  /** The cluster's client CA (client-ca-file). */
  readonly clientCa: KeyPair;
  /** A user's client certificate from the client CA: CN jane, O devs and O ops. */
  readonly userJane: KeyPair;
}

/** Generates a KubePki with the `openssl` binary (Debian package openssl). */
export async function makeKubePki(): Promise<KubePki> {
  const dir = await scratchDir('kube-pki');
  const openssl = (...args: string[]) => run('openssl', args, 'openssl');
  const file = (name: string) => join(dir.path, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string, cn: string) =>
    openssl('req', '-x509', '-new', ...ec, '-keyout', file(`${name}.key`), '-out', file(`${name}.crt`), '-days', '2', '-subj', `/CN=${cn}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature');
  const issue = async (name: string, subject: string, issuer: string, extensions: string) => {
    await openssl('req', '-new', ...ec, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', subject);
    await writeFile(file(`${name}.ext`), `basicConstraints=CA:FALSE\n${extensions}`);
    await openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${issuer}.crt`), '-CAkey', file(`${issuer}.key`), '-set_serial', String(Date.now() + Math.floor(Math.random() * 1e6)),
      '-days', '2', '-out', file(`${name}.crt`), '-extfile', file(`${name}.ext`));
  };
  try {
    await ca('cluster-ca', 'kubernetes');
    await ca('front-proxy-ca', 'front-proxy-ca');
    await ca('client-ca', 'kubernetes-client-ca');
    await ca('rogue-ca', 'front-proxy-ca');
    await issue('api-server', '/CN=kube-apiserver', 'cluster-ca', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    await issue('front-proxy-client', '/CN=front-proxy-client', 'front-proxy-ca', 'extendedKeyUsage=clientAuth\n');
    await issue('front-proxy-wrong-name', '/CN=someone-else', 'front-proxy-ca', 'extendedKeyUsage=clientAuth\n');
    await issue('front-proxy-server-only', '/CN=front-proxy-client', 'front-proxy-ca', 'extendedKeyUsage=serverAuth\n');
    await issue('rogue-front-proxy', '/CN=front-proxy-client', 'rogue-ca', 'extendedKeyUsage=clientAuth\n');
    await issue('user-jane', '/O=devs/O=ops/CN=jane', 'client-ca', 'extendedKeyUsage=clientAuth\n');
    const pair = async (name: string): Promise<KeyPair> => ({ cert: await readFile(file(`${name}.crt`), 'utf8'), key: await readFile(file(`${name}.key`), 'utf8') });
    return {
      clusterCa: await pair('cluster-ca'),
      apiServer: await pair('api-server'),
      frontProxyCa: await pair('front-proxy-ca'),
      frontProxyClient: await pair('front-proxy-client'),
      frontProxyWrongName: await pair('front-proxy-wrong-name'),
      frontProxyServerAuthOnly: await pair('front-proxy-server-only'),
      rogueFrontProxy: await pair('rogue-front-proxy'),
      clientCa: await pair('client-ca'),
      userJane: await pair('user-jane'),
    };
  } finally {
    await dir.dispose();
  }
}

/** A user as TokenReview reports it. */
export interface KubeUser {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
}

/** The `spec` of a SubjectAccessReview the adapter sent. */
export interface SubjectAccessReviewSpec {
  readonly user: string;
  readonly uid?: string;
  readonly groups?: readonly string[];
  readonly extra?: Record<string, readonly string[]>;
  readonly resourceAttributes?: { namespace?: string; verb: string; group?: string; version?: string; resource?: string };
  readonly nonResourceAttributes?: { path: string; verb: string };
}

export type Policy = (spec: SubjectAccessReviewSpec) => { readonly allowed: boolean; readonly reason?: string };

export interface KubeApiServerOptions {
  readonly pki: KubePki;
  /** Bearer tokens TokenReview accepts, and whose they are. */
  readonly tokens?: Readonly<Record<string, KubeUser>>;
  /** The token the adapter itself must present; anything else gets 401. */
  readonly adapterToken: string;
  /** What SubjectAccessReview answers. Default: deny everything (as RBAC with no binding: allowed false, no reason). */
  readonly policy?: Policy;
  /** requestheader-allowed-names of the ConfigMap. Default ["front-proxy-client"]. */
  readonly allowedNames?: readonly string[];
}

export interface KubeApiServer {
  /** https://127.0.0.1:<port> */
  readonly url: string;
  /** Every TokenReview token reviewed, in order. */
  readonly tokenReviews: string[];
  /** Every SubjectAccessReview spec received, in order. */
  readonly subjectAccessReviews: SubjectAccessReviewSpec[];
  /** Requests refused for lack of the adapter's token. */
  readonly refused: number;
  setPolicy(policy: Policy): void;
  /** Replaces the ConfigMap's data; undefined makes it 404. */
  setConfigMap(data: Record<string, string> | undefined): void;
  /** The ConfigMap data kube-apiserver publishes for this PKI. */
  configMapData(): Record<string, string>;
  /** Writes a kubeconfig for the adapter (server, cluster CA, the adapter's token) into `dir`. */
  writeKubeconfig(dir: string): Promise<string>;
  stop(): Promise<void>;
}

export async function startKubeApiServer(options: KubeApiServerOptions): Promise<KubeApiServer> {
  const { pki } = options;
  let policy: Policy = options.policy ?? (() => ({ allowed: false }));
  const defaultData = (): Record<string, string> => ({
    'client-ca-file': pki.clientCa.cert,
    'requestheader-client-ca-file': pki.frontProxyCa.cert,
    'requestheader-allowed-names': JSON.stringify(options.allowedNames ?? ['front-proxy-client']),
    'requestheader-username-headers': '["X-Remote-User"]',
    'requestheader-group-headers': '["X-Remote-Group"]',
    'requestheader-extra-headers-prefix': '["X-Remote-Extra-"]',
    'requestheader-uid-headers': '["X-Remote-Uid"]',
  });
  let configMap: Record<string, string> | undefined = defaultData();
  const tokenReviews: string[] = [];
  const subjectAccessReviews: SubjectAccessReviewSpec[] = [];
  let refused = 0;

  const server: Server = createServer({ cert: pki.apiServer.cert, key: pki.apiServer.key }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const json = (code: number, body: unknown) => {
        const text = JSON.stringify(body);
        res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
      };
      const status = (code: number, reason: string, message: string) => json(code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
      if (req.headers.authorization !== `Bearer ${options.adapterToken}`) {
        refused += 1;
        return status(401, 'Unauthorized', 'Unauthorized');
      }
      const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { spec?: unknown }) : {};
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'POST' && path === '/apis/authentication.k8s.io/v1/tokenreviews') {
        const { token } = body.spec as { token: string };
        tokenReviews.push(token);
        const user = options.tokens?.[token];
        return json(201, {
          kind: 'TokenReview',
          apiVersion: 'authentication.k8s.io/v1',
          metadata: { creationTimestamp: null },
          spec: {},
          status: user ? { authenticated: true, user: { username: user.username, ...(user.uid ? { uid: user.uid } : {}), groups: [...user.groups] }, audiences: [] } : { user: {}, error: '[invalid bearer token, token lookup failed]' },
        });
      }
      if (req.method === 'POST' && path === '/apis/authorization.k8s.io/v1/subjectaccessreviews') {
        const spec = body.spec as SubjectAccessReviewSpec;
        subjectAccessReviews.push(spec);
        const decision = policy(spec);
        return json(201, {
          kind: 'SubjectAccessReview',
          apiVersion: 'authorization.k8s.io/v1',
          metadata: { creationTimestamp: null },
          spec,
          status: { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) },
        });
      }
      if (req.method === 'GET' && path === '/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication') {
        if (!configMap) return status(404, 'NotFound', 'configmaps "extension-apiserver-authentication" not found');
        return json(200, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'extension-apiserver-authentication', namespace: 'kube-system' }, data: configMap });
      }
      return status(404, 'NotFound', 'the server could not find the requested resource');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    tokenReviews,
    subjectAccessReviews,
    get refused() {
      return refused;
    },
    setPolicy: (next) => {
      policy = next;
    },
    setConfigMap: (data) => {
      configMap = data;
    },
    configMapData: defaultData,
    writeKubeconfig: async (dir) => {
      const path = join(dir, 'kubeconfig.yaml');
      await writeFile(
        path,
        [
          'apiVersion: v1',
          'kind: Config',
          'clusters:',
          '- name: test',
          '  cluster:',
          `    server: ${url}`,
          `    certificate-authority-data: ${Buffer.from(pki.clusterCa.cert).toString('base64')}`,
          'users:',
          '- name: updraft',
          '  user:',
          `    token: ${options.adapterToken}`,
          'contexts:',
          '- name: test',
          '  context: { cluster: test, user: updraft }',
          'current-context: test',
          '',
        ].join('\n'),
      );
      return path;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
