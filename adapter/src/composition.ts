// The composition root: inversify's decorators record through reflect-metadata, loaded before them
// (core's entry loads it too; the adapter's own decorated classes must not depend on that order).
import 'reflect-metadata';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Container } from 'inversify';
import { coreModule, loadPlugins, ScalerRegistry, scalerRegistryOf } from '@updraft/core';
import { BUILT_IN_SCALERS, builtInPackagesFor, builtInTriggerTypes, type CompositionOptions } from './built-in-scalers.js';

export { BUILT_IN_SCALERS, type CompositionOptions } from './built-in-scalers.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The composition root: core, the built-in scalers (those `triggerTypes` needs, or all) and the
 * configured plugins, all loaded before the registry is first resolved.
 */
export async function createContainer(options: CompositionOptions = {}): Promise<Container> {
  const container = new Container();
  container.load(coreModule);
  const builtIns: readonly string[] = options.triggerTypes ? builtInPackagesFor(options.triggerTypes) : BUILT_IN_SCALERS;
  // The built-ins are the adapter's own dependencies: their peers resolve without the hook.
  await loadPlugins(container, builtIns, { from: here, peersFromHost: false });
  if (options.plugins && options.plugins.length > 0) {
    await loadPlugins(container, options.plugins, options.pluginsFrom ? { from: options.pluginsFrom } : {});
  }
  return container;
}

/** The registry of createContainer; with `triggerTypes`, its `types()` also names the built-in types not imported. */
export async function createRegistry(options: CompositionOptions = {}): Promise<ScalerRegistry> {
  const registry = (await createContainer(options)).get<ScalerRegistry>(ScalerRegistry);
  if (!options.triggerTypes) return registry;
  return scalerRegistryOf(registry.factories(), [...builtInTriggerTypes().values()].flat());
}
