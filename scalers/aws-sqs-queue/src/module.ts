import { AwsClients, bindAwsCommon } from '@updraft/aws-common';
import { defineScaler } from '@updraft/core';
import { AwsSqsQueueScaler } from './scaler.js';
import { SqsQueueReader } from './sqs-queue-reader.js';
import { awsSqsQueueTrigger } from './triggers.js';

/** Contributes the `aws-sqs-queue` trigger type, and the shared AWS clients unless another module bound them. */
export const awsSqsQueueScalerModule = defineScaler({
  ...awsSqsQueueTrigger,
  bind: (options) => {
    bindAwsCommon(options);
    options.bind(SqsQueueReader).toSelf().inSingletonScope();
  },
  create: (config, context) => new AwsSqsQueueScaler(config, context.get<AwsClients>(AwsClients), context.get(SqsQueueReader)),
});

export default awsSqsQueueScalerModule;
