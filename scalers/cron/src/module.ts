import { defineScaler } from '@updraft/core';
import { CronScaler } from './scaler.js';
import { cronTrigger } from './triggers.js';

/** Where the cron trigger reads the time: the process clock, rebound in tests. */
export const CronClock = Symbol.for('updraft.scaler-cron.CronClock');
export interface CronClock {
  now(): number;
}

/** Contributes the `cron` trigger type. */
export const cronScalerModule = defineScaler({
  ...cronTrigger,
  bind: ({ bind }) => bind<CronClock>(CronClock).toConstantValue({ now: () => Date.now() }),
  create: (config, context) => {
    const clock = context.get<CronClock>(CronClock);
    return new CronScaler(config, () => clock.now());
  },
});

export default cronScalerModule;
