import type { ClusterObjects, DataObject, IndexedObject } from './cluster-objects.js';
import type { ObjectReporter } from './diagnostic-collector.js';
import type { ObjectPath } from './object-path.js';
import { validateStructure } from './schema-validation.js';
import {
  triggerAuthenticationLabel,
  type AuthTargetRef,
  type ClusterOnlySource,
  type LoadedTriggerAuthentication,
  type TriggerAuthenticationKind,
  type TriggerAuthenticationSpec,
} from './trigger-authentication.js';

/** The secret stores and identities whose values only a cluster can produce. */
const CLUSTER_ONLY: readonly { field: keyof TriggerAuthenticationSpec; name: string }[] = [
  { field: 'hashiCorpVault', name: 'HashiCorp Vault' },
  { field: 'azureKeyVault', name: 'Azure Key Vault' },
  { field: 'gcpSecretManager', name: 'GCP Secret Manager' },
  { field: 'awsSecretManager', name: 'AWS Secrets Manager' },
  { field: 'boundServiceAccountToken', name: 'a bound service account token' },
  { field: 'oauth2', name: 'an OAuth2 token endpoint' },
  { field: 'filePath', name: 'a file on the KEDA pod' },
];

/**
 * Validates a TriggerAuthentication or ClusterTriggerAuthentication and resolves what the files can
 * supply: `secretTargetRef` and `configMapTargetRef` (KEDA applies configMaps first, then secrets,
 * so a secret wins on a shared parameter). A Secret or ConfigMap that is not in the files leaves its
 * parameter unresolved; a missing key of one that is, is an error. Undefined when the document has errors.
 */
export function loadTriggerAuthentication(indexed: IndexedObject, objects: ClusterObjects, kedaNamespace: string): LoadedTriggerAuthentication | undefined {
  const kind = indexed.kind as TriggerAuthenticationKind;
  const { object, reporter } = indexed;
  if (validateStructure(kind, object, reporter).length > 0 || indexed.name === undefined) return undefined;
  const spec = object.value.spec as TriggerAuthenticationSpec;
  checkKedaRules(kind, spec, reporter);

  // KEDA resolves a ClusterTriggerAuthentication's Secrets and ConfigMaps in its own namespace.
  const cluster = kind === 'ClusterTriggerAuthentication';
  const lookupNamespace = cluster ? kedaNamespace : indexed.namespace!;
  const label = triggerAuthenticationLabel(kind, indexed.name, indexed.namespace);
  const params: Record<string, string> = {};
  const origins: Record<string, string> = {};
  const unresolved = new Map<string, string>();
  const refs: readonly ['configMapTargetRef' | 'secretTargetRef', 'ConfigMap' | 'Secret'][] = [['configMapTargetRef', 'ConfigMap'], ['secretTargetRef', 'Secret']];
  for (const [field, dataKind] of refs) {
    (spec[field] ?? []).forEach((ref: AuthTargetRef, index: number) => {
      const path: ObjectPath = ['spec', field, index];
      const found: DataObject | undefined = dataKind === 'Secret' ? objects.secret(lookupNamespace, ref.name) : objects.configMap(lookupNamespace, ref.name);
      if (!found) {
        // An object that is not in the files may well be in the cluster. It is reported once, by each
        // trigger that reads the parameter (at its authenticationRef, with the `unresolved` severity),
        // not here as well: this document is fine, and a parameter no trigger reads does not matter.
        const where = cluster ? `; KEDA reads a ClusterTriggerAuthentication's ${dataKind}s in its own namespace, ${kedaNamespace}` : '';
        unresolved.set(ref.parameter, `${dataKind} ${lookupNamespace}/${ref.name} is not in these files; only the cluster can supply it (${field}[${index}] of ${label}${where})`);
        delete params[ref.parameter];
        delete origins[ref.parameter];
        return;
      }
      const value = found.data.get(ref.key);
      if (value === undefined) {
        // The files hold this object, so they are wrong: the cluster would not have the key either.
        const keys = [...found.data.keys()];
        reporter.error([...path, 'key'], `${found.label} has no key ${JSON.stringify(ref.key)}${keys.length > 0 ? `; its keys: ${keys.join(', ')}` : '; it has no data'}`);
        return;
      }
      // Later entries win, as in KEDA: secretTargetRef over configMapTargetRef.
      params[ref.parameter] = value;
      origins[ref.parameter] = `${found.label} key ${JSON.stringify(ref.key)}`;
      unresolved.delete(ref.parameter);
    });
  }

  const clusterOnly: ClusterOnlySource[] = [];
  for (const { field, name } of CLUSTER_ONLY) {
    const value = spec[field];
    if (value === undefined) continue;
    const parameters = clusterOnlyParameters(field, value);
    clusterOnly.push({ field, parameters });
    const supplies = parameters.length > 0 ? ` (parameters ${parameters.join(', ')})` : '';
    reporter.warning(['spec', field], `values from ${name}${supplies} can only be resolved in a cluster; Updraft's file source cannot reach them`, { anchor: 'key' });
  }
  // aws means the adapter's own AWS identity, which a file-sourced adapter has too; the others are the cluster's.
  if (spec.podIdentity && spec.podIdentity.provider !== 'none' && spec.podIdentity.provider !== 'aws' && spec.podIdentity.provider !== 'aws-eks') {
    clusterOnly.push({ field: 'podIdentity', parameters: [] });
    reporter.warning(['spec', 'podIdentity', 'provider'], `pod identity ${spec.podIdentity.provider} can only be resolved in a cluster; Updraft's file source cannot use it`);
  }

  if (reporter.errors > 0) return undefined;
  const start = object.start();
  return {
    kind,
    ...(indexed.namespace !== undefined ? { namespace: indexed.namespace } : {}),
    name: indexed.name,
    file: object.file,
    line: start.line,
    spec,
    params,
    origins,
    unresolved,
    clusterOnly,
  };
}

function clusterOnlyParameters(field: keyof TriggerAuthenticationSpec, value: unknown): string[] {
  if (field === 'boundServiceAccountToken') return (value as { parameter: string }[]).map((entry) => entry.parameter);
  if (field === 'oauth2' || field === 'filePath') return [];
  const secrets = (value as { secrets?: { parameter: string }[] }).secrets ?? [];
  return secrets.map((secret) => secret.parameter);
}

/** KEDA's TriggerAuthentication webhook rules (triggerauthentication_webhook.go). */
function checkKedaRules(kind: TriggerAuthenticationKind, spec: TriggerAuthenticationSpec, reporter: ObjectReporter): void {
  if (kind === 'TriggerAuthentication' && spec.filePath !== undefined) {
    reporter.error(['spec', 'filePath'], 'filePath is only supported for ClusterTriggerAuthentication', { anchor: 'key' });
  }
  const identity = spec.podIdentity;
  const at = (field: string): ObjectPath => ['spec', 'podIdentity', field];
  if (identity?.provider === 'azure-workload') {
    if (identity.identityId === '') reporter.error(at('identityId'), 'identityId of PodIdentity should not be empty. If it\'s set, identityId has to be different than ""');
    if (identity.identityAuthorityHost) {
      if (!identity.identityTenantId) reporter.error(at('identityAuthorityHost'), 'identityTenantId of PodIdentity should not be nil or empty when identityAuthorityHost of PodIdentity is set');
    } else if (identity.identityTenantId === '') {
      reporter.error(at('identityTenantId'), 'identityTenantId of PodIdentity should not be empty. If it\'s set, identityTenantId has to be different than ""');
    }
  }
  if (identity?.provider === 'aws') {
    if (identity.roleArn && identity.identityOwner === 'workload') reporter.error(at('roleArn'), "roleArn of PodIdentity can't be set if KEDA isn't identityOwner");
    if (identity.externalID && !identity.roleArn) reporter.error(at('externalID'), 'externalID of PodIdentity requires roleArn to be set');
  }
  const tokenUrl = spec.oauth2?.tokenUrl;
  if (typeof tokenUrl === 'string' && !/^https?:\/\/[^/]+/.test(tokenUrl)) {
    reporter.error(['spec', 'oauth2', 'tokenUrl'], 'oauth2.tokenUrl must be a valid http or https URL');
  }
}
