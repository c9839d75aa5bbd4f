import { bindAwsCommon } from '@updraft/aws-common';
import { ScalerFactory } from '@updraft/core';
import { ContainerModule } from 'inversify';
import { AwsCloudwatchScalerFactory } from './factory.js';
import { CloudWatchQueryBatcher, CloudWatchQueryBatcherImpl } from './query-batcher.js';

/** Contributes the `aws-cloudwatch` trigger type, and the shared AWS clients unless another module bound them. */
export const awsCloudwatchScalerModule = new ContainerModule((options) => {
  bindAwsCommon(options);
  options.bind(CloudWatchQueryBatcherImpl).toSelf().inSingletonScope();
  options.bind(CloudWatchQueryBatcher).toService(CloudWatchQueryBatcherImpl);
  options.bind(AwsCloudwatchScalerFactory).toSelf().inSingletonScope();
  options.bind(ScalerFactory).toService(AwsCloudwatchScalerFactory);
});

export default awsCloudwatchScalerModule;
