import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisInstance } from '../harness/redis.js';
import { redisTriggers, scalerError } from './triggers.js';

// `redis-streams` against a real redis-server: the three modes (XLEN, XPENDING, lag), streams and
// groups that do not exist yet, activation, and what each read costs.

let server: RedisInstance;
const triggers = redisTriggers();

beforeAll(async () => {
  server = await startRedis();
  const admin = server.admin();
  // orders: 6 entries; group `workers` has read 4 (2 of them acknowledged), so 2 pending, lag 2.
  for (let i = 1; i <= 6; i++) await admin.xadd('orders', `${i}-0`, 'n', String(i));
  await admin.xgroup('CREATE', 'orders', 'workers', '0');
  const read = (await admin.xreadgroup('GROUP', 'workers', 'w1', 'COUNT', 4, 'STREAMS', 'orders', '>')) as Array<[string, Array<[string, string[]]>]>;
  expect(read[0]![1]).toHaveLength(4);
  await admin.xack('orders', 'workers', '1-0', '2-0');
  // A group created at the end of the stream: nothing pending, no lag.
  await admin.xgroup('CREATE', 'orders', 'late', '$');
  // gaps: an entry deleted after the group's position, so Redis cannot compute its lag.
  for (let i = 1; i <= 3; i++) await admin.xadd('gaps', `${i}-0`, 'n', String(i));
  await admin.xgroup('CREATE', 'gaps', 'g', '0');
  await admin.xdel('gaps', '2-0');
  await admin.rpush('a-list', 'x');
  await server.admin(2).xadd('orders', '*', 'only', 'in db 2');
});

afterEach(() => triggers.closeAll());
afterAll(async () => {
  await triggers.closeAll();
  await server?.stop();
});

const streams = (metadata: Record<string, string>) => triggers.readOnce('redis-streams', { metadata: { address: server.address, ...metadata } });

describe('no consumerGroup: XLEN', () => {
  it('reads the stream length, with streamLength as the target', async () => {
    const scaler = triggers.create('redis-streams', { metadata: { address: server.address, stream: 'orders', streamLength: '10' } });
    expect(scaler.getMetricSpecs()[0]!.target).toBe(10);
    const before = triggers.calls.count('redis', 'XLEN');
    const result = await triggers.read(scaler);
    expect(result).toEqual({ values: [{ metricName: 's0-redis-streams-orders', value: 6, timestamp: expect.any(Date) }], active: true });
    expect(triggers.calls.count('redis', 'XLEN') - before).toBe(1);
  });

  it('a stream that does not exist yet reads as 0 with empty, naming it', async () => {
    const result = await streams({ stream: 'not-yet' });
    expect(result.values.map((v) => v.value)).toEqual([0]);
    expect(result.active).toBe(false);
    expect(result.empty?.reason).toBe(`stream "not-yet" does not exist (yet) in database 0 at ${server.address}`);
  });

  it('a key that is not a stream is a query error naming its type', async () => {
    await scalerError(streams({ stream: 'a-list' }), 'query', /^key "a-list" in database 0 at .* is a list, not a stream/);
  });

  it('databaseIndex picks the database', async () => {
    expect((await streams({ stream: 'orders', databaseIndex: '2' })).values[0]!.value).toBe(1);
  });
});

describe('consumerGroup: XPENDING (entries delivered and not acknowledged)', () => {
  it('reads the group\'s pending count, with pendingEntriesCount as the target', async () => {
    const scaler = triggers.create('redis-streams', { metadata: { address: server.address, stream: 'orders', consumerGroup: 'workers', pendingEntriesCount: '3' } });
    expect(scaler.getMetricSpecs()[0]!.target).toBe(3);
    const before = triggers.calls.count('redis', 'XPENDING');
    expect(await triggers.value(scaler)).toBe(2);
    expect(triggers.calls.count('redis', 'XPENDING') - before).toBe(1);
  });

  it('a group with nothing pending reads 0 and is not empty', async () => {
    const result = await streams({ stream: 'orders', consumerGroup: 'late' });
    expect(result.values[0]!.value).toBe(0);
    expect(result.empty).toBeUndefined();
  });

  it('a group that does not exist yet reads as 0 with empty, naming the group', async () => {
    const result = await streams({ stream: 'orders', consumerGroup: 'nobody' });
    expect(result.values[0]!.value).toBe(0);
    expect(result.empty?.reason).toBe(`consumer group "nobody" does not exist (yet) on stream "orders" in database 0 at ${server.address}`);
  });

  it('a stream that does not exist yet reads as 0 with empty, naming the stream', async () => {
    const result = await streams({ stream: 'not-yet', consumerGroup: 'workers' });
    expect(result.values[0]!.value).toBe(0);
    expect(result.empty?.reason).toMatch(/^stream "not-yet" does not exist \(yet\)/);
  });
});

describe('consumerGroup and lagCount: the group\'s lag (XINFO GROUPS, Redis 7)', () => {
  it('reads the lag, with lagCount as the target; INFO is asked once per connection', async () => {
    const infoBefore = triggers.calls.count('redis', 'INFO');
    const first = triggers.create('redis-streams', { metadata: { address: server.address, stream: 'orders', consumerGroup: 'workers', lagCount: '5' } });
    const second = triggers.create('redis-streams', { metadata: { address: server.address, stream: 'orders', consumerGroup: 'late', lagCount: '5' } });
    expect(first.getMetricSpecs()[0]!.target).toBe(5);
    const xinfoBefore = triggers.calls.count('redis', 'XINFO');
    expect(await triggers.value(first)).toBe(2);
    expect(await triggers.value(second)).toBe(0);
    expect(await triggers.value(first)).toBe(2);
    expect(triggers.calls.count('redis', 'XINFO') - xinfoBefore).toBe(3);
    expect(triggers.calls.count('redis', 'INFO') - infoBefore).toBe(1);
  });

  it('a group that does not exist yet falls back to the stream length, as KEDA does', async () => {
    const result = await streams({ stream: 'orders', consumerGroup: 'nobody', lagCount: '5' });
    expect(result.values[0]!.value).toBe(6);
    expect(result.empty).toBeUndefined();
  });

  it('a stream that does not exist yet reads as 0 with empty', async () => {
    const result = await streams({ stream: 'not-yet', consumerGroup: 'workers', lagCount: '5' });
    expect(result.values[0]!.value).toBe(0);
    expect(result.empty?.reason).toMatch(/^stream "not-yet" does not exist \(yet\)/);
  });

  it('a lag Redis cannot compute (an entry deleted after the group\'s position) is empty, not a silent 0', async () => {
    const result = await streams({ stream: 'gaps', consumerGroup: 'g', lagCount: '5' });
    expect(result.values[0]!.value).toBe(0);
    expect(result.empty?.reason).toMatch(/^Redis cannot compute the lag of consumer group "g" on stream "gaps"/);
  });
});

describe('activationLagCount (active when the value is above it), in every mode', () => {
  it.each([
    ['length 6', { stream: 'orders' }, '5', true],
    ['length 6', { stream: 'orders' }, '6', false],
    ['pending 2', { stream: 'orders', consumerGroup: 'workers' }, '1', true],
    ['pending 2', { stream: 'orders', consumerGroup: 'workers' }, '2', false],
    ['lag 2', { stream: 'orders', consumerGroup: 'workers', lagCount: '1' }, '1', true],
    ['lag 2', { stream: 'orders', consumerGroup: 'workers', lagCount: '1' }, '2', false],
  ])('%s, activationLagCount %s → active %s', async (_, metadata, activationLagCount, active) => {
    expect((await streams({ ...metadata, activationLagCount })).active).toBe(active);
  });
});

it('a trigger on a missing stream does not disturb its siblings on the same connection', async () => {
  const missing = triggers.create('redis-streams', { metadata: { address: server.address, stream: 'not-yet', consumerGroup: 'g' } });
  const present = triggers.create('redis-streams', { metadata: { address: server.address, stream: 'orders', consumerGroup: 'workers' } });
  const list = triggers.create('redis', { metadata: { address: server.address, listName: 'a-list' } });
  const [a, b, c] = await Promise.all([missing, present, list].map((scaler) => triggers.read(scaler)));
  expect([a!.empty !== undefined, b!.values[0]!.value, c!.values[0]!.value]).toEqual([true, 2, 1]);
  expect(await server.clients()).toBe(1);
});
