import { PatchStrategy } from '@kubernetes/client-node';
import { describeKubeError, isConflict, isNotFound, type KubeClient } from '../cluster/kube-client.js';
import { ConflictError, type CABundleTarget, type CertificateSecretStore, type StoredSecret } from './self-managed-certificates.js';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const unb64 = (text: string | undefined) => (text ? Buffer.from(text, 'base64').toString('utf8') : '');

function decoded(secret: { data?: Record<string, string>; metadata?: { resourceVersion?: string } }): StoredSecret {
  return { data: Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, unb64(value)])), resourceVersion: secret.metadata?.resourceVersion ?? '' };
}

/** `serve --cert-secret`: the Secret in the adapter's namespace that every replica shares (RBAC: get, update by name; create). */
export function kubernetesSecretStore(kube: KubeClient, namespace: string, name: string): CertificateSecretStore {
  const label = `${namespace}/${name}`;
  const body = (data: Record<string, string>, resourceVersion?: string) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/name': 'updraft', 'app.kubernetes.io/component': 'serving-certificate' }, ...(resourceVersion ? { resourceVersion } : {}) },
    data: Object.fromEntries(Object.entries(data).map(([key, value]) => [key, b64(value)])),
  });
  return {
    label,
    async read() {
      try {
        return decoded(await kube.core.readNamespacedSecret({ namespace, name }));
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw new Error(describeKubeError(error, `GET secret ${label}`), { cause: error });
      }
    },
    async create(data) {
      try {
        return decoded(await kube.core.createNamespacedSecret({ namespace, body: body(data) }));
      } catch (error) {
        if (isConflict(error)) throw new ConflictError(`secret ${label} exists already`);
        throw new Error(describeKubeError(error, `POST secret ${label}`), { cause: error });
      }
    },
    async replace(data, resourceVersion) {
      try {
        return decoded(await kube.core.replaceNamespacedSecret({ namespace, name, body: body(data, resourceVersion) }));
      } catch (error) {
        if (isConflict(error)) throw new ConflictError(`secret ${label} changed since it was read`);
        throw new Error(describeKubeError(error, `PUT secret ${label}`), { cause: error });
      }
    },
  };
}

type Caller = (what: string, call: () => Promise<unknown>) => Promise<unknown>;
const call: Caller = async (what, run) => {
  try {
    return await run();
  } catch (error) {
    throw new Error(describeKubeError(error, what), { cause: error });
  }
};

/** The caBundle of an APIService (RBAC: get, patch of this name only). */
export function apiServiceTarget(kube: KubeClient, name: string): CABundleTarget {
  const header = { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name } };
  return {
    label: `apiservice ${name}`,
    async read() {
      const object = (await call(`GET apiservice ${name}`, () => kube.objects.read(header))) as { spec?: { caBundle?: string } };
      return unb64(object.spec?.caBundle);
    },
    async write(pem) {
      await call(`PATCH apiservice ${name}`, () => kube.objects.patch({ ...header, spec: { caBundle: b64(pem) } } as never, undefined, undefined, 'updraft', undefined, PatchStrategy.MergePatch));
    },
  };
}

/** The caBundle of every webhook of a ValidatingWebhookConfiguration (RBAC: get, patch of this name only). */
export function webhookConfigurationTarget(kube: KubeClient, name: string): CABundleTarget {
  const header = { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name } };
  type Config = { webhooks?: { name: string; clientConfig?: { caBundle?: string } }[] };
  const get = async () => (await call(`GET validatingwebhookconfiguration ${name}`, () => kube.objects.read(header))) as Config;
  return {
    label: `validatingwebhookconfiguration ${name}`,
    async read() {
      const bundles = [...new Set((await get()).webhooks?.map((webhook) => unb64(webhook.clientConfig?.caBundle)) ?? [])];
      // Webhooks that disagree read as '' so that the next write sets every one of them.
      return bundles.length === 1 ? bundles[0]! : '';
    },
    async write(pem) {
      const webhooks = (await get()).webhooks ?? [];
      // Strategic merge: `webhooks` merges by name, so only each caBundle changes.
      await call(`PATCH validatingwebhookconfiguration ${name}`, () =>
        kube.objects.patch({ ...header, webhooks: webhooks.map((webhook) => ({ name: webhook.name, clientConfig: { caBundle: b64(pem) } })) } as never, undefined, undefined, 'updraft', undefined, PatchStrategy.StrategicMergePatch),
      );
    },
  };
}
