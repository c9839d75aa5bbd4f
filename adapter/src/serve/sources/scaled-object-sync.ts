import { inject, injectable, multiInject } from 'inversify';
import { EngineConfigError, ScalingEngine, type LoadedScaledObject } from '@updraft/core';
import { AdapterLogger } from '../logger.js';
import { AdapterMetrics } from '../metrics/adapter-metrics.js';
import { Readiness } from '../readiness.js';
import type { ServeContribution } from '../serve-application.js';
import { refKey, ScaledObjectSource, type ScaledObjectChange } from './scaled-object-source.js';

/**
 * Feeds every ScaledObjectSource into the engine: new and changed objects are (re)added, removed
 * ones removed; an object the engine refuses (a formula naming unknown triggers) is a problem of its
 * source, and its previous version, if any, stays served.
 */
@injectable()
export class ScaledObjectSync implements ServeContribution {
  readonly name = 'ScaledObject sources';
  private readonly unsubscribe: (() => void)[] = [];
  /** Per source: objects the engine refused, with why. */
  private readonly refused = new Map<ScaledObjectSource, Map<string, string>>();

  constructor(
    @multiInject(ScaledObjectSource) private readonly sources: ScaledObjectSource[],
    @inject(ScalingEngine) private readonly engine: ScalingEngine,
    @inject(AdapterMetrics) private readonly metrics: AdapterMetrics,
    @inject(Readiness) private readonly readiness: Readiness,
    @inject(AdapterLogger) private readonly logger: AdapterLogger,
  ) {}

  async start(): Promise<void> {
    for (const source of this.sources) {
      const refused = new Map<string, string>();
      this.refused.set(source, refused);
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

  private problemsOf(source: ScaledObjectSource): string[] {
    return [...source.problems(), ...(this.refused.get(source)?.values() ?? [])];
  }

  private apply(source: ScaledObjectSource, change: ScaledObjectChange): void {
    const refused = this.refused.get(source)!;
    for (const object of change.upserted) this.add(object, refused);
    for (const ref of change.removed) {
      refused.delete(refKey(ref));
      void this.engine
        .remove(ref)
        .then(() => this.metrics.forget(ref))
        .catch((error: unknown) => this.logger.warn({ scaledObject: refKey(ref), error: (error as Error).message }, 'removing a ScaledObject failed'));
    }
    this.metrics.setSourceProblems(source.name, this.problemsOf(source).length);
  }

  private add(object: LoadedScaledObject, refused: Map<string, string>): void {
    const key = refKey(object);
    try {
      this.engine.add(object);
      refused.delete(key);
    } catch (error) {
      if (!(error instanceof EngineConfigError)) throw error;
      refused.set(key, this.engine.has(object) ? `${error.message} (the previous version is still served)` : error.message);
      this.logger.error({ scaledObject: key, error: error.message }, 'the engine refused a ScaledObject');
    }
  }
}
