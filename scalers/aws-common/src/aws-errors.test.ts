import { BackendCallsImpl, ScalerError } from '@updraft/core';
import { describe, expect, it } from 'vitest';
import { awsErrorCode, AwsCredentialsError, callAws, toScalerError, type AwsCallContext } from './aws-errors.js';

const context: AwsCallContext = {
  backend: 'aws-sqs',
  operation: 'GetQueueAttributes',
  subject: 'queue orders',
  identity: { kind: 'static', region: 'eu-west-1', accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'very-secret-key', sessionToken: 'session-token-value' },
  endpoint: 'http://127.0.0.1:1',
};

function sdkError(name: string, status: number, message: string, code?: string) {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, ...(code ? { Code: code } : {}) });
}

describe('toScalerError', () => {
  it.each([
    [sdkError('QueueDoesNotExist', 400, 'The specified queue does not exist.', 'AWS.SimpleQueueService.NonExistentQueue'), 'not-found', 'AWS.SimpleQueueService.NonExistentQueue'],
    [sdkError('InvalidClientTokenId', 403, 'The security token included in the request is invalid.', 'InvalidClientTokenId'), 'auth', 'InvalidClientTokenId'],
    [sdkError('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match', 'SignatureDoesNotMatch'), 'auth', 'SignatureDoesNotMatch'],
    [sdkError('AccessDeniedException', 400, 'User is not authorized'), 'auth', 'AccessDeniedException'],
    [sdkError('MissingAuthenticationTokenException', 403, 'Missing Authentication Token'), 'auth', 'MissingAuthenticationTokenException'],
    [sdkError('ThrottlingException', 400, 'Rate exceeded', 'Throttling'), 'unreachable', 'Throttling'],
    [sdkError('InvalidParameterValueException', 400, 'bad stat', 'InvalidParameterValue'), 'query', 'InvalidParameterValue'],
    [sdkError('InternalServiceFault', 500, 'oops', 'InternalServiceError'), 'unreachable', 'InternalServiceError'],
    [sdkError('SomethingNew', 418, 'teapot'), 'query', 'SomethingNew'],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'unreachable', 'ECONNREFUSED'],
    [Object.assign(new Error('Request timed out'), { name: 'TimeoutError' }), 'timeout', 'TimeoutError'],
    [new AwsCredentialsError('assuming role x failed: not authorized', 'AccessDenied', 403), 'auth', 'AccessDenied'],
    [new AwsCredentialsError('no credentials', 'CredentialsProviderError'), 'auth', 'CredentialsProviderError'],
    [new SyntaxError('Unexpected token < in JSON'), 'bad-response', 'SyntaxError'],
  ] as const)('%s is %s with code %s', (error, kind, code) => {
    const mapped = toScalerError(error, context);
    expect(mapped).toBeInstanceOf(ScalerError);
    expect(mapped.kind).toBe(kind);
    expect(awsErrorCode(error)).toBe(code);
    expect(mapped.message).toContain(`aws-sqs GetQueueAttributes for queue orders failed: ${code}`);
    expect(mapped.cause).toBe(error);
  });

  it('names who signed an auth failure, and the endpoint of an unreachable one', () => {
    expect(toScalerError(sdkError('InvalidClientTokenId', 403, 'invalid', 'InvalidClientTokenId'), context).message).toBe(
      'aws-sqs GetQueueAttributes for queue orders failed: InvalidClientTokenId (HTTP 403): invalid (signed as static temporary credentials, access key ID ending MPLE, in eu-west-1)',
    );
    expect(toScalerError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), context).message).toBe(
      'aws-sqs GetQueueAttributes for queue orders failed: ECONNREFUSED: connect ECONNREFUSED (endpoint http://127.0.0.1:1)',
    );
  });

  it('never prints a secret, even one the service echoes', () => {
    const message = toScalerError(sdkError('Weird', 400, 'bad key AKIAIOSFODNN7EXAMPLE very-secret-key session-token-value'), context).message;
    expect(message).not.toMatch(/AKIAIOSFODNN7EXAMPLE|very-secret-key|session-token-value/);
    expect(message).toContain('<redacted>');
  });

  it('an aborted call is a timeout that gives the reason', () => {
    const controller = new AbortController();
    controller.abort(new Error('the trigger timeout of 3000 ms passed'));
    const mapped = toScalerError(Object.assign(new Error('Request aborted'), { name: 'AbortError' }), context, controller.signal);
    expect(mapped).toMatchObject({ kind: 'timeout', message: 'aws-sqs GetQueueAttributes for queue orders was aborted before AWS answered: the trigger timeout of 3000 ms passed' });
  });

  it('passes a ScalerError through', () => {
    const error = new ScalerError('x', 'bad-response');
    expect(toScalerError(error, context)).toBe(error);
  });
});

describe('callAws', () => {
  it('records each call with its outcome, and passes the signal to send', async () => {
    const calls = new BackendCallsImpl();
    const signal = new AbortController().signal;
    await expect(callAws(calls, context, signal, async (abortSignal) => (abortSignal === signal ? 'ok' : 'wrong'))).resolves.toBe('ok');
    await expect(callAws(calls, context, signal, async () => Promise.reject(sdkError('AccessDenied', 403, 'no', 'AccessDenied')))).rejects.toMatchObject({ kind: 'auth' });
    expect(calls.totals().map(({ backend, operation, outcome, count }) => [backend, operation, outcome, count])).toEqual([
      ['aws-sqs', 'GetQueueAttributes', 'ok', 1],
      ['aws-sqs', 'GetQueueAttributes', 'error', 1],
    ]);
  });

  it('makes no call when the signal has already aborted', async () => {
    const calls = new BackendCallsImpl();
    let sent = false;
    await expect(callAws(calls, context, AbortSignal.abort(), async () => (sent = true))).rejects.toMatchObject({ kind: 'timeout' });
    expect(sent).toBe(false);
    expect(calls.count('aws-sqs')).toBe(0);
  });
});
