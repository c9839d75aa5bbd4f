import { defineScaler } from '@updraft/core';
import { prometheusMetadata } from './metadata.js';
import { PrometheusScaler } from './scaler.js';

/** Contributes the `prometheus` trigger type. */
export const prometheusScalerModule = defineScaler({
  type: 'prometheus',
  metadata: prometheusMetadata,
  create: (config, { http }) => new PrometheusScaler(config, http),
});

export default prometheusScalerModule;
