import { createHash } from 'node:crypto';
import { fromNodeProviderChain, fromTemporaryCredentials, fromTokenFile } from '@aws-sdk/credential-providers';
import { BackendCalls, recordBackendCall, SharedResourcePool, type Lease } from '@updraft/core';
import { inject, injectable } from 'inversify';
import { awsErrorCode, AwsCredentialsError } from './aws-errors.js';
import type { AwsIdentity } from './aws-identity.js';

/** Shared AWS SDK clients and credentials: one per identity, region and endpoint, reference-counted. */
export const AwsClients = Symbol.for('updraft.aws-common.AwsClients');

/** Credentials as the AWS SDK takes them. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
  readonly expiration?: Date | undefined;
}

/** A credentials provider as the AWS SDK takes it (`credentials` of a client's config). */
export type AwsCredentialsProvider = () => Promise<AwsCredentials>;

/** What a service client is built from. */
export interface AwsClientConfig {
  readonly region: string;
  /** `awsEndpoint`, when the trigger overrides AWS's endpoint. */
  readonly endpoint?: string;
  readonly credentials: AwsCredentialsProvider;
}

/** The one thing the pool needs of an SDK client: that it can be destroyed. */
export interface AwsServiceClient {
  destroy(): void;
}

/**
 * How to build the client of one AWS service, e.g.
 * `{ service: 'sqs', create: (config) => new SQSClient(config) }`. The pool keys on `service`, so
 * use one descriptor per service and keep it in a module-level constant.
 */
export interface AwsServiceDescriptor<C extends AwsServiceClient> {
  readonly service: string;
  create(config: AwsClientConfig): C;
}

/** Whose credentials, and which endpoint, a trigger's client uses. */
export interface AwsTarget {
  readonly identity: AwsIdentity;
  readonly endpoint?: string | undefined;
}

/** A shared client. `key` identifies it (a hash: it holds no secret); `release` is idempotent. */
export interface AwsClientLease<C> extends Lease<C> {
  readonly key: string;
}

/** How many providers and clients were ever built, and how many are open now. */
export interface AwsClientsStats {
  readonly credentialProvidersCreated: number;
  readonly clientsCreated: Readonly<Record<string, number>>;
  readonly openCredentialProviders: number;
  readonly openClients: number;
}

export interface AwsClients {
  /**
   * The client of `service` for `target`, shared with every other trigger of the same identity,
   * region and endpoint, and destroyed when the last one releases it. Does no I/O: credentials are
   * resolved when the client first signs a request.
   */
  acquire<C extends AwsServiceClient>(service: AwsServiceDescriptor<C>, target: AwsTarget): AwsClientLease<C>;
  stats(): AwsClientsStats;
}

/** Credentials are refreshed this long before they expire. */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;
/** Session name of the assumed role, as CloudTrail shows it. */
const ROLE_SESSION_NAME = 'updraft';

function hash(parts: readonly (string | undefined)[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/** The cache key of an identity's credentials: a hash, since static keys are part of it. */
function credentialsKey(target: AwsTarget): string {
  const { identity } = target;
  switch (identity.kind) {
    case 'default-chain':
      return hash(['default-chain', identity.region]);
    case 'static':
      return hash(['static', identity.region, identity.accessKeyId, identity.secretAccessKey, identity.sessionToken]);
    case 'assume-role':
      // The endpoint override applies to STS too, so it is part of where the role's credentials come from.
      return hash(['assume-role', identity.region, identity.roleArn, identity.externalId, target.endpoint]);
  }
}

/**
 * One shared credentials promise per provider, refreshed before it expires, so that every client of
 * an identity (an SQS client and a CloudWatch client alike) uses one set of temporary credentials:
 * one AssumeRole per identity, not one per trigger or per client.
 */
function memoize(load: () => Promise<AwsCredentials>): AwsCredentialsProvider {
  let current: AwsCredentials | undefined;
  let loading: Promise<AwsCredentials> | undefined;
  const fresh = (credentials: AwsCredentials) => credentials.expiration === undefined || credentials.expiration.getTime() - Date.now() > REFRESH_BEFORE_EXPIRY_MS;
  return async () => {
    if (current && fresh(current)) return current;
    loading ??= load()
      .then((credentials) => (current = credentials))
      .catch((error: unknown) => {
        // Keep using credentials that have not expired yet; the next read retries the refresh.
        if (current?.expiration && current.expiration.getTime() > Date.now()) return current;
        throw error;
      })
      .finally(() => (loading = undefined));
    return loading;
  };
}

interface CredentialsEntry {
  readonly provider: AwsCredentialsProvider;
  /** What the provider holds itself (the default chain an assumed role starts from). */
  readonly dependencies: Lease<CredentialsEntry>[];
}

interface ClientEntry {
  readonly client: AwsServiceClient;
  readonly credentials: Lease<CredentialsEntry>;
}

@injectable()
export class AwsClientsImpl implements AwsClients {
  private readonly credentials = new SharedResourcePool<CredentialsEntry>(async (entry) => {
    for (const dependency of entry.dependencies) await dependency.release();
  });
  private readonly clients = new SharedResourcePool<ClientEntry>(async (entry) => {
    entry.client.destroy();
    await entry.credentials.release();
  });
  private credentialProvidersCreated = 0;
  private readonly clientsCreated: Record<string, number> = {};

  constructor(@inject(BackendCalls) private readonly calls: BackendCalls) {}

  acquire<C extends AwsServiceClient>(service: AwsServiceDescriptor<C>, target: AwsTarget): AwsClientLease<C> {
    const key = hash([service.service, credentialsKey(target), target.endpoint]);
    const lease = this.clients.acquire(key, () => {
      const credentials = this.acquireCredentials(target);
      let client: C;
      try {
        client = service.create({
          region: target.identity.region,
          credentials: credentials.resource.provider,
          ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
        });
      } catch (error) {
        void credentials.release();
        throw error;
      }
      this.clientsCreated[service.service] = (this.clientsCreated[service.service] ?? 0) + 1;
      return { client, credentials };
    });
    return { key, resource: lease.resource.client as C, release: lease.release };
  }

  stats(): AwsClientsStats {
    return {
      credentialProvidersCreated: this.credentialProvidersCreated,
      clientsCreated: { ...this.clientsCreated },
      openCredentialProviders: this.credentials.size,
      openClients: this.clients.size,
    };
  }

  private acquireCredentials(target: AwsTarget): Lease<CredentialsEntry> {
    return this.credentials.acquire(credentialsKey(target), () => {
      const entry = this.buildCredentials(target);
      this.credentialProvidersCreated += 1;
      return entry;
    });
  }

  private buildCredentials(target: AwsTarget): CredentialsEntry {
    const { identity } = target;
    switch (identity.kind) {
      case 'static': {
        const credentials: AwsCredentials = {
          accessKeyId: identity.accessKeyId,
          secretAccessKey: identity.secretAccessKey,
          ...(identity.sessionToken === undefined ? {} : { sessionToken: identity.sessionToken }),
        };
        return { provider: async () => credentials, dependencies: [] };
      }
      case 'default-chain': {
        const chain = fromNodeProviderChain();
        const provider = memoize(async () => {
          try {
            return await chain();
          } catch (error) {
            throw new AwsCredentialsError(
              `the adapter's own AWS identity (the default credential chain: env, web identity, container or instance metadata) gave no credentials: ${(error as Error).message}`,
              'CredentialsProviderError',
              undefined,
              { cause: error },
            );
          }
        });
        return { provider, dependencies: [] };
      }
      case 'assume-role': {
        // The role is assumed from the adapter's own identity, as KEDA does (stscreds.NewAssumeRoleProvider over LoadDefaultConfig).
        const base = this.acquireCredentials({ identity: { kind: 'default-chain', region: identity.region } });
        const clientConfig = { region: identity.region, ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }) };
        const assume = fromTemporaryCredentials({
          masterCredentials: base.resource.provider,
          params: {
            RoleArn: identity.roleArn,
            RoleSessionName: ROLE_SESSION_NAME,
            ...(identity.externalId === undefined ? {} : { ExternalId: identity.externalId }),
          },
          clientConfig,
        });
        // KEDA tries the pod's web identity token first (IRSA: the role trusts the cluster's OIDC
        // provider; AssumeRoleWithWebIdentity takes no external ID), then AssumeRole as above.
        const webIdentity = process.env['AWS_WEB_IDENTITY_TOKEN_FILE']
          ? fromTokenFile({ roleArn: identity.roleArn, roleSessionName: ROLE_SESSION_NAME, clientConfig })
          : undefined;
        const provider = memoize(async () => {
          if (webIdentity) {
            try {
              return await recordBackendCall(this.calls, 'aws-sts', 'AssumeRoleWithWebIdentity', () => webIdentity());
            } catch {
              // The role does not trust the token: assume it from the adapter's identity, as KEDA falls back.
            }
          }
          try {
            return await recordBackendCall(this.calls, 'aws-sts', 'AssumeRole', () => assume());
          } catch (error) {
            if (error instanceof AwsCredentialsError) throw error;
            const code = awsErrorCode(error) ?? 'CredentialsProviderError';
            const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
            throw new AwsCredentialsError(`assuming role ${identity.roleArn} (sts AssumeRole) failed: ${(error as Error).message}`, code, status, { cause: error });
          }
        });
        return { provider, dependencies: [base] };
      }
    }
  }
}
