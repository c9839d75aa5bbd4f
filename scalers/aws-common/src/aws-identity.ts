import { p, type Infer, type MetadataRule, type PodIdentity } from '@updraft/core/metadata';

/**
 * The AWS identity parameters every AWS trigger takes, declared once (KEDA
 * `pkg/scalers/aws/aws_common.go` `GetAwsAuthorization`, plus the `awsRegion` and `awsEndpoint`
 * tags both AWS scalers carry). Spread them into a scaler's declaration with `awsIdentityRule`.
 */
export const awsIdentityParams = {
  awsRegion: p
    .string()
    .required()
    .from('triggerMetadata', 'authParams')
    .describe('AWS region of the resource, e.g. `eu-west-1`.'),
  awsEndpoint: p.url().describe('Endpoint that replaces the AWS default, e.g. `http://localhost:4566` for an emulator.'),
  identityOwner: p
    .enum(['pod', 'operator'])
    .default('pod')
    .describe(
      'Whose AWS identity reads the metric. `pod`: the role or static keys the trigger is given, one of which is required. `operator`: the adapter\'s own identity (the AWS SDK default chain), optionally assuming `awsRoleArn`.',
    ),
  awsRoleArn: p.string().from('authParams').describe('IAM role to assume; takes priority over static keys.'),
  awsExternalId: p
    .string()
    .alias('awsExternalID')
    .from('authParams')
    .describe('External ID for assuming `awsRoleArn` (the role\'s trust policy may require it); ignored without `awsRoleArn`.'),
  awsAccessKeyID: p
    .string()
    .alias('awsAccessKeyId')
    .from('authParams', 'triggerMetadata', 'resolvedEnv')
    .secret()
    .describe('Access key ID of static credentials. Needs `awsSecretAccessKey`.'),
  awsSecretAccessKey: p
    .string()
    .from('authParams', 'resolvedEnv')
    .secret()
    .describe('Secret access key of static credentials: from a TriggerAuthentication, or `awsSecretAccessKeyFromEnv`, never plain metadata.'),
  awsSessionToken: p
    .string()
    .from('authParams', 'resolvedEnv')
    .secret()
    .describe('Session token, for temporary static credentials.'),
};

/** The parsed AWS identity parameters, as every AWS scaler's metadata holds them. */
export type AwsIdentityMetadata = Infer<typeof awsIdentityParams>;

/**
 * Which credentials an AWS trigger uses, decided exactly in KEDA's priority order. The credential
 * cache keys on it, so two triggers with equal identities share one client.
 */
export type AwsIdentity =
  /** The adapter's own identity: the AWS SDK default credential chain (env, web identity, IMDS, ...). */
  | { readonly kind: 'default-chain'; readonly region: string }
  /** Assume a role, starting from the adapter's own identity (KEDA tries web identity first, then STS AssumeRole). */
  | { readonly kind: 'assume-role'; readonly region: string; readonly roleArn: string; readonly externalId?: string }
  /** Static keys from a TriggerAuthentication or the scale target's env. */
  | {
      readonly kind: 'static';
      readonly region: string;
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      readonly sessionToken?: string;
    };

type Param = keyof AwsIdentityMetadata & string;

interface Issue {
  readonly message: string;
  readonly param?: Param;
}

interface Decision {
  readonly identity?: AwsIdentity;
  readonly errors: readonly Issue[];
  readonly warnings: readonly Issue[];
}

const WHERE_KEYS =
  'set awsAccessKeyID and awsSecretAccessKey, or awsRoleArn, in a TriggerAuthentication, or awsAccessKeyIDFromEnv and awsSecretAccessKeyFromEnv in the trigger metadata';

/** The pod identity providers that mean "the adapter's own AWS identity" (`aws-eks` is KEDA's deprecated name). */
const AWS_POD_IDENTITY = new Set(['aws', 'aws-eks']);

/**
 * KEDA's `GetAwsAuthorization`. A TriggerAuthentication's `podIdentity.provider: aws` comes first:
 * the adapter's own identity (the default chain: IRSA's web identity token, EKS Pod Identity, env,
 * instance metadata), assuming `podIdentity.roleArn` (with `externalID`) or else `awsRoleArn` from it.
 * Without pod identity, `identityOwner: operator` uses the default chain, or assumes `awsRoleArn`
 * from it; `pod` (the default) takes, in this order, `awsRoleArn`, then static keys; without either
 * it is an error.
 */
function decide(m: AwsIdentityMetadata, podIdentity?: PodIdentity): Decision {
  const region = m.awsRegion;
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  const staticKeys = (['awsAccessKeyID', 'awsSecretAccessKey', 'awsSessionToken'] as const).filter((name) => m[name] !== undefined);
  const role = (roleArn: string): AwsIdentity => assumeRole(region, roleArn, m.awsExternalId);

  if (m.awsExternalId !== undefined && m.awsRoleArn === undefined && !podIdentity?.roleArn) {
    warnings.push({ message: 'awsExternalId is ignored: it applies only when awsRoleArn is set', param: 'awsExternalId' });
  }

  if (podIdentity && AWS_POD_IDENTITY.has(podIdentity.provider)) return decidePodIdentity(m, podIdentity, staticKeys, errors, warnings);

  if (m.identityOwner === 'operator') {
    ignoreStaticKeys(staticKeys, `identityOwner is operator, which uses the adapter's own AWS identity`, warnings);
    return { identity: m.awsRoleArn === undefined ? { kind: 'default-chain', region } : role(m.awsRoleArn), errors, warnings };
  }

  if (m.awsRoleArn !== undefined) {
    ignoreStaticKeys(staticKeys, `awsRoleArn is set, and a role takes priority over static keys`, warnings);
    return { identity: role(m.awsRoleArn), errors, warnings };
  }

  if (m.awsAccessKeyID === undefined) {
    // KEDA: "awsAccessKeyID not found"
    const given = m.awsSecretAccessKey === undefined ? '' : ' (awsSecretAccessKey alone is not enough)';
    errors.push({
      message: `no AWS credentials: awsAccessKeyID is not set${given}; ${WHERE_KEYS}. To use the adapter's own AWS identity instead, set identityOwner: operator or a TriggerAuthentication with podIdentity.provider: aws`,
    });
    return { errors, warnings };
  }
  if (m.awsSecretAccessKey === undefined) {
    // KEDA: "awsSecretAccessKey not found"
    errors.push({
      message:
        'awsAccessKeyID is set but awsSecretAccessKey is not: set awsSecretAccessKey in the TriggerAuthentication, or awsSecretAccessKeyFromEnv in the trigger metadata',
      param: 'awsAccessKeyID',
    });
    return { errors, warnings };
  }
  const identity: AwsIdentity =
    m.awsSessionToken === undefined
      ? { kind: 'static', region, accessKeyId: m.awsAccessKeyID, secretAccessKey: m.awsSecretAccessKey }
      : { kind: 'static', region, accessKeyId: m.awsAccessKeyID, secretAccessKey: m.awsSecretAccessKey, sessionToken: m.awsSessionToken };
  return { identity, errors, warnings };
}

function decidePodIdentity(m: AwsIdentityMetadata, podIdentity: PodIdentity, staticKeys: readonly Param[], errors: Issue[], warnings: Issue[]): Decision {
  const region = m.awsRegion;
  if (podIdentity.provider === 'aws-eks') {
    warnings.push({ message: 'podIdentity.provider aws-eks is deprecated in KEDA (due for removal in v3); use aws, which means the same here' });
  }
  if (podIdentity.identityOwner === 'workload') {
    // KEDA reads the role from the scale target's ServiceAccount annotation eks.amazonaws.com/role-arn.
    errors.push({ message: "podIdentity.identityOwner workload (the role of the scale target's ServiceAccount) is not supported by Updraft yet: set podIdentity.roleArn to that role instead" });
    return { errors, warnings };
  }
  ignoreStaticKeys(staticKeys, `the TriggerAuthentication's podIdentity.provider ${podIdentity.provider} uses the adapter's own AWS identity`, warnings);
  const roleArn = podIdentity.roleArn || m.awsRoleArn;
  if (roleArn === undefined) return { identity: { kind: 'default-chain', region }, errors, warnings };
  const externalId = podIdentity.roleArn ? podIdentity.externalID || undefined : m.awsExternalId;
  return { identity: assumeRole(region, roleArn, externalId), errors, warnings };
}

/** Static keys that the chosen identity leaves unused: one warning naming them and why. */
function ignoreStaticKeys(staticKeys: readonly Param[], reason: string, warnings: Issue[]): void {
  if (staticKeys.length === 0) return;
  warnings.push({ message: `${staticKeys.join(', ')} ${staticKeys.length === 1 ? 'is' : 'are'} ignored: ${reason}`, param: staticKeys[0]! });
}

function assumeRole(region: string, roleArn: string, externalId: string | undefined): AwsIdentity {
  return externalId === undefined ? { kind: 'assume-role', region, roleArn } : { kind: 'assume-role', region, roleArn, externalId };
}

/** Thrown by `awsIdentity` for metadata that `awsIdentityRule` would have rejected. */
export class AwsIdentityError extends Error {
  override readonly name = 'AwsIdentityError';
}

/**
 * The credential mode of a trigger's parsed metadata. Pure: it reads nothing but `metadata`.
 * Throws AwsIdentityError when the metadata has no usable credentials, which cannot happen for
 * metadata that parsed with `awsIdentityRule`.
 */
export function awsIdentity(metadata: AwsIdentityMetadata, podIdentity?: PodIdentity): AwsIdentity {
  const decision = decide(metadata, podIdentity);
  if (!decision.identity) throw new AwsIdentityError(decision.errors.map((error) => error.message).join('; '));
  return decision.identity;
}

/** The cross-field rule of the AWS identity block: credentials are complete for the mode chosen. */
export const awsIdentityRule: MetadataRule<AwsIdentityMetadata> = (metadata, context) => {
  const decision = decide(metadata, context.podIdentity);
  for (const error of decision.errors) context.error(error.message, error.param);
  for (const warning of decision.warnings) context.warning(warning.message, warning.param);
};

/** A one-line, log-safe description of an identity ("who am I"): never a secret, at most the key ID's last 4 characters. */
export function describeAwsIdentity(identity: AwsIdentity): string {
  switch (identity.kind) {
    case 'default-chain':
      return `the adapter's own AWS identity (default credential chain) in ${identity.region}`;
    case 'assume-role':
      return `role ${identity.roleArn}${identity.externalId === undefined ? '' : ' with an external ID'}, assumed from the adapter's own identity, in ${identity.region}`;
    case 'static': {
      // Real access key IDs are 20 characters; a short one would be shown whole, so it is not shown.
      const key = identity.accessKeyId.length >= 16 ? `, access key ID ending ${identity.accessKeyId.slice(-4)}` : '';
      return `static ${identity.sessionToken === undefined ? '' : 'temporary '}credentials${key}, in ${identity.region}`;
    }
  }
}
