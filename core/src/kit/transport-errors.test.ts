import { createServer } from 'node:net';
import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { classifyTransportError, kindForHttpStatus } from './transport-errors.js';

const errno = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('classifyTransportError', () => {
  it.each([
    ['ECONNREFUSED', errno('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:80'), 'unreachable', 'cannot connect to db:5432: connection refused (is the server running there, and is the port right?)'],
    ['ENOTFOUND', errno('ENOTFOUND', 'getaddrinfo ENOTFOUND db'), 'unreachable', 'cannot connect to db:5432: the host name does not resolve'],
    ['ETIMEDOUT', errno('ETIMEDOUT', 'connect ETIMEDOUT'), 'unreachable', 'connecting to db:5432 timed out (connect ETIMEDOUT)'],
    ['a reset', errno('ECONNRESET', 'read ECONNRESET'), 'unreachable', 'the connection to db:5432 was reset (read ECONNRESET)'],
    ['an unknown CA', errno('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), 'tls', /^TLS certificate verification failed for db:5432: unable to verify the first certificate \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): set ca/],
    ['another host', errno('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), 'tls', /the server certificate does not name the host dialled/],
    ['a plaintext port', errno('ERR_SSL_WRONG_VERSION_NUMBER', '80:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl:355:'), 'tls', 'db:5432 does not speak TLS (wrong version number): is the server plaintext, or the port wrong?'],
    ['a required client certificate', errno('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'tlsv13 alert certificate required'), 'tls', 'db:5432 requires a client certificate: set cert and key in the TriggerAuthentication'],
    ['an unloadable key', errno('ERR_OSSL_PEM_NO_START_LINE', 'error:0480006C:PEM routines::no start line'), 'tls', /^cannot load the TLS client certificate or key for db:5432/],
    ['another TLS code', errno('ERR_SSL_SOMETHING_NEW', 'odd'), 'tls', 'TLS with db:5432 failed: odd (ERR_SSL_SOMETHING_NEW)'],
    ['a header Node refuses', errno('ERR_INVALID_CHAR', 'Invalid character in header content ["X-Token"]'), 'internal', /^a request header is not valid HTTP/],
    ['a TimeoutError', Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }), 'timeout', /did not answer in time/],
  ])('%s', (_, error, kind, message) => {
    const failure = classifyTransportError(error, 'db:5432');
    expect(failure?.kind).toBe(kind);
    if (typeof message === 'string') expect(failure?.message).toBe(message);
    else expect(failure?.message).toMatch(message);
  });

  it('answers undefined for what is not a transport failure, so the protocol can say what it is', () => {
    expect(classifyTransportError(new Error('ERR unknown command'))).toBeUndefined();
    expect(classifyTransportError('a string')).toBeUndefined();
  });

  it('classifies what Node really raises: a refused connection to a closed port', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    const error = await new Promise<unknown>((resolve) => request(`http://127.0.0.1:${port}/`).once('error', resolve).end());
    expect(classifyTransportError(error)).toMatchObject({ kind: 'unreachable', code: 'ECONNREFUSED' });
  });
});

describe('kindForHttpStatus', () => {
  it.each([
    [401, 'auth'], [403, 'auth'], [404, 'not-found'], [408, 'timeout'], [429, 'unreachable'], [503, 'unreachable'], [400, 'query'], [422, 'query'], [500, 'bad-response'], [302, 'bad-response'],
  ] as const)('%i is %s', (status, kind) => expect(kindForHttpStatus(status)).toBe(kind));
});
