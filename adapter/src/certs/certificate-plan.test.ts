import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCertificates } from '../serve/tls/certificates.js';
import { mergeBundles, nextCheckDelay, planCertificates, type CertificatePolicy, type CertificateSet } from './certificate-plan.js';

const HOUR = 3_600_000;
const policy: CertificatePolicy = { hosts: ['updraft.updraft.svc', 'updraft.updraft.svc.cluster.local'], caValidityMs: 300 * HOUR, servingValidityMs: 30 * HOUR, renewFraction: 1 / 3 };
const T0 = Date.parse('2026-12-01T00:00:00Z');

function written(plan: ReturnType<typeof planCertificates>): CertificateSet {
  expect(plan.action).toBe('write');
  return plan.set;
}

function leafOf(set: CertificateSet): X509Certificate {
  return parseCertificates(set.tlsCert)[0]!;
}

describe('planCertificates', () => {
  it('makes a CA and a serving certificate for the Service names when the Secret is empty', () => {
    const plan = planCertificates({}, policy, T0);
    expect(plan).toMatchObject({ action: 'write', reason: 'no certificates yet' });
    const [ca, ...rest] = parseCertificates(plan.set.caBundle);
    expect(rest).toEqual([]);
    const leaf = leafOf(plan.set);
    expect(ca!.ca).toBe(true);
    expect(leaf.verify(ca!.publicKey)).toBe(true);
    expect(leaf.checkHost('updraft.updraft.svc')).toBe('updraft.updraft.svc');
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    // tls.crt carries the chain, as a TLS server presents it.
    expect(parseCertificates(plan.set.tlsCert)[1]!.fingerprint256).toBe(ca!.fingerprint256);
  });

  it('keeps a set that is whole and far from its end', () => {
    const set = written(planCertificates({}, policy, T0));
    expect(planCertificates(set, policy, T0 + 10 * HOUR)).toEqual({ action: 'keep', set });
  });

  it('renews the serving certificate with the same CA when less than a third of its life is left', () => {
    const set = written(planCertificates({}, policy, T0));
    const later = planCertificates(set, policy, T0 + 21 * HOUR);
    expect(later).toMatchObject({ action: 'write', reason: expect.stringContaining('the serving certificate ends') });
    expect(later.set.caBundle).toBe(set.caBundle);
    expect(later.set.caKey).toBe(set.caKey);
    expect(leafOf(later.set).serialNumber).not.toBe(leafOf(set).serialNumber);
    expect(leafOf(later.set).verify(parseCertificates(set.caBundle)[0]!.publicKey)).toBe(true);
  });

  it('rotates a CA near its end by putting a new one in front; the old stays trusted until it expires', () => {
    const set = written(planCertificates({}, policy, T0));
    const oldCa = parseCertificates(set.caBundle)[0]!;
    const rotated = written(planCertificates(set, policy, T0 + 201 * HOUR));
    const [newCa, kept] = parseCertificates(rotated.caBundle);
    expect(kept!.fingerprint256).toBe(oldCa.fingerprint256);
    expect(newCa!.fingerprint256).not.toBe(oldCa.fingerprint256);
    expect(leafOf(rotated).verify(newCa!.publicKey)).toBe(true);
    // Once the old CA has expired it leaves the bundle.
    const afterExpiry = written(planCertificates(rotated, policy, T0 + 301 * HOUR));
    expect(parseCertificates(afterExpiry.caBundle).map((c) => c.fingerprint256)).not.toContain(oldCa.fingerprint256);
  });

  it('re-issues when the names change, the key does not match, or the data is not PEM', () => {
    const set = written(planCertificates({}, policy, T0));
    expect(planCertificates(set, { ...policy, hosts: ['updraft.other.svc'] }, T0 + HOUR).action).toBe('write');
    const other = written(planCertificates({}, policy, T0));
    expect(planCertificates({ ...set, tlsKey: other.tlsKey }, policy, T0 + HOUR).action).toBe('write');
    const broken = written(planCertificates({ caBundle: 'garbage', caKey: 'garbage', tlsCert: 'x', tlsKey: 'y' }, policy, T0));
    expect(leafOf(broken).verify(parseCertificates(broken.caBundle)[0]!.publicKey)).toBe(true);
  });

  it('schedules the next check at the earliest renewal point', () => {
    const set = written(planCertificates({}, policy, T0));
    const delay = nextCheckDelay(set, policy, 1_000 * HOUR, T0);
    expect(delay).toBeGreaterThan(19 * HOUR);
    expect(delay).toBeLessThan(21 * HOUR);
  });
});

describe('mergeBundles', () => {
  it('keeps the order of the first, adds what the second has, drops duplicates and expired CAs', () => {
    const a = written(planCertificates({}, policy, T0)).caBundle;
    const b = written(planCertificates({}, { ...policy, caValidityMs: HOUR }, T0)).caBundle;
    const merged = mergeBundles(a, a + b, T0 + 1000);
    expect(parseCertificates(merged)).toHaveLength(2);
    expect(parseCertificates(mergeBundles(a, b, T0 + 2 * HOUR))).toHaveLength(1);
  });
});
