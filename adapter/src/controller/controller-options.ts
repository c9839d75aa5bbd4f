import type { LeaderElectionTiming } from './leader-election.js';

/** How the controller part of `updraft serve` runs (its flags, each also an UPDRAFT_* variable). */
export const ControllerOptions = Symbol.for('updraft.adapter.ControllerOptions');

export interface ControllerOptions {
  /** `--leader-elect` (default true): only the holder of the Lease runs the controller and the scale loops. */
  readonly leaderElect: boolean;
  /** `--leader-elect-namespace`; default the adapter's namespace. */
  readonly leaseNamespace?: string;
  /** `--leader-elect-id`: the Lease's name. */
  readonly leaseName: string;
  readonly timing: LeaderElectionTiming;
  /** `--controller-resync`: every ScaledObject is reconciled again this often (repairs HPAs edited or deleted by hand). */
  readonly resyncIntervalMs: number;
  /** This process in the Lease and in events' reportingInstance; default host name + random suffix. */
  readonly identity?: string;
}

export const CONTROLLER_DEFAULTS = {
  leaderElect: true,
  leaseName: 'updraft-controller',
  leaseDurationSeconds: 15,
  renewDeadlineSeconds: 10,
  retryPeriodSeconds: 2,
  resyncSeconds: 30,
} as const;
