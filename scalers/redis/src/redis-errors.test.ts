import { ScalerError, type ScalerErrorKind } from '@updraft/core';
import { describe, expect, it } from 'vitest';
import { CLOSED_BEFORE_READY, redisScalerError, type RedisErrorContext } from './redis-errors.js';

const standalone: RedisErrorContext = {
  where: 'redis:6379',
  topology: 'standalone',
  username: 'alice',
  databaseIndex: 2,
  tls: false,
  connectTimeoutMs: 5000,
  commandTimeoutMs: 4000,
};
const withTls: RedisErrorContext = { ...standalone, tls: true };
const sentinel: RedisErrorContext = {
  ...standalone,
  topology: 'sentinel',
  where: 'master "mymaster" via the sentinels at s1:26379, s2:26379',
  sentinelMaster: 'mymaster',
  sentinels: 's1:26379, s2:26379',
  sentinelUsername: 'watcher',
};

const errno = (code: string, message: string) => Object.assign(new Error(message), { code });
const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });

describe('what each failure means', () => {
  it.each<[string, unknown, RedisErrorContext, boolean, ScalerErrorKind, string | RegExp]>([
    ['WRONGPASS', reply('WRONGPASS invalid username-password pair or user is disabled.'), standalone, true, 'auth', 'authentication failed for user alice at redis:6379: wrong password? (or the user does not exist or is disabled)'],
    ['NOAUTH', reply('NOAUTH Authentication required.'), standalone, true, 'auth', /^redis:6379 requires authentication: set password/],
    ['NOPERM', reply("NOPERM this user has no permissions to run the 'evalsha' command"), standalone, true, 'auth', /^user alice lacks a permission at redis:6379: NOPERM/],
    ['SELECT out of range', reply('ERR DB index is out of range'), standalone, true, 'not-found', /^database 2 does not exist at redis:6379/],
    ['ECONNREFUSED', errno('ECONNREFUSED', 'connect ECONNREFUSED 10.0.0.1:6379'), standalone, false, 'unreachable', 'cannot connect to redis:6379: connection refused (is the server running there, and is the port right?)'],
    ['ENOTFOUND', errno('ENOTFOUND', 'getaddrinfo ENOTFOUND redis'), standalone, false, 'unreachable', 'cannot connect to redis:6379: the host name does not resolve'],
    ['ETIMEDOUT, plaintext', errno('ETIMEDOUT', 'connect ETIMEDOUT'), standalone, false, 'unreachable', 'connecting to redis:6379 timed out after 5000 ms'],
    ['ETIMEDOUT, TLS', errno('ETIMEDOUT', 'connect ETIMEDOUT'), withTls, false, 'unreachable', /timed out after 5000 ms: .*a port that does not speak TLS \(then remove enableTLS\)\?$/],
    ['a reset after connecting, plaintext: a TLS port', errno('ECONNRESET', 'read ECONNRESET'), standalone, true, 'tls', /^redis:6379 closed the connection before Redis answered: is TLS enabled on the server\? set enableTLS/],
    ['a close before Redis answered, plaintext', errno(CLOSED_BEFORE_READY, 'closed'), standalone, true, 'tls', /is TLS enabled on the server\?/],
    ['a reset of a connection that had answered', errno('ECONNRESET', 'read ECONNRESET'), standalone, false, 'unreachable', 'the connection to redis:6379 was reset (read ECONNRESET)'],
    ['an unknown CA', errno('UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'), withTls, true, 'tls', /^TLS certificate verification failed for redis:6379: unable to verify the first certificate \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): set ca/],
    ['a self-signed chain', errno('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'), withTls, true, 'tls', /^TLS certificate verification failed/],
    ['a certificate for another host', errno('ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"), withTls, true, 'tls', /the server certificate does not name the host dialled/],
    ['TLS to a plaintext port', errno('ERR_SSL_WRONG_VERSION_NUMBER', 'ssl3_get_record:wrong version number'), withTls, true, 'tls', /^redis:6379 does not speak TLS/],
    ['a required client certificate', errno('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'tlsv13 alert certificate required'), withTls, true, 'tls', 'redis:6379 requires a client certificate: set cert and key in the TriggerAuthentication'],
    ['a client certificate from an unknown CA', errno('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'tlsv1 alert unknown ca'), withTls, true, 'tls', /^redis:6379 rejected the client certificate/],
    ['a wrong keyPassword', errno('ERR_OSSL_BAD_DECRYPT', 'error:1C800064:Provider routines::bad decrypt'), withTls, false, 'tls', /^cannot load the TLS client certificate or key for redis:6379 .*keyPassword, if any, right\)\?$/],
    ['a key that is not PEM', errno('ERR_OSSL_PEM_NO_START_LINE', 'error:0480006C:PEM routines::no start line'), withTls, false, 'tls', /^cannot load the TLS client certificate or key/],
    ['a command timeout', new Error('Command timed out'), standalone, true, 'timeout', 'redis:6379 did not answer within 4000 ms'],
    ['a lost connection', new Error('Connection is closed.'), standalone, true, 'unreachable', 'lost the connection to redis:6379: Connection is closed.'],
    ['LOADING', reply('LOADING Redis is loading the dataset in memory'), standalone, true, 'unreachable', /^redis:6379 cannot answer now: LOADING/],
    ['another reply error', reply('ERR unknown command'), standalone, true, 'query', 'redis:6379 refused the command: ERR unknown command'],
    ['anything else', new Error('something odd'), standalone, true, 'internal', 'reading from redis:6379 failed: something odd'],
  ])('%s', (_, error, context, connected, kind, message) => {
    const scalerError = redisScalerError(error, context, connected);
    expect(scalerError).toBeInstanceOf(ScalerError);
    expect(scalerError.kind).toBe(kind);
    if (typeof message === 'string') expect(scalerError.message).toBe(message);
    else expect(scalerError.message).toMatch(message);
  });

  it('a cluster reports the last node\'s error', () => {
    const cluster: RedisErrorContext = { ...standalone, topology: 'cluster', where: 'the Redis Cluster at a:1, b:2', username: undefined };
    const failed = Object.assign(new Error('Failed to refresh slots cache.'), { lastNodeError: reply('WRONGPASS invalid username-password pair or user is disabled.') });
    expect(redisScalerError(failed, cluster)).toMatchObject({ kind: 'auth', message: expect.stringMatching(/^authentication failed for user default at the Redis Cluster at a:1, b:2/) });
    const closed = Object.assign(new Error('Failed to refresh slots cache.'), { lastNodeError: new Error('Connection is closed.') });
    expect(redisScalerError(closed, cluster)).toMatchObject({ kind: 'unreachable', message: expect.stringMatching(/^cannot connect to any node of the Redis Cluster at a:1, b:2: each refused or closed/) });
  });

  it.each<[string, string, ScalerErrorKind, string | RegExp]>([
    ['an unknown master (Redis 7)', 'failed to connect to sentinel s1:26379 because ERR No such master with that name', 'not-found', 'the sentinels at s1:26379, s2:26379 do not know a master named "mymaster": check sentinelMaster'],
    ['an unknown master (older sentinels)', 'connected to sentinel s1:26379 successfully, but got an invalid reply: null', 'not-found', /do not know a master named "mymaster"/],
    ['a wrong sentinelPassword', 'failed to connect to sentinel s1:26379 because WRONGPASS invalid username-password pair or user is disabled.', 'auth', 'authentication failed for user watcher at the sentinels s1:26379, s2:26379: wrong sentinelPassword? (or the user does not exist or is disabled)'],
    ['no sentinelPassword', 'failed to connect to sentinel s1:26379 because NOAUTH Authentication required.', 'auth', /^the sentinels at s1:26379, s2:26379 require authentication: set sentinelPassword/],
    ['sentinels down', 'All sentinels are unreachable. Retrying from scratch after 10ms. Last error: connect ECONNREFUSED 10.0.0.1:26379', 'unreachable', 'cannot reach any sentinel at s1:26379, s2:26379: connect ECONNREFUSED 10.0.0.1:26379'],
  ])('sentinel: %s', (_, message, kind, expected) => {
    const scalerError = redisScalerError(new Error(message), sentinel);
    expect(scalerError.kind).toBe(kind);
    if (typeof expected === 'string') expect(scalerError.message).toBe(expected);
    else expect(scalerError.message).toMatch(expected);
  });

  it('a ScalerError passes through unchanged', () => {
    const original = new ScalerError('as it was', 'timeout');
    expect(redisScalerError(original, standalone)).toBe(original);
  });
});

it('the cause keeps the text and code, not the command ioredis attaches (AUTH with its password)', () => {
  const error = Object.assign(reply('WRONGPASS invalid username-password pair or user is disabled.'), {
    command: { name: 'auth', args: ['alice', 'the-secret-password'] },
  });
  const scalerError = redisScalerError(error, standalone, true);
  const cause = scalerError.cause as Error & { command?: unknown };
  expect(cause.message).toBe(error.message);
  expect(cause.name).toBe('ReplyError');
  expect(cause.command).toBeUndefined();
  expect(JSON.stringify(scalerError, Object.getOwnPropertyNames(scalerError)) + JSON.stringify(cause, Object.getOwnPropertyNames(cause))).not.toContain('the-secret-password');
});
