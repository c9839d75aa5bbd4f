import { ContainerModule } from 'inversify';
import { ScalerFactory } from '@updraft/core';
import { PrometheusScalerFactory } from './factory.js';

/** Contributes the `prometheus` trigger type. */
export const prometheusScalerModule = new ContainerModule(({ bind }) => {
  bind(PrometheusScalerFactory).toSelf().inSingletonScope();
  bind(ScalerFactory).toService(PrometheusScalerFactory);
});

export default prometheusScalerModule;
