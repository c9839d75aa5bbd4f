import { Container } from 'inversify';
import { stringify } from 'yaml';
import {
  coreModule,
  defineMetadata,
  ManualClock,
  p,
  ScalerError,
  ScalerFactory,
  ScalerRegistry,
  triggerMetricName,
  type EngineOptions,
  type MetricSpec,
  type MetricsAndActivity,
  type Scaler,
  type ScalerConfig,
  ScalingEngine,
} from '@updraft/core';

/**
 * A metric source the test controls: its value, how it fails, whether it hangs, and how often it
 * was built, read and closed. Triggers name their source in metadata (`source: queue`).
 */
export class Source {
  value = 5;
  /** Default: value > activation. */
  active?: boolean;
  mode: 'value' | 'reject' | 'hang' | 'empty' | 'empty-as-zero' = 'value';
  createThrows = false;
  specsThrow = false;
  specsEmpty = false;
  /** Specs that name another metric than the trigger's. */
  specsWrongName = false;
  /** Reads wait for this before answering. */
  gate?: Promise<void>;
  /** The next this-many reads reject, whatever the mode. */
  failNext = 0;

  creates = 0;
  calls = 0;
  closes = 0;
  readonly signals: AbortSignal[] = [];
  /** Instances closed, counted per instance: each must be 1. */
  readonly closesPerInstance: number[] = [];

  constructor(readonly name: string) {}

  /** Forgets the counts, e.g. of the scaler the loader makes to read the metric specs. */
  resetCounts(): void {
    this.creates = 0;
    this.calls = 0;
    this.closes = 0;
    this.signals.length = 0;
    this.closesPerInstance.length = 0;
  }

  /** Holds every read until the returned function is called. */
  hold(): () => void {
    let open!: () => void;
    this.gate = new Promise((resolve) => (open = resolve));
    return () => {
      this.gate = undefined;
      open();
    };
  }
}

const metadata = defineMetadata({
  source: p.string().required().describe('Which test source the trigger reads.'),
  target: p.number().default(1).describe('Target value.'),
  activation: p.number().default(0).describe('Activation threshold.'),
});

class ControllableScaler implements Scaler {
  private readonly instance: number;

  constructor(
    private readonly source: Source,
    private readonly config: ScalerConfig<{ source: string; target: number; activation: number }>,
  ) {
    this.instance = source.closesPerInstance.push(0) - 1;
  }

  getMetricSpecs(): MetricSpec[] {
    if (this.source.specsThrow) throw new ScalerError('the spec cannot be computed', 'unreachable');
    if (this.source.specsEmpty) return [];
    const name = this.source.specsWrongName ? 'other' : this.source.name;
    return [{ metricName: triggerMetricName(this.config.triggerIndex, `test-${name}`), target: this.config.metadata.target, metricType: this.config.metricType }];
  }

  async getMetricsAndActivity(metricName: string, signal: AbortSignal): Promise<MetricsAndActivity> {
    const source = this.source;
    source.calls += 1;
    source.signals.push(signal);
    if (source.gate) await source.gate;
    if (source.failNext > 0) {
      source.failNext -= 1;
      throw new ScalerError(`source ${source.name} dropped the connection`, 'unreachable');
    }
    switch (source.mode) {
      case 'hang':
        return new Promise(() => undefined);
      case 'reject':
        throw new ScalerError(`source ${source.name} is unreachable`, 'unreachable');
      case 'empty':
        return { values: [], active: false, empty: { reason: 'no series' } };
      case 'empty-as-zero':
        return { values: [{ metricName, value: 0, timestamp: new Date() }], active: false, empty: { reason: 'no series' } };
      default: {
        const active = source.active ?? source.value > this.config.metadata.activation;
        return { values: [{ metricName, value: source.value, timestamp: new Date() }], active };
      }
    }
  }

  async close(): Promise<void> {
    this.source.closes += 1;
    this.source.closesPerInstance[this.instance]! += 1;
  }
}

/** The `controllable` trigger type: each trigger reads the Source its metadata names. */
export class ControllableScalerFactory implements ScalerFactory<typeof metadata.params> {
  readonly type = 'controllable';
  readonly metadata = metadata;
  private readonly sources = new Map<string, Source>();

  source(name: string): Source {
    let source = this.sources.get(name);
    if (!source) {
      source = new Source(name);
      this.sources.set(name, source);
    }
    return source;
  }

  resetCounts(): void {
    for (const source of this.sources.values()) source.resetCounts();
  }

  create(config: ScalerConfig<{ source: string; target: number; activation: number }>): Scaler {
    const source = this.source(config.metadata.source);
    source.creates += 1;
    if (source.createThrows) throw new Error(`cannot connect to ${source.name}`);
    return new ControllableScaler(source, config);
  }
}

export interface TriggerSpec {
  readonly source: string;
  readonly name?: string;
  readonly target?: number;
  readonly activation?: number;
  readonly metricType?: 'AverageValue' | 'Value';
  readonly useCachedMetrics?: boolean;
}

export interface ScaledObjectSpec {
  readonly name?: string;
  readonly namespace?: string;
  readonly triggers: readonly TriggerSpec[];
  readonly pollingInterval?: number;
  readonly minReplicaCount?: number;
  readonly maxReplicaCount?: number;
  readonly idleReplicaCount?: number;
  readonly cooldownPeriod?: number;
  readonly initialCooldownPeriod?: number;
  readonly fallback?: { failureThreshold: number; replicas: number; behavior?: string };
  readonly scalingModifiers?: { formula: string; target: string; activationTarget?: string; metricType?: string };
  readonly behavior?: Record<string, unknown>;
}

/** ScaledObject YAML for `controllable` triggers. */
export function scaledObjectYaml(spec: ScaledObjectSpec): string {
  const advanced = {
    ...(spec.scalingModifiers ? { scalingModifiers: spec.scalingModifiers } : {}),
    ...(spec.behavior ? { horizontalPodAutoscalerConfig: { behavior: spec.behavior } } : {}),
  };
  return stringify({
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: spec.name ?? 'worker', namespace: spec.namespace ?? 'default' },
    spec: {
      scaleTargetRef: { name: 'worker' },
      ...(spec.pollingInterval !== undefined ? { pollingInterval: spec.pollingInterval } : {}),
      ...(spec.minReplicaCount !== undefined ? { minReplicaCount: spec.minReplicaCount } : {}),
      ...(spec.maxReplicaCount !== undefined ? { maxReplicaCount: spec.maxReplicaCount } : {}),
      ...(spec.idleReplicaCount !== undefined ? { idleReplicaCount: spec.idleReplicaCount } : {}),
      ...(spec.cooldownPeriod !== undefined ? { cooldownPeriod: spec.cooldownPeriod } : {}),
      ...(spec.initialCooldownPeriod !== undefined ? { initialCooldownPeriod: spec.initialCooldownPeriod } : {}),
      ...(spec.fallback ? { fallback: spec.fallback } : {}),
      ...(Object.keys(advanced).length > 0 ? { advanced } : {}),
      triggers: spec.triggers.map((trigger) => ({
        type: 'controllable',
        ...(trigger.name ? { name: trigger.name } : {}),
        ...(trigger.metricType ? { metricType: trigger.metricType } : {}),
        ...(trigger.useCachedMetrics ? { useCachedMetrics: true } : {}),
        metadata: {
          source: trigger.source,
          ...(trigger.target !== undefined ? { target: String(trigger.target) } : {}),
          ...(trigger.activation !== undefined ? { activation: String(trigger.activation) } : {}),
        },
      })),
    },
  });
}

export const START = 1_700_000_000_000;
export const SO = { namespace: 'default', name: 'worker' } as const;

/** A container with core and the controllable factory bound, a manual clock, and an engine maker. */
export function setup() {
  const factory = new ControllableScalerFactory();
  const container = new Container();
  container.load(coreModule);
  container.bind(ScalerFactory).toConstantValue(factory);
  const registry = container.get<ScalerRegistry>(ScalerRegistry);
  const clock = new ManualClock(START);
  const engines: ScalingEngine[] = [];
  const engine = (spec: ScaledObjectSpec | readonly ScaledObjectSpec[], options: Partial<EngineOptions> = {}): ScalingEngine => {
    const specs = Array.isArray(spec) ? spec : [spec as ScaledObjectSpec];
    const created = new ScalingEngine({ container, manifests: specs.map(scaledObjectYaml).join('---\n'), clock, random: () => 0.5, ...options });
    engines.push(created);
    // Loading made (and closed) one scaler per trigger to read its metric specs: count from here.
    factory.resetCounts();
    return created;
  };
  return {
    factory,
    registry,
    clock,
    engine,
    source: (name: string) => factory.source(name),
    /** Closes every engine made. */
    dispose: () => Promise.all(engines.map((e) => e.close())),
  };
}

/** Lets pending promise chains run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
