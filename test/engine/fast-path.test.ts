import { afterEach, describe, expect, it } from 'vitest';
import { MetricUnavailableError, staticReplicaSource, TriggerFailure, type ReadEvent } from '@updraft/core';
import { SO, setup } from './controllable-scaler.js';

let env: ReturnType<typeof setup>;
afterEach(() => env.dispose());

describe('readMetric’s fast path: the answer from memory, without a promise', () => {
  it('returns the fresh value itself, with the onRead event of a cache hit', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine({ triggers: [{ source: 'queue' }], pollingInterval: 10 });
    const reads: ReadEvent[] = [];
    engine.subscribe({ onRead: (e) => reads.push(e) });
    const first = engine.readMetric(SO, 's0-test-queue');
    expect(first).toBeInstanceOf(Promise);
    await first;
    queue.value = 9;
    await env.clock.advance(15_000); // exactly at the freshness bound: still fresh
    const fast = engine.readMetric(SO, 'S0-TEST-QUEUE');
    expect(fast).not.toBeInstanceOf(Promise);
    expect(fast).toMatchObject({ metricName: 's0-test-queue', values: [{ value: 5 }], fallback: false });
    expect(queue.calls).toBe(1);
    expect(reads.map((e) => [e.cacheHit, e.outcome, e.metricName])).toEqual([
      [false, 'value', 's0-test-queue'],
      [true, 'value', 's0-test-queue'],
    ]);
    expect(engine.stats()).toMatchObject({ reads: 2, cacheHits: 1, cacheMisses: 1, fetches: 1 });
    // One value record, one MetricRead: reads of the same record get the same object.
    expect(engine.readMetric(SO, 's0-test-queue')).toBe(fast);
  });

  it('returns a promise, fetching once, when the value is missing or stale; a rejected one for an unknown name or a closed engine', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine({ triggers: [{ source: 'queue' }], pollingInterval: 10 });
    expect(engine.readMetric(SO, 's0-test-queue')).toBeInstanceOf(Promise);
    await flushReads();
    expect(queue.calls).toBe(1);
    await env.clock.advance(15_001);
    const stale = engine.readMetric(SO, 's0-test-queue');
    expect(stale).toBeInstanceOf(Promise);
    await stale;
    expect(queue.calls).toBe(2);
    await expect(engine.readMetric(SO, 's1-nothing')).rejects.toThrow(/no matching metrics found for s1-nothing/);
    await expect(engine.readMetric({ namespace: 'default', name: 'other' }, 's0-test-queue')).rejects.toThrow('no ScaledObject default/other is served');
    await engine.close();
    await expect(engine.readMetric(SO, 's0-test-queue')).rejects.toThrow('the scaling engine is closed');
  });

  it('serves the last polled record with useCachedMetrics, however old', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'queue', useCachedMetrics: true }], pollingInterval: 10 });
    await engine.readMetric(SO, 's0-test-queue');
    await env.clock.advance(3_600_000);
    const read = engine.readMetric(SO, 's0-test-queue');
    expect(read).not.toBeInstanceOf(Promise);
    expect((read as Awaited<typeof read>).values[0]!.value).toBe(5);
  });

  it('fails with a rejected promise even from memory, the error carrying the trigger failure as its cause', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine({ triggers: [{ source: 'queue' }] });
    queue.mode = 'reject';
    const error = await Promise.resolve(engine.readMetric(SO, 's0-test-queue')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricUnavailableError);
    expect((error as Error).cause).toBeInstanceOf(TriggerFailure);
    expect((error as Error).cause).toMatchObject({ stage: 'value', kind: 'unreachable' });
    const reads: ReadEvent[] = [];
    engine.subscribe({ onRead: (e) => reads.push(e) });
    // The failure is fresh: readMetric answers it from memory, and fails.
    const again = engine.readMetric(SO, 's0-test-queue');
    expect(again).toBeInstanceOf(Promise);
    await expect(again).rejects.toThrow(MetricUnavailableError);
    expect(reads.map((e) => [e.cacheHit, e.outcome])).toEqual([[true, 'error']]);
    expect(queue.calls).toBe(1);
  });

  it('answers fallback’s value from memory', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine(
      { triggers: [{ source: 'queue', target: 10 }], minReplicaCount: 0, fallback: { failureThreshold: 1, replicas: 6, behavior: 'currentReplicas' } },
      { backoff: { initialMs: 1, maxMs: 1 }, replicas: staticReplicaSource({ currentReplicas: 3, readyReplicas: 2 }) },
    );
    queue.mode = 'reject';
    await expect(engine.readMetric(SO, 's0-test-queue')).rejects.toThrow(MetricUnavailableError);
    await env.clock.advance(45_001); // stale: the next read fetches, fails again, and fallback applies
    const read = await engine.readMetric(SO, 's0-test-queue');
    expect(read).toMatchObject({ fallback: true, values: [{ value: 30 }] });
    const fast = engine.readMetric(SO, 's0-test-queue');
    expect(fast).not.toBeInstanceOf(Promise);
    expect(fast).toEqual(read);
    expect(queue.calls).toBe(2);
  });

  it('returns a promise when fallback needs an asynchronous ReplicaSource', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine(
      { triggers: [{ source: 'queue', target: 10 }], minReplicaCount: 0, fallback: { failureThreshold: 0, replicas: 6, behavior: 'currentReplicas' } },
      { replicas: { replicaCounts: async () => ({ currentReplicas: 4 }) } },
    );
    queue.mode = 'reject';
    expect(await engine.readMetric(SO, 's0-test-queue')).toMatchObject({ fallback: true, values: [{ value: 40 }] });
    const again = engine.readMetric(SO, 's0-test-queue');
    expect(again).toBeInstanceOf(Promise);
    expect(await again).toMatchObject({ fallback: true, values: [{ value: 40 }] });
  });

  it('computes the scalingModifiers composite from fresh values, and fetches when one is stale', async () => {
    env = setup();
    const engine = env.engine(
      { triggers: [{ source: 'a', name: 'a' }, { source: 'b', name: 'b' }], pollingInterval: 10, scalingModifiers: { formula: 'a + b', target: '2' } },
    );
    env.source('a').value = 3;
    env.source('b').value = 4;
    const reads: ReadEvent[] = [];
    engine.subscribe({ onRead: (e) => reads.push(e) });
    const read = await engine.readMetric(SO, 'composite-metric');
    const fast = engine.readMetric(SO, 'composite-metric');
    expect(fast).not.toBeInstanceOf(Promise);
    expect(fast).toEqual(read);
    expect(read).toMatchObject({ values: [{ value: 7 }], fallback: false });
    expect(reads.map((e) => e.cacheHit)).toEqual([false, false, true, true]);
    await env.clock.advance(15_001);
    const stale = engine.readMetric(SO, 'composite-metric');
    expect(stale).toBeInstanceOf(Promise);
    await stale;
    await expect(engine.readMetric(SO, 's0-test-a')).rejects.toThrow(/no matching metrics found/);
  });
});

function flushReads(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
