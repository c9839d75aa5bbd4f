import { describe, expect, it, vi } from 'vitest';
import { SharedResourcePool } from './shared-resource-pool.js';

describe('SharedResourcePool', () => {
  it('creates one resource per key, shares it, and closes it with the last release', async () => {
    const close = vi.fn();
    let made = 0;
    const pool = new SharedResourcePool<{ key: string; n: number }>(close);
    const build = (key: string) => () => ({ key, n: ++made });
    const a = pool.acquire('redis://a', build('redis://a'));
    const b = pool.acquire('redis://a', build('redis://a'));
    const c = pool.acquire('redis://b', build('redis://b'));
    expect(a.resource).toBe(b.resource);
    expect(c.resource).not.toBe(a.resource);
    expect(made).toBe(2);
    expect(pool.users('redis://a')).toBe(2);

    await a.release();
    await a.release(); // idempotent: does not count twice
    expect(close).not.toHaveBeenCalled();
    expect(pool.users('redis://a')).toBe(1);
    await b.release();
    expect(close).toHaveBeenCalledWith({ key: 'redis://a', n: 1 });
    expect(pool.size).toBe(1);

    const again = pool.acquire('redis://a', build('redis://a'));
    expect(again.resource).toEqual({ key: 'redis://a', n: 3 });
    await Promise.all([again.release(), c.release()]);
    expect(close).toHaveBeenCalledTimes(3);
    expect(pool.size).toBe(0);
  });

  it('builds from what the caller passes, and keeps nothing when building throws', async () => {
    const pool = new SharedResourcePool<{ address: string }>(() => {});
    expect(() => pool.acquire('k', () => { throw new Error('bad PEM'); })).toThrow('bad PEM');
    expect(pool.size).toBe(0);
    const lease = pool.acquire('k', () => ({ address: '10.0.0.1:6379' }));
    // A second acquire under an open key does not build again.
    const second = pool.acquire('k', () => { throw new Error('not called'); });
    expect(second.resource).toBe(lease.resource);
    await Promise.all([lease.release(), second.release()]);
    expect(pool.size).toBe(0);
  });
});
