import { stringify } from 'yaml';
import type { Output } from '../output.js';
import { readCrds } from './crds.js';
import { checkExternalMetricsOwner, type ReadApiService } from './external-metrics-owner.js';
import { checkInstallOptions, type InstallOptions } from './install-options.js';
import type { KubeObject } from './kube-object.js';
import { installObjects } from './manifests.js';

export interface InstallCommandOptions extends InstallOptions {
  readonly crdsOnly: boolean;
  /** Everything but the CRDs (for a cluster that has KEDA's or Updraft's already, and for deploy/base). */
  readonly skipCrds?: boolean;
  /** Print Updraft's APIService even when another adapter serves external.metrics.k8s.io. */
  readonly takeOver: boolean;
}

export interface InstallDependencies {
  /** How to read the cluster's APIService, when a cluster is reachable through the kubeconfig. */
  readonly readApiService?: ReadApiService;
  /** Default: the CRDs as generated for deploy/crds. */
  readonly crdsDir?: string;
}

/** Multi-document YAML, as `kubectl apply -f -` reads it. */
export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map((object) => stringify(object, { lineWidth: 0 })).join('---\n');
}

/**
 * `updraft install`: prints every object a cluster needs (`updraft install | kubectl apply -f -`).
 * Exit 0 after printing; 1 when another adapter owns external.metrics.k8s.io and --take-over is not
 * given; 2 on bad options or missing CRDs.
 */
export async function install(options: InstallCommandOptions, out: Output, dependencies: InstallDependencies = {}): Promise<number> {
  const problem = checkInstallOptions(options);
  if (problem) {
    out.stderr(`updraft install: ${problem}`);
    return 2;
  }
  if (options.crdsOnly && options.skipCrds) {
    out.stderr('updraft install: --crds-only and --skip-crds exclude each other');
    return 2;
  }
  let crds: KubeObject[] = [];
  try {
    if (!options.skipCrds) crds = await readCrds(dependencies.crdsDir);
  } catch (error) {
    out.stderr(`updraft install: ${(error as Error).message}`);
    return 2;
  }
  if (options.crdsOnly) {
    out.stdout(toYaml(crds).trimEnd());
    return 0;
  }
  if (dependencies.readApiService) {
    const owner = await checkExternalMetricsOwner(dependencies.readApiService, options.namespace);
    if (owner.kind === 'other') {
      if (!options.takeOver) {
        out.stderr(`updraft install: ${owner.message}`);
        return 1;
      }
      out.stderr(`updraft install: --take-over: ${owner.message.split(';')[0]}; the printed APIService replaces it`);
    } else if (owner.kind === 'unknown') {
      out.stderr(`updraft install: warning: ${owner.message}; printing anyway (another adapter may own external.metrics.k8s.io)`);
    }
  }
  out.stdout(toYaml(installObjects(options, crds)).trimEnd());
  return 0;
}
