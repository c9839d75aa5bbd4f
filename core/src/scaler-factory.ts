import type { Infer, ParamShape } from './metadata/param.js';
import type { Scaler, ScalerConfig } from './scaler.js';
import type { TriggerDeclaration } from './trigger-catalog.js';

/** The contribution point for scalers: bind one per trigger type with `bind(ScalerFactory).toService(...)`. */
export const ScalerFactory = Symbol.for('updraft.core.ScalerFactory');

/** Makes scalers for one trigger type. */
export interface ScalerFactory<S extends ParamShape = ParamShape> extends TriggerDeclaration<S> {
  /** Creates the scaler for one trigger. Must not do I/O: connect on the first read. */
  create(config: ScalerConfig<Infer<S>>): Scaler;
}
