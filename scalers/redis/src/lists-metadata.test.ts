import type { MetadataInput, ParseResult } from '@updraft/core';
import { describe, expect, it } from 'vitest';
import { redisAddresses, redisTlsEnabled } from './connection-metadata.js';
import { redisClusterMetadata, redisMetadata, redisSentinelMetadata, type RedisListsMetadata } from './lists-metadata.js';

interface Input {
  readonly metadata?: Record<string, string>;
  readonly authParams?: Record<string, string>;
  readonly resolvedEnv?: Record<string, string>;
}

/** Any of the declarations of this kind of trigger. */
interface Declaration {
  readonly params: object;
  parse(input: MetadataInput): ParseResult<RedisListsMetadata>;
}

function parse(declaration: Declaration, input: Input) {
  const result = declaration.parse({ triggerMetadata: input.metadata ?? {}, authParams: input.authParams ?? {}, resolvedEnv: input.resolvedEnv ?? {} });
  const of = (severity: 'error' | 'warning') => result.problems.filter((p) => p.severity === severity).map((p) => p.message);
  return { metadata: result.metadata, errors: of('error'), warnings: of('warning') };
}

const listTypes = [
  ['redis', redisMetadata],
  ['redis-cluster', redisClusterMetadata],
  ['redis-sentinel', redisSentinelMetadata],
] as const;

describe.each(listTypes)('%s: list parameters', (_, declaration) => {
  const sentinel: Record<string, string> = 'sentinelMaster' in declaration.params ? { sentinelMaster: 'mymaster' } : {};
  const base = { listName: 'mylist', address: 'redis:6379', ...sentinel };
  const read = (metadata: Record<string, string>) => parse(declaration, { metadata: { ...base, ...metadata } });

  it('defaults: listLength 5, activationListLength 0', () => {
    expect(read({}).metadata).toMatchObject({ listName: 'mylist', listLength: 5, activationListLength: 0 });
  });

  it('listName is required', () => {
    expect(read({ listName: '' }).errors).toEqual(['missing required parameter "listName" (set it in metadata)']);
  });

  it.each([
    ['listName', 'jobs:{high}', 'jobs:{high}'],
    ['listLength', '10', 10],
    ['listLength', ' 10 ', 10],
    ['activationListLength', '3', 3],
    ['activationListLength', '-1', -1],
  ])('%s %j → %j', (name, raw, value) => {
    const { metadata, errors } = read({ [name]: raw });
    expect(errors).toEqual([]);
    expect(metadata![name as keyof RedisListsMetadata]).toEqual(value);
  });

  it.each([
    ['listLength', 'AA', 'must be an integer, got "AA"'],
    ['listLength', '5.5', 'must be an integer, got "5.5"'],
    ['listLength', '1e3', 'must be an integer, got "1e3"'],
    ['activationListLength', 'AA', 'must be an integer, got "AA"'],
  ])('%s %j is an error: %s', (name, raw, message) => {
    expect(read({ [name]: raw }).errors).toEqual([message]);
  });

  it.each(['0', '-5'])('listLength %s is accepted (as in KEDA) with a warning, because the HPA refuses it', (raw) => {
    const { metadata, warnings } = read({ listLength: raw });
    expect(metadata!.listLength).toBe(Number(raw));
    expect(warnings).toEqual([`listLength is ${raw}, but the HPA accepts only a positive target`]);
  });
});

// ---- KEDA's own tables, pkg/scalers/redis_scaler_test.go, ported case by case ----

const testRedisResolvedEnv = {
  REDIS_HOST: 'none',
  REDIS_PORT: '6379',
  REDIS_USERNAME: 'none',
  REDIS_PASSWORD: 'none',
  REDIS_SENTINEL_MASTER: 'none',
  REDIS_SENTINEL_USERNAME: 'none',
  REDIS_SENTINEL_PASSWORD: 'none',
};

describe('KEDA testRedisMetadata (TestRedisParseMetadata)', () => {
  it.each<[string, Record<string, string>, boolean, Record<string, string>, boolean]>([
    ['nothing passed', {}, true, {}, false],
    ['properly formed listName', { listName: 'mylist', listLength: '10', addressFromEnv: 'REDIS_HOST', passwordFromEnv: 'REDIS_PASSWORD' }, false, {}, false],
    ['properly formed hostPort', { listName: 'mylist', listLength: '10', hostFromEnv: 'REDIS_HOST', portFromEnv: 'REDIS_PORT', passwordFromEnv: 'REDIS_PASSWORD' }, false, {}, false],
    ['properly formed hostPort', { listName: 'mylist', listLength: '10', addressFromEnv: 'REDIS_HOST', host: 'REDIS_HOST', port: 'REDIS_PORT', passwordFromEnv: 'REDIS_PASSWORD' }, false, {}, false],
    ['improperly formed hostPort', { listName: 'mylist', listLength: '10', hostFromEnv: 'REDIS_HOST', passwordFromEnv: 'REDIS_PASSWORD' }, true, {}, false],
    ['properly formed listName, empty address', { listName: 'mylist', listLength: '10', address: '', password: '' }, true, {}, false],
    ['improperly formed listLength', { listName: 'mylist', listLength: 'AA', addressFromEnv: 'REDIS_HOST', password: '' }, true, {}, false],
    ['improperly formed activationListLength', { listName: 'mylist', listLength: '1', activationListLength: 'AA', addressFromEnv: 'REDIS_HOST', password: '' }, true, {}, false],
    ['address does not resolve', { listName: 'mylist', listLength: '0', addressFromEnv: 'REDIS_WRONG', password: '' }, true, {}, false],
    ['password is defined in the authParams', { listName: 'mylist', listLength: '0', addressFromEnv: 'REDIS_WRONG' }, true, { password: '' }, false],
    ['address is defined in the authParams', { listName: 'mylist', listLength: '0' }, false, { address: 'localhost:6379' }, false],
    ['host and port is defined in the authParams', { listName: 'mylist', listLength: '0' }, false, { host: 'localhost', port: '6379' }, false],
    ['enableTLS, TLS defined in the authParams only', { listName: 'mylist', listLength: '0' }, false, { address: 'localhost:6379', tls: 'enable', ca: 'caaa', cert: 'ceert', key: 'keey' }, true],
    ['enableTLS, TLS cert/key and assumed public CA', { listName: 'mylist', listLength: '0' }, false, { address: 'localhost:6379', tls: 'enable', cert: 'ceert', key: 'keey' }, true],
    ['enableTLS, TLS cert/key + key password and assumed public CA', { listName: 'mylist', listLength: '0' }, false, { address: 'localhost:6379', tls: 'enable', cert: 'ceert', key: 'keey', keyPassword: 'keeyPassword' }, true],
    ['enableTLS, TLS CA only', { listName: 'mylist', listLength: '0' }, false, { address: 'localhost:6379', tls: 'enable', ca: 'caaa' }, true],
    ['enableTLS is enabled by metadata', { listName: 'mylist', listLength: '0', enableTLS: 'true' }, false, { address: 'localhost:6379' }, true],
    ['enableTLS is defined both in authParams and metadata', { listName: 'mylist', listLength: '0', enableTLS: 'true' }, true, { address: 'localhost:6379', tls: 'disable' }, true],
    ['host only is defined in the authParams', { listName: 'mylist', listLength: '0' }, true, { host: 'localhost' }, false],
  ])('#%# %s', (_, metadata, isError, authParams, enableTLS) => {
    const { metadata: parsed, errors } = parse(redisMetadata, { metadata, authParams, resolvedEnv: testRedisResolvedEnv });
    expect(errors.length > 0, errors.join('; ')).toBe(isError);
    if (isError) return;
    expect(redisTlsEnabled(parsed!)).toBe(enableTLS);
    if (enableTLS) {
      const { ca, cert, key, keyPassword } = parsed!;
      expect({ ca, cert, key, keyPassword }).toEqual({ ca: authParams.ca, cert: authParams.cert, key: authParams.key, keyPassword: authParams.keyPassword });
    }
  });
});

/** The parsed result in KEDA's terms (its redisMetadata with ConnectionInfo), for comparison with its wantMeta. */
function keda(m: RedisListsMetadata) {
  return {
    ListLength: m.listLength,
    ListName: m.listName,
    Addresses: redisAddresses(m),
    Hosts: m.host ?? [],
    Ports: m.port ?? [],
    Username: m.username ?? '',
    Password: m.password ?? '',
    SentinelUsername: m.sentinelUsername ?? '',
    SentinelPassword: m.sentinelPassword ?? '',
    SentinelMaster: m.sentinelMaster ?? '',
    EnableTLS: redisTlsEnabled(m),
    UnsafeSsl: m.unsafeSsl,
  };
}

interface KedaCase {
  readonly name: string;
  readonly metadata?: Record<string, string>;
  readonly authParams?: Record<string, string>;
  readonly resolvedEnv?: Record<string, string>;
  /** KEDA's wantMeta, the fields it sets; the others are KEDA's zero values. */
  readonly wantMeta?: Partial<ReturnType<typeof keda>>;
  /** Updraft's message; KEDA's wantErr is in the comment. */
  readonly wantErr?: string;
}

const zero = { ListLength: 5, Hosts: [], Ports: [], Username: '', Password: '', SentinelUsername: '', SentinelPassword: '', SentinelMaster: '', EnableTLS: false, UnsafeSsl: false };
const abc = { Addresses: ['a:1', 'b:2', 'c:3'], Hosts: ['a', 'b', 'c'], Ports: ['1', '2', '3'] };
const hostsAbc = { hosts: 'a, b, c', ports: '1, 2, 3', listName: 'mylist' };

function runKedaCases(declaration: Declaration, cases: readonly KedaCase[]) {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const { metadata, errors } = parse(declaration, c);
    if (c.wantErr !== undefined) {
      expect(errors.join('\n')).toContain(c.wantErr);
      expect(metadata).toBeUndefined();
    } else {
      expect(errors).toEqual([]);
      expect(keda(metadata!)).toEqual({ ...zero, ...c.wantMeta });
    }
  });
}

// Cases shared by TestParseRedisClusterMetadata and TestParseRedisSentinelMetadata.
const commonCases: KedaCase[] = [
  // KEDA: ErrRedisNoAddresses, joined with the missing listName. Updraft runs cross-field rules only
  // once every parameter parses, so it reports the missing listName alone (see the README).
  { name: 'empty metadata', wantErr: 'missing required parameter "listName"' },
  { name: 'empty metadata but listName (Updraft: the address error on its own)', metadata: { listName: 'mylist' }, wantErr: 'no addresses or hosts given' },
  // KEDA: ErrRedisParse
  { name: 'no list name', metadata: { hosts: 'a, b, c', ports: '1, 2, 3', listLength: '5' }, wantErr: 'missing required parameter "listName"' },
  // KEDA: ErrRedisParse
  { name: 'invalid list length', metadata: { ...hostsAbc, listLength: 'invalid' }, wantErr: 'must be an integer, got "invalid"' },
  { name: 'address is defined in auth params', metadata: { listName: 'mylist' }, authParams: { addresses: ':7001, :7002' }, wantMeta: { ListName: 'mylist', Addresses: [':7001', ':7002'] } },
  { name: 'Hosts and Ports given in auth params', metadata: { listName: 'mylist' }, authParams: { hosts: '   a, b,    c ', ports: '1, 2, 3' }, wantMeta: { ListName: 'mylist', ...abc } },
  { name: 'Username given in authParams', metadata: hostsAbc, authParams: { username: 'username' }, wantMeta: { ListName: 'mylist', ...abc, Username: 'username' } },
  { name: 'Username given in metadata', metadata: { ...hostsAbc, username: 'username' }, authParams: {}, wantMeta: { ListName: 'mylist', ...abc, Username: 'username' } },
  { name: 'Username given in metadata from env', metadata: { ...hostsAbc, usernameFromEnv: 'REDIS_USERNAME' }, resolvedEnv: testRedisResolvedEnv, wantMeta: { ListName: 'mylist', ...abc, Username: 'none' } },
  { name: 'Password given in authParams', metadata: hostsAbc, authParams: { password: 'password' }, wantMeta: { ListName: 'mylist', ...abc, Password: 'password' } },
  { name: 'Password given in metadata from env', metadata: { ...hostsAbc, passwordFromEnv: 'REDIS_PASSWORD' }, resolvedEnv: testRedisResolvedEnv, wantMeta: { ListName: 'mylist', ...abc, Password: 'none' } },
  { name: 'tls enabled without setting UnsafeSsl', metadata: { listName: 'mylist', enableTLS: 'true' }, authParams: { addresses: ':7001, :7002' }, wantMeta: { ListName: 'mylist', Addresses: [':7001', ':7002'], EnableTLS: true, UnsafeSsl: false } },
  { name: 'tls enabled with UnsafeSsl true', metadata: { listName: 'mylist', enableTLS: 'true', unsafeSsl: 'true' }, authParams: { addresses: ':7001, :7002' }, wantMeta: { ListName: 'mylist', Addresses: [':7001', ':7002'], EnableTLS: true, UnsafeSsl: true } },
];

describe('KEDA TestParseRedisClusterMetadata (redis-cluster)', () => {
  runKedaCases(redisClusterMetadata, [
    ...commonCases,
    // KEDA: ErrRedisUnequalHostsAndPorts
    { name: 'unequal number of Hosts/Ports', metadata: { listName: 'mylist', hosts: 'a, b, c', ports: '1, 2' }, wantErr: 'not enough hosts or ports given' },
  ]);
});

describe('KEDA TestParseRedisSentinelMetadata (redis-sentinel)', () => {
  runKedaCases(redisSentinelMetadata, [
    ...commonCases,
    // KEDA: ErrRedisUnequalHostsAndPorts (with the missing listName); Updraft: the missing listName first.
    { name: 'unequal number of Hosts/Ports', metadata: { hosts: 'a, b, c', ports: '1, 2' }, wantErr: 'missing required parameter "listName"' },
    { name: 'sentinelUsername given in authParams', metadata: hostsAbc, authParams: { sentinelUsername: 'sentinelUsername' }, wantMeta: { ListName: 'mylist', ...abc, SentinelUsername: 'sentinelUsername' } },
    { name: 'sentinelUsername given in metadata', metadata: { ...hostsAbc, sentinelUsername: 'sentinelUsername' }, wantMeta: { ListName: 'mylist', ...abc, SentinelUsername: 'sentinelUsername' } },
    { name: 'sentinelUsername given in metadata from env', metadata: { ...hostsAbc, sentinelUsernameFromEnv: 'REDIS_SENTINEL_USERNAME' }, resolvedEnv: testRedisResolvedEnv, wantMeta: { ListName: 'mylist', ...abc, SentinelUsername: 'none' } },
    { name: 'sentinelPassword given in authParams', metadata: hostsAbc, authParams: { sentinelPassword: 'sentinelPassword' }, wantMeta: { ListName: 'mylist', ...abc, SentinelPassword: 'sentinelPassword' } },
    { name: 'sentinelPassword given in metadata from env', metadata: { ...hostsAbc, sentinelPasswordFromEnv: 'REDIS_SENTINEL_PASSWORD' }, resolvedEnv: testRedisResolvedEnv, wantMeta: { ListName: 'mylist', ...abc, SentinelPassword: 'none' } },
    { name: 'sentinelMaster given in authParams', metadata: hostsAbc, authParams: { sentinelMaster: 'sentinelMaster' }, wantMeta: { ListName: 'mylist', ...abc, SentinelMaster: 'sentinelMaster' } },
    { name: 'sentinelMaster given in metadata', metadata: { ...hostsAbc, sentinelMaster: 'sentinelMaster' }, wantMeta: { ListName: 'mylist', ...abc, SentinelMaster: 'sentinelMaster' } },
    { name: 'sentinelMaster given in metadata from env', metadata: { ...hostsAbc, sentinelMasterFromEnv: 'REDIS_SENTINEL_MASTER' }, resolvedEnv: testRedisResolvedEnv, wantMeta: { ListName: 'mylist', ...abc, SentinelMaster: 'none' } },
  ]);
});
