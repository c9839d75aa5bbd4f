import { Command, InvalidArgumentError, Option } from 'commander';
import type { Output } from '../output.js';
import type { ReadApiService } from './external-metrics-owner.js';
import { INSTALL_DEFAULTS } from './install-options.js';

function list(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

function parseReplicas(value: string): number {
  const replicas = Number(value);
  if (!/^\d+$/.test(value.trim()) || replicas < 1) throw new InvalidArgumentError('must be a whole number, 1 or more');
  return replicas;
}

interface InstallFlags {
  namespace: string;
  image: string;
  replicas: number;
  watchNamespace?: string[];
  watchLabelSelector?: string;
  secretNamespace?: string[];
  certManager?: boolean;
  webhookFailurePolicy: 'Ignore' | 'Fail';
  crdsOnly?: boolean;
  skipCrds?: boolean;
  takeOver?: boolean;
  kubeconfig?: string;
  clusterCheck: boolean;
}

type Connect = (kubeconfig: string | undefined) => Promise<{ readApiService: ReadApiService; close(): void } | undefined>;

/**
 * Adds `updraft install`; `connect` gives the APIService reader for --kubeconfig (undefined: no cluster
 * configured; default: install-connection.ts). The manifests and the kube client load only when it runs.
 */
export function registerInstallCommand(program: Command, out: Output, setExitCode: (code: number) => void, connect?: Connect): Command {
  return program
    .command('install')
    .description(
      'Print every object a cluster needs to run Updraft: `updraft install | kubectl apply --server-side -f -`. ' +
        'CRDs, namespace, ServiceAccount, least-privilege RBAC, Deployment, Service, PodDisruptionBudget, the ' +
        'external metrics APIService and the admission webhook. `kubectl delete -f` of the same output uninstalls. ' +
        'When the kubeconfig reaches a cluster whose external.metrics.k8s.io is served by another adapter (KEDA), ' +
        'refuses (exit 1) unless --take-over.',
    )
    .option('--namespace <namespace>', "the adapter's namespace", INSTALL_DEFAULTS.namespace)
    .option('--image <image>', 'the adapter image', INSTALL_DEFAULTS.image)
    .option('--replicas <n>', 'adapter replicas (every one serves metrics; one leads the controller)', parseReplicas, INSTALL_DEFAULTS.replicas)
    .option('--watch-namespace <namespace>', 'serve only ScaledObjects in these namespaces (repeat, or separate with commas; default: all); RBAC is granted only there', list)
    .option('--watch-label-selector <selector>', 'serve only ScaledObjects with these labels (e.g. shard=a)')
    .option('--secret-namespace <namespace>', "where Secrets and ConfigMaps may be read (repeat or commas; '*' for every namespace; default: the watched namespaces, else only the adapter's)", list)
    .option('--cert-manager', "serving certificate from cert-manager (Issuer, Certificate, cainjector annotations) instead of the adapter's own CA")
    .addOption(new Option('--webhook-failure-policy <policy>', 'what the API server does when the webhook does not answer').choices(['Ignore', 'Fail']).default(INSTALL_DEFAULTS.webhookFailurePolicy))
    .option('--crds-only', 'print only the CustomResourceDefinitions')
    .option('--skip-crds', 'print everything but the CustomResourceDefinitions')
    .option('--take-over', 'print the APIService even when another adapter (KEDA) serves external.metrics.k8s.io now')
    .option('--kubeconfig <file>', 'the cluster to check for another external metrics adapter (default: $KUBECONFIG)')
    .option('--no-cluster-check', 'do not look at any cluster')
    .action(async (flags: InstallFlags) => {
      const { install } = await import('./install.js');
      const connectTo = connect ?? (await import('./install-connection.js')).connectForInstall;
      const connection = flags.clusterCheck && !flags.crdsOnly ? await connectTo(flags.kubeconfig) : undefined;
      try {
        setExitCode(
          await install(
            {
              namespace: flags.namespace,
              image: flags.image,
              replicas: flags.replicas,
              watchNamespaces: flags.watchNamespace ?? [],
              watchLabelSelector: flags.watchLabelSelector ?? '',
              secretNamespaces: flags.secretNamespace ?? [],
              certManager: flags.certManager === true,
              webhookFailurePolicy: flags.webhookFailurePolicy,
              crdsOnly: flags.crdsOnly === true,
              skipCrds: flags.skipCrds === true,
              takeOver: flags.takeOver === true,
            },
            out,
            connection ? { readApiService: connection.readApiService } : {},
          ),
        );
      } finally {
        connection?.close();
      }
    });
}
