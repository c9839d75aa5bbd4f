import { BackendCallsImpl } from '@updraft/core';
import { describe, expect, it } from 'vitest';
import { AwsClientsImpl, type AwsClientConfig, type AwsServiceDescriptor } from './aws-clients.js';
import type { AwsIdentity } from './aws-identity.js';

class FakeClient {
  destroyed = false;
  constructor(readonly config: AwsClientConfig) {}
  destroy(): void {
    this.destroyed = true;
  }
}

const sqs: AwsServiceDescriptor<FakeClient> = { service: 'sqs', create: (config) => new FakeClient(config) };
const cloudwatch: AwsServiceDescriptor<FakeClient> = { service: 'cloudwatch', create: (config) => new FakeClient(config) };

const keys: AwsIdentity = { kind: 'static', region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' };
const role: AwsIdentity = { kind: 'assume-role', region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/reader' };

describe('AwsClientsImpl', () => {
  it('100 triggers with one identity share one credentials provider and one client per service (KEDA#5297)', async () => {
    const clients = new AwsClientsImpl(new BackendCallsImpl());
    const leases = Array.from({ length: 100 }, () => clients.acquire(sqs, { identity: { ...keys } }));
    const more = Array.from({ length: 100 }, () => clients.acquire(cloudwatch, { identity: { ...keys } }));
    expect(new Set(leases.map((lease) => lease.resource)).size).toBe(1);
    expect(new Set(more.map((lease) => lease.resource)).size).toBe(1);
    expect(clients.stats()).toEqual({ credentialProvidersCreated: 1, clientsCreated: { sqs: 1, cloudwatch: 1 }, openCredentialProviders: 1, openClients: 2 });
    // both services use the same provider
    expect(leases[0]!.resource.config.credentials).toBe(more[0]!.resource.config.credentials);
    await expect(leases[0]!.resource.config.credentials()).resolves.toEqual({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'secret' });

    for (const lease of leases) await lease.release();
    expect(leases[0]!.resource.destroyed).toBe(true);
    expect(more[0]!.resource.destroyed).toBe(false);
    for (const lease of more) await lease.release();
    expect(clients.stats()).toMatchObject({ openCredentialProviders: 0, openClients: 0 });

    clients.acquire(sqs, { identity: keys });
    expect(clients.stats()).toMatchObject({ credentialProvidersCreated: 2, clientsCreated: { sqs: 2, cloudwatch: 1 } });
  });

  it.each<[string, AwsIdentity, string | undefined]>([
    ['another secret', { ...keys, secretAccessKey: 'other' } as AwsIdentity, undefined],
    ['a session token', { ...keys, sessionToken: 'token' } as AwsIdentity, undefined],
    ['another region', { ...keys, region: 'us-east-1' }, undefined],
    ['an endpoint', keys, 'http://127.0.0.1:4566'],
    ['a role', role, undefined],
    ['the default chain', { kind: 'default-chain', region: 'eu-west-1' }, undefined],
  ])('%s is a different client', (_name, identity, endpoint) => {
    const clients = new AwsClientsImpl(new BackendCallsImpl());
    const first = clients.acquire(sqs, { identity: keys });
    const second = clients.acquire(sqs, { identity, endpoint });
    expect(second.resource).not.toBe(first.resource);
    expect(second.key).not.toBe(first.key);
    expect(second.resource.config).toMatchObject({ region: identity.region, ...(endpoint ? { endpoint } : {}) });
  });

  it('a role is assumed from the default chain: two providers, shared by every trigger of the role', () => {
    const clients = new AwsClientsImpl(new BackendCallsImpl());
    for (let i = 0; i < 10; i++) clients.acquire(sqs, { identity: role, endpoint: 'http://127.0.0.1:1' });
    clients.acquire(cloudwatch, { identity: role, endpoint: 'http://127.0.0.1:1' });
    expect(clients.stats()).toEqual({ credentialProvidersCreated: 2, clientsCreated: { sqs: 1, cloudwatch: 1 }, openCredentialProviders: 2, openClients: 2 });
  });

  it('releases the default chain with the role that needed it', async () => {
    const clients = new AwsClientsImpl(new BackendCallsImpl());
    const lease = clients.acquire(sqs, { identity: role });
    await lease.release();
    await lease.release();
    expect(clients.stats()).toMatchObject({ openCredentialProviders: 0, openClients: 0 });
  });

  it('keys hold no secret', () => {
    const clients = new AwsClientsImpl(new BackendCallsImpl());
    const { key } = clients.acquire(sqs, { identity: keys });
    expect(key).toMatch(/^[0-9a-f]{32}$/);
  });
});
