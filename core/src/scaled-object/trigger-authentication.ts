/** `podIdentity.provider`; `none` means no platform identity. */
export type PodIdentityProvider = 'azure-workload' | 'gcp' | 'aws' | 'aws-eks' | 'none';

/** KEDA's `AuthPodIdentity`: an identity the platform supplies instead of secrets. */
export interface AuthPodIdentity {
  readonly provider: PodIdentityProvider;
  readonly identityId?: string;
  readonly identityTenantId?: string;
  readonly identityAuthorityHost?: string;
  readonly roleArn?: string;
  readonly externalID?: string;
  readonly identityOwner?: 'keda' | 'workload';
}

/** `secretTargetRef[]` and `configMapTargetRef[]`: authParams[parameter] = object `name`, key `key`. */
export interface AuthTargetRef {
  readonly parameter: string;
  readonly name: string;
  readonly key: string;
}

/** `env[]`: authParams[parameter] = env var `name` of the scale target's container. */
export interface AuthEnvironment {
  readonly parameter: string;
  readonly name: string;
  readonly containerName?: string;
}

/** A secret store only a cluster can reach; kept as written, with the parameters it supplies. */
export interface SecretStoreSpec {
  readonly secrets?: readonly ({ readonly parameter: string } & Readonly<Record<string, unknown>>)[];
  readonly [field: string]: unknown;
}

/** `spec` of a TriggerAuthentication or ClusterTriggerAuthentication. */
export interface TriggerAuthenticationSpec {
  readonly podIdentity?: AuthPodIdentity;
  readonly secretTargetRef?: readonly AuthTargetRef[];
  readonly configMapTargetRef?: readonly AuthTargetRef[];
  readonly env?: readonly AuthEnvironment[];
  readonly hashiCorpVault?: SecretStoreSpec;
  readonly azureKeyVault?: SecretStoreSpec;
  readonly gcpSecretManager?: SecretStoreSpec;
  readonly awsSecretManager?: SecretStoreSpec;
  readonly boundServiceAccountToken?: readonly { readonly parameter: string; readonly serviceAccountName: string }[];
  readonly oauth2?: Readonly<Record<string, unknown>>;
  /** ClusterTriggerAuthentication only: a JSON file of parameters on the KEDA pod. */
  readonly filePath?: string;
}

export type TriggerAuthenticationKind = 'TriggerAuthentication' | 'ClusterTriggerAuthentication';

/** A value source the files cannot supply (a secret store, a pod identity); only a cluster resolves it. */
export interface ClusterOnlySource {
  /** The spec field, e.g. `hashiCorpVault`. */
  readonly field: string;
  /** The authParams it would supply. */
  readonly parameters: readonly string[];
}

/** A TriggerAuthentication or ClusterTriggerAuthentication that loaded without errors. */
export interface LoadedTriggerAuthentication {
  readonly kind: TriggerAuthenticationKind;
  /** Undefined for a ClusterTriggerAuthentication, which is cluster-scoped. */
  readonly namespace?: string;
  readonly name: string;
  readonly file: string;
  readonly line: number;
  readonly spec: TriggerAuthenticationSpec;
  /**
   * The authParams resolved from Secrets and ConfigMaps in the files. Secret values: never log them.
   * `env[]` entries are not here: they depend on each ScaledObject's scale target.
   */
  readonly params: Readonly<Record<string, string>>;
  /** Where each of `params` came from, for messages, e.g. `Secret default/prom key "token"`. */
  readonly origins: Readonly<Record<string, string>>;
  /**
   * Parameters whose Secret or ConfigMap is not in the files, with the reason: only the cluster can
   * supply them. Reported by each trigger that reads one (per the `unresolved` load option), not here.
   */
  readonly unresolved: ReadonlyMap<string, string>;
  readonly clusterOnly: readonly ClusterOnlySource[];
}

/** How a TriggerAuthentication is named in messages: `TriggerAuthentication default/x`, `ClusterTriggerAuthentication x`. */
export function triggerAuthenticationLabel(kind: TriggerAuthenticationKind, name: string, namespace?: string): string {
  return kind === 'ClusterTriggerAuthentication' ? `${kind} ${name}` : `${kind} ${namespace}/${name}`;
}
