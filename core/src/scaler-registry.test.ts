import { Container, ContainerModule } from 'inversify';
import { describe, expect, it } from 'vitest';
import { coreModule } from './core-module.js';
import { defineMetadata } from './metadata/declaration.js';
import { p } from './metadata/param.js';
import type { Scaler } from './scaler.js';
import { ScalerFactory } from './scaler-factory.js';
import { DuplicateTriggerTypeError, ScalerRegistry, UnknownTriggerTypeError } from './scaler-registry.js';

function factory(type: string): ScalerFactory {
  return {
    type,
    metadata: defineMetadata({ value: p.number() }),
    create: (): Scaler => {
      throw new Error(`${type} scalers are not created in these tests`);
    },
  };
}

/** A module as a scaler package contributes it: one ScalerFactory binding per trigger type. */
function scalerModule(...factories: ScalerFactory[]): ContainerModule {
  return new ContainerModule(({ bind }) => {
    for (const f of factories) bind(ScalerFactory).toConstantValue(f);
  });
}

function registryOf(...modules: ContainerModule[]): ScalerRegistry {
  const container = new Container();
  container.load(coreModule, ...modules);
  return container.get<ScalerRegistry>(ScalerRegistry);
}

describe('ScalerRegistry', () => {
  it('collects every bound ScalerFactory, from every module, by type', () => {
    const prometheus = factory('prometheus');
    const redis = factory('redis');
    const redisStreams = factory('redis-streams');
    const registry = registryOf(scalerModule(prometheus), scalerModule(redis, redisStreams));
    expect(registry.types()).toEqual(['prometheus', 'redis', 'redis-streams']);
    expect(registry.get('redis')).toBe(redis);
    expect(registry.get('prometheus')).toBe(prometheus);
    expect(registry.has('redis-streams')).toBe(true);
    expect(registry.has('redis-cluster')).toBe(false);
    expect(registry.factories()).toHaveLength(3);
    expect(registry.factories()).toEqual(expect.arrayContaining([prometheus, redis, redisStreams]));
  });

  it('lists the known types sorted, whatever the load order', () => {
    const registry = registryOf(scalerModule(factory('redis')), scalerModule(factory('aws-sqs-queue'), factory('prometheus')));
    expect(registry.types()).toEqual(['aws-sqs-queue', 'prometheus', 'redis']);
  });

  it('is a singleton: the factories are collected once', () => {
    const container = new Container();
    container.load(coreModule, scalerModule(factory('prometheus')));
    expect(container.get(ScalerRegistry)).toBe(container.get(ScalerRegistry));
  });

  it('sees factories bound through toService, as the packaged scalers bind them', () => {
    const prometheus = factory('prometheus');
    const token = Symbol('PrometheusScalerFactory');
    const module = new ContainerModule(({ bind }) => {
      bind(token).toConstantValue(prometheus);
      bind(ScalerFactory).toService(token);
    });
    expect(registryOf(module).get('prometheus')).toBe(prometheus);
  });

  it('two factories for one type: DuplicateTriggerTypeError when the registry is resolved', () => {
    const container = new Container();
    // Loading both modules is fine; the conflict shows when the registry collects them.
    container.load(coreModule, scalerModule(factory('redis')), scalerModule(factory('prometheus'), factory('redis')));
    let caught: unknown;
    try {
      container.get(ScalerRegistry);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DuplicateTriggerTypeError);
    expect((caught as DuplicateTriggerTypeError).type).toBe('redis');
    expect((caught as Error).message).toBe(
      'two scaler factories are bound for trigger type "redis"; each type may have only one (is a plugin loaded twice, or do two plugins claim it?)',
    );
  });

  it('an unknown type: UnknownTriggerTypeError listing the known types', () => {
    const registry = registryOf(scalerModule(factory('redis'), factory('prometheus')));
    let caught: unknown;
    try {
      registry.get('rabbitmq');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UnknownTriggerTypeError);
    expect(caught).toMatchObject({ name: 'UnknownTriggerTypeError', type: 'rabbitmq', known: ['prometheus', 'redis'] });
    expect((caught as Error).message).toBe('unknown trigger type "rabbitmq"; known types: prometheus, redis');
  });

  it('types are matched exactly, case included', () => {
    const registry = registryOf(scalerModule(factory('prometheus')));
    expect(() => registry.get('Prometheus')).toThrow('unknown trigger type "Prometheus"; known types: prometheus');
  });

  it('an empty registry says that no scaler plugin is loaded', () => {
    const registry = registryOf();
    expect(registry.types()).toEqual([]);
    expect(registry.factories()).toEqual([]);
    expect(() => registry.get('prometheus')).toThrow(new UnknownTriggerTypeError('prometheus', []));
    expect(() => registry.get('prometheus')).toThrow('unknown trigger type "prometheus"; known types: (none: no scaler plugin is loaded)');
  });
});
