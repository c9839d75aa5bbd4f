import { awsIdentityParams, awsIdentityRule } from '@updraft/aws-common/identity';
import { defineMetadata, p, type MetadataOf, type MetadataRule } from '@updraft/core/metadata';

/** CloudWatch's `StandardUnit` values, the units KEDA accepts for `metricUnit`. */
export const CLOUDWATCH_STANDARD_UNITS = [
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
] as const;

/** KEDA's checkMetricStatPeriod: the periods GetMetricData accepts. */
function checkStatPeriod(period: number): string | undefined {
  const ok = period === 1 || period === 5 || period === 10 || period === 30 || (period >= 60 && period % 60 === 0);
  return ok ? undefined : `must be 1, 5, 10, 30 or a multiple of 60 (seconds, as CloudWatch allows), got ${period}`;
}

interface QueryFields {
  readonly namespace?: string;
  readonly metricName?: string;
  readonly dimensionName?: readonly string[];
  readonly dimensionValue?: readonly string[];
  readonly expression?: string;
  readonly metricUnit?: string;
  readonly metricCollectionTime: number;
  readonly metricStatPeriod: number;
}

/** KEDA's `Validate()`: without an expression, a metric query needs its namespace, name and dimensions. */
const metricQueryRule: MetadataRule<QueryFields> = (m, context) => {
  if (m.expression !== undefined) {
    const ignored = (['namespace', 'metricName', 'dimensionName', 'dimensionValue', 'metricUnit'] as const).filter((name) => m[name] !== undefined);
    if (ignored.length > 0) {
      context.warning(`${ignored.join(', ')} ${ignored.length === 1 ? 'is' : 'are'} ignored: expression replaces the metric query`, ignored[0]!);
    }
    return;
  }
  const unless = 'unless expression is set';
  if (m.namespace === undefined) context.error(`namespace is required ${unless} (e.g. namespace: AWS/SQS)`);
  if (m.metricName === undefined) context.error(`metricName is required ${unless} (e.g. metricName: ApproximateNumberOfMessagesVisible)`);
  const names = m.dimensionName ?? [];
  const values = m.dimensionValue ?? [];
  if (names.length === 0) context.error(`dimensionName is required ${unless} (e.g. dimensionName: QueueName; several are separated by ";")`);
  if (values.length === 0) context.error(`dimensionValue is required ${unless} (one value per dimensionName, separated by ";")`);
  if (names.length > 0 && values.length > 0 && names.length !== values.length) {
    context.error(
      `dimensionName and dimensionValue must have as many ";"-separated items each, got ${names.length} ${names.length === 1 ? 'name' : 'names'} and ${values.length} ${values.length === 1 ? 'value' : 'values'}`,
      'dimensionValue',
    );
  }
};

/** KEDA's `Validate()`: the collection window holds whole periods. */
const collectionTimeRule: MetadataRule<QueryFields> = (m, context) => {
  const { metricCollectionTime: time, metricStatPeriod: period } = m;
  if (time > 0 && time % period === 0) return;
  const suggestion = Math.max(1, Math.ceil(time / period)) * period;
  context.error(
    `metricCollectionTime must be greater than 0 and a multiple of metricStatPeriod (${period}), got ${time} (the default is 300); e.g. metricCollectionTime: "${suggestion}"`,
    'metricCollectionTime',
  );
};

/** The `aws-cloudwatch` trigger's parameters (KEDA pkg/scalers/aws_cloudwatch_scaler.go). */
export const awsCloudwatchMetadata = defineMetadata(
  {
    namespace: p.string().describe('CloudWatch namespace of the metric, e.g. `AWS/SQS`. Required unless `expression` is set.'),
    metricName: p.string().describe('Name of the metric, e.g. `ApproximateNumberOfMessagesVisible`. Required unless `expression` is set.'),
    dimensionName: p.list().separatedBy(';').describe('Dimension names, e.g. `QueueName`. Required unless `expression` is set.'),
    dimensionValue: p.list().separatedBy(';').describe('Dimension values, one per `dimensionName`. Required unless `expression` is set.'),
    expression: p
      .string()
      .describe('A Metrics Insights query or metric math expression; replaces `namespace`, `metricName`, the dimensions and `metricUnit`.'),
    targetMetricValue: p
      .number()
      .required()
      .check((value) => (value > 0 ? undefined : `must be greater than 0 (the HPA rejects a target of 0 or less), got ${value}`))
      .describe('Target value for the HPA.'),
    activationTargetMetricValue: p.number().default(0).describe('The trigger is active when the value is above this.'),
    minMetricValue: p
      .number()
      .required()
      .describe('The value when CloudWatch returns no datapoint and `ignoreNullValues` is true. Required, as in KEDA\'s code.'),
    ignoreNullValues: p
      .boolean()
      .default(true)
      .describe('What no datapoint means: true reads it as `minMetricValue`, false makes it an error.'),
    metricCollectionTime: p
      .integer()
      .default(300)
      .describe('How far back to query, in seconds; a positive multiple of `metricStatPeriod`. The newest datapoint is used.'),
    metricStat: p
      .string()
      .default('Average')
      .describe('Statistic of the query: `Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount`, a percentile such as `p95`, a trimmed mean such as `tm99`, ...'),
    metricStatPeriod: p.integer().default(300).check(checkStatPeriod).describe('Period of each datapoint, in seconds: 1, 5, 10, 30 or a multiple of 60.'),
    metricUnit: p.enum(CLOUDWATCH_STANDARD_UNITS).describe('Unit of the metric query.'),
    metricEndTimeOffset: p
      .integer()
      .default(0)
      .describe('Seconds to move the end of the query window back, to skip the newest, still incomplete, datapoint.'),
    awsAccountId: p.string().describe('Account that owns the metric, for CloudWatch cross-account observability.'),
    ...awsIdentityParams,
  },
  { rules: [metricQueryRule, collectionTimeRule, awsIdentityRule] },
);

export type AwsCloudwatchMetadata = MetadataOf<typeof awsCloudwatchMetadata>;
