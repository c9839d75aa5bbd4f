import { describe, expect, it } from 'vitest';
import { awsCloudwatchMetadata, CLOUDWATCH_STANDARD_UNITS } from './metadata.js';

type Strings = Record<string, string>;

// KEDA pkg/scalers/aws_cloudwatch_scaler_test.go
const resolvedEnv = { AWS_ACCESS_KEY: 'none', AWS_SECRET_ACCESS_KEY: 'none' };
const authentication = { awsAccessKeyId: 'none', awsSecretAccessKey: 'none' };

function parse(metadata: Strings, authParams: Strings = authentication, env: Strings = resolvedEnv) {
  const result = awsCloudwatchMetadata.parse({ triggerMetadata: metadata, authParams, resolvedEnv: env }, { triggerType: 'aws-cloudwatch' });
  return {
    ...result,
    errors: result.problems.filter((problem) => problem.severity === 'error'),
    warnings: result.problems.filter((problem) => problem.severity === 'warning'),
  };
}

const query = {
  namespace: 'AWS/SQS',
  dimensionName: 'QueueName',
  dimensionValue: 'keda',
  metricName: 'ApproximateNumberOfMessagesVisible',
  targetMetricValue: '2',
  minMetricValue: '0',
  awsRegion: 'eu-west-1',
};
const expression = `SELECT MIN(MessageCount) FROM "AWS/AmazonMQ" WHERE Broker = 'production' and Queue = 'worker'`;

describe('KEDA testAWSCloudwatchMetadata', () => {
  const cases: [comment: string, metadata: Strings, authParams: Strings, isError: boolean][] = [
    ['Empty structures', {}, authentication, true],
    ['properly formed cloudwatch query and awsRegion', { ...query, activationTargetMetricValue: '0' }, authentication, false],
    [
      'properly formed cloudwatch expression query and awsRegion',
      {
        namespace: 'AWS/SQS',
        expression,
        metricName: 'ApproximateNumberOfMessagesVisible',
        targetMetricValue: '2',
        activationTargetMetricValue: '0',
        minMetricValue: '0',
        awsRegion: 'eu-west-1',
      },
      authentication,
      false,
    ],
    [
      'Properly formed cloudwatch query with optional parameters',
      {
        ...query,
        activationTargetMetricValue: '0',
        metricCollectionTime: '300',
        metricStat: 'Average',
        metricStatPeriod: '300',
        awsEndpoint: 'http://localhost:4566',
      },
      authentication,
      false,
    ],
    ['properly formed cloudwatch query but Region is empty', { ...query, activationTargetMetricValue: '0', awsRegion: '' }, authentication, true],
    ['Missing namespace', without(query, 'namespace'), authentication, true],
    ['Missing dimensionName', without(query, 'dimensionName'), authentication, true],
    ['Missing dimensionValue', without(query, 'dimensionValue'), authentication, true],
    ['Missing metricName', without(query, 'metricName'), authentication, true],
    [
      'with AWS Credentials from TriggerAuthentication',
      { ...query, metricCollectionTime: '300', metricStat: 'Average', metricStatPeriod: '300' },
      { awsAccessKeyId: 'none', awsSecretAccessKey: 'none' },
      false,
    ],
    [
      'with AWS temporary Credentials from TriggerAuthentication',
      { ...query, metricCollectionTime: '300', metricStat: 'Average', metricStatPeriod: '300' },
      { awsAccessKeyId: 'none', awsSecretAccessKey: 'none', awsSessionToken: 'none' },
      false,
    ],
    [
      'with AWS Role from TriggerAuthentication',
      { ...query, metricCollectionTime: '300', metricStat: 'Average', metricStatPeriod: '300' },
      { awsRoleArn: 'none' },
      false,
    ],
    [
      'with AWS Role assigned on KEDA operator itself',
      { ...query, metricCollectionTime: '300', metricStat: 'Average', metricStatPeriod: '300', identityOwner: 'operator' },
      {},
      false,
    ],
    [
      'if metricCollectionTime assigned with a string, need to be a number',
      { ...query, metricCollectionTime: 'a', metricStat: 'Average', metricStatPeriod: '300', identityOwner: 'operator' },
      {},
      true,
    ],
    [
      'if metricStatPeriod assigned with a string, need to be a number',
      { ...query, metricCollectionTime: '300', metricStat: 'Average', metricStatPeriod: 'a', identityOwner: 'operator' },
      {},
      true,
    ],
    [
      'Missing metricCollectionTime not generate error because will get the default value',
      { ...query, metricStat: 'Average', metricStatPeriod: '300' },
      authentication,
      false,
    ],
    [
      'Missing metricStat not generate error because will get the default value',
      { ...query, metricCollectionTime: '300', metricStatPeriod: '300' },
      authentication,
      false,
    ],
    [
      'Missing metricStatPeriod not generate error because will get the default value',
      { ...query, metricCollectionTime: '300', metricStat: 'Average' },
      authentication,
      false,
    ],
    ['set a supported metricUnit', { ...query, metricStat: 'Average', metricUnit: 'Count', metricEndTimeOffset: '60' }, authentication, false],
    [
      'metricCollectionTime smaller than metricStatPeriod',
      { ...query, metricStatPeriod: '300', metricCollectionTime: '100', metricStat: 'Average' },
      authentication,
      true,
    ],
    ['unsupported metricStatPeriod (250)', { ...query, metricStatPeriod: '250', metricStat: 'Average' }, authentication, true],
    ['unsupported metricStatPeriod (25)', { ...query, metricStatPeriod: '25', metricStat: 'Average' }, authentication, true],
    ['unsupported metricUnit', { ...query, metricStatPeriod: '25', metricStat: 'Average', metricUnit: 'Hour' }, authentication, true],
    ['with ignoreNullValues set to false', { ...query, metricStatPeriod: '60', metricStat: 'Average', ignoreNullValues: 'false' }, authentication, false],
    ['with ignoreNullValues set to true', { ...query, metricStatPeriod: '60', metricStat: 'Average', ignoreNullValues: 'true' }, authentication, false],
    ['unsupported value for ignoreNullValues', { ...query, metricStatPeriod: '60', metricStat: 'Average', ignoreNullValues: 'maybe' }, authentication, true],
    [
      'Multiple dimensions with valid separator',
      { ...query, dimensionName: 'QueueName;Region', dimensionValue: 'queue1;us-west-2', targetMetricValue: '5', minMetricValue: '1', metricStat: 'Average', awsRegion: 'us-west-2' },
      authentication,
      false,
    ],
  ];

  it.each(cases)('%s', (_comment, metadata, authParams, isError) => {
    const result = parse(metadata, authParams);
    if (isError) {
      expect(result.errors).not.toEqual([]);
      expect(result.metadata).toBeUndefined();
    } else {
      expect(result.errors).toEqual([]);
      expect(result.metadata).toBeDefined();
    }
  });

  it('TestAWSCloudwatchScalerMultipleDimensions', () => {
    const result = parse({
      namespace: 'AWS/SQS',
      dimensionName: 'QueueName;Region',
      dimensionValue: 'queue1;us-west-2',
      metricName: 'ApproximateNumberOfMessagesVisible',
      targetMetricValue: '5',
      minMetricValue: '1',
      metricStat: 'Average',
      awsRegion: 'us-west-2',
    });
    expect(result.metadata?.dimensionName).toEqual(['QueueName', 'Region']);
    expect(result.metadata?.dimensionValue).toEqual(['queue1', 'us-west-2']);
  });
});

describe('aws-cloudwatch parameters', () => {
  it('defaults every optional parameter as KEDA does', () => {
    expect(parse(query).metadata).toEqual({
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensionName: ['QueueName'],
      dimensionValue: ['keda'],
      targetMetricValue: 2,
      activationTargetMetricValue: 0,
      minMetricValue: 0,
      ignoreNullValues: true,
      metricCollectionTime: 300,
      metricStat: 'Average',
      metricStatPeriod: 300,
      metricEndTimeOffset: 0,
      awsRegion: 'eu-west-1',
      identityOwner: 'pod',
      awsAccessKeyID: 'none',
      awsSecretAccessKey: 'none',
    });
  });

  it.each([
    ['targetMetricValue', '2.1', { targetMetricValue: 2.1 }],
    ['targetMetricValue', '1e3', { targetMetricValue: 1000 }],
    ['activationTargetMetricValue', '5.5', { activationTargetMetricValue: 5.5 }],
    ['activationTargetMetricValue', '-1', { activationTargetMetricValue: -1 }],
    ['minMetricValue', '1.5', { minMetricValue: 1.5 }],
    ['minMetricValue', '-2', { minMetricValue: -2 }],
    ['ignoreNullValues', 'false', { ignoreNullValues: false }],
    ['ignoreNullValues', '0', { ignoreNullValues: false }],
    ['metricCollectionTime', '600', { metricCollectionTime: 600 }],
    ['metricStat', 'p95', { metricStat: 'p95' }],
    ['metricStat', 'tm99', { metricStat: 'tm99' }],
    ['metricStat', 'Sum', { metricStat: 'Sum' }],
    ['metricStatPeriod', '60', { metricStatPeriod: 60 }],
    ['metricUnit', 'Count/Second', { metricUnit: 'Count/Second' }],
    ['metricUnit', 'None', { metricUnit: 'None' }],
    ['metricEndTimeOffset', '60', { metricEndTimeOffset: 60 }],
    ['awsAccountId', '123456789012', { awsAccountId: '123456789012' }],
    ['awsEndpoint', 'http://localhost:4566', { awsEndpoint: 'http://localhost:4566' }],
    ['dimensionName', ' QueueName ; Region ', { dimensionName: ['QueueName', 'Region'] }],
  ])('coerces %s %j', (key, raw, expected) => {
    const metadata = key === 'dimensionName' ? { ...query, dimensionValue: 'a;b' } : { ...query };
    const result = parse({ ...metadata, [key]: raw });
    expect(result.errors).toEqual([]);
    expect(result.metadata).toMatchObject(expected);
  });

  it.each([1, 5, 10, 30, 60, 120, 300, 3600])('accepts metricStatPeriod %i', (period) => {
    const result = parse({ ...query, metricStatPeriod: String(period), metricCollectionTime: String(period * 2) });
    expect(result.errors).toEqual([]);
    expect(result.metadata?.metricStatPeriod).toBe(period);
  });

  it.each(CLOUDWATCH_STANDARD_UNITS)('accepts metricUnit %s', (unit) => {
    expect(parse({ ...query, metricUnit: unit }).metadata?.metricUnit).toBe(unit);
  });

  const periodMessage = (period: number) => `must be 1, 5, 10, 30 or a multiple of 60 (seconds, as CloudWatch allows), got ${period}`;
  it.each([
    ['targetMetricValue', 'one', 'must be a number, got "one"'],
    ['targetMetricValue', '0', 'must be greater than 0 (the HPA rejects a target of 0 or less), got 0'],
    ['targetMetricValue', '-2', 'must be greater than 0 (the HPA rejects a target of 0 or less), got -2'],
    ['activationTargetMetricValue', 'x', 'must be a number, got "x"'],
    ['minMetricValue', 'zero', 'must be a number, got "zero"'],
    ['ignoreNullValues', 'maybe', 'must be true or false, got "maybe"'],
    ['metricCollectionTime', 'a', 'must be an integer, got "a"'],
    ['metricCollectionTime', '300.5', 'must be an integer, got "300.5"'],
    ['metricStatPeriod', 'a', 'must be an integer, got "a"'],
    ['metricStatPeriod', '0', periodMessage(0)],
    ['metricStatPeriod', '-60', periodMessage(-60)],
    ['metricStatPeriod', '25', periodMessage(25)],
    ['metricStatPeriod', '59', periodMessage(59)],
    ['metricStatPeriod', '250', periodMessage(250)],
    ['metricStatPeriod', '90', periodMessage(90)],
    ['metricUnit', 'Hour', `must be one of ${CLOUDWATCH_STANDARD_UNITS.join(', ')}, got "Hour"`],
    ['metricUnit', 'count', `must be one of ${CLOUDWATCH_STANDARD_UNITS.join(', ')}, got "count"`],
    ['metricEndTimeOffset', '1m', 'must be an integer, got "1m"'],
    ['awsEndpoint', 'localhost', 'must be an absolute http:// or https:// URL, got "localhost"'],
    ['identityOwner', 'workload', 'must be one of pod, operator, got "workload"'],
  ])('rejects %s %j', (key, raw, message) => {
    expect(parse({ ...query, [key]: raw }).errors).toEqual([{ severity: 'error', source: 'triggerMetadata', key, message }]);
  });

  it.each([
    ['namespace', 'namespace is required unless expression is set (e.g. namespace: AWS/SQS)'],
    ['metricName', 'metricName is required unless expression is set (e.g. metricName: ApproximateNumberOfMessagesVisible)'],
    ['dimensionName', 'dimensionName is required unless expression is set (e.g. dimensionName: QueueName; several are separated by ";")'],
    ['dimensionValue', 'dimensionValue is required unless expression is set (one value per dimensionName, separated by ";")'],
  ] as const)('without an expression, a missing %s is an error', (key, message) => {
    expect(parse(without(query, key)).errors).toEqual([{ severity: 'error', message }]);
  });

  it('reports every missing query field at once', () => {
    const result = parse({ targetMetricValue: '2', minMetricValue: '0', awsRegion: 'eu-west-1' });
    expect(result.errors.map((e) => e.message.split(' ')[0])).toEqual(['namespace', 'metricName', 'dimensionName', 'dimensionValue']);
  });

  it('counts dimension names and values', () => {
    expect(parse({ ...query, dimensionName: 'QueueName;Region', dimensionValue: 'keda' }).errors).toEqual([
      {
        severity: 'error',
        source: 'triggerMetadata',
        key: 'dimensionValue',
        message: 'dimensionName and dimensionValue must have as many ";"-separated items each, got 2 names and 1 value',
      },
    ]);
  });

  it('treats a dimension list of only separators as missing', () => {
    expect(parse({ ...query, dimensionName: ';', dimensionValue: ';' }).errors.map((e) => e.message.split(' ')[0])).toEqual(['dimensionName', 'dimensionValue']);
  });

  it.each([
    ['100', '300', 'got 100 (the default is 300); e.g. metricCollectionTime: "300"', 'metricCollectionTime'],
    ['450', '300', 'got 450 (the default is 300); e.g. metricCollectionTime: "600"', 'metricCollectionTime'],
    ['0', '60', 'got 0 (the default is 300); e.g. metricCollectionTime: "60"', 'metricCollectionTime'],
    ['-60', '60', 'got -60 (the default is 300); e.g. metricCollectionTime: "60"', 'metricCollectionTime'],
    [undefined, '600', 'got 300 (the default is 300); e.g. metricCollectionTime: "600"', undefined],
  ])('metricCollectionTime %s with metricStatPeriod %s is an error', (time, period, tail, key) => {
    const metadata: Strings = { ...query, metricStatPeriod: period };
    if (time !== undefined) metadata.metricCollectionTime = time;
    const errors = parse(metadata).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe(`metricCollectionTime must be greater than 0 and a multiple of metricStatPeriod (${period}), ${tail}`);
    expect(errors[0]!.key).toBe(key);
  });

  it('requires targetMetricValue and minMetricValue, as KEDA\'s code does', () => {
    const { targetMetricValue: _t, minMetricValue: _m, ...rest } = query;
    expect(parse(rest).errors.map((e) => e.message)).toEqual([
      'missing required parameter "targetMetricValue" (set it in metadata)',
      'missing required parameter "minMetricValue" (set it in metadata)',
    ]);
  });

  describe('with an expression', () => {
    const withExpression = { expression, targetMetricValue: '2', minMetricValue: '0', awsRegion: 'eu-west-1' };

    it('needs no namespace, metricName or dimensions', () => {
      const result = parse(withExpression);
      expect(result.problems).toEqual([]);
      expect(result.metadata?.expression).toBe(expression);
    });

    it('warns that the metric query fields it replaces are ignored', () => {
      const result = parse({ ...withExpression, namespace: 'AWS/SQS', metricName: 'M', metricUnit: 'Count' });
      expect(result.errors).toEqual([]);
      expect(result.warnings).toEqual([
        { severity: 'warning', source: 'triggerMetadata', key: 'namespace', message: 'namespace, metricName, metricUnit are ignored: expression replaces the metric query' },
      ]);
    });

    it('still checks the period and the collection time', () => {
      expect(parse({ ...withExpression, metricStatPeriod: '25' }).errors).toHaveLength(1);
      expect(parse({ ...withExpression, metricCollectionTime: '100' }).errors).toHaveLength(1);
    });
  });

  it('reports query, window and credential problems together', () => {
    const result = parse({ targetMetricValue: '2', minMetricValue: '0', awsRegion: 'eu-west-1', metricCollectionTime: '100' }, {});
    expect(result.errors.map((e) => e.message.split(' ')[0])).toEqual(['namespace', 'metricName', 'dimensionName', 'dimensionValue', 'metricCollectionTime', 'no']);
  });

  it('warns about unknown keys, with a suggestion', () => {
    expect(parse({ ...query, metricStatPeriode: '60' }).warnings).toEqual([
      {
        severity: 'warning',
        source: 'triggerMetadata',
        key: 'metricStatPeriode',
        message: 'unknown parameter for aws-cloudwatch, ignored; did you mean "metricStatPeriod"?',
      },
    ]);
  });
});

function without<T extends Strings>(metadata: T, key: keyof T): Strings {
  const copy: Strings = { ...metadata };
  delete copy[key as string];
  return copy;
}
