import { ContainerModule } from 'inversify';
import { BackendCalls, BackendCallsImpl } from './backend-calls.js';
import { ScalerFactory } from './scaler-factory.js';
import { ScalerRegistry } from './scaler-registry.js';
import { scalerRegistryOf } from './trigger-catalog.js';

/** Core's bindings. Load every scaler module before the registry is first resolved. */
export const coreModule = new ContainerModule(({ bind }) => {
  bind(ScalerRegistry)
    .toDynamicValue((context) => scalerRegistryOf(context.getAll<ScalerFactory>(ScalerFactory, { optional: true })))
    .inSingletonScope();
  bind(BackendCallsImpl).toSelf().inSingletonScope();
  bind(BackendCalls).toService(BackendCallsImpl);
});
