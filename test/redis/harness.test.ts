import { X509Certificate } from 'node:crypto';
import { expect, it } from 'vitest';
import { MissingBinaryError, scratchDir } from '../harness/process.js';
import { makeTestCertificates, run } from '../harness/redis.js';

it('a missing binary is a MissingBinaryError naming the Debian package to install', async () => {
  const failure = run('updraft-no-such-redis-cli', ['--version'], 'redis-tools');
  await expect(failure).rejects.toBeInstanceOf(MissingBinaryError);
  await expect(failure).rejects.toThrow(/updraft-no-such-redis-cli is not installed: install the Debian package redis-tools/);
});

it('the test certificates chain to the test CA, name 127.0.0.1, and the other CA is unrelated', async () => {
  const dir = await scratchDir('redis-certs');
  try {
    const certificates = await makeTestCertificates(dir.path);
    const ca = new X509Certificate(certificates.ca);
    const server = new X509Certificate(certificates.serverCert);
    const client = new X509Certificate(certificates.clientCert);
    expect(server.checkIssued(ca) && server.verify(ca.publicKey)).toBe(true);
    expect(client.checkIssued(ca) && client.verify(ca.publicKey)).toBe(true);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkIssued(new X509Certificate(certificates.otherCa))).toBe(false);
    expect(certificates.encryptedClientKey).toContain('BEGIN ENCRYPTED PRIVATE KEY');
  } finally {
    await dir.dispose();
  }
});
