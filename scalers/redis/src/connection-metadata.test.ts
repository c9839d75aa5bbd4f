import type { MetadataInput, ParamShape, ParseResult } from '@updraft/core';
import { describe, expect, it } from 'vitest';
import {
  joinHostPort,
  redisAddresses,
  redisConnectionParams,
  redisDatabaseParams,
  redisSentinelParams,
  redisTlsEnabled,
} from './connection-metadata.js';
import { redisClusterMetadata, redisMetadata, redisSentinelMetadata } from './lists-metadata.js';
import { redisClusterStreamsMetadata, redisSentinelStreamsMetadata, redisStreamsMetadata } from './streams-metadata.js';

interface Input {
  readonly metadata?: Record<string, string>;
  readonly authParams?: Record<string, string>;
  readonly resolvedEnv?: Record<string, string>;
}

/** Any of the six declarations. */
interface Declaration {
  readonly params: object;
  parse(input: MetadataInput, options?: { triggerType?: string }): ParseResult<object>;
}

function parse(declaration: Declaration, input: Input, triggerType?: string) {
  const result = declaration.parse(
    { triggerMetadata: input.metadata ?? {}, authParams: input.authParams ?? {}, resolvedEnv: input.resolvedEnv ?? {} },
    triggerType ? { triggerType } : {},
  );
  const of = (severity: 'error' | 'warning') => result.problems.filter((p) => p.severity === severity).map(({ key, message }) => (key ? { key, message } : { message }));
  return { metadata: result.metadata as Record<string, unknown> | undefined, errors: of('error'), warnings: of('warning') };
}

const types = {
  redis: redisMetadata,
  'redis-cluster': redisClusterMetadata,
  'redis-sentinel': redisSentinelMetadata,
  'redis-streams': redisStreamsMetadata,
  'redis-cluster-streams': redisClusterStreamsMetadata,
  'redis-sentinel-streams': redisSentinelStreamsMetadata,
};

describe('which connection parameters each trigger type declares', () => {
  const connection = Object.keys(redisConnectionParams);
  const sentinel = Object.keys(redisSentinelParams);
  it.each([
    // databaseIndex: KEDA ignores it for a cluster; sentinel*: KEDA reads them only for sentinel.
    { type: 'redis', databaseIndex: true, sentinel: false },
    { type: 'redis-cluster', databaseIndex: false, sentinel: false },
    { type: 'redis-sentinel', databaseIndex: true, sentinel: true },
    { type: 'redis-streams', databaseIndex: true, sentinel: false },
    { type: 'redis-cluster-streams', databaseIndex: false, sentinel: false },
    { type: 'redis-sentinel-streams', databaseIndex: true, sentinel: true },
  ] as const)('$type: databaseIndex $databaseIndex, sentinel* $sentinel', ({ type, databaseIndex, sentinel: hasSentinel }) => {
    const params = types[type].params as ParamShape;
    for (const name of connection) expect(params[name], name).toBe(redisConnectionParams[name as keyof typeof redisConnectionParams]);
    for (const name of sentinel) expect(name in params, name).toBe(hasSentinel);
    expect('databaseIndex' in params).toBe(databaseIndex);
    if (databaseIndex) expect(params.databaseIndex).toBe(redisDatabaseParams.databaseIndex);
  });

  it.each<[keyof typeof types, Record<string, string>, string]>([
    ['redis-cluster', { databaseIndex: '1' }, 'databaseIndex'],
    ['redis', { sentinelMaster: 'mymaster' }, 'sentinelMaster'],
    ['redis-streams', { sentinelPasswordFromEnv: 'PW' }, 'sentinelPasswordFromEnv'],
  ])('%s warns that %j is ignored', (type, metadata, key) => {
    const base: Record<string, string> = type === 'redis-streams' ? { stream: 's' } : { listName: 'l' };
    const { metadata: parsed, warnings } = parse(types[type], { metadata: { ...base, address: 'h:1', ...metadata } }, type);
    expect(parsed).toBeDefined();
    expect(warnings).toEqual([{ key, message: `unknown parameter for ${type}, ignored` }]);
  });
});

// Every connection parameter: its default, how a raw string is coerced, and the error a bad value
// gives. Parsed with redis-sentinel, the one list type that declares them all.
const base = { listName: 'mylist', address: 'localhost:6379', sentinelMaster: 'mymaster' };

describe('connection parameter defaults', () => {
  const { metadata } = parse(redisSentinelMetadata, { metadata: base });
  it.each([
    ['host', undefined],
    ['port', undefined],
    ['username', undefined],
    ['password', undefined],
    ['enableTLS', undefined],
    ['tls', undefined],
    ['ca', undefined],
    ['cert', undefined],
    ['key', undefined],
    ['keyPassword', undefined],
    ['unsafeSsl', false],
    ['sentinelUsername', undefined],
    ['sentinelPassword', undefined],
    ['databaseIndex', 0],
  ] as const)('%s defaults to %s', (name, value) => {
    expect(metadata![name]).toEqual(value);
  });
  it('address has no default: without it (or host and port) a trigger is an error', () => {
    expect(parse(redisSentinelMetadata, { metadata: { listName: 'l' } }).errors).toHaveLength(1);
  });
});

describe('connection parameter coercion', () => {
  it.each<[string, Input, string, unknown]>([
    ['address list, trimmed', { metadata: { address: ' a:1 , b:2 ' } }, 'address', ['a:1', 'b:2']],
    ['addresses alias', { metadata: { address: '', addresses: 'a:1' } }, 'address', ['a:1']],
    ['address from authParams', { metadata: { address: '' }, authParams: { addresses: ':7001, :7002' } }, 'address', [':7001', ':7002']],
    ['address from env', { metadata: { address: '', addressFromEnv: 'REDIS_ADDR' }, resolvedEnv: { REDIS_ADDR: 'redis:6379' } }, 'address', ['redis:6379']],
    ['addresses alias from env', { metadata: { address: '', addressesFromEnv: 'REDIS_ADDR' }, resolvedEnv: { REDIS_ADDR: 'redis:6379' } }, 'address', ['redis:6379']],
    ['hosts', { metadata: { hosts: '   a, b,    c ', ports: '1,2,3' } }, 'host', ['a', 'b', 'c']],
    ['ports', { metadata: { host: 'a', port: '6379' } }, 'port', ['6379']],
    ['username', { metadata: { username: 'app' } }, 'username', 'app'],
    ['password from authParams', { authParams: { password: 's3cret' } }, 'password', 's3cret'],
    ['enableTLS true', { metadata: { enableTLS: 'true' } }, 'enableTLS', true],
    ['enableTLS as strconv.ParseBool reads it', { metadata: { enableTLS: 'F' } }, 'enableTLS', false],
    ['tls enable', { authParams: { tls: 'enable' } }, 'tls', 'enable'],
    ['tls disable', { authParams: { tls: 'disable' } }, 'tls', 'disable'],
    ['unsafeSsl', { metadata: { unsafeSsl: 'true' } }, 'unsafeSsl', true],
    ['ca', { authParams: { ca: 'PEM-CA' } }, 'ca', 'PEM-CA'],
    ['cert', { authParams: { cert: 'PEM-CERT' } }, 'cert', 'PEM-CERT'],
    ['Cert (KEDA spells it both ways)', { authParams: { Cert: 'PEM-CERT' } }, 'cert', 'PEM-CERT'],
    ['key', { authParams: { key: 'PEM-KEY' } }, 'key', 'PEM-KEY'],
    ['keyPassword', { authParams: { keyPassword: 'kp' } }, 'keyPassword', 'kp'],
    ['sentinelUsername', { metadata: { sentinelUsername: 'su' } }, 'sentinelUsername', 'su'],
    ['sentinelPassword from env', { metadata: { sentinelPasswordFromEnv: 'SP' }, resolvedEnv: { SP: 'sp' } }, 'sentinelPassword', 'sp'],
    ['sentinelMaster from authParams', { metadata: { sentinelMaster: '' }, authParams: { sentinelMaster: 'm2' } }, 'sentinelMaster', 'm2'],
    ['databaseIndex', { metadata: { databaseIndex: '3' } }, 'databaseIndex', 3],
    ['databaseIndex 0', { metadata: { databaseIndex: '0' } }, 'databaseIndex', 0],
  ])('%s', (_, input, name, value) => {
    const { metadata, errors } = parse(redisSentinelMetadata, { ...input, metadata: { ...base, ...input.metadata } });
    expect(errors).toEqual([]);
    expect(metadata![name]).toEqual(value);
  });
});

describe('connection parameter errors', () => {
  it.each<[string, Input, { key: string; message: string }]>([
    ['enableTLS not a bool', { metadata: { enableTLS: 'no' } }, { key: 'enableTLS', message: 'must be true or false, got "no"' }],
    ['tls neither enable nor disable (authParams values are never printed)', { authParams: { tls: 'on' } }, { key: 'tls', message: 'must be one of enable, disable, got <redacted>' }],
    ['unsafeSsl not a bool', { metadata: { unsafeSsl: 'yes' } }, { key: 'unsafeSsl', message: 'must be true or false, got "yes"' }],
    ['databaseIndex not a number', { metadata: { databaseIndex: 'junk' } }, { key: 'databaseIndex', message: 'must be an integer, got "junk"' }],
    ['databaseIndex not an integer', { metadata: { databaseIndex: '1.5' } }, { key: 'databaseIndex', message: 'must be an integer, got "1.5"' }],
  ])('%s', (_, input, error) => {
    expect(parse(redisSentinelMetadata, { ...input, metadata: { ...base, ...input.metadata } }).errors).toEqual([error]);
  });

  it.each([
    ['password', true],
    ['sentinelPassword', true],
    ['key', true],
    ['keyPassword', true],
    ['username', false],
    ['sentinelUsername', false],
    ['address', false],
    ['cert', false],
    ['ca', false],
  ] as const)('%s is secret: %s', (name, secret) => {
    expect((redisSentinelMetadata.params as ParamShape)[name]!.isSecret).toBe(secret);
  });
});

// KEDA's `order=` differs per field: address and sentinel* prefer authParams over the env,
// host, port, username and password prefer the env over authParams. Trigger metadata always wins.
describe('lookup order of the sources', () => {
  const everywhere = (name: string) => ({
    metadata: { [name]: 'from-metadata', [`${name}FromEnv`]: 'VAR' },
    authParams: { [name]: 'from-auth' },
    resolvedEnv: { VAR: 'from-env' },
  });
  const notInMetadata = (name: string) => {
    const input = everywhere(name);
    return { ...input, metadata: { [name]: '', [`${name}FromEnv`]: 'VAR' } };
  };
  const valueOf = (name: string, input: Input) => {
    const { metadata } = parse(redisSentinelMetadata, { ...input, metadata: { ...base, address: '', ...input.metadata, host: 'h', port: '1' } });
    const value = metadata![name];
    return Array.isArray(value) ? value[0] : value;
  };
  it.each([
    ['address', 'from-auth'],
    ['username', 'from-env'],
    ['password', 'from-env'],
    ['sentinelUsername', 'from-auth'],
    ['sentinelPassword', 'from-auth'],
    ['sentinelMaster', 'from-auth'],
  ])('%s: metadata first, then %s', (name, second) => {
    expect(valueOf(name, everywhere(name))).toBe('from-metadata');
    expect(valueOf(name, notInMetadata(name))).toBe(second);
  });
  it.each(['host', 'port'])('%s: metadata first, then the env, then authParams', (name) => {
    const other: Record<string, string> = name === 'host' ? { port: '1' } : { host: 'h' };
    const read = (input: Input) => {
      const { metadata } = parse(redisSentinelMetadata, { ...input, metadata: { ...base, ...other, ...input.metadata } });
      return (metadata![name] as string[])[0];
    };
    expect(read(everywhere(name))).toBe('from-metadata');
    expect(read(notInMetadata(name))).toBe('from-env');
    expect(read({ authParams: { [name]: 'from-auth' } })).toBe('from-auth');
  });
});

describe('redisAddresses: the host:port list a trigger dials', () => {
  it.each<[string, { address?: string[]; host?: string[]; port?: string[] }, string[]]>([
    ['address', { address: ['a:1', 'b:2'] }, ['a:1', 'b:2']],
    ['hosts paired with ports', { host: ['a', 'b', 'c'], port: ['1', '2', '3'] }, ['a:1', 'b:2', 'c:3']],
    ['address first, then the pairs (KEDA appends them)', { address: ['x:9'], host: ['a'], port: ['1'] }, ['x:9', 'a:1']],
    ['an IPv6 host goes in brackets', { host: ['::1', 'fe80::1%eth0'], port: ['6379', '6380'] }, ['[::1]:6379', '[fe80::1%eth0]:6380']],
    ['a bracketed IPv6 host is kept as is', { host: ['[::1]'], port: ['6379'] }, ['[::1]:6379']],
    ['a host without a port is dropped', { host: ['a'] }, []],
    ['a port without a host is dropped', { port: ['1'] }, []],
    ['unequal counts pair nothing (the rule reports them)', { host: ['a', 'b'], port: ['1'] }, []],
    ['nothing', {}, []],
  ])('%s', (_, metadata, addresses) => {
    expect(redisAddresses(metadata)).toEqual(addresses);
  });

  it.each([
    ['redis', '6379', 'redis:6379'],
    ['10.0.0.1', '6379', '10.0.0.1:6379'],
    ['::1', '6379', '[::1]:6379'],
    ['', '7001', ':7001'],
  ])('joinHostPort(%j, %j) is %j', (host, port, joined) => {
    expect(joinHostPort(host, port)).toBe(joined);
  });
});

describe('redisTlsEnabled', () => {
  it.each([
    [{}, false],
    [{ enableTLS: true }, true],
    [{ enableTLS: false }, false],
    [{ tls: 'enable' as const }, true],
    [{ tls: 'disable' as const }, false],
  ])('%j → %s', (metadata, enabled) => {
    expect(redisTlsEnabled(metadata)).toBe(enabled);
  });
});

const NO_ADDRESSES = 'no addresses or hosts given: set address to a comma-separated list of host:port, or set host and port';

describe('cross-field rules: addresses', () => {
  it.each<[string, Input, { key?: string; message: string }[]]>([
    ['nothing', {}, [{ message: NO_ADDRESSES }]],
    ['an empty address counts as missing', { metadata: { address: '' } }, [{ message: NO_ADDRESSES }]],
    ['a host without a port', { metadata: { host: 'redis' } }, [{ key: 'host', message: `${NO_ADDRESSES} (host is set, but port is not)` }]],
    ['a port without a host', { authParams: { port: '6379' } }, [{ key: 'port', message: `${NO_ADDRESSES} (port is set, but host is not)` }]],
    [
      'unequal hosts and ports',
      { metadata: { hosts: 'a, b, c', ports: '1, 2' } },
      [{ key: 'ports', message: 'not enough hosts or ports given: got 3 hosts and 2 ports; the number of hosts must equal the number of ports' }],
    ],
  ])('%s is an error', (_, input, errors) => {
    expect(parse(redisMetadata, { ...input, metadata: { listName: 'l', ...input.metadata } }).errors).toEqual(errors);
  });

  it('an address env var that the container does not set: a warning, then no address', () => {
    const { errors, warnings } = parse(redisMetadata, { metadata: { listName: 'l', addressFromEnv: 'REDIS_WRONG' }, resolvedEnv: {} });
    expect(warnings).toEqual([{ key: 'addressFromEnv', message: "env var REDIS_WRONG is not set in the scale target's container" }]);
    expect(errors).toEqual([{ message: NO_ADDRESSES }]);
  });

  it.each<[string, Input, string, { key?: string; message: string }[]]>([
    ['a host next to an address, without a port', { metadata: { address: 'a:1', host: 'b' } }, 'redis', [{ key: 'host', message: 'host is ignored without port: the connection uses address' }]],
    ['an address without a port', { metadata: { address: 'none' } }, 'redis', [{ key: 'address', message: '"none" is not host:port with a port from 1 to 65535' }]],
    ['an address with port 0', { metadata: { address: 'redis:0' } }, 'redis', [{ key: 'address', message: '"redis:0" is not host:port with a port from 1 to 65535' }]],
    ['an IPv6 address without brackets', { metadata: { address: '::1:6379' } }, 'redis', [{ key: 'address', message: '"::1:6379" is not host:port with a port from 1 to 65535' }]],
    [
      'a port that names an env var',
      { metadata: { host: 'redis', port: 'REDIS_PORT' } },
      'redis',
      [{ key: 'port', message: '"REDIS_PORT" is not a port from 1 to 65535 (to read it from the container env, use portFromEnv)' }],
    ],
    [
      'two addresses for a standalone server',
      { metadata: { address: 'a:1,b:2' } },
      'redis',
      [{ key: 'address', message: '2 addresses given, but a standalone trigger uses only the first, a:1; for several nodes use a cluster or sentinel trigger type' }],
    ],
    ['two addresses for a cluster', { metadata: { address: 'a:1,b:2' } }, 'redis-cluster', []],
    ['sentinels, with sentinelMaster', { metadata: { address: 'a:1,b:2', sentinelMaster: 'mymaster' } }, 'redis-sentinel', []],
    [
      'sentinels, without sentinelMaster',
      { metadata: { address: 'a:1,b:2' } },
      'redis-sentinel',
      [{ message: 'sentinelMaster is not set: the sentinels will be asked for a master with an empty name and connecting will fail; set it to the name they monitor, e.g. mymaster' }],
    ],
    ['[::1]:6379', { metadata: { address: '[::1]:6379' } }, 'redis', []],
    [':7001 (empty host is localhost)', { metadata: { address: ':7001' } }, 'redis', []],
  ])('%s (%s)', (_, input, type, warnings) => {
    const result = parse(types[type as keyof typeof types], { ...input, metadata: { listName: 'l', ...input.metadata } });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual(warnings);
  });
});

describe('cross-field rules: TLS', () => {
  const address = { listName: 'l', address: 'redis:6379' };
  it.each<[string, Input]>([
    ['enableTLS true and tls enable', { metadata: { enableTLS: 'true' }, authParams: { tls: 'enable' } }],
    ['enableTLS true and tls disable', { metadata: { enableTLS: 'true' }, authParams: { tls: 'disable' } }],
    ['enableTLS false and tls disable', { metadata: { enableTLS: 'false' }, authParams: { tls: 'disable' } }],
  ])('%s is an error', (_, input) => {
    expect(parse(redisMetadata, { ...input, metadata: { ...address, ...input.metadata } }).errors).toEqual([
      { key: 'tls', message: "unable to set 'tls' in both ScaledObject and TriggerAuthentication together" },
    ]);
  });

  it.each<[string, Input, { key?: string; message: string }[]]>([
    ['TLS from the trigger', { metadata: { enableTLS: 'true' } }, []],
    ['TLS from the TriggerAuthentication, with a CA and a client certificate', { authParams: { tls: 'enable', ca: 'c', cert: 'c', key: 'k', keyPassword: 'p' } }, []],
    [
      'TLS material while TLS is off',
      { authParams: { ca: 'c', cert: 'c' } },
      [{ key: 'ca', message: 'ca, cert have no effect while TLS is off: set enableTLS: "true" in the trigger metadata or tls: enable in the TriggerAuthentication' }],
    ],
    [
      'unsafeSsl while TLS is off',
      { metadata: { unsafeSsl: 'true', enableTLS: 'false' } },
      [{ key: 'unsafeSsl', message: 'unsafeSsl has no effect while TLS is off: set enableTLS: "true" in the trigger metadata or tls: enable in the TriggerAuthentication' }],
    ],
    ['a cert without its key', { authParams: { tls: 'enable', cert: 'c' } }, [{ key: 'cert', message: 'cert is ignored without key: a client certificate needs both' }]],
    ['a key without its cert', { metadata: { enableTLS: 'true' }, authParams: { key: 'k' } }, [{ key: 'key', message: 'key is ignored without cert: a client certificate needs both' }]],
  ])('%s', (_, input, warnings) => {
    const result = parse(redisMetadata, { ...input, metadata: { ...address, ...input.metadata } });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual(warnings);
  });
});
