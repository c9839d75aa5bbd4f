import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Container } from 'inversify';
import { coreModule, loadPlugins, ScalerRegistry } from '@updraft/core';

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

const here = dirname(fileURLToPath(import.meta.url));

/** Each built-in package's trigger types, read from its package.json without importing it. */
function builtInTriggerTypes(): Map<string, readonly string[]> {
  const types = new Map<string, readonly string[]>();
  for (const name of BUILT_IN_SCALERS) {
    const entry = fileURLToPath(import.meta.resolve(name));
    // The package.json above the entry point that names the package.
    for (let folder = dirname(entry); folder !== dirname(folder); folder = dirname(folder)) {
      let manifest: { name?: string; updraft?: { triggerTypes?: string[] } };
      try {
        manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as typeof manifest;
      } catch {
        continue;
      }
      if (manifest.name !== name) continue;
      types.set(name, manifest.updraft?.triggerTypes ?? []);
      break;
    }
  }
  return types;
}

/**
 * The composition root: core, the built-in scalers (those `triggerTypes` needs, or all) and the
 * configured plugins, all loaded before the registry is first resolved.
 */
export async function createContainer(options: CompositionOptions = {}): Promise<Container> {
  const container = new Container();
  container.load(coreModule);
  let builtIns: readonly string[] = BUILT_IN_SCALERS;
  if (options.triggerTypes) {
    const wanted = new Set(options.triggerTypes);
    // A package that declares no types is imported, since what it serves is unknown.
    builtIns = [...builtInTriggerTypes()].filter(([, types]) => types.length === 0 || types.some((type) => wanted.has(type))).map(([name]) => name);
  }
  await loadPlugins(container, builtIns, { from: here });
  if (options.plugins && options.plugins.length > 0) {
    await loadPlugins(container, options.plugins, options.pluginsFrom ? { from: options.pluginsFrom } : {});
  }
  return container;
}

/** The registry of createContainer; with `triggerTypes`, its `types()` also names the built-in types not imported. */
export async function createRegistry(options: CompositionOptions = {}): Promise<ScalerRegistry> {
  const registry = (await createContainer(options)).get<ScalerRegistry>(ScalerRegistry);
  if (!options.triggerTypes) return registry;
  const known = [...new Set([...registry.types(), ...[...builtInTriggerTypes().values()].flat()])].sort();
  return {
    get: (type) => registry.get(type),
    has: (type) => registry.has(type),
    types: () => known,
    factories: () => registry.factories(),
  };
}
