import { AwsClients } from '@updraft/aws-common';
import { inject, injectable } from 'inversify';
import type { ScalerConfig, ScalerFactory } from '@updraft/core';
import { awsCloudwatchMetadata, type AwsCloudwatchMetadata } from './metadata.js';
import { CloudWatchQueryBatcher } from './query-batcher.js';
import { AwsCloudwatchScaler } from './scaler.js';

@injectable()
export class AwsCloudwatchScalerFactory implements ScalerFactory<typeof awsCloudwatchMetadata.params> {
  readonly type = 'aws-cloudwatch';
  readonly metadata = awsCloudwatchMetadata;

  constructor(
    @inject(AwsClients) private readonly clients: AwsClients,
    @inject(CloudWatchQueryBatcher) private readonly batcher: CloudWatchQueryBatcher,
  ) {}

  create(config: ScalerConfig<AwsCloudwatchMetadata>): AwsCloudwatchScaler {
    return new AwsCloudwatchScaler(config, this.clients, this.batcher);
  }
}
