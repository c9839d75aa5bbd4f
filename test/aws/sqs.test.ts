import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startSqs, type SqsServer } from '../harness/sqs.js';
import { awsContainer, failureOf, read, valueOf, withEnv } from './helpers.js';

// The aws-sqs-queue scaler against fauxqs 1.9.2 (in process, 127.0.0.1), through the real
// @aws-sdk/client-sqs. The harness's front checks SigV4 signatures and answers STS AssumeRole.

const KEY = { awsAccessKeyID: 'AKIATRIGGERKEY000001', awsSecretAccessKey: 'trigger-secret-access-key' };
const OPERATOR = { AWS_ACCESS_KEY_ID: 'AKIAOPERATORKEY00001', AWS_SECRET_ACCESS_KEY: 'operator-secret-access-key' };
const ROLE = 'arn:aws:iam::123456789012:role/queue-reader';

let server: SqsServer;
let env: ReturnType<typeof awsContainer>;
/** orders: 2 visible, 1 in flight, 2 delayed. */
let ordersUrl: string;

beforeAll(async () => {
  server = await startSqs();
  server.keys.addKey({ accessKeyId: KEY.awsAccessKeyID, secretAccessKey: KEY.awsSecretAccessKey });
  ordersUrl = await server.createQueue('orders');
  await server.send(ordersUrl, 3);
  await server.send(ordersUrl, 2, 900);
  // fauxqs moves messages between states only on ReceiveMessage: this one takes one visible message in flight.
  expect(await server.receive(ordersUrl, 1, 900)).toBe(1);
});

afterAll(async () => {
  await server?.stop();
});

afterEach(async () => {
  await env?.closeAll();
  server.resetCalls();
});

function trigger(metadata: Record<string, string> = {}, authParams: Record<string, string> = KEY, resolvedEnv?: Record<string, string>) {
  env ??= awsContainer();
  return env.sqs({ metadata: { queueURL: ordersUrl, awsRegion: server.region, awsEndpoint: server.endpoint, ...metadata }, authParams, ...(resolvedEnv ? { resolvedEnv } : {}) });
}

describe('queue length', () => {
  it('fauxqs reports the states the set-up made', async () => {
    env = awsContainer();
    expect(await valueOf(trigger({ scaleOnInFlight: 'false' }))).toBe(2);
  });

  it.each([
    ['visible + in flight (the default)', {}, 3],
    ['visible only: scaleOnInFlight false', { scaleOnInFlight: 'false' }, 2],
    ['visible + in flight + delayed: scaleOnDelayed true', { scaleOnDelayed: 'true' }, 5],
    ['visible + delayed', { scaleOnInFlight: 'false', scaleOnDelayed: 'true' }, 4],
  ])('%s', async (_name, flags, expected) => {
    env = awsContainer();
    const scaler = trigger(flags);
    const result = await read(scaler);
    expect(result.values).toEqual([{ metricName: 's0-aws-sqs-orders', value: expected, timestamp: expect.any(Date) }]);
    expect(server.calls('GetQueueAttributes')).toBe(1);
  });

  it('an empty queue reads 0, inactive', async () => {
    env = awsContainer();
    const emptyUrl = await server.createQueue('empty');
    const result = await read(trigger({ queueURL: emptyUrl }));
    expect(result.values[0]!.value).toBe(0);
    expect(result.active).toBe(false);
    expect(result.empty).toBeUndefined();
  });

  it.each([
    ['2', true],
    ['3', false],
    ['4', false],
  ])('activationQueueLength %s with a length of 3: active %s', async (activation, active) => {
    env = awsContainer();
    expect((await read(trigger({ activationQueueLength: activation }))).active).toBe(active);
  });

  it('queueLength is the target, not part of the value', async () => {
    env = awsContainer();
    const scaler = trigger({ queueLength: '7' });
    expect(scaler.getMetricSpecs()).toEqual([{ metricName: 's0-aws-sqs-orders', target: 7, metricType: 'AverageValue' }]);
    expect(await valueOf(scaler)).toBe(3);
  });

  it('a FIFO queue is read the same way', async () => {
    env = awsContainer();
    const fifoUrl = await server.createQueue('jobs.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
    for (let i = 0; i < 4; i++) await server.admin.send(new SendMessageCommand({ QueueUrl: fifoUrl, MessageBody: `job ${i}`, MessageGroupId: `g${i % 2}` }));
    const scaler = trigger({ queueURL: fifoUrl });
    expect(scaler.getMetricSpecs()[0]!.metricName).toBe('s0-aws-sqs-jobs-fifo');
    expect(await valueOf(scaler)).toBe(4);
  });
});

describe('queueURL', () => {
  it('a URL is used as fauxqs returned it, with no GetQueueUrl', async () => {
    env = awsContainer();
    expect(await valueOf(trigger({ queueURL: ordersUrl }))).toBe(3);
    expect(server.calls('GetQueueUrl')).toBe(0);
  });

  it('a bare name is resolved with GetQueueUrl once per client', async () => {
    env = awsContainer();
    const scalers = [trigger({ queueURL: 'orders' }), trigger({ queueURL: 'orders' })];
    for (let i = 0; i < 3; i++) for (const scaler of scalers) expect(await valueOf(scaler)).toBe(3);
    expect(server.calls('GetQueueUrl')).toBe(1);
    expect(server.calls('GetQueueAttributes')).toBe(6);
    expect(env.calls.count('aws-sqs', 'GetQueueUrl')).toBe(1);
    expect(scalers[0]!.getMetricSpecs()[0]!.metricName).toBe('s0-aws-sqs-orders');
  });

  it('queueURLFromEnv reads the URL from the scale target\'s env', async () => {
    env = awsContainer();
    const scaler = env.sqs({
      metadata: { queueURLFromEnv: 'QUEUE_URL', awsRegion: server.region, awsEndpoint: server.endpoint },
      authParams: KEY,
      resolvedEnv: { QUEUE_URL: ordersUrl },
    });
    expect(await valueOf(scaler)).toBe(3);
  });
});

describe('coalescing', () => {
  it('10 triggers on one queue polled together make one GetQueueAttributes call', async () => {
    env = awsContainer();
    server.delay('GetQueueAttributes', 50);
    try {
      const scalers = Array.from({ length: 10 }, (_, i) => trigger(i % 2 === 0 ? {} : { scaleOnDelayed: 'true' }));
      const values = await Promise.all(scalers.map((scaler) => valueOf(scaler)));
      expect(values).toEqual([3, 5, 3, 5, 3, 5, 3, 5, 3, 5]);
      expect(server.calls('GetQueueAttributes')).toBe(1);
      expect(env.calls.count('aws-sqs', 'GetQueueAttributes')).toBe(1);
      // The value is not cached beyond the call: the next poll asks again.
      await Promise.all(scalers.map((scaler) => valueOf(scaler)));
      expect(server.calls('GetQueueAttributes')).toBe(2);
    } finally {
      server.delay('GetQueueAttributes', 0);
    }
  });

  it('triggers with different credentials do not share a call', async () => {
    env = awsContainer();
    server.keys.addKey({ accessKeyId: 'AKIASECONDKEY0000001', secretAccessKey: 'second-secret' });
    await Promise.all([valueOf(trigger()), valueOf(trigger({}, { awsAccessKeyID: 'AKIASECONDKEY0000001', awsSecretAccessKey: 'second-secret' }))]);
    expect(server.calls('GetQueueAttributes')).toBe(2);
  });
});

describe('credentials', () => {
  it('static keys sign the calls', async () => {
    env = awsContainer();
    await valueOf(trigger());
    expect(server.signers('GetQueueAttributes')).toEqual([KEY.awsAccessKeyID]);
  });

  it('a session token goes with temporary static keys', async () => {
    env = awsContainer();
    server.keys.addKey({ accessKeyId: 'ASIATEMPORARYKEY0001', secretAccessKey: 'temporary-secret', sessionToken: 'the-session-token' });
    expect(await valueOf(trigger({}, { awsAccessKeyID: 'ASIATEMPORARYKEY0001', awsSecretAccessKey: 'temporary-secret', awsSessionToken: 'the-session-token' }))).toBe(3);
    const failure = await failureOf(trigger({}, { awsAccessKeyID: 'ASIATEMPORARYKEY0001', awsSecretAccessKey: 'temporary-secret', awsSessionToken: 'not-the-token' }));
    expect(failure).toMatchObject({ kind: 'auth', message: expect.stringContaining('InvalidClientTokenId') });
    expect(failure.message).not.toMatch(/not-the-token|temporary-secret|ASIATEMPORARYKEY0001/);
  });

  it('static keys from the scale target\'s env (awsAccessKeyIDFromEnv, awsSecretAccessKeyFromEnv)', async () => {
    env = awsContainer();
    const scaler = trigger({ awsAccessKeyIDFromEnv: 'KEY_ID', awsSecretAccessKeyFromEnv: 'SECRET' }, {}, { KEY_ID: KEY.awsAccessKeyID, SECRET: KEY.awsSecretAccessKey });
    expect(await valueOf(scaler)).toBe(3);
  });

  describe('with the adapter\'s own identity in the env (the default chain)', () => {
    let restore: () => void;
    beforeAll(() => {
      server.keys.addKey({ accessKeyId: OPERATOR.AWS_ACCESS_KEY_ID, secretAccessKey: OPERATOR.AWS_SECRET_ACCESS_KEY });
      server.keys.addRole({ roleArn: ROLE, externalId: 'orders-external-id' });
      restore = withEnv({ ...OPERATOR, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined, AWS_EC2_METADATA_DISABLED: 'true' });
    });
    afterAll(() => restore());

    it('identityOwner operator signs with the default chain\'s keys', async () => {
      env = awsContainer();
      expect(await valueOf(trigger({ identityOwner: 'operator' }, {}))).toBe(3);
      expect(server.signers('GetQueueAttributes')).toEqual([OPERATOR.AWS_ACCESS_KEY_ID]);
    });

    it('awsRoleArn with awsExternalId: AssumeRole at the awsEndpoint, signed by the default chain; the role\'s keys sign the SQS calls', async () => {
      env = awsContainer();
      const before = server.keys.assumed.length;
      const scalers = Array.from({ length: 5 }, () => trigger({}, { awsRoleArn: ROLE, awsExternalId: 'orders-external-id' }));
      for (const scaler of scalers) expect(await valueOf(scaler)).toBe(3);
      const assumed = server.keys.assumed.slice(before);
      expect(assumed).toEqual([{ roleArn: ROLE, externalId: 'orders-external-id', sessionName: 'updraft', signedBy: OPERATOR.AWS_ACCESS_KEY_ID, accessKeyId: expect.stringMatching(/^ASIA/) }]);
      expect(new Set(server.signers('GetQueueAttributes'))).toEqual(new Set([assumed[0]!.accessKeyId]));
      // one AssumeRole for five triggers
      expect(server.calls('AssumeRole')).toBe(1);
      expect(env.calls.count('aws-sts', 'AssumeRole')).toBe(1);
    });

    it('a wrong external ID is an auth error naming the role and AccessDenied', async () => {
      env = awsContainer();
      const failure = await failureOf(trigger({}, { awsRoleArn: ROLE, awsExternalId: 'wrong' }));
      expect(failure.kind).toBe('auth');
      expect(failure.message).toMatch(/^aws-sqs GetQueueAttributes for queue orders failed: AccessDenied \(HTTP 403\): assuming role arn:aws:iam::123456789012:role\/queue-reader \(sts AssumeRole\) failed: User: arn:aws:iam::000000000000:user\/AKIAOPERATORKEY00001 is not authorized to perform: sts:AssumeRole/);
      expect(server.calls('GetQueueAttributes')).toBe(0);
    });
  });
});

describe('podIdentity.provider aws: the adapter\'s own identity, from IRSA\'s web identity token', () => {
  // What EKS's pod identity webhook gives the adapter's pod: a projected token file and the role it
  // may assume with it. The default chain reads both and calls STS AssumeRoleWithWebIdentity.
  const ADAPTER_ROLE = 'arn:aws:iam::123456789012:role/updraft-adapter';
  const TENANT_ROLE = 'arn:aws:iam::123456789012:role/tenant-reader';
  const CHAINED_ROLE = 'arn:aws:iam::123456789012:role/chained-reader';
  const TOKEN = 'eyJhbGciOiJSUzI1NiJ9.irsa-test-token.signature';
  let restore: () => void;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'updraft-irsa-'));
    writeFileSync(join(dir, 'token'), TOKEN);
    server.keys.addWebIdentityToken(TOKEN, 'system:serviceaccount:updraft:updraft');
    server.keys.addRole({ roleArn: ADAPTER_ROLE, trustsWebIdentity: true });
    server.keys.addRole({ roleArn: TENANT_ROLE, trustsWebIdentity: true });
    server.keys.addRole({ roleArn: CHAINED_ROLE, externalId: 'chained-id' });
    restore = withEnv({
      AWS_ACCESS_KEY_ID: undefined,
      AWS_SECRET_ACCESS_KEY: undefined,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_WEB_IDENTITY_TOKEN_FILE: join(dir, 'token'),
      AWS_ROLE_ARN: ADAPTER_ROLE,
      AWS_ENDPOINT_URL_STS: server.endpoint,
    });
  });
  afterAll(() => {
    restore();
    rmSync(dir, { recursive: true, force: true });
  });

  function podIdentityTrigger(podIdentity: { provider: string; roleArn?: string; externalID?: string }, authParams: Record<string, string> = {}) {
    env ??= awsContainer();
    return env.sqs({ metadata: { queueURL: ordersUrl, awsRegion: server.region, awsEndpoint: server.endpoint }, authParams, podIdentity });
  }

  it('KEDA\'s documented TriggerAuthentication (provider aws, nothing else) reads with the adapter\'s role', async () => {
    env = awsContainer();
    const before = server.keys.assumed.length;
    expect(await valueOf(podIdentityTrigger({ provider: 'aws' }))).toBe(3);
    const assumed = server.keys.assumed.slice(before);
    expect(assumed).toEqual([{ roleArn: ADAPTER_ROLE, externalId: undefined, sessionName: expect.any(String), signedBy: 'web-identity:system:serviceaccount:updraft:updraft', accessKeyId: expect.stringMatching(/^ASIA/) }]);
    expect(server.signers('GetQueueAttributes')).toEqual([assumed[0]!.accessKeyId]);
  });

  it('podIdentity.roleArn that trusts the token: AssumeRoleWithWebIdentity straight to it, as KEDA tries first', async () => {
    env = awsContainer();
    const before = server.keys.assumed.length;
    expect(await valueOf(podIdentityTrigger({ provider: 'aws', roleArn: TENANT_ROLE }))).toBe(3);
    const assumed = server.keys.assumed.slice(before);
    expect(assumed).toEqual([{ roleArn: TENANT_ROLE, externalId: undefined, sessionName: 'updraft', signedBy: 'web-identity:system:serviceaccount:updraft:updraft', accessKeyId: expect.stringMatching(/^ASIA/) }]);
    expect(server.signers('GetQueueAttributes')).toEqual([assumed[0]!.accessKeyId]);
    expect(env.calls.count('aws-sts', 'AssumeRoleWithWebIdentity')).toBe(1);
  });

  it('podIdentity.roleArn that does not trust the token: AssumeRole with externalID, signed by the adapter\'s own role', async () => {
    env = awsContainer();
    const before = server.keys.assumed.length;
    expect(await valueOf(podIdentityTrigger({ provider: 'aws', roleArn: CHAINED_ROLE, externalID: 'chained-id' }))).toBe(3);
    const assumed = server.keys.assumed.slice(before);
    // the default chain's AssumeRoleWithWebIdentity for the adapter's role, then AssumeRole signed with those keys
    expect(assumed.map((entry) => [entry.roleArn, entry.externalId])).toEqual([
      [ADAPTER_ROLE, undefined],
      [CHAINED_ROLE, 'chained-id'],
    ]);
    expect(assumed[1]!.signedBy).toBe(assumed[0]!.accessKeyId);
    expect(server.signers('GetQueueAttributes')).toEqual([assumed[1]!.accessKeyId]);
  });

  it('static keys in the TriggerAuthentication are ignored: the pod identity signs', async () => {
    env = awsContainer();
    expect(await valueOf(podIdentityTrigger({ provider: 'aws' }, KEY))).toBe(3);
    expect(server.signers('GetQueueAttributes')).not.toContain(KEY.awsAccessKeyID);
  });

  it('a token STS refuses is an auth error that says so, never 0', async () => {
    env = awsContainer();
    writeFileSync(join(dir, 'token'), 'not-a-token-sts-knows');
    try {
      const failure = await failureOf(podIdentityTrigger({ provider: 'aws' }));
      expect(failure.kind).toBe('auth');
      expect(failure.message).toContain('gave no credentials: The web identity token that was passed could not be validated by AWS.');
      expect(failure.message).not.toContain('not-a-token-sts-knows');
    } finally {
      writeFileSync(join(dir, 'token'), TOKEN);
    }
  });
});

describe('errors', () => {
  it('a queue that does not exist: not-found, with the queue and the AWS code', async () => {
    env = awsContainer();
    const failure = await failureOf(trigger({ queueURL: ordersUrl.replace('/orders', '/missing') }));
    expect(failure).toMatchObject({
      kind: 'not-found',
      message: 'aws-sqs GetQueueAttributes for queue missing failed: AWS.SimpleQueueService.NonExistentQueue (QueueDoesNotExist, HTTP 400): The specified queue does not exist.',
    });
  });

  it('a queue name that does not exist fails at GetQueueUrl', async () => {
    env = awsContainer();
    expect(await failureOf(trigger({ queueURL: 'missing' }))).toMatchObject({ kind: 'not-found', message: expect.stringMatching(/^aws-sqs GetQueueUrl for queue missing failed: AWS\.SimpleQueueService\.NonExistentQueue/) });
  });

  it('an unknown access key: auth, InvalidClientTokenId, and no secret in the message', async () => {
    env = awsContainer();
    const failure = await failureOf(trigger({}, { awsAccessKeyID: 'AKIAUNKNOWNKEY000001', awsSecretAccessKey: 'unknown-secret-value' }));
    expect(failure).toMatchObject({ kind: 'auth' });
    expect(failure.message).toBe(
      'aws-sqs GetQueueAttributes for queue orders failed: InvalidClientTokenId (HTTP 403): The security token included in the request is invalid. (signed as static credentials, access key ID ending 0001, in eu-west-1)',
    );
    expect(failure.message).not.toMatch(/unknown-secret-value|AKIAUNKNOWNKEY000001/);
  });

  it('a wrong secret: auth, SignatureDoesNotMatch', async () => {
    env = awsContainer();
    const failure = await failureOf(trigger({}, { ...KEY, awsSecretAccessKey: 'not-the-secret' }));
    expect(failure).toMatchObject({ kind: 'auth', message: expect.stringContaining('SignatureDoesNotMatch (HTTP 403)') });
    expect(failure.message).not.toContain('not-the-secret');
  });

  it('throttling, after the SDK\'s retries: unreachable, with the AWS code', async () => {
    env = awsContainer();
    // SQS answers throttling with HTTP 403 and the query code RequestThrottled (the SDK's model says so); it is not an auth failure.
    server.failNext('GetQueueAttributes', { status: 403, type: 'com.amazonaws.sqs#RequestThrottled', queryCode: 'RequestThrottled', message: 'Request is throttled.', times: 3 });
    const failure = await failureOf(trigger());
    expect(failure).toMatchObject({ kind: 'unreachable', message: 'aws-sqs GetQueueAttributes for queue orders failed: RequestThrottled (HTTP 403): Request is throttled.' });
    // one counted call (the SDK's own retries are inside it)
    expect(env.calls.count('aws-sqs', 'GetQueueAttributes')).toBe(1);
    expect(server.calls('GetQueueAttributes')).toBe(3);
  });

  it('an endpoint nobody listens on: unreachable, naming the endpoint', async () => {
    env = awsContainer();
    const failure = await failureOf(trigger({ awsEndpoint: 'http://127.0.0.1:9' }));
    expect(failure).toMatchObject({ kind: 'unreachable', message: expect.stringMatching(/^aws-sqs GetQueueAttributes for queue orders failed: ECONNREFUSED.*\(endpoint http:\/\/127\.0\.0\.1:9\)$/) });
  });

  it('a slow answer is abandoned when the signal aborts: timeout', async () => {
    env = awsContainer();
    server.delay('GetQueueAttributes', 2_000);
    try {
      const started = Date.now();
      const failure = await failureOf(trigger(), AbortSignal.timeout(100));
      expect(failure).toMatchObject({ kind: 'timeout', message: expect.stringMatching(/^aws-sqs GetQueueAttributes for queue orders was aborted before AWS answered/) });
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      server.delay('GetQueueAttributes', 0);
    }
  });
});
