import { describe, expect, it } from 'vitest';
import { requestScale, type ScaleExecutorInput } from './scale-executor.js';

// KEDA's RequestScale (pkg/scaling/executor/scale_scaledobjects.go) as tables: state and time in,
// the action and the replica count KEDA writes out. Times in seconds from creation.

const CREATED = 1_700_000_000_000;
const at = (seconds: number) => CREATED + seconds * 1000;
const SPEC = { minReplicaCount: 0, cooldownPeriod: 300, initialCooldownPeriod: 0 };

function decide(input: Partial<ScaleExecutorInput> & Pick<ScaleExecutorInput, 'isActive' | 'currentReplicas'>) {
  return requestScale({ spec: SPEC, isError: false, creationTime: CREATED, now: at(1000), ...input });
}

describe('requestScale: active', () => {
  it.each([
    // min, idle, current → action, replicas
    [0, undefined, 0, 'activate', 1],
    [3, undefined, 0, 'activate', 3],
    [3, 1, 1, 'activate', 3], // idle mode below min
    [3, 1, 2, 'activate', 3],
    [0, undefined, 2, 'active', undefined],
    [3, undefined, 2, 'active', undefined], // below min without idle: the HPA's minReplicas handles it
    [3, 1, 5, 'active', undefined],
  ] as const)('min %s idle %s current %s → %s %s', (minReplicaCount, idleReplicaCount, currentReplicas, action, replicas) => {
    const spec = { ...SPEC, minReplicaCount, ...(idleReplicaCount === undefined ? {} : { idleReplicaCount }) };
    const decision = decide({ spec, isActive: true, currentReplicas });
    expect(decision.action).toBe(action);
    expect(decision.replicas).toBe(replicas);
    // Activation and plain activity both record the time; lastActiveTime is "now".
    expect(decision.lastActiveTime).toBe(at(1000));
  });

  it('activates from zero even when another trigger fails, but does not refresh lastActiveTime above zero', () => {
    expect(decide({ isActive: true, isError: true, currentReplicas: 0 })).toMatchObject({ action: 'activate', replicas: 1, lastActiveTime: at(1000) });
    const partial = decide({ isActive: true, isError: true, currentReplicas: 2, lastActiveTime: at(10) });
    expect(partial).toMatchObject({ action: 'active-with-errors', lastActiveTime: at(10) });
    expect(partial.replicas).toBeUndefined();
  });
});

describe('requestScale: inactive, scale to zero and cooldown', () => {
  it.each([
    // lastActive (s), now (s), cooldown, initialCooldown → action, replicas
    [undefined, 1, 300, 0, 'deactivate', 0], // never active, no initial cooldown
    [undefined, 100, 300, 120, 'cooling-down', undefined], // within initialCooldownPeriod after creation
    [undefined, 120, 300, 120, 'cooling-down', undefined], // exactly at the end: time.Before is strict
    [undefined, 121, 300, 120, 'deactivate', 0],
    [500, 700, 300, 0, 'cooling-down', undefined], // within cooldownPeriod after the last active time
    [500, 800, 300, 0, 'cooling-down', undefined], // exactly at the end
    [500, 801, 300, 0, 'deactivate', 0],
    [500, 501, 0, 0, 'deactivate', 0], // cooldownPeriod 0
  ] as const)('last active %s, now %s, cooldown %s, initial %s → %s', (lastActive, now, cooldownPeriod, initialCooldownPeriod, action, replicas) => {
    const decision = decide({
      spec: { ...SPEC, cooldownPeriod, initialCooldownPeriod },
      isActive: false,
      currentReplicas: 4,
      now: at(now),
      ...(lastActive === undefined ? {} : { lastActiveTime: at(lastActive) }),
    });
    expect(decision.action).toBe(action);
    expect(decision.replicas).toBe(replicas);
  });

  it('says when a cooling-down object will be scaled in', () => {
    const decision = decide({ isActive: false, currentReplicas: 2, lastActiveTime: at(500), now: at(600) });
    expect(decision).toMatchObject({ action: 'cooling-down', cooldownEndsAt: at(800) + 1 });
    expect(decision.message).toBe('triggers are inactive: cooling down, scale to 0 once cooldownPeriod (300s) after the last active time has passed');
  });

  it.each([
    // min, idle, current → action, replicas
    [0, undefined, 0, 'none', undefined], // already at zero
    [2, undefined, 5, 'none', undefined], // the HPA scales down to min; KEDA leaves it
    [2, undefined, 1, 'set-min', 2], // below min without idle mode
    [2, undefined, 0, 'set-min', 2],
    [2, 0, 5, 'deactivate', 0], // idle mode: to idleReplicaCount
    [3, 1, 2, 'deactivate', 1],
    [3, 1, 1, 'none', undefined], // already idle
    [3, 1, 0, 'none', undefined], // below idle: KEDA does not touch it
  ] as const)('min %s idle %s current %s → %s %s', (minReplicaCount, idleReplicaCount, currentReplicas, action, replicas) => {
    const spec = { ...SPEC, minReplicaCount, ...(idleReplicaCount === undefined ? {} : { idleReplicaCount }) };
    const decision = decide({ spec, isActive: false, currentReplicas });
    expect(decision.action).toBe(action);
    expect(decision.replicas).toBe(replicas);
  });
});

describe('requestScale: errors and fallback', () => {
  const fallback = (replicas: number) => ({ failureThreshold: 3, replicas, behavior: 'static' as const });

  it('never scales to zero while a trigger fails and fallback.replicas is not 0', () => {
    const decision = decide({ spec: { ...SPEC, fallback: fallback(4) }, isActive: false, isError: true, currentReplicas: 2 });
    expect(decision.action).toBe('hold-for-fallback');
    expect(decision.replicas).toBeUndefined();
  });

  it('with fallback.replicas 0, a failing inactive object scales to zero as usual', () => {
    expect(decide({ spec: { ...SPEC, fallback: fallback(0) }, isActive: false, isError: true, currentReplicas: 2 })).toMatchObject({ action: 'deactivate', replicas: 0 });
  });

  it('without fallback, a failing inactive object keeps its replicas (TriggerError)', () => {
    const decision = decide({ isActive: false, isError: true, currentReplicas: 2 });
    expect(decision.action).toBe('trigger-error');
    expect(decision.replicas).toBeUndefined();
  });
});

describe('requestScale: annotations', () => {
  it('pauses, with or without a replica count', () => {
    expect(decide({ annotations: { 'autoscaling.keda.sh/paused': 'true' }, isActive: true, currentReplicas: 0 })).toMatchObject({ action: 'paused' });
    expect(decide({ annotations: { 'autoscaling.keda.sh/paused': 'false' }, isActive: true, currentReplicas: 0 })).toMatchObject({ action: 'activate' });
    expect(decide({ annotations: { 'autoscaling.keda.sh/paused-replicas': '3' }, isActive: false, currentReplicas: 7 })).toMatchObject({ action: 'paused', replicas: 3 });
  });

  it('forces activation, and pauses scale-in and scale-out', () => {
    expect(decide({ annotations: { 'autoscaling.keda.sh/force-activation': 'true' }, isActive: false, currentReplicas: 0 })).toMatchObject({ action: 'activate', replicas: 1 });
    expect(decide({ annotations: { 'autoscaling.keda.sh/paused-scale-out': 'yes' }, isActive: true, currentReplicas: 0 }).action).toBe('none');
    expect(decide({ annotations: { 'autoscaling.keda.sh/paused-scale-in': 'true' }, isActive: false, currentReplicas: 3 }).action).toBe('none');
  });
});
