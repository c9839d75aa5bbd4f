import { formatDiagnostic, loadManifests, type Diagnostic } from '@updraft/core/manifests';
import { createTriggerCatalog, type CompositionOptions } from '../built-in-scalers.js';
import { readManifestFiles } from '../manifest-files.js';
import { triggerTypesIn } from './trigger-types.js';
import type { Output } from '../output.js';

/**
 * `updraft validate`: reads ScaledObjects as a cluster would hold them and reports every problem,
 * one line each. `<name>FromEnv` values whose workload is not in the files are warnings here: the
 * env may exist only in the cluster.
 */
export async function validate(paths: readonly string[], options: CompositionOptions, out: Output): Promise<number> {
  const files = await readManifestFiles(paths);
  // Only the declarations of the trigger types these files use are imported; no scaler is made.
  const catalog = await createTriggerCatalog({ ...options, triggerTypes: triggerTypesIn(files.sources) });
  const result = loadManifests(files.sources, catalog, { unresolved: 'warning' });
  const diagnostics: Diagnostic[] = [...files.diagnostics, ...result.diagnostics];
  for (const diagnostic of diagnostics) out.stdout(formatDiagnostic(diagnostic));
  if (diagnostics.some((d) => d.severity === 'error')) return 1;
  out.stdout(`ok: ${count(result.scaledObjects.length, 'ScaledObject')}, ${count(result.triggerAuthentications.length, 'TriggerAuthentication')}`);
  return 0;
}

const count = (n: number, kind: string): string => `${n} ${kind}${n === 1 ? '' : 's'}`;
