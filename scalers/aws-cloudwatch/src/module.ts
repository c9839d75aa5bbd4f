import { AwsClients, bindAwsCommon } from '@updraft/aws-common';
import { defineScaler } from '@updraft/core';
import { awsCloudwatchMetadata } from './metadata.js';
import { CloudWatchQueryBatcher, CloudWatchQueryBatcherImpl } from './query-batcher.js';
import { AwsCloudwatchScaler } from './scaler.js';

/** Contributes the `aws-cloudwatch` trigger type, and the shared AWS clients unless another module bound them. */
export const awsCloudwatchScalerModule = defineScaler({
  type: 'aws-cloudwatch',
  metadata: awsCloudwatchMetadata,
  bind: (options) => {
    bindAwsCommon(options);
    options.bind(CloudWatchQueryBatcherImpl).toSelf().inSingletonScope();
    options.bind(CloudWatchQueryBatcher).toService(CloudWatchQueryBatcherImpl);
  },
  create: (config, context) => new AwsCloudwatchScaler(config, context.get<AwsClients>(AwsClients), context.get<CloudWatchQueryBatcher>(CloudWatchQueryBatcher)),
});

export default awsCloudwatchScalerModule;
