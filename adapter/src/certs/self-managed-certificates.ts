import { mergeBundles, countCertificates, planCertificates, fromSecretData, nextCheckDelay, toSecretData, type CertificatePolicy, type CertificateSet } from './certificate-plan.js';

/** The Secret as the store returns it. */
export interface StoredSecret {
  readonly data: Readonly<Record<string, string>>;
  readonly resourceVersion: string;
}

/** 409: the Secret exists already (create), or changed since it was read (replace). */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** The one Secret in the adapter's namespace the replicas share; data values are plain text (not base64). */
export interface CertificateSecretStore {
  /** What is read and written, for logs: `namespace/name`. */
  readonly label: string;
  read(): Promise<StoredSecret | undefined>;
  create(data: Record<string, string>): Promise<StoredSecret>;
  replace(data: Record<string, string>, resourceVersion: string): Promise<StoredSecret>;
}

/** Where the CA must be trusted: the APIService's and the webhook configuration's caBundle. */
export interface CABundleTarget {
  readonly label: string;
  /** The caBundle now (PEM); '' when it has none. A missing object is an error. */
  read(): Promise<string>;
  /** Sets the caBundle. */
  write(caBundlePem: string): Promise<void>;
}

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface SelfManagedCertificatesOptions {
  readonly policy: CertificatePolicy;
  /** How often the Secret is read again, to take what another replica wrote. Default 60 s. */
  readonly checkIntervalMs?: number;
}

/**
 * The adapter's own CA and serving certificate without cert-manager. Every replica runs this: the
 * first to start creates the Secret (a replica that loses the race takes the winner's); a replica
 * that finds a certificate near its end renews it with an update conditioned on the resourceVersion
 * it read, so that two replicas never both rotate. A CA is published to the caBundles before any
 * replica can serve a certificate it signed, and stays in them until it expires.
 */
export class SelfManagedCertificates {
  private set?: CertificateSet;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readonly listeners = new Set<(set: CertificateSet) => void>();
  private published = new Map<string, string>();

  constructor(
    private readonly store: CertificateSecretStore,
    private readonly targets: readonly CABundleTarget[],
    private readonly options: SelfManagedCertificatesOptions,
    private readonly logger: Logger,
  ) {}

  /** Resolves once there is a certificate to serve; rejects when the Secret cannot be read or written. */
  async start(): Promise<CertificateSet> {
    this.stopped = false;
    const set = await this.reconcile();
    this.schedule();
    return set;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  current(): CertificateSet {
    if (!this.set) throw new Error('the serving certificate is not loaded yet');
    return this.set;
  }

  onChange(listener: (set: CertificateSet) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the Secret, renews what needs it, publishes the CA, and serves the result. */
  async reconcile(): Promise<CertificateSet> {
    for (let attempt = 1; ; attempt += 1) {
      const stored = await this.store.read();
      const plan = planCertificates(fromSecretData(stored?.data), this.options.policy);
      if (plan.action === 'keep') {
        await this.publish(plan.set.caBundle, 'exact');
        this.use(plan.set);
        return plan.set;
      }
      // The bundle first: no replica may serve a certificate whose CA the clients do not trust yet.
      // Added to what is there, so that a replica losing the race below never un-trusts the winner's CA.
      await this.publish(plan.set.caBundle, 'add');
      try {
        const written = stored ? await this.store.replace(toSecretData(plan.set), stored.resourceVersion) : await this.store.create(toSecretData(plan.set));
        this.logger.info({ secret: this.store.label, reason: plan.reason, resourceVersion: written.resourceVersion }, stored ? 'serving certificate renewed' : 'serving certificate created');
        this.use(plan.set);
        return plan.set;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= 5) throw error;
        // Another replica wrote first: take what it wrote (the next pass re-publishes its bundle).
        this.logger.info({ secret: this.store.label }, 'another replica wrote the certificate Secret first; using its certificates');
      }
    }
  }

  /** `exact`: the Secret's bundle; `add`: what the target trusts plus the new CAs (expired ones dropped). */
  private async publish(caBundle: string, mode: 'exact' | 'add'): Promise<void> {
    for (const target of this.targets) {
      if (mode === 'exact' && this.published.get(target.label) === caBundle) continue;
      const now = await target.read();
      const wanted = mode === 'exact' ? caBundle : mergeBundles(caBundle, now);
      if (now !== wanted) {
        await target.write(wanted);
        this.logger.info({ target: target.label, cas: countCertificates(wanted) }, 'caBundle updated');
      }
      this.published.set(target.label, wanted);
    }
  }

  private use(set: CertificateSet): void {
    if (this.set && this.set.tlsCert === set.tlsCert && this.set.tlsKey === set.tlsKey && this.set.caBundle === set.caBundle) return;
    this.set = set;
    for (const listener of this.listeners) listener(set);
  }

  private schedule(): void {
    if (this.stopped) return;
    const interval = this.options.checkIntervalMs ?? 60_000;
    const delay = this.set ? nextCheckDelay(this.set, this.options.policy, interval) : interval;
    this.timer = setTimeout(() => {
      // Someone may have re-applied the objects: publish again on every pass.
      this.published.clear();
      this.reconcile()
        .catch((error: unknown) => this.logger.warn({ secret: this.store.label, error: (error as Error).message }, 'checking the serving certificate failed; still serving the current one'))
        .finally(() => this.schedule());
    }, delay);
    this.timer.unref();
  }
}
