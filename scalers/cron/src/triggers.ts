import type { TriggerDeclaration } from '@updraft/core/metadata';
import { cronMetadata } from './metadata.js';

/**
 * The `cron` trigger's declaration alone, without the scaler or its client library: the package's
 * `./triggers` entry, which `updraft validate` imports to check a file in a blink.
 */
export const cronTrigger = { type: 'cron', metadata: cronMetadata } as const;

// Any parameter shape: each declaration keeps its own.
export const triggers: readonly TriggerDeclaration<any>[] = [cronTrigger];
