import { ContainerModule } from 'inversify';
import { BackendCalls, BackendCallsImpl } from './backend-calls.js';
import { ScalerRegistry, ScalerRegistryImpl } from './scaler-registry.js';

/** Core's bindings. Load every scaler module before the registry is first resolved. */
export const coreModule = new ContainerModule(({ bind }) => {
  bind(ScalerRegistryImpl).toSelf().inSingletonScope();
  bind(ScalerRegistry).toService(ScalerRegistryImpl);
  bind(BackendCallsImpl).toSelf().inSingletonScope();
  bind(BackendCalls).toService(BackendCallsImpl);
});
