import { p } from '../metadata/param.js';

/** TLS material from a TriggerAuthentication, shared by every scaler that dials TLS (KEDA's CertAuth). */
export const tlsParams = {
  ca: p.string().from('authParams').describe('PEM CA certificate that signs the server certificate, trusted in addition to the system roots.'),
  cert: p.string().from('authParams').describe('PEM client certificate, for mutual TLS.'),
  key: p.string().from('authParams').secret().describe('PEM private key of the client certificate.'),
  unsafeSsl: p.boolean().default(false).describe('Skip verification of the server certificate. For tests only.'),
};
