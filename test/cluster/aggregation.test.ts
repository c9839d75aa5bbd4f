import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type AuditEvent, type Cluster } from '../harness/cluster.js';
import type { CertificateFiles } from '../harness/cluster-pki.js';
import { scratchDir } from '../harness/process.js';
import { startRedis, type RedisInstance } from '../harness/redis.js';
import { eventually, httpsGet, kubectl, metricPath, METRICS_API, type ServeProcess } from '../serve/serve-process.js';
import { serveWorkerBehindAggregator } from './worker-adapter.js';

// The seed's walkthrough against the real Kubernetes: kube-apiserver's aggregator proxies
// external.metrics.k8s.io to `updraft serve --auth=kubernetes` on this machine, which trusts the
// front-proxy CA from the real extension-apiserver-authentication ConfigMap and asks the real API
// server's TokenReview and SubjectAccessReview (RBAC) about every caller.

const HPA = 'system:serviceaccount:kube-system:horizontal-pod-autoscaler';
const ADAPTER = 'system:serviceaccount:updraft:updraft';
const METRIC = metricPath('default', 's0-redis-jobs', 'worker');

/** Reviews the adapter asked of the API server, for one kind ('subjectaccessreviews' or 'tokenreviews'). */
function reviews(events: readonly AuditEvent[], resource: string): AuditEvent[] {
  return events.filter((event) => event.objectRef?.resource === resource && event.user.username === ADAPTER);
}

describe('updraft serve behind the real aggregation layer', { timeout: 60_000 }, () => {
  let cluster: Cluster;
  let redis: RedisInstance;
  let serve: ServeProcess;
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  let adapterCa: CertificateFiles;

  beforeAll(async () => {
    dir = await scratchDir('cluster-aggregation');
    [cluster, redis] = await Promise.all([startCluster(), startRedis()]);
    await redis.admin().rpush('jobs', ...Array.from({ length: 7 }, (_, i) => `job-${i}`));
    ({ serve, ca: adapterCa } = await serveWorkerBehindAggregator(cluster, dir.path, { port: redis.port, listLength: 5 }));
  }, 180_000);

  afterAll(async () => {
    const code = await serve?.stop();
    await Promise.all([cluster?.stop(), redis?.stop()]);
    await dir?.dispose();
    expect(code).toBe(0);
  }, 60_000);

  it('is registered as v1beta1.external.metrics.k8s.io and the aggregator finds it Available', async () => {
    await cluster.waitForAPIService();
    const result = await cluster.kubectl(['get', 'apiservice', 'v1beta1.external.metrics.k8s.io']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^v1beta1\.external\.metrics\.k8s\.io\s+updraft\/updraft\s+True\s/m);
    // The aggregator's availability probe is system:kube-aggregator in system:masters, over the front proxy.
    expect(serve.logs().some((line) => line.msg === 'request' && line.user === 'system:kube-aggregator' && line.via === 'front-proxy')).toBe(true);
  });

  it('trusts the front-proxy CA that kube-apiserver publishes in its ConfigMap, read with its own ServiceAccount', () => {
    const loaded = serve.logs().find((line) => line.msg === 'client certificate authorities loaded');
    expect(loaded).toMatchObject({ source: `ConfigMap kube-system/extension-apiserver-authentication on ${cluster.server}`, frontProxy: { cas: ['CN=front-proxy-ca'], allowedNames: ['front-proxy-client'] }, clientCA: ['CN=kubernetes'] });
  });

  it('answers kubectl get --raw through kube-apiserver with the length of the Redis list, and follows it', async () => {
    const first = await cluster.kubectl(['get', '--raw', METRIC]);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ kind: 'ExternalMetricValueList', apiVersion: 'external.metrics.k8s.io/v1beta1', items: [{ metricName: 's0-redis-jobs', value: '7' }] });
    await redis.admin().rpush('jobs', 'a', 'b', 'c', 'd', 'e');
    await eventually('the new length through the aggregator', async () => {
      const again = await cluster.kubectl(['get', '--raw', METRIC]);
      return again.code === 0 && (JSON.parse(again.stdout) as { items: { value: string }[] }).items[0]?.value === '12' ? true : undefined;
    });
    expect(serve.logs().filter((line) => line.msg === 'request' && line.url === METRIC).at(-1)).toMatchObject({ code: 200, user: 'kubernetes-admin', via: 'front-proxy' });
  });

  it('lists the metric API in discovery through the aggregator', async () => {
    const result = await cluster.kubectl(['get', '--raw', METRICS_API]);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: 'APIResourceList', groupVersion: 'external.metrics.k8s.io/v1beta1' });
  });

  it('lets RBAC decide: kube-apiserver refuses a user with no binding, and the adapter’s own SubjectAccessReview allows one with a binding', async () => {
    const jane = await cluster.issueClientCertificate('jane', ['devs']);
    const janeKubeconfig = await cluster.writeKubeconfig('jane', jane);
    const denied = await cluster.kubectl(['get', '--raw', METRIC], { kubeconfig: janeKubeconfig });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('s0-redis-jobs.external.metrics.k8s.io is forbidden: User "jane" cannot list resource "s0-redis-jobs" in API group "external.metrics.k8s.io" in the namespace "default"');

    await cluster.apply(`apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: { name: read-jobs, namespace: default }
rules:
  - apiGroups: [external.metrics.k8s.io]
    resources: [s0-redis-jobs]
    verbs: [get, list]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: jane-reads-jobs, namespace: default }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: read-jobs }
subjects: [{ kind: User, name: jane, apiGroup: rbac.authorization.k8s.io }]
`);
    const allowed = await eventually('jane’s RoleBinding to take effect', async () => {
      const result = await cluster.kubectl(['get', '--raw', METRIC], { kubeconfig: janeKubeconfig });
      return result.code === 0 ? result : undefined;
    });
    expect(JSON.parse(allowed.stdout)).toMatchObject({ items: [{ metricName: 's0-redis-jobs' }] });
    const review = await eventually('the adapter’s SubjectAccessReview for jane in the audit log', async () =>
      reviews(await cluster.auditEvents(), 'subjectaccessreviews').find((event) => event.requestObject?.spec?.user === 'jane'));
    expect(review.requestObject?.spec).toMatchObject({
      user: 'jane',
      groups: expect.arrayContaining(['devs', 'system:authenticated']),
      resourceAttributes: { namespace: 'default', verb: 'list', group: 'external.metrics.k8s.io', version: 'v1beta1', resource: 's0-redis-jobs' },
    });
    expect(review.responseObject?.status).toMatchObject({ allowed: true, reason: expect.stringContaining('RoleBinding "jane-reads-jobs/default" of Role "read-jobs" to User "jane"') });
  });

  it('answers 403 when the real SubjectAccessReview denies the front proxy’s user', async () => {
    const { frontProxyClient } = cluster.pki;
    const answer = await httpsGet(`${serve.url}${METRIC}`, { cert: frontProxyClient.cert, key: frontProxyClient.key, headers: { 'x-remote-user': 'mallory', 'x-remote-group': 'system:authenticated' } });
    expect(answer.status).toBe(403);
    expect(answer.json()).toMatchObject({ reason: 'Forbidden', message: 's0-redis-jobs.external.metrics.k8s.io is forbidden: User "mallory" cannot list resource "s0-redis-jobs" in API group "external.metrics.k8s.io" in the namespace "default"' });
    const review = await eventually('the SubjectAccessReview for mallory', async () =>
      reviews(await cluster.auditEvents(), 'subjectaccessreviews').find((event) => event.requestObject?.spec?.user === 'mallory'));
    expect(review.responseObject?.status).toMatchObject({ allowed: false });
  });

  it('checks a ServiceAccount token with a real TokenReview, then RBAC: the HPA’s token reads, another is forbidden, a forged one is not authenticated', async () => {
    const cache = join(dir.path, 'kubectl-direct');
    const hpaToken = await eventually('the HPA controller’s ServiceAccount', () => cluster.serviceAccountToken('kube-system', 'horizontal-pod-autoscaler').catch(() => undefined));
    // Straight to the adapter (no aggregator), as `kubectl --token` sends it.
    const asHpa = await kubectl(serve.url, cache, METRIC, hpaToken);
    expect(asHpa.code, asHpa.stderr).toBe(0);
    expect(JSON.parse(asHpa.stdout)).toMatchObject({ items: [{ metricName: 's0-redis-jobs' }] });

    const readerToken = await cluster.serviceAccountToken('default', 'reader');
    const asReader = await kubectl(serve.url, cache, METRIC, readerToken);
    expect(asReader.code).not.toBe(0);
    expect(asReader.stderr).toContain('User "system:serviceaccount:default:reader" cannot list resource "s0-redis-jobs"');

    const forged = await kubectl(serve.url, cache, METRIC, `${readerToken.slice(0, -4)}AAAA`);
    expect(forged.code).not.toBe(0);
    expect(forged.stderr).toContain('Unauthorized');

    const tokenReviews = await eventually('three TokenReviews in the audit log', async () => {
      const found = reviews(await cluster.auditEvents(), 'tokenreviews');
      return found.length >= 3 ? found : undefined;
    });
    expect(tokenReviews.map((event) => (event.responseObject?.status as { user?: { username?: string } } | undefined)?.user?.username ?? 'not authenticated')).toEqual([HPA, 'system:serviceaccount:default:reader', 'not authenticated']);
    // The HPA's own question about the metric (kubectl's discovery asks about non-resource URLs first).
    const hpaReview = reviews(await cluster.auditEvents(), 'subjectaccessreviews').find((event) =>
      event.requestObject?.spec?.user === HPA && (event.requestObject.spec.resourceAttributes as { resource?: string } | undefined)?.resource === 's0-redis-jobs');
    expect(hpaReview?.responseObject?.status).toMatchObject({ allowed: true, reason: expect.stringContaining('system:controller:horizontal-pod-autoscaler') });
  });

  it('refuses a request that bypasses the aggregator without the front-proxy certificate, whatever X-Remote-* headers it sends', async () => {
    const headers = { 'x-remote-user': 'system:admin', 'x-remote-group': 'system:masters' };
    const bare = await httpsGet(`${serve.url}${METRIC}`, { headers });
    expect(bare.status).toBe(401);
    // The front-proxy CA, but a name not in requestheader-allowed-names.
    const wrongName = await cluster.issueCertificate('front-proxy-other', 'front-proxy-ca', { commonName: 'someone-else' });
    expect((await httpsGet(`${serve.url}${METRIC}`, { headers, cert: wrongName.cert, key: wrongName.key })).status).toBe(401);
    // A user certificate from the cluster CA named like the front proxy: a user, whose headers mean nothing.
    const impostor = await cluster.issueClientCertificate('front-proxy-client');
    const asImpostor = await httpsGet(`${serve.url}${METRIC}`, { headers, cert: impostor.cert, key: impostor.key });
    expect(asImpostor.status).toBe(403);
    expect(asImpostor.json<{ message: string }>().message).toContain('User "front-proxy-client"');
    // The adapter's CA is not trusted for clients at all.
    expect((await httpsGet(`${serve.url}${METRIC}`, { headers, cert: adapterCa.cert, key: adapterCa.key })).status).toBe(401);
  });
});
