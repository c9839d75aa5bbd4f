import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock, type TimerHandle } from '@updraft/core';

/** `coordination.k8s.io/v1` LeaseSpec; times are MicroTime strings. */
export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

export interface StoredLease {
  readonly spec: LeaseSpec;
  readonly resourceVersion: string;
}

/** Where the Lease lives. `replace` must fail (reject) when resourceVersion is not the current one. */
export interface LeaseStore {
  get(): Promise<StoredLease | undefined>;
  create(spec: LeaseSpec): Promise<StoredLease>;
  replace(spec: LeaseSpec, resourceVersion: string): Promise<StoredLease>;
}

/** KEDA's defaults (controller-runtime's): lease 15 s, renew deadline 10 s, retry every 2 s. */
export interface LeaderElectionTiming {
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

export const DEFAULT_LEADER_ELECTION_TIMING: LeaderElectionTiming = Object.freeze({ leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 });

export interface LeaderCallbacks {
  /** Became the leader: start leading. */
  onStartedLeading(): void;
  /** Leadership lost (the renew deadline passed) or released: stop acting on the cluster at once. `stop()` waits for it before releasing. */
  onStoppedLeading(): void | Promise<void>;
  /** Someone else leads (or nobody), as observed; for logs. */
  onNewLeader?(identity: string): void;
  onError?(error: Error): void;
}

/** A process's identity in the Lease: host name and a random suffix, as controller-runtime makes it. */
export function defaultIdentity(): string {
  return `${hostname()}_${randomUUID()}`;
}

/** MicroTime as the apiserver parses it (RFC 3339 with exactly six fractional digits). */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * client-go's leader election (tools/leaderelection) on a Lease, with optimistic concurrency:
 * every write names the resourceVersion it read, so two candidates can never both win. A lease is
 * valid for leaseDuration from when this process last saw it change (its own clock, never the
 * writer's, so clock skew does not matter). The leader renews every retryPeriod and steps down when
 * it could not renew for renewDeadline; `release()` clears the holder so a follower takes over on
 * its next try instead of waiting out the lease.
 */
export class LeaderElector {
  private observed?: { spec: LeaseSpec; resourceVersion: string; at: number };
  private leading = false;
  private lastRenew = 0;
  private timer?: TimerHandle;
  private running = false;
  private inFlight?: Promise<void>;
  private lastLeader?: string;

  constructor(
    private readonly store: LeaseStore,
    readonly identity: string,
    private readonly callbacks: LeaderCallbacks,
    private readonly timing: LeaderElectionTiming = DEFAULT_LEADER_ELECTION_TIMING,
    private readonly clock: Clock = systemClock,
  ) {
    if (timing.leaseDurationMs <= timing.renewDeadlineMs) throw new Error('leader election: the lease duration must be greater than the renew deadline');
    if (timing.renewDeadlineMs <= timing.retryPeriodMs) throw new Error('leader election: the renew deadline must be greater than the retry period');
  }

  get isLeader(): boolean {
    return this.leading;
  }

  /** Starts trying (at once, then every retryPeriod). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** One attempt to acquire or renew; resolves to whether this process leads afterwards. Exposed for tests. */
  async tryAcquireOrRenew(): Promise<boolean> {
    const now = this.clock.now();
    let current: StoredLease | undefined;
    try {
      current = await this.store.get();
      if (!current) {
        const created = await this.store.create(this.record(now, undefined));
        this.observe(created, this.clock.now());
        return this.won();
      }
      if (!this.observed || this.observed.resourceVersion !== current.resourceVersion) this.observe(current, now);
      const holder = current.spec.holderIdentity ?? '';
      const durationMs = (current.spec.leaseDurationSeconds ?? 0) * 1000;
      if (holder !== '' && holder !== this.identity && this.observed!.at + durationMs > now) {
        this.follow(holder);
        return false;
      }
      const replaced = await this.store.replace(this.record(now, current.spec), current.resourceVersion);
      this.observe(replaced, this.clock.now());
      return this.won();
    } catch (error) {
      this.callbacks.onError?.(error as Error);
      return this.lost(now);
    }
  }

  /** Stops trying; a leader clears the holder so another process takes over without waiting. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.inFlight;
    if (!this.leading) return;
    this.leading = false;
    await this.callbacks.onStoppedLeading();
    await this.release();
  }

  /** client-go's release: holder cleared, lease 1 s, transitions kept; only if this process still holds it. */
  private async release(): Promise<void> {
    try {
      const current = await this.store.get();
      if (!current || current.spec.holderIdentity !== this.identity) return;
      const now = this.clock.now();
      await this.store.replace({ holderIdentity: '', leaseDurationSeconds: 1, acquireTime: microTime(now), renewTime: microTime(now), leaseTransitions: current.spec.leaseTransitions ?? 0 }, current.resourceVersion);
    } catch (error) {
      this.callbacks.onError?.(error as Error);
    }
  }

  private record(now: number, previous: LeaseSpec | undefined): LeaseSpec {
    const renewing = previous?.holderIdentity === this.identity;
    return {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.ceil(this.timing.leaseDurationMs / 1000),
      acquireTime: renewing && previous?.acquireTime ? previous.acquireTime : microTime(now),
      renewTime: microTime(now),
      leaseTransitions: renewing ? (previous?.leaseTransitions ?? 0) : previous === undefined ? 0 : (previous.leaseTransitions ?? 0) + 1,
    };
  }

  private observe(lease: StoredLease, at: number): void {
    this.observed = { spec: lease.spec, resourceVersion: lease.resourceVersion, at };
  }

  private won(): boolean {
    this.lastRenew = this.clock.now();
    if (!this.leading) {
      this.leading = true;
      this.lastLeader = this.identity;
      this.callbacks.onStartedLeading();
    }
    return true;
  }

  private follow(holder: string): void {
    if (this.leading) {
      this.leading = false;
      void this.callbacks.onStoppedLeading();
    }
    if (holder !== this.lastLeader) {
      this.lastLeader = holder;
      this.callbacks.onNewLeader?.(holder);
    }
  }

  /** A failed attempt: a leader keeps leading until renewDeadline has passed since its last renewal. */
  private lost(now: number): boolean {
    if (this.leading && now - this.lastRenew >= this.timing.renewDeadlineMs) {
      this.leading = false;
      void this.callbacks.onStoppedLeading();
    }
    return this.leading;
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.inFlight = this.tryAcquireOrRenew().then(() => {
        this.inFlight = undefined;
        this.schedule(this.timing.retryPeriodMs);
      });
    }, ms);
  }
}
