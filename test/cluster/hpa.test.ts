import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HPA_CONTROLLER_CONFIGURATION, getExternalPerPodMetricReplicas } from '@updraft/core';
import { pauseDeployment, startCluster, type Cluster } from '../harness/cluster.js';
import { scratchDir } from '../harness/process.js';
import { startRedis, type RedisInstance } from '../harness/redis.js';
import { eventually, type ServeProcess } from '../serve/serve-process.js';
import { serveWorkerBehindAggregator } from './worker-adapter.js';

// The real HPA controller scales a Deployment on the metric `updraft serve` gives it through the
// aggregation layer. There is no kubelet: the Deployment's pods stay Pending. For an External
// metric with an AverageValue target that does not matter: the HPA divides the metric's total by
// the target, and the current count it compares with is the scale subresource's status.replicas,
// which counts Pending pods too (replica_calculator.go GetExternalPerPodMetricReplicas). Ready pods
// are consulted only for Value targets and for Resource metrics.

const STABILIZATION_SECONDS = 10;
const TARGET = 5;
const MAX_REPLICAS = 10;

interface DeploymentState {
  readonly spec: number;
  readonly status: number;
}

/** What the HPA's algorithm gives, without spec.behavior: ceil(total / target) within min/max and the scale-up limit. */
function expectedReplicas(listLength: number, current: number): number {
  const tolerance = DEFAULT_HPA_CONTROLLER_CONFIGURATION.horizontalPodAutoscalerTolerance;
  const { replicaCount } = getExternalPerPodMetricReplicas(current, TARGET * 1000, [listLength * 1000], { scaleUp: tolerance, scaleDown: tolerance });
  // horizontal.go without behavior: a scale-up at most doubles the replicas, and may always reach 4.
  const scaleUpLimit = Math.max(2 * current, 4);
  return Math.max(1, Math.min(replicaCount, MAX_REPLICAS, scaleUpLimit));
}

describe('the real HPA controller scales a Deployment on Updraft’s metric', { timeout: 90_000 }, () => {
  let cluster: Cluster;
  let redis: RedisInstance;
  let serve: ServeProcess;
  let dir: Awaited<ReturnType<typeof scratchDir>>;

  const deployment = async (): Promise<DeploymentState> => {
    const answer = await cluster.request<{ spec: { replicas: number }; status: { replicas?: number } }>('GET', '/apis/apps/v1/namespaces/default/deployments/worker');
    const body = answer.json();
    return { spec: body.spec.replicas, status: body.status.replicas ?? 0 };
  };
  /** Polls every 100 ms until the Deployment and its pods are at `replicas`; the time that took. */
  const scaledTo = async (replicas: number, timeoutMs = 30_000): Promise<number> => {
    const started = Date.now();
    await eventually(`the Deployment at ${replicas} replicas`, async () => {
      const state = await deployment();
      return state.spec === replicas && state.status === replicas ? true : undefined;
    }, timeoutMs);
    return Date.now() - started;
  };

  beforeAll(async () => {
    dir = await scratchDir('cluster-hpa');
    [cluster, redis] = await Promise.all([startCluster({ hpaSyncPeriod: '1s', hpaDownscaleStabilization: `${STABILIZATION_SECONDS}s` }), startRedis()]);
    ({ serve } = await serveWorkerBehindAggregator(cluster, dir.path, { port: redis.port, listLength: TARGET }));
    await cluster.waitForAPIService();
    await cluster.apply(`${pauseDeployment('worker')}---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: worker, namespace: default }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: worker }
  minReplicas: 1
  maxReplicas: ${MAX_REPLICAS}
  metrics:
    - type: External
      external:
        metric:
          name: s0-redis-jobs
          selector: { matchLabels: { scaledobject.keda.sh/name: worker } }
        target: { type: AverageValue, averageValue: '${TARGET}' }
`);
    await scaledTo(1);
  }, 180_000);

  afterAll(async () => {
    const code = await serve?.stop();
    await Promise.all([cluster?.stop(), redis?.stop()]);
    await dir?.dispose();
    expect(code).toBe(0);
  }, 60_000);

  it('reads the metric through the aggregator as the HPA controller’s own ServiceAccount', async () => {
    const hpa = await eventually('the HPA’s first metric reading', async () => {
      const answer = await cluster.request<{ status: { currentMetrics?: { external: { current: { averageValue?: string } } }[]; conditions?: { type: string; status: string; reason: string }[] } }>('GET', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/worker');
      const body = answer.json();
      // Its first sync may run before the ReplicaSet made the pod: with status.replicas 0 the HPA
      // reports ceil(0 / 0) cast to int64, -9223372036854775808m. From the next sync on, 0 / 1.
      return body.status.currentMetrics?.[0]?.external.current.averageValue === '0' ? body : undefined;
    });
    expect(hpa.status.conditions).toContainEqual(expect.objectContaining({ type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound' }));
    expect(serve.logs().some((line) => line.msg === 'request' && line.user === 'system:serviceaccount:kube-system:horizontal-pod-autoscaler' && line.via === 'front-proxy' && line.code === 200)).toBe(true);
  });

  it('scales up to ceil(total / target) when items are pushed, with every new pod Pending', async () => {
    await redis.admin().rpush('jobs', ...Array.from({ length: 12 }, (_, i) => `job-${i}`));
    const expected = expectedReplicas(12, 1);
    expect(expected).toBe(3);
    const ms = await scaledTo(expected);
    console.log(`cluster hpa: Redis push (0 -> 12 items) to ${expected} replicas in ${ms} ms`);
    const pods = await cluster.request<{ items: { status: { phase: string } }[] }>('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dworker');
    expect(pods.json().items.map((pod) => pod.status.phase)).toEqual(['Pending', 'Pending', 'Pending']);

    await redis.admin().rpush('jobs', ...Array.from({ length: 11 }, (_, i) => `more-${i}`));
    const next = expectedReplicas(23, 3);
    expect(next).toBe(5);
    const msNext = await scaledTo(next);
    console.log(`cluster hpa: Redis push (12 -> 23 items) to ${next} replicas in ${msNext} ms`);
  });

  it('holds the count for the downscale stabilization window after the list empties, then scales to minReplicas', async () => {
    await redis.admin().del('jobs');
    const emptied = Date.now();
    const ms = await scaledTo(1, (STABILIZATION_SECONDS + 30) * 1000);
    console.log(`cluster hpa: list emptied to 1 replica in ${ms} ms (stabilization ${STABILIZATION_SECONDS} s)`);
    // Every recommendation of the last 10 s said 5, so the HPA may not go lower before they expire.
    expect(Date.now() - emptied).toBeGreaterThanOrEqual((STABILIZATION_SECONDS - 1) * 1000);
    const events = await cluster.kubectl(['get', 'events', '-n', 'default', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler', '-o', 'jsonpath={range .items[*]}{.reason}{": "}{.message}{"\\n"}{end}']);
    expect(events.stdout).toMatch(/^SuccessfulRescale: New size: 3; reason: external metric s0-redis-jobs\(.*scaledobject\.keda\.sh\/name: worker.*\) above target$/m);
    expect(events.stdout).toMatch(/^SuccessfulRescale: New size: 5; reason: external metric s0-redis-jobs\(.*\) above target$/m);
    expect(events.stdout).toMatch(/^SuccessfulRescale: New size: 1; reason: All metrics below target$/m);
  });
});
