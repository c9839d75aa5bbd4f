import { readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pauseDeployment, startCluster, type Cluster } from '../harness/cluster.js';
import { makeAdapterCertificate } from '../harness/cluster-pki.js';
import { scratchDir } from '../harness/process.js';
import { startPrometheus, type PrometheusServer } from '../harness/prometheus.js';
import { startRedis, type RedisInstance } from '../harness/redis.js';
import { eventually, httpsGet, metricPath, repoRoot, startServe, type ServeProcess } from '../serve/serve-process.js';

// `updraft serve --source kubernetes` as KEDA's operator against the real kube-apiserver and
// kube-controller-manager (its HPA controller and garbage collector). The fields of the HPA compared
// here, and where KEDA sets each, are listed in test/controller/README.md.

const NS = 'default';
const LEASE = '/apis/coordination.k8s.io/v1/namespaces/updraft/leases/updraft-controller';

interface Hpa {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string>; ownerReferences?: unknown[]; resourceVersion: string };
  spec: Record<string, unknown>;
}
interface ScaledObject {
  metadata: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[]; uid: string };
  status?: Record<string, unknown> & { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

describe('the controller on the real control plane', { timeout: 300_000 }, () => {
  let cluster: Cluster;
  let redis: RedisInstance;
  // A live exporter scraped every second by a real Prometheus: its number drives the second workload.
  let exporter: Server;
  let prometheus: PrometheusServer;
  let rendersWaiting = 0;
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  const serves: ServeProcess[] = [];
  let caPem: string;
  let tls: { certFile: string; keyFile: string };
  const measured: Record<string, number> = {};

  const get = async <T>(path: string): Promise<T | undefined> => {
    const answer = await cluster.request<T>('GET', path);
    return answer.status === 404 ? undefined : answer.json();
  };
  const hpa = (name = 'keda-hpa-worker') => get<Hpa>(`/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers/${name}`);
  const so = (name = 'worker') => get<ScaledObject>(`/apis/keda.sh/v1alpha1/namespaces/${NS}/scaledobjects/${name}`);
  const replicas = async () => (await get<{ spec: { replicas: number } }>(`/apis/apps/v1/namespaces/${NS}/deployments/worker`))!.spec.replicas;
  const condition = async (type: string, name = 'worker') => (await so(name))?.status?.conditions?.find((c) => c.type === type);
  const leaseHolder = async () => (await get<{ spec: { holderIdentity?: string } }>(LEASE))?.spec.holderIdentity;
  const kubectl = async (...args: string[]) => {
    const result = await cluster.kubectl(args);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };
  const startUpdraft = (extra: string[] = []) =>
    startServe(['--source', 'kubernetes', '--kubeconfig', cluster.kubeconfig, '--namespace', 'updraft', '--auth', 'none', '--tls-cert', tls.certFile, '--tls-key', tls.keyFile, '--controller-resync', '5', ...(process.env.CONTROLLER_TEST_LOGS ? ['--log-level', 'debug'] : []), ...extra]).then((serve) => {
      serves.push(serve);
      return serve;
    });
  const identityOf = async (serve: ServeProcess) => (await serve.waitForLog((line) => line.msg === 'leader election started')).identity as string;

  beforeAll(async () => {
    dir = await scratchDir('controller');
    exporter = createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      response.end(`# TYPE renders_waiting gauge\nrenders_waiting{pool="render"} ${rendersWaiting}\n`);
    });
    await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
    [cluster, redis, prometheus] = await Promise.all([
      startCluster({ hpaSyncPeriod: '1s', hpaDownscaleStabilization: '5s' }),
      startRedis(),
      startPrometheus({ scrapeTargets: [`127.0.0.1:${(exporter.address() as AddressInfo).port}`], scrapeInterval: '1s' }),
    ]);
    const certificate = await makeAdapterCertificate(join(dir.path, 'tls'), { service: 'updraft', namespace: 'updraft' });
    caPem = certificate.ca.cert;
    tls = certificate.serving;
    for (const file of await readdir(join(repoRoot, 'deploy/crds'))) await kubectl('apply', '-f', join(repoRoot, 'deploy/crds', file));
    await kubectl('wait', '--for=condition=Established', 'crd/scaledobjects.keda.sh', '--timeout=60s');
    // Right after Established the CRD's storage may still answer 429 "(re)initializing".
    await eventually('the ScaledObject API', async () => ((await cluster.kubectl(['get', 'so', '-A'])).code === 0 ? true : undefined), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await cluster.apply(`apiVersion: v1
kind: Namespace
metadata: { name: updraft }
---
${pauseDeployment('worker', { namespace: NS, replicas: 2 })}`);
    const serve = await startUpdraft();
    await cluster.registerAdapter({ url: serve.url, caPem, namespace: 'updraft', service: 'updraft' });
    await cluster.waitForAPIService();
  }, 240_000);

  afterAll(async () => {
    console.log(`controller measurements: ${JSON.stringify(measured)}`);
    if (process.env.CONTROLLER_TEST_LOGS) for (const serve of serves) console.log(serve.logs().filter((l) => l.msg !== 'request').map((l) => JSON.stringify(l)).join('\n'));
    await Promise.all(serves.map((serve) => serve.stop()));
    await Promise.all([cluster?.stop(), redis?.stop(), prometheus?.stop()]);
    exporter?.closeAllConnections();
    await new Promise((resolve) => exporter?.close(resolve));
    await dir?.dispose();
  }, 60_000);

  it('makes the HPA with KEDA’s shape from a ScaledObject applied with kubectl, and READY True in `kubectl get so`', async () => {
    const started = Date.now();
    await cluster.apply(`apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: worker
  namespace: ${NS}
  labels: { team: queues, secret-label: hidden }
  annotations: { scaledobject.keda.sh/hpa-excluded-labels: secret-label }
spec:
  scaleTargetRef:
    name: worker
  pollingInterval: 1
  cooldownPeriod: 5
  minReplicaCount: 0
  maxReplicaCount: 10
  advanced:
    restoreToOriginalReplicaCount: true
  triggers:
    - type: redis
      metadata:
        address: 127.0.0.1:${redis.port}
        listName: jobs
        listLength: '5'
`);
    const created = await eventually('the HPA', () => hpa(), 30_000);
    measured.applyToHpaMs = Date.now() - started;
    const object = (await so())!;
    expect(created.metadata.name).toBe('keda-hpa-worker');
    expect(created.metadata.labels).toEqual({
      'app.kubernetes.io/name': 'keda-hpa-worker',
      'app.kubernetes.io/version': '0.1.0',
      'app.kubernetes.io/part-of': 'worker',
      'app.kubernetes.io/managed-by': 'keda-operator',
      team: 'queues',
      'scaledobject.keda.sh/name': 'worker',
    });
    // KEDA copies every annotation of the ScaledObject, kubectl's last-applied-configuration included.
    expect(created.metadata.annotations).toEqual((await so())!.metadata.annotations);
    expect(created.metadata.annotations).toMatchObject({ 'scaledobject.keda.sh/hpa-excluded-labels': 'secret-label' });
    expect(created.metadata.ownerReferences).toEqual([{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: 'worker', uid: object.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(created.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' },
      minReplicas: 1,
      maxReplicas: 10,
      metrics: [{ type: 'External', external: { metric: { name: 's0-redis-jobs', selector: { matchLabels: { 'scaledobject.keda.sh/name': 'worker' } } }, target: { type: 'AverageValue', averageValue: '5' } } }],
    });
    expect(object.metadata.finalizers).toContain('finalizer.keda.sh');
    expect(object.metadata.labels?.['scaledobject.keda.sh/name']).toBe('worker');
    await eventually('Ready True', async () => ((await condition('Ready'))?.status === 'True' ? true : undefined), 30_000);
    const status = (await so())!.status!;
    expect(status).toMatchObject({
      scaleTargetKind: 'apps/v1.Deployment',
      scaleTargetGVKR: { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments' },
      originalReplicaCount: 2,
      externalMetricNames: ['s0-redis-jobs'],
      hpaName: 'keda-hpa-worker',
      triggersTypes: 'redis',
    });
    expect(status.conditions).toContainEqual({ type: 'Ready', status: 'True', reason: 'ScaledObjectReady', message: 'ScaledObject is defined correctly and is ready for scaling' });
    const table = await kubectl('get', 'so', 'worker', '-n', NS);
    expect(table).toMatch(/^NAME\s+SCALETARGETKIND\s+SCALETARGETNAME\s+MIN\s+MAX\s+READY\s+ACTIVE/m);
    expect(table).toMatch(/^worker\s+apps\/v1\.Deployment\s+worker\s+0\s+10\s+True\s+/m);
    // Reconciled again (resync every 5 s) without a change: the HPA is never rewritten (the audit log has no update of it).
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    const updates = (await cluster.auditEvents()).filter((e) => e.objectRef?.resource === 'horizontalpodautoscalers' && e.objectRef.name === 'keda-hpa-worker' && !e.objectRef.subresource && (e.verb === 'update' || e.verb === 'patch'));
    expect(updates).toEqual([]);
  });

  it('scales to zero after the cooldown, then 0→1 on activation and 1→N through the real HPA', async () => {
    await eventually('0 replicas', async () => ((await replicas()) === 0 ? true : undefined), 30_000);
    expect(await condition('Active')).toMatchObject({ status: 'False' });
    expect(await kubectl('get', 'events', '-n', NS, '--field-selector', 'reason=KEDAScaleTargetDeactivated', '-o', 'jsonpath={.items[*].message}')).toContain('Deactivated apps/v1.Deployment default/worker from 2 to 0');
    const started = Date.now();
    await redis.admin().rpush('jobs', ...Array.from({ length: 12 }, (_, i) => `job-${i}`));
    await eventually('1 replica', async () => ((await replicas()) >= 1 ? true : undefined), 30_000);
    measured.activationToReplicas1Ms = Date.now() - started;
    expect(await condition('Active')).toMatchObject({ status: 'True', reason: 'ScalerActive' });
    // 12 jobs / 5 per replica: the HPA goes to 3.
    await eventually('3 replicas (the HPA)', async () => ((await replicas()) === 3 ? true : undefined), 60_000);
    const table = await kubectl('get', 'so', 'worker', '-n', NS);
    expect(table).toMatch(/^worker\s+apps\/v1\.Deployment\s+worker\s+0\s+10\s+True\s+True\s/m);
  });

  it('a Prometheus query drives a second Deployment 1→N through the real HPA, and back', async () => {
    await cluster.apply(`${pauseDeployment('renderer', { namespace: NS })}---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: renderer, namespace: ${NS} }
spec:
  scaleTargetRef: { name: renderer }
  pollingInterval: 1
  minReplicaCount: 1
  maxReplicaCount: 6
  triggers:
    - type: prometheus
      metadata:
        serverAddress: ${prometheus.url}
        query: sum(renders_waiting{pool="render"})
        threshold: '4'
`);
    const created = await eventually('the renderer HPA', () => hpa('keda-hpa-renderer'), 30_000);
    expect(created.spec.metrics).toEqual([{ type: 'External', external: { metric: { name: 's0-prometheus', selector: { matchLabels: { 'scaledobject.keda.sh/name': 'renderer' } } }, target: { type: 'AverageValue', averageValue: '4' } } }]);
    const rendererReplicas = async () => (await get<{ spec: { replicas: number } }>(`/apis/apps/v1/namespaces/${NS}/deployments/renderer`))!.spec.replicas;
    // 18 waiting at 4 per replica: ceil(18 / 4) = 5.
    rendersWaiting = 18;
    await eventually('5 renderers (the HPA)', async () => ((await rendererReplicas()) === 5 ? true : undefined), 60_000);
    rendersWaiting = 0;
    // minReplicaCount 1: after the downscale stabilization (5 s here) the HPA goes back to 1, never 0.
    await eventually('1 renderer', async () => ((await rendererReplicas()) === 1 ? true : undefined), 60_000);
    await kubectl('delete', 'so', 'renderer', '-n', NS);
    await eventually('the renderer HPA deleted', async () => ((await hpa('keda-hpa-renderer')) === undefined ? true : undefined), 30_000);
  });

  it('pauses: paused-replicas deletes the HPA and pins the replicas; paused-scale-in disables the HPA’s scale-down', async () => {
    await kubectl('annotate', 'so', 'worker', '-n', NS, 'autoscaling.keda.sh/paused-replicas=2');
    await eventually('the HPA deleted', async () => ((await hpa()) === undefined ? true : undefined), 30_000);
    await eventually('2 replicas', async () => ((await replicas()) === 2 ? true : undefined), 30_000);
    expect(await condition('Paused')).toEqual({ type: 'Paused', status: 'True', reason: 'ScaledObjectPaused', message: 'ScaledObject is paused' });
    expect((await so())!.status!.pausedReplicaCount).toBe(2);
    await kubectl('annotate', 'so', 'worker', '-n', NS, 'autoscaling.keda.sh/paused-replicas-', 'autoscaling.keda.sh/paused-scale-in=true');
    const back = await eventually('the HPA back', () => hpa(), 30_000);
    await eventually('scaleDown disabled', async () => ((await hpa())?.spec.behavior as { scaleDown?: { selectPolicy?: string } } | undefined)?.scaleDown?.selectPolicy === 'Disabled' ? true : undefined, 30_000);
    expect(back.metadata.name).toBe('keda-hpa-worker');
    await kubectl('annotate', 'so', 'worker', '-n', NS, 'autoscaling.keda.sh/paused-scale-in-');
    await eventually('behavior gone', async () => ((await hpa())?.spec.behavior === undefined ? true : undefined), 30_000);
    await eventually('Paused False', async () => ((await condition('Paused'))?.reason === 'ScaledObjectUnpaused' ? true : undefined), 30_000);
  });

  it('says Ready False with the loader’s error when an edit is invalid, and keeps the last good version', async () => {
    await kubectl('patch', 'so', 'worker', '-n', NS, '--type=json', '-p', '[{"op":"replace","path":"/spec/triggers/0/metadata/listLength","value":"ten"}]');
    const ready = await eventually('Ready False', async () => {
      const c = await condition('Ready');
      return c?.status === 'False' ? c : undefined;
    }, 30_000);
    expect(ready.reason).toBe('ScaledObjectCheckFailed');
    expect(ready.message).toMatch(/listLength.*ten.*the last valid version of this ScaledObject is still served/);
    expect(await hpa()).toBeDefined();
    await kubectl('patch', 'so', 'worker', '-n', NS, '--type=json', '-p', '[{"op":"replace","path":"/spec/triggers/0/metadata/listLength","value":"4"}]');
    await eventually('Ready True', async () => ((await condition('Ready'))?.status === 'True' ? true : undefined), 30_000);
    await eventually('HPA target 4', async () => (JSON.stringify((await hpa())?.spec.metrics).includes('"averageValue":"4"') ? true : undefined), 30_000);
  });

  it('rides out an apiserver restart: its watches resume, an edit made right after is applied, and there is still one HPA', async () => {
    await cluster.restartApiServer({ downMs: 3_000 });
    await kubectl('patch', 'so', 'worker', '-n', NS, '--type=json', '-p', '[{"op":"replace","path":"/spec/triggers/0/metadata/listLength","value":"6"}]');
    await eventually('HPA target 6', async () => (JSON.stringify((await hpa())?.spec.metrics).includes('"averageValue":"6"') ? true : undefined), 60_000);
    const owned = JSON.parse(await kubectl('get', 'hpa', '-n', NS, '-l', 'scaledobject.keda.sh/name=worker', '-o', 'json')) as { items: Hpa[] };
    expect(owned.items.map((item) => item.metadata.name)).toEqual(['keda-hpa-worker']);
    await eventually('Ready True', async () => ((await condition('Ready'))?.status === 'True' ? true : undefined), 30_000);
    // The leader kept its Lease through the restart, or took it back: someone leads.
    await eventually('a leader', async () => ((await leaseHolder()) ? true : undefined), 30_000);
  });

  it('fails over: the leader killed, the other takes over within the lease duration, reads never fail on either', async () => {
    const first = serves[0]!;
    const firstId = await identityOf(first);
    expect(await leaseHolder()).toBe(firstId);
    const live = new Set<ServeProcess>([first]);
    const second = await startUpdraft();
    const secondId = await identityOf(second);
    live.add(second);
    let reads = 0;
    const failures: string[] = [];
    let reading = true;
    let firstKilled = false;
    const reader = (async () => {
      while (reading) {
        for (const serve of [...live]) {
          try {
            const answer = await httpsGet(`${serve.url}${metricPath(NS, 's0-redis-jobs', 'worker')}`);
            reads += 1;
            if (answer.status !== 200) failures.push(`${serve.url}: ${answer.status} ${answer.body}`);
          } catch (error) {
            if (live.has(serve)) failures.push(`${serve.url}: ${(error as Error).message}`);
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const killed = Date.now();
    firstKilled = true;
    live.delete(first);
    first.child.kill('SIGKILL');
    await eventually('the second replica leads', async () => ((await leaseHolder()) === secondId ? true : undefined), 30_000);
    measured.failoverAfterKillMs = Date.now() - killed;
    await cluster.registerAdapter({ url: second.url, caPem, namespace: 'updraft', service: 'updraft' });
    // The new leader acts: an edit reaches the HPA.
    await kubectl('patch', 'so', 'worker', '-n', NS, '--type=merge', '-p', '{"spec":{"maxReplicaCount":7}}');
    await eventually('maxReplicas 7', async () => ((await hpa())?.spec.maxReplicas === 7 ? true : undefined), 30_000);
    // A leader that stops on SIGTERM clears the Lease: a third replica takes over at its next retry.
    const third = await startUpdraft();
    const thirdId = await identityOf(third);
    live.add(third);
    live.delete(second);
    // Measured from SIGTERM, while the old leader's metrics server still drains its connections (up to 5 s).
    const stopped = Date.now();
    const exited = second.stop();
    await eventually('the third replica leads', async () => ((await leaseHolder()) === thirdId ? true : undefined), 30_000);
    measured.failoverAfterSigtermMs = Date.now() - stopped;
    expect(await exited).toBe(0);
    await cluster.registerAdapter({ url: third.url, caPem, namespace: 'updraft', service: 'updraft' });
    reading = false;
    await reader;
    expect(failures).toEqual([]);
    expect(reads).toBeGreaterThan(10);
    expect(measured.failoverAfterKillMs).toBeLessThan(15_000 + 2_000 + 1_000);
    expect(measured.failoverAfterSigtermMs).toBeLessThan(5_000);
  });

  it('deletes the HPA through the garbage collector with its ScaledObject and restores the original replicas', async () => {
    await eventually('replicas above 0', async () => ((await replicas()) > 0 ? true : undefined), 30_000);
    await redis.admin().del('jobs');
    await kubectl('delete', 'so', 'worker', '-n', NS, '--wait=true', '--timeout=60s');
    await eventually('the HPA gone', async () => ((await hpa()) === undefined ? true : undefined), 60_000);
    expect(await replicas()).toBe(2);
  });
});
