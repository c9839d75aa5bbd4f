import { inject, injectable } from 'inversify';
import type { ScalerConfig, ScalerFactory } from '@updraft/core';
import type { cronMetadata, CronMetadata } from './metadata.js';
import { CronScaler } from './scaler.js';
import { cronTrigger } from './triggers.js';

/** Where the cron trigger reads the time: the process clock, rebound in tests. */
export const CronClock = Symbol.for('updraft.scaler-cron.CronClock');
export interface CronClock {
  now(): number;
}

@injectable()
export class CronScalerFactory implements ScalerFactory<typeof cronMetadata.params> {
  readonly type = cronTrigger.type;
  readonly metadata = cronTrigger.metadata;

  constructor(@inject(CronClock) private readonly clock: CronClock) {}

  create(config: ScalerConfig<CronMetadata>): CronScaler {
    return new CronScaler(config, () => this.clock.now());
  }
}
