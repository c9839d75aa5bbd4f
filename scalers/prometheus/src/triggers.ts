import type { TriggerDeclaration } from '@updraft/core/metadata';
import { prometheusMetadata } from './metadata.js';

/**
 * The `prometheus` trigger's declaration alone, without the scaler or its client library: the package's
 * `./triggers` entry, which `updraft validate` imports to check a file in a blink.
 */
export const prometheusTrigger = { type: 'prometheus', metadata: prometheusMetadata } as const;

// Any parameter shape: each declaration keeps its own.
export const triggers: readonly TriggerDeclaration<any>[] = [prometheusTrigger];
