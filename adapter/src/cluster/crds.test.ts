import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { scaledObjectJsonSchema, type JsonSchema } from '@updraft/core';
import { createRegistry } from '../composition.js';
import { customResourceDefinitions, PRINTER_COLUMNS } from './crds.js';

const registry = await createRegistry();
const generated = customResourceDefinitions(registry);
const crdDir = new URL('../../../deploy/crds/', import.meta.url);

type Schema = JsonSchema & { properties?: Record<string, Schema>; items?: Schema; additionalProperties?: Schema | boolean };

function openApi(crd: JsonSchema): Schema {
  return ((crd.spec as { versions: { schema: { openAPIV3Schema: Schema } }[] }).versions[0]!.schema.openAPIV3Schema);
}

/** Every node of a structural schema, with its path. */
function* nodes(schema: Schema, path = ''): Generator<[string, Schema]> {
  yield [path, schema];
  for (const [key, child] of Object.entries(schema.properties ?? {})) yield* nodes(child, `${path}.${key}`);
  if (schema.items) yield* nodes(schema.items, `${path}[]`);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') yield* nodes(schema.additionalProperties, `${path}.*`);
  for (const option of (schema.anyOf as Schema[] | undefined) ?? []) yield* nodes(option, `${path}|`);
}

/** The JSON Schema of `updraft schema` with its $refs followed. */
function resolve(schema: Schema, definitions: Record<string, Schema>): Schema {
  if (typeof schema.$ref === 'string') return resolve(definitions[schema.$ref.replace('#/definitions/', '')]!, definitions);
  return schema;
}

describe('deploy/crds', () => {
  it.each(generated.map((g) => [g.file, g] as const))('%s is what `npm run crds` makes', (file, { yaml }) => {
    expect(readFileSync(new URL(file, crdDir), 'utf8'), 'stale: run `npm run crds`').toBe(yaml);
  });

  it('has KEDA\'s names, scopes, short names, printer columns and the status subresource', () => {
    const byKind = Object.fromEntries(generated.map((g) => [(g.crd.spec as { names: { kind: string } }).names.kind, g.crd.spec as Record<string, any>]));
    expect(byKind.ScaledObject).toMatchObject({ group: 'keda.sh', scope: 'Namespaced', names: { plural: 'scaledobjects', singular: 'scaledobject', shortNames: ['so'], categories: ['keda'] } });
    expect(byKind.TriggerAuthentication).toMatchObject({ scope: 'Namespaced', names: { shortNames: ['ta', 'triggerauth'] } });
    expect(byKind.ClusterTriggerAuthentication).toMatchObject({ scope: 'Cluster', names: { shortNames: ['cta', 'clustertriggerauth'] } });
    for (const spec of Object.values(byKind)) expect(spec.versions).toMatchObject([{ name: 'v1alpha1', served: true, storage: true, subresources: { status: {} } }]);
    expect(PRINTER_COLUMNS.ScaledObject.map((c) => c.name.toUpperCase())).toEqual(['SCALETARGETKIND', 'SCALETARGETNAME', 'MIN', 'MAX', 'READY', 'ACTIVE', 'FALLBACK', 'PAUSED', 'TRIGGERS', 'AUTHENTICATIONS', 'AGE']);
    expect(byKind.ScaledObject.versions[0].additionalPrinterColumns[4]).toEqual({ name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' });
  });

  it.each(generated.map((g) => [g.file, g] as const))('%s is structural: a type everywhere, no $ref or conditionals, metadata open', (_file, { crd }) => {
    const root = openApi(crd);
    expect(root.properties!.metadata).toEqual({ type: 'object' });
    for (const [path, node] of nodes(root)) {
      for (const keyword of ['$ref', 'if', 'then', 'else', 'allOf', 'oneOf', 'not', 'const', 'definitions', '$schema']) expect(node[keyword], `${path}: ${keyword}`).toBeUndefined();
      if (path.endsWith('|')) continue;
      const typed = node.type !== undefined || node['x-kubernetes-int-or-string'] === true || node['x-kubernetes-preserve-unknown-fields'] === true;
      expect(typed, `${path} has no type`).toBe(true);
      expect(node.properties !== undefined && node.additionalProperties !== undefined, `${path}: properties with additionalProperties`).toBe(false);
      if (path !== '.metadata' && node.type === 'object' && !node.properties && !node.additionalProperties) expect(node['x-kubernetes-preserve-unknown-fields'], `${path} would be pruned`).toBe(true);
    }
  });

  it('the ScaledObject spec agrees with `updraft schema`: same fields, types, enums, required fields and bounds', () => {
    const document = scaledObjectJsonSchema(registry) as Schema;
    const definitions = document.definitions as Record<string, Schema>;
    const crd = openApi(generated.find((g) => g.file === 'keda.sh_scaledobjects.yaml')!.crd);
    const compared: string[] = [];
    const walk = (json: Schema, structural: Schema, path: string): void => {
      json = resolve(json, definitions);
      compared.push(path);
      if (json.anyOf) {
        // A quantity: string or number in `updraft schema`, int-or-string in the CRD (as KEDA's).
        expect(structural['x-kubernetes-int-or-string'], path).toBe(true);
        return;
      }
      expect(structural.type ?? 'any', `${path}: type`).toBe(json.type ?? 'any');
      // The trigger type is not an enum in the CRD: the cluster stores ScaledObjects of any KEDA scaler.
      if (path !== 'spec.triggers[].type') expect(structural.enum, `${path}: enum`).toEqual(json.enum ?? (json.const !== undefined ? [json.const] : undefined));
      expect(structural.required, `${path}: required`).toEqual(json.required);
      for (const bound of ['minimum', 'minLength', 'maxLength', 'minItems', 'pattern'] as const) expect(structural[bound], `${path}: ${bound}`).toEqual(json[bound]);
      if (json.maximum !== undefined) expect(structural.maximum ?? (structural.format === 'int32' ? 2147483647 : undefined), `${path}: maximum`).toBe(json.maximum);
      const jsonProperties = json.properties as Record<string, Schema> | undefined;
      if (jsonProperties) {
        expect(Object.keys(structural.properties ?? {}).sort(), `${path}: fields`).toEqual(Object.keys(jsonProperties).sort());
        // Closed in `updraft schema` (unknown fields are errors) means pruned, or refused by strict field validation, in the CRD.
        expect(structural['x-kubernetes-preserve-unknown-fields'] === true, `${path}: open`).toBe(json.additionalProperties !== false);
        for (const [key, child] of Object.entries(jsonProperties)) walk(child, structural.properties![key]!, path ? `${path}.${key}` : key);
      }
      if (json.items) walk(json.items as Schema, structural.items!, `${path}[]`);
      if (json.additionalProperties && typeof json.additionalProperties === 'object') walk(json.additionalProperties as Schema, structural.additionalProperties as Schema, `${path}.*`);
    };
    walk((document.properties as Record<string, Schema>).spec!, crd.properties!.spec!, 'spec');
    expect(compared.length).toBeGreaterThan(50);
    expect(compared).toContain('spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.policies[].periodSeconds');
  });

  it('lets the status hold every field the controller writes', () => {
    const status = openApi(parse(readFileSync(new URL('keda.sh_scaledobjects.yaml', crdDir), 'utf8'))).properties!.status!;
    expect(Object.keys(status.properties!).sort()).toEqual(
      ['authenticationsTypes', 'compositeScalerName', 'conditions', 'externalMetricNames', 'health', 'hpaName', 'lastActiveTime', 'originalReplicaCount', 'pausedReplicaCount', 'resourceMetricNames', 'scaleTargetGVKR', 'scaleTargetKind', 'triggersActivity', 'triggersTypes'],
    );
  });
});
