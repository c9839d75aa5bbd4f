import { afterEach, describe, expect, it } from 'vitest';
import { EngineClosedError } from '@updraft/core';
import { SO, flush, setup } from './controllable-scaler.js';

let env: ReturnType<typeof setup>;
afterEach(() => env.dispose());

describe('closing', () => {
  it('waits for reads in flight, answers them, then closes the scaler once', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine({ triggers: [{ source: 'queue' }] });
    const open = queue.hold();
    const read = engine.readMetric(SO, 's0-test-queue');
    await flush();
    let closed = false;
    const closing = engine.close().then(() => (closed = true));
    await flush();
    expect(closed).toBe(false);
    expect(queue.closes).toBe(0);
    open();
    expect((await read).values[0]!.value).toBe(5);
    await closing;
    expect(queue.closesPerInstance).toEqual([1]);
  });

  it('a hung read holds the close no longer than its timeout', async () => {
    env = setup();
    const queue = env.source('queue');
    queue.mode = 'hang';
    const engine = env.engine({ triggers: [{ source: 'queue' }] });
    const read = Promise.resolve(engine.readMetric(SO, 's0-test-queue'));
    read.catch(() => undefined);
    let closed = false;
    const closing = engine.close().then(() => (closed = true));
    await env.clock.advance(2_999);
    expect(closed).toBe(false);
    await env.clock.advance(1);
    await closing;
    await expect(read).rejects.toThrow(/timeout/);
    expect(queue.closesPerInstance).toEqual([1]);
  });

  it('reads after close fail with a clear error; close is idempotent', async () => {
    env = setup();
    const engine = env.engine({ triggers: [{ source: 'queue' }] });
    await engine.readMetric(SO, 's0-test-queue');
    await engine.close();
    await engine.close();
    expect(env.source('queue').closesPerInstance).toEqual([1]);
    await expect(engine.readMetric(SO, 's0-test-queue')).rejects.toThrow(new EngineClosedError('the scaling engine is closed'));
    await expect(engine.state(SO)).rejects.toThrow(EngineClosedError);
    await expect(engine.evaluate(SO, { currentReplicas: 1 })).rejects.toThrow(EngineClosedError);
    expect(() => engine.start()).toThrow(EngineClosedError);
  });

  it('closes every scaler ever built exactly once, across objects, triggers and rebuilds, and stops polling', async () => {
    env = setup();
    const engine = env.engine(
      [
        { name: 'a', pollingInterval: 1, triggers: [{ source: 'a1' }, { source: 'a2' }] },
        { name: 'b', pollingInterval: 1, triggers: [{ source: 'b1' }] },
      ],
      { backoff: { initialMs: 1, maxMs: 1 } },
    );
    env.source('a2').mode = 'reject';
    engine.start();
    await env.clock.advance(5_000);
    await engine.close();
    for (const name of ['a1', 'a2', 'b1']) {
      const source = env.source(name);
      expect(source.closesPerInstance.length).toBe(source.creates);
      expect(source.closesPerInstance.every((count) => count === 1)).toBe(true);
    }
    expect(env.source('a2').creates).toBeGreaterThan(3);
    expect(env.clock.pending).toBe(0);
    const calls = env.source('a1').calls;
    await env.clock.advance(10_000);
    expect(env.source('a1').calls).toBe(calls);
  });

  it('remove() closes one object; add() with the same name replaces and closes the old one', async () => {
    env = setup();
    const engine = env.engine([
      { name: 'a', triggers: [{ source: 'a' }] },
      { name: 'b', triggers: [{ source: 'b' }] },
    ]);
    await engine.state({ namespace: 'default', name: 'a' });
    await engine.state({ namespace: 'default', name: 'b' });
    await engine.remove({ namespace: 'default', name: 'a' });
    expect(env.source('a').closes).toBe(1);
    expect(env.source('b').closes).toBe(0);
    expect(engine.list()).toEqual([{ namespace: 'default', name: 'b' }]);
    await expect(engine.state({ namespace: 'default', name: 'a' })).rejects.toThrow('no ScaledObject default/a is served');
  });

  it('a read racing a removal gets EngineClosedError, not a hang', async () => {
    env = setup();
    const queue = env.source('queue');
    const engine = env.engine({ triggers: [{ source: 'queue' }] });
    await engine.readMetric(SO, 's0-test-queue');
    const state = await engine.state(SO);
    expect(state.triggers[0]!.value).toBe(5);
    const removing = engine.remove(SO);
    await expect(engine.readMetric(SO, 's0-test-queue')).rejects.toThrow('no ScaledObject default/worker is served');
    await removing;
    expect(queue.closesPerInstance).toEqual([1]);
  });
});
