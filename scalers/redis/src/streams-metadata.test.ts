import type { MetadataInput, ParseResult } from '@updraft/core';
import { describe, expect, it } from 'vitest';
import { redisAddresses, redisTlsEnabled } from './connection-metadata.js';
import {
  redisClusterStreamsMetadata,
  redisSentinelStreamsMetadata,
  redisStreamsMetadata,
  streamsMode,
  type RedisStreamsMetadata,
} from './streams-metadata.js';

interface Input {
  readonly metadata?: Record<string, string>;
  readonly authParams?: Record<string, string>;
  readonly resolvedEnv?: Record<string, string>;
}

/** Any of the declarations of this kind of trigger. */
interface Declaration {
  readonly params: object;
  parse(input: MetadataInput): ParseResult<RedisStreamsMetadata>;
}

function parse(declaration: Declaration, input: Input) {
  const result = declaration.parse({ triggerMetadata: input.metadata ?? {}, authParams: input.authParams ?? {}, resolvedEnv: input.resolvedEnv ?? {} });
  const of = (severity: 'error' | 'warning') => result.problems.filter((p) => p.severity === severity).map((p) => p.message);
  return { metadata: result.metadata, errors: of('error'), warnings: of('warning') };
}

const streamsTypes = [
  ['redis-streams', redisStreamsMetadata],
  ['redis-cluster-streams', redisClusterStreamsMetadata],
  ['redis-sentinel-streams', redisSentinelStreamsMetadata],
] as const;

describe.each(streamsTypes)('%s: stream parameters', (_, declaration) => {
  const sentinel: Record<string, string> = 'sentinelMaster' in declaration.params ? { sentinelMaster: 'mymaster' } : {};
  const read = (metadata: Record<string, string>) => parse(declaration, { metadata: { stream: 'my-stream', address: 'redis:6379', ...sentinel, ...metadata } });

  it('defaults: pendingEntriesCount 5, streamLength 5, lagCount 0, activationLagCount 0, no consumerGroup', () => {
    const { metadata } = read({});
    expect(metadata).toMatchObject({ stream: 'my-stream', pendingEntriesCount: 5, streamLength: 5, lagCount: 0, activationLagCount: 0 });
    expect(metadata!.consumerGroup).toBeUndefined();
  });

  it('stream is required', () => {
    expect(read({ stream: '' }).errors).toEqual(['missing required parameter "stream" (set it in metadata)']);
  });

  it.each([
    ['stream', 'orders.v1', 'orders.v1'],
    ['consumerGroup', 'workers', 'workers'],
    ['pendingEntriesCount', '15', 15],
    ['streamLength', '15', 15],
    ['lagCount', '7', 7],
    ['activationLagCount', '3', 3],
  ])('%s %j → %j', (name, raw, value) => {
    const { metadata, errors } = read({ consumerGroup: 'g', [name]: raw });
    expect(errors).toEqual([]);
    expect(metadata![name as keyof RedisStreamsMetadata]).toEqual(value);
  });

  it.each([
    ['pendingEntriesCount', 'junk'],
    ['streamLength', 'junk'],
    ['lagCount', 'junk'],
    ['lagCount', '2.5'],
    ['activationLagCount', 'junk'],
  ])('%s %j is an error', (name, raw) => {
    expect(read({ [name]: raw }).errors).toEqual([`must be an integer, got ${JSON.stringify(raw)}`]);
  });
});

describe('streamsMode: what a streams trigger counts, as KEDA chooses it', () => {
  const targets = { pendingEntriesCount: 10, streamLength: 20 };
  it.each([
    [{ ...targets, lagCount: 0 }, { mode: 'length', targetParameter: 'streamLength', target: 20 }],
    [{ ...targets, lagCount: 7 }, { mode: 'length', targetParameter: 'streamLength', target: 20 }],
    [{ ...targets, lagCount: 0, consumerGroup: '' }, { mode: 'length', targetParameter: 'streamLength', target: 20 }],
    [{ ...targets, lagCount: 0, consumerGroup: 'g' }, { mode: 'pending', targetParameter: 'pendingEntriesCount', target: 10 }],
    [{ ...targets, lagCount: 7, consumerGroup: 'g' }, { mode: 'lag', targetParameter: 'lagCount', target: 7 }],
    [{ ...targets, lagCount: -1, consumerGroup: 'g' }, { mode: 'lag', targetParameter: 'lagCount', target: -1 }],
  ])('%j → %j', (metadata, mode) => {
    expect(streamsMode(metadata)).toEqual(mode);
  });
});

describe('cross-field rules: streams mode', () => {
  const read = (metadata: Record<string, string>) => parse(redisStreamsMetadata, { metadata: { stream: 's', address: 'redis:6379', ...metadata } });
  it.each<[Record<string, string>, string[]]>([
    [{}, []],
    [{ consumerGroup: 'g', lagCount: '7' }, []],
    [{ lagCount: '7' }, ['lagCount has no effect without consumerGroup: the trigger scales on the stream length (XLEN) with the target streamLength']],
    [{ streamLength: '0' }, ['streamLength is 0, but the HPA accepts only a positive target']],
    [{ consumerGroup: 'g', pendingEntriesCount: '0' }, ['pendingEntriesCount is 0, but the HPA accepts only a positive target']],
    [{ consumerGroup: 'g', lagCount: '-3' }, ['lagCount is -3, but the HPA accepts only a positive target']],
    // The targets of the modes not chosen are not checked: they are not used.
    [{ consumerGroup: 'g', streamLength: '0' }, []],
  ])('%j warns %j', (metadata, warnings) => {
    const result = read(metadata);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual(warnings);
  });
});

// ---- KEDA's own tables, pkg/scalers/redis_streams_scaler_test.go, ported case by case ----

describe('KEDA TestParseRedisStreamsMetadata', () => {
  const authParams = { username: 'foobarred', password: 'foobarred' };
  const env = { REDIS_USERNAME: 'foobarred', REDIS_PASSWORD: 'foobarred' };
  const credentials = { usernameFromEnv: 'REDIS_USERNAME', passwordFromEnv: 'REDIS_PASSWORD' };
  it.each<[string, Record<string, string>, Record<string, string>, Record<string, string> | undefined, Partial<ReturnType<typeof view>>]>([
    [
      'pending: with address',
      { stream: 'my-stream', consumerGroup: 'my-stream-consumer-group', pendingEntriesCount: '5', addressFromEnv: 'REDIS_SERVICE', ...credentials, databaseIndex: '0', enableTLS: 'true' },
      { REDIS_SERVICE: 'myredis:6379', ...env },
      undefined,
      { mode: 'pending', target: 5, DatabaseIndex: 0, EnableTLS: true },
    ],
    [
      'pending: with host and port',
      { stream: 'my-stream', consumerGroup: 'my-stream-consumer-group', pendingEntriesCount: '15', hostFromEnv: 'REDIS_HOST', port: 'REDIS_PORT', ...credentials, databaseIndex: '0', enableTLS: 'false' },
      { REDIS_HOST: 'myredis', REDIS_PORT: '6379', ...env },
      authParams,
      { mode: 'pending', target: 15, DatabaseIndex: 0, EnableTLS: false },
    ],
    [
      'lag: with address',
      { stream: 'my-stream', consumerGroup: 'my-stream-consumer-group', lagCount: '5', activationLagCount: '3', addressFromEnv: 'REDIS_SERVICE', ...credentials, databaseIndex: '0', enableTLS: 'true' },
      { REDIS_SERVICE: 'myredis:6379', ...env },
      undefined,
      { mode: 'lag', target: 5, ActivationLagCount: 3, DatabaseIndex: 0, EnableTLS: true },
    ],
    [
      'lag: with host and port',
      { stream: 'my-stream', consumerGroup: 'my-stream-consumer-group', lagCount: '2', activationLagCount: '3', hostFromEnv: 'REDIS_HOST', port: 'REDIS_PORT', ...credentials, databaseIndex: '0', enableTLS: 'false' },
      { REDIS_HOST: 'myredis', REDIS_PORT: '6379', ...env },
      authParams,
      { mode: 'lag', target: 2, ActivationLagCount: 3, DatabaseIndex: 0, EnableTLS: false },
    ],
  ])('%s', (_, metadata, resolvedEnv, auth, want) => {
    const { metadata: parsed, errors } = parse(redisStreamsMetadata, { metadata, resolvedEnv, ...(auth ? { authParams: auth } : {}) });
    expect(errors).toEqual([]);
    expect(view(parsed!)).toMatchObject({ StreamName: 'my-stream', ConsumerGroupName: 'my-stream-consumer-group', Username: 'foobarred', Password: 'foobarred', ...want });
  });
});

describe('KEDA TestParseRedisStreamsMetadataForInvalidCases', () => {
  const resolvedEnv = { REDIS_SERVER: 'myredis:6379', REDIS_HOST: 'myredis', REDIS_PORT: '6379', REDIS_PASSWORD: '' };
  const group = { stream: 'my-stream', consumerGroup: 'my-stream-consumer-group' };
  it.each<[string, Record<string, string>, string]>([
    ['missing address as well as host/port', { ...group, pendingEntriesCount: '5', lagCount: '5' }, 'no addresses or hosts given'],
    ['host present but missing port', { ...group, pendingEntriesCount: '5', lagCount: '5', host: 'REDIS_HOST' }, '(host is set, but port is not)'],
    ['port present but missing host', { ...group, pendingEntriesCount: '5', lagCount: '5', port: 'REDIS_PORT' }, '(port is set, but host is not)'],
    ['missing stream', { pendingEntriesCount: '5', consumerGroup: 'my-stream-consumer-group', address: 'REDIS_HOST' }, 'missing required parameter "stream"'],
    ['invalid lag', { ...group, pendingEntriesCount: '5', lagCount: 'junk', host: 'REDIS_HOST', port: 'REDIS_PORT', databaseIndex: '0', enableTLS: 'false' }, 'must be an integer, got "junk"'],
    ['invalid pendingEntriesCount', { ...group, pendingEntriesCount: 'junk', host: 'REDIS_HOST', port: 'REDIS_PORT', databaseIndex: '0', enableTLS: 'false' }, 'must be an integer, got "junk"'],
    ['invalid streamLength', { stream: 'my-stream', streamLength: 'junk', host: 'REDIS_HOST', port: 'REDIS_PORT', databaseIndex: '0', enableTLS: 'false' }, 'must be an integer, got "junk"'],
    ['invalid databaseIndex', { ...group, pendingEntriesCount: '15', address: 'REDIS_SERVER', databaseIndex: 'junk', enableTLS: 'false' }, 'must be an integer, got "junk"'],
    ['invalid enableTLS', { ...group, pendingEntriesCount: '15', address: 'REDIS_SERVER', databaseIndex: '1', enableTLS: 'no' }, 'must be true or false, got "no"'],
  ])('%s', (_, metadata, message) => {
    const { metadata: parsed, errors } = parse(redisStreamsMetadata, { metadata, resolvedEnv, authParams: {} });
    expect(parsed).toBeUndefined();
    expect(errors.join('\n')).toContain(message);
  });
});

const testRedisResolvedEnv = {
  REDIS_HOST: 'none',
  REDIS_PORT: '6379',
  REDIS_USERNAME: 'none',
  REDIS_PASSWORD: 'none',
  REDIS_SENTINEL_MASTER: 'none',
  REDIS_SENTINEL_USERNAME: 'none',
  REDIS_SENTINEL_PASSWORD: 'none',
};

/** The parsed result in KEDA's terms (its redisStreamsMetadata), for comparison with its wantMeta. */
function view(m: RedisStreamsMetadata) {
  const { mode, target } = streamsMode(m);
  return {
    StreamName: m.stream,
    ConsumerGroupName: m.consumerGroup ?? '',
    mode,
    target,
    ActivationLagCount: m.activationLagCount,
    DatabaseIndex: m.databaseIndex,
    Addresses: redisAddresses(m),
    Username: m.username ?? '',
    Password: m.password ?? '',
    SentinelUsername: m.sentinelUsername ?? '',
    SentinelPassword: m.sentinelPassword ?? '',
    SentinelMaster: m.sentinelMaster ?? '',
    EnableTLS: redisTlsEnabled(m),
    UnsafeSsl: m.unsafeSsl,
    Ca: m.ca ?? '',
    Cert: m.cert ?? '',
    Key: m.key ?? '',
    KeyPassword: m.keyPassword ?? '',
  };
}

interface KedaCase {
  readonly name: string;
  readonly metadata?: Record<string, string>;
  readonly authParams?: Record<string, string>;
  readonly resolvedEnv?: Record<string, string>;
  /** KEDA's wantMeta: `mode` and `target` stand for its scaleFactor and the target that mode keeps. */
  readonly want?: Partial<ReturnType<typeof view>>;
  /** Updraft's message; KEDA's wantErr is in the comment. */
  readonly wantErr?: string;
}

const zero = {
  ConsumerGroupName: '', ActivationLagCount: 0, Username: '', Password: '', SentinelUsername: '', SentinelPassword: '', SentinelMaster: '',
  EnableTLS: false, UnsafeSsl: false, Ca: '', Cert: '', Key: '', KeyPassword: '',
};
const abc = { hosts: 'a, b, c', ports: '1, 2, 3', stream: 'my-stream' };
const abcAddresses = ['a:1', 'b:2', 'c:3'];
const lag7 = { lagCount: '7', activationLagCount: '3', consumerGroup: 'consumer1' };
const pending5 = { pendingEntriesCount: '5', consumerGroup: 'consumer1' };
const lagWant = { StreamName: 'my-stream', ConsumerGroupName: 'consumer1', mode: 'lag', target: 7, ActivationLagCount: 3 } as const;
const pendingWant = { StreamName: 'my-stream', ConsumerGroupName: 'consumer1', mode: 'pending', target: 5, ActivationLagCount: 0 } as const;

/** KEDA writes most cases twice, once in lag mode (lagCount 7) and once in pending mode (pendingEntriesCount 5). */
function lagAndPending(name: string, input: Input, want: Partial<ReturnType<typeof view>>): KedaCase[] {
  return [
    { name: `${name} (lag)`, ...input, metadata: { ...input.metadata, ...lag7 }, want: { ...lagWant, ...want } },
    { name: `${name} (pending)`, ...input, metadata: { ...input.metadata, ...pending5 }, want: { ...pendingWant, ...want } },
  ];
}

function runKedaCases(declaration: Declaration, cases: readonly KedaCase[]) {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const { metadata, errors } = parse(declaration, c);
    if (c.wantErr !== undefined) {
      expect(errors.join('\n')).toContain(c.wantErr);
      expect(metadata).toBeUndefined();
    } else {
      expect(errors).toEqual([]);
      expect(view(metadata!)).toMatchObject({ ...zero, ...c.want });
    }
  });
}

const commonCases: KedaCase[] = [
  // KEDA: ErrRedisNoAddresses (with the missing stream). Updraft runs cross-field rules only once
  // every parameter parses, so it reports the missing stream alone (see the README).
  { name: 'empty metadata', wantErr: 'missing required parameter "stream"' },
  { name: 'empty metadata but stream (Updraft: the address error on its own)', metadata: { stream: 'my-stream' }, wantErr: 'no addresses or hosts given' },
  // KEDA: ErrRedisUnequalHostsAndPorts (with the missing stream)
  { name: 'unequal number of hosts/ports', metadata: { hosts: 'a, b, c', ports: '1, 2' }, wantErr: 'missing required parameter "stream"' },
  { name: 'unequal number of hosts/ports, with a stream (Updraft)', metadata: { stream: 'my-stream', hosts: 'a, b, c', ports: '1, 2' }, wantErr: 'not enough hosts or ports given' },
  // KEDA: ErrRedisMissingStreamName
  { name: 'no stream name', metadata: { hosts: 'a, b, c', ports: '1, 2, 3', pendingEntriesCount: '5' }, wantErr: 'missing required parameter "stream"' },
  // KEDA: ErrRedisStreamParse
  { name: 'invalid lag', metadata: { ...abc, consumerGroup: 'consumer1', pendingEntriesCount: '5', lagCount: 'junk', activationLagCount: '3' }, wantErr: 'must be an integer, got "junk"' },
  ...lagAndPending('address is defined in auth params', { metadata: { stream: 'my-stream' }, authParams: { addresses: ':7001, :7002' } }, { Addresses: [':7001', ':7002'] }),
  ...lagAndPending('hosts and ports given in auth params', { metadata: { stream: 'my-stream' }, authParams: { hosts: '   a, b,    c ', ports: '1, 2, 3' } }, { Addresses: abcAddresses }),
  ...lagAndPending('username given in authParams', { metadata: abc, authParams: { username: 'username' } }, { Addresses: abcAddresses, Username: 'username' }),
  ...lagAndPending('username given in metadata', { metadata: { ...abc, username: 'username' }, authParams: {} }, { Addresses: abcAddresses, Username: 'username' }),
  ...lagAndPending('username given in metadata from env', { metadata: { ...abc, usernameFromEnv: 'REDIS_USERNAME' }, resolvedEnv: testRedisResolvedEnv }, { Addresses: abcAddresses, Username: 'none' }),
  ...lagAndPending('password given in authParams', { metadata: abc, authParams: { password: 'password' } }, { Addresses: abcAddresses, Password: 'password' }),
  ...lagAndPending('password given in metadata from env', { metadata: { ...abc, passwordFromEnv: 'REDIS_PASSWORD' }, resolvedEnv: testRedisResolvedEnv }, { Addresses: abcAddresses, Password: 'none' }),
  ...lagAndPending('tls enabled without setting unsafeSsl', { metadata: { ...abc, enableTLS: 'true' }, authParams: { password: 'password' } }, { Addresses: abcAddresses, Password: 'password', EnableTLS: true, UnsafeSsl: false }),
  ...lagAndPending('tls enabled with unsafeSsl true', { metadata: { ...abc, enableTLS: 'true', unsafeSsl: 'true' }, authParams: { password: 'password' } }, { Addresses: abcAddresses, Password: 'password', EnableTLS: true, UnsafeSsl: true }),
  {
    name: 'streamLength passed',
    metadata: { hosts: 'a', ports: '1', stream: 'my-stream', streamLength: '15' },
    want: { StreamName: 'my-stream', mode: 'length', target: 15, Addresses: ['a:1'] },
  },
  {
    name: 'streamLength, lagCount and consumerGroup passed: lag wins',
    metadata: { hosts: 'a', ports: '1', stream: 'my-stream', streamLength: '15', lagCount: '70', activationLagCount: '3', consumerGroup: 'consumer1' },
    want: { StreamName: 'my-stream', ConsumerGroupName: 'consumer1', mode: 'lag', target: 70, ActivationLagCount: 3, Addresses: ['a:1'] },
  },
  {
    name: 'streamLength, pendingEntriesCount and consumerGroup passed: pending wins',
    metadata: { hosts: 'a', ports: '1', stream: 'my-stream', streamLength: '15', pendingEntriesCount: '5', consumerGroup: 'consumer1' },
    want: { StreamName: 'my-stream', ConsumerGroupName: 'consumer1', mode: 'pending', target: 5, Addresses: ['a:1'] },
  },
  {
    name: 'streamLength and pendingEntriesCount passed: without a group, length wins',
    metadata: { hosts: 'a', ports: '1', stream: 'my-stream', streamLength: '15', pendingEntriesCount: '30' },
    want: { StreamName: 'my-stream', mode: 'length', target: 15, Addresses: ['a:1'] },
  },
];

describe('KEDA TestParseRedisClusterStreamsMetadata (redis-cluster-streams)', () => {
  runKedaCases(redisClusterStreamsMetadata, [
    ...commonCases,
    // KEDA: ErrRedisStreamParse
    { name: 'invalid pending entries count', metadata: { ...abc, consumerGroup: 'consumer1', pendingEntriesCount: 'invalid' }, wantErr: 'must be an integer, got "invalid"' },
    {
      name: 'zero activation lag count with lag count is allowed',
      metadata: { stream: 'my-stream', lagCount: '7', activationLagCount: '0', consumerGroup: 'consumer1' },
      authParams: { addresses: ':7001, :7002' },
      want: { ...lagWant, ActivationLagCount: 0, Addresses: [':7001', ':7002'] },
    },
    {
      name: 'tls in auth param',
      metadata: { ...abc, ...pending5 },
      authParams: { password: 'password', tls: 'enable', ca: 'caaa', cert: 'ceert', key: 'keey', keyPassword: 'keeyPassword' },
      want: { ...pendingWant, Addresses: abcAddresses, Password: 'password', EnableTLS: true, Ca: 'caaa', Cert: 'ceert', Key: 'keey', KeyPassword: 'keeyPassword' },
    },
    {
      name: 'stream is provided',
      metadata: { stream: 'my-stream' },
      authParams: { addresses: ':7001, :7002' },
      want: { StreamName: 'my-stream', mode: 'length', target: 5, Addresses: [':7001', ':7002'] },
    },
    {
      name: 'stream, consumerGroup is provided',
      metadata: { stream: 'my-stream', consumerGroup: 'consumer1' },
      authParams: { addresses: ':7001, :7002' },
      want: { ...pendingWant, Addresses: [':7001', ':7002'] },
    },
  ]);
});

describe('KEDA TestParseRedisSentinelStreamsMetadata (redis-sentinel-streams)', () => {
  runKedaCases(redisSentinelStreamsMetadata, [
    ...commonCases,
    ...lagAndPending('sentinelUsername given in authParams', { metadata: abc, authParams: { sentinelUsername: 'sentinelUsername' } }, { Addresses: abcAddresses, SentinelUsername: 'sentinelUsername' }),
    ...lagAndPending('sentinelUsername given in metadata', { metadata: { ...abc, sentinelUsername: 'sentinelUsername' }, authParams: {} }, { Addresses: abcAddresses, SentinelUsername: 'sentinelUsername' }),
    ...lagAndPending('sentinelUsername given in metadata from env', { metadata: { ...abc, sentinelUsernameFromEnv: 'REDIS_SENTINEL_USERNAME' }, resolvedEnv: testRedisResolvedEnv }, { Addresses: abcAddresses, SentinelUsername: 'none' }),
    ...lagAndPending('sentinelPassword given in authParams', { metadata: abc, authParams: { sentinelPassword: 'sentinelPassword' } }, { Addresses: abcAddresses, SentinelPassword: 'sentinelPassword' }),
    ...lagAndPending('sentinelPassword given in metadata from env', { metadata: { ...abc, sentinelPasswordFromEnv: 'REDIS_SENTINEL_PASSWORD' }, resolvedEnv: testRedisResolvedEnv }, { Addresses: abcAddresses, SentinelPassword: 'none' }),
    ...lagAndPending('sentinelMaster given in authParams', { metadata: abc, authParams: { sentinelMaster: 'sentinelMaster' } }, { Addresses: abcAddresses, SentinelMaster: 'sentinelMaster' }),
    ...lagAndPending('sentinelMaster given in metadata', { metadata: { ...abc, sentinelMaster: 'sentinelMaster' }, authParams: {} }, { Addresses: abcAddresses, SentinelMaster: 'sentinelMaster' }),
    ...lagAndPending('sentinelMaster given in metadata from env', { metadata: { ...abc, sentinelMasterFromEnv: 'REDIS_SENTINEL_MASTER' }, resolvedEnv: testRedisResolvedEnv }, { Addresses: abcAddresses, SentinelMaster: 'none' }),
  ]);
});

describe('KEDA TestActivityCount (its parsing half; reading values arrives with the Redis client)', () => {
  it('lag 7, activation 3', () => {
    const { metadata } = parse(redisClusterStreamsMetadata, { metadata: { ...abc, ...lag7 }, resolvedEnv: testRedisResolvedEnv });
    expect(view(metadata!)).toMatchObject({ ...lagWant, Addresses: abcAddresses });
  });
});
