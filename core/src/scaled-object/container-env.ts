import type { ClusterObjects, DataObject, IndexedObject, WorkloadKind } from './cluster-objects.js';

/** What the files say about one env var of a container. */
export type EnvVarLookup =
  | { readonly found: true; readonly value: string }
  | { readonly found: false; readonly unresolved?: string };

/**
 * The env of one container of the scale target, as the pod would see it (KEDA's
 * `ResolveContainerEnv`). Values from Secrets or ConfigMaps that are not in the files are unknown,
 * not missing: only a cluster could tell. Secret values here were registered for redaction when the
 * Secret was read.
 */
export class ContainerEnv {
  constructor(
    /** e.g. `container "app" of Deployment default/web` */
    readonly description: string,
    readonly values: Readonly<Record<string, string>>,
    private readonly unknownVars: ReadonlyMap<string, string>,
    /** Set when an `envFrom` source is missing: then any var not found might come from it. */
    private readonly unknownSource?: string,
  ) {}

  lookup(variable: string): EnvVarLookup {
    if (Object.hasOwn(this.values, variable)) return { found: true, value: this.values[variable]! };
    const reason = this.unknownVars.get(variable) ?? this.unknownSource;
    return reason === undefined ? { found: false } : { found: false, unresolved: reason };
  }
}

/** The scale target's env: known (per container) or unknown, with the reason. */
export type ScaleTargetEnv =
  | { readonly known: true; readonly workload: string; container(name?: string): ContainerEnv | { readonly error: string } }
  | { readonly known: false; readonly reason: string };

const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet']);

/** Finds the scale target among the files and reads its pod template's containers. */
export function scaleTargetEnv(
  target: { readonly apiVersion: string; readonly kind: string; readonly name: string },
  namespace: string,
  objects: ClusterObjects,
): ScaleTargetEnv {
  const label = `${target.kind} ${namespace}/${target.name}`;
  if (target.apiVersion !== 'apps/v1' || !WORKLOAD_KINDS.has(target.kind)) {
    return { known: false, reason: `updraft reads env from apps/v1 Deployments and StatefulSets, and the scale target is ${target.apiVersion} ${target.kind}` };
  }
  const workload = objects.workload(target.kind as WorkloadKind, namespace, target.name);
  if (!workload) return { known: false, reason: `the scale target ${label} is not in these files` };
  const containers = workload.object.get(['spec', 'template', 'spec', 'containers']);
  if (!Array.isArray(containers) || containers.length === 0) return { known: false, reason: `${label} has no containers in spec.template.spec.containers` };
  return {
    known: true,
    workload: label,
    container(name?: string) {
      const index = name ? containers.findIndex((c) => isRecord(c) && c.name === name) : 0;
      if (index < 0) return { error: `${label} has no container named ${JSON.stringify(name)}` };
      return readContainer(workload, index, namespace, objects);
    },
  };
}

function readContainer(workload: IndexedObject, index: number, namespace: string, objects: ClusterObjects): ContainerEnv {
  const raw = workload.object.get(['spec', 'template', 'spec', 'containers', index]);
  const container = isRecord(raw) ? raw : {};
  const description = `container ${JSON.stringify(String(container.name ?? index))} of ${workload.kind} ${namespace}/${workload.name}`;
  const values: Record<string, string> = {};
  const unknown = new Map<string, string>();
  let unknownSource: string | undefined;

  for (const source of asList(container.envFrom)) {
    const prefix = typeof source.prefix === 'string' ? source.prefix : '';
    const ref = (isRecord(source.secretRef) ? ['Secret', source.secretRef] : isRecord(source.configMapRef) ? ['ConfigMap', source.configMapRef] : undefined) as
      | ['Secret' | 'ConfigMap', Record<string, unknown>]
      | undefined;
    if (!ref || typeof ref[1].name !== 'string') continue;
    const found = dataObject(ref[0], namespace, ref[1].name, objects);
    if (found) {
      for (const [key, value] of found.data) values[prefix + key] = value;
    } else if (ref[1].optional !== true) {
      unknownSource ??= `it may come from envFrom ${ref[0]} ${namespace}/${ref[1].name}, which is not in these files`;
    }
  }

  for (const entry of asList(container.env)) {
    if (typeof entry.name !== 'string') continue;
    const name = entry.name;
    const valueFrom = isRecord(entry.valueFrom) ? entry.valueFrom : undefined;
    if (!valueFrom) {
      values[name] = expand(typeof entry.value === 'string' ? entry.value : '', values);
      unknown.delete(name);
      continue;
    }
    const keyRef = isRecord(valueFrom.secretKeyRef) ? (['Secret', valueFrom.secretKeyRef] as const) : isRecord(valueFrom.configMapKeyRef) ? (['ConfigMap', valueFrom.configMapKeyRef] as const) : undefined;
    if (!keyRef) {
      const what = isRecord(valueFrom.fieldRef) ? 'a fieldRef' : isRecord(valueFrom.resourceFieldRef) ? 'a resourceFieldRef' : 'a valueFrom source';
      unknown.set(name, `its value comes from ${what}, which only the cluster knows`);
      continue;
    }
    const [kind, ref] = keyRef;
    const objectName = String(ref.name ?? '');
    const key = String(ref.key ?? '');
    const found = dataObject(kind, namespace, objectName, objects);
    const value = found?.data.get(key);
    if (value !== undefined) {
      values[name] = value;
      unknown.delete(name);
    } else if (ref.optional !== true) {
      unknown.set(name, found ? `${found.label} has no key ${JSON.stringify(key)}` : `its value comes from ${kind} ${namespace}/${objectName}, which is not in these files`);
    }
  }
  return new ContainerEnv(description, values, unknown, unknownSource);
}

function dataObject(kind: 'Secret' | 'ConfigMap', namespace: string, name: string, objects: ClusterObjects): DataObject | undefined {
  return kind === 'Secret' ? objects.secret(namespace, name) : objects.configMap(namespace, name);
}

/** Kubernetes' `$(VAR)` expansion of env values: earlier vars are substituted, `$$` escapes. */
function expand(value: string, env: Readonly<Record<string, string>>): string {
  return value.replace(/\$\$|\$\(([^)]*)\)/g, (match, name: string | undefined) => {
    if (name === undefined) return '$';
    return Object.hasOwn(env, name) ? env[name]! : match;
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function asList(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}
