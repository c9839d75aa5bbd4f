import type { ClusterObjects, DataObject, IndexedObject, WorkloadKind } from './cluster-objects.js';

/** What the files say about one env var of a container. */
export type EnvVarLookup =
  | { readonly found: true; readonly value: string }
  /**
   * Not found. `unresolved` says why the value cannot be read here; `error` is set when the files hold
   * its source and that source cannot supply it (a missing key), so the cluster could not either.
   * Neither is set when the var is simply not set.
   */
  | { readonly found: false; readonly unresolved?: string; readonly error?: true };

/** A var the files cannot tell the value of, and why. */
export interface UnknownVar {
  readonly reason: string;
  /** The files hold its source and that source lacks the key: an error, not a value the cluster has. */
  readonly error?: true;
}

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
    /** Every var whose value the files tell. */
    readonly values: Readonly<Record<string, string>>,
    /** The vars the container declares whose value the files cannot tell. */
    readonly unknownVars: ReadonlyMap<string, UnknownVar>,
    /** Set when an `envFrom` source is missing: then any var not found might come from it. */
    private readonly unknownSource?: string,
  ) {}

  lookup(variable: string): EnvVarLookup {
    if (Object.hasOwn(this.values, variable)) return { found: true, value: this.values[variable]! };
    const unknown = this.unknownVars.get(variable);
    if (unknown) return { found: false, unresolved: unknown.reason, ...(unknown.error ? { error: true } : {}) };
    return this.unknownSource === undefined ? { found: false } : { found: false, unresolved: this.unknownSource };
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
  const unknown = new Map<string, UnknownVar>();
  let unknownSource: string | undefined;
  // A later definition of a var replaces an earlier one, as in the pod.
  const known = (name: string, value: string) => {
    values[name] = value;
    unknown.delete(name);
  };
  const unresolved = (name: string, why: UnknownVar) => {
    delete values[name];
    unknown.set(name, why);
  };

  for (const source of asList(container.envFrom)) {
    const prefix = typeof source.prefix === 'string' ? source.prefix : '';
    const ref = (isRecord(source.secretRef) ? ['Secret', source.secretRef] : isRecord(source.configMapRef) ? ['ConfigMap', source.configMapRef] : undefined) as
      | ['Secret' | 'ConfigMap', Record<string, unknown>]
      | undefined;
    if (!ref || typeof ref[1].name !== 'string') continue;
    const found = dataObject(ref[0], namespace, ref[1].name, objects);
    if (found) {
      for (const [key, value] of found.data) known(prefix + key, value);
    } else if (ref[1].optional !== true) {
      unknownSource ??= `it may come from envFrom ${ref[0]} ${namespace}/${ref[1].name}, which is not in these files; only the cluster can supply it`;
    }
  }

  for (const entry of asList(container.env)) {
    if (typeof entry.name !== 'string') continue;
    const name = entry.name;
    const valueFrom = isRecord(entry.valueFrom) ? entry.valueFrom : undefined;
    if (!valueFrom) {
      const value = typeof entry.value === 'string' ? entry.value : '';
      // `$(VAR)` of an earlier var the files cannot tell: the pod would expand it, so this one is unknown too.
      const used = [...value.matchAll(/\$\$|\$\(([^)]*)\)/g)].map((match) => match[1]).find((other) => other !== undefined && unknown.has(other));
      const usedVar = used === undefined ? undefined : unknown.get(used)!;
      if (usedVar) unresolved(name, { ...usedVar, reason: `it uses $(${used}), and ${used}: ${usedVar.reason}` });
      else known(name, expand(value, values));
      continue;
    }
    const keyRef = isRecord(valueFrom.secretKeyRef) ? (['Secret', valueFrom.secretKeyRef] as const) : isRecord(valueFrom.configMapKeyRef) ? (['ConfigMap', valueFrom.configMapKeyRef] as const) : undefined;
    if (!keyRef) {
      const what = isRecord(valueFrom.fieldRef) ? 'a fieldRef' : isRecord(valueFrom.resourceFieldRef) ? 'a resourceFieldRef' : 'a valueFrom source';
      unresolved(name, { reason: `its value comes from ${what}, which only the cluster knows` });
      continue;
    }
    const [kind, ref] = keyRef;
    const objectName = String(ref.name ?? '');
    const key = String(ref.key ?? '');
    const found = dataObject(kind, namespace, objectName, objects);
    const value = found?.data.get(key);
    if (value !== undefined) known(name, value);
    // An optional source that cannot supply the var leaves it as it was, as the kubelet does.
    else if (ref.optional === true) continue;
    else if (found) unresolved(name, { reason: `${found.label} has no key ${JSON.stringify(key)}`, error: true });
    else unresolved(name, { reason: `${kind} ${namespace}/${objectName} is not in these files; only the cluster can supply it` });
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
