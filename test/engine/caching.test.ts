import { afterEach, describe, expect, it } from 'vitest';
import type { FetchEvent, ReadEvent, TriggerChangeEvent } from '@updraft/core';
import { SO, setup } from './controllable-scaler.js';

let env: ReturnType<typeof setup>;
afterEach(() => env.dispose());

describe('reads are served from memory, and a stale value is fetched once', () => {
  it('100 concurrent reads of a missing value make exactly 1 call, and all get its answer', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine({ triggers: [{ source: 'queue' }] });
    const open = queue.hold();
    const reads = Array.from({ length: 100 }, () => engine.readMetric(SO, 's0-test-queue'));
    await env.clock.advance(0);
    expect(queue.calls).toBe(1);
    open();
    const results = await Promise.all(reads);
    expect(results.every((read) => read.values[0]!.value === 5)).toBe(true);
    expect(queue.calls).toBe(1);
    expect(engine.stats()).toMatchObject({ reads: 100, cacheMisses: 100, cacheHits: 0, fetches: 1 });
  });

  it('100 concurrent reads of a stale value make exactly 1 call', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine({ triggers: [{ source: 'queue' }], pollingInterval: 10 });
    await engine.readMetric(SO, 's0-test-queue');
    expect(queue.calls).toBe(1);
    // Default freshness: 1.5 × pollingInterval = 15 s.
    await env.clock.advance(15_001);
    queue.value = 9;
    const open = queue.hold();
    const reads = Array.from({ length: 100 }, () => engine.readMetric(SO, 's0-test-queue'));
    await env.clock.advance(0);
    open();
    const results = await Promise.all(reads);
    expect(queue.calls).toBe(2);
    expect(new Set(results.map((read) => read.values[0]!.value))).toEqual(new Set([9]));
  });

  it('fresh reads make no call', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine({ triggers: [{ source: 'queue' }], pollingInterval: 10 });
    await engine.readMetric(SO, 's0-test-queue');
    queue.value = 9;
    await env.clock.advance(15_000); // exactly at the freshness bound: still fresh
    const results = await Promise.all(Array.from({ length: 50 }, () => engine.readMetric(SO, 's0-test-queue')));
    expect(queue.calls).toBe(1);
    expect(results.every((read) => read.values[0]!.value === 5)).toBe(true);
    expect(engine.stats()).toMatchObject({ reads: 51, cacheHits: 50, cacheMisses: 1, fetches: 1 });
  });

  it('takes maxAgeMs as the freshness bound when given', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine({ triggers: [{ source: 'queue' }], pollingInterval: 30 }, { maxAgeMs: 1_000 });
    await engine.readMetric(SO, 's0-test-queue');
    await env.clock.advance(1_001);
    await engine.readMetric(SO, 's0-test-queue');
    expect(queue.calls).toBe(2);
  });

  it('useCachedMetrics serves the last polled record and never reads live, however old', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine({ triggers: [{ source: 'queue', useCachedMetrics: true }], pollingInterval: 60 });
    engine.start();
    await env.clock.advance(30_000); // random 0.5: the first poll falls half-way through the interval
    expect(queue.calls).toBe(1);
    queue.value = 9;
    await env.clock.advance(59_000); // 1.5 intervals would be stale without useCachedMetrics
    await env.clock.advance(0);
    expect((await engine.readMetric(SO, 's0-test-queue')).values[0]!.value).toBe(5);
    expect(queue.calls).toBe(1);
    await env.clock.advance(1_000); // the next poll
    expect(queue.calls).toBe(2);
    expect((await engine.readMetric(SO, 's0-test-queue')).values[0]!.value).toBe(9);
    expect(queue.calls).toBe(2);
  });

  it('useCachedMetrics still answers before the first poll, with one fetch', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine({ triggers: [{ source: 'queue', useCachedMetrics: true }] });
    const [a, b] = await Promise.all([engine.readMetric(SO, 's0-test-queue'), engine.readMetric(SO, 's0-test-queue')]);
    expect([a.values[0]!.value, b.values[0]!.value]).toEqual([5, 5]);
    expect(queue.calls).toBe(1);
  });

  it('matches metric names case-insensitively, as KEDA does', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'Queue' }] });
    expect(engine.metricSpecs(SO).map((spec) => spec.metricName)).toEqual(['s0-test-Queue']);
    expect((await engine.readMetric(SO, 's0-test-queue')).metricName).toBe('s0-test-Queue');
    await expect(engine.readMetric(SO, 's1-nothing')).rejects.toThrow('no matching metrics found for s1-nothing in ScaledObject default/worker; it serves s0-test-Queue');
    await expect(engine.readMetric({ namespace: 'default', name: 'other' }, 'x')).rejects.toThrow('no ScaledObject default/other is served');
  });
});

describe('background polling', () => {
  it('spreads the first poll over the interval, then polls every interval', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine({ triggers: [{ source: 'queue' }], pollingInterval: 10 }, { random: () => 0.25 });
    engine.start();
    await env.clock.advance(2_499);
    expect(queue.calls).toBe(0);
    await env.clock.advance(1); // 0.25 × 10 s
    expect(queue.calls).toBe(1);
    // Jitter: random 0.25 moves each interval by 0.1 × (2 × 0.25 − 1) = −5%: 9.5 s.
    await env.clock.advance(9_499);
    expect(queue.calls).toBe(1);
    await env.clock.advance(1);
    expect(queue.calls).toBe(2);
    await env.clock.advance(9_500);
    expect(queue.calls).toBe(3);
  });

  it('keeps the interval within ±10% and spreads many objects over the interval', async () => {
    env = setup();
    let next = 0;
    const randoms = [0, 0.999, 0.5, 0.1, 0.9, 0.3, 0.7];
    const specs = Array.from({ length: 7 }, (_, i) => ({ name: `so-${i}`, pollingInterval: 100, triggers: [{ source: `q${i}` }] }));
    const engine = env.engine(specs, { random: () => randoms[next++ % randoms.length]! });
    const firstPolls = new Map<string, number>();
    engine.subscribe({ onFetch: (event) => void (firstPolls.has(event.trigger.scaledObject) || firstPolls.set(event.trigger.scaledObject, env.clock.now())) });
    engine.start();
    await env.clock.advance(100_000);
    const offsets = [...firstPolls.values()].map((t) => t - env.clock.now() + 100_000);
    expect(offsets).toHaveLength(7);
    // Each object's first poll is at random × interval: all different, all inside the first interval.
    expect(new Set(offsets).size).toBe(7);
    expect(offsets.every((offset) => offset >= 0 && offset < 100_000)).toBe(true);
    // Every later poll falls 90-110 s after the previous one.
    await env.clock.advance(1_000_000);
    for (let i = 0; i < 7; i++) {
      const source = env.source(`q${i}`);
      expect(source.calls).toBeGreaterThanOrEqual(9);
      expect(source.calls).toBeLessThanOrEqual(12);
    }
  });

  it('a live read moves the next poll, so the source is asked about once per interval', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine({ triggers: [{ source: 'queue' }], pollingInterval: 10 });
    engine.start(); // first poll at 5 s
    await env.clock.advance(4_000);
    await engine.readMetric(SO, 's0-test-queue'); // missing: fetched live at 4 s
    expect(queue.calls).toBe(1);
    await env.clock.advance(9_999);
    expect(queue.calls).toBe(1);
    await env.clock.advance(1); // 4 s + 10 s
    expect(queue.calls).toBe(2);
  });
});

describe('events', () => {
  it('reports every read with latency, outcome and cache hit, and every fetch with its reason', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine({ triggers: [{ source: 'queue' }], pollingInterval: 10 });
    const reads: ReadEvent[] = [];
    const fetches: FetchEvent[] = [];
    const changes: TriggerChangeEvent[] = [];
    engine.subscribe({ onRead: (e) => reads.push(e), onFetch: (e) => fetches.push(e), onTriggerChange: (e) => changes.push(e) });
    const open = queue.hold();
    const read = engine.readMetric(SO, 's0-test-queue');
    await env.clock.advance(250);
    open();
    await read;
    await engine.readMetric(SO, 's0-test-queue');
    const trigger = { namespace: 'default', scaledObject: 'worker', triggerIndex: 0, triggerType: 'controllable' };
    expect(reads).toEqual([
      { trigger, metricName: 's0-test-queue', latencyMs: 250, outcome: 'value', cacheHit: false },
      { trigger, metricName: 's0-test-queue', latencyMs: 0, outcome: 'value', cacheHit: true },
    ]);
    expect(fetches).toEqual([{ trigger, metricName: 's0-test-queue', latencyMs: 250, outcome: 'value', reason: 'read', built: true }]);
    expect(changes).toEqual([{ trigger, metricName: 's0-test-queue', value: 5, active: true, health: { numberOfFailures: 0, status: 'Happy' } }]);

    queue.mode = 'reject';
    engine.start();
    await env.clock.advance(10_000);
    expect(fetches.at(-1)).toMatchObject({ outcome: 'error', errorKind: 'unreachable', reason: 'poll' });
    expect(changes.at(-1)).toMatchObject({ error: 'source queue is unreachable', health: { numberOfFailures: 1, status: 'Failing' } });
  });

  it('counts empty answers, whether the trigger makes a value of them or not', async () => {
    env = setup();
    const queue = env.source('queue');
    queue.mode = 'empty-as-zero';
    const engine = env.engine({ triggers: [{ source: 'queue' }] }, { maxAgeMs: 0 });
    const reads: ReadEvent[] = [];
    engine.subscribe({ onRead: (e) => reads.push(e) });
    expect((await engine.readMetric(SO, 's0-test-queue')).values[0]!.value).toBe(0);
    queue.mode = 'empty';
    await env.clock.advance(1);
    await expect(engine.readMetric(SO, 's0-test-queue')).rejects.toThrow(
      "metric:s0-test-queue encountered error: controllable trigger 0: the source answered with no data (no series), and the trigger's empty policy makes that an error",
    );
    expect(reads.map((e) => [e.outcome, e.errorKind])).toEqual([
      ['empty', undefined],
      ['error', 'empty'],
    ]);
    expect(engine.stats()).toMatchObject({ emptyAnswers: 2, failures: { empty: 1 } });
  });

  it('a listener that throws does not break reads', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'queue' }] });
    engine.subscribe({ onRead: () => { throw new Error('boom'); } });
    const unsubscribe = engine.subscribe({ onRead: () => undefined });
    unsubscribe();
    expect((await engine.readMetric(SO, 's0-test-queue')).values[0]!.value).toBe(5);
  });
});
