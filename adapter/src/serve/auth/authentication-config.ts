import { readFile } from 'node:fs/promises';
import type { X509Certificate } from 'node:crypto';
import { parseCertificates } from '../tls/certificates.js';
import type { KubernetesApi } from './kubernetes-api.js';

/** Front-proxy (request-header) authentication: whose client certificate may vouch for X-Remote-* headers. */
export interface RequestHeaderConfig {
  readonly caPem: string;
  readonly cas: readonly X509Certificate[];
  /** Client certificate CNs allowed to vouch; empty means any CN the CA signed. */
  readonly allowedNames: readonly string[];
  readonly usernameHeaders: readonly string[];
  readonly uidHeaders: readonly string[];
  readonly groupHeaders: readonly string[];
  readonly extraHeaderPrefixes: readonly string[];
}

/** x509 client certificate authentication: user = CN, groups = O. */
export interface ClientCertificateConfig {
  readonly caPem: string;
  readonly cas: readonly X509Certificate[];
}

export interface AuthenticationConfig {
  readonly requestHeader?: RequestHeaderConfig;
  readonly clientCertificate?: ClientCertificateConfig;
  /** Increases with every change, so that per-connection results can be recomputed. */
  readonly generation: number;
}

export const AUTHENTICATION_CONFIGMAP = { namespace: 'kube-system', name: 'extension-apiserver-authentication' } as const;

/** The header names kube-apiserver's aggregator sends (client-go transport.SetAuthProxyHeaders). */
export const DEFAULT_REQUEST_HEADERS = {
  usernameHeaders: ['X-Remote-User'],
  uidHeaders: ['X-Remote-Uid'],
  groupHeaders: ['X-Remote-Group'],
  extraHeaderPrefixes: ['X-Remote-Extra-'],
} as const;

export interface AuthenticationConfigOptions {
  /** `--requestheader-client-ca-file`: with `--client-ca-file`, replaces the ConfigMap. */
  readonly requestHeaderClientCAFile?: string;
  /** `--requestheader-allowed-names` (used with the file; the ConfigMap has its own list). */
  readonly requestHeaderAllowedNames?: readonly string[];
  /** `--client-ca-file` */
  readonly clientCAFile?: string;
  /** Reads kube-system/extension-apiserver-authentication when no CA file is given. */
  readonly kubernetes?: KubernetesApi;
  /** How often the files or the ConfigMap are read again (CAs rotate). Default 30 s. */
  readonly refreshIntervalMs?: number;
}

interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/**
 * Where client certificates are trusted from: the CA files given as flags, or the ConfigMap
 * kube-apiserver publishes (kube-system/extension-apiserver-authentication), read again
 * periodically so that rotated CAs are picked up without a restart.
 */
export class AuthenticationConfigSource {
  private config: AuthenticationConfig = { generation: 0 };
  private fingerprint = '';
  private readonly listeners = new Set<(config: AuthenticationConfig) => void>();
  private timer?: NodeJS.Timeout;
  private problem?: string;

  constructor(
    private readonly options: AuthenticationConfigOptions,
    private readonly logger: Logger,
  ) {}

  get fromFiles(): boolean {
    return this.options.requestHeaderClientCAFile !== undefined || this.options.clientCAFile !== undefined;
  }

  /** Where the configuration is read from, for logs. */
  describe(): string {
    if (this.fromFiles) return [this.options.requestHeaderClientCAFile, this.options.clientCAFile].filter(Boolean).join(' and ');
    return this.options.kubernetes ? `ConfigMap ${AUTHENTICATION_CONFIGMAP.namespace}/${AUTHENTICATION_CONFIGMAP.name} on ${this.options.kubernetes.server}` : 'nowhere';
  }

  /** Reads once (a failure is logged and reported, not thrown: the ConfigMap may appear later), then keeps reading. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.options.refreshIntervalMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  current(): AuthenticationConfig {
    return this.config;
  }

  onChange(listener: (config: AuthenticationConfig) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What is wrong now, for /readyz; undefined when the last read worked. */
  currentProblem(): string | undefined {
    return this.problem;
  }

  async refresh(): Promise<void> {
    let next: Omit<AuthenticationConfig, 'generation'>;
    try {
      next = this.fromFiles ? await this.readFiles() : await this.readConfigMap();
    } catch (error) {
      const problem = `cannot read the client CAs from ${this.describe()}: ${(error as Error).message}`;
      if (problem !== this.problem) this.logger.error({ source: this.describe(), error: (error as Error).message }, 'cannot read the client certificate authorities; requests that rely on them are refused');
      this.problem = problem;
      return;
    }
    if (this.problem) this.logger.info({ source: this.describe() }, 'client certificate authorities read again');
    this.problem = undefined;
    const fingerprint = JSON.stringify([next.requestHeader && { ...next.requestHeader, cas: undefined }, next.clientCertificate?.caPem]);
    if (fingerprint === this.fingerprint) return;
    this.fingerprint = fingerprint;
    this.config = { ...next, generation: this.config.generation + 1 };
    this.logger.info(
      {
        source: this.describe(),
        frontProxy: next.requestHeader ? { cas: next.requestHeader.cas.map((ca) => ca.subject.replace(/\n/g, ',')), allowedNames: next.requestHeader.allowedNames } : 'not configured',
        clientCA: next.clientCertificate ? next.clientCertificate.cas.map((ca) => ca.subject.replace(/\n/g, ',')) : 'not configured',
      },
      'client certificate authorities loaded',
    );
    for (const listener of this.listeners) listener(this.config);
  }

  private async readFiles(): Promise<Omit<AuthenticationConfig, 'generation'>> {
    const { requestHeaderClientCAFile, clientCAFile } = this.options;
    const requestHeaderPem = requestHeaderClientCAFile ? await readFile(requestHeaderClientCAFile, 'utf8') : undefined;
    const clientPem = clientCAFile ? await readFile(clientCAFile, 'utf8') : undefined;
    return {
      ...(requestHeaderPem ? { requestHeader: requestHeaderConfig(requestHeaderPem, this.options.requestHeaderAllowedNames ?? [], DEFAULT_REQUEST_HEADERS) } : {}),
      ...(clientPem ? { clientCertificate: clientCertificateConfig(clientPem) } : {}),
    };
  }

  private async readConfigMap(): Promise<Omit<AuthenticationConfig, 'generation'>> {
    const kubernetes = this.options.kubernetes;
    if (!kubernetes) throw new Error('no Kubernetes API to read it from');
    const configMap = await kubernetes.readConfigMap(AUTHENTICATION_CONFIGMAP.namespace, AUTHENTICATION_CONFIGMAP.name);
    if (!configMap) throw new Error('the ConfigMap does not exist');
    const data = configMap.data ?? {};
    const list = (key: string): string[] => {
      const raw = data[key];
      if (raw === undefined || raw.trim() === '') return [];
      const parsed: unknown = JSON.parse(raw);
      if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) throw new Error(`${key} is not a JSON list of strings`);
      return parsed as string[];
    };
    const requestHeaderPem = data['requestheader-client-ca-file'];
    const clientPem = data['client-ca-file'];
    return {
      ...(requestHeaderPem
        ? {
            requestHeader: requestHeaderConfig(requestHeaderPem, list('requestheader-allowed-names'), {
              usernameHeaders: list('requestheader-username-headers'),
              uidHeaders: list('requestheader-uid-headers'),
              groupHeaders: list('requestheader-group-headers'),
              extraHeaderPrefixes: list('requestheader-extra-headers-prefix'),
            }),
          }
        : {}),
      ...(clientPem ? { clientCertificate: clientCertificateConfig(clientPem) } : {}),
    };
  }
}

function certificates(pem: string, what: string): X509Certificate[] {
  const cas = parseCertificates(pem);
  if (cas.length === 0) throw new Error(`${what} holds no PEM certificate`);
  return cas;
}

function requestHeaderConfig(pem: string, allowedNames: readonly string[], headers: Omit<RequestHeaderConfig, 'caPem' | 'cas' | 'allowedNames'>): RequestHeaderConfig {
  return { caPem: pem, cas: certificates(pem, 'requestheader-client-ca-file'), allowedNames, ...headers };
}

function clientCertificateConfig(pem: string): ClientCertificateConfig {
  return { caPem: pem, cas: certificates(pem, 'client-ca-file') };
}
