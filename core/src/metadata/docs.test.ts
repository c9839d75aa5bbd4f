import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { defineMetadata } from './declaration.js';
import { metadataJsonSchema, renderParameterTable, renderScalerTables } from './docs.js';
import { p, type ParamShape } from './param.js';

// `logger: false`: without ajv-formats, ajv notes that it ignores `format: uri`; editors apply it.
function compile(schema: Record<string, unknown>): ValidateFunction {
  return new Ajv({ strict: false, allErrors: true, logger: false }).compile(schema);
}

describe('metadataJsonSchema', () => {
  const declaration = defineMetadata(
    {
      serverAddress: p.url().required().describe('Base URL of the Prometheus HTTP API.'),
      query: p.string().required(),
      threshold: p.number().required(),
      activationThreshold: p.number().default(0),
      limit: p.integer(),
      ignoreNullValues: p.boolean().default(true),
      timeout: p.duration(),
      identityOwner: p.enum(['pod', 'operator']),
      host: p.string().required().alias('address').from('triggerMetadata', 'resolvedEnv'),
      password: p.string().required().from('authParams', 'resolvedEnv').secret(),
      username: p.string().from('authParams'),
      metricName: p.string().deprecatedAnnounce('ignored'),
    },
    { exclusive: [['query', 'limit']] },
  );
  const schema = metadataJsonSchema(declaration);
  const validate = compile(schema);
  const valid = { serverAddress: 'http://prometheus:9090', query: 'up', threshold: '1.5', host: 'h' };

  it('describes a map of strings in which unknown keys stay allowed (they are warnings)', () => {
    expect(schema).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
    expect(validate({ ...valid, somethingElse: 'x' })).toBe(true);
  });

  it('has a property for each metadata key, alias and FromEnv key, and none for authParams-only parameters', () => {
    expect(Object.keys(schema.properties as object).sort()).toEqual(
      [
        'serverAddress',
        'query',
        'threshold',
        'activationThreshold',
        'limit',
        'ignoreNullValues',
        'timeout',
        'identityOwner',
        'host',
        'hostFromEnv',
        'address',
        'addressFromEnv',
        'passwordFromEnv',
        'metricName',
      ].sort(),
    );
  });

  it('carries descriptions, defaults as written in YAML, enums and deprecation', () => {
    const properties = schema.properties as Record<string, Record<string, unknown>>;
    expect(properties.serverAddress).toEqual({ type: 'string', description: 'Base URL of the Prometheus HTTP API.', format: 'uri' });
    expect(properties.activationThreshold).toMatchObject({ default: '0' });
    expect(properties.ignoreNullValues).toMatchObject({ default: 'true' });
    expect(properties.identityOwner).toEqual({ type: 'string', enum: ['pod', 'operator'] });
    expect(properties.address).toMatchObject({ description: 'Alias of host.' });
    expect(properties.metricName).toMatchObject({ deprecated: true });
  });

  it('requires what must be in metadata; a parameter that may come from a TriggerAuthentication is not required', () => {
    expect(schema.required).toEqual(['serverAddress', 'query', 'threshold']);
  });

  it.each<{ name: string; metadata: Record<string, unknown>; ok: boolean }>([
    { name: 'the minimal valid metadata', metadata: valid, ok: true },
    { name: 'host through hostFromEnv', metadata: { ...valid, host: undefined, hostFromEnv: 'HOST' }, ok: true },
    { name: 'host through its alias', metadata: { ...valid, host: undefined, address: 'a' }, ok: true },
    { name: 'host through the alias FromEnv key', metadata: { ...valid, host: undefined, addressFromEnv: 'ADDR' }, ok: true },
    { name: 'no host in any form', metadata: { ...valid, host: undefined }, ok: false },
    { name: 'no threshold', metadata: { ...valid, threshold: undefined }, ok: false },
    { name: 'no query', metadata: { ...valid, query: undefined }, ok: false },
    { name: 'threshold "1e3"', metadata: { ...valid, threshold: '1e3' }, ok: true },
    { name: 'threshold "-2"', metadata: { ...valid, threshold: '-2' }, ok: true },
    { name: 'threshold "ten"', metadata: { ...valid, threshold: 'ten' }, ok: false },
    { name: 'threshold "+1"', metadata: { ...valid, threshold: '+1' }, ok: false },
    { name: 'threshold ".5"', metadata: { ...valid, threshold: '.5' }, ok: false },
    { name: 'threshold as a YAML number, not a string', metadata: { ...valid, threshold: 1.5 }, ok: false },
    { name: 'limit "10"', metadata: { ...valid, limit: '10' }, ok: true },
    { name: 'limit "1.5"', metadata: { ...valid, limit: '1.5' }, ok: false },
    { name: 'ignoreNullValues "False"', metadata: { ...valid, ignoreNullValues: 'False' }, ok: true },
    { name: 'ignoreNullValues "yes"', metadata: { ...valid, ignoreNullValues: 'yes' }, ok: false },
    { name: 'timeout "1m30s"', metadata: { ...valid, timeout: '1m30s' }, ok: true },
    { name: 'timeout "1000"', metadata: { ...valid, timeout: '1000' }, ok: true },
    { name: 'timeout "-1s"', metadata: { ...valid, timeout: '-1s' }, ok: false },
    { name: 'timeout "1d"', metadata: { ...valid, timeout: '1d' }, ok: false },
    { name: 'identityOwner "pod"', metadata: { ...valid, identityOwner: 'pod' }, ok: true },
    { name: 'identityOwner "Pod"', metadata: { ...valid, identityOwner: 'Pod' }, ok: false },
    { name: 'passwordFromEnv alone is enough for the password', metadata: { ...valid, passwordFromEnv: 'P' }, ok: true },
  ])('$name → $ok', ({ metadata, ok }) => {
    const defined = Object.fromEntries(Object.entries(metadata).filter(([, value]) => value !== undefined));
    expect(validate(defined)).toBe(ok);
  });

  it('two required parameters with alternatives each need one of their keys (allOf of anyOf)', () => {
    const twoSets = defineMetadata({
      host: p.string().required().from('triggerMetadata', 'resolvedEnv'),
      port: p.integer().required().from('triggerMetadata', 'resolvedEnv'),
    });
    const check = compile(metadataJsonSchema(twoSets));
    expect(check({ host: 'h', port: '1' })).toBe(true);
    expect(check({ hostFromEnv: 'H', portFromEnv: 'P' })).toBe(true);
    expect(check({ host: 'h' })).toBe(false);
    expect(check({ portFromEnv: 'P' })).toBe(false);
    expect(check({ port: 'one', host: 'h' })).toBe(false);
  });

  it('a declaration with nothing required requires nothing', () => {
    const schema = metadataJsonSchema(defineMetadata({ a: p.string(), b: p.number().default(1) }));
    expect(schema).not.toHaveProperty('required');
    expect(schema).not.toHaveProperty('anyOf');
    expect(compile(schema)({})).toBe(true);
  });
});

describe('renderParameterTable', () => {
  const declaration = defineMetadata(
    {
      query: p.string().required().describe('PromQL query.'),
      threshold: p.number().default(1.5).alias('target'),
      modes: p.list(['a', 'b']).separatedBy(';').from('triggerMetadata', 'authParams').exclusive(['a', 'b']),
      password: p.string().from('authParams', 'resolvedEnv').secret().describe('Password | token.'),
      headers: p.map().default({ a: '1', b: '2' }),
      timeout: p.duration().deprecatedAnnounce('use httpTimeout'),
      mode: p.enum(['x', 'y']).deprecated('removed in v2'),
    },
    { exclusive: [['query', 'password']] },
  );

  it('renders one row per parameter, then the exclusive sets', () => {
    expect(renderParameterTable(declaration)).toBe(
      [
        '| Parameter | Type | Required | Default | From | Description |',
        '| --- | --- | --- | --- | --- | --- |',
        '| `query` | string | yes |  | metadata | PromQL query. |',
        '| `threshold` (or `target`) | number | no | `1.5` | metadata |  |',
        '| `modes` | list of `a`, `b`, separated by `;` | no |  | metadata, authParams | At most one of `a`, `b`. |',
        '| `password` | string | no |  | authParams, `passwordFromEnv` | Password \\| token. Secret: never printed. |',
        '| `headers` | map `k=v,k2=v2` | no | `a=1,b=2` | metadata |  |',
        '| `timeout` | duration (`5s`, `1m30s`, or milliseconds) | no |  | metadata | Deprecated: use httpTimeout |',
        '| `mode` | one of `x`, `y` | no |  | metadata | Deprecated, an error: removed in v2 |',
        '',
        'At most one of `query`, `password` may be set.',
      ].join('\n'),
    );
  });

  it('renderScalerTables heads each table with its trigger type', () => {
    // Typed as ParamShape: MetadataDeclaration<S> is invariant in S (its rules take Infer<S>), so a
    // concretely typed declaration is not assignable to renderScalerTables' parameter.
    const small = defineMetadata<ParamShape>({ value: p.number().required() });
    expect(renderScalerTables([{ type: 'constant', metadata: small }])).toBe(
      ['### `constant`', '', '| Parameter | Type | Required | Default | From | Description |', '| --- | --- | --- | --- | --- | --- |', '| `value` | number | yes |  | metadata |  |'].join('\n'),
    );
  });
});
