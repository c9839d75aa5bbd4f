import { pathToFileURL } from 'node:url';
import { resolve as resolveModule } from 'import-meta-resolve';
import { ContainerModule, type Container } from 'inversify';

export class PluginLoadError extends Error {
  override readonly name = 'PluginLoadError';
  constructor(readonly packageName: string, reason: string, options?: { cause?: unknown }) {
    super(`cannot load scaler plugin ${JSON.stringify(packageName)}: ${reason}`, options);
  }
}

export interface LoadPluginsOptions {
  /** The folder package names are resolved from, as `node` would from a file there. Default: the working directory. */
  readonly from?: string;
}

/**
 * Imports each scaler plugin by npm package name and loads its default export, a ContainerModule,
 * into the container. Call it before the ScalerRegistry is first resolved.
 */
export async function loadPlugins(container: Container, packageNames: readonly string[], options: LoadPluginsOptions = {}): Promise<void> {
  const parent = pathToFileURL(`${options.from ?? process.cwd()}/`).href;
  const modules: ContainerModule[] = [];
  for (const name of new Set(packageNames)) {
    let url: string;
    try {
      url = resolveModule(name, parent);
    } catch (error) {
      throw new PluginLoadError(name, `the package is not installed where it is looked for (${options.from ?? process.cwd()}); run npm install ${name}`, { cause: error });
    }
    let exported: unknown;
    try {
      exported = ((await import(url)) as { default?: unknown }).default;
    } catch (error) {
      throw new PluginLoadError(name, `importing it failed: ${(error as Error).message}`, { cause: error });
    }
    if (!(exported instanceof ContainerModule) && !isContainerModuleLike(exported)) {
      throw new PluginLoadError(name, 'its default export is not an inversify ContainerModule');
    }
    modules.push(exported as ContainerModule);
  }
  container.load(...modules);
}

// A plugin with its own copy of inversify exports a ContainerModule that fails `instanceof`.
function isContainerModuleLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { load?: unknown }).load === 'function' && typeof (value as { id?: unknown }).id === 'number';
}
