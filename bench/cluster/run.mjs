#!/usr/bin/env node
// `npm run bench:cluster [-- --objects N]`: the memory of `updraft serve --source kubernetes --controller`
// with N ScaledObjects (default 1000) in a real control plane, as a ratio to the same adapter with none,
// measured in the same run. Each ScaledObject has its own Deployment (replicas 0, so no pod is made) and
// a `cron` trigger (no metric server to run); the adapter owns an HPA for each. Prints a Markdown
// section for bench/RESULTS.md on stdout; progress goes to stderr.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const { values } = parseArgs({ options: { objects: { type: 'string', default: '1000' }, settle: { type: 'string', default: '20' } } });
const objects = Number(values.objects);
const settleMs = Number(values.settle) * 1000;
const log = (message) => process.stderr.write(`bench:cluster: ${message}\n`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

execFileSync('bash', [join(root, 'scripts', 'build-control-plane')], { stdio: ['ignore', 'ignore', 'inherit'] });
const { runnerImport } = await import('vite');
const load = async (path) => (await runnerImport(join(root, path), { root, configFile: false, logLevel: 'error' })).module;
const { pauseDeployment, startCluster } = await load('test/harness/cluster.ts');
const { startServe } = await load('test/serve/serve-process.ts');

/** Resident memory of a process, from /proc (what the kubelet's working-set figure is close to). */
function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)[1]);
}

/** The median of RSS samples taken once a second for `ms`, after the adapter has settled. */
async function steadyRss(pid, ms) {
  const samples = [];
  for (let t = 0; t < ms; t += 1000) {
    samples.push(rssKiB(pid));
    await sleep(1000);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)];
}

const workload = (i) => `${pauseDeployment(`worker-${i}`, { namespace: 'bench', replicas: 0 })}---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: worker-${i}, namespace: bench }
spec:
  scaleTargetRef: { name: worker-${i} }
  maxReplicaCount: 10
  triggers:
    - type: cron
      metadata: { timezone: Etc/UTC, start: '0 8 * * 1-5', end: '0 18 * * 1-5', desiredReplicas: '3' }
`;

const dir = mkdtempSync(join(tmpdir(), 'updraft-bench-cluster-'));
let cluster;
let serve;
try {
  log('starting the control plane');
  cluster = await startCluster({});
  const kubectl = async (...args) => {
    const result = await cluster.kubectl(args, { timeoutMs: 600_000 });
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  for (const file of readdirSync(join(root, 'deploy/crds'))) await kubectl('apply', '-f', join(root, 'deploy/crds', file));
  await kubectl('wait', '--for=condition=Established', 'crd/scaledobjects.keda.sh', '--timeout=60s');
  await cluster.apply('apiVersion: v1\nkind: Namespace\nmetadata: { name: bench }\n---\napiVersion: v1\nkind: Namespace\nmetadata: { name: updraft }\n');
  for (let tries = 0; (await cluster.kubectl(['get', 'so', '-A'])).code !== 0 && tries < 30; tries++) await sleep(1000);

  log('adapter with no ScaledObjects');
  serve = await startServe(['--source', 'kubernetes', '--kubeconfig', cluster.kubeconfig, '--namespace', 'updraft', '--auth', 'none']);
  await sleep(settleMs);
  const emptyKiB = await steadyRss(serve.child.pid, 10_000);

  log(`applying ${objects} Deployments and ScaledObjects`);
  const manifest = join(dir, 'objects.yaml');
  writeFileSync(manifest, Array.from({ length: objects }, (_, i) => workload(i)).join('---\n'));
  const applyStarted = Date.now();
  await kubectl('apply', '--server-side', '-f', manifest);
  const appliedMs = Date.now() - applyStarted;

  // Every ScaledObject has its HPA and READY True: the controller has done its work for each.
  let ready = 0;
  let hpas = 0;
  const deadline = Date.now() + 15 * 60_000;
  while (Date.now() < deadline) {
    const list = JSON.parse(await kubectl('get', 'so', '-n', 'bench', '-o', 'json')).items;
    ready = list.filter((so) => so.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
    hpas = JSON.parse(await kubectl('get', 'hpa', '-n', 'bench', '-o', 'json')).items.length;
    if (ready === objects && hpas === objects) break;
    await sleep(2000);
  }
  const reconciledMs = Date.now() - applyStarted;
  if (ready !== objects || hpas !== objects) throw new Error(`after 15 min only ${ready} Ready and ${hpas} HPAs of ${objects}`);
  await sleep(settleMs);
  const fullKiB = await steadyRss(serve.child.pid, 10_000);
  const peakKiB = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${serve.child.pid}/status`, 'utf8'))[1]);

  const mib = (kib) => (kib / 1024).toFixed(1);
  const load1 = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  process.stdout.write(`<!-- cluster:start -->
## Memory with ${objects} ScaledObjects (bench/cluster)

Command: \`npm run bench:cluster\` (\`node bench/cluster/run.mjs --objects ${objects}\`). Run on ${new Date().toISOString().slice(0, 10)}:
${cpus().length} CPUs, Node ${process.version}, the real kube-apiserver and kube-controller-manager v1.37.2 of
test/harness/cluster.ts on the same machine (load average ${load1} at the end). \`updraft serve --source kubernetes\`
with the controller on, one replica; RSS from /proc, the median of 10 samples, 1 per second, after ${settleMs / 1000} s of quiet.
Each ScaledObject: its own Deployment (replicas 0), one \`cron\` trigger, an HPA owned by the adapter.

| ScaledObjects | RSS MiB | ratio to none |
| ---: | ---: | ---: |
| 0 | ${mib(emptyKiB)} | 1.00 |
| ${objects} | ${mib(fullKiB)} | ${(fullKiB / emptyKiB).toFixed(2)} |

Per ScaledObject: ${((fullKiB - emptyKiB) / objects).toFixed(1)} KiB. Peak RSS (VmHWM): ${mib(peakKiB)} MiB.
\`kubectl apply --server-side\` of the ${2 * objects} objects took ${(appliedMs / 1000).toFixed(1)} s; every HPA existed and every
ScaledObject was READY True ${(reconciledMs / 1000).toFixed(1)} s after the apply started.
<!-- cluster:end -->
`);
} finally {
  await serve?.stop();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
}
