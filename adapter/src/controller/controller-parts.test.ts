import { beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, loadManifests, ScalingEngine, type LoadedScaledObject, type ScalerRegistry } from '@updraft/core';
import { createRegistry } from '../composition.js';
import { conditionsInitialized, initializedConditions, invalidReadyCondition, setCondition } from './conditions.js';
import { buildHorizontalPodAutoscaler, type HorizontalPodAutoscaler } from './horizontal-pod-autoscaler.js';
import { hpaDifferences } from './hpa-diff.js';
import { DEFAULT_LEADER_ELECTION_TIMING, LeaderElector, microTime, type LeaseSpec, type LeaseStore, type StoredLease } from './leader-election.js';
import { planScale } from './scale-plan.js';
import { triggersAndAuthenticationsTypes } from './scaled-object-status.js';
import { WorkQueue } from './work-queue.js';

let registry: ScalerRegistry;
beforeAll(async () => {
  registry = await createRegistry();
});

function load(yaml: string): LoadedScaledObject {
  const result = loadManifests([{ file: 'so.yaml', text: yaml }], registry, { unresolved: 'warning' });
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  expect(errors).toEqual([]);
  return result.scaledObjects[0]!;
}

const gvkr = { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments' };
const identity = (loaded: LoadedScaledObject, extra: Partial<{ labels: Record<string, string>; annotations: Record<string, string> }> = {}) => ({
  namespace: loaded.namespace,
  name: loaded.name,
  uid: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
  labels: extra.labels ?? { ...loaded.labels },
  annotations: extra.annotations ?? { ...loaded.annotations },
});
function hpaFor(loaded: LoadedScaledObject, extra: Parameters<typeof identity>[1] = {}): HorizontalPodAutoscaler {
  const engine = new ScalingEngine({ registry });
  engine.add(loaded);
  return buildHorizontalPodAutoscaler({ scaledObject: identity(loaded, extra), loaded, metricSpecs: engine.metricSpecs(loaded), gvkr, version: '0.1.0' });
}

// KEDA's documented Redis list example (keda.sh/docs/scalers/redis-lists), with cpu added and a second trigger.
const REDIS = `
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: redis-scaledobject
  namespace: default
  labels: { team: queue, internal: x }
  annotations: { scaledobject.keda.sh/hpa-excluded-labels: internal }
spec:
  scaleTargetRef:
    name: worker
  maxReplicaCount: 10
  triggers:
  - type: cpu
    metricType: Utilization
    metadata: { value: "60" }
  - type: redis
    metadata:
      address: redis:6379
      listName: mylist
      listLength: "5"
  - type: prometheus
    metricType: Value
    metadata:
      serverAddress: http://prometheus:9090
      query: sum(rate(http_requests_total[1m]))
      threshold: "2.5"
`;

describe('the HPA KEDA makes (controllers/keda/hpa.go newHPAForScaledObject)', () => {
  it('has KEDA’s name, labels, annotations, owner, bounds and metrics in KEDA’s order', () => {
    const loaded = load(REDIS);
    const hpa = hpaFor(loaded);
    expect(hpa).toEqual({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: {
        name: 'keda-hpa-redis-scaledobject',
        namespace: 'default',
        labels: {
          'app.kubernetes.io/name': 'keda-hpa-redis-scaledobject',
          'app.kubernetes.io/version': '0.1.0',
          'app.kubernetes.io/part-of': 'redis-scaledobject',
          'app.kubernetes.io/managed-by': 'keda-operator',
          team: 'queue',
        },
        annotations: { 'scaledobject.keda.sh/hpa-excluded-labels': 'internal' },
        ownerReferences: [{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: 'redis-scaledobject', uid: '1b4e28ba-2fa1-11d2-883f-0016d3cca427', controller: true, blockOwnerDeletion: true }],
      },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' },
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [
          { type: 'External', external: { metric: { name: 's1-redis-mylist', selector: { matchLabels: { 'scaledobject.keda.sh/name': 'redis-scaledobject' } } }, target: { type: 'AverageValue', averageValue: '5' } } },
          { type: 'External', external: { metric: { name: 's2-prometheus', selector: { matchLabels: { 'scaledobject.keda.sh/name': 'redis-scaledobject' } } }, target: { type: 'Value', value: '2500m' } } },
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } },
        ],
      },
    });
  });

  it('names it after advanced.horizontalPodAutoscalerConfig.name, keeps minReplicaCount above 0, passes behavior, disables a paused direction', () => {
    const loaded = load(`
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: w, namespace: ns, annotations: { autoscaling.keda.sh/paused-scale-in: "true" } }
spec:
  scaleTargetRef: { name: worker }
  minReplicaCount: 3
  advanced:
    horizontalPodAutoscalerConfig:
      name: custom-hpa
      behavior: { scaleDown: { stabilizationWindowSeconds: 60 }, scaleUp: { policies: [{ type: Pods, value: 2, periodSeconds: 30 }] } }
  triggers:
  - type: redis
    metadata: { address: redis:6379, listName: l, listLength: "5" }
`);
    const hpa = hpaFor(loaded);
    expect(hpa.metadata.name).toBe('custom-hpa');
    expect(hpa.metadata.labels!['app.kubernetes.io/name']).toBe('custom-hpa');
    expect(hpa.spec.minReplicas).toBe(3);
    expect(hpa.spec.maxReplicas).toBe(100);
    expect(hpa.spec.behavior).toEqual({ scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Disabled' }, scaleUp: { policies: [{ type: 'Pods', value: 2, periodSeconds: 30 }] } });
  });

  it('serves one composite-metric with scalingModifiers, its target cut to a milli as KEDA does', () => {
    const loaded = load(`
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: w, namespace: ns, annotations: { autoscaling.keda.sh/paused-scale-out: "yes" } }
spec:
  scaleTargetRef: { name: worker }
  advanced:
    scalingModifiers: { formula: "a + b", target: "1.005", metricType: Value }
  triggers:
  - { type: redis, name: a, metadata: { address: "redis:6379", listName: l1, listLength: "5" } }
  - { type: redis, name: b, metadata: { address: "redis:6379", listName: l2, listLength: "5" } }
`);
    const hpa = hpaFor(loaded);
    // float64 1.005 * 1000 = 1004.999…, which Go's int64() truncates.
    expect(hpa.spec.metrics).toEqual([{ type: 'External', external: { metric: { name: 'composite-metric', selector: { matchLabels: { 'scaledobject.keda.sh/name': 'w' } } }, target: { type: 'Value', value: '1004m' } } }]);
    expect(hpa.spec.behavior).toEqual({ scaleUp: { selectPolicy: 'Disabled' } });
  });
});

describe('hpaDifferences (updateHPAIfNeeded, semantically)', () => {
  const loaded = () => load(REDIS);
  /** What the apiserver hands back: defaults filled, quantities canonical, its own fields added. */
  function asStored(hpa: HorizontalPodAutoscaler): HorizontalPodAutoscaler {
    const stored = structuredClone(hpa);
    stored.metadata.resourceVersion = '42';
    stored.metadata.labels = { ...stored.metadata.labels, added: 'by-someone' };
    const metric = stored.spec.metrics![0]!;
    if (metric.type === 'External') metric.external.target.averageValue = '5000m';
    return stored;
  }

  it('sees nothing to do when the stored HPA is the desired one after defaulting', () => {
    const desired = hpaFor(loaded());
    expect(hpaDifferences(desired, asStored(desired))).toEqual([]);
  });

  it('compares behavior after the apiserver fills in its defaults', () => {
    const desired = hpaFor(loaded());
    desired.spec.behavior = { scaleDown: { stabilizationWindowSeconds: 30 } };
    const stored = asStored(desired);
    stored.spec.behavior = {
      scaleDown: { stabilizationWindowSeconds: 30, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
    };
    expect(hpaDifferences(desired, stored)).toEqual([]);
    (stored.spec.behavior.scaleDown as { selectPolicy?: string }).selectPolicy = 'Disabled';
    expect(hpaDifferences(desired, stored)).toEqual(['spec']);
  });

  it('updates on a changed target, a removed metric, a removed annotation, a foreign owner', () => {
    const desired = hpaFor(loaded());
    const changed = asStored(desired);
    (changed.spec.metrics![1] as { external: { target: { value?: string } } }).external.target.value = '3';
    expect(hpaDifferences(desired, changed)).toEqual(['spec']);
    const extra = asStored(desired);
    extra.spec.metrics!.push(extra.spec.metrics![0]!);
    expect(hpaDifferences(desired, extra)).toEqual(['spec']);
    const noAnnotations = hpaFor(loaded(), { annotations: {} });
    // Without hpa-excluded-labels the `internal` label comes back too.
    expect(hpaDifferences(noAnnotations, asStored(desired))).toEqual(['labels', 'annotations']);
    const foreign = asStored(desired);
    foreign.metadata.ownerReferences = [];
    expect(hpaDifferences(desired, foreign)).toEqual(['owner']);
  });
});

describe('conditions and status (condition_types.go, scaletriggers_types.go)', () => {
  it('initializes as KEDA does and replaces in place', () => {
    expect(initializedConditions()).toEqual([
      { type: 'Ready', status: 'Unknown' },
      { type: 'Active', status: 'Unknown' },
      { type: 'Fallback', status: 'Unknown' },
      { type: 'Paused', status: 'False' },
    ]);
    const set = setCondition(undefined, 'Ready', 'True', 'ScaledObjectReady', 'ScaledObject is defined correctly and is ready for scaling');
    expect(set[0]).toEqual({ type: 'Ready', status: 'True', reason: 'ScaledObjectReady', message: 'ScaledObject is defined correctly and is ready for scaling' });
    expect(conditionsInitialized(set)).toBe(true);
    expect(conditionsInitialized(set.slice(1))).toBe(false);
  });

  it('says which version is served when the current one is invalid', () => {
    expect(invalidReadyCondition(['spec.triggers[0].metadata.listLength: must be a number'], true)).toEqual({
      status: 'False',
      reason: 'ScaledObjectCheckFailed',
      message: 'spec.triggers[0].metadata.listLength: must be a number (the last valid version of this ScaledObject is still served and scaled)',
    });
  });

  it('lists trigger types and authentication names once each', () => {
    expect(triggersAndAuthenticationsTypes([{ type: 'redis' }, { type: 'prometheus', authenticationRef: { name: 'a' } }, { type: 'redis', authenticationRef: { name: 'a' } }])).toEqual({ triggersTypes: 'redis,prometheus', authenticationsTypes: 'a' });
  });
});

describe('planScale (RequestScale around core requestScale)', () => {
  const zero = () =>
    load(`
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: w, namespace: ns }
spec:
  scaleTargetRef: { name: worker }
  cooldownPeriod: 30
  triggers:
  - { type: redis, metadata: { address: "redis:6379", listName: l, listLength: "5" } }
`);
  const base = { annotations: {}, isError: false, fallbackActive: false, activeTriggers: [], creationTime: 0, now: 100_000, scaleTargetKind: 'apps/v1.Deployment' };

  it('activates from zero with KEDA’s event and sets lastActiveTime only when the write succeeds', () => {
    const plan = planScale({ ...base, loaded: zero(), active: true, activeTriggers: ['s0-redis-l'], currentReplicas: 0 }, ['s0-redis-l']);
    expect(plan.replicas).toBe(1);
    expect(plan.lastActiveTime).toBeUndefined();
    expect(plan.lastActiveOnSuccess).toBe(100_000);
    expect(plan.onSuccess).toEqual({ type: 'Normal', reason: 'KEDAScaleTargetActivated', message: 'Scaled apps/v1.Deployment ns/worker from 0 to 1, triggered by s0-redis-l' });
    expect(plan.onFailure!('x').reason).toBe('KEDAScaleTargetActivationFailed');
    expect(plan.conditions).toContainEqual({ type: 'Active', status: 'True', reason: 'ScalerActive', message: 'Scaling is performed because triggers are active' });
    expect(plan.triggersActivity).toEqual({ 's0-redis-l': { isActive: true } });
  });

  it('cools down, then deactivates to zero', () => {
    const cooling = planScale({ ...base, loaded: zero(), active: false, currentReplicas: 1, lastActiveTime: 80_000 }, []);
    expect(cooling.replicas).toBeUndefined();
    expect(cooling.conditions).toContainEqual({ type: 'Active', status: 'False', reason: 'ScalerCooldown', message: 'Scaler cooling down because triggers are not active' });
    const done = planScale({ ...base, loaded: zero(), active: false, currentReplicas: 1, lastActiveTime: 60_000 }, []);
    expect(done.replicas).toBe(0);
    expect(done.onSuccess).toEqual({ type: 'Normal', reason: 'KEDAScaleTargetDeactivated', message: 'Deactivated apps/v1.Deployment ns/worker from 1 to 0' });
  });

  it('reports TriggerError without fallback, PartialTriggerError when active, and counts fallback as active', () => {
    const failing = planScale({ ...base, loaded: zero(), active: false, isError: true, currentReplicas: 1 }, []);
    expect(failing.conditions).toContainEqual({ type: 'Ready', status: 'False', reason: 'TriggerError', message: 'Triggers defined in ScaledObject are not working correctly' });
    const partial = planScale({ ...base, loaded: zero(), active: true, isError: true, currentReplicas: 2 }, []);
    expect(partial.conditions).toContainEqual({ type: 'Ready', status: 'Unknown', reason: 'PartialTriggerError', message: 'Some triggers defined in ScaledObject are not working correctly' });
    const fallback = planScale({ ...base, loaded: zero(), active: false, isError: true, fallbackActive: true, currentReplicas: 0 }, []);
    expect(fallback.replicas).toBe(1);
  });

  it('forces activation by annotation with KEDA’s wording', () => {
    const plan = planScale({ ...base, loaded: zero(), annotations: { 'autoscaling.keda.sh/force-activation': 'true' }, active: false, currentReplicas: 0 }, []);
    expect(plan.replicas).toBe(1);
    expect(plan.onSuccess!.message).toBe('Scaled apps/v1.Deployment ns/worker from 0 to 1, caused by forced activation annotation');
  });
});

/** A Lease store with the apiserver's optimistic concurrency: a stale resourceVersion is a conflict. */
class MemoryLeaseStore implements LeaseStore {
  lease?: StoredLease;
  private version = 0;
  failing = false;
  async get(): Promise<StoredLease | undefined> {
    if (this.failing) throw new Error('apiserver unreachable');
    return this.lease && structuredClone(this.lease);
  }
  async create(spec: LeaseSpec): Promise<StoredLease> {
    if (this.failing) throw new Error('apiserver unreachable');
    if (this.lease) throw new Error('AlreadyExists');
    this.lease = { spec: structuredClone(spec), resourceVersion: String(++this.version) };
    return structuredClone(this.lease);
  }
  async replace(spec: LeaseSpec, resourceVersion: string): Promise<StoredLease> {
    if (this.failing) throw new Error('apiserver unreachable');
    if (this.lease?.resourceVersion !== resourceVersion) throw new Error('Conflict');
    this.lease = { spec: structuredClone(spec), resourceVersion: String(++this.version) };
    return structuredClone(this.lease);
  }
}

describe('LeaderElector (client-go leaderelection on a Lease)', () => {
  function candidate(store: LeaseStore, id: string, clock: ManualClock) {
    const log: string[] = [];
    const elector = new LeaderElector(store, id, { onStartedLeading: () => log.push('start'), onStoppedLeading: () => void log.push('stop') }, DEFAULT_LEADER_ELECTION_TIMING, clock);
    return { elector, log };
  }

  it('lets one of two win, the other take over once the lease expires, and never both', async () => {
    const clock = new ManualClock(1_000_000);
    const store = new MemoryLeaseStore();
    const a = candidate(store, 'a', clock);
    const b = candidate(store, 'b', clock);
    expect(await a.elector.tryAcquireOrRenew()).toBe(true);
    expect(await b.elector.tryAcquireOrRenew()).toBe(false);
    expect(store.lease!.spec).toMatchObject({ holderIdentity: 'a', leaseDurationSeconds: 15, leaseTransitions: 0, renewTime: microTime(1_000_000) });
    // a dies: b waits the lease duration from when it saw the lease last change.
    await clock.advance(14_000);
    expect(await b.elector.tryAcquireOrRenew()).toBe(false);
    await clock.advance(1_001);
    expect(await b.elector.tryAcquireOrRenew()).toBe(true);
    expect(store.lease!.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
    // a comes back: it sees b's lease and steps down without writing.
    expect(await a.elector.tryAcquireOrRenew()).toBe(false);
    expect(a.log).toEqual(['start', 'stop']);
    expect(b.log).toEqual(['start']);
  });

  it('releases on stop so that a follower takes over on its next try', async () => {
    const clock = new ManualClock(0);
    const store = new MemoryLeaseStore();
    const a = candidate(store, 'a', clock);
    const b = candidate(store, 'b', clock);
    await a.elector.tryAcquireOrRenew();
    await b.elector.tryAcquireOrRenew();
    await a.elector.stop();
    expect(store.lease!.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
    expect(await b.elector.tryAcquireOrRenew()).toBe(true);
  });

  it('keeps leading through failed renewals until the renew deadline, then stops', async () => {
    const clock = new ManualClock(0);
    const store = new MemoryLeaseStore();
    const a = candidate(store, 'a', clock);
    await a.elector.tryAcquireOrRenew();
    store.failing = true;
    await clock.advance(9_000);
    expect(await a.elector.tryAcquireOrRenew()).toBe(true);
    await clock.advance(1_000);
    expect(await a.elector.tryAcquireOrRenew()).toBe(false);
    expect(a.log).toEqual(['start', 'stop']);
  });

  it('writes MicroTime with six fractional digits', () => {
    expect(microTime(Date.UTC(2026, 11, 1, 23, 0, 0, 123))).toBe('2026-12-01T23:00:00.123000Z');
  });
});

describe('WorkQueue', () => {
  it('takes work again after stop() and start(): a leader that lost its Lease and won it back reconciles', async () => {
    const done: string[] = [];
    const queue = new WorkQueue(async (key) => {
      done.push(key);
    }, () => undefined);
    queue.add('default/a');
    await new Promise((resolve) => setImmediate(resolve));
    await queue.stop();
    queue.add('default/dropped-while-stopped');
    queue.start();
    queue.add('default/b');
    await new Promise((resolve) => setImmediate(resolve));
    expect(done).toEqual(['default/a', 'default/b']);
  });
});
