import { metadataJsonSchema, type JsonSchema } from '../metadata/docs.js';
import type { TriggerCatalog } from '../trigger-catalog.js';
import { KEDA_API_VERSION, RESOURCE_TRIGGER_TYPES } from './scaled-object.js';
import type { TriggerAuthenticationKind } from './trigger-authentication.js';

/*
 * The structure of ScaledObject, TriggerAuthentication and ClusterTriggerAuthentication documents
 * (KEDA's CRDs, apis/keda/v1alpha1), written once. The loader validates with it; `updraft schema`
 * prints it, extended with each registered trigger type's metadata. JSON Schema draft-07, because
 * editors (yaml-language-server) and kubeconform all read it.
 */

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';
const INT32_MAX = 2147483647;

/** Patterns used below, with the words the loader says instead of the regex. */
export const SCHEMA_PATTERNS = {
  dnsSubdomain: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$',
  dnsLabel: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
  quantity: '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$',
} as const;

export const PATTERN_DESCRIPTIONS: Readonly<Record<string, string>> = {
  [SCHEMA_PATTERNS.dnsSubdomain]: 'a lowercase name of letters, digits, "-" and ".", starting and ending with a letter or digit',
  [SCHEMA_PATTERNS.dnsLabel]: 'a lowercase name of letters, digits and "-", starting and ending with a letter or digit',
  [SCHEMA_PATTERNS.quantity]: 'a Kubernetes quantity such as "0.1", "100m" or "2"',
};

const ref = (name: string): JsonSchema => ({ $ref: `#/definitions/${name}` });
const str = (description?: string): JsonSchema => (description ? { type: 'string', description } : { type: 'string' });
const nonEmpty = (description?: string): JsonSchema => ({ ...str(description), minLength: 1 });
const int32 = (minimum: number, description: string, maximum = INT32_MAX): JsonSchema => ({ type: 'integer', minimum, maximum, description });
const stringMap = (description: string): JsonSchema => ({ type: 'object', description, additionalProperties: { type: 'string' } });
const list = (items: JsonSchema, description?: string): JsonSchema => ({ type: 'array', items, ...(description ? { description } : {}) });

function objectMeta(): JsonSchema {
  return {
    type: 'object',
    description: 'Standard Kubernetes object metadata.',
    required: ['name'],
    additionalProperties: false,
    properties: {
      name: { type: 'string', minLength: 1, maxLength: 253, pattern: SCHEMA_PATTERNS.dnsSubdomain },
      namespace: { type: 'string', maxLength: 63, pattern: SCHEMA_PATTERNS.dnsLabel, description: 'Default: default.' },
      labels: stringMap('Labels; every value is a string.'),
      annotations: stringMap('Annotations; every value is a string (KEDA reads e.g. autoscaling.keda.sh/paused).'),
      generateName: str(),
      uid: str(),
      resourceVersion: str(),
      generation: { type: 'integer' },
      creationTimestamp: {},
      deletionTimestamp: {},
      deletionGracePeriodSeconds: { type: 'integer' },
      finalizers: list(str()),
      ownerReferences: list({ type: 'object' }),
      managedFields: list({ type: 'object' }),
      selfLink: str(),
    },
  };
}

function hpaScalingRules(): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      stabilizationWindowSeconds: int32(0, 'Seconds of past recommendations considered (0 to 3600).', 3600),
      selectPolicy: { type: 'string', enum: ['Max', 'Min', 'Disabled'] },
      policies: list({
        type: 'object',
        required: ['type', 'value', 'periodSeconds'],
        additionalProperties: false,
        properties: {
          type: { type: 'string', enum: ['Pods', 'Percent'] },
          value: int32(1, 'Amount of change the policy permits.'),
          periodSeconds: int32(1, 'Window in which the policy holds (1 to 1800).', 1800),
        },
      }),
      tolerance: { anyOf: [{ type: 'string', pattern: SCHEMA_PATTERNS.quantity }, { type: 'number' }], description: 'Fraction of change the HPA ignores, as a quantity.' },
    },
  };
}

/** The trigger definition; `metadataByType` adds each trigger type's declared metadata (for `updraft schema`). */
function trigger(metadataByType?: ReadonlyMap<string, JsonSchema>): JsonSchema {
  const type: JsonSchema = nonEmpty('The trigger (scaler) type, e.g. prometheus.');
  const schema: JsonSchema = {
    type: 'object',
    description: 'One trigger: a metric source and its parameters.',
    required: ['type', 'metadata'],
    additionalProperties: false,
    properties: {
      type,
      name: str('Unique within the ScaledObject; scalingModifiers formulas refer to triggers by name.'),
      metadata: stringMap('The scaler parameters. Every value is a string: quote numbers and booleans.'),
      authenticationRef: ref('authenticationRef'),
      metricType: { type: 'string', enum: ['AverageValue', 'Value', 'Utilization'], default: 'AverageValue' },
      useCachedMetrics: { type: 'boolean', default: false, description: 'Serve the HPA the value of the last poll instead of querying the source.' },
    },
    // Utilization exists only for cpu and memory, which the HPA reads from metrics-server.
    if: { properties: { type: { enum: [...RESOURCE_TRIGGER_TYPES] } }, required: ['type'] },
    else: { properties: { metricType: { enum: ['AverageValue', 'Value'] } } },
  };
  if (metadataByType) {
    type.enum = [...new Set([...metadataByType.keys(), ...RESOURCE_TRIGGER_TYPES])].sort();
    schema.allOf = [...metadataByType].map(([name, metadata]) => ({
      if: { properties: { type: { const: name } }, required: ['type'] },
      then: { properties: { metadata } },
    }));
  }
  return schema;
}

function targetRef(): JsonSchema {
  return {
    type: 'object',
    required: ['parameter', 'name', 'key'],
    additionalProperties: false,
    properties: {
      parameter: nonEmpty('The authParams key the value is given to.'),
      name: nonEmpty('The object, in the namespace of the ScaledObject.'),
      key: nonEmpty('The key inside the object.'),
    },
  };
}

/** A secret store only a cluster reaches: its fields stay open, but each secret must name its parameter. */
function secretStore(required: readonly string[], secretRequired: readonly string[], properties: Record<string, JsonSchema>, description: string): JsonSchema {
  const secretProperties: Record<string, JsonSchema> = {};
  for (const field of secretRequired) secretProperties[field] = nonEmpty();
  return {
    type: 'object',
    description,
    required: [...required],
    properties: {
      ...properties,
      secrets: list({ type: 'object', required: [...secretRequired], properties: secretProperties }),
    },
  };
}

function definitions(metadataByType?: ReadonlyMap<string, JsonSchema>): Record<string, JsonSchema> {
  return {
    objectMeta: objectMeta(),
    scaledObjectSpec: {
      type: 'object',
      required: ['scaleTargetRef', 'triggers'],
      additionalProperties: false,
      properties: {
        scaleTargetRef: ref('scaleTargetRef'),
        pollingInterval: int32(1, 'Seconds between polls of each trigger. Default 30.'),
        initialCooldownPeriod: int32(0, 'Seconds after creation before scaling to zero is allowed. Default 0.'),
        cooldownPeriod: int32(0, 'Seconds after the last active trigger before scaling to zero. Default 300.'),
        idleReplicaCount: int32(0, 'Replicas when no trigger is active; must be less than minReplicaCount.'),
        minReplicaCount: int32(0, 'Default 0.'),
        maxReplicaCount: int32(1, 'Default 100.'),
        advanced: ref('advanced'),
        fallback: ref('fallback'),
        triggers: { type: 'array', minItems: 1, items: ref('trigger') },
      },
    },
    scaleTargetRef: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        name: nonEmpty('The workload to scale, in the namespace of the ScaledObject.'),
        apiVersion: str('Default apps/v1.'),
        kind: str('Default Deployment.'),
        envSourceContainerName: str('The container whose env feeds *FromEnv parameters. Default: the first container.'),
      },
    },
    trigger: trigger(metadataByType),
    authenticationRef: {
      type: 'object',
      required: ['name'],
      additionalProperties: false,
      properties: {
        name: nonEmpty(),
        kind: { type: 'string', enum: ['TriggerAuthentication', 'ClusterTriggerAuthentication'], default: 'TriggerAuthentication' },
      },
    },
    fallback: {
      type: 'object',
      required: ['failureThreshold', 'replicas'],
      additionalProperties: false,
      properties: {
        failureThreshold: int32(0, 'Consecutive failures before the fallback applies.'),
        replicas: int32(0, 'Replicas to run while the fallback applies.'),
        behavior: { type: 'string', enum: ['static', 'currentReplicas', 'currentReplicasIfHigher', 'currentReplicasIfLower', 'scalingModifiers'], default: 'static' },
      },
    },
    advanced: {
      type: 'object',
      additionalProperties: false,
      properties: {
        horizontalPodAutoscalerConfig: {
          type: 'object',
          additionalProperties: false,
          properties: {
            name: str('Default keda-hpa-<ScaledObject name>.'),
            behavior: { type: 'object', additionalProperties: false, properties: { scaleUp: ref('hpaScalingRules'), scaleDown: ref('hpaScalingRules') } },
          },
        },
        restoreToOriginalReplicaCount: { type: 'boolean', default: false },
        scalingModifiers: {
          type: 'object',
          additionalProperties: false,
          properties: {
            formula: str('An expression over trigger names, e.g. "(queue + backlog) / 2".'),
            target: str('The composite metric target, a number written as a string, e.g. "10".'),
            activationTarget: str('Active when the composite value is above this, a number written as a string. Default "0".'),
            metricType: { type: 'string', enum: ['AverageValue', 'Value'], default: 'AverageValue' },
          },
        },
      },
    },
    hpaScalingRules: hpaScalingRules(),
    triggerAuthenticationSpec: {
      type: 'object',
      additionalProperties: false,
      properties: {
        podIdentity: ref('podIdentity'),
        secretTargetRef: list(ref('authTargetRef'), 'authParams from Secrets.'),
        configMapTargetRef: list(ref('authTargetRef'), 'authParams from ConfigMaps.'),
        env: list(
          {
            type: 'object',
            required: ['parameter', 'name'],
            additionalProperties: false,
            properties: {
              parameter: nonEmpty('The authParams key the value is given to.'),
              name: nonEmpty('The env var of the scale target container.'),
              containerName: str('Default: the ScaledObject\'s envSourceContainerName, else the first container.'),
            },
          },
          'authParams from the scale target container env.',
        ),
        hashiCorpVault: secretStore(['address', 'authentication', 'secrets'], ['parameter', 'path', 'key'], {
          address: str(),
          authentication: { type: 'string', enum: ['token', 'kubernetes'] },
          namespace: str(),
          credential: { type: 'object' },
          role: str(),
          mount: str(),
        }, 'authParams from HashiCorp Vault.'),
        azureKeyVault: secretStore(['vaultUri', 'secrets'], ['parameter', 'name'], { vaultUri: str(), credentials: { type: 'object' }, podIdentity: ref('podIdentity'), cloud: { type: 'object' } }, 'authParams from Azure Key Vault.'),
        gcpSecretManager: secretStore(['secrets'], ['parameter', 'id'], { credentials: { type: 'object' }, podIdentity: ref('podIdentity') }, 'authParams from GCP Secret Manager.'),
        awsSecretManager: secretStore(['secrets'], ['parameter', 'name'], { credentials: { type: 'object' }, podIdentity: ref('podIdentity'), region: str() }, 'authParams from AWS Secrets Manager.'),
        boundServiceAccountToken: list({
          type: 'object',
          required: ['parameter', 'serviceAccountName'],
          additionalProperties: false,
          properties: { parameter: nonEmpty(), serviceAccountName: nonEmpty() },
        }, 'authParams holding a token of a service account.'),
        oauth2: {
          type: 'object',
          required: ['type', 'clientId', 'tokenUrl'],
          properties: { type: { type: 'string', enum: ['clientCredentials'] }, clientId: nonEmpty(), tokenUrl: nonEmpty(), clientSecret: {}, scopes: list(str()), tokenUrlParams: { type: 'object' } },
          description: 'An OAuth2 client-credentials token.',
        },
        filePath: str('ClusterTriggerAuthentication only: a JSON file of parameters on the KEDA pod.'),
      },
    },
    podIdentity: {
      type: 'object',
      required: ['provider'],
      additionalProperties: false,
      properties: {
        provider: { type: 'string', enum: ['azure-workload', 'gcp', 'aws', 'aws-eks', 'none'] },
        identityId: str(),
        identityTenantId: str(),
        identityAuthorityHost: str(),
        roleArn: str(),
        externalID: str(),
        identityOwner: { type: 'string', enum: ['keda', 'workload'] },
      },
    },
    authTargetRef: targetRef(),
  };
}

function documentSchema(kind: string, spec: string, title: string, defs: Record<string, JsonSchema>): JsonSchema {
  return {
    $schema: DRAFT_07,
    title,
    type: 'object',
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    additionalProperties: false,
    properties: {
      apiVersion: { type: 'string', const: KEDA_API_VERSION },
      kind: { type: 'string', const: kind },
      metadata: ref('objectMeta'),
      spec: ref(spec),
      status: { type: 'object', description: 'Written by KEDA; not read.' },
    },
    definitions: defs,
  };
}

/** The structural schema of a ScaledObject document, without trigger-specific metadata (the loader's). */
export function baseScaledObjectSchema(): JsonSchema {
  return documentSchema('ScaledObject', 'scaledObjectSpec', `ScaledObject (${KEDA_API_VERSION})`, definitions());
}

/** The schema of a TriggerAuthentication or ClusterTriggerAuthentication document. */
export function triggerAuthenticationJsonSchema(kind: TriggerAuthenticationKind = 'TriggerAuthentication'): JsonSchema {
  return documentSchema(kind, 'triggerAuthenticationSpec', `${kind} (${KEDA_API_VERSION})`, definitions());
}

/**
 * A complete JSON Schema (draft-07) of a ScaledObject document, in which each trigger type the
 * registry knows checks its metadata against its declaration. Printed by `updraft schema`.
 */
export function scaledObjectJsonSchema(registry: TriggerCatalog): JsonSchema {
  const metadataByType = new Map<string, JsonSchema>();
  for (const type of registry.types()) if (registry.has(type)) metadataByType.set(type, metadataJsonSchema(registry.get(type).metadata));
  const schema = documentSchema('ScaledObject', 'scaledObjectSpec', `ScaledObject (${KEDA_API_VERSION})`, definitions(metadataByType));
  schema.description = `A KEDA ScaledObject as Updraft reads it. Trigger types: ${[...metadataByType.keys()].join(', ') || '(none loaded)'}.`;
  return schema;
}
