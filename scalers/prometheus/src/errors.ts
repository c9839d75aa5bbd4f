import type { ScalerErrorKind } from '@updraft/core';
import { ClosedAfterTlsHandshakeError, ResponseTooLargeError } from './http-get.js';

const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH',
  'EHOSTDOWN', 'ENETDOWN', 'ETIMEDOUT', 'EPIPE', 'EADDRNOTAVAIL',
]);
// OpenSSL verification results and Node's TLS/SSL codes; EPROTO is what https:// to a plain HTTP port gives.
const TLS_CODE = /^(EPROTO|ERR_SSL_|ERR_TLS_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH_EXCEEDED|ERR_INVALID_CERT)/;
const HEADER_CODES = new Set(['ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN', 'ERR_HTTP_INVALID_HEADER_VALUE']);

/** What kind of failure a Node request error is, and a short description of it. */
export function describeTransportError(error: unknown): { kind: ScalerErrorKind; detail: string } {
  if (error instanceof ResponseTooLargeError) return { kind: 'bad-response', detail: error.message };
  if (error instanceof ClosedAfterTlsHandshakeError) return { kind: 'tls', detail: `TLS failed: ${error.message}` };
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : undefined;
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  if (code && TLS_CODE.test(code)) return { kind: 'tls', detail: `TLS failed: ${openSslReason(message)} (${code})` };
  if (code && UNREACHABLE_CODES.has(code)) return { kind: 'unreachable', detail: `cannot reach the server: ${message}` };
  // Node names the header, never its value, in these messages.
  if (code && HEADER_CODES.has(code)) return { kind: 'internal', detail: `a request header is not valid HTTP: ${message}` };
  return { kind: 'unreachable', detail: `the request failed: ${message}${code ? ` (${code})` : ''}` };
}

/** OpenSSL's error-stack line (`80..:error:0A00045C:SSL routines:ssl3_read_bytes:<reason>:<file>:<line>:...`) reduced to its reason. */
function openSslReason(message: string): string {
  return /^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/.exec(message)?.[1] ?? message;
}

/** The kind of failure an HTTP status (and Prometheus's `errorType`) means. */
export function kindForStatus(status: number, errorType: string | undefined): ScalerErrorKind {
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (errorType === 'timeout') return 'timeout';
  // Prometheus: 400 bad_data (the query does not parse), 422 execution (it fails to evaluate).
  if (status === 400 || status === 422) return 'query';
  if (status === 502 || status === 503 || status === 504) return 'unreachable';
  return 'bad-response';
}

/**
 * Replaces every credential in a message with `<redacted>`: a server may echo request headers back
 * in its error text, and an error message must never carry a secret. Values shorter than 3
 * characters are left alone: they cannot be secrets worth the name, and would mangle every message.
 */
export class SecretRedactor {
  private readonly secrets: string[];

  constructor(secrets: Iterable<string | undefined>) {
    const unique = new Set<string>();
    for (const secret of secrets) {
      if (secret && secret.trim().length >= 3) unique.add(secret);
    }
    // Longest first, so a secret that contains another is replaced whole.
    this.secrets = [...unique].sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let result = text;
    for (const secret of this.secrets) result = result.split(secret).join('<redacted>');
    return result;
  }
}
