import type { ControllerCluster, EventToEmit } from './controller-cluster.js';
import { microTime } from './leader-election.js';

/** Repeats of one event within this window are counted in its series, as client-go's events.k8s.io recorder does. */
const SERIES_WINDOW_MS = 6 * 60_000;

interface Emitted {
  name: string;
  count: number;
  at: number;
}

export interface RecorderLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/**
 * KEDA's events, deduplicated: the same reason and note about the same ScaledObject within six
 * minutes updates the first event's `series.count` instead of adding a new one, so a trigger that
 * fails on every poll makes one event that counts, not hundreds. Failures to record are logged and
 * never fail the caller.
 */
export class EventRecorder {
  private readonly emitted = new Map<string, Emitted>();

  constructor(
    private readonly cluster: ControllerCluster,
    private readonly reportingInstance: string,
    private readonly logger: RecorderLogger,
    private readonly now: () => number = Date.now,
  ) {}

  async emit(event: EventToEmit): Promise<void> {
    const { namespace, name, uid } = event.regarding;
    const key = `${namespace}/${name}/${uid ?? ''}/${event.type}/${event.reason}/${event.note}`;
    const now = this.now();
    const previous = this.emitted.get(key);
    try {
      if (previous && now - previous.at < SERIES_WINDOW_MS) {
        previous.count += 1;
        previous.at = now;
        await this.cluster.updateEventSeries(namespace, previous.name, previous.count, microTime(now));
        return;
      }
      const created = await this.cluster.createEvent(event, this.reportingInstance, microTime(now));
      this.emitted.set(key, { name: created, count: 1, at: now });
      if (this.emitted.size > 5_000) this.prune(now);
    } catch (error) {
      this.logger.warn({ scaledObject: `${namespace}/${name}`, reason: event.reason, error: (error as Error).message }, 'recording an event failed');
    }
  }

  /** Forgets the events of a ScaledObject that is gone. */
  forget(namespace: string, name: string): void {
    for (const key of this.emitted.keys()) if (key.startsWith(`${namespace}/${name}/`)) this.emitted.delete(key);
  }

  private prune(now: number): void {
    for (const [key, emitted] of this.emitted) if (now - emitted.at >= SERIES_WINDOW_MS) this.emitted.delete(key);
  }
}
