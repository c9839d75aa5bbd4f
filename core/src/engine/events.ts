import type { TriggerHealth } from './types.js';

/** Which trigger an event is about. */
export interface TriggerIdentity {
  readonly namespace: string;
  readonly scaledObject: string;
  readonly triggerIndex: number;
  readonly triggerType: string;
  readonly triggerName?: string;
}

/** How a read or a fetch ended: a value, an empty answer (counted; it may still carry a value), or an error. */
export type ReadOutcome = 'value' | 'empty' | 'error';

/** One read of a trigger's metric (the HPA's request, an embedder's call). */
export interface ReadEvent {
  readonly trigger: TriggerIdentity;
  readonly metricName: string;
  readonly latencyMs: number;
  readonly outcome: ReadOutcome;
  /** The failure stage (`construction`, `spec`, `timeout`, `empty`) or the scaler's error kind. */
  readonly errorKind?: string;
  /** Answered from memory, without waiting for the source. */
  readonly cacheHit: boolean;
}

/** One call to a metric source: a background poll, or a read of a value that was missing or stale. */
export interface FetchEvent {
  readonly trigger: TriggerIdentity;
  readonly metricName: string;
  readonly latencyMs: number;
  readonly outcome: ReadOutcome;
  readonly errorKind?: string;
  readonly reason: 'poll' | 'read';
  /** The scaler was built (or rebuilt, or its construction tried) for this call. */
  readonly built: boolean;
}

/** A trigger's value, activity or error changed. */
export interface TriggerChangeEvent {
  readonly trigger: TriggerIdentity;
  readonly metricName: string;
  /** The sum of the values; undefined on error. */
  readonly value?: number;
  readonly active?: boolean;
  readonly error?: string;
  readonly health: TriggerHealth;
}

/** A ScaledObject became active or inactive. */
export interface ActivityChangeEvent {
  readonly namespace: string;
  readonly scaledObject: string;
  readonly active: boolean;
}

/** Subscribe with `engine.subscribe(listener)`; every method is optional. A throwing listener is logged and ignored. */
export interface EngineListener {
  onRead?(event: ReadEvent): void;
  onFetch?(event: FetchEvent): void;
  onTriggerChange?(event: TriggerChangeEvent): void;
  onActivityChange?(event: ActivityChangeEvent): void;
}

/** Running totals since the engine was made. */
export interface EngineStats {
  readonly reads: number;
  readonly cacheHits: number;
  readonly cacheMisses: number;
  /** Calls to metric sources. */
  readonly fetches: number;
  /** Answers that were empty (whatever the trigger's policy made of them). */
  readonly emptyAnswers: number;
  /** Failed attempts by stage or error kind. */
  readonly failures: Readonly<Record<string, number>>;
  /** Scalers created, first builds and rebuilds. */
  readonly scalersBuilt: number;
  readonly scalersClosed: number;
}
