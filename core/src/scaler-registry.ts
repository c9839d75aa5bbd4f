import { injectable, multiInject, optional } from 'inversify';
import { ScalerFactory } from './scaler-factory.js';

export const ScalerRegistry = Symbol.for('updraft.core.ScalerRegistry');

/** Every scaler factory the loaded modules contributed, by trigger type. */
export interface ScalerRegistry {
  /** The factory for a trigger type; throws UnknownTriggerTypeError listing the known types. */
  get(type: string): ScalerFactory;
  has(type: string): boolean;
  /** Known trigger types, sorted. */
  types(): string[];
  factories(): ScalerFactory[];
}

export class UnknownTriggerTypeError extends Error {
  override readonly name = 'UnknownTriggerTypeError';
  constructor(readonly type: string, readonly known: readonly string[]) {
    super(`unknown trigger type ${JSON.stringify(type)}; known types: ${known.join(', ') || '(none: no scaler plugin is loaded)'}`);
  }
}

export class DuplicateTriggerTypeError extends Error {
  override readonly name = 'DuplicateTriggerTypeError';
  constructor(readonly type: string) {
    super(`two scaler factories are bound for trigger type ${JSON.stringify(type)}; each type may have only one (is a plugin loaded twice, or do two plugins claim it?)`);
  }
}

@injectable()
export class ScalerRegistryImpl implements ScalerRegistry {
  private readonly byType = new Map<string, ScalerFactory>();

  constructor(@multiInject(ScalerFactory) @optional() factories: ScalerFactory[] | undefined) {
    for (const factory of factories ?? []) {
      if (this.byType.has(factory.type)) throw new DuplicateTriggerTypeError(factory.type);
      this.byType.set(factory.type, factory);
    }
  }

  get(type: string): ScalerFactory {
    const factory = this.byType.get(type);
    if (!factory) throw new UnknownTriggerTypeError(type, this.types());
    return factory;
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  types(): string[] {
    return [...this.byType.keys()].sort();
  }

  factories(): ScalerFactory[] {
    return [...this.byType.values()];
  }
}
