import { bindAwsCommon } from '@updraft/aws-common';
import { ScalerFactory } from '@updraft/core';
import { ContainerModule } from 'inversify';
import { AwsSqsQueueScalerFactory } from './factory.js';
import { SqsQueueReader } from './sqs-queue-reader.js';

/** Contributes the `aws-sqs-queue` trigger type, and the shared AWS clients unless another module bound them. */
export const awsSqsQueueScalerModule = new ContainerModule((options) => {
  bindAwsCommon(options);
  options.bind(SqsQueueReader).toSelf().inSingletonScope();
  options.bind(AwsSqsQueueScalerFactory).toSelf().inSingletonScope();
  options.bind(ScalerFactory).toService(AwsSqsQueueScalerFactory);
});

export default awsSqsQueueScalerModule;
