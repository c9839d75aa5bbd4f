import { AwsClients } from '@updraft/aws-common';
import { inject, injectable } from 'inversify';
import type { ScalerConfig, ScalerFactory } from '@updraft/core';
import { awsSqsQueueMetadata, type AwsSqsQueueMetadata } from './metadata.js';
import { AwsSqsQueueScaler } from './scaler.js';
import { SqsQueueReader } from './sqs-queue-reader.js';

@injectable()
export class AwsSqsQueueScalerFactory implements ScalerFactory<typeof awsSqsQueueMetadata.params> {
  readonly type = 'aws-sqs-queue';
  readonly metadata = awsSqsQueueMetadata;

  constructor(
    @inject(AwsClients) private readonly clients: AwsClients,
    @inject(SqsQueueReader) private readonly reader: SqsQueueReader,
  ) {}

  create(config: ScalerConfig<AwsSqsQueueMetadata>): AwsSqsQueueScaler {
    return new AwsSqsQueueScaler(config, this.clients, this.reader);
  }
}
