import type { TriggerCatalog } from '../trigger-catalog.js';
import { ClusterObjects } from './cluster-objects.js';
import { formatDiagnostic, type Diagnostic } from './diagnostic.js';
import { DiagnosticCollector } from './diagnostic-collector.js';
import type { ManifestObject, ManifestSource } from './manifest-object.js';
import { parseManifests } from './parse-manifests.js';
import type { LoadedScaledObject } from './scaled-object.js';
import { loadScaledObject } from './scaled-object-loader.js';
import type { LoadedTriggerAuthentication } from './trigger-authentication.js';
import { loadTriggerAuthentication } from './trigger-authentication-loader.js';
import type { AuthLookup } from './trigger-loader.js';

export interface LoadOptions {
  /**
   * How a value that only the cluster has is reported: a `<name>FromEnv` or TriggerAuthentication
   * `env[]` whose workload, or whose env var's Secret or ConfigMap, is not in the files (or that is a
   * fieldRef), and a `secretTargetRef`/`configMapTargetRef` whose object is not in the files.
   * `warning` for `updraft validate`, `error` for `check` and `serve`, which need every value. What the
   * files get wrong (a key missing from a Secret they hold, a TriggerAuthentication they lack) is
   * always an error.
   */
  readonly unresolved: 'warning' | 'error';
  /** The namespace KEDA runs in, where ClusterTriggerAuthentication Secrets are read. Default `keda`. */
  readonly kedaNamespace?: string;
}

export interface LoadResult {
  /** Only the ScaledObjects without error diagnostics. */
  readonly scaledObjects: readonly LoadedScaledObject[];
  /** TriggerAuthentications and ClusterTriggerAuthentications without error diagnostics. */
  readonly triggerAuthentications: readonly LoadedTriggerAuthentication[];
  /** Every problem found, sorted by file, line and column. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Reads a set of YAML files the way a cluster would hold them, and loads their ScaledObjects with
 * everything they refer to (TriggerAuthentications, Secrets, ConfigMaps, the scale target's env).
 * Pure: no I/O, no network. With a ScalerRegistry, each trigger's scaler is created to read its
 * metric specs, then closed; with a catalog of declarations alone (`updraft validate`), every rule
 * is still checked and no scaler is made, so the triggers' metricSpecs are empty.
 */
export function loadManifests(sources: readonly ManifestSource[], catalog: TriggerCatalog, options: LoadOptions): LoadResult {
  const collector = new DiagnosticCollector();
  const parsed: ManifestObject[] = sources.flatMap((source) => parseManifests(source, collector));
  const objects = new ClusterObjects(parsed, collector);

  const authentications = new Map<string, LoadedTriggerAuthentication | undefined>();
  for (const indexed of objects.triggerAuthentications) {
    const loaded = loadTriggerAuthentication(indexed, objects, options.kedaNamespace ?? 'keda');
    if (indexed.name !== undefined) authentications.set(authKey(indexed.kind, indexed.namespace, indexed.name), loaded);
  }

  const scaledObjects: LoadedScaledObject[] = [];
  for (const indexed of objects.scaledObjects) {
    const loaded = loadScaledObject(indexed, {
      catalog,
      unresolved: options.unresolved,
      objects,
      findAuthentication(kind, namespace, name): AuthLookup {
        const key = authKey(kind, kind === 'TriggerAuthentication' ? namespace : undefined, name);
        if (!authentications.has(key)) return { status: 'missing' };
        const auth = authentications.get(key);
        return auth ? { status: 'ok', auth } : { status: 'invalid' };
      },
    });
    if (loaded) scaledObjects.push(loaded);
  }

  return {
    scaledObjects,
    triggerAuthentications: [...authentications.values()].filter((auth): auth is LoadedTriggerAuthentication => auth !== undefined),
    diagnostics: collector.result(),
  };
}

function authKey(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${kind === 'ClusterTriggerAuthentication' ? '' : (namespace ?? '')}/${name}`;
}

/** Loading ScaledObject YAML found errors: `diagnostics` holds every problem, the message the errors. */
export class ManifestLoadError extends Error {
  override readonly name = 'ManifestLoadError';
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.filter((d) => d.severity === 'error').map(formatDiagnostic).join('\n'));
  }
}
