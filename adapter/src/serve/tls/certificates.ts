import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import * as der from './der.js';

/**
 * X.509 certificates made with node:crypto alone (EC P-256 keys, ECDSA with SHA-256): node can
 * parse and verify certificates but not write them, so the TBSCertificate is encoded here (RFC 5280).
 */

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

export interface DistinguishedName {
  readonly commonName: string;
  /** Kubernetes reads O as the user's groups. */
  readonly organizations?: readonly string[];
}

export interface CertificateAndKey {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface CertificateRequest {
  readonly subject: DistinguishedName;
  /** Signs the certificate; omitted for a self-signed one. */
  readonly issuer?: CertificateAndKey;
  readonly isCA?: boolean;
  /** subjectAltName entries: DNS names and IP addresses (either kind, told apart here). */
  readonly hosts?: readonly string[];
  readonly extendedKeyUsages?: readonly ('serverAuth' | 'clientAuth')[];
  readonly notBefore?: Date;
  readonly validDays?: number;
}

function name(dn: DistinguishedName): Buffer {
  const rdn = (oid: string, value: string) => der.set(der.sequence(der.objectIdentifier(oid), der.utf8String(value)));
  return der.sequence(...(dn.organizations ?? []).map((o) => rdn(OID.organization, o)), rdn(OID.commonName, dn.commonName));
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return der.sequence(der.objectIdentifier(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
}

function ipBytes(address: string): Buffer {
  if (isIP(address) === 4) return Buffer.from(address.split('.').map(Number));
  // IPv6: expand `::` and write eight 16-bit groups.
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  const bytes = Buffer.alloc(16);
  groups.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), i * 2));
  return bytes;
}

function keyIdentifier(publicKey: KeyObject): Buffer {
  return createHash('sha1').update(publicKey.export({ type: 'spki', format: 'der' })).digest();
}

/** Issues a certificate for a new P-256 key. */
export function createCertificate(request: CertificateRequest): CertificateAndKey {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const issuerKey = request.issuer ? createPrivateKey(request.issuer.keyPem) : privateKey;
  if (issuerKey.asymmetricKeyType !== 'ec') throw new Error('the issuer key must be an EC key');
  const issuerCert = request.issuer ? new X509Certificate(request.issuer.certPem) : undefined;
  const issuerName = issuerCert ? rawSubject(issuerCert) : name(request.subject);
  const issuerKeyId = keyIdentifier(issuerCert ? issuerCert.publicKey : publicKey);

  const notBefore = request.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = new Date(notBefore.getTime() + (request.validDays ?? 365) * 86_400_000);
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;

  const extensions: Buffer[] = [
    extension(OID.basicConstraints, true, request.isCA ? der.sequence(der.boolean(true)) : der.sequence()),
    // digitalSignature, plus keyCertSign and cRLSign for a CA.
    extension(OID.keyUsage, true, request.isCA ? der.bitString(Buffer.from([0x86]), 1) : der.bitString(Buffer.from([0x80]), 7)),
    extension(OID.subjectKeyIdentifier, false, der.octetString(keyIdentifier(publicKey))),
    extension(OID.authorityKeyIdentifier, false, der.sequence(der.implicitPrimitive(0, issuerKeyId))),
  ];
  if (request.extendedKeyUsages && request.extendedKeyUsages.length > 0) {
    extensions.push(extension(OID.extKeyUsage, false, der.sequence(...request.extendedKeyUsages.map((usage) => der.objectIdentifier(OID[usage])))));
  }
  if (request.hosts && request.hosts.length > 0) {
    const names = request.hosts.map((host) => (isIP(host) ? der.implicitPrimitive(7, ipBytes(host)) : der.implicitPrimitive(2, Buffer.from(host, 'ascii'))));
    extensions.push(extension(OID.subjectAltName, false, der.sequence(...names)));
  }

  const algorithm = der.sequence(der.objectIdentifier(OID.ecdsaWithSha256));
  const tbs = der.sequence(
    der.explicit(0, der.smallInteger(2)),
    der.unsignedInteger(serial),
    algorithm,
    issuerName,
    der.sequence(der.time(notBefore), der.time(notAfter)),
    name(request.subject),
    publicKey.export({ type: 'spki', format: 'der' }),
    der.explicit(3, der.sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, { key: issuerKey, dsaEncoding: 'der' });
  const certificate = der.sequence(tbs, algorithm, der.bitString(signature));
  return {
    certPem: toPem('CERTIFICATE', certificate),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** The issuer's subject exactly as encoded in its certificate, so that chains match byte for byte. */
function rawSubject(certificate: X509Certificate): Buffer {
  // Certificate → tbsCertificate → [version, serial, signature, issuer, validity, subject, ...]
  const certificateNode = children(certificate.raw)[0]!;
  const tbs = children(children(certificateNode.content)[0]!.content);
  const hasVersion = tbs[0]!.tag === 0xa0;
  return tbs[(hasVersion ? 1 : 0) + 4]!.whole;
}

interface Node {
  readonly tag: number;
  readonly content: Buffer;
  readonly whole: Buffer;
}

function children(buffer: Buffer): Node[] {
  const nodes: Node[] = [];
  let offset = 0;
  while (offset < buffer.length) {
    const start = offset;
    const tag = buffer[offset]!;
    let len = buffer[offset + 1]!;
    offset += 2;
    if (len & 0x80) {
      const count = len & 0x7f;
      len = 0;
      for (let i = 0; i < count; i += 1) len = len * 256 + buffer[offset + i]!;
      offset += count;
    }
    nodes.push({ tag, content: buffer.subarray(offset, offset + len), whole: buffer.subarray(start, offset + len) });
    offset += len;
  }
  return nodes;
}

function toPem(label: string, body: Buffer): string {
  const base64 = body.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${base64}\n-----END ${label}-----\n`;
}

/** A serving certificate made at start when no --tls-cert/--tls-key is given. */
export interface GeneratedServingCertificate {
  /** The serving certificate followed by its CA, as a TLS server presents them. */
  readonly certPem: string;
  readonly keyPem: string;
  /** The CA to trust (an APIService's caBundle), made for this process only. */
  readonly caPem: string;
  /** SHA-256 fingerprint of the CA, for logs. */
  readonly caFingerprint: string;
}

/**
 * What the apiserver's `GenerateSelfSignedCertKey` does: a CA made for this process, and a serving
 * certificate it signs for the given hosts. Nothing is written to disk.
 */
export function generateServingCertificate(hosts: readonly string[]): GeneratedServingCertificate {
  const ca = createCertificate({ subject: { commonName: `updraft-ca@${Math.floor(Date.now() / 1000)}` }, isCA: true, validDays: 365 });
  const leaf = createCertificate({
    subject: { commonName: hosts[0] ?? 'localhost' },
    issuer: ca,
    hosts,
    extendedKeyUsages: ['serverAuth'],
    validDays: 365,
  });
  return {
    certPem: leaf.certPem + ca.certPem,
    keyPem: leaf.keyPem,
    caPem: ca.certPem,
    caFingerprint: new X509Certificate(ca.certPem).fingerprint256,
  };
}

/** Every certificate in a PEM bundle. */
export function parseCertificates(pem: string | Buffer): X509Certificate[] {
  const text = pem.toString();
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((block) => new X509Certificate(block));
}
