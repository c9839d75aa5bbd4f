import type { ReadApiService } from './external-metrics-owner.js';

/**
 * The APIService reader of `updraft install`'s KEDA check, through --kubeconfig (else $KUBECONFIG, else a pod's
 * service account: adapter/src/cluster/kube-client.ts); undefined when no cluster is configured, so that
 * `updraft install` on a laptop without one still prints. A kubeconfig that is given but unusable is an error.
 */
export async function connectForInstall(kubeconfig: string | undefined): Promise<{ readApiService: ReadApiService; close(): void } | undefined> {
  const { createKubeClient, isNotFound } = await import('../cluster/kube-client.js');
  let kube;
  try {
    kube = createKubeClient(kubeconfig ? { kubeconfig } : {});
  } catch (error) {
    if (!kubeconfig && (error as Error).message.startsWith('no Kubernetes API')) return undefined;
    throw error;
  }
  const readApiService: ReadApiService = async (name) => {
    try {
      return await kube.objects.read({ apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name } });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
  return { readApiService, close() {} };
}
