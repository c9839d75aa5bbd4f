#!/usr/bin/env node
// `npm run cluster -- --dir DIR [--adapter https://127.0.0.1:PORT --adapter-ca CA.pem]`: a real local
// Kubernetes control plane (etcd, kube-apiserver, kube-controller-manager; no kubelet) for newcomers
// and for trying `updraft serve` behind the real aggregation layer. A test tool, not the product: it
// runs test/harness/cluster.ts, the same code the tests use (through vite's module runner, since
// Node 20 cannot run TypeScript itself). Prints one line, `ready: KUBECONFIG=<DIR>/kubeconfig`, on
// stdout once the cluster answers; everything else goes to stderr. Runs until SIGINT or SIGTERM.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const usage = `usage: npm run cluster -- --dir DIR [--adapter https://127.0.0.1:PORT --adapter-ca CA.pem]
  --dir DIR                  where the PKI, etcd's data, logs/ and kubeconfig go (its pki, etcd and logs are replaced)
  --adapter URL              register an adapter on this machine as v1beta1.external.metrics.k8s.io
  --adapter-ca FILE          the CA of the adapter's serving certificate (APIService caBundle)
  --adapter-namespace NAME   the adapter's Service namespace (default updraft)
  --adapter-service NAME     the adapter's Service name (default updraft); its certificate must be valid for <service>.<namespace>.svc
  --hpa-sync-period D        kube-controller-manager --horizontal-pod-autoscaler-sync-period (default 1s)
  --hpa-downscale-stabilization D   --horizontal-pod-autoscaler-downscale-stabilization (default 10s)`;

function fail(message) {
  process.stderr.write(`cluster: ${message}\n`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      dir: { type: 'string' },
      adapter: { type: 'string' },
      'adapter-ca': { type: 'string' },
      'adapter-namespace': { type: 'string', default: 'updraft' },
      'adapter-service': { type: 'string', default: 'updraft' },
      'hpa-sync-period': { type: 'string' },
      'hpa-downscale-stabilization': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }));
} catch (error) {
  fail(`${error.message}\n${usage}`);
}
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
if (!values.dir) fail(`--dir DIR is required\n${usage}`);
if ((values.adapter === undefined) !== (values['adapter-ca'] === undefined)) fail('--adapter and --adapter-ca go together');
let adapterCa;
if (values['adapter-ca'] !== undefined) {
  try {
    adapterCa = readFileSync(values['adapter-ca'], 'utf8');
  } catch (error) {
    fail(`--adapter-ca ${values['adapter-ca']}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  }
  if (!adapterCa.includes('-----BEGIN CERTIFICATE-----')) fail(`--adapter-ca ${values['adapter-ca']}: not a PEM certificate`);
}

// Builds the binaries the first time (its progress goes to stderr); prints the cache directory.
const build = spawnSync('bash', [join(root, 'scripts', 'build-control-plane')], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
if (build.status !== 0) fail('building the control plane failed (see above)');

const { runnerImport } = await import('vite');
const { module } = await runnerImport(join(root, 'test', 'harness', 'cluster.ts'), { root, configFile: false, logLevel: 'error' });

const dir = resolve(values.dir);
const namespace = values['adapter-namespace'];
const service = values['adapter-service'];
let cluster;
let adapterKubeconfig;
try {
  cluster = await module.startCluster({
    dir,
    ...(values['hpa-sync-period'] ? { hpaSyncPeriod: values['hpa-sync-period'] } : {}),
    ...(values['hpa-downscale-stabilization'] ? { hpaDownscaleStabilization: values['hpa-downscale-stabilization'] } : {}),
  });
  if (values.adapter !== undefined) {
    await cluster.registerAdapter({ url: values.adapter, caPem: adapterCa, namespace, service });
    // The identity `updraft serve --auth=kubernetes` needs: TokenReview, SubjectAccessReview, the authentication ConfigMap.
    adapterKubeconfig = await cluster.adapterKubeconfig({ namespace, serviceAccount: service });
  }
} catch (error) {
  await cluster?.stop();
  fail(error.message);
}

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`cluster: ${signal}: stopping kube-controller-manager, kube-apiserver and etcd\n`);
  await cluster.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
void cluster.unexpectedExit.then(async (why) => {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`cluster: ${why}; stopping the rest. Logs: ${join(dir, 'logs')}\n${await cluster.logs(20)}\n`);
  await cluster.stop();
  process.exit(1);
});

process.stderr.write(
  [
    `cluster: Kubernetes ${cluster.versions.kubernetes} (etcd ${cluster.versions.etcd}) at ${cluster.server}, ready in ${(cluster.startMs / 1000).toFixed(1)} s`,
    `cluster: logs in ${join(dir, 'logs')}; certificates in ${join(dir, 'pki')}; no kubelet: pods stay Pending`,
    ...(values.adapter
      ? [
          `cluster: APIService v1beta1.external.metrics.k8s.io -> Service ${namespace}/${service} (ExternalName localhost) -> ${values.adapter}`,
          `cluster: it turns Available once the adapter answers with a certificate for ${service}.${namespace}.svc signed by ${values['adapter-ca']}`,
          `cluster: the adapter's own kubeconfig (ServiceAccount ${namespace}/${service}, system:auth-delegator): ${adapterKubeconfig}`,
        ]
      : []),
    'cluster: Ctrl-C stops it',
    '',
  ].join('\n'),
);
process.stdout.write(`ready: KUBECONFIG=${cluster.kubeconfig}\n`);
