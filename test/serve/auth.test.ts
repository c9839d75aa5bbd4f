import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type AuditEvent, type Cluster } from '../harness/cluster.js';
import { issueCertificate, makeCa, type CertificateFiles } from '../harness/cluster-pki.js';
import { scratchDir } from '../harness/process.js';
import { CONSTANT_PLUGIN, eventually, httpsGet, kubectl, METRICS_API, metricPath, startServe, type ServeProcess } from './serve-process.js';

// `updraft serve --auth=kubernetes` as an aggregated API server, against the real kube-apiserver
// (test/harness/cluster.ts): it reads the real kube-system/extension-apiserver-authentication
// ConfigMap with a ServiceAccount bound as KEDA binds its adapter, and every TokenReview and
// SubjectAccessReview it makes is answered by the real authenticators and RBAC. The requests here go
// straight to the adapter, the test playing the aggregator with the cluster's real front-proxy client
// certificate; what the adapter asked is read back from the API server's audit log.
// (test/cluster/aggregation.test.ts goes through the real aggregator.)

const HPA = 'system:serviceaccount:kube-system:horizontal-pod-autoscaler';
const HPA_GROUPS = ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'];
const ADAPTER = 'system:serviceaccount:updraft:updraft';

const scaledObject = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: worker
  namespace: default
spec:
  scaleTargetRef:
    name: worker
  pollingInterval: 3600
  triggers:
    - type: constant
      metadata:
        value: '4'
    - type: constant
      metadata:
        value: '5'
`;

// jane may read s0-constant in default, nothing else.
const janeReads = `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: read-s0-constant, namespace: default }
rules:
  - apiGroups: [external.metrics.k8s.io]
    resources: [s0-constant]
    verbs: [list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: jane-reads, namespace: default }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-s0-constant }
subjects: [{ kind: User, name: jane, apiGroup: rbac.authorization.k8s.io }]
`;

type Spec = Record<string, unknown> & { user?: string };

describe('updraft serve --auth=kubernetes against the real kube-apiserver', { timeout: 60_000 }, () => {
  let cluster: Cluster;
  let server: ServeProcess;
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  let jane: CertificateFiles;
  const metric = (name = 's0-constant') => metricPath('default', name, 'worker');
  const frontProxy = (user: string, groups: string[] = [], extra: Record<string, string> = {}) => ({
    cert: cluster.pki.frontProxyClient.cert,
    key: cluster.pki.frontProxyClient.key,
    headers: { 'x-remote-user': user, ...(groups.length > 0 ? { 'x-remote-group': groups } : {}), ...extra },
  });
  const adapterReviews = async (resource: 'subjectaccessreviews' | 'tokenreviews'): Promise<AuditEvent[]> =>
    (await cluster.auditEvents()).filter((event) => event.objectRef?.resource === resource && event.user.username === ADAPTER);
  const sarSpecs = async (): Promise<Spec[]> => (await adapterReviews('subjectaccessreviews')).map((event) => event.requestObject!.spec as Spec);
  /** The audit log is written as requests complete: waits until `count` reviews match. */
  const reviewsOf = (what: string, match: (spec: Spec) => boolean, count = 1) =>
    eventually(`${count} SubjectAccessReview(s) ${what}`, async () => {
      const found = (await sarSpecs()).filter(match);
      return found.length >= count ? found : undefined;
    });

  beforeAll(async () => {
    [cluster, dir] = await Promise.all([startCluster(), scratchDir('serve-auth')]);
    await writeFile(join(dir.path, 'worker.yaml'), scaledObject);
    jane = await cluster.issueClientCertificate('jane', ['devs', 'ops']);
    await cluster.apply(janeReads);
    const kubeconfig = await cluster.adapterKubeconfig({ namespace: 'updraft', serviceAccount: 'updraft' });
    server = await startServe(['--config', join(dir.path, 'worker.yaml'), '--plugin', CONSTANT_PLUGIN, '--kubeconfig', kubeconfig, '--log-level', 'debug']);
  }, 180_000);

  afterAll(async () => {
    const code = await server?.stop();
    await cluster?.stop();
    await dir?.dispose();
    expect(code).toBe(0);
  }, 60_000);

  it('read the front-proxy CA, the allowed names and the client CA from the real ConfigMap, with its own ServiceAccount', async () => {
    expect(server.logs().find((line) => line.msg === 'client certificate authorities loaded')).toMatchObject({
      source: `ConfigMap kube-system/extension-apiserver-authentication on ${cluster.server}`,
      frontProxy: { cas: ['CN=front-proxy-ca'], allowedNames: ['front-proxy-client'] },
      clientCA: ['CN=kubernetes'],
    });
    expect(server.logs().filter((line) => line.level === 'error')).toEqual([]);
    const ready = await httpsGet(`${server.url}/readyz?verbose`);
    expect(ready.status).toBe(200);
    expect(ready.body).toContain('[+]authentication ok\n');
  });

  it('serves health without credentials', async () => {
    for (const path of ['/healthz', '/livez', '/readyz']) expect((await httpsGet(`${server.url}${path}`)).status, path).toBe(200);
  });

  it('refuses a request with no client certificate and no token: 401', async () => {
    const answer = await httpsGet(`${server.url}${metric()}`);
    expect(answer.status).toBe(401);
    expect(answer.json()).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    expect((await httpsGet(`${server.url}${METRICS_API}`)).status).toBe(401);
  });

  it('ignores X-Remote-* headers without the front-proxy certificate', async () => {
    const headers = { 'x-remote-user': HPA, 'x-remote-group': 'system:masters' };
    const issued = join(dir.path, 'issued');
    const rogueCa = await makeCa(issued, 'rogue-ca', 'front-proxy-ca');
    const [rogue, wrongName, serverAuthOnly] = await Promise.all([
      // Signed by a CA nobody trusts, with the right CN.
      issueCertificate(issued, 'rogue-front-proxy', rogueCa, { commonName: 'front-proxy-client' }),
      // Signed by the real front-proxy CA, but a CN not in requestheader-allowed-names.
      cluster.issueCertificate('front-proxy-wrong-name', 'front-proxy-ca', { commonName: 'someone-else' }),
      // Signed by the real front-proxy CA with the right CN, but not for client authentication.
      cluster.issueCertificate('front-proxy-server-only', 'front-proxy-ca', { commonName: 'front-proxy-client', usage: 'server' }),
    ]);
    expect((await httpsGet(`${server.url}${metric()}`, { headers })).status).toBe(401);
    for (const certificate of [rogue, wrongName, serverAuthOnly]) {
      expect((await httpsGet(`${server.url}${metric()}`, { headers, cert: certificate.cert, key: certificate.key })).status, certificate.certFile).toBe(401);
    }
    // A user's own certificate (client CA) does not vouch for headers either: the user is the certificate's.
    const asJane = await httpsGet(`${server.url}${metric('s1-constant')}`, { headers, cert: jane.cert, key: jane.key });
    expect(asJane.status).toBe(403);
    expect(asJane.json<{ message: string }>().message).toContain('User "jane"');
    const [review] = await reviewsOf('for jane on s1-constant', (spec) => spec.user === 'jane');
    expect(review).toMatchObject({ user: 'jane', resourceAttributes: { resource: 's1-constant' } });
    expect((await sarSpecs()).map((spec) => spec.user)).not.toContain(HPA);
  });

  it('serves the front proxy’s user when RBAC allows it, with the SubjectAccessReview Kubernetes would make', async () => {
    const answer = await httpsGet(`${server.url}${metric()}`, frontProxy(HPA, HPA_GROUPS, { 'x-remote-uid': 'hpa-uid', 'x-remote-extra-authentication.kubernetes.io%2fpod-name': 'kcm-0' }));
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({ kind: 'ExternalMetricValueList', items: [{ metricName: 's0-constant', value: '4' }] });
    const [event] = (await eventually('the HPA’s SubjectAccessReview', async () => {
      const found = (await adapterReviews('subjectaccessreviews')).filter((e) => (e.requestObject?.spec as Spec).user === HPA);
      return found.length > 0 ? found : undefined;
    }));
    expect(event!.requestObject?.spec).toEqual({
      user: HPA,
      uid: 'hpa-uid',
      groups: HPA_GROUPS,
      extra: { 'authentication.kubernetes.io/pod-name': ['kcm-0'] },
      resourceAttributes: { namespace: 'default', verb: 'list', group: 'external.metrics.k8s.io', version: 'v1beta1', resource: 's0-constant' },
    });
    // The bootstrap role that lets the HPA read every external metric.
    expect(event!.responseObject?.status).toMatchObject({ allowed: true, reason: expect.stringContaining('ClusterRoleBinding "system:controller:horizontal-pod-autoscaler"') });
  });

  it('answers 403 with Kubernetes’ message when RBAC denies the front proxy’s user', async () => {
    const answer = await httpsGet(`${server.url}${metric()}`, frontProxy('mallory', ['system:authenticated']));
    expect(answer.status).toBe(403);
    expect(answer.json()).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 's0-constant.external.metrics.k8s.io is forbidden: User "mallory" cannot list resource "s0-constant" in API group "external.metrics.k8s.io" in the namespace "default"',
      reason: 'Forbidden',
      details: { group: 'external.metrics.k8s.io', kind: 's0-constant' },
      code: 403,
    });
    const [review] = (await eventually('the SubjectAccessReview for mallory', async () => {
      const found = (await adapterReviews('subjectaccessreviews')).filter((e) => (e.requestObject?.spec as Spec).user === 'mallory');
      return found.length > 0 ? found : undefined;
    }));
    expect(review!.responseObject?.status).toMatchObject({ allowed: false });
  });

  it('caches SubjectAccessReview answers for 10 s by user, groups and attributes', async () => {
    const as = frontProxy('cache-probe', ['system:authenticated']);
    for (let i = 0; i < 5; i += 1) expect((await httpsGet(`${server.url}${metric()}`, as)).status).toBe(403);
    // Other attributes, other groups: other questions.
    await httpsGet(`${server.url}${metric('s1-constant')}`, as);
    await httpsGet(`${server.url}${metric()}`, frontProxy('cache-probe', ['system:authenticated', 'more']));
    const asked = await reviewsOf('for cache-probe', (spec) => spec.user === 'cache-probe', 3);
    expect(asked.map((spec) => [(spec.resourceAttributes as { resource: string }).resource, spec.groups])).toEqual([
      ['s0-constant', ['system:authenticated']],
      ['s1-constant', ['system:authenticated']],
      ['s0-constant', ['system:authenticated', 'more']],
    ]);
  });

  it('lets system:masters through without asking (the aggregator’s availability probe), and asks RBAC about discovery as a non-resource request', async () => {
    const probe = await httpsGet(`${server.url}${METRICS_API}`, frontProxy('system:kube-aggregator', ['system:masters']));
    expect(probe.status).toBe(200);
    expect(probe.json()).toMatchObject({ kind: 'APIResourceList', resources: [{ name: 'externalmetrics' }] });

    // system:discovery lets every authenticated user read /apis.
    const discovery = await httpsGet(`${server.url}/apis`, frontProxy('someone', ['system:authenticated']));
    expect(discovery.status).toBe(200);
    const [asked] = await reviewsOf('for someone', (spec) => spec.user === 'someone');
    expect(asked).toMatchObject({ user: 'someone', nonResourceAttributes: { path: '/apis', verb: 'get' } });
    // Asked after the probe and already in the log: the probe asked nothing.
    expect((await sarSpecs()).map((spec) => spec.user)).not.toContain('system:kube-aggregator');

    // system:public-info-viewer gives the unauthenticated /healthz, /livez, /readyz and /version only.
    const anonymousDiscovery = await httpsGet(`${server.url}/apis`, frontProxy('system:anonymous', ['system:unauthenticated']));
    expect(anonymousDiscovery.status).toBe(403);
    expect(anonymousDiscovery.json()).toMatchObject({ message: 'forbidden: User "system:anonymous" cannot get path "/apis"', reason: 'Forbidden', details: {} });
  });

  it('authenticates a real ServiceAccount token with a TokenReview (cached), as kubectl sends it', async () => {
    const token = await eventually('the HPA controller’s ServiceAccount', () => cluster.serviceAccountToken('kube-system', 'horizontal-pod-autoscaler').catch(() => undefined));
    const cache = join(dir.path, 'kubectl-cache');
    const first = await kubectl(server.url, cache, metric('s1-constant'), token);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ items: [{ metricName: 's1-constant', value: '5' }] });
    const second = await kubectl(server.url, cache, metric(), token);
    expect(second.code, second.stderr).toBe(0);

    const wrong = await kubectl(server.url, cache, metric(), 'not-a-token');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('Unauthorized');

    const tokenReviews = await eventually('two TokenReviews', async () => {
      const found = await adapterReviews('tokenreviews');
      return found.length >= 2 ? found : undefined;
    });
    // One review for the two requests with the same token, one for the wrong token.
    expect(tokenReviews.map((event) => event.requestObject?.spec?.token === token)).toEqual([true, false]);
    const serviceAccount = (await cluster.request<{ metadata: { uid: string } }>('GET', '/api/v1/namespaces/kube-system/serviceaccounts/horizontal-pod-autoscaler')).json();
    expect(tokenReviews[0]!.responseObject?.status).toMatchObject({ authenticated: true, user: { username: HPA, uid: serviceAccount.metadata.uid, groups: HPA_GROUPS } });
    expect(tokenReviews[1]!.responseObject?.status).toMatchObject({ user: {} });
    expect(tokenReviews[1]!.responseObject?.status?.authenticated).not.toBe(true);
    // kubectl's discovery is asked about first, as non-resource URLs; this is the metric's own review.
    const [review] = await reviewsOf('for the HPA token’s user', (spec) => spec.user === HPA && spec.uid === serviceAccount.metadata.uid && (spec.resourceAttributes as { resource?: string } | undefined)?.resource === 's1-constant');
    expect(review).toMatchObject({ groups: HPA_GROUPS, resourceAttributes: { resource: 's1-constant' } });
    expect(JSON.stringify(server.logs())).not.toContain(token);
  });

  it('authenticates an x509 client certificate from the client CA: user = CN, groups = O, as kubectl presents it', async () => {
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'kubectl',
        [`--server=${server.url}`, '--insecure-skip-tls-verify', `--cache-dir=${join(dir.path, 'kubectl-cache-x509')}`, `--client-certificate=${jane.certFile}`, `--client-key=${jane.keyFile}`, 'get', '--raw', metric()],
        { env: { ...process.env, KUBECONFIG: '/dev/null' }, timeout: 20_000 },
        (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
      );
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ items: [{ value: '4' }] });
    const [review] = await reviewsOf('for jane on s0-constant', (spec) => spec.user === 'jane' && (spec.resourceAttributes as { resource?: string } | undefined)?.resource === 's0-constant');
    // As kube-apiserver's delegating authenticator does, every authenticated user is in system:authenticated.
    expect(review).toMatchObject({ groups: ['devs', 'ops', 'system:authenticated'] });
  });

  it('lets an x509 user read discovery, as RBAC’s system:discovery allows every authenticated user', async () => {
    const discovery = await httpsGet(`${server.url}/apis`, { cert: jane.cert, key: jane.key });
    expect(discovery.status, discovery.body).toBe(200);
  });
});
