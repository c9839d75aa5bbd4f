import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, startRedisTls, type RedisInstance, type RedisTlsInstance } from '../harness/redis.js';
import { everythingIn, redisTriggers, scalerError } from './triggers.js';

// TLS against real redis-servers that speak only TLS (`--port 0 --tls-port`), with a CA and
// certificates openssl makes for this run: what works, and what each mistake says.

let tls: RedisTlsInstance;
let mutual: RedisTlsInstance;
let plain: RedisInstance;
// Short timeouts: some of these failures are timeouts by nature.
const triggers = redisTriggers({ connectTimeoutMs: 1_000, commandTimeoutMs: 2_000 });

beforeAll(async () => {
  [tls, mutual, plain] = await Promise.all([startRedisTls(), startRedisTls({ clientCertificates: 'yes' }), startRedis()]);
  await tls.admin().rpush('jobs', '1', '2', '3');
  await tls.admin().xadd('events', '*', 'k', 'v');
  await mutual.admin().rpush('jobs', '1', '2');
});

afterEach(() => triggers.closeAll());
afterAll(async () => {
  await triggers.closeAll();
  await Promise.all([tls?.stop(), mutual?.stop(), plain?.stop()]);
});

const list = (address: string, metadata: Record<string, string> = {}) => ({ address, listName: 'jobs', ...metadata });

describe('server certificate', () => {
  it('enableTLS with the CA in the TriggerAuthentication reads', async () => {
    const result = await triggers.readOnce('redis', { metadata: list(tls.address, { enableTLS: 'true' }), authParams: { ca: tls.certificates.ca } });
    expect(result.values[0]!.value).toBe(3);
  });

  it('tls: enable in the TriggerAuthentication reads too, for streams as for lists', async () => {
    const result = await triggers.readOnce('redis-streams', { metadata: { address: tls.address, stream: 'events' }, authParams: { tls: 'enable', ca: tls.certificates.ca } });
    expect(result.values[0]!.value).toBe(1);
  });

  it('a CA that did not sign the server certificate is a tls error about certificate verification', async () => {
    await scalerError(
      triggers.readOnce('redis', { metadata: list(tls.address, { enableTLS: 'true' }), authParams: { ca: tls.certificates.otherCa } }),
      'tls',
      new RegExp(`^TLS certificate verification failed for ${tls.address}: .*: set ca to the certificate of the CA`),
    );
  });

  it('no ca (the system roots do not know the test CA) is the same tls error', async () => {
    await scalerError(triggers.readOnce('redis', { metadata: list(tls.address, { enableTLS: 'true' }) }), 'tls', /^TLS certificate verification failed/);
  });

  it.each([
    ['without a CA', {}],
    ['with the wrong CA', { ca: 'other' }],
  ])('unsafeSsl skips verification %s', async (_, auth: { ca?: string }) => {
    const authParams: Record<string, string> = auth.ca ? { ca: tls.certificates.otherCa } : {};
    const result = await triggers.readOnce('redis', { metadata: list(tls.address, { enableTLS: 'true', unsafeSsl: 'true' }), authParams });
    expect(result.values[0]!.value).toBe(3);
  });
});

describe('TLS on one side only', () => {
  it('a plaintext trigger against the TLS port fails promptly with a tls error that says to enable TLS', async () => {
    const started = performance.now();
    await scalerError(
      triggers.readOnce('redis', { metadata: list(tls.address) }),
      'tls',
      new RegExp(`^${tls.address} closed the connection before Redis answered: is TLS enabled on the server\\? set enableTLS: "true"`),
    );
    expect(performance.now() - started).toBeLessThan(3_000);
  });

  it('a TLS trigger against a plaintext server fails within the connect timeout, hinting at TLS', async () => {
    const started = performance.now();
    await scalerError(
      triggers.readOnce('redis', { metadata: list(plain.address, { enableTLS: 'true' }), authParams: { ca: tls.certificates.ca } }),
      'unreachable',
      new RegExp(`^connecting to ${plain.address} timed out after 1000 ms: .*a port that does not speak TLS \\(then remove enableTLS\\)`),
    );
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});

describe('client certificates (tls-auth-clients yes)', () => {
  const certificates = () => mutual.certificates;

  it('cert and key from the TriggerAuthentication read', async () => {
    const { ca, clientCert: cert, clientKey: key } = certificates();
    const result = await triggers.readOnce('redis', { metadata: list(mutual.address, { enableTLS: 'true' }), authParams: { ca, cert, key } });
    expect(result.values[0]!.value).toBe(2);
  });

  it('an encrypted key opens with keyPassword', async () => {
    const { ca, clientCert: cert, encryptedClientKey: key, keyPassword } = certificates();
    const result = await triggers.readOnce('redis', { metadata: list(mutual.address, { enableTLS: 'true' }), authParams: { ca, cert, key, keyPassword } });
    expect(result.values[0]!.value).toBe(2);
  });

  it('a wrong keyPassword is a tls error about the key, and never prints it', async () => {
    const { ca, clientCert: cert, encryptedClientKey: key } = certificates();
    const error = await scalerError(
      triggers.readOnce('redis', { metadata: list(mutual.address, { enableTLS: 'true' }), authParams: { ca, cert, key, keyPassword: 'not-the-pass-phrase' } }),
      'tls',
      /^cannot load the TLS client certificate or key for .*keyPassword, if any, right\)\?/,
    );
    expect(everythingIn(error)).not.toContain('not-the-pass-phrase');
    expect(everythingIn(error)).not.toContain('PRIVATE KEY');
  });

  it('no client certificate is a tls error that says the server wants one', async () => {
    await scalerError(
      triggers.readOnce('redis', { metadata: list(mutual.address, { enableTLS: 'true' }), authParams: { ca: certificates().ca } }),
      'tls',
      new RegExp(`^${mutual.address} requires a client certificate: set cert and key`),
    );
  });
});

it('triggers share a TLS connection only with the same TLS material', async () => {
  const { ca, otherCa } = tls.certificates;
  const same = [0, 1, 2].map(() => triggers.create('redis', { metadata: list(tls.address, { enableTLS: 'true' }), authParams: { ca } }));
  const unverified = triggers.create('redis', { metadata: list(tls.address, { enableTLS: 'true', unsafeSsl: 'true' }), authParams: { ca: otherCa } });
  expect(await Promise.all([...same, unverified].map((scaler) => triggers.value(scaler)))).toEqual([3, 3, 3, 3]);
  expect(triggers.connections.size).toBe(2);
  expect(await tls.clients()).toBe(2);
  await triggers.closeAll();
  expect(await tls.clients()).toBe(0);
});
