import { defineMetadata } from '@updraft/core';
import { describe, expect, it } from 'vitest';
import {
  awsIdentity,
  AwsIdentityError,
  awsIdentityParams,
  awsIdentityRule,
  describeAwsIdentity,
  type AwsIdentity,
  type AwsIdentityMetadata,
} from './aws-identity.js';
import type { PodIdentity } from '@updraft/core';

// The block on its own, as a scaler spreads it.
const declaration = defineMetadata(awsIdentityParams, { rules: [awsIdentityRule] });

type Input = { triggerMetadata?: Record<string, string>; authParams?: Record<string, string>; resolvedEnv?: Record<string, string>; podIdentity?: PodIdentity };

function parse(input: Input) {
  const result = declaration.parse(
    {
      triggerMetadata: { awsRegion: 'eu-west-1', ...input.triggerMetadata },
      authParams: input.authParams ?? {},
      resolvedEnv: input.resolvedEnv ?? {},
      ...(input.podIdentity ? { podIdentity: input.podIdentity } : {}),
    },
    { triggerType: 'aws-test' },
  );
  const errors = result.problems.filter((problem) => problem.severity === 'error');
  const warnings = result.problems.filter((problem) => problem.severity === 'warning');
  return { ...result, errors, warnings };
}

const ROLE = 'arn:aws:iam::123456789012:role/test-role';

describe('awsIdentity decides the credential mode in KEDA order (GetAwsAuthorization)', () => {
  const cases: {
    name: string;
    metadata?: Record<string, string>;
    authParams?: Record<string, string>;
    resolvedEnv?: Record<string, string>;
    identity: AwsIdentity;
  }[] = [
    // KEDA aws_common_test.go
    {
      name: 'operator with role and external id (TestGetAwsAuthorization_OperatorWithRoleAndExternalID)',
      metadata: { identityOwner: 'operator' },
      authParams: { awsRoleArn: ROLE, awsExternalId: 'test-external-id' },
      identity: { kind: 'assume-role', region: 'eu-west-1', roleArn: ROLE, externalId: 'test-external-id' },
    },
    {
      name: 'operator with role, no external id (TestGetAwsAuthorization_OperatorWithoutExternalID)',
      metadata: { identityOwner: 'operator' },
      authParams: { awsRoleArn: ROLE },
      identity: { kind: 'assume-role', region: 'eu-west-1', roleArn: ROLE },
    },
    {
      name: 'operator without role: default chain (TestGetAwsAuthorization_OperatorWithoutRoleArn)',
      metadata: { identityOwner: 'operator' },
      identity: { kind: 'default-chain', region: 'eu-west-1' },
    },
    {
      name: 'pod with role and external id (TestGetAwsAuthorization_PodWithRoleAndExternalID)',
      metadata: { identityOwner: 'pod' },
      authParams: { awsRoleArn: ROLE, awsExternalId: 'pod-external-id' },
      identity: { kind: 'assume-role', region: 'eu-west-1', roleArn: ROLE, externalId: 'pod-external-id' },
    },
    {
      name: 'identityOwner defaults to pod (TestGetAwsAuthorization_DefaultIdentityOwnerIsPod)',
      authParams: { awsRoleArn: ROLE, awsExternalId: 'default-external-id' },
      identity: { kind: 'assume-role', region: 'eu-west-1', roleArn: ROLE, externalId: 'default-external-id' },
    },
    // the static branches
    {
      name: 'static keys from a TriggerAuthentication',
      authParams: { awsAccessKeyID: 'AKIAIOSFODNN7EXAMPLE', awsSecretAccessKey: 'secret' },
      identity: { kind: 'static', region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' },
    },
    {
      name: 'awsAccessKeyId is an alias in authParams, and a session token makes them temporary',
      authParams: { awsAccessKeyId: 'AKIA1', awsSecretAccessKey: 'secret', awsSessionToken: 'token' },
      identity: { kind: 'static', region: 'eu-west-1', accessKeyId: 'AKIA1', secretAccessKey: 'secret', sessionToken: 'token' },
    },
    {
      name: 'awsAccessKeyID wins over awsAccessKeyId when both are set',
      authParams: { awsAccessKeyID: 'AKIA-UPPER', awsAccessKeyId: 'AKIA-LOWER', awsSecretAccessKey: 'secret' },
      identity: { kind: 'static', region: 'eu-west-1', accessKeyId: 'AKIA-UPPER', secretAccessKey: 'secret' },
    },
    {
      name: 'a TriggerAuthentication key wins over one in metadata',
      metadata: { awsAccessKeyID: 'AKIA-METADATA' },
      authParams: { awsAccessKeyID: 'AKIA-AUTH', awsSecretAccessKey: 'secret' },
      identity: { kind: 'static', region: 'eu-west-1', accessKeyId: 'AKIA-AUTH', secretAccessKey: 'secret' },
    },
    {
      name: 'static keys from metadata and the container env',
      metadata: { awsAccessKeyID: 'AKIA-METADATA', awsSecretAccessKeyFromEnv: 'AWS_SECRET_ACCESS_KEY' },
      resolvedEnv: { AWS_SECRET_ACCESS_KEY: 'env-secret' },
      identity: { kind: 'static', region: 'eu-west-1', accessKeyId: 'AKIA-METADATA', secretAccessKey: 'env-secret' },
    },
    {
      name: 'static keys from the container env only',
      metadata: { awsAccessKeyIDFromEnv: 'AWS_ACCESS_KEY_ID', awsSecretAccessKeyFromEnv: 'AWS_SECRET_ACCESS_KEY', awsSessionTokenFromEnv: 'AWS_SESSION_TOKEN' },
      resolvedEnv: { AWS_ACCESS_KEY_ID: 'AKIA-ENV', AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_SESSION_TOKEN: 'env-token' },
      identity: { kind: 'static', region: 'eu-west-1', accessKeyId: 'AKIA-ENV', secretAccessKey: 'env-secret', sessionToken: 'env-token' },
    },
    {
      name: 'awsRoleArn takes priority over static keys',
      authParams: { awsRoleArn: ROLE, awsAccessKeyID: 'AKIA1', awsSecretAccessKey: 'secret' },
      identity: { kind: 'assume-role', region: 'eu-west-1', roleArn: ROLE },
    },
    {
      name: 'operator ignores static keys',
      metadata: { identityOwner: 'operator' },
      authParams: { awsAccessKeyID: 'AKIA1', awsSecretAccessKey: 'secret' },
      identity: { kind: 'default-chain', region: 'eu-west-1' },
    },
    {
      name: 'awsExternalID is an alias of awsExternalId',
      authParams: { awsRoleArn: ROLE, awsExternalID: 'upper' },
      identity: { kind: 'assume-role', region: 'eu-west-1', roleArn: ROLE, externalId: 'upper' },
    },
    {
      name: 'awsRegion may come from a TriggerAuthentication',
      metadata: { awsRegion: '', identityOwner: 'operator' },
      authParams: { awsRegion: 'us-east-2' },
      identity: { kind: 'default-chain', region: 'us-east-2' },
    },
    {
      name: 'awsRegion in metadata wins over a TriggerAuthentication',
      metadata: { identityOwner: 'operator' },
      authParams: { awsRegion: 'us-east-2' },
      identity: { kind: 'default-chain', region: 'eu-west-1' },
    },
  ];

  it.each(cases)('$name', ({ metadata, authParams, resolvedEnv, identity }) => {
    const result = parse({ triggerMetadata: metadata ?? {}, authParams: authParams ?? {}, resolvedEnv: resolvedEnv ?? {} });
    expect(result.errors).toEqual([]);
    expect(awsIdentity(result.metadata!)).toEqual(identity);
  });
});

describe('podIdentity.provider aws: the adapter\'s own identity (KEDA GetAwsAuthorization, resolver)', () => {
  const OTHER = 'arn:aws:iam::123456789012:role/other';
  const cases: { name: string; podIdentity: PodIdentity; metadata?: Record<string, string>; authParams?: Record<string, string>; identity: AwsIdentity; warnings?: string[] }[] = [
    { name: 'KEDA\'s documented example: provider aws alone, no identityOwner in the trigger', podIdentity: { provider: 'aws' }, identity: { kind: 'default-chain', region: 'eu-west-1' } },
    { name: 'roleArn is assumed from the adapter\'s identity', podIdentity: { provider: 'aws', roleArn: ROLE }, identity: { kind: 'assume-role', region: 'eu-west-1', roleArn: ROLE } },
    {
      name: 'roleArn with externalID',
      podIdentity: { provider: 'aws', roleArn: ROLE, externalID: 'ext-1' },
      identity: { kind: 'assume-role', region: 'eu-west-1', roleArn: ROLE, externalId: 'ext-1' },
    },
    {
      name: 'podIdentity.roleArn wins over authParams awsRoleArn (the resolver writes it into awsRoleArn)',
      podIdentity: { provider: 'aws', roleArn: ROLE },
      authParams: { awsRoleArn: OTHER, awsExternalId: 'not-this-one' },
      identity: { kind: 'assume-role', region: 'eu-west-1', roleArn: ROLE },
    },
    {
      name: 'without podIdentity.roleArn, authParams awsRoleArn and its external id',
      podIdentity: { provider: 'aws' },
      authParams: { awsRoleArn: OTHER, awsExternalId: 'ext-2' },
      identity: { kind: 'assume-role', region: 'eu-west-1', roleArn: OTHER, externalId: 'ext-2' },
    },
    {
      name: 'static keys are ignored, with a warning',
      podIdentity: { provider: 'aws' },
      authParams: { awsAccessKeyID: 'AKIA1', awsSecretAccessKey: 'secret' },
      identity: { kind: 'default-chain', region: 'eu-west-1' },
      warnings: ["awsAccessKeyID, awsSecretAccessKey are ignored: the TriggerAuthentication's podIdentity.provider aws uses the adapter's own AWS identity"],
    },
    {
      name: 'aws-eks means the same, with a deprecation warning',
      podIdentity: { provider: 'aws-eks' },
      identity: { kind: 'default-chain', region: 'eu-west-1' },
      warnings: ['podIdentity.provider aws-eks is deprecated in KEDA (due for removal in v3); use aws, which means the same here'],
    },
    { name: 'identityOwner pod in the trigger does not matter', podIdentity: { provider: 'aws' }, metadata: { identityOwner: 'pod' }, identity: { kind: 'default-chain', region: 'eu-west-1' } },
  ];

  it.each(cases)('$name', ({ podIdentity, metadata, authParams, identity, warnings }) => {
    const result = parse({ triggerMetadata: metadata ?? {}, authParams: authParams ?? {}, podIdentity });
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((warning) => warning.message)).toEqual(warnings ?? []);
    expect(awsIdentity(result.metadata!, podIdentity)).toEqual(identity);
  });

  it('other providers leave the AWS decision to the trigger, as in KEDA', () => {
    expect(parse({ podIdentity: { provider: 'azure-workload' } }).errors.map((error) => error.message)).toEqual([
      expect.stringMatching(/^no AWS credentials: awsAccessKeyID is not set/),
    ]);
  });

  it('identityOwner workload is refused with what to do instead', () => {
    expect(parse({ podIdentity: { provider: 'aws', identityOwner: 'workload' } }).errors.map((error) => error.message)).toEqual([
      "podIdentity.identityOwner workload (the role of the scale target's ServiceAccount) is not supported by Updraft yet: set podIdentity.roleArn to that role instead",
    ]);
  });
});

describe('awsIdentityRule', () => {
  const errorCases: {
    name: string;
    metadata?: Record<string, string>;
    authParams?: Record<string, string>;
    resolvedEnv?: Record<string, string>;
    message: RegExp;
    key?: string;
  }[] = [
    {
      name: 'pod identity without any credentials (KEDA: awsAccessKeyID not found)',
      message: /^no AWS credentials: awsAccessKeyID is not set; set awsAccessKeyID and awsSecretAccessKey, or awsRoleArn, in a TriggerAuthentication.*identityOwner: operator/,
    },
    {
      name: 'a secret without a key (KEDA: awsAccessKeyID not found)',
      authParams: { awsSecretAccessKey: 'secret' },
      message: /awsAccessKeyID is not set \(awsSecretAccessKey alone is not enough\)/,
    },
    {
      name: 'a key in authParams without its secret (KEDA: awsSecretAccessKey not found)',
      authParams: { awsAccessKeyID: 'AKIA1' },
      message: /^awsAccessKeyID is set but awsSecretAccessKey is not: set awsSecretAccessKey in the TriggerAuthentication, or awsSecretAccessKeyFromEnv/,
      key: 'awsAccessKeyID',
    },
    {
      name: 'an empty secret counts as missing',
      authParams: { awsAccessKeyId: 'AKIA1', awsSecretAccessKey: '' },
      message: /awsSecretAccessKey is not/,
      key: 'awsAccessKeyId',
    },
    {
      name: 'a key in metadata without awsSecretAccessKeyFromEnv (KEDA: awsSecretAccessKey not found)',
      metadata: { awsAccessKeyID: 'AKIA1' },
      message: /awsSecretAccessKey is not/,
      key: 'awsAccessKeyID',
    },
    {
      name: 'awsSecretAccessKeyFromEnv names a variable the container does not set',
      metadata: { awsAccessKeyIDFromEnv: 'AWS_ACCESS_KEY_ID', awsSecretAccessKeyFromEnv: 'AWS_SECRET_ACCESS_KEY' },
      resolvedEnv: { AWS_ACCESS_KEY_ID: 'AKIA-ENV' },
      message: /awsSecretAccessKey is not/,
      key: 'awsAccessKeyIDFromEnv',
    },
    {
      name: 'awsAccessKeyIDFromEnv names an empty variable',
      metadata: { awsAccessKeyIDFromEnv: 'AWS_ACCESS_KEY_ID', awsSecretAccessKeyFromEnv: 'AWS_SECRET_ACCESS_KEY' },
      resolvedEnv: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: 'x' },
      message: /no AWS credentials/,
    },
    {
      name: 'identityOwner must be pod or operator (KEDA silently used the operator identity)',
      metadata: { identityOwner: 'Operator' },
      message: /must be one of pod, operator, got "Operator"/,
      key: 'identityOwner',
    },
    {
      name: 'awsRegion is required',
      metadata: { awsRegion: '', identityOwner: 'operator' },
      message: /missing required parameter "awsRegion" \(set it in metadata or a TriggerAuthentication\)/,
    },
    {
      name: 'awsEndpoint must be a URL',
      metadata: { identityOwner: 'operator', awsEndpoint: 'localhost:4566' },
      message: /must be an http:\/\/ or https:\/\/ URL/,
      key: 'awsEndpoint',
    },
  ];

  it.each(errorCases)('error: $name', ({ metadata, authParams, resolvedEnv, message, key }) => {
    const result = parse({ triggerMetadata: metadata ?? {}, authParams: authParams ?? {}, resolvedEnv: resolvedEnv ?? {} });
    expect(result.metadata).toBeUndefined();
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.message).toMatch(message);
    expect(result.errors[0]!.key).toBe(key);
  });

  const warningCases: { name: string; metadata?: Record<string, string>; authParams?: Record<string, string>; message: RegExp; key: string }[] = [
    {
      name: 'awsExternalId without awsRoleArn (KEDA logs the same)',
      metadata: { identityOwner: 'operator' },
      authParams: { awsExternalId: 'x' },
      message: /^awsExternalId is ignored: it applies only when awsRoleArn is set$/,
      key: 'awsExternalId',
    },
    {
      name: 'static keys under identityOwner operator',
      metadata: { identityOwner: 'operator' },
      authParams: { awsAccessKeyID: 'AKIA1', awsSecretAccessKey: 'secret' },
      message: /^awsAccessKeyID, awsSecretAccessKey are ignored: identityOwner is operator/,
      key: 'awsAccessKeyID',
    },
    {
      name: 'static keys next to awsRoleArn',
      authParams: { awsRoleArn: ROLE, awsSessionToken: 'token' },
      message: /^awsSessionToken is ignored: awsRoleArn is set/,
      key: 'awsSessionToken',
    },
  ];

  it.each(warningCases)('warning: $name', ({ metadata, authParams, message, key }) => {
    const result = parse({ triggerMetadata: metadata ?? {}, authParams: authParams ?? {} });
    expect(result.errors).toEqual([]);
    expect(result.metadata).toBeDefined();
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.message).toMatch(message);
    expect(result.warnings[0]!.key).toBe(key);
  });

  it('never prints a credential', () => {
    const secrets = ['AKIA-SECRET-KEY-ID', 'wJalrXUtnFEMI-SECRET', 'SESSION-TOKEN-SECRET'];
    const inputs: Input[] = [
      { authParams: { awsAccessKeyID: secrets[0]!, awsSessionToken: secrets[2]! } },
      { triggerMetadata: { identityOwner: 'operator' }, authParams: { awsAccessKeyID: secrets[0]!, awsSecretAccessKey: secrets[1]!, awsSessionToken: secrets[2]! } },
      { authParams: { awsRoleArn: ROLE, awsAccessKeyID: secrets[0]!, awsSecretAccessKey: secrets[1]! } },
    ];
    for (const input of inputs) {
      const text = JSON.stringify(parse(input).problems);
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });

  it('marks the credentials secret, and only them', () => {
    const secret = Object.entries(awsIdentityParams).filter(([, param]) => param.isSecret).map(([name]) => name);
    expect(secret).toEqual(['awsAccessKeyID', 'awsSecretAccessKey', 'awsSessionToken']);
  });

  it('knows the metadata keys KEDA reads', () => {
    expect([...declaration.knownMetadataKeys()].sort()).toEqual(
      [
        'awsAccessKeyID',
        'awsAccessKeyIDFromEnv',
        'awsAccessKeyId',
        'awsAccessKeyIdFromEnv',
        'awsEndpoint',
        'awsRegion',
        'awsSecretAccessKeyFromEnv',
        'awsSessionTokenFromEnv',
        'identityOwner',
      ].sort(),
    );
  });

  it('ignores, with a warning, a plain awsSecretAccessKey in metadata (KEDA never reads it there)', () => {
    const result = parse({ triggerMetadata: { identityOwner: 'operator', awsSecretAccessKey: 'AWS_SECRET_ACCESS_KEY' } });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ source: 'triggerMetadata', key: 'awsSecretAccessKey' });
    expect(result.warnings[0]!.message).toBe('awsSecretAccessKey cannot be set in metadata; set it in a TriggerAuthentication or awsSecretAccessKeyFromEnv; ignored');
  });
});

describe('awsIdentity on metadata that did not pass the rule', () => {
  it('throws AwsIdentityError with the rule\'s message', () => {
    const metadata: AwsIdentityMetadata = { awsRegion: 'eu-west-1', identityOwner: 'pod' };
    expect(() => awsIdentity(metadata)).toThrow(AwsIdentityError);
    expect(() => awsIdentity(metadata)).toThrow(/no AWS credentials/);
  });
});

describe('describeAwsIdentity', () => {
  it.each([
    [{ kind: 'default-chain', region: 'eu-west-1' }, "the adapter's own AWS identity (default credential chain) in eu-west-1"],
    [{ kind: 'assume-role', region: 'eu-west-1', roleArn: ROLE, externalId: 'x' }, `role ${ROLE} with an external ID, assumed from the adapter's own identity, in eu-west-1`],
    [
      { kind: 'static', region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 's', sessionToken: 't' },
      'static temporary credentials, access key ID ending MPLE, in eu-west-1',
    ],
    [{ kind: 'static', region: 'eu-west-1', accessKeyId: 'none', secretAccessKey: 's' }, 'static credentials, in eu-west-1'],
  ] as [AwsIdentity, string][])('%o', (identity, text) => {
    expect(describeAwsIdentity(identity)).toBe(text);
  });
});
