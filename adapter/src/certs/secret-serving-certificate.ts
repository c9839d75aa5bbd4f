import { ServingCertificate, type CertificateKeyPair } from '../serve/tls/serving-certificate.js';
import type { CertificateSet } from './certificate-plan.js';
import type { SelfManagedCertificates } from './self-managed-certificates.js';

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/**
 * `serve --cert-secret`: the serving certificate of SelfManagedCertificates, in the place of the
 * --tls-cert files. The HTTPS server swaps it in with setSecureContext on every change: new
 * connections get the new certificate, connections already open finish with the old one (still
 * valid), so a rotation drops no request.
 */
export class SecretServingCertificate extends ServingCertificate {
  private readonly pairListeners = new Set<(pair: CertificateKeyPair) => void>();
  private unsubscribe?: () => void;

  constructor(
    private readonly certificates: SelfManagedCertificates,
    hosts: readonly string[],
    logger: Logger,
  ) {
    super({ hosts }, logger);
  }

  override get generated(): undefined {
    return undefined;
  }

  override async start(): Promise<void> {
    await this.certificates.start();
    this.unsubscribe = this.certificates.onChange((set) => {
      const pair = toPair(set);
      for (const listener of this.pairListeners) listener(pair);
    });
  }

  override stop(): void {
    this.unsubscribe?.();
    this.certificates.stop();
  }

  override current(): CertificateKeyPair {
    return toPair(this.certificates.current());
  }

  override onChange(listener: (pair: CertificateKeyPair) => void): () => void {
    this.pairListeners.add(listener);
    return () => this.pairListeners.delete(listener);
  }

  override async check(): Promise<void> {
    await this.certificates.reconcile();
  }
}

function toPair(set: CertificateSet): CertificateKeyPair {
  return { cert: set.tlsCert, key: set.tlsKey };
}
