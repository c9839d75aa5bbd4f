import { request as httpRequest, type Agent, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { TLSSocket } from 'node:tls';

/** A complete HTTP answer: status and body text. */
export interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

/** The answer was larger than the caller allows. */
export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  constructor(readonly maxBytes: number) {
    super(`the response is larger than ${maxBytes} bytes`);
  }
}

/**
 * The server closed a new TLS connection right after the handshake, before any answer. With TLS 1.3
 * the client finishes its side of the handshake before the server checks the client certificate, so
 * this (a reset, often without the alert) is how a rejected or missing client certificate looks.
 */
export class ClosedAfterTlsHandshakeError extends Error {
  override readonly name = 'ClosedAfterTlsHandshakeError';
  readonly code = 'ECONNRESET';
  constructor(cause: unknown) {
    super(`the server closed the connection right after the TLS handshake (${cause instanceof Error ? cause.message : String(cause)}); did it reject the client certificate?`, { cause });
  }
}

/**
 * One GET through `agent`, the whole body read as UTF-8. Rejects with Node's own error (with its
 * `code`) when the request fails, and as soon as `signal` aborts, whatever stage the exchange is in.
 */
export function httpGet(url: URL, options: { agent: Agent; headers: OutgoingHttpHeaders; signal: AbortSignal; maxBytes: number }): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'GET',
      agent: options.agent,
      headers: options.headers,
      signal: options.signal,
    });
    let handshakeDone = false;
    let answered = false;
    request.once('socket', (socket) => {
      if (socket instanceof TLSSocket && !request.reusedSocket) socket.once('secureConnect', () => (handshakeDone = true));
    });
    request.once('error', (error: NodeJS.ErrnoException) => {
      const reset = error.code === 'ECONNRESET' || error.code === 'EPIPE';
      reject(reset && handshakeDone && !answered ? new ClosedAfterTlsHandshakeError(error) : error);
    });
    request.once('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= options.maxBytes) return void chunks.push(chunk);
        reject(new ResponseTooLargeError(options.maxBytes));
        request.destroy();
      });
      response.once('error', reject);
      // A connection dropped mid-body: 'close' without 'end' (promise settles once, so a late close is harmless).
      response.once('close', () => {
        if (!response.complete) reject(Object.assign(new Error('the connection closed before the response was complete'), { code: 'ECONNRESET' }));
      });
      response.once('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.end();
  });
}
