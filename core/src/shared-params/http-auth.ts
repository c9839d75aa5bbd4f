import type { MetadataRule } from '../metadata/declaration.js';
import { p } from '../metadata/param.js';
import { tlsParams } from './tls.js';

/**
 * KEDA's shared HTTP authentication block (`pkg/scalers/authentication`): `authModes` picks the
 * modes, a TriggerAuthentication supplies the secrets.
 */
export const httpAuthParams = {
  authModes: p
    .list(['apiKey', 'basic', 'tls', 'bearer', 'custom', 'oauth'])
    .alias('authMode')
    .from('triggerMetadata', 'authParams')
    .exclusive(['bearer', 'basic', 'oauth'])
    .describe('Authentication modes to use; their credentials come from a TriggerAuthentication.'),
  bearerToken: p.string().alias('token').from('authParams').secret().describe('Token sent as `Authorization: Bearer <token>` (mode bearer).'),
  username: p.string().from('authParams').describe('User for HTTP basic auth (mode basic).'),
  password: p.string().from('authParams').secret().describe('Password for HTTP basic auth (mode basic).'),
  ...tlsParams,
  customAuthHeader: p.string().from('authParams').describe('Header name (mode custom).'),
  customAuthValue: p.string().from('authParams').secret().describe('Header value (mode custom).'),
  apiKey: p.string().from('authParams').secret().describe('API key (mode apiKey).'),
  method: p.enum(['header', 'query']).default('header').from('triggerMetadata', 'authParams').describe('Where the API key goes (mode apiKey).'),
  keyParamName: p.string().from('triggerMetadata', 'authParams').describe('Header or query parameter that carries the API key (mode apiKey).'),
  oauthTokenURI: p.string().from('authParams').describe('Token endpoint for the OAuth2 client-credentials flow (mode oauth).'),
  scopes: p.list().alias('scope').from('authParams').describe('OAuth2 scopes (mode oauth).'),
  clientID: p.string().from('authParams').describe('OAuth2 client id (mode oauth).'),
  clientSecret: p.string().from('authParams').secret().describe('OAuth2 client secret (mode oauth).'),
  endpointParams: p.map().from('authParams').describe('Extra form parameters for the OAuth2 token request (mode oauth).'),
};

type HttpAuth = {
  readonly authModes?: readonly string[];
  readonly bearerToken?: string;
  readonly username?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly customAuthHeader?: string;
  readonly customAuthValue?: string;
  readonly apiKey?: string;
  readonly oauthTokenURI?: string;
  readonly clientID?: string;
};

/** What each mode needs (KEDA's `authentication.Config.Validate`). */
export const httpAuthRule: MetadataRule<HttpAuth> = (m, context) => {
  const modes = new Set(m.authModes ?? []);
  const need = (mode: string, missing: string[]) => {
    if (modes.has(mode) && missing.length > 0) {
      context.error(`authModes includes ${mode}, which needs ${missing.join(' and ')} in the TriggerAuthentication`, 'authModes');
    }
  };
  need('bearer', m.bearerToken ? [] : ['bearerToken']);
  need('basic', m.username ? [] : ['username']);
  need('tls', [...(m.cert ? [] : ['cert']), ...(m.key ? [] : ['key'])]);
  need('custom', [...(m.customAuthHeader ? [] : ['customAuthHeader']), ...(m.customAuthValue ? [] : ['customAuthValue'])]);
  need('apiKey', m.apiKey ? [] : ['apiKey']);
  need('oauth', [...(m.oauthTokenURI ? [] : ['oauthTokenURI']), ...(m.clientID ? [] : ['clientID'])]);
  if (modes.size > 0 && context.podIdentity) {
    context.error(`pod identity (${context.podIdentity.provider}) cannot be combined with authModes`, 'authModes');
  }
};
