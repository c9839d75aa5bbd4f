import { describe, expect, it } from 'vitest';
import { CoalescedCalls } from './coalesced-calls.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('CoalescedCalls', () => {
  it('joins concurrent calls for a key, and forgets the call once it settles', async () => {
    const calls = new CoalescedCalls<number>();
    let started = 0;
    const gate = deferred<number>();
    const start = () => {
      started += 1;
      return gate.promise;
    };
    const signal = new AbortController().signal;
    const reads = [calls.run('q', signal, start), calls.run('q', signal, start), calls.run('other', signal, start)];
    expect(started).toBe(2);
    gate.resolve(7);
    await expect(Promise.all(reads)).resolves.toEqual([7, 7, 7]);
    expect(calls.size).toBe(0);
    await calls.run('q', signal, async () => 8);
    expect(started).toBe(2);
  });

  it('shares a failure with every caller', async () => {
    const calls = new CoalescedCalls<number>();
    const gate = deferred<number>();
    const signal = new AbortController().signal;
    const reads = [calls.run('q', signal, () => gate.promise), calls.run('q', signal, () => gate.promise)];
    gate.reject(new Error('boom'));
    for (const read of reads) await expect(read).rejects.toThrow('boom');
  });

  it('an aborted caller leaves; the call is aborted, and forgotten, when the last one leaves', async () => {
    const calls = new CoalescedCalls<number>();
    let inner: AbortSignal | undefined;
    const start = (signal: AbortSignal) => {
      inner = signal;
      return new Promise<number>(() => undefined);
    };
    const a = new AbortController();
    const b = new AbortController();
    const first = calls.run('q', a.signal, start);
    const second = calls.run('q', b.signal, start);
    a.abort(new Error('a gave up'));
    await expect(first).rejects.toThrow('a gave up');
    expect(inner!.aborted).toBe(false);
    b.abort(new Error('b gave up'));
    await expect(second).rejects.toThrow('b gave up');
    expect(inner!.aborted).toBe(true);
    expect(calls.size).toBe(0);
  });
});
