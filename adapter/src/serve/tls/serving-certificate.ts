import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { generateServingCertificate, parseCertificates, type GeneratedServingCertificate } from './certificates.js';

export interface ServingCertificateOptions {
  /** `--tls-cert` and `--tls-key`: both or neither. */
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Names and addresses the generated certificate is valid for. */
  readonly hosts: readonly string[];
  /** How often the files are read again when no watch event came. Default 15 s. */
  readonly checkIntervalMs?: number;
}

export interface CertificateKeyPair {
  readonly cert: string;
  readonly key: string;
}

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/**
 * The external metrics API's serving certificate: the --tls-cert/--tls-key files, read again when
 * they change (cert-manager and Secret volumes rotate them in place), or, without files, one made at
 * start with a CA of its own (never written to disk). A changed pair that does not load (a key that
 * does not match, a file caught half written) is reported and the current pair stays in use.
 */
export class ServingCertificate {
  private pair?: CertificateKeyPair;
  private generatedCertificate?: GeneratedServingCertificate;
  private readonly listeners = new Set<(pair: CertificateKeyPair) => void>();
  private readonly watchers: FSWatcher[] = [];
  private timer?: NodeJS.Timeout;
  private debounce?: NodeJS.Timeout;
  private lastRejected = '';

  constructor(
    private readonly options: ServingCertificateOptions,
    private readonly logger: Logger,
  ) {
    if ((options.certFile === undefined) !== (options.keyFile === undefined)) throw new Error('--tls-cert and --tls-key go together: give both, or neither to have a certificate made at start');
  }

  /** The certificate made at start, when no files were given. */
  get generated(): GeneratedServingCertificate | undefined {
    return this.generatedCertificate;
  }

  async start(): Promise<void> {
    const { certFile, keyFile } = this.options;
    if (certFile === undefined || keyFile === undefined) {
      this.generatedCertificate = generateServingCertificate(this.options.hosts);
      this.pair = { cert: this.generatedCertificate.certPem, key: this.generatedCertificate.keyPem };
      this.logger.info({ hosts: this.options.hosts, caFingerprint: this.generatedCertificate.caFingerprint }, 'no --tls-cert/--tls-key: serving a certificate made at start (self-signed CA, not kept); clients must skip verification or trust that CA');
      return;
    }
    const pair = await this.read();
    checkPair(pair, certFile, keyFile);
    this.pair = pair;
    this.logger.info({ cert: certFile, ...describe(pair) }, 'serving certificate loaded');
    for (const directory of new Set([dirname(resolve(certFile)), dirname(resolve(keyFile))])) {
      try {
        const watcher = watch(directory, { persistent: false }, () => this.scheduleCheck());
        watcher.on('error', () => watcher.close());
        this.watchers.push(watcher);
      } catch {
        // The periodic check covers folders that cannot be watched.
      }
    }
    this.timer = setInterval(() => void this.check(), this.options.checkIntervalMs ?? 15_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    clearTimeout(this.debounce);
    for (const watcher of this.watchers) watcher.close();
    this.watchers.length = 0;
  }

  current(): CertificateKeyPair {
    if (!this.pair) throw new Error('the serving certificate is not loaded yet');
    return this.pair;
  }

  onChange(listener: (pair: CertificateKeyPair) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private scheduleCheck(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.check(), 100);
    this.debounce.unref();
  }

  /** Reads the files; switches to them when they changed and load. */
  async check(): Promise<void> {
    const { certFile, keyFile } = this.options;
    if (certFile === undefined || keyFile === undefined || !this.pair) return;
    let pair: CertificateKeyPair;
    try {
      pair = await this.read();
    } catch (error) {
      this.reject(`${(error as Error).message}`);
      return;
    }
    if (pair.cert === this.pair.cert && pair.key === this.pair.key) return;
    try {
      checkPair(pair, certFile, keyFile);
    } catch (error) {
      this.reject((error as Error).message);
      return;
    }
    this.pair = pair;
    this.lastRejected = '';
    this.logger.info({ cert: certFile, ...describe(pair) }, 'serving certificate reloaded');
    for (const listener of this.listeners) listener(pair);
  }

  private reject(why: string): void {
    if (why === this.lastRejected) return;
    this.lastRejected = why;
    this.logger.warn({ cert: this.options.certFile, key: this.options.keyFile, error: why }, 'the changed serving certificate does not load; still serving the previous one');
  }

  private async read(): Promise<CertificateKeyPair> {
    const [cert, key] = await Promise.all([readFile(this.options.certFile!, 'utf8'), readFile(this.options.keyFile!, 'utf8')]);
    return { cert, key };
  }
}

function checkPair(pair: CertificateKeyPair, certFile: string, keyFile: string): void {
  try {
    createSecureContext({ cert: pair.cert, key: pair.key });
  } catch (error) {
    throw new Error(`${certFile} and ${keyFile} are not a certificate and its private key: ${(error as Error).message}`);
  }
}

function describe(pair: CertificateKeyPair): { subject?: string; subjectAltName?: string; validTo?: string } {
  const [leaf] = parseCertificates(pair.cert);
  if (!leaf) return {};
  return { subject: leaf.subject.replace(/\n/g, ','), ...(leaf.subjectAltName ? { subjectAltName: leaf.subjectAltName } : {}), validTo: leaf.validTo };
}
