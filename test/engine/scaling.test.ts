import { afterEach, describe, expect, it } from 'vitest';
import { staticReplicaSource, type ActivityChangeEvent } from '@updraft/core';
import { SO, START, setup } from './controllable-scaler.js';

let env: ReturnType<typeof setup>;
afterEach(() => env.dispose());

describe('activity', () => {
  it('a trigger is active when its value exceeds its activation threshold; the object when any trigger is', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'a', activation: 5 }, { source: 'b', activation: 5 }] }, { maxAgeMs: 0 });
    env.source('a').value = 5;
    env.source('b').value = 2;
    let state = await engine.state(SO);
    expect([state.triggers.map((t) => t.active), state.active]).toEqual([[false, false], false]);
    env.source('b').value = 6;
    await env.clock.advance(1);
    state = await engine.state(SO);
    expect([state.triggers.map((t) => t.active), state.active]).toEqual([[false, true], true]);
  });

  it('tells subscribers when the object becomes active or inactive, and records lastActiveTime', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'a' }], pollingInterval: 10 });
    const changes: ActivityChangeEvent[] = [];
    engine.subscribe({ onActivityChange: (e) => changes.push(e) });
    engine.start();
    await env.clock.advance(5_000);
    expect(engine.isActive(SO)).toBe(true);
    env.source('a').value = 0;
    await env.clock.advance(10_000);
    await env.clock.advance(10_000);
    expect(changes).toEqual([
      { namespace: 'default', scaledObject: 'worker', active: true },
      { namespace: 'default', scaledObject: 'worker', active: false },
    ]);
    expect((await engine.state(SO)).lastActiveTime).toBe(START + 5_000);
  });
});

describe('scale to zero and back, over time', () => {
  it('activates from 0, then scales to 0 only once cooldownPeriod has passed since the last active time', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'a' }], pollingInterval: 10, cooldownPeriod: 60 });
    const a = env.source('a');
    engine.start();
    await env.clock.advance(5_000); // first poll: active at 5 s
    expect(await engine.evaluate(SO, { currentReplicas: 0 })).toMatchObject({ desiredReplicas: 1, decidedBy: 'keda', keda: { action: 'activate' } });

    a.value = 0; // inactive from the poll at 15 s on
    await env.clock.advance(10_000);
    const cooling = await engine.evaluate(SO, { currentReplicas: 1 });
    expect(cooling).toMatchObject({ desiredReplicas: 1, keda: { action: 'cooling-down', cooldownEndsAt: START + 65_001 } });
    await env.clock.advance(50_000); // 65 s: exactly the end of the cooldown
    expect((await engine.evaluate(SO, { currentReplicas: 1 })).keda.action).toBe('cooling-down');
    await env.clock.advance(1);
    expect(await engine.evaluate(SO, { currentReplicas: 1 })).toMatchObject({ desiredReplicas: 0, decidedBy: 'keda', keda: { action: 'deactivate' } });
  });

  it('scales to idleReplicaCount instead of 0, and back to minReplicaCount when active', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'a' }], minReplicaCount: 3, idleReplicaCount: 1, cooldownPeriod: 0 }, { maxAgeMs: 0 });
    env.source('a').value = 0;
    await env.clock.advance(1); // KEDA's time.Before is strict: a moment after creation
    expect(await engine.evaluate(SO, { currentReplicas: 5 })).toMatchObject({ desiredReplicas: 1, keda: { action: 'deactivate' } });
    env.source('a').value = 2;
    await env.clock.advance(1);
    expect(await engine.evaluate(SO, { currentReplicas: 1 })).toMatchObject({ desiredReplicas: 3, keda: { action: 'activate' } });
  });

  it('a new object waits initialCooldownPeriod before its first scale to zero', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'a' }], initialCooldownPeriod: 120 }, { maxAgeMs: 0 });
    env.source('a').value = 0;
    expect((await engine.evaluate(SO, { currentReplicas: 2 })).keda.action).toBe('cooling-down');
    await env.clock.advance(120_001);
    expect((await engine.evaluate(SO, { currentReplicas: 2 })).desiredReplicas).toBe(0);
  });
});

describe("the HPA's arithmetic", () => {
  it('AverageValue: ceil(value / target), limited to max(2 × current, 4) without behavior', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'a', target: 2 }] });
    env.source('a').value = 7;
    expect(await engine.evaluate(SO, { currentReplicas: 1 })).toMatchObject({ desiredReplicas: 4, decidedBy: 'hpa', hpa: { metricDesiredReplicas: 4, reason: 'DesiredWithinRange' } });
    env.source('a').value = 30;
    await env.clock.advance(45_001);
    expect(await engine.evaluate(SO, { currentReplicas: 1 })).toMatchObject({ desiredReplicas: 4, hpa: { metricDesiredReplicas: 15, reason: 'ScaleUpLimit' } });
  });

  it('Value: ceil(value / target × ready pods)', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'a', target: 10, metricType: 'Value' }] });
    env.source('a').value = 25;
    const decision = await engine.evaluate(SO, { currentReplicas: 3, readyReplicas: 2 });
    expect(decision.hpa).toMatchObject({ metricDesiredReplicas: 5, desiredReplicas: 5 });
  });

  it('takes the larger proposal of several triggers, minReplicas max(1, minReplicaCount), maxReplicaCount, and behavior', async () => {
    env = setup();
    const engine = env.engine({
      triggers: [{ source: 'a', target: 1 }, { source: 'b', target: 1 }],
      minReplicaCount: 0,
      maxReplicaCount: 8,
      behavior: { scaleUp: { policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] } },
    });
    env.source('a').value = 3;
    env.source('b').value = 20;
    const decision = await engine.evaluate(SO, { currentReplicas: 2 });
    expect(decision.hpa).toMatchObject({ metricDesiredReplicas: 20, metricName: 's1-test-b', desiredReplicas: 4, reason: 'ScaleUpLimit' });
    env.source('b').value = 0;
    env.source('a').value = 0;
    await env.clock.advance(45_001);
    // Inactive with min 0: KEDA scales to zero 300 s after the last active time; the HPA proposes 0.
    const later = await engine.evaluate(SO, { currentReplicas: 2, hpaHistory: { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] } });
    expect(later.keda.action).toBe('cooling-down');
    expect(later.hpa).toMatchObject({ metricDesiredReplicas: 0 });
  });

  it('takes the replica counts from the ReplicaSource when none are given', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'a', target: 1 }] }, { replicas: staticReplicaSource({ currentReplicas: 4, readyReplicas: 4 }) });
    env.source('a').value = 8;
    expect(await engine.evaluate(SO)).toMatchObject({ currentReplicas: 4, desiredReplicas: 8 });
    env.dispose();
    env = setup();
    const bare = env.engine({ triggers: [{ source: 'a' }] });
    await expect(bare.evaluate(SO)).rejects.toThrow('the current replica count of default/worker is not known: pass currentReplicas, or give the engine a ReplicaSource');
  });
});
