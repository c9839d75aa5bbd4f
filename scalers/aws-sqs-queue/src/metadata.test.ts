import { describe, expect, it } from 'vitest';
import { awsSqsQueueMetadata } from './metadata.js';

type Strings = Record<string, string>;

function parse(metadata: Strings, authParams: Strings = {}, resolvedEnv: Strings = {}) {
  const result = awsSqsQueueMetadata.parse({ triggerMetadata: metadata, authParams, resolvedEnv }, { triggerType: 'aws-sqs-queue' });
  return { ...result, errors: result.problems.filter((problem) => problem.severity === 'error') };
}

// KEDA pkg/scalers/aws_sqs_queue_scaler_test.go
const properQueueURL = 'https://sqs.eu-west-1.amazonaws.com/account_id/DeleteArtifactQ';
const improperQueueURL1 = 'https://sqs.eu-west-1.amazonaws.com/account_id';
const improperQueueURL2 = 'https://sqs.eu-west-1.amazonaws.com';
const simpleQueueURL = 'my-queue';
const authentication = { awsAccessKeyId: 'none', awsSecretAccessKey: 'none' };
const emptyEnv = {};
const queueEnv = { QUEUE_URL: properQueueURL };

describe('KEDA testAWSSQSMetadata', () => {
  const cases: [comment: string, metadata: Strings, authParams: Strings, resolvedEnv: Strings, isError: boolean][] = [
    ['metadata empty', {}, authentication, emptyEnv, true],
    ['properly formed queue and region', { queueURL: properQueueURL, queueLength: '1', awsRegion: 'eu-west-1' }, authentication, emptyEnv, false],
    [
      'properly formed queue and region with custom endpoint',
      { queueURL: properQueueURL, queueLength: '1', awsRegion: 'eu-west-1', awsEndpoint: 'http://localhost:4566' },
      authentication,
      emptyEnv,
      false,
    ],
    ['improperly formed queue, missing queueName', { queueURL: improperQueueURL1, queueLength: '1', awsRegion: 'eu-west-1' }, authentication, emptyEnv, true],
    ['improperly formed queue, missing path', { queueURL: improperQueueURL2, queueLength: '1', awsRegion: 'eu-west-1' }, authentication, emptyEnv, true],
    ['properly formed queue, empty region', { queueURL: properQueueURL, queueLength: '1', awsRegion: '' }, authentication, emptyEnv, true],
    ['properly formed queue, integer queueLength', { queueURL: properQueueURL, queueLength: '1', awsRegion: 'eu-west-1' }, authentication, emptyEnv, false],
    ['invalid integer value for queueLength', { queueURL: properQueueURL, queueLength: 'a', awsRegion: 'eu-west-1' }, authentication, emptyEnv, true],
    [
      'properly formed queue, integer activationQueueLength',
      { queueURL: properQueueURL, queueLength: '1', activationQueueLength: '1', awsRegion: 'eu-west-1' },
      authentication,
      emptyEnv,
      false,
    ],
    [
      'invalid integer value for activationQueueLength',
      { queueURL: properQueueURL, queueLength: '1', activationQueueLength: 'a', awsRegion: 'eu-west-1' },
      authentication,
      emptyEnv,
      true,
    ],
    [
      'with AWS static credentials from TriggerAuthentication',
      { queueURL: properQueueURL, queueLength: '1', awsRegion: 'eu-west-1' },
      { awsAccessKeyId: 'none', awsSecretAccessKey: 'none' },
      emptyEnv,
      false,
    ],
    [
      'with AWS temporary credentials from TriggerAuthentication',
      { queueURL: properQueueURL, queueLength: '1', awsRegion: 'eu-west-1' },
      { awsAccessKeyId: 'none', awsSecretAccessKey: 'none', awsSessionToken: 'none' },
      emptyEnv,
      false,
    ],
    [
      'with AWS static credentials from TriggerAuthentication, missing Access Key Id',
      { queueURL: properQueueURL, queueLength: '1', awsRegion: 'eu-west-1' },
      { awsAccessKeyId: '', awsSecretAccessKey: 'none' },
      emptyEnv,
      true,
    ],
    [
      'with AWS temporary credentials from TriggerAuthentication, missing Secret Access Key',
      { queueURL: properQueueURL, queueLength: '1', awsRegion: 'eu-west-1' },
      { awsAccessKeyId: 'none', awsSecretAccessKey: '' },
      emptyEnv,
      true,
    ],
    [
      'with AWS temporary credentials from TriggerAuthentication, missing Access Key Id (with a session token)',
      { queueURL: properQueueURL, queueLength: '1', awsRegion: 'eu-west-1' },
      { awsAccessKeyId: '', awsSecretAccessKey: 'none', awsSessionToken: 'none' },
      emptyEnv,
      true,
    ],
    [
      'with AWS static credentials from TriggerAuthentication, missing Secret Access Key (with a session token)',
      { queueURL: properQueueURL, queueLength: '1', awsRegion: 'eu-west-1' },
      { awsAccessKeyId: 'none', awsSecretAccessKey: '', awsSessionToken: 'none' },
      emptyEnv,
      true,
    ],
    ['with AWS Role from TriggerAuthentication', { queueURL: properQueueURL, queueLength: '1', awsRegion: 'eu-west-1' }, { awsRoleArn: 'none' }, emptyEnv, false],
    [
      'with AWS Role assigned on KEDA operator itself',
      { queueURL: properQueueURL, queueLength: '1', awsRegion: 'eu-west-1', identityOwner: 'operator' },
      { awsAccessKeyId: '', awsSecretAccessKey: '' },
      emptyEnv,
      false,
    ],
    ['properly formed queue and region (bare queue name)', { queueURL: simpleQueueURL, queueLength: '1', awsRegion: 'eu-west-1' }, authentication, emptyEnv, false],
    [
      'properly formed queue and region (scaleOnInFlight false)',
      { queueURL: simpleQueueURL, queueLength: '1', awsRegion: 'eu-west-1', scaleOnInFlight: 'false' },
      authentication,
      emptyEnv,
      false,
    ],
    [
      'properly formed queue and region (scaleOnInFlight true)',
      { queueURL: simpleQueueURL, queueLength: '1', awsRegion: 'eu-west-1', scaleOnInFlight: 'true' },
      authentication,
      emptyEnv,
      false,
    ],
    ['properly formed queue loaded from env', { queueURLFromEnv: 'QUEUE_URL', queueLength: '1', awsRegion: 'eu-west-1' }, authentication, queueEnv, false],
    ['missing queue url from both queueURL and queueURLFromEnv', { queueLength: '1', awsRegion: 'eu-west-1' }, authentication, emptyEnv, true],
    ['empty QUEUE_URL env value', { queueURLFromEnv: 'QUEUE_URL', queueLength: '1', awsRegion: 'eu-west-1' }, authentication, { QUEUE_URL: '' }, true],
  ];

  it.each(cases)('%s', (_comment, metadata, authParams, resolvedEnv, isError) => {
    const result = parse(metadata, authParams, resolvedEnv);
    if (isError) {
      expect(result.errors).not.toEqual([]);
      expect(result.metadata).toBeUndefined();
    } else {
      expect(result.errors).toEqual([]);
      expect(result.metadata).toBeDefined();
    }
  });

  // KEDA awsSQSGetMetricTestData: the flags parse as given
  it.each([
    [{ scaleOnInFlight: 'false' }, false, false],
    [{ scaleOnInFlight: 'true' }, true, false],
    [{ scaleOnDelayed: 'false' }, true, false],
    [{ scaleOnDelayed: 'true' }, true, true],
    [{ scaleOnInFlight: 'false', scaleOnDelayed: 'false' }, false, false],
    [{ scaleOnInFlight: 'true', scaleOnDelayed: 'true' }, true, true],
  ])('flags %o parse to scaleOnInFlight=%s scaleOnDelayed=%s', (flags, inFlight, delayed) => {
    const result = parse({ queueURL: properQueueURL, queueLength: '1', awsRegion: 'eu-west-1', ...flags }, authentication);
    expect(result.metadata).toMatchObject({ scaleOnInFlight: inFlight, scaleOnDelayed: delayed });
  });
});

describe('aws-sqs-queue parameters', () => {
  const base = { queueURL: properQueueURL, awsRegion: 'eu-west-1' };

  it('defaults every optional parameter as KEDA does', () => {
    expect(parse(base, authentication).metadata).toEqual({
      queueURL: properQueueURL,
      queueLength: 5,
      activationQueueLength: 0,
      scaleOnInFlight: true,
      scaleOnDelayed: false,
      awsRegion: 'eu-west-1',
      identityOwner: 'pod',
      awsAccessKeyID: 'none',
      awsSecretAccessKey: 'none',
    });
  });

  it.each([
    ['queueLength', '10', { queueLength: 10 }],
    ['queueLength', ' 7 ', { queueLength: 7 }],
    ['activationQueueLength', '3', { activationQueueLength: 3 }],
    ['activationQueueLength', '-1', { activationQueueLength: -1 }],
    ['scaleOnInFlight', 'f', { scaleOnInFlight: false }],
    ['scaleOnInFlight', 'FALSE', { scaleOnInFlight: false }],
    ['scaleOnDelayed', '1', { scaleOnDelayed: true }],
    ['scaleOnDelayed', 'True', { scaleOnDelayed: true }],
    ['awsEndpoint', 'http://localhost:4566', { awsEndpoint: 'http://localhost:4566' }],
    ['identityOwner', 'operator', { identityOwner: 'operator' }],
  ])('coerces %s %j', (key, raw, expected) => {
    const result = parse({ ...base, [key]: raw }, authentication);
    expect(result.errors).toEqual([]);
    expect(result.metadata).toMatchObject(expected);
  });

  it.each([
    ['queueLength', '1.5', 'must be an integer, got "1.5"'],
    ['queueLength', 'a', 'must be an integer, got "a"'],
    ['queueLength', '0', 'must be greater than 0 (the HPA rejects a target of 0 or less), got 0'],
    ['queueLength', '-5', 'must be greater than 0 (the HPA rejects a target of 0 or less), got -5'],
    ['activationQueueLength', '0.5', 'must be an integer, got "0.5"'],
    ['scaleOnInFlight', 'yes', 'must be true or false, got "yes"'],
    ['scaleOnDelayed', 'maybe', 'must be true or false, got "maybe"'],
    ['awsEndpoint', 'localhost:4566', 'must be an http:// or https:// URL, got "localhost:4566"'],
    ['identityOwner', 'keda', 'must be one of pod, operator, got "keda"'],
  ])('rejects %s %j', (key, raw, message) => {
    const result = parse({ ...base, [key]: raw }, authentication);
    expect(result.errors).toEqual([{ severity: 'error', source: 'triggerMetadata', key, message }]);
  });

  it('requires queueURL, from metadata or queueURLFromEnv', () => {
    expect(parse({ awsRegion: 'eu-west-1' }, authentication).errors.map((e) => e.message)).toEqual([
      'missing required parameter "queueURL" (set it in metadata or queueURLFromEnv)',
    ]);
  });

  it('says which env var is empty when queueURLFromEnv cannot be read', () => {
    const result = parse({ queueURLFromEnv: 'QUEUE_URL', awsRegion: 'eu-west-1' }, authentication, { QUEUE_URL: '' });
    expect(result.errors.map((e) => e.message)).toEqual([
      'missing required parameter "queueURL" (set it in metadata or queueURLFromEnv); queueURLFromEnv names QUEUE_URL, which the scale target\'s container does not set',
    ]);
  });

  it('prefers queueURL in metadata over queueURLFromEnv', () => {
    const result = parse({ queueURL: 'from-metadata', queueURLFromEnv: 'QUEUE_URL', awsRegion: 'eu-west-1' }, authentication, queueEnv);
    expect(result.metadata?.queueURL).toBe('from-metadata');
  });

  it('reads queueURLFromEnv', () => {
    expect(parse({ queueURLFromEnv: 'QUEUE_URL', awsRegion: 'eu-west-1' }, authentication, queueEnv).metadata?.queueURL).toBe(properQueueURL);
  });

  it('reports a queue URL without a queue name against queueURL, in clear words', () => {
    expect(parse({ ...base, queueURL: improperQueueURL1 }, authentication).errors).toEqual([
      {
        severity: 'error',
        source: 'triggerMetadata',
        key: 'queueURL',
        message:
          'queueURL has no queue name: the path of a queue URL is /<account-id>/<queue-name>, as in https://sqs.eu-west-1.amazonaws.com/123456789012/my-queue; a bare queue name (my-queue) also works',
      },
    ]);
  });

  it('reports it against queueURLFromEnv when the URL came from the env', () => {
    const result = parse({ queueURLFromEnv: 'QUEUE_URL', awsRegion: 'eu-west-1' }, authentication, { QUEUE_URL: improperQueueURL2 });
    expect(result.errors).toMatchObject([{ source: 'resolvedEnv', key: 'queueURLFromEnv' }]);
  });

  it('takes awsRegion from a TriggerAuthentication when metadata has none', () => {
    expect(parse({ queueURL: properQueueURL }, { ...authentication, awsRegion: 'us-east-1' }).metadata?.awsRegion).toBe('us-east-1');
  });

  it('reports a queue URL problem and a credentials problem together', () => {
    const messages = parse({ ...base, queueURL: improperQueueURL1 }).errors.map((e) => e.message);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toMatch(/^queueURL has no queue name/);
    expect(messages[1]).toMatch(/^no AWS credentials/);
  });

  it('warns about unknown keys, with a suggestion', () => {
    const result = parse({ ...base, queueLenght: '3' }, authentication);
    expect(result.problems).toEqual([
      { severity: 'warning', source: 'triggerMetadata', key: 'queueLenght', message: 'unknown parameter for aws-sqs-queue, ignored; did you mean "queueLength"?' },
    ]);
  });
});
