import { formatDiagnostic, loadManifests } from '@updraft/core';
import { createRegistry } from '../composition.js';
import { readManifestFiles } from '../manifest-files.js';
import type { Output } from '../output.js';
import { startExternalScalerServer, type ExternalScalerServer } from './external-scaler.js';

export interface ExternalScalerCommandOptions {
  readonly config: readonly string[];
  readonly host: string;
  readonly port: number;
  readonly plugins: readonly string[];
  readonly pollingIntervalSeconds: number;
}

/**
 * `updraft external-scaler`: reads `--config` (TriggerAuthentications, Secrets, ConfigMaps) once,
 * reports its problems as `check` would, and serves KEDA's external scaler protocol until SIGINT or
 * SIGTERM. Resolves to the exit code (1: the config has errors).
 */
export async function externalScaler(options: ExternalScalerCommandOptions, out: Output, stopped?: (server: ExternalScalerServer) => Promise<void>): Promise<number> {
  const files = await readManifestFiles(options.config);
  const registry = await createRegistry({ plugins: options.plugins });
  const loaded = loadManifests(files.sources, registry, { unresolved: 'error' });
  const diagnostics = [...files.diagnostics, ...loaded.diagnostics];
  for (const d of diagnostics) out.stderr(formatDiagnostic(d));
  if (diagnostics.some((d) => d.severity === 'error')) return 1;

  let server: ExternalScalerServer;
  try {
    server = await startExternalScalerServer({ registry, config: files.sources, host: options.host, port: options.port, pollingIntervalSeconds: options.pollingIntervalSeconds });
  } catch (error) {
    out.stderr(`updraft external-scaler: cannot listen on ${options.host}:${options.port}: ${(error as Error).message}`);
    return 1;
  }
  out.stdout(
    `updraft external-scaler: serving externalscaler.ExternalScaler on ${options.host}:${server.port} (plaintext) with ${loaded.triggerAuthentications.length} TriggerAuthentications; trigger types: ${registry.types().join(', ')}`,
  );
  if (stopped) {
    await stopped(server);
  } else {
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  }
  await server.close();
  return 0;
}
