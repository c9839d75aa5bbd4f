import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { acceptsConnections } from '../harness/process.js';
import { eventually } from '../serve/serve-process.js';

// The harness other tests build on: what startCluster promises beyond "the API server answers".
// A restart of kube-apiserver keeps etcd's data and kube-controller-manager, and ends open watches
// (what watch-resumption tests need); stop() leaves no process and no scratch folder behind.


/** Opens a watch on ConfigMaps in default as cluster-admin; resolves `ended` when the server closes it. */
function watchConfigMaps(cluster: Cluster): Promise<{ ended: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${cluster.server}/api/v1/namespaces/default/configmaps?watch=true`, { ca: cluster.pki.clusterCa.cert, cert: cluster.pki.admin.cert, key: cluster.pki.admin.key, agent: false }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`watch: HTTP ${res.statusCode}`));
      res.resume();
      resolve({ ended: new Promise((r) => { res.once('end', () => r('end')); res.once('error', () => r('error')); res.once('aborted', () => r('aborted')); }) });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('startCluster', { timeout: 90_000 }, () => {
  let cluster: Cluster;
  let unexpected: string | undefined;

  beforeAll(async () => {
    cluster = await startCluster();
    void cluster.unexpectedExit.then((why) => (unexpected = why));
  }, 180_000);

  afterAll(() => cluster?.stop(), 60_000);

  it('runs Kubernetes from the cache, with the versions it was built at', async () => {
    expect(cluster.versions.kubernetes).toMatch(/^v1\.\d+\.\d+$/);
    expect(cluster.versions.etcd).toMatch(/^v3\.\d+\.\d+$/);
    const version = (await cluster.request<{ gitVersion: string }>('GET', '/version')).json();
    expect(version.gitVersion).toBe(cluster.versions.kubernetes);
    const result = await cluster.kubectl(['get', 'serviceaccount', 'default', '-o', 'name']);
    expect(result).toMatchObject({ code: 0, stdout: 'serviceaccount/default\n' });
  });

  it('restarts kube-apiserver on the same port: watches end, etcd keeps the objects, the controllers keep working', async () => {
    await cluster.apply('apiVersion: v1\nkind: ConfigMap\nmetadata: { name: before-restart, namespace: default }\ndata: { kept: "yes" }\n');
    const watch = await watchConfigMaps(cluster);
    await cluster.restartApiServer({ downMs: 500 });
    expect(await watch.ended).toBeTruthy();
    const kept = await cluster.request<{ data: { kept: string } }>('GET', '/api/v1/namespaces/default/configmaps/before-restart');
    expect(kept.status).toBe(200);
    expect(kept.json().data.kept).toBe('yes');
    // kube-controller-manager reconnected: a Deployment made after the restart gets its ReplicaSet.
    await cluster.apply(`apiVersion: apps/v1
kind: Deployment
metadata: { name: after-restart, namespace: default }
spec:
  replicas: 2
  selector: { matchLabels: { app: after-restart } }
  template:
    metadata: { labels: { app: after-restart } }
    spec: { containers: [{ name: app, image: registry.invalid/none }] }
`);
    await eventually('the ReplicaSet controller to make 2 pods after the restart', async () => {
      const pods = (await cluster.request<{ items: unknown[] }>('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dafter-restart')).json();
      return pods.items.length === 2 ? true : undefined;
    }, 60_000);
    expect(unexpected).toBeUndefined();
  });

  it('stop() ends every component and removes its scratch folder', async () => {
    const { server, dir } = cluster;
    await cluster.stop();
    expect(await acceptsConnections(server)).toBe(false);
    expect(existsSync(dir)).toBe(false);
    const leftovers = await new Promise<string>((resolve) => execFile('pgrep', ['-f', dir], (_error, out) => resolve(out.trim())));
    expect(leftovers).toBe('');
    expect(unexpected).toBeUndefined();
  });
});
