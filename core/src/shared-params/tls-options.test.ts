import { rootCertificates } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { tlsClientOptions, tlsMaterialKey } from './tls-options.js';

describe('tlsClientOptions', () => {
  it('verifies against the system roots by default, with TLS 1.2 at least', () => {
    expect(tlsClientOptions({})).toEqual({ minVersion: 'TLSv1.2', rejectUnauthorized: true });
  });

  it('adds ca to the system roots, as KEDA appends it to the system pool', () => {
    const options = tlsClientOptions({ ca: 'PEM-CA' });
    expect(options.ca).toEqual([...rootCertificates, 'PEM-CA']);
  });

  it('presents a client certificate only when both cert and key are given', () => {
    expect(tlsClientOptions({ cert: 'C', key: 'K' })).toMatchObject({ cert: 'C', key: 'K' });
    expect(tlsClientOptions({ cert: 'C' })).not.toHaveProperty('cert');
    expect(tlsClientOptions({ key: 'K' })).not.toHaveProperty('key');
  });

  it('unsafeSsl turns verification off', () => {
    expect(tlsClientOptions({ unsafeSsl: true, ca: 'PEM-CA' }).rejectUnauthorized).toBe(false);
  });
});

describe('tlsMaterialKey', () => {
  it('is equal for equal material and differs when any part differs', () => {
    const base = { ca: 'a', cert: 'b', key: 'c', unsafeSsl: false };
    expect(tlsMaterialKey(base)).toBe(tlsMaterialKey({ ...base }));
    const keys = new Set([base, { ...base, ca: 'x' }, { ...base, cert: 'x' }, { ...base, key: 'x' }, { ...base, unsafeSsl: true }, {}].map(tlsMaterialKey));
    expect(keys.size).toBe(6);
  });

  it('holds no secret: a SHA-256 hex digest', () => {
    const key = tlsMaterialKey({ key: 'PRIVATE-KEY-MATERIAL' });
    expect(key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('cannot be confused by moving text between fields', () => {
    expect(tlsMaterialKey({ ca: 'ab', cert: '' })).not.toBe(tlsMaterialKey({ ca: 'a', cert: 'b' }));
  });
});
