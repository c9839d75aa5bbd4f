import { AwsClients, bindAwsCommon } from '@updraft/aws-common';
import { defineScaler } from '@updraft/core';
import { awsSqsQueueMetadata } from './metadata.js';
import { AwsSqsQueueScaler } from './scaler.js';
import { SqsQueueReader } from './sqs-queue-reader.js';

/** Contributes the `aws-sqs-queue` trigger type, and the shared AWS clients unless another module bound them. */
export const awsSqsQueueScalerModule = defineScaler({
  type: 'aws-sqs-queue',
  metadata: awsSqsQueueMetadata,
  bind: (options) => {
    bindAwsCommon(options);
    options.bind(SqsQueueReader).toSelf().inSingletonScope();
  },
  create: (config, context) => new AwsSqsQueueScaler(config, context.get<AwsClients>(AwsClients), context.get(SqsQueueReader)),
});

export default awsSqsQueueScalerModule;
