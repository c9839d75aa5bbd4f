import { createHash, type X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AuthenticationConfig, AuthenticationConfigSource, RequestHeaderConfig } from './authentication-config.js';
import type { KubernetesApi } from './kubernetes-api.js';
import type { Authenticated, RequestAuthenticator, UserInfo } from './request-auth.js';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
/** The apiserver's delegated token cache (DelegatingAuthenticationOptions.CacheTTL). */
const TOKEN_CACHE_TTL_MS = 10_000;
const TOKEN_CACHE_MAX = 10_000;

/** What a connection's client certificate proves; computed once per connection and configuration. */
interface PeerIdentity {
  readonly generation: number;
  /** Signed by the front-proxy CA, for client auth, with an allowed CN: X-Remote-* headers may be read. */
  readonly frontProxy: boolean;
  /** Signed by the client CA: the user is the certificate's CN, the groups its O. */
  readonly x509User?: UserInfo;
}

/**
 * Authentication as an aggregated API server does it (apiserver's DelegatingAuthenticationOptions),
 * first success wins:
 * 1. a client certificate from the front-proxy CA, for client auth, with an allowed CN: then, and
 *    only then, the user comes from the X-Remote-User / -Uid / -Group / -Extra-* headers;
 * 2. a client certificate from the client CA: user = CN, groups = O;
 * 3. a bearer token, reviewed by the API server (TokenReview), cached for 10 s.
 * Otherwise the request is not authenticated (401). X-Remote-* headers without the front-proxy
 * certificate are never read. Whoever is authenticated is also in system:authenticated.
 */
export class DelegatingAuthenticator implements RequestAuthenticator {
  private readonly peers = new WeakMap<TLSSocket, PeerIdentity>();
  private readonly tokens = new Map<string, { readonly expires: number; readonly user: Promise<UserInfo | undefined> }>();

  constructor(
    private readonly config: Pick<AuthenticationConfigSource, 'current'>,
    private readonly kubernetes: Pick<KubernetesApi, 'createTokenReview'> | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async authenticate(request: IncomingMessage): Promise<Authenticated | undefined> {
    const authenticated = await this.authenticateOnce(request);
    return authenticated && { ...authenticated, user: withAuthenticatedGroup(authenticated.user) };
  }

  private async authenticateOnce(request: IncomingMessage): Promise<Authenticated | undefined> {
    const config = this.config.current();
    const peer = this.peerIdentity(request.socket as TLSSocket, config);
    if (peer.frontProxy) {
      const user = userFromHeaders(request, config.requestHeader!);
      if (user) return { user, method: 'front-proxy' };
    }
    if (peer.x509User) return { user: peer.x509User, method: 'x509' };
    const token = bearerToken(request);
    if (token !== undefined) {
      const user = await this.reviewToken(token);
      return user ? { user, method: 'token' } : undefined;
    }
    return undefined;
  }

  private peerIdentity(socket: TLSSocket, config: AuthenticationConfig): PeerIdentity {
    const cached = this.peers.get(socket);
    if (cached && cached.generation === config.generation) return cached;
    const certificate = typeof socket.getPeerX509Certificate === 'function' ? socket.getPeerX509Certificate() : undefined;
    let identity: PeerIdentity = { generation: config.generation, frontProxy: false };
    if (certificate) {
      const now = new Date(this.now());
      const frontProxy = config.requestHeader !== undefined && verifyClientCertificate(certificate, config.requestHeader.cas, now) && nameAllowed(certificate, config.requestHeader.allowedNames);
      const x509 = config.clientCertificate !== undefined && verifyClientCertificate(certificate, config.clientCertificate.cas, now);
      identity = { generation: config.generation, frontProxy, ...(x509 ? { x509User: userFromCertificate(certificate) } : {}) };
    }
    this.peers.set(socket, identity);
    return identity;
  }

  private reviewToken(token: string): Promise<UserInfo | undefined> {
    if (!this.kubernetes) return Promise.resolve(undefined);
    const key = createHash('sha256').update(token).digest('base64');
    const now = this.now();
    const cached = this.tokens.get(key);
    if (cached && cached.expires > now) return cached.user;
    if (this.tokens.size >= TOKEN_CACHE_MAX) {
      for (const [k, entry] of this.tokens) if (entry.expires <= now) this.tokens.delete(k);
      if (this.tokens.size >= TOKEN_CACHE_MAX) this.tokens.delete(this.tokens.keys().next().value!);
    }
    const user = this.kubernetes.createTokenReview(token).then((status): UserInfo | undefined => {
      if (!status.authenticated || !status.user?.username) return undefined;
      return {
        name: status.user.username,
        ...(status.user.uid ? { uid: status.user.uid } : {}),
        groups: status.user.groups ?? [],
        extra: status.user.extra ?? {},
      };
    });
    this.tokens.set(key, { expires: now + TOKEN_CACHE_TTL_MS, user });
    // A failed review (the API server is down) is not cached.
    user.catch(() => this.tokens.delete(key));
    return user;
  }
}

/**
 * apiserver's AuthenticatedGroupAdder, which wraps every delegated authenticator: an authenticated
 * user is in system:authenticated (RBAC's system:discovery and system:basic-user bindings name that
 * group), unless it is system:anonymous or already in system:authenticated or system:unauthenticated.
 */
function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.name === 'system:anonymous' || user.groups.some((group) => group === 'system:authenticated' || group === 'system:unauthenticated')) return user;
  return { ...user, groups: [...user.groups, 'system:authenticated'] };
}

/**
 * Whether a client certificate was issued by one of the CAs (checked by name and signature), is
 * within its validity, and may be used for client authentication (no EKU, as Go accepts, or one
 * that lists clientAuth). Intermediate CAs are not followed: the CA must sign the certificate.
 */
export function verifyClientCertificate(certificate: X509Certificate, cas: readonly X509Certificate[], now: Date): boolean {
  if (!withinValidity(certificate, now)) return false;
  const usages = certificate.keyUsage as string[] | undefined;
  if (usages && usages.length > 0 && !usages.includes(CLIENT_AUTH) && !usages.includes(ANY_EXTENDED_KEY_USAGE)) return false;
  return cas.some((ca) => withinValidity(ca, now) && certificate.checkIssued(ca) && certificate.verify(ca.publicKey));
}

function withinValidity(certificate: X509Certificate, now: Date): boolean {
  return new Date(certificate.validFrom).getTime() <= now.getTime() && now.getTime() <= new Date(certificate.validTo).getTime();
}

function subjectValues(certificate: X509Certificate, attribute: string): string[] {
  return certificate.subject
    .split('\n')
    .filter((line) => line.startsWith(`${attribute}=`))
    .map((line) => line.slice(attribute.length + 1));
}

function nameAllowed(certificate: X509Certificate, allowedNames: readonly string[]): boolean {
  if (allowedNames.length === 0) return true;
  const cn = subjectValues(certificate, 'CN')[0];
  return cn !== undefined && allowedNames.includes(cn);
}

function userFromCertificate(certificate: X509Certificate): UserInfo | undefined {
  const name = subjectValues(certificate, 'CN')[0];
  if (!name) return undefined;
  return { name, groups: subjectValues(certificate, 'O'), extra: {} };
}

/** The request-header authenticator's reading of the headers (apiserver requestheader.go). */
export function userFromHeaders(request: IncomingMessage, config: RequestHeaderConfig): UserInfo | undefined {
  const headers = request.headersDistinct;
  const first = (names: readonly string[]) => {
    for (const name of names) {
      const value = headers[name.toLowerCase()]?.find((v) => v.length > 0);
      if (value) return value;
    }
    return undefined;
  };
  const name = first(config.usernameHeaders);
  if (!name) return undefined;
  const uid = first(config.uidHeaders);
  const groups = config.groupHeaders.flatMap((header) => headers[header.toLowerCase()] ?? []);
  const extra: Record<string, string[]> = {};
  const prefixes = config.extraHeaderPrefixes.map((prefix) => prefix.toLowerCase());
  for (const [header, values] of Object.entries(headers)) {
    const prefix = prefixes.find((p) => header.startsWith(p) && header.length > p.length);
    if (!prefix || !values) continue;
    const key = unescapeExtraKey(header.slice(prefix.length));
    (extra[key] ??= []).push(...values);
  }
  return { name, ...(uid ? { uid } : {}), groups, extra };
}

function unescapeExtraKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    return encoded;
  }
}

function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1] : undefined;
}
