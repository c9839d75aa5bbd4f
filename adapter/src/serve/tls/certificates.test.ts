import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createCertificate, generateServingCertificate, parseCertificates } from './certificates.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version']);
    return true;
  } catch {
    return false;
  }
})();

describe('createCertificate', () => {
  it('writes a CA and a leaf that node parses, with the requested names, usages and groups', () => {
    const ca = createCertificate({ subject: { commonName: 'test-ca' }, isCA: true });
    const leaf = createCertificate({
      subject: { commonName: 'jane', organizations: ['devs', 'ops'] },
      issuer: ca,
      hosts: ['localhost', '127.0.0.1', '::1', 'updraft.keda.svc'],
      extendedKeyUsages: ['clientAuth', 'serverAuth'],
    });
    const caCert = new X509Certificate(ca.certPem);
    const cert = new X509Certificate(leaf.certPem);
    expect(caCert.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(caCert)).toBe(true);
    expect(cert.verify(caCert.publicKey)).toBe(true);
    expect(caCert.verify(caCert.publicKey)).toBe(true);
    expect(cert.subject.split('\n')).toEqual(['O=devs', 'O=ops', 'CN=jane']);
    expect(cert.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:updraft.keda.svc');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2', '1.3.6.1.5.5.7.3.1']);
    expect(cert.checkPrivateKey).toBeTypeOf('function');
  });

  it.skipIf(!hasOpenssl)('is accepted by openssl verify', () => {
    const dir = mkdtempSync(join(tmpdir(), 'updraft-certs-'));
    try {
      const ca = createCertificate({ subject: { commonName: 'test-ca' }, isCA: true });
      const leaf = createCertificate({ subject: { commonName: 'front-proxy-client' }, issuer: ca, extendedKeyUsages: ['clientAuth'] });
      writeFileSync(join(dir, 'ca.crt'), ca.certPem);
      writeFileSync(join(dir, 'leaf.crt'), leaf.certPem);
      const out = execFileSync('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', join(dir, 'ca.crt'), join(dir, 'leaf.crt')]).toString();
      expect(out).toContain('OK');
      const text = execFileSync('openssl', ['x509', '-noout', '-text', '-in', join(dir, 'leaf.crt')]).toString();
      expect(text).toContain('TLS Web Client Authentication');
      expect(text).toContain('CA:FALSE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('generateServingCertificate', () => {
  it('serves TLS that a client trusting only the generated CA verifies, for every host name', async () => {
    const generated = generateServingCertificate(['localhost', '127.0.0.1', 'updraft.keda.svc']);
    expect(parseCertificates(generated.certPem)).toHaveLength(2);
    const server = createServer({ cert: generated.certPem, key: generated.keyPem }, (_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      for (const servername of ['localhost', 'updraft.keda.svc']) {
        const body = await new Promise<string>((resolve, reject) => {
          const req = request({ host: '127.0.0.1', port, servername, ca: generated.caPem, path: '/', agent: false }, (res) => {
            let data = '';
            res.on('data', (chunk) => (data += chunk));
            res.on('end', () => resolve(data));
          });
          req.on('error', reject);
          req.end();
        });
        expect(body).toBe('ok');
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
