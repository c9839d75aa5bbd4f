import { injectable } from 'inversify';
import type { ScalerConfig, ScalerFactory } from '@updraft/core';
import { awsSqsQueueMetadata, type AwsSqsQueueMetadata } from './metadata.js';
import { AwsSqsQueueScaler } from './scaler.js';

@injectable()
export class AwsSqsQueueScalerFactory implements ScalerFactory<typeof awsSqsQueueMetadata.params> {
  readonly type = 'aws-sqs-queue';
  readonly metadata = awsSqsQueueMetadata;

  create(config: ScalerConfig<AwsSqsQueueMetadata>): AwsSqsQueueScaler {
    return new AwsSqsQueueScaler(config);
  }
}
