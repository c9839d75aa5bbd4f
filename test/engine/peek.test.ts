import { afterEach, describe, expect, it } from 'vitest';
import { MetricUnavailableError, staticReplicaSource, TriggerFailure, type ReadEvent } from '@updraft/core';
import { SO, setup } from './controllable-scaler.js';

let env: ReturnType<typeof setup>;
afterEach(() => env.dispose());

describe('peekMetric: readMetric’s answer from memory, synchronously', () => {
  it('returns the fresh value as readMetric does, with the same onRead event (a cache hit)', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine({ triggers: [{ source: 'queue' }], pollingInterval: 10 });
    const reads: ReadEvent[] = [];
    engine.subscribe({ onRead: (e) => reads.push(e) });
    await engine.readMetric(SO, 's0-test-queue');
    queue.value = 9;
    await env.clock.advance(15_000); // exactly at the freshness bound: still fresh
    const peeked = engine.peekMetric(SO, 'S0-TEST-QUEUE');
    expect(peeked).toEqual(await engine.readMetric(SO, 's0-test-queue'));
    expect(peeked).toMatchObject({ metricName: 's0-test-queue', values: [{ value: 5 }], fallback: false });
    expect(queue.calls).toBe(1);
    expect(reads.map((e) => [e.cacheHit, e.outcome, e.metricName])).toEqual([
      [false, 'value', 's0-test-queue'],
      [true, 'value', 's0-test-queue'],
      [true, 'value', 's0-test-queue'],
    ]);
    expect(engine.stats()).toMatchObject({ reads: 3, cacheHits: 2, cacheMisses: 1, fetches: 1 });
    // One value record, one MetricRead: reads of the same record get the same object.
    expect(engine.peekMetric(SO, 's0-test-queue')).toBe(peeked);
  });

  it('returns undefined, fetching and telling nothing, when the value is missing or stale, or the name unknown', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine({ triggers: [{ source: 'queue' }], pollingInterval: 10 });
    const reads: ReadEvent[] = [];
    engine.subscribe({ onRead: (e) => reads.push(e) });
    expect(engine.peekMetric(SO, 's0-test-queue')).toBeUndefined();
    expect(queue.calls).toBe(0);
    await engine.readMetric(SO, 's0-test-queue');
    await env.clock.advance(15_001);
    expect(engine.peekMetric(SO, 's0-test-queue')).toBeUndefined();
    expect(engine.peekMetric(SO, 's1-nothing')).toBeUndefined();
    expect(engine.peekMetric({ namespace: 'default', name: 'other' }, 's0-test-queue')).toBeUndefined();
    expect(queue.calls).toBe(1);
    expect(reads).toHaveLength(1);
    expect(engine.stats()).toMatchObject({ reads: 1, cacheHits: 0 });
    await engine.close();
    expect(engine.peekMetric(SO, 's0-test-queue')).toBeUndefined();
  });

  it('serves the last polled record with useCachedMetrics, however old', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'queue', useCachedMetrics: true }], pollingInterval: 10 });
    await engine.readMetric(SO, 's0-test-queue');
    await env.clock.advance(3_600_000);
    expect(engine.peekMetric(SO, 's0-test-queue')?.values[0]!.value).toBe(5);
  });

  it('returns undefined when readMetric would fail, and readMetric’s error carries the trigger failure as its cause', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine({ triggers: [{ source: 'queue' }] });
    queue.mode = 'reject';
    const error = await engine.readMetric(SO, 's0-test-queue').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MetricUnavailableError);
    expect((error as Error).cause).toBeInstanceOf(TriggerFailure);
    expect((error as Error).cause).toMatchObject({ stage: 'value', kind: 'unreachable' });
    const reads: ReadEvent[] = [];
    engine.subscribe({ onRead: (e) => reads.push(e) });
    // The failure is fresh: readMetric answers it from memory, and fails.
    expect(engine.peekMetric(SO, 's0-test-queue')).toBeUndefined();
    expect(reads).toEqual([]);
    await expect(engine.readMetric(SO, 's0-test-queue')).rejects.toThrow(MetricUnavailableError);
    expect(queue.calls).toBe(1);
  });

  it('agrees with readMetric on fallback’s value', async () => {
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
    expect(engine.peekMetric(SO, 's0-test-queue')).toEqual(read);
    expect(queue.calls).toBe(2);
  });

  it('returns undefined when fallback needs an asynchronous ReplicaSource; readMetric waits for it', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine(
      { triggers: [{ source: 'queue', target: 10 }], minReplicaCount: 0, fallback: { failureThreshold: 0, replicas: 6, behavior: 'currentReplicas' } },
      { replicas: { replicaCounts: async () => ({ currentReplicas: 4 }) } },
    );
    queue.mode = 'reject';
    expect(await engine.readMetric(SO, 's0-test-queue')).toMatchObject({ fallback: true, values: [{ value: 40 }] });
    expect(engine.peekMetric(SO, 's0-test-queue')).toBeUndefined();
    expect(await engine.readMetric(SO, 's0-test-queue')).toMatchObject({ fallback: true, values: [{ value: 40 }] });
  });

  it('computes the scalingModifiers composite from fresh values, and not when one is stale', async () => {
    env = setup();
    const engine = env.engine(
      { triggers: [{ source: 'a', name: 'a' }, { source: 'b', name: 'b' }], pollingInterval: 10, scalingModifiers: { formula: 'a + b', target: '2' } },
    );
    env.source('a').value = 3;
    env.source('b').value = 4;
    const reads: ReadEvent[] = [];
    engine.subscribe({ onRead: (e) => reads.push(e) });
    const read = await engine.readMetric(SO, 'composite-metric');
    expect(engine.peekMetric(SO, 'composite-metric')).toEqual(read);
    expect(read).toMatchObject({ values: [{ value: 7 }], fallback: false });
    expect(reads.map((e) => e.cacheHit)).toEqual([false, false, true, true]);
    await env.clock.advance(15_001);
    expect(engine.peekMetric(SO, 'composite-metric')).toBeUndefined();
    expect(engine.peekMetric(SO, 's0-test-a')).toBeUndefined();
  });
});
