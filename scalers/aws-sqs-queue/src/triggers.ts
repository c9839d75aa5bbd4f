import type { TriggerDeclaration } from '@updraft/core/metadata';
import { awsSqsQueueMetadata } from './metadata.js';

/**
 * The `aws-sqs-queue` trigger's declaration alone, without the scaler or its client library: the package's
 * `./triggers` entry, which `updraft validate` imports to check a file in a blink.
 */
export const awsSqsQueueTrigger = { type: 'aws-sqs-queue', metadata: awsSqsQueueMetadata } as const;

// Any parameter shape: each declaration keeps its own.
export const triggers: readonly TriggerDeclaration<any>[] = [awsSqsQueueTrigger];
