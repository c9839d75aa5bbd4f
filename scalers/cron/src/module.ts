import { ContainerModule } from 'inversify';
import { ScalerFactory } from '@updraft/core';
import { CronClock, CronScalerFactory } from './factory.js';

/** Contributes the `cron` trigger type. */
export const cronScalerModule = new ContainerModule(({ bind }) => {
  bind<CronClock>(CronClock).toConstantValue({ now: () => Date.now() });
  bind(CronScalerFactory).toSelf().inSingletonScope();
  bind(ScalerFactory).toService(CronScalerFactory);
});

export default cronScalerModule;
