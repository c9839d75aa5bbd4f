import { beforeAll, describe, expect, it } from 'vitest';
import type { ScalerRegistry } from '@updraft/core';
import { createRegistry } from '../composition.js';
import { review, type AdmissionClusterView } from './admission-review.js';

let registry: ScalerRegistry;
beforeAll(async () => {
  registry = await createRegistry({ plugins: [] });
});

const scaledObject = (name: string, metadata: Record<string, string>, extra: object = {}) => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name },
  spec: { scaleTargetRef: { name: 'worker' }, triggers: [{ type: 'prometheus', metadata, ...extra }] },
});
const request = (object: unknown, kind = 'ScaledObject') => ({ uid: 'u1', kind: { group: 'keda.sh', version: 'v1alpha1', kind }, namespace: 'shop', operation: 'CREATE', object });
const good = { serverAddress: 'http://prometheus:9090', query: 'sum(rate(http_requests_total[2m]))', threshold: '100' };

describe('admission review', () => {
  it('admits a ScaledObject from KEDA\'s documentation', () => {
    expect(review(request(scaledObject('web', good)), { registry, kedaNamespace: 'updraft' })).toEqual({ uid: 'u1', allowed: true });
  });

  it('denies a broken ScaledObject with the field path and the message updraft validate prints', () => {
    const answer = review(request(scaledObject('web', { ...good, threshold: 'ten' })), { registry, kedaNamespace: 'updraft' });
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toMatch(/^ScaledObject shop\/web: spec\.triggers\[0\]\.metadata\.threshold: /);
    expect(answer.status?.code).toBe(422);
  });

  it('reports every error at once', () => {
    const object = { ...scaledObject('web', { ...good, threshold: 'ten' }), spec: { ...scaledObject('web', { ...good, threshold: 'ten' }).spec, minReplicaCount: 5, maxReplicaCount: 2 } };
    const answer = review(request(object), { registry, kedaNamespace: 'updraft' });
    expect(answer.status?.message).toContain('threshold');
    expect(answer.status?.message).toContain(';');
  });

  it('admits with a warning a ScaledObject whose TriggerAuthentication is not there yet', () => {
    const answer = review(request(scaledObject('web', good, { authenticationRef: { name: 'prom-auth' } })), { registry, kedaNamespace: 'updraft' });
    expect(answer.allowed).toBe(true);
    expect(answer.warnings?.join('\n')).toContain('spec.triggers[0].authenticationRef.name');
  });

  it('denies a second ScaledObject for a scale target that one already has, as KEDA does', () => {
    const cluster: AdmissionClusterView = {
      scaledObjects: () => [{ namespace: 'shop', name: 'first', scaleTarget: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' } }],
      triggerAuthentications: () => [],
    };
    const answer = review(request(scaledObject('second', good)), { registry, kedaNamespace: 'updraft', cluster });
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toBe("ScaledObject shop/second: spec.scaleTargetRef: the workload 'worker' of type 'Deployment' is already managed by the ScaledObject 'first'");
    // Updating the one that has it is fine.
    expect(review(request(scaledObject('first', good)), { registry, kedaNamespace: 'updraft', cluster }).allowed).toBe(true);
  });

  it('validates a TriggerAuthentication; a Secret only the cluster holds is not an error', () => {
    const auth = { apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'a' }, spec: { secretTargetRef: [{ parameter: 'password', name: 's', key: 'k' }] } };
    expect(review(request(auth, 'TriggerAuthentication'), { registry, kedaNamespace: 'updraft' }).allowed).toBe(true);
    const broken = { ...auth, spec: { secretTargetRef: [{ parameter: 'password', key: 'k' }] } };
    const answer = review(request(broken, 'TriggerAuthentication'), { registry, kedaNamespace: 'updraft' });
    expect(answer.allowed).toBe(false);
    expect(answer.status?.message).toContain('spec.secretTargetRef[0]');
  });
});
