import type { ScalerErrorKind } from '../scaler.js';

/** What a transport failure means: its kind, and a sentence that says what went wrong where. */
export interface TransportFailure {
  readonly kind: ScalerErrorKind;
  /** `cannot connect to 127.0.0.1:6379: connection refused (...)`; never holds more than the error's own text. */
  readonly message: string;
  /** Node's or OpenSSL's code, when the error had one. */
  readonly code?: string;
}

const UNREACHABLE: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused (is the server running there, and is the port right?)',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved (DNS)',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'the network is unreachable',
  EHOSTDOWN: 'the host is down',
  ENETDOWN: 'the network is down',
  EADDRNOTAVAIL: 'the address is not available',
};
const TIMED_OUT = new Set(['ETIMEDOUT', 'ERR_SOCKET_CONNECTION_TIMEOUT']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);
/** Node's codes for a server certificate that could not be verified. */
const CERTIFICATE = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_REJECTED',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
// Node's TLS/SSL codes and OpenSSL's; EPROTO is what TLS to a plain HTTP port gives.
const TLS_CODE = /^(EPROTO|ERR_SSL_|ERR_TLS_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_|ERR_INVALID_CERT)/;
const HEADER_CODES = new Set(['ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN', 'ERR_HTTP_INVALID_HEADER_VALUE']);

/**
 * What a failure of Node's networking (`net`, `tls`, `http`) means, from its errno or TLS code
 * and, for OpenSSL, its reason text: `unreachable` (refused, unresolvable, reset, timed out while
 * connecting), `tls` (an unverified certificate, a plaintext port, a rejected or unloadable client
 * certificate), `timeout` (an AbortSignal's TimeoutError), `internal` (a header Node refuses to
 * send). `where` names the server in the message. Answers undefined for an error that is not a
 * transport failure (a protocol's own reply), so the caller can say what it is.
 */
export function classifyTransportError(error: unknown, where = 'the server'): TransportFailure | undefined {
  const code = errorCode(error);
  const text = oneLine(error instanceof Error ? error.message : String(error));
  const reason = openSslReason(text);
  const failure = (kind: ScalerErrorKind, message: string): TransportFailure => ({ kind, message, ...(code ? { code } : {}) });
  const name = error instanceof Error ? error.name : undefined;

  if (name === 'TimeoutError' || code === 'ABORT_ERR' || name === 'AbortError') return failure('timeout', `${where} did not answer in time (${text})`);
  if (code && UNREACHABLE[code]) return failure('unreachable', `cannot connect to ${where}: ${UNREACHABLE[code]}`);
  if (code && TIMED_OUT.has(code)) return failure('unreachable', `connecting to ${where} timed out (${text})`);

  // TLS: the reason OpenSSL gives says more than its code.
  const tlsText = `${code ?? ''} ${text}`;
  if (code && CERTIFICATE.has(code)) {
    const what = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? 'the server certificate does not name the host dialled' : reason;
    return failure('tls', `TLS certificate verification failed for ${where}: ${what} (${code}): set ca to the certificate of the CA that signed the server's certificate (unsafeSsl: "true" skips the check; for tests only)`);
  }
  if (/wrong version number|packet length too long|unknown protocol|http request/i.test(text)) {
    return failure('tls', `${where} does not speak TLS (${reason}): is the server plaintext, or the port wrong?`);
  }
  if (/certificate required/i.test(text)) return failure('tls', `${where} requires a client certificate: set cert and key in the TriggerAuthentication`);
  if (/alert unknown ca|alert bad certificate|alert certificate unknown|alert decrypt error/i.test(text)) {
    return failure('tls', `${where} rejected the client certificate (${reason}): is cert signed by a CA the server trusts?`);
  }
  if (/handshake failure|alert protocol version|no shared cipher/i.test(text)) return failure('tls', `the TLS handshake with ${where} failed: ${reason}`);
  if (/bad decrypt|PEM routines|DECODER routines|no start line|bad base64|ASN1|key values mismatch|NO_START_LINE|BAD_DECRYPT/i.test(tlsText)) {
    return failure('tls', `cannot load the TLS client certificate or key for ${where} (${reason}): are cert and key PEM (and keyPassword, if any, right)?`);
  }
  if (/before secure TLS connection was established/i.test(text)) {
    return failure('tls', `${where} closed the connection during the TLS handshake: does the server speak TLS on this port, and does it accept the client certificate?`);
  }
  if (code && TLS_CODE.test(code)) return failure('tls', `TLS with ${where} failed: ${reason} (${code})`);

  if (code && RESET.has(code)) return failure('unreachable', `the connection to ${where} was reset (${text})`);
  // Node names the header, never its value, in these messages.
  if (code && HEADER_CODES.has(code)) return failure('internal', `a request header is not valid HTTP: ${text}`);
  if (code?.startsWith('E') && /^E[A-Z]+$/.test(code)) return failure('unreachable', `the connection to ${where} failed: ${text}`);
  return undefined;
}

/**
 * The kind of failure an HTTP status means: 401/403 `auth`, 404 `not-found`, 408 `timeout`, 429
 * and 502-504 `unreachable` (try again later), 400 and 422 `query` (the server refused what was
 * asked), anything else `bad-response`. A scaler that knows its server's error bodies may refine it.
 */
export function kindForHttpStatus(status: number): ScalerErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status === 408) return 'timeout';
  if (status === 429 || status === 502 || status === 503 || status === 504) return 'unreachable';
  if (status === 400 || status === 422) return 'query';
  return 'bad-response';
}

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** OpenSSL's error-stack line (`80..:error:0A00045C:SSL routines:ssl3_read_bytes:<reason>:<file>:<line>:...`) reduced to its reason. */
function openSslReason(message: string): string {
  return /^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/.exec(message)?.[1] ?? message;
}
