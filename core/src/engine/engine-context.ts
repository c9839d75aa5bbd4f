import type { HPAControllerConfiguration } from '../hpa/defaults.js';
import type { ScalerRegistry } from '../scaler-registry.js';
import type { BackoffPolicy } from './backoff.js';
import type { Clock } from './clock.js';
import type { EngineListener, TriggerIdentity } from './events.js';
import type { Logger } from './logger.js';
import type { ReplicaSource } from './types.js';

/** Mutable running totals, shared by every trigger of an engine. */
export interface StatsCounters {
  reads: number;
  cacheHits: number;
  cacheMisses: number;
  fetches: number;
  emptyAnswers: number;
  failures: Record<string, number>;
  scalersBuilt: number;
  scalersClosed: number;
}

/** What every ScaledObject and trigger of one engine shares: the engine's options with defaults, its counters and listeners. */
export interface EngineContext {
  readonly registry: ScalerRegistry;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The per-call timeout of a trigger. */
  timeoutMs(trigger: TriggerIdentity): number;
  /** How old a value may be and still be served from memory, for an object's polling interval. */
  maxAgeMs(pollingIntervalMs: number): number;
  readonly backoff: BackoffPolicy;
  readonly jitter: number;
  readonly random: () => number;
  readonly stats: StatsCounters;
  readonly replicas?: ReplicaSource;
  readonly hpaConfig?: Partial<HPAControllerConfiguration>;
  emit<K extends keyof EngineListener>(kind: K, event: Parameters<NonNullable<EngineListener[K]>>[0]): void;
}
