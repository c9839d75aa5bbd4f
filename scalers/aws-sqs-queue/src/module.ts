import { ContainerModule } from 'inversify';
import { ScalerFactory } from '@updraft/core';
import { AwsSqsQueueScalerFactory } from './factory.js';

/** Contributes the `aws-sqs-queue` trigger type. */
export const awsSqsQueueScalerModule = new ContainerModule(({ bind }) => {
  bind(AwsSqsQueueScalerFactory).toSelf().inSingletonScope();
  bind(ScalerFactory).toService(AwsSqsQueueScalerFactory);
});

export default awsSqsQueueScalerModule;
