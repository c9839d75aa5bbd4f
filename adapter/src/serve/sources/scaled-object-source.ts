import type { LoadedScaledObject, ScaledObjectRef } from '@updraft/core';

/**
 * Where `updraft serve` gets its ScaledObjects: files today, the Kubernetes API later. Every source
 * feeds the same engine; a source keeps serving the last good version of an object whose new
 * version is broken.
 */
export const ScaledObjectSource = Symbol.for('updraft.adapter.ScaledObjectSource');

export interface ScaledObjectSource {
  /** Shown in logs and on /readyz, e.g. `files`. */
  readonly name: string;
  /** Loads once (resolves when the first load is done, whatever it found) and starts watching. */
  start(): Promise<void>;
  /** Stops watching. Idempotent. */
  stop(): Promise<void>;
  /** The objects served from this source now. */
  scaledObjects(): readonly LoadedScaledObject[];
  /** Called after a load that changed what is served. Returns the unsubscribe. */
  onChange(listener: (change: ScaledObjectChange) => void): () => void;
  /** What is wrong with the source now (one line each); empty when everything loaded. */
  problems(): readonly string[];
}

export interface ScaledObjectChange {
  /** New objects, and new versions of objects already served. */
  readonly upserted: readonly LoadedScaledObject[];
  readonly removed: readonly ScaledObjectRef[];
}

export function refKey(ref: ScaledObjectRef): string {
  return `${ref.namespace}/${ref.name}`;
}
