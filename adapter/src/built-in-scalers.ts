import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TriggerIndex, type TriggerCatalog, type TriggerDeclaration } from '@updraft/core/manifests';

// The built-in scaler packages, known without importing them: what `validate` needs, in a blink.
// composition.ts builds the DI container from them.

/** The scaler packages the adapter ships with; they are loaded by name, exactly like third-party plugins. */
export const BUILT_IN_SCALERS = [
  '@updraft/scaler-prometheus',
  '@updraft/scaler-aws-sqs-queue',
  '@updraft/scaler-redis',
  '@updraft/scaler-aws-cloudwatch',
  '@updraft/scaler-cron',
] as const;

export interface CompositionOptions {
  /** Extra scaler plugins by npm package name (`--plugin`, `UPDRAFT_PLUGINS`), resolved from `pluginsFrom`. Always imported. */
  readonly plugins?: readonly string[];
  /** Where extra plugins are resolved from. Default: the working directory. */
  readonly pluginsFrom?: string;
  /**
   * Import only the built-in scalers of these trigger types (as each package's package.json
   * declares them under `updraft.triggerTypes`); the registry still knows every built-in type's
   * name, for "did you mean". Default: every built-in scaler.
   */
  readonly triggerTypes?: Iterable<string>;
}

/** The package.json of an installed package and the folder it is in, found above the package's entry point as the adapter resolves it. */
export function installedPackage<M extends object>(name: string): { readonly folder: string; readonly manifest: M & { readonly name: string } } {
  const entry = fileURLToPath(import.meta.resolve(name));
  for (let folder = dirname(entry); folder !== dirname(folder); folder = dirname(folder)) {
    let manifest: M & { name?: string };
    try {
      manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as typeof manifest;
    } catch {
      continue;
    }
    if (manifest.name === name) return { folder, manifest: manifest as M & { name: string } };
  }
  throw new Error(`cannot find the package.json of ${name} above ${entry}`);
}

let triggerTypesByPackage: ReadonlyMap<string, readonly string[]> | undefined;

/** Each built-in package's trigger types, read once from its package.json without importing it. */
export function builtInTriggerTypes(): ReadonlyMap<string, readonly string[]> {
  triggerTypesByPackage ??= new Map(
    BUILT_IN_SCALERS.map((name) => [name, installedPackage<{ updraft?: { triggerTypes?: string[] } }>(name).manifest.updraft?.triggerTypes ?? []]),
  );
  return triggerTypesByPackage;
}

/** The built-in packages files of these trigger types need; one that declares no types is always needed, since what it serves is unknown. */
export function builtInPackagesFor(triggerTypes: Iterable<string>): string[] {
  const wanted = new Set(triggerTypes);
  return [...builtInTriggerTypes()].filter(([, types]) => types.length === 0 || types.some((type) => wanted.has(type))).map(([name]) => name);
}

/**
 * The trigger declarations `validate` checks files with, without the DI container or any scaler:
 * each built-in package of `triggerTypes` by its `./triggers` entry. With plugins, the container is
 * built (a plugin's declarations are its module's), which is slower but the same rules.
 */
export async function createTriggerCatalog(options: CompositionOptions & { readonly triggerTypes: Iterable<string> }): Promise<TriggerCatalog> {
  if (options.plugins && options.plugins.length > 0) return (await import('./composition.js')).createRegistry(options);
  const declarations: TriggerDeclaration[] = [];
  for (const name of builtInPackagesFor(options.triggerTypes)) {
    declarations.push(...((await import(`${name}/triggers`)) as { triggers: readonly TriggerDeclaration[] }).triggers);
  }
  return new TriggerIndex(declarations, [...builtInTriggerTypes().values()].flat());
}
