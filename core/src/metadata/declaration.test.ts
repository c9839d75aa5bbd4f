import { beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { defineMetadata, type MetadataInput, type MetadataOf, type MetadataProblem, type ParseOptions, type ParseResult } from './declaration.js';
import { p } from './param.js';

// The typed-config semantics of KEDA (pkg/scalers/scalersconfig/typed_config.go and its tests, see
// reference/keda-behaviour.md §1.5), ported to the declaration DSL. Each KEDA test that applies is
// named in a comment; the rest covers what Updraft adds (warnings, did-you-mean, redaction).

function metadataOf<T>(result: ParseResult<T>): T {
  if (result.metadata === undefined) throw new Error(`expected metadata, got problems: ${JSON.stringify(result.problems)}`);
  return result.metadata;
}

const errors = (result: ParseResult<unknown>) => result.problems.filter((problem) => problem.severity === 'error');
const warnings = (result: ParseResult<unknown>) => result.problems.filter((problem) => problem.severity === 'warning');

describe('values and types (KEDA TestBasicTypedConfig)', () => {
  const declaration = defineMetadata({
    stringVal: p.string().required(),
    intVal: p.integer().required(),
    boolVal: p.boolean().required().from('resolvedEnv'),
    floatVal: p.number().required().from('resolvedEnv'),
    auth: p.string().required().from('authParams'),
  });

  it('reads each parameter from its source and coerces it', () => {
    const result = declaration.parse({
      triggerMetadata: { stringVal: 'value1', intVal: '1', boolValFromEnv: 'boolVal', floatValFromEnv: 'floatVal' },
      resolvedEnv: { boolVal: 'true', floatVal: '1.1' },
      authParams: { auth: 'authValue' },
    });
    expect(result.problems).toEqual([]);
    expect(metadataOf(result)).toEqual({ stringVal: 'value1', intVal: 1, boolVal: true, floatVal: 1.1, auth: 'authValue' });
  });
});

describe('lookup order: the outer loop runs over sources, the inner over names', () => {
  // KEDA TestParsingOrder
  it('the first source in the declared order that has a value wins', () => {
    const declaration = defineMetadata({
      stringVal: p.string().required().from('resolvedEnv', 'triggerMetadata'),
      intVal: p.integer().required().from('triggerMetadata', 'resolvedEnv'),
      floatVal: p.number().required().from('resolvedEnv', 'triggerMetadata'),
    });
    const result = declaration.parse({
      triggerMetadata: { stringVal: 'value1', intVal: '1', intValFromEnv: 'intVal', floatVal: '1.1', floatValFromEnv: 'floatVal' },
      resolvedEnv: { stringVal: 'value2', intVal: '2', floatVal: '2.2' },
    });
    // stringVal has no stringValFromEnv, so resolvedEnv has nothing for it and metadata answers.
    expect(metadataOf(result)).toEqual({ stringVal: 'value1', intVal: 1, floatVal: 2.2 });
  });

  const address = defineMetadata({
    address: p.string().required().alias('addresses').from('triggerMetadata', 'authParams', 'resolvedEnv'),
  });

  it.each<{ name: string; input: MetadataInput; value: string }>([
    // KEDA TestMultiName
    { name: 'the canonical name', input: { triggerMetadata: { address: 'aaa' } }, value: 'aaa' },
    { name: 'an alias', input: { triggerMetadata: { addresses: 'bbb' } }, value: 'bbb' },
    { name: 'both names in one source: the canonical name first', input: { triggerMetadata: { addresses: 'alias', address: 'name' } }, value: 'name' },
    {
      name: 'an alias in an earlier source beats the canonical name in a later one',
      input: { triggerMetadata: { addresses: 'from-metadata' }, authParams: { address: 'from-auth' } },
      value: 'from-metadata',
    },
    {
      name: 'aliases are tried in later sources too',
      input: { triggerMetadata: {}, authParams: { addresses: 'from-auth' } },
      value: 'from-auth',
    },
    {
      name: 'aliases have their own FromEnv key',
      input: { triggerMetadata: { addressesFromEnv: 'ADDR' }, resolvedEnv: { ADDR: 'from-env' } },
      value: 'from-env',
    },
    {
      name: 'authParams comes before resolvedEnv when declared so',
      input: { triggerMetadata: { addressFromEnv: 'ADDR' }, authParams: { addresses: 'from-auth' }, resolvedEnv: { ADDR: 'from-env' } },
      value: 'from-auth',
    },
  ])('$name', ({ input, value }) => {
    expect(metadataOf(address.parse(input)).address).toBe(value);
  });

  it('an error names the key the value was read from', () => {
    const declaration = defineMetadata({ threshold: p.number().required().alias('target').from('authParams', 'triggerMetadata') });
    expect(declaration.parse({ triggerMetadata: { target: 'ten' } }).problems).toEqual([
      { severity: 'error', source: 'triggerMetadata', key: 'target', message: 'must be a number, got "ten"' },
    ]);
  });
});

describe('an empty or blank value counts as missing', () => {
  const declaration = defineMetadata({
    host: p.string().required().from('triggerMetadata', 'authParams', 'resolvedEnv'),
  });

  it.each<{ name: string; input: MetadataInput; value?: string }>([
    { name: 'empty in metadata', input: { triggerMetadata: { host: '' } } },
    { name: 'blank in metadata', input: { triggerMetadata: { host: '  \t' } } },
    { name: 'empty in authParams', input: { triggerMetadata: {}, authParams: { host: '' } } },
    { name: 'blank FromEnv key names no env var', input: { triggerMetadata: { hostFromEnv: ' ' }, resolvedEnv: { ' ': 'h' } } },
    { name: 'blank in metadata, then found in authParams', input: { triggerMetadata: { host: ' ' }, authParams: { host: 'auth-host' } }, value: 'auth-host' },
    { name: 'empty env var, then nothing', input: { triggerMetadata: { hostFromEnv: 'HOST' }, resolvedEnv: { HOST: '' } } },
    { name: 'values are trimmed', input: { triggerMetadata: { host: '  redis  ' } }, value: 'redis' },
  ])('$name', ({ input, value }) => {
    const result = declaration.parse(input);
    if (value === undefined) {
      expect(result.metadata).toBeUndefined();
      expect(errors(result).map((problem) => problem.message)).toEqual([expect.stringMatching(/^missing required parameter "host"/)]);
    } else {
      expect(metadataOf(result).host).toBe(value);
    }
  });
});

describe('<name>FromEnv: the value of the scale target container env var it names', () => {
  const declaration = defineMetadata({
    password: p.string().required().from('authParams', 'resolvedEnv'),
    port: p.integer().default(6379).from('triggerMetadata', 'resolvedEnv'),
    username: p.string().from('resolvedEnv'),
    threshold: p.number().required(),
  });

  it('resolves passwordFromEnv: REDIS_PASSWORD from resolvedEnv', () => {
    const result = declaration.parse({
      triggerMetadata: { passwordFromEnv: 'REDIS_PASSWORD', portFromEnv: 'REDIS_PORT', threshold: '5' },
      resolvedEnv: { REDIS_PASSWORD: 'hunter2', REDIS_PORT: '6380' },
    });
    expect(result.problems).toEqual([]);
    expect(metadataOf(result)).toEqual({ password: 'hunter2', port: 6380, threshold: 5 });
  });

  it('the FromEnv keys of declared parameters are not unknown keys', () => {
    const result = declaration.parse({
      triggerMetadata: { passwordFromEnv: 'P', portFromEnv: 'Q', usernameFromEnv: 'U', threshold: '5' },
      resolvedEnv: { P: 'x', Q: '1', U: 'u' },
    });
    expect(result.problems).toEqual([]);
  });

  describe('the container env is not known (resolvedEnv undefined)', () => {
    const input: MetadataInput = { triggerMetadata: { passwordFromEnv: 'REDIS_PASSWORD', threshold: '5' } };

    it.each<{ option: ParseOptions['unresolved']; severity: MetadataProblem['severity'] }>([
      { option: undefined, severity: 'error' },
      { option: 'error', severity: 'error' },
      { option: 'warning', severity: 'warning' },
    ])('unresolved: $option → one $severity at the FromEnv key, and no "missing required" error', ({ option, severity }) => {
      const result = declaration.parse(input, { unresolved: option });
      expect(result.problems).toEqual([
        {
          severity,
          source: 'resolvedEnv',
          key: 'passwordFromEnv',
          message: "cannot resolve env var REDIS_PASSWORD: the scale target's container env is not known here",
        },
      ]);
      // The value is unknown, so there is nothing a scaler could be built from.
      expect(result.metadata).toBeUndefined();
    });

    it('a source before resolvedEnv that has the value settles it', () => {
      const result = declaration.parse({ ...input, authParams: { password: 'from-auth' } });
      expect(result.problems).toEqual([]);
      expect(metadataOf(result).password).toBe('from-auth');
    });

    it('a parameter without a FromEnv key is unaffected', () => {
      const result = declaration.parse({ triggerMetadata: { threshold: '5' }, authParams: { password: 'p' } });
      expect(result.problems).toEqual([]);
    });

    it('a required parameter with neither a value nor a FromEnv key is still missing', () => {
      const result = declaration.parse({ triggerMetadata: { threshold: '5' } }, { unresolved: 'warning' });
      expect(errors(result)).toEqual([{ severity: 'error', message: 'missing required parameter "password" (set it in a TriggerAuthentication or passwordFromEnv)' }]);
    });
  });

  describe('the FromEnv key names an env var the container does not set', () => {
    it('required: the "missing required" error says which env var was looked for', () => {
      const result = declaration.parse({ triggerMetadata: { passwordFromEnv: 'NOPE', threshold: '5' }, resolvedEnv: {} });
      expect(result.problems).toEqual([
        {
          severity: 'error',
          message:
            "missing required parameter \"password\" (set it in a TriggerAuthentication or passwordFromEnv); passwordFromEnv names NOPE, which the scale target's container does not set",
        },
      ]);
    });

    it('with a default: a warning at the FromEnv key, and the default', () => {
      const result = declaration.parse({ triggerMetadata: { portFromEnv: 'NOPE', threshold: '5' }, authParams: { password: 'p' }, resolvedEnv: {} });
      expect(result.problems).toEqual([
        { severity: 'warning', source: 'resolvedEnv', key: 'portFromEnv', message: "env var NOPE is not set in the scale target's container" },
      ]);
      expect(metadataOf(result).port).toBe(6379);
    });

    it('optional: a warning, and no value', () => {
      const result = declaration.parse({ triggerMetadata: { usernameFromEnv: 'NOPE', threshold: '5' }, authParams: { password: 'p' }, resolvedEnv: {} });
      expect(warnings(result)).toEqual([
        { severity: 'warning', source: 'resolvedEnv', key: 'usernameFromEnv', message: "env var NOPE is not set in the scale target's container" },
      ]);
      expect(metadataOf(result)).not.toHaveProperty('username');
    });

    it('a later source that has the value wins, without a warning', () => {
      const declaration = defineMetadata({ host: p.string().required().from('resolvedEnv', 'triggerMetadata') });
      const result = declaration.parse({ triggerMetadata: { hostFromEnv: 'NOPE', host: 'h' }, resolvedEnv: {} });
      expect(result.problems).toEqual([]);
      expect(metadataOf(result).host).toBe('h');
    });
  });
});

describe('values only the cluster can supply (MetadataInput.unresolved)', () => {
  const rule = vi.fn();
  const declaration = defineMetadata(
    {
      token: p.string().required().alias('bearerToken').from('authParams').secret(),
      authModes: p.list(['basic', 'bearer']).from('triggerMetadata', 'authParams'),
      host: p.string().required().from('triggerMetadata', 'resolvedEnv'),
      port: p.integer().default(6379).from('triggerMetadata', 'resolvedEnv'),
      threshold: p.number().required(),
    },
    {
      rules: [
        (m, context) => {
          rule(m);
          if (m.authModes?.includes('bearer') && !m.token) context.error('authModes includes bearer, which needs token');
        },
      ],
    },
  );
  const secretReason = 'Secret default/creds is not in these files; only the cluster can supply it';
  const envReason = 'Secret default/env-creds is not in these files; only the cluster can supply it';
  beforeEach(() => {
    rule.mockClear();
  });

  describe('authParams', () => {
    const input: MetadataInput = {
      triggerMetadata: { host: 'h', threshold: '5', authModes: 'bearer' },
      authParams: {},
      unresolved: { authParams: new Map([['token', secretReason]]) },
    };

    it.each<{ option: ParseOptions['unresolved']; severity: MetadataProblem['severity'] }>([
      { option: undefined, severity: 'error' },
      { option: 'error', severity: 'error' },
      { option: 'warning', severity: 'warning' },
    ])('unresolved: $option → one $severity at the authParams key; not missing, no rules, no metadata', ({ option, severity }) => {
      const result = declaration.parse(input, { unresolved: option });
      expect(result.problems).toEqual([{ severity, source: 'authParams', key: 'token', message: `cannot resolve token: ${secretReason}` }]);
      expect(rule).not.toHaveBeenCalled();
      expect(result.metadata).toBeUndefined();
    });

    it('is reported at the key it is unresolved under, an alias too', () => {
      const result = declaration.parse({ ...input, unresolved: { authParams: new Map([['bearerToken', secretReason]]) } }, { unresolved: 'warning' });
      expect(result.problems).toEqual([{ severity: 'warning', source: 'authParams', key: 'bearerToken', message: `cannot resolve bearerToken: ${secretReason}` }]);
    });

    it('a value in authParams, or in a source read before it, settles the parameter', () => {
      const found = declaration.parse({ ...input, authParams: { token: 'from-auth' } }, { unresolved: 'warning' });
      expect(found.problems).toEqual([]);
      expect(metadataOf(found).token).toBe('from-auth');
      // authModes is read from metadata first, so its unresolved authParams key is never looked at.
      const earlier = declaration.parse(
        { ...input, authParams: { token: 't' }, unresolved: { authParams: new Map([['authModes', secretReason]]) } },
        { unresolved: 'warning' },
      );
      expect(earlier.problems).toEqual([]);
      expect(metadataOf(earlier).authModes).toEqual(['bearer']);
    });

    it('other problems of the same trigger are still reported', () => {
      const result = declaration.parse({ ...input, triggerMetadata: { ...input.triggerMetadata, threshold: 'ten' } }, { unresolved: 'warning' });
      expect(result.problems).toEqual([
        { severity: 'warning', source: 'authParams', key: 'token', message: `cannot resolve token: ${secretReason}` },
        { severity: 'error', source: 'triggerMetadata', key: 'threshold', message: 'must be a number, got "ten"' },
      ]);
    });
  });

  describe('env', () => {
    const input: MetadataInput = {
      triggerMetadata: { hostFromEnv: 'HOST', portFromEnv: 'PORT', threshold: '5' },
      authParams: { token: 't' },
      resolvedEnv: { PORT: '6380' },
      unresolved: { env: new Map([['HOST', envReason]]) },
    };

    it.each<{ option: ParseOptions['unresolved']; severity: MetadataProblem['severity'] }>([
      { option: undefined, severity: 'error' },
      { option: 'error', severity: 'error' },
      { option: 'warning', severity: 'warning' },
    ])('unresolved: $option → one $severity at the FromEnv key; not missing, no rules, no metadata', ({ option, severity }) => {
      const result = declaration.parse(input, { unresolved: option });
      expect(result.problems).toEqual([{ severity, source: 'resolvedEnv', key: 'hostFromEnv', message: `cannot resolve env var HOST: ${envReason}` }]);
      expect(rule).not.toHaveBeenCalled();
      expect(result.metadata).toBeUndefined();
    });

    it('the known vars beside it are read, and their problems reported', () => {
      const result = declaration.parse({ ...input, resolvedEnv: { PORT: 'high' } }, { unresolved: 'warning' });
      expect(result.problems).toEqual([
        { severity: 'warning', source: 'resolvedEnv', key: 'hostFromEnv', message: `cannot resolve env var HOST: ${envReason}` },
        // Values from the env are not quoted: they may be secrets.
        { severity: 'error', source: 'resolvedEnv', key: 'portFromEnv', message: 'must be an integer, got <redacted>' },
      ]);
    });

    it('an unresolved var that no FromEnv key names changes nothing', () => {
      const result = declaration.parse({ ...input, triggerMetadata: { host: 'h', threshold: '5' }, unresolved: { env: new Map([['OTHER', envReason]]) } });
      expect(result.problems).toEqual([]);
      expect(metadataOf(result)).toMatchObject({ host: 'h', token: 't', port: 6379 });
      expect(rule).toHaveBeenCalledTimes(1);
    });
  });
});

describe('required, optional and default', () => {
  it('optional parameters may be left out (KEDA TestOptional)', () => {
    const declaration = defineMetadata({ stringVal: p.string().required(), intVal: p.integer(), intValAlso: p.integer().optional() });
    const result = declaration.parse({ triggerMetadata: { stringVal: 'value1' } });
    expect(result.problems).toEqual([]);
    expect(metadataOf(result)).toEqual({ stringVal: 'value1' });
  });

  it('a missing required parameter is an error (KEDA TestMissing)', () => {
    const declaration = defineMetadata({ stringVal: p.string().required() });
    const result = declaration.parse({ triggerMetadata: {} });
    expect(result.metadata).toBeUndefined();
    expect(result.problems).toEqual([{ severity: 'error', message: 'missing required parameter "stringVal" (set it in metadata)' }]);
  });

  it('defaults fill what is missing, typed (KEDA TestDefaultValue)', () => {
    const declaration = defineMetadata({
      boolVal: p.boolean().default(true),
      stringVal: p.string().default('d'),
      stringVal2: p.string().default('d'),
      threshold: p.number().default(1.5),
      timeout: p.duration().default(3000),
      modes: p.list(['a', 'b']).default(['a']),
      headers: p.map().default({ k: 'v' }),
      mode: p.enum(['x', 'y']).default('y'),
    });
    const result = declaration.parse({ triggerMetadata: { stringVal: 'value1' } });
    expect(result.problems).toEqual([]);
    expect(metadataOf(result)).toStrictEqual({
      boolVal: true,
      stringVal: 'value1',
      stringVal2: 'd',
      threshold: 1.5,
      timeout: 3000,
      modes: ['a'],
      headers: { k: 'v' },
      mode: 'y',
    });
  });

  it('a given value replaces the default and is coerced', () => {
    const declaration = defineMetadata({ boolVal: p.boolean().default(true), threshold: p.number().default(1.5) });
    expect(metadataOf(declaration.parse({ triggerMetadata: { boolVal: 'false', threshold: '7' } }))).toStrictEqual({ boolVal: false, threshold: 7 });
  });

  it('the last presence call wins', () => {
    const declaration = defineMetadata({ a: p.string().default('d').required(), b: p.string().required().optional() });
    expect(declaration.parse({ triggerMetadata: {} }).problems).toEqual([{ severity: 'error', message: 'missing required parameter "a" (set it in metadata)' }]);
  });
});

describe('enum and list of enum (KEDA TestEnum)', () => {
  const declaration = defineMetadata({
    enumVal: p.enum(['value1', 'value2']).required(),
    enumSlice: p.list(['value1', 'value2']),
  });

  it('accepts members, trimming list elements', () => {
    const result = declaration.parse({ triggerMetadata: { enumVal: 'value1', enumSlice: 'value1, value2' } });
    expect(metadataOf(result)).toEqual({ enumVal: 'value1', enumSlice: ['value1', 'value2'] });
  });

  it.each([
    { key: 'enumVal', raw: 'value3', message: 'must be one of value1, value2, got "value3"' },
    { key: 'enumVal', raw: 'Value1', message: 'must be one of value1, value2, got "Value1"' },
    { key: 'enumSlice', raw: 'value1,value3', message: 'must be one of value1, value2, got "value3"' },
  ])('$key: $raw is rejected', ({ key, raw, message }) => {
    const result = declaration.parse({ triggerMetadata: { enumVal: 'value1', [key]: raw } });
    expect(result.problems).toEqual([{ severity: 'error', source: 'triggerMetadata', key, message }]);
  });

  it('a list splits on its own separator before the enum check', () => {
    const semicolons = defineMetadata({ modes: p.list(['a', 'b']).separatedBy(';') });
    expect(metadataOf(semicolons.parse({ triggerMetadata: { modes: 'a;b' } })).modes).toEqual(['a', 'b']);
    expect(semicolons.parse({ triggerMetadata: { modes: 'a,b' } }).problems).toEqual([
      { severity: 'error', source: 'triggerMetadata', key: 'modes', message: 'must be one of a, b, got "a,b"' },
    ]);
  });
});

describe('exclusive values in a list (KEDA exclusiveSet)', () => {
  const authModes = defineMetadata({
    authModes: p.list(['apiKey', 'basic', 'tls', 'bearer', 'custom', 'oauth']).alias('authMode').from('triggerMetadata', 'authParams').exclusive(['bearer', 'basic', 'oauth']),
  });

  it.each(['tls,bearer', 'basic', 'tls, custom, apiKey', 'oauth,tls'])('%j is allowed', (raw) => {
    expect(authModes.parse({ triggerMetadata: { authModes: raw } }).problems).toEqual([]);
  });

  it.each([
    { raw: 'bearer,basic', message: 'may contain only one of bearer, basic, oauth, got bearer and basic' },
    { raw: 'tls, oauth, basic', message: 'may contain only one of bearer, basic, oauth, got basic and oauth' },
  ])('$raw is rejected', ({ raw, message }) => {
    expect(authModes.parse({ triggerMetadata: { authMode: raw } }).problems).toEqual([{ severity: 'error', source: 'triggerMetadata', key: 'authMode', message }]);
  });

  // KEDA TestExclusive: `IntVal []int keda:"name=intVal, order=triggerMetadata, exclusiveSet=1;4;5"`,
  // an exclusive set on a list without an enum.
  it('applies to a list without enum values too (KEDA TestExclusive)', () => {
    const declaration = defineMetadata({ intVal: p.list().required().exclusive(['1', '4', '5']) });
    expect(declaration.parse({ triggerMetadata: { intVal: '1,2,3' } }).problems).toEqual([]);
    expect(errors(declaration.parse({ triggerMetadata: { intVal: '1,4' } }))).toHaveLength(1);
  });
});

describe('exclusive parameters: at most one of a set may be given', () => {
  const declaration = defineMetadata(
    {
      host: p.string(),
      address: p.string().from('triggerMetadata', 'authParams'),
      sentinel: p.string(),
    },
    { exclusive: [['host', 'address']] },
  );

  it.each<{ name: string; input: MetadataInput }>([
    { name: 'neither', input: { triggerMetadata: {} } },
    { name: 'one', input: { triggerMetadata: { host: 'h' } } },
    { name: 'the other, from authParams', input: { triggerMetadata: { host: ' ' }, authParams: { address: 'a' } } },
  ])('$name is allowed', ({ input }) => {
    expect(declaration.parse(input).problems).toEqual([]);
  });

  it('both: one error, reported where the later one was found', () => {
    const result = declaration.parse({ triggerMetadata: { host: 'h', sentinel: 's' }, authParams: { address: 'a' } });
    expect(result.metadata).toBeUndefined();
    expect(result.problems).toEqual([{ severity: 'error', source: 'authParams', key: 'address', message: 'only one of host, address may be set, got host and address' }]);
  });
});

describe('deprecation', () => {
  it('deprecated: giving the parameter is an error with the message (KEDA TestDeprecated)', () => {
    const declaration = defineMetadata({ oldParam: p.string().deprecated('This parameter is deprecated and is removed - Use newParam instead') });
    const result = declaration.parse({ triggerMetadata: { oldParam: 'value1' } });
    expect(result.metadata).toBeUndefined();
    expect(result.problems).toEqual([
      { severity: 'error', source: 'triggerMetadata', key: 'oldParam', message: 'This parameter is deprecated and is removed - Use newParam instead' },
    ]);
  });

  it('deprecated: leaving it out is fine, even when it is required', () => {
    // KEDA tags without `optional` are required, and KEDA never reports a deprecated one as missing.
    const declaration = defineMetadata({ oldParam: p.string().required().deprecated('gone'), other: p.string().default('x') });
    expect(declaration.parse({ triggerMetadata: {} }).problems).toEqual([]);
  });

  it('deprecatedAnnounce: a warning, and the value is still parsed (KEDA TestDeprecatedAnnounce)', () => {
    const declaration = defineMetadata({
      oldParam: p.string().deprecatedAnnounce('This parameter is deprecated and will be removed in - Use newParam instead'),
    });
    const result = declaration.parse({ triggerMetadata: { oldParam: 'value1' } });
    expect(result.problems).toEqual([
      { severity: 'warning', source: 'triggerMetadata', key: 'oldParam', message: 'This parameter is deprecated and will be removed in - Use newParam instead' },
    ]);
    expect(metadataOf(result).oldParam).toBe('value1');
  });

  it('deprecatedAnnounce: no warning when the parameter is not given', () => {
    const declaration = defineMetadata({ oldParam: p.string().deprecatedAnnounce('soon gone') });
    expect(declaration.parse({ triggerMetadata: {} }).problems).toEqual([]);
  });
});

describe('unknown metadata keys: warnings, with a did-you-mean when one is close', () => {
  const declaration = defineMetadata({
    stringVal: p.string().required(),
    threshold: p.number().default(1),
    serverAddress: p.string().from('triggerMetadata', 'resolvedEnv'),
    password: p.string().from('authParams'),
  });

  it('reports keys that no parameter reads (KEDA TestUnexpectedOptional), and still parses', () => {
    const result = declaration.parse(
      { triggerMetadata: { stringVal: 'value1', notexistVal: 'aaa', notValFromEnv: 'bbb' }, resolvedEnv: { bbb: '1.1' } },
      { triggerType: 'test' },
    );
    expect(result.problems).toEqual([
      { severity: 'warning', source: 'triggerMetadata', key: 'notexistVal', message: 'unknown parameter for test, ignored' },
      { severity: 'warning', source: 'triggerMetadata', key: 'notValFromEnv', message: 'unknown parameter for test, ignored' },
    ]);
    expect(metadataOf(result)).toEqual({ stringVal: 'value1', threshold: 1 });
  });

  it.each([
    { key: 'treshold', hint: 'threshold' },
    { key: 'Threshold', hint: 'threshold' },
    { key: 'serveraddress', hint: 'serverAddress' },
    { key: 'serverAdress', hint: 'serverAddress' },
    { key: 'serverAddressFromEnvv', hint: 'serverAddressFromEnv' },
    { key: 'stringval', hint: 'stringVal' },
  ])('$key → did you mean $hint?', ({ key, hint }) => {
    const result = declaration.parse({ triggerMetadata: { stringVal: 'v', [key]: 'x' } }, { triggerType: 'prometheus' });
    expect(result.problems).toEqual([
      { severity: 'warning', source: 'triggerMetadata', key, message: `unknown parameter for prometheus, ignored; did you mean "${hint}"?` },
    ]);
  });

  it('no hint when nothing is close, and no trigger type when none is given', () => {
    const result = declaration.parse({ triggerMetadata: { stringVal: 'v', completelyDifferent: 'x' } });
    expect(result.problems).toEqual([{ severity: 'warning', source: 'triggerMetadata', key: 'completelyDifferent', message: 'unknown parameter, ignored' }]);
  });

  it('a parameter that may only come from authParams is unknown in metadata, and its value is not read', () => {
    const result = declaration.parse({ triggerMetadata: { stringVal: 'v', password: 'p' } });
    expect(warnings(result).map((problem) => problem.key)).toEqual(['password']);
    expect(metadataOf(result)).not.toHaveProperty('password');
  });

  it('a FromEnv key of a parameter that does not read resolvedEnv is unknown', () => {
    const result = declaration.parse({ triggerMetadata: { stringVal: 'v', thresholdFromEnv: 'T' }, resolvedEnv: { T: '5' } });
    expect(warnings(result).map((problem) => problem.key)).toEqual(['thresholdFromEnv']);
    expect(metadataOf(result).threshold).toBe(1);
  });

  it('knownMetadataKeys lists names, aliases and the FromEnv keys of resolvedEnv parameters', () => {
    const keys = defineMetadata({
      a: p.string().alias('b'),
      c: p.string().from('triggerMetadata', 'resolvedEnv'),
      d: p.string().alias('e').from('authParams', 'resolvedEnv'),
    }).knownMetadataKeys();
    expect([...keys].sort()).toEqual(['a', 'b', 'c', 'cFromEnv', 'dFromEnv', 'eFromEnv']);
  });
});

describe('cross-field rules', () => {
  const params = {
    authModes: p.list(['basic', 'bearer']).alias('authMode').from('triggerMetadata', 'authParams'),
    username: p.string().from('authParams'),
    threshold: p.number().required(),
    activationThreshold: p.number().default(0),
  };

  it('run only when every field parsed, and never see a partial object', () => {
    const rule = vi.fn();
    const declaration = defineMetadata(params, { rules: [rule] });
    declaration.parse({ triggerMetadata: { threshold: 'ten' } });
    declaration.parse({ triggerMetadata: {} });
    expect(rule).not.toHaveBeenCalled();
    declaration.parse({ triggerMetadata: { threshold: '10' } });
    expect(rule).toHaveBeenCalledTimes(1);
    expect(rule.mock.calls[0]![0]).toEqual({ threshold: 10, activationThreshold: 0 });
  });

  it('do not run when a FromEnv key cannot be resolved, even as a warning', () => {
    const rule = vi.fn();
    const declaration = defineMetadata({ host: p.string().from('triggerMetadata', 'resolvedEnv') }, { rules: [rule] });
    const result = declaration.parse({ triggerMetadata: { hostFromEnv: 'HOST' } }, { unresolved: 'warning' });
    expect(rule).not.toHaveBeenCalled();
    expect(result.metadata).toBeUndefined();
  });

  it('report at the source key of the parameter they name', () => {
    const declaration = defineMetadata(params, {
      rules: [
        (m, context) => {
          if (m.authModes?.includes('basic') && !m.username) context.error('authModes includes basic, which needs username', 'authModes');
        },
      ],
    });
    const result = declaration.parse({ triggerMetadata: { threshold: '1' }, authParams: { authMode: 'basic' } });
    expect(result.metadata).toBeUndefined();
    expect(result.problems).toEqual([{ severity: 'error', source: 'authParams', key: 'authMode', message: 'authModes includes basic, which needs username' }]);
  });

  it('report about the whole metadata, or about a parameter that was defaulted, without a source', () => {
    const declaration = defineMetadata(params, {
      rules: [
        (m, context) => {
          if (m.activationThreshold > m.threshold) context.error('activationThreshold must not exceed threshold');
          if (m.activationThreshold === 0) context.warning('activation at 0', 'activationThreshold');
        },
      ],
    });
    const defaulted = declaration.parse({ triggerMetadata: { threshold: '1' } });
    expect(defaulted.problems).toEqual([{ severity: 'warning', message: 'activation at 0' }]);
    expect(metadataOf(defaulted).threshold).toBe(1);
    expect(declaration.parse({ triggerMetadata: { threshold: '1', activationThreshold: '2' } }).problems).toEqual([
      { severity: 'error', message: 'activationThreshold must not exceed threshold' },
    ]);
  });

  it('can tell a value the user gave from a default', () => {
    const seen: boolean[] = [];
    const declaration = defineMetadata(params, { rules: [(_m, context) => void seen.push(context.given('activationThreshold'))] });
    declaration.parse({ triggerMetadata: { threshold: '1' } });
    declaration.parse({ triggerMetadata: { threshold: '1', activationThreshold: '0' } });
    expect(seen).toEqual([false, true]);
  });

  it('warnings keep the metadata, errors drop it', () => {
    const declaration = defineMetadata(params, { rules: [(_m, context) => context.warning('look', 'threshold')] });
    const result = declaration.parse({ triggerMetadata: { threshold: '3' } });
    expect(result.problems).toEqual([{ severity: 'warning', source: 'triggerMetadata', key: 'threshold', message: 'look' }]);
    expect(metadataOf(result).threshold).toBe(3);
  });
});

describe('all problems of one trigger are reported together', () => {
  it('every bad field, every missing field and every unknown key, in declaration order then unknown keys', () => {
    const declaration = defineMetadata({
      serverAddress: p.url().required(),
      query: p.string().required(),
      threshold: p.number().required(),
      ignoreNullValues: p.boolean().default(true),
      timeout: p.duration(),
      customHeaders: p.map(),
    });
    const result = declaration.parse({
      triggerMetadata: { serverAddress: 'prometheus', threshold: 'one', ignoreNullValues: 'yes', timeout: '-1', customHeaders: 'key1=value1,key2', qeury: 'up' },
    });
    expect(result.metadata).toBeUndefined();
    expect(result.problems).toEqual([
      { severity: 'error', source: 'triggerMetadata', key: 'serverAddress', message: 'must be an absolute http:// or https:// URL, got "prometheus"' },
      { severity: 'error', message: 'missing required parameter "query" (set it in metadata)' },
      { severity: 'error', source: 'triggerMetadata', key: 'threshold', message: 'must be a number, got "one"' },
      { severity: 'error', source: 'triggerMetadata', key: 'ignoreNullValues', message: 'must be true or false, got "yes"' },
      { severity: 'error', source: 'triggerMetadata', key: 'timeout', message: 'must not be negative, got "-1"' },
      { severity: 'error', source: 'triggerMetadata', key: 'customHeaders', message: 'must be key=value pairs separated by ",", got "key2"' },
      { severity: 'warning', source: 'triggerMetadata', key: 'qeury', message: 'unknown parameter, ignored; did you mean "query"?' },
    ]);
  });
});

describe('secret and authParams values never appear in a message', () => {
  const SECRET = 'Zq9-SECRET-do-not-print';
  const declaration = defineMetadata({
    apiKey: p.number().secret(),
    password: p.integer().from('authParams'),
    endpointParams: p.map().from('authParams'),
    headers: p.map().separatedBy(';').from('authParams'),
    authModes: p.list(['basic', 'bearer']).from('authParams'),
    method: p.enum(['header', 'query']).from('authParams'),
    url: p.url().from('authParams'),
    timeout: p.duration().from('resolvedEnv'),
    token: p.boolean().secret().from('resolvedEnv'),
  });

  it.each<{ name: string; input: MetadataInput; key: string }>([
    { name: 'a secret parameter in metadata', input: { triggerMetadata: { apiKey: SECRET } }, key: 'apiKey' },
    { name: 'a whole authParams value', input: { triggerMetadata: {}, authParams: { password: SECRET } }, key: 'password' },
    { name: 'one bad pair of an authParams map', input: { triggerMetadata: {}, authParams: { endpointParams: `a=1, ${SECRET} ,b=2` } }, key: 'endpointParams' },
    { name: 'a map with its own separator', input: { triggerMetadata: {}, authParams: { headers: `a=1;${SECRET}` } }, key: 'headers' },
    { name: 'one bad element of an authParams list', input: { triggerMetadata: {}, authParams: { authModes: `basic,${SECRET}` } }, key: 'authModes' },
    { name: 'an authParams enum', input: { triggerMetadata: {}, authParams: { method: SECRET } }, key: 'method' },
    { name: 'an authParams URL', input: { triggerMetadata: {}, authParams: { url: `ftp://${SECRET}` } }, key: 'url' },
    { name: 'an env var value', input: { triggerMetadata: { timeoutFromEnv: 'T' }, resolvedEnv: { T: SECRET } }, key: 'timeoutFromEnv' },
    { name: 'a secret env var value', input: { triggerMetadata: { tokenFromEnv: 'T' }, resolvedEnv: { T: SECRET } }, key: 'tokenFromEnv' },
  ])('$name: the error is reported, the value is not', ({ input, key }) => {
    const result = declaration.parse(input);
    expect(errors(result).map((problem) => problem.key)).toEqual([key]);
    expect(errors(result)[0]!.message).toContain('<redacted>');
    expect(JSON.stringify(result)).not.toContain('SECRET');
  });

  it('a plain metadata value is quoted (so the redaction above is not vacuous)', () => {
    const plain = defineMetadata({ threshold: p.number() });
    expect(plain.parse({ triggerMetadata: { threshold: SECRET } }).problems[0]!.message).toContain(SECRET);
  });

  it('no message of a trigger that mixes secrets with other problems shows a secret', () => {
    const result = declaration.parse(
      {
        triggerMetadata: { apiKey: SECRET, timeoutFromEnv: 'T', tokenFromEnv: 'U', unknownKey: 'x' },
        authParams: { password: SECRET, endpointParams: `${SECRET}=1,${SECRET}`, authModes: `${SECRET},basic`, method: SECRET, url: SECRET },
        resolvedEnv: { T: SECRET, U: SECRET },
      },
      { triggerType: 'test' },
    );
    expect(errors(result)).toHaveLength(8);
    for (const problem of result.problems) expect(problem.message).not.toContain('SECRET');
  });
});

describe('the parsed type is inferred from the declaration', () => {
  const declaration = defineMetadata({
    query: p.string().required(),
    threshold: p.number().required(),
    namespace: p.string(),
    timeout: p.duration().optional(),
    ignoreNullValues: p.boolean().default(true),
    activationThreshold: p.number().default(0),
    identityOwner: p.enum(['pod', 'operator']),
    method: p.enum(['header', 'query']).default('header'),
    authModes: p.list(['basic', 'bearer']),
    scopes: p.list(),
    customHeaders: p.map(),
    serverAddress: p.url().required(),
  });
  type Metadata = MetadataOf<typeof declaration>;

  it('required → T, optional → T | undefined, default → T', () => {
    expectTypeOf<Metadata['query']>().toEqualTypeOf<string>();
    expectTypeOf<Metadata['threshold']>().toEqualTypeOf<number>();
    expectTypeOf<Metadata['serverAddress']>().toEqualTypeOf<string>();
    expectTypeOf<Metadata['namespace']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Metadata['timeout']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<Metadata['ignoreNullValues']>().toEqualTypeOf<boolean>();
    expectTypeOf<Metadata['activationThreshold']>().toEqualTypeOf<number>();
    expectTypeOf<Metadata['identityOwner']>().toEqualTypeOf<'pod' | 'operator' | undefined>();
    expectTypeOf<Metadata['method']>().toEqualTypeOf<'header' | 'query'>();
    expectTypeOf<Metadata['authModes']>().toEqualTypeOf<('basic' | 'bearer')[] | undefined>();
    expectTypeOf<Metadata['scopes']>().toEqualTypeOf<string[] | undefined>();
    expectTypeOf<Metadata['customHeaders']>().toEqualTypeOf<Record<string, string> | undefined>();
  });

  it('optional keys may be left out of the object; required and defaulted ones may not', () => {
    expectTypeOf<{
      query: string;
      threshold: number;
      serverAddress: string;
      ignoreNullValues: boolean;
      activationThreshold: number;
      method: 'header';
    }>().toExtend<Metadata>();
    expectTypeOf<{ query: string; threshold: number; serverAddress: string; method: 'header'; ignoreNullValues: boolean }>().not.toExtend<Metadata>();
    expectTypeOf<Metadata>().not.toHaveProperty('unknownKey');
  });

  it('parse returns that type, and nothing else', () => {
    expectTypeOf(declaration.parse).returns.toEqualTypeOf<ParseResult<Metadata>>();
    const metadata = metadataOf(declaration.parse({ triggerMetadata: { query: 'up', threshold: '2', serverAddress: 'http://p:9090' } }));
    expectTypeOf(metadata.threshold).toBeNumber();
    expect(metadata).toEqual({ query: 'up', threshold: 2, serverAddress: 'http://p:9090', ignoreNullValues: true, activationThreshold: 0, method: 'header' });
  });
});
