import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MissingBinaryError } from './process.js';

// The certificates of a local control plane, made with the openssl binary: EC P-256 keys (fast to
// make), valid for 30 days, in one folder. Two CAs as kubeadm keeps them apart: the cluster CA signs
// the API server's serving certificate and every client certificate the API server trusts
// (--client-ca-file); the front-proxy CA signs only what the aggregator presents to extension API
// servers (--requestheader-client-ca-file). The service-account key signs and verifies tokens.

export interface CertificateFiles {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface ClusterPki {
  readonly dir: string;
  readonly clusterCa: CertificateFiles;
  /** SANs 127.0.0.1, localhost, kubernetes.default.svc and the first service IP. */
  readonly apiServer: CertificateFiles;
  /** CN kubernetes-admin, O system:masters. */
  readonly admin: CertificateFiles;
  /** CN system:kube-controller-manager (the bootstrap RBAC role of that name). */
  readonly controllerManager: CertificateFiles;
  readonly frontProxyCa: CertificateFiles;
  /** CN front-proxy-client, clientAuth: --proxy-client-cert-file. */
  readonly frontProxyClient: CertificateFiles;
  /** The service-account signing key (private) and its public key file. */
  readonly serviceAccountKeyFile: string;
  readonly serviceAccountPublicKeyFile: string;
}

export interface IssueOptions {
  /** The subject's CN. */
  readonly commonName: string;
  /** O= entries (groups, for a client certificate). */
  readonly organizations?: readonly string[];
  /** extendedKeyUsage: clientAuth (default), serverAuth, or both. */
  readonly usage?: 'client' | 'server' | 'client,server';
  /** subjectAltName entries, e.g. `DNS:updraft.updraft.svc`, `IP:127.0.0.1`. */
  readonly subjectAltNames?: readonly string[];
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
const DAYS = '30';

export function openssl(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { timeout: 30_000 }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') reject(new MissingBinaryError('openssl', 'openssl'));
      else if (error) reject(new Error(`openssl ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

async function files(dir: string, name: string): Promise<CertificateFiles> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8'), certFile, keyFile };
}

/** A self-signed CA `<dir>/<name>.crt` and `.key`. */
export async function makeCa(dir: string, name: string, commonName: string): Promise<CertificateFiles> {
  await mkdir(dir, { recursive: true });
  await openssl(['req', '-x509', '-new', ...EC_KEY, '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`), '-days', DAYS, '-subj', `/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature']);
  return files(dir, name);
}

/** A certificate `<dir>/<name>.crt` and `.key` signed by `ca`. */
export async function issueCertificate(dir: string, name: string, ca: CertificateFiles, options: IssueOptions): Promise<CertificateFiles> {
  await mkdir(dir, { recursive: true });
  const subject = [...(options.organizations ?? []).map((o) => `/O=${o}`), `/CN=${options.commonName}`].join('');
  const usage = (options.usage ?? 'client').split(',').map((u) => (u === 'client' ? 'clientAuth' : 'serverAuth')).join(',');
  const extensions = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${usage}`,
    ...(options.subjectAltNames?.length ? [`subjectAltName=${options.subjectAltNames.join(',')}`] : []),
  ];
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  await openssl(['req', '-new', ...EC_KEY, '-keyout', join(dir, `${name}.key`), '-out', csr, '-subj', subject]);
  await writeFile(ext, `${extensions.join('\n')}\n`);
  // A random serial: certificates from one CA must not share one, and tests issue them concurrently.
  const serial = `0x${randomBytes(16).toString('hex')}`;
  await openssl(['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', serial, '-days', DAYS, '-out', join(dir, `${name}.crt`), '-extfile', ext]);
  return files(dir, name);
}

/** The SANs kube-apiserver's serving certificate needs here: loopback, and the names in-cluster clients use. */
export const API_SERVER_SANS = ['IP:127.0.0.1', 'DNS:localhost', 'IP:10.96.0.1', 'DNS:kubernetes', 'DNS:kubernetes.default', 'DNS:kubernetes.default.svc', 'DNS:kubernetes.default.svc.cluster.local'];

/** Every certificate and key a control plane needs, in `dir`. */
export async function makeClusterPki(dir: string): Promise<ClusterPki> {
  await mkdir(dir, { recursive: true });
  const serviceAccountKeyFile = join(dir, 'service-account.key');
  const serviceAccountPublicKeyFile = join(dir, 'service-account.pub');
  const [clusterCa, frontProxyCa] = await Promise.all([
    makeCa(dir, 'ca', 'kubernetes'),
    makeCa(dir, 'front-proxy-ca', 'front-proxy-ca'),
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', serviceAccountKeyFile]).then(() =>
      openssl(['ec', '-in', serviceAccountKeyFile, '-pubout', '-out', serviceAccountPublicKeyFile])),
  ]);
  const [apiServer, admin, controllerManager, frontProxyClient] = await Promise.all([
    issueCertificate(dir, 'apiserver', clusterCa, { commonName: 'kube-apiserver', usage: 'server', subjectAltNames: API_SERVER_SANS }),
    issueCertificate(dir, 'admin', clusterCa, { commonName: 'kubernetes-admin', organizations: ['system:masters'] }),
    issueCertificate(dir, 'controller-manager', clusterCa, { commonName: 'system:kube-controller-manager' }),
    issueCertificate(dir, 'front-proxy-client', frontProxyCa, { commonName: 'front-proxy-client' }),
  ]);
  return { dir, clusterCa, apiServer, admin, controllerManager, frontProxyCa, frontProxyClient, serviceAccountKeyFile, serviceAccountPublicKeyFile };
}

/**
 * A serving certificate for an extension API server behind the aggregator, with the CA that signed
 * it: valid for `<service>.<namespace>.svc` (the name the aggregator verifies, §3.2) and for
 * 127.0.0.1 and localhost (to be called directly). Files in `dir`: adapter-ca.crt, adapter.crt, adapter.key.
 */
export async function makeAdapterCertificate(dir: string, options: { readonly service: string; readonly namespace: string }): Promise<{ readonly ca: CertificateFiles; readonly serving: CertificateFiles }> {
  const ca = await makeCa(dir, 'adapter-ca', `${options.service} CA`);
  const { service, namespace } = options;
  const serving = await issueCertificate(dir, 'adapter', ca, {
    commonName: `${service}.${namespace}.svc`,
    usage: 'server',
    subjectAltNames: [`DNS:${service}.${namespace}.svc`, `DNS:${service}.${namespace}`, `DNS:${service}`, 'DNS:localhost', 'IP:127.0.0.1'],
  });
  return { ca, serving };
}
