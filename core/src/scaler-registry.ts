import type { ScalerFactory } from './scaler-factory.js';
import type { TriggerCatalog } from './trigger-catalog.js';

export const ScalerRegistry = Symbol.for('updraft.core.ScalerRegistry');

/** Every scaler factory the loaded modules contributed, by trigger type. */
export interface ScalerRegistry extends TriggerCatalog {
  /** The factory for a trigger type; throws UnknownTriggerTypeError listing the known types. */
  get(type: string): ScalerFactory;
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
