import { scaledObjectJsonSchema, triggerAuthenticationJsonSchema, type TriggerCatalog } from '@updraft/core/manifests';
import type { JsonSchema } from '@updraft/core/metadata';
import { stringify } from 'yaml';
import { KEDA_GROUP, KEDA_PLURALS, KEDA_VERSION } from './cluster-manifests.js';

/*
 * KEDA's three CRDs (keda.sh/v1alpha1 ScaledObject, TriggerAuthentication,
 * ClusterTriggerAuthentication), generated from the schema `updraft schema` prints, so the
 * apiserver refuses what it can check (types, enums, required fields, bounds) with the same
 * declarations the loader uses. `npm run crds` writes deploy/crds/; crds.test.ts fails when the
 * checked-in YAML differs from what this makes.
 *
 * What a structural schema cannot say is left to the loader (and `updraft validate`):
 * - trigger types and their metadata (`allOf`/`if`/`then` per type, and the type enum): a cluster
 *   may hold ScaledObjects of KEDA scalers that Updraft does not run, and they must be storable;
 * - the other conditionals (`if`/`then`/`else`: `Utilization` only on cpu and memory triggers);
 * - `additionalProperties: false`: the apiserver prunes unknown fields instead, and refuses them
 *   under kubectl's default strict field validation;
 * - defaults: the loader applies KEDA's defaults; the CRD keeps only KEDA's own CRD default
 *   (fallback.behavior: static), so stored objects look as they do under KEDA;
 * - a string-or-number quantity (HPA behavior tolerance) becomes int-or-string, as in KEDA's CRD.
 */

type Kind = keyof typeof KEDA_PLURALS;

export interface CustomResourceDefinitionFile {
  /** File name under deploy/crds/, KEDA's: `keda.sh_scaledobjects.yaml`. */
  readonly file: string;
  readonly yaml: string;
  readonly crd: JsonSchema;
}

const INT32_MAX = 2147483647;

/** KEDA's names: short names as its kubebuilder markers; category `keda` so `kubectl get keda` lists them all. */
const NAMES: Record<Kind, { singular: string; shortNames: string[]; scope: 'Namespaced' | 'Cluster' }> = {
  ScaledObject: { singular: 'scaledobject', shortNames: ['so'], scope: 'Namespaced' },
  TriggerAuthentication: { singular: 'triggerauthentication', shortNames: ['ta', 'triggerauth'], scope: 'Namespaced' },
  ClusterTriggerAuthentication: { singular: 'clustertriggerauthentication', shortNames: ['cta', 'clustertriggerauth'], scope: 'Cluster' },
};

const column = (name: string, type: string, jsonPath: string, priority?: number) => ({ name, type, jsonPath, ...(priority ? { priority } : {}) });
const condition = (type: string) => `.status.conditions[?(@.type=="${type}")].status`;

/** KEDA's printer columns (its +kubebuilder:printcolumn markers), in its order. */
export const PRINTER_COLUMNS: Record<Kind, ReturnType<typeof column>[]> = {
  ScaledObject: [
    column('ScaleTargetKind', 'string', '.status.scaleTargetKind'),
    column('ScaleTargetName', 'string', '.spec.scaleTargetRef.name'),
    column('Min', 'integer', '.spec.minReplicaCount'),
    column('Max', 'integer', '.spec.maxReplicaCount'),
    column('Ready', 'string', condition('Ready')),
    column('Active', 'string', condition('Active')),
    column('Fallback', 'string', condition('Fallback')),
    column('Paused', 'string', condition('Paused')),
    column('Triggers', 'string', '.status.triggersTypes'),
    column('Authentications', 'string', '.status.authenticationsTypes'),
    column('Age', 'date', '.metadata.creationTimestamp'),
  ],
  TriggerAuthentication: [
    column('PodIdentity', 'string', '.spec.podIdentity.provider'),
    column('Secret', 'string', '.spec.secretTargetRef[*].name'),
    column('Env', 'string', '.spec.env[*].name'),
    column('VaultAddress', 'string', '.spec.hashiCorpVault.address'),
    column('ScaledObjects', 'string', '.status.scaledobjects', 1),
    column('ScaledJobs', 'string', '.status.scaledjobs', 1),
  ],
  ClusterTriggerAuthentication: [
    column('PodIdentity', 'string', '.spec.podIdentity.provider'),
    column('Secret', 'string', '.spec.secretTargetRef[*].name'),
    column('Env', 'string', '.spec.env[*].name'),
    column('FilePath', 'string', '.spec.filePath'),
    column('VaultAddress', 'string', '.spec.hashiCorpVault.address'),
    column('ScaledObjects', 'string', '.status.scaledobjects', 1),
    column('ScaledJobs', 'string', '.status.scaledjobs', 1),
  ],
};

const s = (description?: string): JsonSchema => ({ type: 'string', ...(description ? { description } : {}) });
const i32 = (description?: string): JsonSchema => ({ type: 'integer', format: 'int32', ...(description ? { description } : {}) });
const strings = (): JsonSchema => ({ type: 'array', items: { type: 'string' } });

/**
 * The status the controller writes (KEDA's ScaledObjectStatus). Declared here because only the CRD
 * needs it: the loader never reads a status, and without a schema the apiserver would prune it.
 */
export function scaledObjectStatusSchema(): JsonSchema {
  return {
    type: 'object',
    description: 'Written by the Updraft controller, with KEDA\'s fields.',
    properties: {
      scaleTargetKind: s('e.g. apps/v1.Deployment'),
      scaleTargetGVKR: {
        type: 'object',
        required: ['group', 'version', 'kind', 'resource'],
        properties: { group: s(), version: s(), kind: s(), resource: s() },
      },
      originalReplicaCount: i32('The replicas of the scale target before the ScaledObject took it over.'),
      lastActiveTime: { type: 'string', format: 'date-time' },
      externalMetricNames: strings(),
      resourceMetricNames: strings(),
      compositeScalerName: s(),
      hpaName: s(),
      health: {
        type: 'object',
        description: 'Per metric name.',
        additionalProperties: { type: 'object', properties: { numberOfFailures: i32(), status: s('Happy or Failing.') } },
      },
      triggersActivity: { type: 'object', additionalProperties: { type: 'object', properties: { isActive: { type: 'boolean' } } } },
      pausedReplicaCount: i32(),
      triggersTypes: s(),
      authenticationsTypes: s(),
      conditions: {
        type: 'array',
        items: {
          type: 'object',
          required: ['type', 'status'],
          properties: { type: s('Ready, Active, Fallback, Paused.'), status: s('True, False or Unknown.'), reason: s(), message: s() },
        },
      },
    },
  };
}

function triggerAuthenticationStatusSchema(): JsonSchema {
  return { type: 'object', properties: { scaledobjects: s(), scaledjobs: s() } };
}

/** The three CRDs, from `updraft schema`'s declarations (the registry's trigger metadata is left out, see above). */
export function customResourceDefinitions(registry: TriggerCatalog): CustomResourceDefinitionFile[] {
  const documents: Record<Kind, JsonSchema> = {
    ScaledObject: scaledObjectJsonSchema(registry),
    TriggerAuthentication: triggerAuthenticationJsonSchema('TriggerAuthentication'),
    ClusterTriggerAuthentication: triggerAuthenticationJsonSchema('ClusterTriggerAuthentication'),
  };
  return (Object.keys(documents) as Kind[]).map((kind) => {
    const crd = customResourceDefinition(kind, documents[kind]!);
    const header = '# Generated by `npm run crds` (scripts/render-crds.js) from the schema `updraft schema` prints. Do not edit.\n';
    return { file: `${KEDA_GROUP}_${KEDA_PLURALS[kind]}.yaml`, crd, yaml: header + stringify(crd, { lineWidth: 0, indentSeq: false }) };
  });
}

function customResourceDefinition(kind: Kind, document: JsonSchema): JsonSchema {
  const plural = KEDA_PLURALS[kind];
  const names = NAMES[kind];
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${KEDA_GROUP}`, labels: { 'app.kubernetes.io/part-of': 'updraft' } },
    spec: {
      group: KEDA_GROUP,
      names: { kind, listKind: `${kind}List`, plural, singular: names.singular, shortNames: names.shortNames, categories: ['keda'] },
      scope: names.scope,
      versions: [
        {
          name: KEDA_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: PRINTER_COLUMNS[kind],
          schema: { openAPIV3Schema: rootSchema(kind, document) },
        },
      ],
    },
  };
}

function rootSchema(kind: Kind, document: JsonSchema): JsonSchema {
  const definitions = (document.definitions ?? {}) as Record<string, JsonSchema>;
  const properties = document.properties as Record<string, JsonSchema>;
  const spec = structural(properties.spec!, definitions, `${kind}.spec`);
  if (kind === 'ScaledObject') {
    // KEDA's CEL rule (scaledobject_types.go); the loader has the same rule (minReplicaCount <= maxReplicaCount).
    spec['x-kubernetes-validations'] = [
      { rule: '!has(self.minReplicaCount) || self.minReplicaCount <= (has(self.maxReplicaCount) ? self.maxReplicaCount : 100)', message: 'minReplicaCount must be less than or equal to maxReplicaCount' },
    ];
    // Trigger types are the registry's (Updraft's plugins); the cluster stores any KEDA scaler's.
    const triggers = (spec.properties as Record<string, JsonSchema>).triggers!;
    delete ((triggers.items as JsonSchema).properties as Record<string, JsonSchema>).type!.enum;
    // KEDA's CRD default, so a stored ScaledObject reads as under KEDA.
    const fallback = (spec.properties as Record<string, JsonSchema>).fallback!;
    ((fallback.properties as Record<string, JsonSchema>).behavior!).default = 'static';
  }
  return {
    type: 'object',
    description: `${kind} (${KEDA_GROUP}/${KEDA_VERSION}), KEDA's schema as Updraft checks it.`,
    required: ['spec'],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      // A CRD may restrict only metadata.name and generateName; the apiserver validates the rest.
      metadata: { type: 'object' },
      spec,
      status: kind === 'ScaledObject' ? scaledObjectStatusSchema() : triggerAuthenticationStatusSchema(),
    },
  };
}

/** Keywords that a structural schema keeps as they are. */
const KEPT = ['description', 'type', 'format', 'enum', 'required', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems'] as const;

/**
 * One node of the JSON Schema as a structural schema: $refs inlined, conditionals and closed-object
 * markers dropped, open objects preserved, `const` as a one-value enum, int32 bounds as format.
 */
export function structural(node: JsonSchema, definitions: Record<string, JsonSchema>, where: string): JsonSchema {
  if (typeof node.$ref === 'string') {
    const name = node.$ref.replace('#/definitions/', '');
    const target = definitions[name];
    if (!target) throw new Error(`${where}: $ref ${node.$ref} is not defined`);
    const { $ref: _ref, ...rest } = node;
    return structural({ ...target, ...rest }, definitions, where);
  }
  if (Array.isArray(node.anyOf)) {
    const types = (node.anyOf as JsonSchema[]).map((option) => option.type).sort();
    if (types.join() !== 'number,string') throw new Error(`${where}: anyOf of ${types.join(', ')} has no structural form`);
    const pattern = (node.anyOf as JsonSchema[]).find((option) => option.type === 'string')?.pattern;
    return {
      ...(node.description ? { description: node.description } : {}),
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      ...(pattern ? { pattern } : {}),
      'x-kubernetes-int-or-string': true,
    };
  }
  const out: JsonSchema = {};
  for (const key of KEPT) if (node[key] !== undefined) out[key] = node[key];
  if (node.const !== undefined) out.enum = [node.const];
  if (out.type === 'integer' && node.maximum === INT32_MAX) {
    out.format = 'int32';
    delete out.maximum;
  }
  if (node.type === 'array' && node.items) out.items = structural(node.items as JsonSchema, definitions, `${where}[]`);
  const properties = node.properties as Record<string, JsonSchema> | undefined;
  const additional = node.additionalProperties;
  if (properties) {
    out.properties = Object.fromEntries(Object.entries(properties).map(([key, child]) => [key, structural(child, definitions, `${where}.${key}`)]));
    // An object the JSON Schema leaves open keeps what it does not declare.
    if (additional !== false) out['x-kubernetes-preserve-unknown-fields'] = true;
  } else if (additional && typeof additional === 'object') {
    out.additionalProperties = structural(additional as JsonSchema, definitions, `${where}.*`);
  } else if (node.type === 'object' || node.type === undefined) {
    // `{}` or `{type: object}`: anything, kept as written.
    out['x-kubernetes-preserve-unknown-fields'] = true;
  }
  return out;
}
