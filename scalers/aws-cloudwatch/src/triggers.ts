import type { TriggerDeclaration } from '@updraft/core/metadata';
import { awsCloudwatchMetadata } from './metadata.js';

/**
 * The `aws-cloudwatch` trigger's declaration alone, without the scaler or its client library: the package's
 * `./triggers` entry, which `updraft validate` imports to check a file in a blink.
 */
export const awsCloudwatchTrigger = { type: 'aws-cloudwatch', metadata: awsCloudwatchMetadata } as const;

// Any parameter shape: each declaration keeps its own.
export const triggers: readonly TriggerDeclaration<any>[] = [awsCloudwatchTrigger];
