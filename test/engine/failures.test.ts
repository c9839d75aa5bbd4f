import { afterEach, describe, expect, it } from 'vitest';
import { MetricUnavailableError, type FetchEvent } from '@updraft/core';
import { SO, START, setup } from './controllable-scaler.js';

let env: ReturnType<typeof setup>;
afterEach(() => env.dispose());

describe('timeouts', () => {
  it('a scaler that never answers fails within the timeout, counts as a failure, and is aborted', async () => {
    env = setup();
    const queue = env.source('queue');
    queue.mode = 'hang';
    const engine = env.engine({ triggers: [{ source: 'queue' }] }, { timeoutMs: 2_000 });
    let settled = false;
    const read = Promise.resolve(engine.readMetric(SO, 's0-test-queue')).finally(() => (settled = true));
    read.catch(() => undefined);
    await env.clock.advance(1_999);
    expect(settled).toBe(false);
    await env.clock.advance(1);
    await expect(read).rejects.toThrow(new MetricUnavailableError('s0-test-queue', 'metric:s0-test-queue encountered error: controllable trigger 0: no answer within the 2000 ms timeout'));
    expect(queue.signals[0]!.aborted).toBe(true);
    const state = await engine.state(SO);
    expect(state.triggers[0]).toMatchObject({ error: { stage: 'timeout', errorKind: 'timeout' }, health: { numberOfFailures: 1, status: 'Failing' } });
    expect(engine.stats().failures).toEqual({ timeout: 1 });
  });

  it('defaults to 3 s, and takes a timeout per trigger', async () => {
    env = setup();
    env.source('slow').mode = 'hang';
    env.source('slower').mode = 'hang';
    const engine = env.engine({ triggers: [{ source: 'slow' }, { source: 'slower' }] }, {
      timeoutMs: (trigger) => (trigger.triggerIndex === 1 ? 5_000 : 3_000),
    });
    const times: Record<string, number> = {};
    engine.subscribe({ onFetch: (e) => void (times[e.metricName] = e.latencyMs) });
    const state = engine.state(SO);
    await env.clock.advance(5_000);
    await state;
    expect(times).toEqual({ 's0-test-slow': 3_000, 's1-test-slower': 5_000 });
  });
});

describe('isolation', () => {
  it('a hung trigger does not delay a sibling read, and a state read shows the sibling value', async () => {
    env = setup();
    env.source('stuck').mode = 'hang';
    const engine = env.engine({ triggers: [{ source: 'stuck' }, { source: 'fine' }] });
    // Reading the sibling answers at once: no clock movement needed.
    expect((await engine.readMetric(SO, 's1-test-fine')).values[0]!.value).toBe(5);
    const state = engine.state(SO);
    await env.clock.advance(3_000);
    const { triggers, active, isError } = await state;
    expect(triggers.map((t) => [t.metricName, t.value, t.error?.stage])).toEqual([
      ['s0-test-stuck', undefined, 'timeout'],
      ['s1-test-fine', 5, undefined],
    ]);
    expect({ active, isError }).toEqual({ active: true, isError: true });
  });

  it('a trigger that throws, at construction or on read, does not hide its siblings', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'broken' }, { source: 'down' }, { source: 'fine' }] });
    env.source('broken').createThrows = true;
    env.source('down').mode = 'reject';
    const state = await engine.state(SO);
    expect(state.triggers.map((t) => [t.value, t.error?.stage, t.error?.message])).toEqual([
      [undefined, 'construction', 'creating the controllable scaler failed: cannot connect to broken'],
      [undefined, 'value', 'source down is unreachable'],
      [5, undefined, undefined],
    ]);
    await expect(engine.readMetric(SO, 's0-test-broken')).rejects.toThrow(/cannot connect to broken/);
    expect((await engine.readMetric(SO, 's2-test-fine')).values[0]!.value).toBe(5);
  });

  it('one ScaledObject\'s failures do not touch another', async () => {
    env = setup();
    env.source('a').mode = 'hang';
    const engine = env.engine([
      { name: 'a', triggers: [{ source: 'a' }] },
      { name: 'b', triggers: [{ source: 'b' }] },
    ]);
    const stuck = Promise.resolve(engine.readMetric({ namespace: 'default', name: 'a' }, 's0-test-a'));
    stuck.catch(() => undefined);
    expect((await engine.readMetric({ namespace: 'default', name: 'b' }, 's0-test-b')).values[0]!.value).toBe(5);
    await env.clock.advance(3_000);
    await expect(stuck).rejects.toThrow(/timeout/);
  });
});

describe('rebuilds with backoff', () => {
  it('rebuilds a scaler whose construction fails, waiting 1 s, 2 s, 4 s, 8 s between attempts (polling every 1 s)', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'broken' }], pollingInterval: 1 });
    const broken = env.source('broken');
    broken.createThrows = true;
    const attempts: number[] = [];
    const fetches: FetchEvent[] = [];
    engine.subscribe({ onFetch: (e) => void (fetches.push(e), attempts.push(env.clock.now() - START)) });
    engine.start();
    await env.clock.advance(20_000);
    // The first poll at 0.5 s; after each failure the next attempt waits 1, 2, 4, 8 s; polls in between
    // do not ask the source, and still count as failures.
    expect(attempts).toEqual([500, 1_500, 3_500, 7_500, 15_500]);
    expect(fetches.every((e) => e.built && e.errorKind === 'construction')).toBe(true);
    const state = await engine.state(SO);
    expect(state.triggers[0]!.health).toEqual({ numberOfFailures: 20, status: 'Failing' });

    // Healed: the next attempt after the wait succeeds and the health resets.
    broken.createThrows = false;
    await env.clock.advance(16_000); // next attempt at 15.5 + 16 = 31.5 s
    expect(broken.creates).toBe(6);
    const healed = await engine.state(SO);
    expect(healed.triggers[0]).toMatchObject({ value: 5, health: { numberOfFailures: 0, status: 'Happy' } });
  });

  it('caps the wait, and spreads it with jitter', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'broken' }], pollingInterval: 1 }, { backoff: { initialMs: 1_000, maxMs: 3_000 }, random: () => 0.5 });
    env.source('broken').createThrows = true;
    const attempts: number[] = [];
    engine.subscribe({ onFetch: () => void attempts.push(env.clock.now() - START) });
    engine.start();
    await env.clock.advance(20_000);
    expect(attempts).toEqual([500, 1_500, 3_500, 6_500, 9_500, 12_500, 15_500, 18_500]);
  });

  it('closes each failed scaler exactly once and builds a new one', async () => {
    env = setup();
    const down = env.source('down');
    down.mode = 'reject';
    const engine = env.engine({ triggers: [{ source: 'down' }], pollingInterval: 1 }, { backoff: { initialMs: 1, maxMs: 1 } });
    engine.start();
    await env.clock.advance(5_000);
    expect(down.creates).toBe(5);
    expect(down.closesPerInstance).toEqual([1, 1, 1, 1, 1]);
    await engine.close();
    expect(down.closesPerInstance).toEqual([1, 1, 1, 1, 1]);
  });

  it('a scaler that worked and then fails is rebuilt and asked once more at once (a dropped connection)', async () => {
    env = setup();
    const flaky = env.source('flaky');
    const engine = env.engine({ triggers: [{ source: 'flaky' }] }, { maxAgeMs: 0 });
    await engine.readMetric(SO, 's0-test-flaky');
    expect([flaky.calls, flaky.creates]).toEqual([1, 1]);

    flaky.failNext = 1;
    flaky.value = 6;
    await env.clock.advance(1);
    expect((await engine.readMetric(SO, 's0-test-flaky')).values[0]!.value).toBe(6);
    expect([flaky.calls, flaky.creates, flaky.closes]).toEqual([3, 2, 1]);
    expect((await engine.state(SO)).triggers[0]!.health.numberOfFailures).toBe(0);

    // Failed, rebuilt, asked again, failed again: one failure counted.
    flaky.mode = 'reject';
    await env.clock.advance(1);
    await expect(engine.readMetric(SO, 's0-test-flaky')).rejects.toThrow('source flaky is unreachable');
    expect([flaky.calls, flaky.creates]).toEqual([5, 3]);
    expect((await engine.state(SO)).triggers[0]!.health.numberOfFailures).toBe(1);

    // While it keeps failing there is no second call per attempt, and none within the backoff.
    await env.clock.advance(500);
    await expect(engine.readMetric(SO, 's0-test-flaky')).rejects.toThrow('source flaky is unreachable');
    expect(flaky.calls).toBe(5);
    await env.clock.advance(500);
    await expect(engine.readMetric(SO, 's0-test-flaky')).rejects.toThrow('source flaky is unreachable');
    expect(flaky.calls).toBe(6);
  });

  it('a scaler whose specs fail, are empty or miss the metric is a spec failure, closed and rebuilt', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine({ triggers: [{ source: 'queue' }] }, { maxAgeMs: 0, backoff: { initialMs: 1, maxMs: 1 } });
    const messages: string[] = [];
    for (const flag of ['specsThrow', 'specsEmpty', 'specsWrongName'] as const) {
      queue[flag] = true;
      await env.clock.advance(10);
      const state = await engine.state(SO);
      expect(state.triggers[0]!.error?.stage).toBe('spec');
      messages.push(state.triggers[0]!.error!.message);
      queue[flag] = false;
    }
    expect(messages).toEqual([
      "the controllable scaler's metric specs failed: the spec cannot be computed",
      'got empty metric spec from the controllable scaler',
      "the controllable scaler's metric specs (s0-test-other) do not include s0-test-queue",
    ]);
    expect(queue.closesPerInstance).toEqual([1, 1, 1]);
    await env.clock.advance(10);
    expect((await engine.state(SO)).triggers[0]!.value).toBe(5);
  });
});

describe('logging', () => {
  it('warns once when a trigger starts failing or its error changes, and says when it recovers', async () => {
    env = setup();
    const logged: [string, string][] = [];
    const record = (level: string) => (_obj: object, msg?: string) => void logged.push([level, msg ?? '']);
    const logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
    const engine = env.engine({ triggers: [{ source: 'queue' }], pollingInterval: 1 }, { logger, backoff: { initialMs: 1, maxMs: 1 } });
    const queue = env.source('queue');
    engine.start();
    await env.clock.advance(1_000);
    queue.mode = 'reject';
    await env.clock.advance(5_000);
    queue.mode = 'value';
    await env.clock.advance(1_000);
    expect(logged.filter(([level]) => level !== 'debug')).toEqual([
      ['warn', 'trigger failing'],
      ['info', 'trigger recovered'],
    ]);
    expect(logged.filter(([, msg]) => msg === 'metric source call failed').length).toBeGreaterThanOrEqual(5);
  });
});
