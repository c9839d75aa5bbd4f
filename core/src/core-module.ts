import { ContainerModule, injectable, multiInject, optional } from 'inversify';
import { BackendCalls, BackendCallsImpl } from './backend-calls.js';
import { ScalerFactory } from './scaler-factory.js';
import { ScalerRegistry } from './scaler-registry.js';
import { TriggerIndex } from './trigger-catalog.js';

/** The registry of every ScalerFactory the loaded modules bound. */
@injectable()
export class ScalerRegistryImpl implements ScalerRegistry {
  private readonly index: TriggerIndex<ScalerFactory>;

  constructor(@multiInject(ScalerFactory) @optional() factories: ScalerFactory[] | undefined) {
    this.index = new TriggerIndex(factories ?? []);
  }

  get(type: string): ScalerFactory {
    return this.index.get(type);
  }

  has(type: string): boolean {
    return this.index.has(type);
  }

  types(): string[] {
    return this.index.types();
  }

  factories(): ScalerFactory[] {
    return this.index.entries();
  }
}

/** Core's bindings. Load every scaler module before the registry is first resolved. */
export const coreModule = new ContainerModule(({ bind }) => {
  bind(ScalerRegistryImpl).toSelf().inSingletonScope();
  bind(ScalerRegistry).toService(ScalerRegistryImpl);
  bind(BackendCallsImpl).toSelf().inSingletonScope();
  bind(BackendCalls).toService(BackendCallsImpl);
});
