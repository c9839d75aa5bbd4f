import { inject, injectable, multiInject } from 'inversify';
import { ScalingEngine } from '@updraft/core';
import { AdapterLogger } from '../logger.js';
import { AdapterMetrics } from '../metrics/adapter-metrics.js';
import { Readiness } from '../readiness.js';
import type { ServeContribution } from '../serve-application.js';
import { refKey, ScaledObjectSource, type ScaledObjectChange } from './scaled-object-source.js';

/**
 * Feeds every ScaledObjectSource into the engine: new and changed objects are (re)added, removed
 * ones removed. A source loads with loadManifests, which reports every problem (the formula
 * included), so the engine serves whatever a source hands it.
 */
@injectable()
export class ScaledObjectSync implements ServeContribution {
  readonly name = 'ScaledObject sources';
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    @multiInject(ScaledObjectSource) private readonly sources: ScaledObjectSource[],
    @inject(ScalingEngine) private readonly engine: ScalingEngine,
    @inject(AdapterMetrics) private readonly metrics: AdapterMetrics,
    @inject(Readiness) private readonly readiness: Readiness,
    @inject(AdapterLogger) private readonly logger: AdapterLogger,
  ) {}

  async start(): Promise<void> {
    for (const source of this.sources) {
      this.unsubscribe.push(source.onChange((change) => this.apply(source, change)));
      this.readiness.add({ name: `source ${source.name}`, check: () => ({ ok: true, problems: this.problemsOf(source) }) });
      await source.start();
      this.metrics.setSourceProblems(source.name, this.problemsOf(source).length);
      this.logger.info({ source: source.name, scaledObjects: source.scaledObjects().length, problems: this.problemsOf(source).length }, 'ScaledObject source started');
    }
  }

  async stop(): Promise<void> {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    this.unsubscribe.length = 0;
    await Promise.allSettled(this.sources.map((source) => source.stop()));
  }

  private problemsOf(source: ScaledObjectSource): readonly string[] {
    return source.problems();
  }

  private apply(source: ScaledObjectSource, change: ScaledObjectChange): void {
    for (const object of change.upserted) this.engine.add(object);
    for (const ref of change.removed) {
      void this.engine
        .remove(ref)
        .then(() => this.metrics.forget(ref))
        .catch((error: unknown) => this.logger.warn({ scaledObject: refKey(ref), error: (error as Error).message }, 'removing a ScaledObject failed'));
    }
    this.metrics.setSourceProblems(source.name, this.problemsOf(source).length);
  }
}
