import { Container } from 'inversify';
import {
  BackendCalls,
  coreModule,
  ScalerError,
  ScalerRegistry,
  type MetricsAndActivity,
  type Scaler,
  type ScalerErrorKind,
} from '@updraft/core';
import { RedisConnections, RedisConnectionSettings, redisScalerModule } from '@updraft/scaler-redis';
import { expect } from 'vitest';

/** Trigger metadata as a ScaledObject and its TriggerAuthentication would give it. */
export interface TriggerInput {
  readonly metadata: Record<string, string>;
  readonly authParams?: Record<string, string>;
  readonly resolvedEnv?: Record<string, string>;
}

/**
 * Redis triggers made the way the engine makes them: core's and the redis plugin's modules in one
 * container, the factory from the ScalerRegistry, metadata parsed by the factory's declaration.
 */
export function redisTriggers(settings?: RedisConnectionSettings) {
  const container = new Container();
  container.load(coreModule, redisScalerModule);
  if (settings) container.bind(RedisConnectionSettings).toConstantValue(settings);
  const registry = container.get<ScalerRegistry>(ScalerRegistry);
  const calls = container.get<BackendCalls>(BackendCalls);
  const connections = container.get<RedisConnections>(RedisConnections);
  const created = new Set<Scaler>();

  const create = (type: string, input: TriggerInput, triggerIndex = 0): Scaler => {
    const factory = registry.get(type);
    const parsed = factory.metadata.parse({ triggerMetadata: input.metadata, authParams: input.authParams ?? {}, resolvedEnv: input.resolvedEnv ?? {} }, { triggerType: type });
    expect(parsed.problems.filter((problem) => problem.severity === 'error')).toEqual([]);
    const scaler = factory.create({
      metadata: parsed.metadata!,
      triggerType: type,
      triggerIndex,
      metricType: 'AverageValue',
      useCachedMetrics: false,
      scaledObject: { namespace: 'default', name: 'worker' },
    });
    created.add(scaler);
    return scaler;
  };

  const read = (scaler: Scaler, signal: AbortSignal = AbortSignal.timeout(15_000)): Promise<MetricsAndActivity> =>
    scaler.getMetricsAndActivity(scaler.getMetricSpecs()[0]!.metricName, signal);

  return {
    calls,
    connections,
    create,
    read,
    /** Creates a trigger, reads it once, and closes it. */
    async readOnce(type: string, input: TriggerInput): Promise<MetricsAndActivity> {
      const scaler = create(type, input);
      try {
        return await read(scaler);
      } finally {
        await scaler.close();
      }
    },
    /** The single value a read returned. */
    async value(scaler: Scaler): Promise<number> {
      const result = await read(scaler);
      expect(result.values).toHaveLength(1);
      return result.values[0]!.value;
    },
    async closeAll(): Promise<void> {
      await Promise.all([...created].map((scaler) => scaler.close()));
      created.clear();
    },
  };
}

/** Awaits a read that must fail, checks the ScalerError's kind and message, and returns it. */
export async function scalerError(read: Promise<unknown>, kind: ScalerErrorKind, message?: RegExp): Promise<ScalerError> {
  const outcome = await read.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a ScalerError of kind ${kind}, but the read returned ${JSON.stringify(outcome.value)}`);
  const error = outcome.error;
  expect(error).toBeInstanceOf(ScalerError);
  expect({ kind: (error as ScalerError).kind, message: (error as ScalerError).message }).toMatchObject({ kind, ...(message && { message: expect.stringMatching(message) }) });
  return error as ScalerError;
}

/** Everything an error carries that could end up in a log: message, cause, and their serialised fields. */
export function everythingIn(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    if (current instanceof Error) {
      parts.push(current.message, current.stack ?? '', JSON.stringify(current, Object.getOwnPropertyNames(current)));
      current = current.cause;
    } else {
      parts.push(JSON.stringify(current));
      current = undefined;
    }
  }
  return parts.join('\n');
}
