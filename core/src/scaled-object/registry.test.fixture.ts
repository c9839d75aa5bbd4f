import { Container, ContainerModule, injectable, type ContainerModule as Module } from 'inversify';
import { coreModule } from '../core-module.js';
import { defineMetadata } from '../metadata/declaration.js';
import { p } from '../metadata/param.js';
import { triggerMetricName } from '../metric-name.js';
import type { MetricSpec, Scaler, ScalerConfig } from '../scaler.js';
import { ScalerFactory } from '../scaler-factory.js';
import { ScalerRegistry } from '../scaler-registry.js';

/** A queue scaler for tests: its parameters come from every source (metadata, authParams, `*FromEnv`). */
export const testQueueMetadata = defineMetadata({
  host: p.string().required().from('triggerMetadata', 'resolvedEnv').describe('Queue host.'),
  password: p.string().from('authParams', 'resolvedEnv').secret(),
  username: p.string().from('authParams'),
  port: p.integer().from('triggerMetadata', 'authParams').default(6379),
  listName: p.string().required(),
  listLength: p.integer().default(5),
});

/** An API scaler for tests whose key is required and can only come from a TriggerAuthentication. */
export const testApiMetadata = defineMetadata({
  url: p.string().required(),
  accessKey: p.string().required().from('authParams').secret(),
});

class TestScaler implements Scaler {
  constructor(private readonly specs: MetricSpec[]) {}
  getMetricSpecs(): MetricSpec[] {
    return this.specs;
  }
  async getMetricsAndActivity(): Promise<never> {
    throw new Error('not in tests');
  }
  async close(): Promise<void> {}
}

@injectable()
class TestQueueFactory implements ScalerFactory<typeof testQueueMetadata.params> {
  readonly type = 'test-queue';
  readonly metadata = testQueueMetadata;
  create(config: ScalerConfig<{ listName: string; listLength: number }>): Scaler {
    return new TestScaler([{ metricName: triggerMetricName(config.triggerIndex, `test-queue-${config.metadata.listName}`), target: config.metadata.listLength, metricType: config.metricType }]);
  }
}

@injectable()
class TestApiFactory implements ScalerFactory<typeof testApiMetadata.params> {
  readonly type = 'test-api';
  readonly metadata = testApiMetadata;
  create(config: ScalerConfig<unknown>): Scaler {
    return new TestScaler([{ metricName: triggerMetricName(config.triggerIndex, 'test-api'), target: 1, metricType: config.metricType }]);
  }
}

/** A scaler that forgets the `s<index>-` prefix, so two of its triggers clash. */
@injectable()
class FixedNameFactory implements ScalerFactory {
  readonly type = 'fixed-name';
  readonly metadata = defineMetadata({});
  create(config: ScalerConfig<unknown>): Scaler {
    return new TestScaler([{ metricName: 'fixed', target: 1, metricType: config.metricType }]);
  }
}

export const testScalersModule = new ContainerModule(({ bind }) => {
  bind(TestQueueFactory).toSelf().inSingletonScope();
  bind(ScalerFactory).toService(TestQueueFactory);
  bind(TestApiFactory).toSelf().inSingletonScope();
  bind(ScalerFactory).toService(TestApiFactory);
  bind(FixedNameFactory).toSelf().inSingletonScope();
  bind(ScalerFactory).toService(FixedNameFactory);
});

/**
 * A registry with the real prometheus scaler (from its built package) and the test scalers. The
 * import is dynamic so that core's own build never depends on a scaler package.
 */
export async function testRegistry(options: { testScalers?: boolean } = {}): Promise<ScalerRegistry> {
  const specifier = '@updraft/scaler-prometheus';
  const { prometheusScalerModule } = (await import(/* @vite-ignore */ specifier)) as { prometheusScalerModule: Module };
  const container = new Container();
  container.load(coreModule, prometheusScalerModule, ...(options.testScalers === false ? [] : [testScalersModule]));
  return container.get<ScalerRegistry>(ScalerRegistry);
}
