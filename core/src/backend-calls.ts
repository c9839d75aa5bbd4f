import { injectable } from 'inversify';

/** Counts the calls scalers make to their metric sources, so the adapter can export them. */
export const BackendCalls = Symbol.for('updraft.core.BackendCalls');

export interface BackendCallRecord {
  /** The kind of source: `redis`, `prometheus`, `aws-sqs`, `aws-cloudwatch`, ... */
  readonly backend: string;
  /** What was asked: `EVAL`, `query`, `GetQueueAttributes`, `GetMetricData`, ... */
  readonly operation: string;
  readonly outcome: 'ok' | 'error';
  readonly durationMs: number;
}

export interface BackendCallTotal {
  readonly backend: string;
  readonly operation: string;
  readonly outcome: 'ok' | 'error';
  readonly count: number;
  readonly totalDurationMs: number;
}

export interface BackendCalls {
  record(call: BackendCallRecord): void;
  /** Running totals per backend, operation and outcome. */
  totals(): BackendCallTotal[];
  /** Calls to one backend (and operation), every outcome. */
  count(backend: string, operation?: string): number;
  /** Called for every recorded call; the adapter's metrics exporter listens here. Returns an unsubscribe. */
  onRecord(listener: (call: BackendCallRecord) => void): () => void;
}

@injectable()
export class BackendCallsImpl implements BackendCalls {
  private readonly byKey = new Map<string, { backend: string; operation: string; outcome: 'ok' | 'error'; count: number; totalDurationMs: number }>();
  private readonly listeners = new Set<(call: BackendCallRecord) => void>();

  record(call: BackendCallRecord): void {
    const key = `${call.backend}\0${call.operation}\0${call.outcome}`;
    const total = this.byKey.get(key) ?? { backend: call.backend, operation: call.operation, outcome: call.outcome, count: 0, totalDurationMs: 0 };
    total.count += 1;
    total.totalDurationMs += call.durationMs;
    this.byKey.set(key, total);
    for (const listener of this.listeners) listener(call);
  }

  totals(): BackendCallTotal[] {
    return [...this.byKey.values()].map((total) => ({ ...total }));
  }

  count(backend: string, operation?: string): number {
    let count = 0;
    for (const total of this.byKey.values()) {
      if (total.backend === backend && (operation === undefined || total.operation === operation)) count += total.count;
    }
    return count;
  }

  onRecord(listener: (call: BackendCallRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** Times `call` and records it as one backend call, whatever its outcome. */
export async function recordBackendCall<T>(calls: BackendCalls, backend: string, operation: string, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    const result = await call();
    calls.record({ backend, operation, outcome: 'ok', durationMs: performance.now() - started });
    return result;
  } catch (error) {
    calls.record({ backend, operation, outcome: 'error', durationMs: performance.now() - started });
    throw error;
  }
}
