import 'reflect-metadata';
import { AwsClients } from '@updraft/aws-common';
import { BackendCalls, coreModule, ScalerRegistry, type MetricsAndActivity, type MetricType, type PodIdentity, type Scaler } from '@updraft/core';
import awsCloudwatchScalerModule from '@updraft/scaler-aws-cloudwatch';
import awsSqsQueueScalerModule from '@updraft/scaler-aws-sqs-queue';
import { Container } from 'inversify';

/** What a trigger is given, as the ScaledObject loader hands it to a factory. */
export interface TriggerInput {
  readonly metadata: Record<string, string>;
  readonly authParams?: Record<string, string>;
  readonly resolvedEnv?: Record<string, string>;
  readonly metricType?: MetricType;
  /** The TriggerAuthentication's podIdentity. */
  readonly podIdentity?: PodIdentity;
}

/**
 * A container as the adapter composes it (core plus both AWS scaler modules, each of which binds the
 * shared AWS clients only if the other has not), and a way to build triggers through the registry.
 */
export function awsContainer() {
  const container = new Container();
  container.load(coreModule, awsSqsQueueScalerModule, awsCloudwatchScalerModule);
  const registry = container.get<ScalerRegistry>(ScalerRegistry);
  const calls = container.get<BackendCalls>(BackendCalls);
  const clients = container.get<AwsClients>(AwsClients);
  const scalers: Scaler[] = [];
  let index = 0;

  const create = (type: 'aws-sqs-queue' | 'aws-cloudwatch', input: TriggerInput): Scaler => {
    const factory = registry.get(type);
    const podIdentity = input.podIdentity ? { podIdentity: input.podIdentity } : {};
    const parsed = factory.metadata.parse({ triggerMetadata: input.metadata, authParams: input.authParams ?? {}, resolvedEnv: input.resolvedEnv ?? {}, ...podIdentity }, { triggerType: type });
    const errors = parsed.problems.filter((problem) => problem.severity === 'error');
    if (!parsed.metadata || errors.length > 0) throw new Error(`${type} metadata does not parse: ${JSON.stringify(parsed.problems)}`);
    const scaler = factory.create({
      metadata: parsed.metadata,
      triggerType: type,
      triggerIndex: index++,
      metricType: input.metricType ?? 'AverageValue',
      useCachedMetrics: false,
      scaledObject: { namespace: 'default', name: 'worker' },
      ...podIdentity,
    });
    scalers.push(scaler);
    return scaler;
  };

  return {
    container,
    registry,
    calls,
    clients,
    sqs: (input: TriggerInput) => create('aws-sqs-queue', input),
    cloudwatch: (input: TriggerInput) => create('aws-cloudwatch', input),
    async closeAll(): Promise<void> {
      await Promise.all(scalers.map((scaler) => scaler.close()));
    },
  };
}

/** Reads a trigger once, with its first metric spec's name. */
export function read(scaler: Scaler, signal: AbortSignal = new AbortController().signal): Promise<MetricsAndActivity> {
  return scaler.getMetricsAndActivity(scaler.getMetricSpecs()[0]!.metricName, signal);
}

/** The value of a read that must have one. */
export async function valueOf(scaler: Scaler): Promise<number> {
  const result = await read(scaler);
  if (result.values.length !== 1) throw new Error(`expected one value, got ${JSON.stringify(result)}`);
  return result.values[0]!.value;
}

/** The rejection of a read that must fail. */
export async function failureOf(scaler: Scaler, signal?: AbortSignal): Promise<{ kind: string; message: string }> {
  try {
    const result = await read(scaler, signal);
    throw new Error(`expected the read to fail, got ${JSON.stringify(result)}`);
  } catch (error) {
    return error as { kind: string; message: string };
  }
}

/** Sets env vars for the default credential chain, and puts the old ones back. */
export function withEnv(values: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  return () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}
