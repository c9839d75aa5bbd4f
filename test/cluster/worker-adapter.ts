import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cluster } from '../harness/cluster.js';
import { makeAdapterCertificate, type CertificateFiles } from '../harness/cluster-pki.js';
import { startServe, type ServeProcess } from '../serve/serve-process.js';

/**
 * The seed's walkthrough adapter: `updraft serve --auth=kubernetes` serving the ScaledObject default/worker
 * (a Redis list `jobs`, polled every second), registered behind the cluster's real aggregator as
 * updraft/updraft. Returns the process and the CA that signed its serving certificate.
 */
export async function serveWorkerBehindAggregator(
  cluster: Cluster,
  dir: string,
  redis: { readonly port: number; readonly listLength: number },
): Promise<{ serve: ServeProcess; ca: CertificateFiles }> {
  const { ca, serving } = await makeAdapterCertificate(join(dir, 'tls'), { service: 'updraft', namespace: 'updraft' });
  await writeFile(
    join(dir, 'worker.yaml'),
    `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: worker
  namespace: default
spec:
  scaleTargetRef:
    name: worker
  pollingInterval: 1
  triggers:
    - type: redis
      metadata:
        address: 127.0.0.1:${redis.port}
        listName: jobs
        listLength: '${redis.listLength}'
`,
  );
  const kubeconfig = await cluster.adapterKubeconfig({ namespace: 'updraft', serviceAccount: 'updraft' });
  const serve = await startServe(['--config', join(dir, 'worker.yaml'), '--auth', 'kubernetes', '--kubeconfig', kubeconfig, '--tls-cert', serving.certFile, '--tls-key', serving.keyFile, '--log-level', 'debug']);
  await cluster.registerAdapter({ url: serve.url, caPem: ca.cert, namespace: 'updraft', service: 'updraft' });
  return { serve, ca };
}
