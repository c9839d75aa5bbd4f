/** How a failing trigger is retried: each consecutive failure doubles the wait, up to a cap. */
export interface BackoffPolicy {
  /** The wait after the first failure. */
  readonly initialMs: number;
  readonly multiplier: number;
  /** The longest wait. */
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = Object.freeze({ initialMs: 1_000, multiplier: 2, maxMs: 120_000 });

/** The wait after `failures` consecutive failures (1 or more), before jitter. */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  return Math.min(policy.maxMs, policy.initialMs * policy.multiplier ** Math.max(0, failures - 1));
}

/** `ms` spread by ±`fraction` with `random()` in [0, 1): 0.5 gives `ms` exactly. */
export function jittered(ms: number, fraction: number, random: () => number): number {
  return ms * (1 + fraction * (2 * random() - 1));
}
