import { afterEach, describe, expect, it } from 'vitest';
import { MetricUnavailableError, staticReplicaSource, type MetricRead, type ScalingEngine } from '@updraft/core';
import { SO, setup, type Source } from './controllable-scaler.js';

let env: ReturnType<typeof setup>;
afterEach(() => env.dispose());

/** How each failure path is provoked on a trigger that loaded fine. */
const PATHS: Record<string, (source: Source) => void> = {
  construction: (source) => void (source.createThrows = true),
  spec: (source) => void (source.specsThrow = true),
  value: (source) => void (source.mode = 'reject'),
  timeout: (source) => void (source.mode = 'hang'),
  'empty-as-error': (source) => void (source.mode = 'empty'),
};
const STAGES: Record<string, string> = { construction: 'construction', spec: 'spec', value: 'value', timeout: 'timeout', 'empty-as-error': 'empty' };

/** One read that is a fresh attempt: past the freshness bound and the backoff, with time for a timeout. */
async function attempt(engine: ScalingEngine): Promise<MetricRead> {
  await env.clock.advance(1);
  const read = Promise.resolve(engine.readMetric(SO, 's0-test-queue'));
  read.catch(() => undefined);
  await env.clock.advance(3_000);
  return read;
}

function failingEngine(path: string, metricType: 'AverageValue' | 'Value', behavior: string, counts: { currentReplicas: number; readyReplicas: number }) {
  env = setup();
  const engine = env.engine(
    { triggers: [{ source: 'queue', target: 10, metricType }], minReplicaCount: 0, fallback: { failureThreshold: 2, replicas: 6, behavior } },
    { maxAgeMs: 0, backoff: { initialMs: 1, maxMs: 1 }, replicas: staticReplicaSource(counts) },
  );
  PATHS[path]!(env.source('queue'));
  return engine;
}

describe.each(Object.keys(PATHS))('fallback on a %s failure', (path) => {
  describe.each(['AverageValue', 'Value'] as const)('%s', (metricType) => {
    // current 3, ready 2, fallback.replicas 6: each behaviour picks a different count.
    it.each([
      ['static', 6],
      ['currentReplicas', 3],
      ['currentReplicasIfHigher', 6],
      ['currentReplicasIfLower', 3],
    ])('%s: errors while failures ≤ failureThreshold, then serves the value that makes the HPA choose %s', async (behavior, replicas) => {
      const counts = { currentReplicas: 3, readyReplicas: 2 };
      const engine = failingEngine(path, metricType, behavior, counts);
      for (let failures = 1; failures <= 2; failures++) {
        await expect(attempt(engine)).rejects.toThrow(MetricUnavailableError);
      }
      const read = await attempt(engine);
      const expected = metricType === 'AverageValue' ? 10 * replicas : (10 * replicas) / counts.readyReplicas;
      expect(read).toMatchObject({ metricName: 's0-test-queue', fallback: true });
      expect(read.values.map((v) => v.value)).toEqual([expected]);

      await env.clock.advance(1);
      const decision = engine.evaluate(SO, counts);
      await env.clock.advance(3_000);
      const { state, hpa, desiredReplicas } = await decision;
      expect(state.triggers[0]).toMatchObject({ error: { stage: STAGES[path] }, health: { numberOfFailures: 4, status: 'Failing' } });
      expect(state.fallbackActive).toBe(true);
      expect(state.metrics[0]).toMatchObject({ fallback: { replicas } });
      expect(hpa?.metricDesiredReplicas).toBe(replicas);
      expect(desiredReplicas).toBe(replicas);
    });
  });
});

describe('fallback', () => {
  it('is strict: with failureThreshold 0 the first failure falls back', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'queue', target: 10 }], fallback: { failureThreshold: 0, replicas: 2 } }, { maxAgeMs: 0 });
    env.source('queue').mode = 'reject';
    expect((await engine.readMetric(SO, 's0-test-queue')).values[0]!.value).toBe(20);
  });

  it('recovers: the next good value clears the health and the fallback', async () => {
    const engine = failingEngine('value', 'AverageValue', 'static', { currentReplicas: 3, readyReplicas: 3 });
    for (let i = 0; i < 3; i++) await attempt(engine).catch(() => undefined);
    env.source('queue').mode = 'value';
    const read = await attempt(engine);
    expect(read).toMatchObject({ fallback: false, values: [{ value: 5 }] });
    expect((await engine.state(SO)).triggers[0]!.health).toEqual({ numberOfFailures: 0, status: 'Happy' });
  });

  it('a Value fallback with 0 ready replicas is an error', async () => {
    const engine = failingEngine('value', 'Value', 'static', { currentReplicas: 3, readyReplicas: 0 });
    for (let i = 0; i < 2; i++) await attempt(engine).catch(() => undefined);
    await expect(attempt(engine)).rejects.toThrow(
      'metric:s0-test-queue encountered error: controllable trigger 0: source queue is unreachable; fallback cannot apply: a Value fallback divides by the ready replicas, and there are 0 ready replicas',
    );
  });

  it('a behaviour that needs the current count, without a ReplicaSource, is an error that says so', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'queue' }], fallback: { failureThreshold: 0, replicas: 2, behavior: 'currentReplicas' } });
    env.source('queue').mode = 'reject';
    await expect(engine.readMetric(SO, 's0-test-queue')).rejects.toThrow(/fallback behavior currentReplicas needs the current replica count, and none is known \(give the engine a ReplicaSource\)/);
  });

  it('does not scale to zero while a trigger fails and fallback.replicas is not 0; the HPA gets the fallback', async () => {
    const engine = failingEngine('value', 'AverageValue', 'static', { currentReplicas: 3, readyReplicas: 3 });
    for (let i = 0; i < 3; i++) await attempt(engine).catch(() => undefined);
    const decision = await engine.evaluate(SO, { currentReplicas: 3 });
    expect(decision.state).toMatchObject({ active: false, isError: true, fallbackActive: true });
    expect(decision.keda.action).toBe('hold-for-fallback');
    expect(decision).toMatchObject({ decidedBy: 'hpa', desiredReplicas: 6 });
  });

  it('without fallback, a failing trigger blocks the HPA and KEDA leaves the replicas alone', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'queue' }], minReplicaCount: 0 });
    env.source('queue').mode = 'reject';
    const decision = await engine.evaluate(SO, { currentReplicas: 3 });
    expect(decision.keda.action).toBe('trigger-error');
    expect(decision.hpa).toMatchObject({ reason: 'FailedGetExternalMetric', desiredReplicas: 3 });
    expect(decision.desiredReplicas).toBe(3);
  });

  it('only the failing trigger falls back; a sibling keeps serving its own value', async () => {
    env = setup();
    const engine = env.engine(
      { triggers: [{ source: 'down', target: 10 }, { source: 'fine', target: 1 }], fallback: { failureThreshold: 0, replicas: 4 } },
      { replicas: staticReplicaSource({ currentReplicas: 2 }) },
    );
    env.source('down').mode = 'reject';
    const state = await engine.state(SO);
    expect(state.metrics.map((m) => [m.metricName, m.values, m.fallback?.replicas])).toEqual([
      ['s0-test-down', [40], 4],
      ['s1-test-fine', [5], undefined],
    ]);
    // The HPA takes the larger proposal: 5 from the healthy trigger, over fallback's 4.
    const decision = await engine.evaluate(SO, { currentReplicas: 3 });
    expect(decision.desiredReplicas).toBe(5);
  });
});
