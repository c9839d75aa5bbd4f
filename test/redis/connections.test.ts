import { once, getEventListeners } from 'node:events';
import { redisTarget, type RedisListsMetadata } from '@updraft/scaler-redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../harness/process.js';
import { startRedis, type RedisInstance } from '../harness/redis.js';
import { redisTriggers, scalerError } from './triggers.js';

// How triggers share connections, counted on the server with CLIENT LIST (every connection the
// plugin makes is named `updraft`), and how reads fail: promptly, in isolation, on abort.

let server: RedisInstance;
const triggers = redisTriggers();

beforeAll(async () => {
  server = await startRedis({ users: [{ name: 'alice', password: 'alice-pw' }, { name: 'bob', password: 'bob-pw' }] });
  await server.admin().rpush('jobs', '1', '2', '3');
  await server.admin(1).rpush('jobs', '1');
  await server.admin().xadd('events', '*', 'k', 'v');
});

afterEach(() => triggers.closeAll());
afterAll(async () => {
  await triggers.closeAll();
  await server?.stop();
});

describe('sharing', () => {
  it('20 triggers on one server share one connection, made on the first read and closed with the last trigger', async () => {
    const scalers = Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0
        ? triggers.create('redis', { metadata: { address: server.address, listName: 'jobs' } }, i)
        : triggers.create('redis-streams', { metadata: { address: server.address, stream: 'events' } }, i),
    );
    expect(await server.clients()).toBe(0); // create does no I/O
    expect(triggers.connections.size).toBe(1);

    const values = await Promise.all(scalers.map((scaler) => triggers.value(scaler)));
    expect(values).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? 3 : 1)));
    expect(await server.clients()).toBe(1);

    await Promise.all(scalers.slice(1).map((scaler) => scaler.close()));
    expect(await server.clients()).toBe(1);
    expect(await triggers.value(scalers[0]!)).toBe(3);

    await scalers[0]!.close();
    expect(triggers.connections.size).toBe(0);
    expect(await server.clients()).toBe(0);
  });

  it('different users, passwords and databases get connections of their own', async () => {
    const metadata = { address: server.address, listName: 'jobs' };
    const groups = [
      { count: 3, input: { metadata } },
      { count: 3, input: { metadata: { ...metadata, databaseIndex: '1' } } },
      { count: 3, input: { metadata: { ...metadata, username: 'alice' }, authParams: { password: 'alice-pw' } } },
      { count: 2, input: { metadata: { ...metadata, username: 'bob' }, authParams: { password: 'bob-pw' } } },
    ];
    const scalers = groups.flatMap(({ count, input }) => Array.from({ length: count }, () => triggers.create('redis', input)));
    // The same user with another password would be another connection (it is not read here).
    triggers.create('redis', { metadata: { ...metadata, username: 'bob' }, authParams: { password: 'not-bobs' } });
    expect(triggers.connections.size).toBe(5);
    const values = await Promise.all(scalers.map((scaler) => triggers.value(scaler)));
    expect(values).toEqual([3, 3, 3, 1, 1, 1, 3, 3, 3, 3, 3]);
    expect(await server.clients()).toBe(4);
    await triggers.closeAll();
    expect(await server.clients()).toBe(0);
    expect(triggers.connections.size).toBe(0);
  });

  it('close() is idempotent: closing one trigger twice leaves its sibling\'s connection open', async () => {
    const a = triggers.create('redis', { metadata: { address: server.address, listName: 'jobs' } });
    const b = triggers.create('redis', { metadata: { address: server.address, listName: 'jobs' } });
    await Promise.all([triggers.value(a), triggers.value(b)]);
    await a.close();
    await a.close();
    expect(await server.clients()).toBe(1);
    expect(await triggers.value(b)).toBe(3);
    await scalerError(triggers.read(a), 'internal', /closed/);
    await b.close();
    await b.close();
    expect(await server.clients()).toBe(0);
  });

  it('RedisConnectionSettings can be bound to tune the connections, e.g. their name', async () => {
    const custom = redisTriggers({ connectionName: 'my-autoscaler', commandTimeoutMs: 2_000 });
    const scaler = custom.create('redis', { metadata: { address: server.address, listName: 'jobs' } });
    expect(await custom.value(scaler)).toBe(3);
    expect(await server.clients('my-autoscaler')).toBe(1);
    await custom.closeAll();
    expect(await server.clients('my-autoscaler')).toBe(0);
  });
});

describe('failures', () => {
  it('an unreachable port fails promptly with unreachable, and a sibling on a healthy server still reads', async () => {
    const port = await freePort();
    const dead = triggers.create('redis', { metadata: { address: `127.0.0.1:${port}`, listName: 'jobs' } });
    const healthy = triggers.create('redis', { metadata: { address: server.address, listName: 'jobs' } });
    const started = performance.now();
    const [deadRead, healthyRead] = await Promise.allSettled([triggers.read(dead), triggers.read(healthy)]);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(healthyRead).toMatchObject({ status: 'fulfilled', value: { values: [{ value: 3 }] } });
    await scalerError(Promise.reject((deadRead as PromiseRejectedResult).reason), 'unreachable', new RegExp(`^cannot connect to 127\\.0\\.0\\.1:${port}: connection refused`));

    // While ioredis waits to reconnect, reads fail at once with what the last attempt found.
    const again = performance.now();
    await scalerError(triggers.read(dead), 'unreachable', /connection refused/);
    expect(performance.now() - again).toBeLessThan(500);
  });

  it('once the server comes up, ioredis reconnects and the same trigger reads', async () => {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const scaler = triggers.create('redis', { metadata: { address, listName: 'jobs' } });
    await scalerError(triggers.read(scaler), 'unreachable');
    const late = await startRedis({ port });
    try {
      await late.admin().rpush('jobs', 'x', 'y');
      const lease = triggers.connections.acquire(redisTarget({ address: [address], databaseIndex: 0, unsafeSsl: false } as RedisListsMetadata, 'standalone'));
      try {
        if (lease.resource.client.status !== 'ready') await once(lease.resource.client, 'ready');
      } finally {
        await lease.release();
      }
      expect(await triggers.value(scaler)).toBe(2);
    } finally {
      await scaler.close();
      await late.stop();
    }
  });

  it('an AbortSignal that has fired rejects with timeout and sends nothing', async () => {
    const scaler = triggers.create('redis', { metadata: { address: server.address, listName: 'jobs' } });
    const before = triggers.calls.count('redis');
    const controller = new AbortController();
    controller.abort();
    await scalerError(triggers.read(scaler, controller.signal), 'timeout', new RegExp(`^gave up reading from ${server.address}`));
    expect(triggers.calls.count('redis')).toBe(before);
  });

  it('aborting a read the server does not answer (CLIENT PAUSE) rejects with timeout at once', async () => {
    const scaler = triggers.create('redis', { metadata: { address: server.address, listName: 'jobs' } });
    expect(await triggers.value(scaler)).toBe(3);
    await server.admin().client('PAUSE', 1_500, 'ALL');
    const started = performance.now();
    await scalerError(triggers.read(scaler, AbortSignal.timeout(100)), 'timeout', /gave up reading from .*aborted due to timeout/);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(triggers.calls.totals()).toContainEqual(expect.objectContaining({ backend: 'redis', operation: 'EVALSHA', outcome: 'error' }));
    // When the pause ends, the connection answers again.
    expect(await triggers.value(scaler)).toBe(3);
  });

  it('reads leave no listener behind, on the signal or on the client', async () => {
    const scaler = triggers.create('redis', { metadata: { address: server.address, listName: 'jobs' } });
    const signal = new AbortController().signal;
    await triggers.read(scaler, signal);
    const lease = triggers.connections.acquire(redisTarget({ address: [server.address], databaseIndex: 0, unsafeSsl: false } as RedisListsMetadata, 'standalone'));
    try {
      const client = lease.resource.client;
      const counts = () => client.eventNames().map((name) => `${String(name)}:${client.listenerCount(name)}`);
      const before = counts();
      for (let i = 0; i < 30; i++) await triggers.read(scaler, signal);
      await Promise.all(Array.from({ length: 10 }, () => triggers.read(scaler, signal)));
      expect(counts()).toEqual(before);
      expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    } finally {
      await lease.release();
    }
  });
});
