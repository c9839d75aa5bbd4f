import { describe, expect, it } from 'vitest';
import type { RedisConnectionMetadata, RedisTopology } from './connection-metadata.js';
import { redisSentinelMetadata } from './lists-metadata.js';
import { describeRedisTarget, parseRedisAddress, redisConnectionKey, redisTarget } from './redis-target.js';

/** Parsed metadata of a redis-sentinel trigger (the type that declares every connection parameter). */
function metadata(triggerMetadata: Record<string, string>, authParams: Record<string, string> = {}): RedisConnectionMetadata {
  const parsed = redisSentinelMetadata.parse({ triggerMetadata: { listName: 'l', ...triggerMetadata }, authParams, resolvedEnv: {} });
  expect(parsed.problems.filter((p) => p.severity === 'error')).toEqual([]);
  return parsed.metadata!;
}

describe('parseRedisAddress', () => {
  it.each([
    ['redis:6379', { host: 'redis', port: 6379 }],
    [' 10.0.0.1:7000 ', { host: '10.0.0.1', port: 7000 }],
    ['[::1]:6380', { host: '::1', port: 6380 }],
    ['redis', { host: 'redis', port: 6379 }],
    ['[fe80::1]', { host: 'fe80::1', port: 6379 }],
    ['redis:0', undefined],
    ['redis:65536', undefined],
    ['redis:port', undefined],
    [':6379', undefined],
    ['', undefined],
    ['::1', undefined],
  ])('%j → %j', (address, endpoint) => {
    expect(parseRedisAddress(address)).toEqual(endpoint);
  });
});

describe('redisTarget', () => {
  it('a standalone trigger dials the first address; cluster and sentinel dial them all', () => {
    const m = metadata({ addresses: 'a:1, b:2', sentinelMaster: 'mymaster' });
    expect(redisTarget(m, 'standalone').addresses).toEqual(['a:1']);
    expect(redisTarget(m, 'cluster').endpoints).toEqual([{ host: 'a', port: 1 }, { host: 'b', port: 2 }]);
    expect(redisTarget(m, 'sentinel').addresses).toEqual(['a:1', 'b:2']);
  });

  it('hosts and ports are paired after the addresses', () => {
    expect(redisTarget(metadata({ hosts: 'a, b', ports: '1, 2' }), 'cluster').addresses).toEqual(['a:1', 'b:2']);
  });

  it('an address that cannot be dialled is set apart', () => {
    expect(redisTarget(metadata({ addresses: 'a:1, b:x' }), 'cluster')).toMatchObject({ endpoints: [{ host: 'a', port: 1 }], invalidAddresses: ['b:x'] });
  });

  it('databaseIndex is 0 for a cluster, whatever the metadata says', () => {
    const m = metadata({ address: 'a:1', databaseIndex: '3' });
    expect(redisTarget(m, 'standalone').databaseIndex).toBe(3);
    expect(redisTarget(m, 'sentinel').databaseIndex).toBe(3);
    expect(redisTarget(m, 'cluster').databaseIndex).toBe(0);
  });

  it('the sentinel settings are kept for the sentinel topology only', () => {
    const m = metadata({ address: 'a:1', sentinelMaster: 'mymaster', sentinelUsername: 'watcher' }, { sentinelPassword: 'pw' });
    expect(redisTarget(m, 'sentinel')).toMatchObject({ sentinelMaster: 'mymaster', sentinelUsername: 'watcher', sentinelPassword: 'pw' });
    expect(redisTarget(m, 'standalone')).not.toHaveProperty('sentinelPassword');
  });

  it.each<[string, Record<string, string>, Record<string, string>, object | undefined]>([
    ['TLS off: the material is not used', {}, { ca: 'CA', cert: 'C', key: 'K' }, undefined],
    ['enableTLS', { enableTLS: 'true' }, { ca: 'CA' }, { ca: 'CA', unsafeSsl: false }],
    ['tls: enable', {}, { tls: 'enable', cert: 'C', key: 'K', keyPassword: 'P' }, { cert: 'C', key: 'K', keyPassword: 'P', unsafeSsl: false }],
    ['a cert without its key is not sent', { enableTLS: 'true' }, { cert: 'C' }, { unsafeSsl: false }],
    ['unsafeSsl', { enableTLS: 'true', unsafeSsl: 'true' }, {}, { unsafeSsl: true }],
  ])('%s', (_, triggerMetadata, authParams, tls) => {
    expect(redisTarget(metadata({ address: 'a:1', ...triggerMetadata }, authParams), 'standalone').tls).toEqual(tls);
  });
});

describe('redisConnectionKey', () => {
  const key = (triggerMetadata: Record<string, string>, authParams: Record<string, string> = {}, topology: RedisTopology = 'standalone') =>
    redisConnectionKey(redisTarget(metadata({ address: 'redis:6379', ...triggerMetadata }, authParams), topology));

  it('is equal for triggers that differ only in what they measure', () => {
    const a = redisTarget(metadata({ address: 'redis:6379', listName: 'a' }, { password: 'pw' }), 'standalone');
    const b = redisTarget(metadata({ address: 'redis:6379', listName: 'b', listLength: '9' }, { password: 'pw' }), 'standalone');
    expect(redisConnectionKey(a)).toBe(redisConnectionKey(b));
  });

  it.each<[string, Record<string, string>, Record<string, string>, RedisTopology?]>([
    ['another password', {}, { password: 'other' }],
    ['another user', { username: 'alice' }, { password: 'pw' }],
    ['another database', { databaseIndex: '1' }, { password: 'pw' }],
    ['TLS on', { enableTLS: 'true' }, { password: 'pw' }],
    ['another CA', { enableTLS: 'true' }, { password: 'pw', ca: 'other CA' }],
    ['unverified TLS', { enableTLS: 'true', unsafeSsl: 'true' }, { password: 'pw' }],
    ['another topology', {}, { password: 'pw' }, 'cluster'],
    ['another address', { address: 'redis:6380' }, { password: 'pw' }],
  ])('differs with %s', (_, triggerMetadata, authParams, topology) => {
    expect(key(triggerMetadata, authParams, topology)).not.toBe(key({}, { password: 'pw' }));
  });

  it('differs with another keyPassword for the same client certificate', () => {
    const tls = { enableTLS: 'true' };
    expect(key(tls, { cert: 'C', key: 'K', keyPassword: 'one' })).not.toBe(key(tls, { cert: 'C', key: 'K', keyPassword: 'two' }));
    expect(key(tls, { cert: 'C', key: 'K', keyPassword: 'one' })).toBe(key(tls, { cert: 'C', key: 'K', keyPassword: 'one' }));
  });

  it('holds no secret in clear', () => {
    const text = key({ enableTLS: 'true', sentinelMaster: 'm' }, { password: 'hunter2-pass', sentinelPassword: 'sentinel-pass', ca: 'CA-PEM', cert: 'CERT-PEM', key: 'KEY-PEM', keyPassword: 'key-pass' }, 'sentinel');
    for (const secret of ['hunter2-pass', 'sentinel-pass', 'CA-PEM', 'CERT-PEM', 'KEY-PEM', 'key-pass']) expect(text).not.toContain(secret);
    expect(JSON.parse(text)).toMatchObject({ topology: 'sentinel', addresses: ['redis:6379'], sentinelMaster: 'm', tls: expect.stringMatching(/^[0-9a-f]{64}$/), passwords: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });
});

it.each<[RedisTopology, string]>([
  ['standalone', 'a:1'],
  ['cluster', 'the Redis Cluster at a:1, b:2'],
  ['sentinel', 'master "mymaster" via the sentinels at a:1, b:2'],
])('describeRedisTarget(%s) → %s', (topology, text) => {
  expect(describeRedisTarget({ topology, addresses: topology === 'standalone' ? ['a:1'] : ['a:1', 'b:2'], sentinelMaster: 'mymaster' })).toBe(text);
});
