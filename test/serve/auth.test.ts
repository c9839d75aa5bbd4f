import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKubePki, startKubeApiServer, type KubeApiServer, type KubePki } from '../harness/kube-api-server.js';
import { scratchDir } from '../harness/process.js';
import { CONSTANT_PLUGIN, httpsGet, kubectl, METRICS_API, metricPath, startServe, type ServeProcess } from './serve-process.js';

// `updraft serve --auth=kubernetes` as an aggregated API server, against a test Kubernetes API that
// answers TokenReview and SubjectAccessReview and serves kube-system/extension-apiserver-authentication.

const HPA = 'system:serviceaccount:kube-system:horizontal-pod-autoscaler';
const HPA_GROUPS = ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'];

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

describe('updraft serve --auth=kubernetes', () => {
  let pki: KubePki;
  let kube: KubeApiServer;
  let server: ServeProcess;
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  const files: Record<string, string> = {};
  const metric = (name = 's0-constant') => metricPath('default', name, 'worker');
  const frontProxy = (user: string, groups: string[] = [], extra: Record<string, string> = {}) => ({
    cert: pki.frontProxyClient.cert,
    key: pki.frontProxyClient.key,
    headers: { 'x-remote-user': user, ...(groups.length > 0 ? { 'x-remote-group': groups } : {}), ...extra },
  });

  beforeAll(async () => {
    pki = await makeKubePki();
    kube = await startKubeApiServer({
      pki,
      adapterToken: 'updraft-adapter-token',
      tokens: { 'hpa-token': { username: HPA, uid: 'hpa-uid', groups: HPA_GROUPS } },
      policy: (spec) => {
        if (spec.nonResourceAttributes) {
          return (spec.groups ?? []).includes('system:authenticated') ? { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "system:discovery"' } : { allowed: false };
        }
        const r = spec.resourceAttributes!;
        if (spec.user === HPA && r.verb === 'list' && r.group === 'external.metrics.k8s.io') return { allowed: true, reason: 'RBAC: allowed by ClusterRoleBinding "system:controller:horizontal-pod-autoscaler"' };
        if (spec.user === 'jane' && r.resource === 's0-constant' && r.namespace === 'default') return { allowed: true, reason: 'RBAC: allowed by RoleBinding "jane-reads"' };
        return { allowed: false };
      },
    });
    dir = await scratchDir('serve-auth');
    await writeFile(join(dir.path, 'worker.yaml'), scaledObject);
    for (const [name, pem] of Object.entries({ 'jane.crt': pki.userJane.cert, 'jane.key': pki.userJane.key })) {
      files[name] = join(dir.path, name);
      await writeFile(files[name]!, pem);
    }
    const kubeconfig = await kube.writeKubeconfig(dir.path);
    server = await startServe(['--config', join(dir.path, 'worker.yaml'), '--plugin', CONSTANT_PLUGIN, '--kubeconfig', kubeconfig, '--log-level', 'debug']);
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    await kube?.stop();
    await dir?.dispose();
  });

  it('read the front-proxy CA and allowed names from the ConfigMap, authenticating to the API with its own token', async () => {
    expect(server.logs().find((line) => line.msg === 'client certificate authorities loaded')).toMatchObject({ frontProxy: { allowedNames: ['front-proxy-client'] } });
    expect(kube.refused).toBe(0);
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
    const reviews = kube.subjectAccessReviews.length;
    const headers = { 'x-remote-user': HPA, 'x-remote-group': 'system:masters' };
    expect((await httpsGet(`${server.url}${metric()}`, { headers })).status).toBe(401);
    // Signed by a CA nobody trusts, with the right CN.
    expect((await httpsGet(`${server.url}${metric()}`, { headers, cert: pki.rogueFrontProxy.cert, key: pki.rogueFrontProxy.key })).status).toBe(401);
    // Signed by the front-proxy CA, but a CN not in requestheader-allowed-names.
    expect((await httpsGet(`${server.url}${metric()}`, { headers, cert: pki.frontProxyWrongName.cert, key: pki.frontProxyWrongName.key })).status).toBe(401);
    // Signed by the front-proxy CA with the right CN, but not for client authentication.
    expect((await httpsGet(`${server.url}${metric()}`, { headers, cert: pki.frontProxyServerAuthOnly.cert, key: pki.frontProxyServerAuthOnly.key })).status).toBe(401);
    // A user's own certificate (client CA) does not vouch for headers either: the user is the certificate's.
    const asJane = await httpsGet(`${server.url}${metric('s1-constant')}`, { headers, cert: pki.userJane.cert, key: pki.userJane.key });
    expect(asJane.status).toBe(403);
    expect(asJane.json<{ message: string }>().message).toContain('User "jane"');
    expect(kube.subjectAccessReviews.slice(reviews).map((spec) => spec.user)).toEqual(['jane']);
  });

  it('serves the front proxy’s user when RBAC allows it, with the SubjectAccessReview Kubernetes would make', async () => {
    const answer = await httpsGet(`${server.url}${metric()}`, frontProxy(HPA, HPA_GROUPS, { 'x-remote-uid': 'hpa-uid', 'x-remote-extra-authentication.kubernetes.io%2fpod-name': 'kcm-0' }));
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({ kind: 'ExternalMetricValueList', items: [{ metricName: 's0-constant', value: '4' }] });
    expect(kube.subjectAccessReviews.at(-1)).toEqual({
      user: HPA,
      uid: 'hpa-uid',
      groups: HPA_GROUPS,
      extra: { 'authentication.kubernetes.io/pod-name': ['kcm-0'] },
      resourceAttributes: { namespace: 'default', verb: 'list', group: 'external.metrics.k8s.io', version: 'v1beta1', resource: 's0-constant' },
    });
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
  });

  it('caches SubjectAccessReview answers for 10 s by user, groups and attributes', async () => {
    const before = kube.subjectAccessReviews.length;
    const as = frontProxy('cache-probe', ['system:authenticated']);
    for (let i = 0; i < 5; i += 1) expect((await httpsGet(`${server.url}${metric()}`, as)).status).toBe(403);
    expect(kube.subjectAccessReviews.length - before).toBe(1);
    // Other attributes, other groups: other questions.
    await httpsGet(`${server.url}${metric('s1-constant')}`, as);
    await httpsGet(`${server.url}${metric()}`, frontProxy('cache-probe', ['system:authenticated', 'more']));
    expect(kube.subjectAccessReviews.length - before).toBe(3);
  });

  it('lets system:masters through without asking (the aggregator’s availability probe), and asks for discovery as a non-resource request', async () => {
    const before = kube.subjectAccessReviews.length;
    const probe = await httpsGet(`${server.url}${METRICS_API}`, frontProxy('system:kube-aggregator', ['system:masters']));
    expect(probe.status).toBe(200);
    expect(probe.json()).toMatchObject({ kind: 'APIResourceList', resources: [{ name: 'externalmetrics' }] });
    expect(kube.subjectAccessReviews.length).toBe(before);

    const discovery = await httpsGet(`${server.url}/apis`, frontProxy('someone', ['system:authenticated']));
    expect(discovery.status).toBe(200);
    expect(kube.subjectAccessReviews.at(-1)).toMatchObject({ user: 'someone', nonResourceAttributes: { path: '/apis', verb: 'get' } });
    const anonymousDiscovery = await httpsGet(`${server.url}/apis`, frontProxy('system:anonymous', ['system:unauthenticated']));
    expect(anonymousDiscovery.status).toBe(403);
    expect(anonymousDiscovery.json()).toMatchObject({ message: 'forbidden: User "system:anonymous" cannot get path "/apis"', reason: 'Forbidden', details: {} });
  });

  it('authenticates a bearer token with a TokenReview (cached), as kubectl sends it', async () => {
    const reviews = kube.tokenReviews.length;
    const cache = join(dir.path, 'kubectl-cache');
    const first = await kubectl(server.url, cache, metric('s1-constant'), 'hpa-token');
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ items: [{ metricName: 's1-constant', value: '5' }] });
    const second = await kubectl(server.url, cache, metric(), 'hpa-token');
    expect(second.code, second.stderr).toBe(0);
    expect(kube.tokenReviews.slice(reviews)).toEqual(['hpa-token']);
    expect(kube.subjectAccessReviews.at(-1)).toMatchObject({ user: HPA, uid: 'hpa-uid', groups: HPA_GROUPS });

    const wrong = await kubectl(server.url, cache, metric(), 'not-a-token');
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain('Unauthorized');
    expect(JSON.stringify(server.logs())).not.toContain('hpa-token');
  });

  it('authenticates an x509 client certificate from the client CA: user = CN, groups = O, as kubectl presents it', async () => {
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      import('node:child_process').then(({ execFile }) =>
        execFile(
          'kubectl',
          [`--server=${server.url}`, '--insecure-skip-tls-verify', `--cache-dir=${join(dir.path, 'kubectl-cache-x509')}`, `--client-certificate=${files['jane.crt']}`, `--client-key=${files['jane.key']}`, 'get', '--raw', metric()],
          { env: { ...process.env, KUBECONFIG: '/dev/null' }, timeout: 20_000 },
          (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
        ),
      );
    });
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ items: [{ value: '4' }] });
    expect(kube.subjectAccessReviews.at(-1)).toMatchObject({ user: 'jane', groups: ['devs', 'ops'], resourceAttributes: { resource: 's0-constant' } });
  });
});
