import { Ajv } from 'ajv';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { JsonSchema } from '../metadata/docs.js';
import type { ScalerRegistry } from '../scaler-registry.js';
import { scaledObjectJsonSchema, triggerAuthenticationJsonSchema } from './schema.js';
import { testRegistry } from './registry.test.fixture.js';
import { KEDA_EXAMPLE } from './yaml.test.fixture.js';

let registry: ScalerRegistry;
let prometheusOnly: ScalerRegistry;
beforeAll(async () => {
  registry = await testRegistry();
  prometheusOnly = await testRegistry({ testScalers: false });
});

function compile(schema: JsonSchema, options: ConstructorParameters<typeof Ajv>[0] = {}) {
  const ajv = new Ajv({ allErrors: true, ...options });
  ajv.addFormat('uri', { validate: (value: string) => URL.canParse(value) });
  return ajv.compile(schema);
}

const exampleScaledObject = () => parseAllDocuments(KEDA_EXAMPLE).map((doc) => doc.toJS()).find((doc) => doc.kind === 'ScaledObject');

describe('scaledObjectJsonSchema', () => {
  it('is draft-07 and compiles in ajv strict mode', () => {
    const schema = scaledObjectJsonSchema(prometheusOnly);
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(() => compile(schema, { strict: true })).not.toThrow();
    // Every registered type, in ajv's default strict mode.
    expect(() => compile(scaledObjectJsonSchema(registry))).not.toThrow();
  });

  it('accepts the KEDA-docs example', () => {
    const validate = compile(scaledObjectJsonSchema(registry));
    expect(validate(exampleScaledObject()), JSON.stringify(validate.errors)).toBe(true);
  });

  it.each([
    { name: 'an unquoted number in metadata', change: (so: any) => (so.spec.triggers[0].metadata.threshold = 100), path: '/spec/triggers/0/metadata/threshold' },
    { name: 'a missing required prometheus parameter', change: (so: any) => delete so.spec.triggers[0].metadata.query, path: '/spec/triggers/0/metadata' },
    { name: 'a prometheus threshold that is not a number', change: (so: any) => (so.spec.triggers[0].metadata.threshold = 'ten'), path: '/spec/triggers/0/metadata/threshold' },
    { name: 'an unknown trigger type', change: (so: any) => (so.spec.triggers[0].type = 'kafka'), path: '/spec/triggers/0/type' },
    { name: 'Utilization on an external trigger', change: (so: any) => (so.spec.triggers[0].metricType = 'Utilization'), path: '/spec/triggers/0/metricType' },
    { name: 'an unknown field', change: (so: any) => (so.spec.pollingIntervall = 10), path: '/spec' },
    { name: 'a missing name', change: (so: any) => delete so.metadata.name, path: '/metadata' },
    { name: 'the wrong apiVersion', change: (so: any) => (so.apiVersion = 'keda.sh/v1beta1'), path: '/apiVersion' },
  ])('refuses $name', ({ change, path }) => {
    const validate = compile(scaledObjectJsonSchema(registry));
    const so = exampleScaledObject();
    change(so);
    expect(validate(so)).toBe(false);
    expect(validate.errors!.map((e) => e.instancePath)).toContain(path);
  });

  it('allows Utilization on cpu and memory, and describes the trigger types it knows', () => {
    const schema = scaledObjectJsonSchema(registry);
    const validate = compile(schema);
    const so = parse(`
      apiVersion: keda.sh/v1alpha1
      kind: ScaledObject
      metadata: {name: web}
      spec:
        scaleTargetRef: {name: web}
        minReplicaCount: 1
        triggers:
          - {type: cpu, metricType: Utilization, metadata: {value: "60"}}
    `);
    expect(validate(so), JSON.stringify(validate.errors)).toBe(true);
    const trigger = (schema.definitions as Record<string, JsonSchema>).trigger!;
    expect((trigger.properties as Record<string, JsonSchema>).type!.enum).toEqual(['cpu', 'fixed-name', 'memory', 'prometheus', 'test-api', 'test-queue']);
  });
});

describe('triggerAuthenticationJsonSchema', () => {
  it.each(['TriggerAuthentication', 'ClusterTriggerAuthentication'] as const)('%s compiles in strict mode and accepts KEDA documents', (kind) => {
    const validate = compile(triggerAuthenticationJsonSchema(kind), { strict: true });
    const document = parse(`
      apiVersion: keda.sh/v1alpha1
      kind: ${kind}
      metadata: {name: auth}
      spec:
        podIdentity: {provider: aws, identityOwner: keda}
        secretTargetRef: [{parameter: password, name: creds, key: password}]
        env: [{parameter: host, name: HOST, containerName: app}]
        hashiCorpVault:
          address: https://vault:8200
          authentication: token
          credential: {token: my-token}
          secrets: [{parameter: token, path: secret/data/x, key: token}]
    `);
    expect(validate(document), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ ...document, spec: { secretTargetRef: [{ parameter: 'x' }] } })).toBe(false);
  });
});
