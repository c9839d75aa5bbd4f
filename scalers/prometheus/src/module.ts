import { ContainerModule } from 'inversify';
import { ScalerFactory } from '@updraft/core';
import { PrometheusScalerFactory } from './factory.js';
import { PrometheusHttpAgents, PrometheusHttpAgentsImpl } from './http-agents.js';

/** Contributes the `prometheus` trigger type. */
export const prometheusScalerModule = new ContainerModule(({ bind }) => {
  bind(PrometheusHttpAgentsImpl).toSelf().inSingletonScope();
  bind(PrometheusHttpAgents).toService(PrometheusHttpAgentsImpl);
  bind(PrometheusScalerFactory).toSelf().inSingletonScope();
  bind(ScalerFactory).toService(PrometheusScalerFactory);
});

export default prometheusScalerModule;
