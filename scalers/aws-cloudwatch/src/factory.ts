import { injectable } from 'inversify';
import type { ScalerConfig, ScalerFactory } from '@updraft/core';
import { awsCloudwatchMetadata, type AwsCloudwatchMetadata } from './metadata.js';
import { AwsCloudwatchScaler } from './scaler.js';

@injectable()
export class AwsCloudwatchScalerFactory implements ScalerFactory<typeof awsCloudwatchMetadata.params> {
  readonly type = 'aws-cloudwatch';
  readonly metadata = awsCloudwatchMetadata;

  create(config: ScalerConfig<AwsCloudwatchMetadata>): AwsCloudwatchScaler {
    return new AwsCloudwatchScaler(config);
  }
}
