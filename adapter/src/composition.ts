import { dirname } from 'node:path';
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
  /** Extra scaler plugins by npm package name (`--plugin`, `UPDRAFT_PLUGINS`), resolved from `pluginsFrom`. */
  readonly plugins?: readonly string[];
  /** Where extra plugins are resolved from. Default: the working directory. */
  readonly pluginsFrom?: string;
}

/**
 * The composition root: core, the built-in scalers and the configured plugins, all loaded before
 * the registry is first resolved.
 */
export async function createContainer(options: CompositionOptions = {}): Promise<Container> {
  const container = new Container();
  container.load(coreModule);
  await loadPlugins(container, BUILT_IN_SCALERS, { from: dirname(fileURLToPath(import.meta.url)) });
  if (options.plugins && options.plugins.length > 0) {
    await loadPlugins(container, options.plugins, options.pluginsFrom ? { from: options.pluginsFrom } : {});
  }
  return container;
}

export async function createRegistry(options: CompositionOptions = {}): Promise<ScalerRegistry> {
  return (await createContainer(options)).get<ScalerRegistry>(ScalerRegistry);
}
