import { NAMES, secretScope, type InstallOptions } from './install-options.js';
import type { KubeObject } from './kube-object.js';

/** One RBAC rule and why the adapter needs it: the reason is the contract, read by docs and reviews. */
export interface Grant {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames?: readonly string[];
  readonly verbs: readonly string[];
  readonly why: string;
}

const READ = ['get', 'list', 'watch'];

/** Cluster-scoped objects: always granted cluster-wide. */
export function clusterGrants(options: Pick<InstallOptions, 'certManager'>): Grant[] {
  const grants: Grant[] = [
    { apiGroups: ['keda.sh'], resources: ['clustertriggerauthentications'], verbs: READ, why: 'ScaledObjects may authenticate with a ClusterTriggerAuthentication (cluster-scoped)' },
  ];
  if (!options.certManager) {
    grants.push(
      { apiGroups: ['apiregistration.k8s.io'], resources: ['apiservices'], resourceNames: [NAMES.apiService], verbs: ['get', 'patch'], why: "put the adapter's own CA into the external metrics APIService's caBundle (this one APIService only)" },
      { apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingwebhookconfigurations'], resourceNames: [NAMES.webhookConfiguration], verbs: ['get', 'patch'], why: "put the adapter's own CA into its admission webhook's caBundle (this one configuration only)" },
    );
  }
  return grants;
}

/** What the adapter reads and writes where ScaledObjects live: every namespace, or each watched one. */
export const SCALING_GRANTS: readonly Grant[] = [
  { apiGroups: ['keda.sh'], resources: ['scaledobjects', 'triggerauthentications'], verbs: READ, why: 'the ScaledObjects to serve and the TriggerAuthentications they use' },
  { apiGroups: ['keda.sh'], resources: ['scaledobjects'], verbs: ['update', 'patch'], why: "add and remove finalizer.keda.sh and the scaledobject.keda.sh/name label, as KEDA's operator does (metadata only; the spec is the user's)" },
  { apiGroups: ['keda.sh'], resources: ['scaledobjects/status'], verbs: ['get', 'update', 'patch'], why: "write KEDA's status and conditions" },
  { apiGroups: ['keda.sh'], resources: ['scaledobjects/finalizers'], verbs: ['update'], why: 'own the HPA with blockOwnerDeletion (OwnerReferencesPermissionEnforcement asks for this)' },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: [...READ, 'create', 'update', 'delete'], why: 'one HPA per ScaledObject (keda-hpa-<name>), created, kept in shape, and removed with it' },
  { apiGroups: ['*'], resources: ['*/scale'], verbs: ['get', 'update', 'patch'], why: 'read the scale target and scale it 0<->1 (or to idleReplicaCount) through its scale subresource; any kind with /scale can be a target; the workloads themselves are never written' },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['get'], why: "read the scale target's pod template (one GET per target, never a list): <name>FromEnv and TriggerAuthentication env come from its containers' env" },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'], why: "KEDA's events (KEDAScaleTargetActivated, ...) on ScaledObjects, in their namespace (patch: a repeated event's series count)" },
];

export const SECRET_GRANTS: readonly Grant[] = [
  { apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['get'], why: "secretTargetRef and configMapTargetRef of TriggerAuthentications, and env the scale target's pods take from them: one GET of each object used, never a list or watch; only in the namespaces --secret-namespace names" },
];

/** In the adapter's own namespace. */
export function ownNamespaceGrants(options: Pick<InstallOptions, 'certManager'>): Grant[] {
  const grants: Grant[] = [
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'], why: 'leader election of the controller part (one replica owns HPAs, scale and status)' },
  ];
  if (!options.certManager) {
    grants.push(
      { apiGroups: [''], resources: ['secrets'], resourceNames: [NAMES.certificateSecret], verbs: ['get', 'update'], why: 'read and rotate the CA and serving certificate all replicas share' },
      // RBAC cannot restrict create by name: the name is not known before the object exists.
      { apiGroups: [''], resources: ['secrets'], verbs: ['create'], why: 'create that Secret on first start (create cannot be limited to a name)' },
    );
  }
  return grants;
}

const SUBJECT = (options: InstallOptions) => [{ kind: 'ServiceAccount', name: NAMES.adapter, namespace: options.namespace }];

function rules(grants: readonly Grant[]): object[] {
  return grants.map(({ apiGroups, resources, resourceNames, verbs }) => ({ apiGroups, resources, ...(resourceNames ? { resourceNames } : {}), verbs }));
}

/** Every RBAC object `updraft install` prints, in apply order. */
export function rbacObjects(options: InstallOptions, labels: Record<string, string>): KubeObject[] {
  const ns = options.namespace;
  const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}), labels });
  const clusterRole = (name: string, grants: readonly Grant[]): KubeObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(name), rules: rules(grants) });
  const clusterBinding = (name: string, role: string): KubeObject => ({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: meta(name),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role }, subjects: SUBJECT(options),
  });
  const binding = (name: string, namespace: string, kind: 'Role' | 'ClusterRole', role: string): KubeObject => ({
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta(name, namespace),
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role }, subjects: SUBJECT(options),
  });

  const objects: KubeObject[] = [
    clusterRole(NAMES.adapter, clusterGrants(options)),
    clusterBinding(NAMES.adapter, NAMES.adapter),
    clusterRole(`${NAMES.adapter}-scaling`, SCALING_GRANTS),
  ];
  // Watching some namespaces: the same ClusterRole, bound in each of them only.
  if (options.watchNamespaces.length === 0) objects.push(clusterBinding(`${NAMES.adapter}-scaling`, `${NAMES.adapter}-scaling`));
  else for (const watched of options.watchNamespaces) objects.push(binding(`${NAMES.adapter}-scaling`, watched, 'ClusterRole', `${NAMES.adapter}-scaling`));

  objects.push(clusterRole(`${NAMES.adapter}-secrets`, SECRET_GRANTS));
  const secrets = secretScope(options);
  if (secrets === '*') objects.push(clusterBinding(`${NAMES.adapter}-secrets`, `${NAMES.adapter}-secrets`));
  else for (const namespace of secrets) objects.push(binding(`${NAMES.adapter}-secrets`, namespace, 'ClusterRole', `${NAMES.adapter}-secrets`));

  objects.push(
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(NAMES.adapter, ns), rules: rules(ownNamespaceGrants(options)) },
    binding(NAMES.adapter, ns, 'Role', NAMES.adapter),
    // TokenReview and SubjectAccessReview: authenticate and authorize the aggregator's and kubectl's requests.
    clusterBinding(`${NAMES.adapter}:system:auth-delegator`, 'system:auth-delegator'),
    // kube-system/extension-apiserver-authentication: the front-proxy CA and the request-header names.
    binding(`${NAMES.adapter}:extension-apiserver-authentication-reader`, 'kube-system', 'Role', 'extension-apiserver-authentication-reader'),
  );
  return objects;
}
