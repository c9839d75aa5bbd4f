import { Container, injectable } from 'inversify';
import { describe, expect, it } from 'vitest';
import { BackendCalls } from '../backend-calls.js';
import { coreModule } from '../core-module.js';
import { defineMetadata } from '../metadata/declaration.js';
import { p } from '../metadata/param.js';
import { ScalerRegistry } from '../scaler-registry.js';
import type { Scaler, ScalerConfig } from '../scaler.js';
import { defineScaler, defineScalers, type ScalerContext } from './define-scaler.js';
import { HttpClient } from './http-client.js';

const metadata = defineMetadata({ value: p.number().required().describe('the value') });
const Counter = Symbol.for('updraft.test.Counter');
@injectable()
class CounterImpl {
  made = 0;
}

function scaler(config: ScalerConfig<{ value: number }>): Scaler {
  return {
    getMetricSpecs: () => [{ metricName: `s${config.triggerIndex}-constant`, target: 1, metricType: 'AverageValue' }],
    getMetricsAndActivity: async (metricName) => ({ values: [{ metricName, value: config.metadata.value, timestamp: new Date() }], active: true }),
    close: async () => {},
  };
}

const config = (value: number): ScalerConfig<{ value: number }> => ({
  metadata: { value },
  triggerType: 'constant',
  triggerIndex: 0,
  metricType: 'AverageValue',
  useCachedMetrics: false,
  scaledObject: { namespace: 'default', name: 'so' },
});

describe('defineScaler', () => {
  it('makes the factory and the module: the registry knows the type, create gets the config and the context', () => {
    let seen: ScalerContext | undefined;
    const module = defineScaler({ type: 'constant', metadata, create: (c, context) => ((seen = context), scaler(c)) });
    const container = new Container();
    container.load(coreModule, module);
    const factory = container.get<ScalerRegistry>(ScalerRegistry).get('constant');
    expect(factory.metadata).toBe(metadata);
    expect(factory.create(config(7)).getMetricSpecs()[0]!.metricName).toBe('s0-constant');
    expect(seen!.calls).toBe(container.get(BackendCalls));
    expect(seen!.http).toBe(container.get(HttpClient));
    expect(module.definitions.map((d) => d.type)).toEqual(['constant']);
  });

  it('binds what the module shares before its factories, and get() resolves it later', () => {
    const module = defineScaler({
      type: 'constant',
      metadata,
      bind: ({ bind }) => void bind(Counter).to(CounterImpl).inSingletonScope(),
      create: (c, context) => {
        context.get<CounterImpl>(Counter).made += 1;
        return scaler(c);
      },
    });
    const container = new Container();
    container.load(coreModule, module);
    const factory = container.get<ScalerRegistry>(ScalerRegistry).get('constant');
    factory.create(config(1));
    factory.create(config(2));
    expect(container.get<CounterImpl>(Counter).made).toBe(2);
  });

  it('several modules share one HTTP client; defineScalers contributes several types', () => {
    const a = defineScaler({ type: 'a', metadata, create: scaler });
    const b = defineScalers([{ type: 'b', metadata, create: scaler }, { type: 'c', metadata, create: scaler }]);
    const container = new Container();
    container.load(coreModule, a, b);
    expect(container.get<ScalerRegistry>(ScalerRegistry).types()).toEqual(['a', 'b', 'c']);
    expect(container.getAll(HttpClient)).toHaveLength(1);
  });
});
