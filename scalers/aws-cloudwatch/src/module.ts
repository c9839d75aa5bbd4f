import { ContainerModule } from 'inversify';
import { ScalerFactory } from '@updraft/core';
import { AwsCloudwatchScalerFactory } from './factory.js';

/** Contributes the `aws-cloudwatch` trigger type. */
export const awsCloudwatchScalerModule = new ContainerModule(({ bind }) => {
  bind(AwsCloudwatchScalerFactory).toSelf().inSingletonScope();
  bind(ScalerFactory).toService(AwsCloudwatchScalerFactory);
});

export default awsCloudwatchScalerModule;
