import { existsSync, readFileSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { isAbsolute, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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
  /**
   * Resolve the plugins' @updraft/core and inversify from the host when their own folder lacks them
   * (a linked or folder plugin). Default: true. A host's own dependencies do not need it, and it costs
   * a module loader thread that slows every later import.
   */
  readonly peersFromHost?: boolean;
}

/**
 * Imports each scaler plugin by npm package name and loads its default export, a ContainerModule,
 * into the container. Call it before the ScalerRegistry is first resolved.
 */
export async function loadPlugins(container: Container, packageNames: readonly string[], options: LoadPluginsOptions = {}): Promise<void> {
  const parent = pathToFileURL(`${options.from ?? process.cwd()}/`).href;
  const modules: ContainerModule[] = [];
  if (packageNames.length > 0 && options.peersFromHost !== false) resolvePeersFromHost();
  for (const name of new Set(packageNames)) {
    let url: string;
    try {
      url = isPath(name) ? folderEntry(name, options.from ?? process.cwd()) : resolveModule(name, parent);
    } catch (error) {
      if (error instanceof PluginLoadError) throw error;
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

/** `./dir`, `../dir`, `/abs/dir` (and Windows paths): a plugin given by its folder, not its package name. */
function isPath(name: string): boolean {
  return name.startsWith('.') || isAbsolute(name);
}

/**
 * The module a plugin folder's package.json names (`exports` "." default/import, else `main`,
 * else index.js), as a file URL: Node does not import a folder itself.
 */
function folderEntry(name: string, from: string): string {
  const folder = resolvePath(from, name);
  if (!existsSync(folder)) throw new PluginLoadError(name, `the folder ${folder} does not exist`);
  if (!statSync(folder).isDirectory()) return pathToFileURL(folder).href;
  const manifestPath = join(folder, 'package.json');
  if (!existsSync(manifestPath)) throw new PluginLoadError(name, `${folder} has no package.json: a plugin folder is an npm package`);
  let manifest: { exports?: unknown; main?: unknown };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as typeof manifest;
  } catch (error) {
    throw new PluginLoadError(name, `${manifestPath} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  const entry = exportedEntry(manifest.exports) ?? (typeof manifest.main === 'string' ? manifest.main : 'index.js');
  const file = join(folder, entry);
  if (!existsSync(file)) throw new PluginLoadError(name, `its entry ${file} does not exist: is the plugin built (npm run build)?`);
  return pathToFileURL(file).href;
}

function exportedEntry(exports: unknown): string | undefined {
  if (typeof exports === 'string') return exports;
  if (typeof exports !== 'object' || exports === null) return undefined;
  const root = (exports as Record<string, unknown>)['.'] ?? exports;
  if (typeof root === 'string') return root;
  if (typeof root !== 'object' || root === null) return undefined;
  const conditions = root as Record<string, unknown>;
  for (const condition of ['import', 'node', 'default']) {
    const target = conditions[condition];
    if (typeof target === 'string') return target;
    const nested = exportedEntry(target);
    if (nested) return nested;
  }
  return undefined;
}

let peersHookRegistered = false;

/** Lets a linked plugin (`npm link`, `npm install ../dir`) import the host's @updraft/core and inversify. */
function resolvePeersFromHost(): void {
  if (peersHookRegistered || typeof register !== 'function') return;
  peersHookRegistered = true;
  const hook = new URL('./plugin-peers-hook.js', import.meta.url);
  // Only where core runs from its built files (a test runner may run this file from source).
  if (hook.protocol === 'file:' && existsSync(fileURLToPath(hook))) register(hook, { data: { hostURL: import.meta.url } });
}
