import { Command, InvalidArgumentError, Option } from 'commander';
import type { Output } from '../output.js';
import type { LogFormat, LogLevel } from '../serve/logger.js';
import { CONTROLLER_DEFAULTS } from '../controller/controller-options.js';
import { LOG_FORMATS, LOG_LEVELS, SERVE_DEFAULTS, type AuthMode, type ServeOptions, type SourceKind } from '../serve/serve-options.js';

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65535) throw new InvalidArgumentError('must be a port number, 0 to 65535 (0: any free port)');
  return port;
}

/** Repeatable, and comma-separated (environment variables hold one string). */
function list(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/** `--flag=false` and `--flag false` (commander's booleans take no value). */
function parseBool(value: string): boolean {
  if (/^(true|1|yes)$/i.test(value.trim())) return true;
  if (/^(false|0|no)$/i.test(value.trim())) return false;
  throw new InvalidArgumentError('must be true or false');
}

function parseSeconds(value: string): number {
  const seconds = Number(value.trim().replace(/s$/, ''));
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('must be a number of seconds greater than 0, e.g. 15 or 15s');
  return seconds;
}

interface ServeFlags {
  source: SourceKind;
  config?: string[];
  namespace?: string;
  watchNamespace?: string[];
  watchLabelSelector?: string;
  host: string;
  port: number;
  tlsCert?: string;
  tlsKey?: string;
  certSecret?: string;
  certApiservice: string;
  certWebhook: string;
  certServingValidity?: number;
  service: string;
  serviceNamespace?: string;
  auth: AuthMode;
  kubeconfig?: string;
  requestheaderClientCaFile?: string;
  requestheaderAllowedNames?: string[];
  clientCaFile?: string;
  metricsPort: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  plugin?: string[];
  controller: boolean;
  metricsApi: boolean;
  leaderElect: boolean;
  leaderElectNamespace?: string;
  leaderElectId: string;
  leaderElectLeaseDuration: number;
  leaderElectRenewDeadline: number;
  leaderElectRetryPeriod: number;
  controllerResync: number;
}

/** Adds `updraft serve` to the program; `setExitCode` receives its exit code. */
export function registerServeCommand(program: Command, pluginOption: Option, out: Output, setExitCode: (code: number) => void): Command {
  const option = (flags: string, description: string, env: string) => new Option(flags, description).env(env);
  return program
    .command('serve')
    .description(
      'Serve the ScaledObjects of --config (or, with --source kubernetes, of the cluster) to the HPA through the external metrics API (external.metrics.k8s.io/v1beta1) ' +
        'over HTTPS, with its own metrics in Prometheus text on --metrics-port. Files and cluster objects are reloaded when they change; a ' +
        'broken edit keeps the last good version of that object (see /readyz?verbose). Stops on SIGTERM or SIGINT. ' +
        'Every flag can also be set with the environment variable named after it.',
    )
    .addOption(option('--source <source>', 'files: the ScaledObjects of --config; kubernetes: those in the cluster (KEDA\'s CRDs, deploy/crds), read through --kubeconfig or the pod\'s service account', 'UPDRAFT_SOURCE').choices(['files', 'kubernetes']).default('files'))
    .addOption(option('--config <file-or-dir>', 'ScaledObject YAML or JSON files, or folders of them; repeat it or separate with commas', 'UPDRAFT_CONFIG').argParser(list))
    .addOption(option('--namespace <namespace>', "the adapter's own namespace, where ClusterTriggerAuthentication Secrets are read (default: the pod's, else $POD_NAMESPACE, else updraft)", 'UPDRAFT_NAMESPACE'))
    .addOption(option('--watch-namespace <namespaces>', 'with --source kubernetes: only ScaledObjects and TriggerAuthentications in these namespaces (comma-separated; default: all), as KEDA\'s WATCH_NAMESPACE', 'UPDRAFT_WATCH_NAMESPACE').argParser(list))
    .addOption(option('--watch-label-selector <selector>', 'with --source kubernetes: only ScaledObjects with these labels, e.g. shard=a (KEDA\'s WATCH_LABEL_SELECTOR, for sharding)', 'UPDRAFT_WATCH_LABEL_SELECTOR'))
    .addOption(option('--host <address>', 'the address to listen on (0.0.0.0: every interface, as in a pod; 127.0.0.1 on a laptop)', 'UPDRAFT_HOST').default(SERVE_DEFAULTS.host))
    .addOption(option('--port <port>', 'the HTTPS port of the external metrics API', 'UPDRAFT_PORT').default(SERVE_DEFAULTS.port).argParser(parsePort))
    .addOption(option('--tls-cert <file>', 'the serving certificate (PEM, with its chain), reloaded when it changes; without it one is made at start', 'UPDRAFT_TLS_CERT'))
    .addOption(option('--tls-key <file>', 'the private key of --tls-cert (PEM)', 'UPDRAFT_TLS_KEY'))
    .addOption(option('--cert-secret <name>', "keep the adapter's own CA and serving certificate in this Secret of --namespace (made on first start, shared by the replicas, rotated before expiry) and put the CA into the caBundle of --cert-apiservice and --cert-webhook; instead of --tls-cert", 'UPDRAFT_CERT_SECRET'))
    .addOption(option('--cert-apiservice <name>', "with --cert-secret: the APIService whose caBundle gets the CA ('' for none)", 'UPDRAFT_CERT_APISERVICE').default('v1beta1.external.metrics.k8s.io'))
    .addOption(option('--cert-webhook <name>', "with --cert-secret: the ValidatingWebhookConfiguration whose caBundle gets the CA ('' for none)", 'UPDRAFT_CERT_WEBHOOK').default('updraft-admission'))
    .addOption(option('--cert-serving-validity <seconds>', 'with --cert-secret: how long a serving certificate is valid; renewed when a third is left (default 90 days)', 'UPDRAFT_CERT_SERVING_VALIDITY').argParser(parseSeconds))
    .addOption(option('--service <name>', 'the Service in front of the adapter: a generated certificate is valid for <service>.<namespace>.svc', 'UPDRAFT_SERVICE').default(SERVE_DEFAULTS.service))
    .addOption(option('--service-namespace <namespace>', "the Service's namespace (default: the pod's namespace, else default)", 'UPDRAFT_SERVICE_NAMESPACE'))
    .addOption(option('--auth <mode>', 'kubernetes: authenticate and authorize as an aggregated API server (front-proxy certificates, TokenReview, SubjectAccessReview); none: serve anyone', 'UPDRAFT_AUTH').choices(['kubernetes', 'none']).default(SERVE_DEFAULTS.auth))
    .addOption(option('--kubeconfig <file>', 'the Kubernetes API to delegate to (default: the pod\'s service account, else $KUBECONFIG)', 'UPDRAFT_KUBECONFIG'))
    .addOption(option('--requestheader-client-ca-file <file>', 'the front-proxy CA (instead of the kube-system/extension-apiserver-authentication ConfigMap)', 'UPDRAFT_REQUESTHEADER_CLIENT_CA_FILE'))
    .addOption(option('--requestheader-allowed-names <names>', 'client certificate CNs the front proxy may use (with --requestheader-client-ca-file; empty: any)', 'UPDRAFT_REQUESTHEADER_ALLOWED_NAMES').argParser(list))
    .addOption(option('--client-ca-file <file>', 'CA of x509 client certificates: user = CN, groups = O (instead of the ConfigMap)', 'UPDRAFT_CLIENT_CA_FILE'))
    .addOption(option('--metrics-port <port>', 'plain-HTTP port of GET /metrics (Prometheus text)', 'UPDRAFT_METRICS_PORT').default(SERVE_DEFAULTS.metricsPort).argParser(parsePort))
    .addOption(option('--log-level <level>', 'debug logs one line per request', 'UPDRAFT_LOG_LEVEL').choices([...LOG_LEVELS]).default(SERVE_DEFAULTS.logLevel))
    .addOption(option('--log-format <format>', 'auto: JSON lines, readable lines on a terminal', 'UPDRAFT_LOG_FORMAT').choices([...LOG_FORMATS]).default(SERVE_DEFAULTS.logFormat))
    .addOption(option('--controller <bool>', "with --source kubernetes: run KEDA's operator part (HPAs, scaling 0↔1, status, events), only while holding the leader Lease", 'UPDRAFT_CONTROLLER').default(true).argParser(parseBool))
    .addOption(option('--metrics-api <bool>', 'serve the external metrics API (every replica serves it from its own engine)', 'UPDRAFT_METRICS_API').default(true).argParser(parseBool))
    .addOption(option('--leader-elect <bool>', 'elect one controller among the replicas on a coordination.k8s.io Lease (false: this process always runs it)', 'UPDRAFT_LEADER_ELECT').default(CONTROLLER_DEFAULTS.leaderElect).argParser(parseBool))
    .addOption(option('--leader-elect-namespace <namespace>', "the Lease's namespace (default: the adapter's namespace)", 'UPDRAFT_LEADER_ELECT_NAMESPACE'))
    .addOption(option('--leader-elect-id <name>', "the Lease's name", 'UPDRAFT_LEADER_ELECT_ID').default(CONTROLLER_DEFAULTS.leaseName))
    .addOption(option('--leader-elect-lease-duration <seconds>', 'how long a follower waits, after the leader last renewed, before it takes over', 'UPDRAFT_LEADER_ELECT_LEASE_DURATION').default(CONTROLLER_DEFAULTS.leaseDurationSeconds).argParser(parseSeconds))
    .addOption(option('--leader-elect-renew-deadline <seconds>', 'how long the leader keeps leading without renewing', 'UPDRAFT_LEADER_ELECT_RENEW_DEADLINE').default(CONTROLLER_DEFAULTS.renewDeadlineSeconds).argParser(parseSeconds))
    .addOption(option('--leader-elect-retry-period <seconds>', 'how often the Lease is renewed or tried', 'UPDRAFT_LEADER_ELECT_RETRY_PERIOD').default(CONTROLLER_DEFAULTS.retryPeriodSeconds).argParser(parseSeconds))
    .addOption(option('--controller-resync <seconds>', 'every ScaledObject is reconciled again this often (repairs an HPA edited or deleted by hand)', 'UPDRAFT_CONTROLLER_RESYNC').default(CONTROLLER_DEFAULTS.resyncSeconds).argParser(parseSeconds))
    .addOption(pluginOption)
    .action(async (flags: ServeFlags, command: Command) => {
      if (flags.source === 'files' && (!flags.config || flags.config.length === 0)) command.error('error: --config <file-or-dir> is required (or UPDRAFT_CONFIG), unless --source kubernetes', { exitCode: 2 });
      if (flags.source === 'kubernetes' && flags.config?.length) command.error('error: --config reads files; with --source kubernetes ScaledObjects come from the cluster: give one or the other', { exitCode: 2 });
      if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) command.error('error: --tls-cert and --tls-key go together: give both, or neither', { exitCode: 2 });
      if (flags.certSecret !== undefined && flags.tlsCert !== undefined) command.error('error: --cert-secret and --tls-cert are two ways to get a serving certificate: give one', { exitCode: 2 });
      if (!(flags.leaderElectLeaseDuration > flags.leaderElectRenewDeadline && flags.leaderElectRenewDeadline > flags.leaderElectRetryPeriod)) {
        command.error('error: --leader-elect-lease-duration must be greater than --leader-elect-renew-deadline, and that greater than --leader-elect-retry-period', { exitCode: 2 });
      }
      // The server and its libraries load only when `serve` runs.
      const [{ podNamespace }, { serve }] = await Promise.all([import('../serve/start-serve.js'), import('./serve.js')]);
      const options: ServeOptions = {
        source: flags.source,
        config: flags.config ?? [],
        ...(flags.namespace ? { namespace: flags.namespace } : {}),
        ...(flags.watchNamespace?.length ? { watchNamespaces: flags.watchNamespace } : {}),
        ...(flags.watchLabelSelector ? { watchLabelSelector: flags.watchLabelSelector } : {}),
        host: flags.host,
        port: flags.port,
        ...(flags.tlsCert !== undefined ? { tlsCert: flags.tlsCert } : {}),
        ...(flags.tlsKey !== undefined ? { tlsKey: flags.tlsKey } : {}),
        ...(flags.certSecret ? { certSecret: flags.certSecret, caBundleApiService: flags.certApiservice, caBundleWebhook: flags.certWebhook } : {}),
        ...(flags.certServingValidity !== undefined ? { certServingValiditySeconds: flags.certServingValidity } : {}),
        service: flags.service,
        serviceNamespace: flags.serviceNamespace ?? podNamespace() ?? 'default',
        auth: flags.auth,
        ...(flags.kubeconfig !== undefined ? { kubeconfig: flags.kubeconfig } : {}),
        ...(flags.requestheaderClientCaFile !== undefined ? { requestHeaderClientCAFile: flags.requestheaderClientCaFile } : {}),
        requestHeaderAllowedNames: flags.requestheaderAllowedNames ?? [],
        ...(flags.clientCaFile !== undefined ? { clientCAFile: flags.clientCaFile } : {}),
        metricsPort: flags.metricsPort,
        logLevel: flags.logLevel,
        logFormat: flags.logFormat,
        plugins: flags.plugin ?? [],
        controller: flags.controller,
        metricsApi: flags.metricsApi,
        controllerOptions: {
          leaderElect: flags.leaderElect,
          ...(flags.leaderElectNamespace !== undefined ? { leaseNamespace: flags.leaderElectNamespace } : {}),
          leaseName: flags.leaderElectId,
          timing: { leaseDurationMs: flags.leaderElectLeaseDuration * 1000, renewDeadlineMs: flags.leaderElectRenewDeadline * 1000, retryPeriodMs: flags.leaderElectRetryPeriod * 1000 },
          resyncIntervalMs: flags.controllerResync * 1000,
        },
        ...(process.env.UPDRAFT_RESCAN_INTERVAL_MS ? { rescanIntervalMs: Number(process.env.UPDRAFT_RESCAN_INTERVAL_MS) } : {}),
      };
      setExitCode(await serve(options, out));
    });
}
