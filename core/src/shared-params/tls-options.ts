import { createHash } from 'node:crypto';
import { rootCertificates, type ConnectionOptions } from 'node:tls';

/** TLS material as `tlsParams` parse it from a trigger and its TriggerAuthentication. */
export interface TlsMaterial {
  /** PEM CA certificate(s) trusted for the server, in addition to the system roots. */
  readonly ca?: string | undefined;
  /** PEM client certificate; used only together with `key`. */
  readonly cert?: string | undefined;
  /** PEM private key of the client certificate. */
  readonly key?: string | undefined;
  /** Skip verification of the server certificate. */
  readonly unsafeSsl?: boolean | undefined;
}

/**
 * Node TLS client options for parsed TLS material, built as KEDA builds its `tls.Config`
 * (`pkg/util/tls_config.go`): the system roots plus `ca`, a client certificate when both `cert` and
 * `key` are given, TLS 1.2 at least, and no server verification when `unsafeSsl`. Pass the result to
 * `tls.connect`, an `https.Agent` or `tls.createSecureContext` (which reports unreadable PEM early).
 */
export function tlsClientOptions(material: TlsMaterial): ConnectionOptions {
  const options: ConnectionOptions = { minVersion: 'TLSv1.2', rejectUnauthorized: !material.unsafeSsl };
  // KEDA appends the CA to the system pool rather than replacing it.
  if (material.ca) options.ca = [...rootCertificates, material.ca];
  if (material.cert && material.key) {
    options.cert = material.cert;
    options.key = material.key;
  }
  return options;
}

/**
 * A key under which clients built from the same TLS material can be shared (`SharedResourcePool`):
 * a SHA-256 over the material, so the key itself never holds a secret.
 */
export function tlsMaterialKey(material: TlsMaterial): string {
  const parts = [material.ca ?? '', material.cert ?? '', material.key ?? '', material.unsafeSsl ? 'unsafe' : 'verify'];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}
