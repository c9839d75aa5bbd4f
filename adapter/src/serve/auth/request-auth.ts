import type { IncomingMessage } from 'node:http';
import type { RequestAttributes } from '../wire-format.js';

/** Who made a request, as Kubernetes' user.Info. */
export interface UserInfo {
  readonly name: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

/** How the user was authenticated. */
export type AuthenticationMethod = 'front-proxy' | 'x509' | 'token' | 'none';

export interface Authenticated {
  readonly user: UserInfo;
  readonly method: AuthenticationMethod;
}

/** Tells who made a request. Undefined means no valid credential: 401. */
export const RequestAuthenticator = Symbol.for('updraft.adapter.RequestAuthenticator');
export interface RequestAuthenticator {
  authenticate(request: IncomingMessage): Promise<Authenticated | undefined>;
}

export interface Decision {
  readonly allowed: boolean;
  /** Why, as the authorizer says it (RBAC's reason); appended to a 403's message. */
  readonly reason: string;
}

/** Decides whether a user may do what a request asks. Rejects when it cannot decide (the API server is down): 500. */
export const RequestAuthorizer = Symbol.for('updraft.adapter.RequestAuthorizer');
export interface RequestAuthorizer {
  authorize(user: UserInfo, attributes: RequestAttributes): Promise<Decision>;
}

/** The user `--auth=none` serves everyone as. */
export const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'], extra: {} };

/** `--auth=none`: every request is served, and the start log says so. */
export class NoAuthentication implements RequestAuthenticator, RequestAuthorizer {
  private static readonly authenticated: Promise<Authenticated> = Promise.resolve({ user: ANONYMOUS, method: 'none' });
  private static readonly allowed: Promise<Decision> = Promise.resolve({ allowed: true, reason: '--auth=none' });

  authenticate(): Promise<Authenticated> {
    return NoAuthentication.authenticated;
  }

  authorize(): Promise<Decision> {
    return NoAuthentication.allowed;
  }
}
