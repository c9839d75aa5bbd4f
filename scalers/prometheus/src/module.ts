import { defineScaler } from '@updraft/core';
import { PrometheusScaler } from './scaler.js';
import { prometheusTrigger } from './triggers.js';

/** Contributes the `prometheus` trigger type. */
export const prometheusScalerModule = defineScaler({
  ...prometheusTrigger,
  create: (config, { http }) => new PrometheusScaler(config, http),
});

export default prometheusScalerModule;
