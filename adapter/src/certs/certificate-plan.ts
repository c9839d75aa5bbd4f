import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import { createCertificate, parseCertificates, type CertificateAndKey } from '../serve/tls/certificates.js';

/**
 * The adapter's own PKI, as it is kept in the Secret every replica shares:
 * `ca.crt` the CAs clients must trust (the signing CA first, then older ones still valid during a
 * CA rotation), `ca.key` the signing CA's key, `tls.crt` the serving certificate followed by its
 * CA, `tls.key` its key.
 */
export interface CertificateSet {
  readonly caBundle: string;
  readonly caKey: string;
  readonly tlsCert: string;
  readonly tlsKey: string;
}

export const SECRET_KEYS = { caBundle: 'ca.crt', caKey: 'ca.key', tlsCert: 'tls.crt', tlsKey: 'tls.key' } as const;

export interface CertificatePolicy {
  /** Names the serving certificate must be valid for (<service>.<namespace>.svc first). */
  readonly hosts: readonly string[];
  readonly caValidityMs: number;
  readonly servingValidityMs: number;
  /** Renew when less than this fraction of a certificate's lifetime is left. */
  readonly renewFraction: number;
}

/** As KEDA's rotator: a long-lived CA, a serving certificate renewed well before it ends. */
export const DEFAULT_CERTIFICATE_POLICY: Omit<CertificatePolicy, 'hosts'> = {
  caValidityMs: 5 * 365 * 86_400_000,
  servingValidityMs: 90 * 86_400_000,
  renewFraction: 1 / 3,
};

export type Plan = { readonly action: 'keep'; readonly set: CertificateSet } | { readonly action: 'write'; readonly set: CertificateSet; readonly reason: string };

export function toSecretData(set: CertificateSet): Record<string, string> {
  return { [SECRET_KEYS.caBundle]: set.caBundle, [SECRET_KEYS.caKey]: set.caKey, [SECRET_KEYS.tlsCert]: set.tlsCert, [SECRET_KEYS.tlsKey]: set.tlsKey };
}

export function fromSecretData(data: Readonly<Record<string, string>> | undefined): Partial<CertificateSet> {
  return {
    ...(data?.[SECRET_KEYS.caBundle] ? { caBundle: data[SECRET_KEYS.caBundle] } : {}),
    ...(data?.[SECRET_KEYS.caKey] ? { caKey: data[SECRET_KEYS.caKey] } : {}),
    ...(data?.[SECRET_KEYS.tlsCert] ? { tlsCert: data[SECRET_KEYS.tlsCert] } : {}),
    ...(data?.[SECRET_KEYS.tlsKey] ? { tlsKey: data[SECRET_KEYS.tlsKey] } : {}),
  };
}

function expiring(cert: X509Certificate, lifetimeFraction: number, now: number): boolean {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  return to - now < (to - from) * lifetimeFraction;
}

function valid(cert: X509Certificate, now: number): boolean {
  return Date.parse(cert.validFrom) <= now && now < Date.parse(cert.validTo);
}

function keyMatches(certificate: X509Certificate, keyPem: string): boolean {
  try {
    const publicKey = createPublicKey(createPrivateKey(keyPem));
    return certificate.publicKey.equals(publicKey);
  } catch {
    return false;
  }
}

function issue(subject: string, validityMs: number, now: number, extra: { issuer?: CertificateAndKey; hosts?: readonly string[]; isCA?: boolean }): CertificateAndKey {
  // A little back-dating absorbs clock skew between replicas and the API server.
  const backdate = Math.min(60_000, validityMs * 0.05);
  const notBefore = new Date(now - backdate);
  return createCertificate({
    subject: { commonName: subject },
    notBefore,
    validDays: (validityMs + backdate) / 86_400_000,
    ...(extra.issuer ? { issuer: extra.issuer } : {}),
    ...(extra.hosts ? { hosts: extra.hosts, extendedKeyUsages: ['serverAuth'] as const } : {}),
    ...(extra.isCA ? { isCA: true } : {}),
  });
}

/**
 * What the Secret should hold now: the current set when it is whole, valid and far from its end;
 * else a set that keeps every client working. A new CA is added in front of the old one (the old
 * stays trusted until it expires, so certificates it signed keep verifying while replicas switch).
 */
export function planCertificates(current: Partial<CertificateSet>, policy: CertificatePolicy, now = Date.now()): Plan {
  const bundle = current.caBundle ? safeParse(current.caBundle).filter((cert) => valid(cert, now)) : [];
  let signer: X509Certificate | undefined = bundle[0];
  let caKey = current.caKey;
  let reason: string | undefined;

  if (!signer || !caKey || !keyMatches(signer, caKey)) {
    reason = current.caBundle === undefined && current.tlsCert === undefined ? 'no certificates yet' : 'the CA is missing, expired or does not match its key';
    signer = undefined;
  } else if (expiring(signer, policy.renewFraction, now)) {
    reason = `the CA ends ${signer.validTo}`;
    signer = undefined;
  }
  let trusted = bundle;
  if (!signer) {
    const ca = issue(`updraft-ca@${Math.floor(now / 1000)}`, policy.caValidityMs, now, { isCA: true });
    signer = new X509Certificate(ca.certPem);
    caKey = ca.keyPem;
    trusted = [signer, ...bundle];
  }
  const caPem = signer.toString();

  const leaf = current.tlsCert ? safeParse(current.tlsCert)[0] : undefined;
  const leafOk =
    !reason &&
    leaf !== undefined &&
    current.tlsKey !== undefined &&
    valid(leaf, now) &&
    keyMatches(leaf, current.tlsKey) &&
    leaf.checkIssued(signer) &&
    leaf.verify(signer.publicKey) &&
    policy.hosts.every((host) => (isIP(host) ? leaf.checkIP(host) : leaf.checkHost(host)) !== undefined);
  let tlsCert = current.tlsCert;
  let tlsKey = current.tlsKey;
  if (!leafOk || expiring(leaf!, policy.renewFraction, now)) {
    reason ??= !leafOk ? 'the serving certificate is missing, invalid, or not for these names' : `the serving certificate ends ${leaf!.validTo}`;
    const made = issue(policy.hosts[0] ?? 'localhost', policy.servingValidityMs, now, { issuer: { certPem: caPem, keyPem: caKey! }, hosts: policy.hosts });
    tlsCert = made.certPem + caPem;
    tlsKey = made.keyPem;
  }
  const set: CertificateSet = { caBundle: trusted.map((cert) => cert.toString()).join(''), caKey: caKey!, tlsCert: tlsCert!, tlsKey: tlsKey! };
  if (reason === undefined && set.caBundle === current.caBundle) return { action: 'keep', set };
  return { action: 'write', set, reason: reason ?? 'an expired CA left the bundle' };
}

function safeParse(pem: string): X509Certificate[] {
  try {
    return parseCertificates(pem);
  } catch {
    return [];
  }
}

/** When the next check is due: at the earliest renewal point of the set, and at least every `maxMs`. */
export function nextCheckDelay(set: CertificateSet, policy: CertificatePolicy, maxMs: number, now = Date.now()): number {
  const times = [...safeParse(set.tlsCert).slice(0, 1), ...safeParse(set.caBundle).slice(0, 1)].map((cert) => {
    const from = Date.parse(cert.validFrom);
    const to = Date.parse(cert.validTo);
    return to - (to - from) * policy.renewFraction - now;
  });
  return Math.max(1_000, Math.min(maxMs, ...times));
}

/** The CAs of `first`, then those of `second` not already there; expired ones dropped. */
export function mergeBundles(first: string, second: string, now = Date.now()): string {
  const seen = new Set<string>();
  const merged: string[] = [];
  for (const cert of [...safeParse(first), ...safeParse(second)]) {
    if (!valid(cert, now) || seen.has(cert.fingerprint256)) continue;
    seen.add(cert.fingerprint256);
    merged.push(cert.toString());
  }
  return merged.join('');
}

export function countCertificates(pem: string): number {
  return safeParse(pem).length;
}
