import type { KubernetesObject } from '@kubernetes/client-node';
import { SCALED_OBJECT_DEFAULTS, type ManifestSource } from '@updraft/core';
import { stringify } from 'yaml';

/*
 * What the Kubernetes source reads from an object before the loader sees it: the objects a
 * ScaledObject refers to, and the YAML text the loader is given for each cluster object.
 */

export const KEDA_GROUP = 'keda.sh';
export const KEDA_VERSION = 'v1alpha1';
export const KEDA_PLURALS = {
  ScaledObject: 'scaledobjects',
  TriggerAuthentication: 'triggerauthentications',
  ClusterTriggerAuthentication: 'clustertriggerauthentications',
} as const;

export type AuthKind = 'TriggerAuthentication' | 'ClusterTriggerAuthentication';

/** A Secret, ConfigMap or scale target the loader needs, by kind, namespace and name. */
export interface ObjectRef {
  readonly kind: string;
  /** `v1` for Secrets and ConfigMaps. */
  readonly apiVersion: string;
  readonly namespace: string;
  readonly name: string;
}

export function refId(ref: ObjectRef): string {
  return `${ref.apiVersion}/${ref.kind}/${ref.namespace}/${ref.name}`;
}

/** The name a diagnostic uses for a cluster object in place of a file: `scaledobject/default/worker` (kubectl's resource/name, with the namespace). */
export function objectSourceName(kind: string, namespace: string | undefined, name: string): string {
  return [kind.toLowerCase(), ...(namespace ? [namespace] : []), name].join('/');
}

export interface ScaledObjectReferences {
  readonly auths: readonly { readonly kind: AuthKind; readonly name: string }[];
  /** The scale target, with KEDA's defaults (apps/v1 Deployment). */
  readonly target?: ObjectRef;
  /** A trigger reads `<name>FromEnv`: the scale target's pod template is needed. */
  readonly readsEnv: boolean;
  /** spec.pollingInterval in seconds (KEDA's default when unset or not a number). */
  readonly pollingIntervalSeconds: number;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const items = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** What a ScaledObject refers to, read leniently: the loader reports what is malformed. */
export function scaledObjectReferences(object: KubernetesObject & { spec?: unknown }): ScaledObjectReferences {
  const spec = isRecord(object.spec) ? object.spec : {};
  const namespace = object.metadata?.namespace ?? 'default';
  const auths: { kind: AuthKind; name: string }[] = [];
  let readsEnv = false;
  for (const trigger of items(spec.triggers)) {
    if (!isRecord(trigger)) continue;
    const ref = trigger.authenticationRef;
    if (isRecord(ref) && text(ref.name)) {
      const kind: AuthKind = ref.kind === 'ClusterTriggerAuthentication' ? 'ClusterTriggerAuthentication' : 'TriggerAuthentication';
      if (!auths.some((a) => a.kind === kind && a.name === ref.name)) auths.push({ kind, name: ref.name as string });
    }
    if (isRecord(trigger.metadata) && Object.keys(trigger.metadata).some((key) => key.endsWith('FromEnv'))) readsEnv = true;
  }
  const targetRef = isRecord(spec.scaleTargetRef) ? spec.scaleTargetRef : {};
  const targetName = text(targetRef.name);
  const polling = spec.pollingInterval;
  return {
    auths,
    ...(targetName
      ? {
          target: {
            apiVersion: text(targetRef.apiVersion) ?? SCALED_OBJECT_DEFAULTS.scaleTargetApiVersion,
            kind: text(targetRef.kind) ?? SCALED_OBJECT_DEFAULTS.scaleTargetKind,
            namespace,
            name: targetName,
          },
        }
      : {}),
    readsEnv,
    pollingIntervalSeconds: typeof polling === 'number' && Number.isInteger(polling) && polling >= 1 ? polling : SCALED_OBJECT_DEFAULTS.pollingInterval,
  };
}

/** The Secrets and ConfigMaps a (Cluster)TriggerAuthentication reads, in `namespace`; and whether it reads the target's env. */
export function authenticationReferences(auth: KubernetesObject & { spec?: unknown }, namespace: string): { readonly objects: readonly ObjectRef[]; readonly readsEnv: boolean } {
  const spec = isRecord(auth.spec) ? auth.spec : {};
  const objects: ObjectRef[] = [];
  for (const [field, kind] of [['secretTargetRef', 'Secret'], ['configMapTargetRef', 'ConfigMap']] as const) {
    for (const ref of items(spec[field])) {
      const name = isRecord(ref) ? text(ref.name) : undefined;
      if (name) objects.push({ apiVersion: 'v1', kind, namespace, name });
    }
  }
  return { objects, readsEnv: items(spec.env).length > 0 };
}

/** The Secrets and ConfigMaps a pod template's containers take env from (env[].valueFrom and envFrom[]). */
export function podTemplateReferences(containers: readonly unknown[], namespace: string): ObjectRef[] {
  const refs: ObjectRef[] = [];
  const add = (kind: 'Secret' | 'ConfigMap', source: unknown) => {
    const name = isRecord(source) ? text(source.name) : undefined;
    if (name) refs.push({ apiVersion: 'v1', kind, namespace, name });
  };
  for (const container of containers) {
    if (!isRecord(container)) continue;
    for (const env of items(container.env)) {
      if (isRecord(env) && isRecord(env.valueFrom)) {
        add('Secret', env.valueFrom.secretKeyRef);
        add('ConfigMap', env.valueFrom.configMapKeyRef);
      }
    }
    for (const from of items(container.envFrom)) {
      if (!isRecord(from)) continue;
      add('Secret', from.secretRef);
      add('ConfigMap', from.configMapRef);
    }
  }
  return refs;
}

/**
 * The YAML the loader reads for a cluster object: as `kubectl get -o yaml` prints it (keys sorted,
 * sequences not indented, no managedFields), so the line and column of an error point at the same
 * place there. The status is left out: it is the controller's, and the loader does not read it.
 */
export function clusterManifest(object: KubernetesObject & Record<string, unknown>, file: string): ManifestSource {
  const { status: _status, ...rest } = object;
  const metadata = isRecord(rest.metadata) ? { ...rest.metadata } : undefined;
  if (metadata) delete metadata.managedFields;
  return { file, text: stringify(sortKeys({ ...rest, ...(metadata ? { metadata } : {}) }), { lineWidth: 0, indentSeq: false }) };
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value instanceof Date) return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (!isRecord(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    if (value[key] !== undefined) sorted[key] = sortKeys(value[key]);
  }
  return sorted;
}

/** KEDA's status.triggersTypes and status.authenticationsTypes (CombinedTriggersAndAuthenticationsTypes). */
export function triggersAndAuthenticationsTypes(object: KubernetesObject & { spec?: unknown }): { triggersTypes: string; authenticationsTypes: string } {
  const spec = isRecord(object.spec) ? object.spec : {};
  const types: string[] = [];
  const auths: string[] = [];
  for (const trigger of items(spec.triggers)) {
    if (!isRecord(trigger)) continue;
    const type = typeof trigger.type === 'string' ? trigger.type : '';
    if (!types.includes(type)) types.push(type);
    const name = isRecord(trigger.authenticationRef) ? text(trigger.authenticationRef.name) : undefined;
    if (name && !auths.includes(name)) auths.push(name);
  }
  return { triggersTypes: types.join(','), authenticationsTypes: auths.join(',') };
}
