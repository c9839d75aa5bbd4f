import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { startCluster, type Cluster } from '../harness/cluster.js';
import { createKubeClient } from '../../adapter/src/cluster/kube-client.js';
import { ResilientInformer } from '../../adapter/src/cluster/resilient-informer.js';

// The Kubernetes client against the real kube-apiserver: the informer's cache keeps objects written
// with server-side apply (which fills metadata.managedFields) without managedFields, from the list and
// from the watch; API calls reuse their TLS connections.

const quiet = { info: () => undefined, warn: () => undefined, debug: () => undefined };
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster();
  await cluster.apply('apiVersion: v1\nkind: Namespace\nmetadata: {name: informer}\n');
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

const configMap = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: informer}\ndata: {value: "${value}"}\n`;

async function serverSideApply(manifest: string): Promise<void> {
  const result = await cluster.kubectl(['apply', '--server-side', '-f', '-'], { input: manifest });
  expect(result.code, result.stderr).toBe(0);
}

describe('ResilientInformer', () => {
  it('keeps objects without managedFields, from the list and from the watch', async () => {
    await serverSideApply(configMap('listed'));
    const kube = createKubeClient({ kubeconfig: cluster.kubeconfig });
    const fromApi = await kube.core.readNamespacedConfigMap({ name: 'settings', namespace: 'informer' });
    expect(fromApi.metadata?.managedFields?.length).toBeGreaterThan(0);

    const informer = new ResilientInformer<V1ConfigMap>(
      kube.config,
      { what: 'configmaps in namespace informer', path: '/api/v1/namespaces/informer/configmaps', list: () => kube.core.listNamespacedConfigMap({ namespace: 'informer' }) },
      quiet,
    );
    const updates: V1ConfigMap[] = [];
    informer.on('update', (object) => updates.push(object));
    informer.start();
    try {
      await informer.synced();
      const listed = informer.get('settings', 'informer');
      expect(listed?.data).toEqual({ value: 'listed' });
      expect(listed?.metadata).not.toHaveProperty('managedFields');
      expect(listed?.metadata?.resourceVersion).toBe(fromApi.metadata?.resourceVersion);

      await serverSideApply(configMap('watched'));
      await expect.poll(() => informer.get('settings', 'informer')?.data?.value, { timeout: 20_000 }).toBe('watched');
      expect(informer.get('settings', 'informer')?.metadata).not.toHaveProperty('managedFields');
      expect(updates.at(-1)?.metadata).not.toHaveProperty('managedFields');
    } finally {
      informer.stop();
    }
  }, 60_000);
});

describe('KubeClient', () => {
  it('reuses its connections: ten calls in a row after the first open no new one', async () => {
    const kube = createKubeClient({ kubeconfig: cluster.kubeconfig });
    await kube.core.readNamespace({ name: 'informer' });
    const reused: boolean[] = [];
    const finished = (message: unknown) => reused.push((message as { request: ClientRequest }).request.reusedSocket);
    subscribe('http.client.response.finish', finished);
    try {
      for (let i = 0; i < 10; i++) await kube.core.readNamespace({ name: 'informer' });
    } finally {
      unsubscribe('http.client.response.finish', finished);
    }
    expect(reused).toEqual(Array.from({ length: 10 }, () => true));
  });
});
