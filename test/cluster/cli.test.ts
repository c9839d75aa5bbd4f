import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAdapterCertificate } from '../harness/cluster-pki.js';
import { acceptsConnections, scratchDir } from '../harness/process.js';
import { CONSTANT_PLUGIN, metricPath, repoRoot, startServe, type ServeProcess } from '../serve/serve-process.js';

// `npm run cluster -- --dir DIR --adapter URL --adapter-ca CA.pem` as a newcomer runs it (the script
// npm runs, scripts/cluster.mjs): one line on stdout when the control plane answers, the seed's
// `kubectl get --raw` through kube-apiserver reaching `updraft serve`, and on SIGTERM everything it
// started is gone and it exits 0.

function kubectl(kubeconfig: string, cacheDir: string, args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', [`--kubeconfig=${kubeconfig}`, `--cache-dir=${cacheDir}`, ...args], { timeout: 30_000 }, (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }));
  });
}


describe('npm run cluster', { timeout: 60_000 }, () => {
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  let serve: ServeProcess;
  let cluster: ChildProcess;
  let stdout = '';
  let stderr = '';
  let readyMs = 0;
  let exited: Promise<number | null>;

  beforeAll(async () => {
    dir = await scratchDir('cluster-cli');
    const { ca, serving } = await makeAdapterCertificate(join(dir.path, 'tls'), { service: 'updraft', namespace: 'updraft' });
    await writeFile(
      join(dir.path, 'worker.yaml'),
      `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: worker, namespace: default }
spec:
  scaleTargetRef: { name: worker }
  pollingInterval: 3600
  triggers:
    - type: constant
      metadata: { value: '42' }
`,
    );
    // --auth=none: this test is about the command; the adapter's security is tested in aggregation.test.ts.
    serve = await startServe(['--config', join(dir.path, 'worker.yaml'), '--plugin', CONSTANT_PLUGIN, '--auth', 'none', '--tls-cert', serving.certFile, '--tls-key', serving.keyFile]);
    const started = Date.now();
    cluster = spawn('npm', ['run', '--silent', 'cluster', '--', '--dir', join(dir.path, 'cluster'), '--adapter', serve.url, '--adapter-ca', ca.certFile], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    exited = new Promise((resolve) => cluster.once('exit', (code) => resolve(code)));
    cluster.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      cluster.stdout!.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolve();
      });
      void exited.then((code) => reject(new Error(`npm run cluster exited with ${code}:\n${stderr}`)));
    });
    readyMs = Date.now() - started;
    console.log(`cluster cli: npm run cluster to the ready line in ${readyMs} ms`);
  }, 180_000);

  afterAll(async () => {
    if (cluster && cluster.exitCode === null) cluster.kill('SIGKILL');
    await serve?.stop();
    await dir?.dispose();
  }, 60_000);

  it('prints exactly one line on stdout, naming DIR/kubeconfig, which the real kubectl uses as cluster-admin', async () => {
    const kubeconfig = join(dir.path, 'cluster', 'kubeconfig');
    expect(stdout).toBe(`ready: KUBECONFIG=${kubeconfig}\n`);
    const namespaces = await kubectl(kubeconfig, join(dir.path, 'kubectl-cache'), ['get', 'ns', '-o', 'name']);
    expect(namespaces.code, namespaces.stderr).toBe(0);
    expect(namespaces.stdout.split('\n')).toEqual(expect.arrayContaining(['namespace/default', 'namespace/kube-system']));
    const whoami = await kubectl(kubeconfig, join(dir.path, 'kubectl-cache'), ['auth', 'can-i', '*', '*']);
    expect(whoami.stdout.trim()).toBe('yes');
    expect(stderr).toMatch(/Kubernetes v1\.\d+\.\d+ \(etcd v3\.\d+\.\d+\) at https:\/\/127\.0\.0\.1:\d+, ready in/);
  });

  it('proxies the seed’s kubectl get --raw through kube-apiserver to updraft serve', async () => {
    const kubeconfig = join(dir.path, 'cluster', 'kubeconfig');
    const cache = join(dir.path, 'kubectl-cache');
    let result = await kubectl(kubeconfig, cache, ['get', '--raw', metricPath('default', 's0-constant', 'worker')]);
    for (let i = 0; i < 100 && result.code !== 0; i += 1) {
      // The aggregator's availability check runs once the APIService exists.
      await new Promise((r) => setTimeout(r, 300));
      result = await kubectl(kubeconfig, cache, ['get', '--raw', metricPath('default', 's0-constant', 'worker')]);
    }
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ items: [{ metricName: 's0-constant', value: '42' }] });
    const apiService = await kubectl(kubeconfig, cache, ['get', 'apiservice', 'v1beta1.external.metrics.k8s.io']);
    expect(apiService.stdout).toMatch(/v1beta1\.external\.metrics\.k8s\.io\s+updraft\/updraft\s+True/);
    expect(existsSync(join(dir.path, 'cluster', 'updraft-updraft.kubeconfig'))).toBe(true);
  });

  it('stops kube-controller-manager, kube-apiserver and etcd on SIGTERM and exits 0', async () => {
    const kubeconfig = join(dir.path, 'cluster', 'kubeconfig');
    const server = /server: (\S+)/.exec(await import('node:fs/promises').then((fs) => fs.readFile(kubeconfig, 'utf8')))![1]!;
    expect(await acceptsConnections(server)).toBe(true);
    cluster.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await acceptsConnections(server)).toBe(false);
    const leftovers = await new Promise<string>((resolve) => execFile('pgrep', ['-f', join(dir.path, 'cluster')], (_error, out) => resolve(out.trim())));
    expect(leftovers).toBe('');
  });

  it('refuses bad arguments with one line', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = execFile(process.execPath, [join(repoRoot, 'scripts', 'cluster.mjs'), ...args], { timeout: 20_000 }, (error, _out, err) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr: err }));
        child.stdin?.end();
      });
    const noDir = await run([]);
    expect(noDir.code).toBe(2);
    expect(noDir.stderr.split('\n')[0]).toBe('cluster: --dir DIR is required');
    const missingCa = await run(['--dir', join(dir.path, 'x'), '--adapter', 'https://127.0.0.1:1', '--adapter-ca', join(dir.path, 'nope.pem')]);
    expect(missingCa.code).toBe(2);
    expect(missingCa.stderr.trim()).toBe(`cluster: --adapter-ca ${join(dir.path, 'nope.pem')}: no such file`);
  });
});
