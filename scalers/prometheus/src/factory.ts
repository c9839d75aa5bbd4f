import { injectable } from 'inversify';
import type { ScalerConfig, ScalerFactory } from '@updraft/core';
import { prometheusMetadata, type PrometheusMetadata } from './metadata.js';
import { PrometheusScaler } from './scaler.js';

@injectable()
export class PrometheusScalerFactory implements ScalerFactory<typeof prometheusMetadata.params> {
  readonly type = 'prometheus';
  readonly metadata = prometheusMetadata;

  create(config: ScalerConfig<PrometheusMetadata>): PrometheusScaler {
    return new PrometheusScaler(config);
  }
}
