import { readFileSync } from 'node:fs';

/** What `updraft install` (and the Helm chart's values, and the kustomize base) are made from. */
export interface InstallOptions {
  /** The adapter's namespace: its Deployment, Service, Secret, Lease, and where ClusterTriggerAuthentications read Secrets. */
  readonly namespace: string;
  readonly image: string;
  readonly replicas: number;
  /** Namespaces whose ScaledObjects are served; empty: every namespace. */
  readonly watchNamespaces: readonly string[];
  /** Only ScaledObjects (and TriggerAuthentications) with these labels; empty: all. */
  readonly watchLabelSelector: string;
  /**
   * Where Secrets and ConfigMaps may be read (secretTargetRef, configMapTargetRef, env of the scale
   * target's pods). `['*']`: every namespace. Default: the watched namespaces, or none beyond the
   * adapter's own when every namespace is watched.
   */
  readonly secretNamespaces: readonly string[];
  /** Issue the serving certificate with cert-manager instead of the adapter's own CA. */
  readonly certManager: boolean;
  /** The admission webhook's failurePolicy: Ignore (KEDA's chart default) or Fail. */
  readonly webhookFailurePolicy: 'Ignore' | 'Fail';
}

export const ADAPTER_VERSION: string = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The objects' names. `updraft serve`'s flags in the Deployment repeat them, so they are fixed, not options. */
export const NAMES = {
  app: 'updraft',
  /** Service, ServiceAccount, Deployment, ClusterRole, PodDisruptionBudget. */
  adapter: 'updraft',
  certificateSecret: 'updraft-certs',
  apiService: 'v1beta1.external.metrics.k8s.io',
  webhookConfiguration: 'updraft-admission',
  lease: 'updraft-controller',
} as const;

export const INSTALL_DEFAULTS: InstallOptions = {
  namespace: 'updraft',
  image: `ghcr.io/updraft/adapter:${ADAPTER_VERSION}`,
  replicas: 2,
  watchNamespaces: [],
  watchLabelSelector: '',
  secretNamespaces: [],
  certManager: false,
  webhookFailurePolicy: 'Ignore',
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** One line naming the option and what is allowed, or undefined when the options are usable. */
export function checkInstallOptions(options: InstallOptions): string | undefined {
  const label = (option: string, value: string) =>
    DNS_LABEL.test(value) && value.length <= 63 ? undefined : `${option}: ${JSON.stringify(value)} is not a namespace name (lower-case letters, digits and '-', at most 63)`;
  const problems = [
    label('--namespace', options.namespace),
    ...options.watchNamespaces.map((ns) => label('--watch-namespace', ns)),
    ...options.secretNamespaces.filter((ns) => ns !== '*').map((ns) => label('--secret-namespace', ns)),
    options.secretNamespaces.includes('*') && options.secretNamespaces.length > 1 ? "--secret-namespace: '*' (every namespace) cannot be combined with namespace names" : undefined,
    options.image.trim() === '' || /\s/.test(options.image) ? `--image: ${JSON.stringify(options.image)} is not an image reference` : undefined,
    !Number.isSafeInteger(options.replicas) || options.replicas < 1 ? `--replicas: must be 1 or more, got ${options.replicas}` : undefined,
  ];
  return problems.find((p) => p !== undefined);
}

/** The namespaces Secrets and ConfigMaps may be read in, the adapter's own always among them; `'*'` for all. */
export function secretScope(options: InstallOptions): '*' | readonly string[] {
  if (options.secretNamespaces.includes('*')) return '*';
  const named = options.secretNamespaces.length > 0 ? options.secretNamespaces : options.watchNamespaces;
  return [...new Set([options.namespace, ...named])];
}
