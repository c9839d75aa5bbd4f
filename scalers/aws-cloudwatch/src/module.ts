import { AwsClients, bindAwsCommon } from '@updraft/aws-common';
import { defineScaler } from '@updraft/core';
import { CloudWatchQueryBatcher, CloudWatchQueryBatcherImpl } from './query-batcher.js';
import { AwsCloudwatchScaler } from './scaler.js';
import { awsCloudwatchTrigger } from './triggers.js';

/** Contributes the `aws-cloudwatch` trigger type, and the shared AWS clients unless another module bound them. */
export const awsCloudwatchScalerModule = defineScaler({
  ...awsCloudwatchTrigger,
  bind: (options) => {
    bindAwsCommon(options);
    options.bind(CloudWatchQueryBatcherImpl).toSelf().inSingletonScope();
    options.bind(CloudWatchQueryBatcher).toService(CloudWatchQueryBatcherImpl);
  },
  create: (config, context) => new AwsCloudwatchScaler(config, context.get<AwsClients>(AwsClients), context.get<CloudWatchQueryBatcher>(CloudWatchQueryBatcher)),
});

export default awsCloudwatchScalerModule;
