import { inject, injectable } from 'inversify';
import { BackendCalls, type ScalerConfig, type ScalerFactory } from '@updraft/core';
import { PrometheusHttpAgents } from './http-agents.js';
import { prometheusMetadata, type PrometheusMetadata } from './metadata.js';
import { PrometheusScaler } from './scaler.js';

@injectable()
export class PrometheusScalerFactory implements ScalerFactory<typeof prometheusMetadata.params> {
  readonly type = 'prometheus';
  readonly metadata = prometheusMetadata;

  constructor(
    @inject(BackendCalls) private readonly calls: BackendCalls,
    @inject(PrometheusHttpAgents) private readonly agents: PrometheusHttpAgents,
  ) {}

  create(config: ScalerConfig<PrometheusMetadata>): PrometheusScaler {
    return new PrometheusScaler(config, { calls: this.calls, agents: this.agents });
  }
}
