/** An opaque timer, as returned by `Clock.setTimeout`. */
export type TimerHandle = unknown;

/**
 * Where the engine reads the time and sets its timers, so that tests can drive both
 * (see ManualClock) and nothing in the engine calls Date.now() or setTimeout directly.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The process clock and timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
