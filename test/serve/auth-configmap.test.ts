import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeKubePki, startKubeApiServer, type KubeApiServer, type KubePki } from '../harness/kube-api-server.js';
import { scratchDir } from '../harness/process.js';
import { CONSTANT_PLUGIN, eventually, httpsGet, metricPath, startServe, type ServeProcess } from './serve-process.js';

// What a real kube-apiserver cannot be made to do, so a hand-written one (test/harness/kube-api-server.ts)
// stands in: a kube-system/extension-apiserver-authentication ConfigMap that is missing, then appears,
// then changes its allowed names. kube-apiserver always publishes that ConfigMap from its own flags and
// puts it back when it is deleted or edited. Everything else about --auth=kubernetes is tested against
// the real API server (auth.test.ts, ../cluster/aggregation.test.ts).

const scaledObject = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: worker
  namespace: default
spec:
  scaleTargetRef:
    name: worker
  pollingInterval: 3600
  triggers:
    - type: constant
      metadata:
        value: '4'
`;

describe('updraft serve --auth=kubernetes while the authentication ConfigMap comes and changes', () => {
  let pki: KubePki;
  let kube: KubeApiServer;
  let server: ServeProcess;
  let dir: Awaited<ReturnType<typeof scratchDir>>;
  const metric = metricPath('default', 's0-constant', 'worker');
  const asAggregator = (cert: { cert: string; key: string }) => ({ cert: cert.cert, key: cert.key, headers: { 'x-remote-user': 'system:kube-aggregator', 'x-remote-group': 'system:masters' } });

  beforeAll(async () => {
    pki = await makeKubePki();
    kube = await startKubeApiServer({ pki, adapterToken: 'updraft-adapter-token' });
    kube.setConfigMap(undefined);
    dir = await scratchDir('serve-auth-configmap');
    await writeFile(join(dir.path, 'worker.yaml'), scaledObject);
    const kubeconfig = await kube.writeKubeconfig(dir.path);
    server = await startServe(['--config', join(dir.path, 'worker.yaml'), '--plugin', CONSTANT_PLUGIN, '--kubeconfig', kubeconfig], { UPDRAFT_RESCAN_INTERVAL_MS: '300' });
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
    await kube?.stop();
    await dir?.dispose();
  });

  it('trusts no front proxy while the ConfigMap is missing, and says why on /readyz and in its log', async () => {
    // Still ready: discovery answered 401 is better for the aggregator than no answer at all.
    const ready = await httpsGet(`${server.url}/readyz?verbose`);
    expect(ready.status).toBe(200);
    expect(ready.body).toContain('[+]authentication ok (1 problem):');
    expect(ready.body).toContain('the ConfigMap does not exist');
    expect((await httpsGet(`${server.url}${metric}`, asAggregator(pki.frontProxyClient))).status).toBe(401);
    expect(server.logs().find((line) => line.level === 'error')?.msg).toContain('cannot read the client certificate authorities');
  });

  it('picks the ConfigMap up when it appears, without a restart', async () => {
    kube.setConfigMap(kube.configMapData());
    const answer = await eventually('the front proxy to be trusted', async () => {
      const got = await httpsGet(`${server.url}${metric}`, asAggregator(pki.frontProxyClient));
      return got.status === 200 ? got : undefined;
    });
    expect((await httpsGet(`${server.url}/readyz?verbose`)).body).toContain('[+]authentication ok\n');
    expect(answer.json()).toMatchObject({ items: [{ metricName: 's0-constant', value: '4' }] });
    expect((await httpsGet(`${server.url}${metric}`, asAggregator(pki.frontProxyWrongName))).status).toBe(401);
  });

  it('follows a change of requestheader-allowed-names: an empty list lets any CN the front-proxy CA signed vouch', async () => {
    kube.setConfigMap({ ...kube.configMapData(), 'requestheader-allowed-names': '[]' });
    await eventually('the wrong name to be accepted', async () => ((await httpsGet(`${server.url}${metric}`, asAggregator(pki.frontProxyWrongName))).status === 200 ? true : undefined));
    // Still only that CA, and still only for client authentication.
    expect((await httpsGet(`${server.url}${metric}`, asAggregator(pki.rogueFrontProxy))).status).toBe(401);
    expect((await httpsGet(`${server.url}${metric}`, asAggregator(pki.frontProxyServerAuthOnly))).status).toBe(401);
  });
});
