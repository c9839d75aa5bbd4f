import { ADAPTER_VERSION, NAMES, type InstallOptions } from './install-options.js';
import type { KubeObject } from './kube-object.js';
import { rbacObjects } from './rbac.js';

/** The ports of `updraft serve` in the pod. */
export const PORTS = { https: 6443, metrics: 8080 } as const;

/** The paths the admission webhook answers on the adapter's HTTPS port. */
export const WEBHOOK_PATHS = {
  ScaledObject: '/validate/keda.sh/v1alpha1/scaledobjects',
  TriggerAuthentication: '/validate/keda.sh/v1alpha1/triggerauthentications',
  ClusterTriggerAuthentication: '/validate/keda.sh/v1alpha1/clustertriggerauthentications',
} as const;

export const CERT_MANAGER = {
  issuer: 'updraft-selfsigned',
  caCertificate: 'updraft-ca',
  caIssuer: 'updraft-ca',
  servingCertificate: 'updraft-serving',
  caSecret: 'updraft-ca',
} as const;

const SELECTOR = { 'app.kubernetes.io/name': NAMES.app } as const;

export function commonLabels(): Record<string, string> {
  return { 'app.kubernetes.io/name': NAMES.app, 'app.kubernetes.io/part-of': NAMES.app, 'app.kubernetes.io/version': ADAPTER_VERSION };
}

/** `updraft serve`'s command line in the pod. */
export function serveArgs(options: InstallOptions): string[] {
  return [
    'serve',
    '--source=kubernetes',
    ...(options.watchNamespaces.length > 0 ? [`--watch-namespace=${options.watchNamespaces.join(',')}`] : []),
    ...(options.watchLabelSelector ? [`--watch-label-selector=${options.watchLabelSelector}`] : []),
    // Every replica serves the metrics API; the one holding the Lease runs the controller.
    '--controller=true',
    '--metrics-api=true',
    '--leader-elect=true',
    `--leader-elect-id=${NAMES.lease}`,
    '--auth=kubernetes',
    `--service=${NAMES.adapter}`,
    ...(options.certManager
      ? ['--tls-cert=/etc/updraft/tls/tls.crt', '--tls-key=/etc/updraft/tls/tls.key']
      : [`--cert-secret=${NAMES.certificateSecret}`, `--cert-apiservice=${NAMES.apiService}`, `--cert-webhook=${NAMES.webhookConfiguration}`]),
    `--port=${PORTS.https}`,
    `--metrics-port=${PORTS.metrics}`,
  ];
}

/**
 * Everything a cluster needs, in apply order (namespace and RBAC before the Deployment, the Service
 * before the APIService and the webhook that point at it). The CRDs come first, from deploy/crds.
 */
export function installObjects(options: InstallOptions, crds: readonly KubeObject[]): KubeObject[] {
  const labels = commonLabels();
  const ns = options.namespace;
  const meta = (name: string, extra: { namespace?: string; annotations?: Record<string, string> } = {}) => ({
    name,
    ...(extra.namespace ? { namespace: extra.namespace } : {}),
    labels,
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
  });
  const caInjection = options.certManager ? { annotations: { 'cert-manager.io/inject-ca-from': `${ns}/${CERT_MANAGER.servingCertificate}` } } : {};

  const objects: KubeObject[] = [
    ...crds,
    { apiVersion: 'v1', kind: 'Namespace', metadata: meta(ns) },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(NAMES.adapter, { namespace: ns }) },
    ...rbacObjects(options, labels),
  ];
  if (options.certManager) objects.push(...certManagerObjects(options, meta));
  objects.push(
    deployment(options, meta(NAMES.adapter, { namespace: ns })),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(NAMES.adapter, { namespace: ns }),
      spec: {
        selector: SELECTOR,
        ports: [
          { name: 'https', port: 443, targetPort: 'https', protocol: 'TCP' },
          { name: 'metrics', port: PORTS.metrics, targetPort: 'metrics', protocol: 'TCP' },
        ],
      },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(NAMES.adapter, { namespace: ns }),
      // One replica may go at a time; with a single replica, a drain is not blocked forever.
      spec: { maxUnavailable: 1, selector: { matchLabels: SELECTOR } },
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: meta(NAMES.apiService, caInjection),
      // No caBundle here: the adapter writes it (or cert-manager's cainjector), so re-applying leaves it alone.
      spec: {
        group: 'external.metrics.k8s.io',
        version: 'v1beta1',
        service: { name: NAMES.adapter, namespace: ns, port: 443 },
        groupPriorityMinimum: 100,
        versionPriority: 100,
      },
    },
    webhookConfiguration(options, meta(NAMES.webhookConfiguration, caInjection)),
  );
  return objects;
}

function deployment(options: InstallOptions, metadata: KubeObject['metadata']): KubeObject {
  const podLabels = { ...metadata.labels };
  const probe = (path: string, extra: object) => ({ httpGet: { path, port: 'https', scheme: 'HTTPS' }, ...extra });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata,
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: SELECTOR },
      // Never fewer serving replicas than asked for during a rollout: the APIService must stay Available.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: podLabels },
        spec: {
          serviceAccountName: NAMES.adapter,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: SELECTOR } } },
              ],
            },
          },
          containers: [
            {
              name: 'adapter',
              image: options.image,
              args: serveArgs(options),
              env: [
                { name: 'UPDRAFT_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'UPDRAFT_SERVICE_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                { name: 'UPDRAFT_LOG_FORMAT', value: 'json' },
              ],
              ports: [
                { name: 'https', containerPort: PORTS.https, protocol: 'TCP' },
                { name: 'metrics', containerPort: PORTS.metrics, protocol: 'TCP' },
              ],
              readinessProbe: probe('/readyz', { periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 }),
              livenessProbe: probe('/livez', { initialDelaySeconds: 10, periodSeconds: 10, timeoutSeconds: 3, failureThreshold: 6 }),
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              volumeMounts: [
                { name: 'tmp', mountPath: '/tmp' },
                ...(options.certManager ? [{ name: 'tls', mountPath: '/etc/updraft/tls', readOnly: true }] : []),
              ],
            },
          ],
          volumes: [
            { name: 'tmp', emptyDir: {} },
            ...(options.certManager ? [{ name: 'tls', secret: { secretName: NAMES.certificateSecret } }] : []),
          ],
        },
      },
    },
  };
}

function webhookConfiguration(options: InstallOptions, metadata: KubeObject['metadata']): KubeObject {
  const webhook = (kind: keyof typeof WEBHOOK_PATHS, resource: string, scope: 'Namespaced' | 'Cluster') => ({
    name: `${resource}.validation.updraft.dev`,
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy: options.webhookFailurePolicy,
    matchPolicy: 'Equivalent',
    timeoutSeconds: 10,
    clientConfig: { service: { name: NAMES.adapter, namespace: options.namespace, path: WEBHOOK_PATHS[kind], port: 443 } },
    rules: [{ apiGroups: ['keda.sh'], apiVersions: ['v1alpha1'], operations: ['CREATE', 'UPDATE'], resources: [resource], scope }],
    ...(scope === 'Namespaced' && options.watchNamespaces.length > 0
      ? { namespaceSelector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...options.watchNamespaces] }] } }
      : {}),
  });
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingWebhookConfiguration',
    metadata,
    webhooks: [
      webhook('ScaledObject', 'scaledobjects', 'Namespaced'),
      webhook('TriggerAuthentication', 'triggerauthentications', 'Namespaced'),
      webhook('ClusterTriggerAuthentication', 'clustertriggerauthentications', 'Cluster'),
    ],
  };
}

/** A self-signed issuer makes a CA; the CA issues the serving certificate into the Secret the pod mounts. */
function certManagerObjects(options: InstallOptions, meta: (name: string, extra?: { namespace?: string }) => KubeObject['metadata']): KubeObject[] {
  const ns = options.namespace;
  return [
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: meta(CERT_MANAGER.issuer, { namespace: ns }), spec: { selfSigned: {} } },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: meta(CERT_MANAGER.caCertificate, { namespace: ns }),
      spec: {
        isCA: true,
        commonName: 'updraft-ca',
        secretName: CERT_MANAGER.caSecret,
        duration: '87600h',
        privateKey: { algorithm: 'ECDSA', size: 256 },
        issuerRef: { name: CERT_MANAGER.issuer, kind: 'Issuer' },
      },
    },
    { apiVersion: 'cert-manager.io/v1', kind: 'Issuer', metadata: meta(CERT_MANAGER.caIssuer, { namespace: ns }), spec: { ca: { secretName: CERT_MANAGER.caSecret } } },
    {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: meta(CERT_MANAGER.servingCertificate, { namespace: ns }),
      spec: {
        secretName: NAMES.certificateSecret,
        dnsNames: [`${NAMES.adapter}.${ns}.svc`, `${NAMES.adapter}.${ns}.svc.cluster.local`],
        // As KEDA's chart: a year, renewed 8 months before it ends.
        duration: '8760h',
        renewBefore: '5840h',
        privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always' },
        usages: ['server auth'],
        issuerRef: { name: CERT_MANAGER.caIssuer, kind: 'Issuer' },
      },
    },
  ];
}
