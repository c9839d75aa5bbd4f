export { awsSqsQueueScalerModule as default, awsSqsQueueScalerModule } from './module.js';
export { AwsSqsQueueScaler } from './scaler.js';
export { awsSqsQueueMetadata, type AwsSqsQueueMetadata } from './metadata.js';
export { sqsQueueName, type QueueNameResult } from './queue-name.js';
export { SqsQueueReader, sqsService, QUEUE_LENGTH_ATTRIBUTES, type QueueLengthAttribute, type SqsQueueRef } from './sqs-queue-reader.js';
