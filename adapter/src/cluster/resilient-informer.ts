import { ListWatch, Watch, type Informer, type KubeConfig, type KubernetesListObject, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import { describeKubeError } from './kube-client.js';

export interface InformerLogger {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  debug(fields: Record<string, unknown>, message: string): void;
}

export interface ResilientInformerOptions<T extends KubernetesObject> {
  /** What is watched, for logs and problems: `ScaledObjects in namespace default`. */
  readonly what: string;
  /** The collection's URL path, e.g. `/apis/keda.sh/v1alpha1/namespaces/default/scaledobjects`. */
  readonly path: string;
  /** Lists the collection (with the same label selector). */
  readonly list: () => Promise<KubernetesListObject<T>>;
  readonly labelSelector?: string;
  /** First delay after a failed list or watch; doubled on each failure in a row up to maxBackoffMs. Default 1 s. */
  readonly initialBackoffMs?: number;
  /** Default 30 s. */
  readonly maxBackoffMs?: number;
}

export type InformerEvent = 'add' | 'update' | 'delete';

export interface InformerState {
  readonly synced: boolean;
  /** The last failure, while the informer is waiting to restart. */
  readonly error?: string;
  /** Lists after the first one (each 410 Gone, or a restart that had no resourceVersion). */
  readonly relists: number;
  /** Restarts after a failed list or watch. */
  readonly restarts: number;
}

/**
 * client-node's informer (list, then watch from the list's resourceVersion) made to keep going, as
 * client-go's reflector does: a watch the server closes is resumed from the last resourceVersion
 * (client-node), 410 Gone relists (client-node), and any other failure — which stops client-node's
 * informer — restarts it after a backoff, from the last resourceVersion, so no event is lost while
 * the apiserver is away.
 */
export class ResilientInformer<T extends KubernetesObject> {
  private readonly informer: Informer<T> & ObjectCache<T>;
  private readonly listeners = { add: new Set<(object: T) => void>(), update: new Set<(object: T) => void>(), delete: new Set<(object: T) => void>() };
  private syncedResolve!: () => void;
  private readonly syncedPromise = new Promise<void>((resolve) => (this.syncedResolve = resolve));
  private isSynced = false;
  private stopped = true;
  private lists = 0;
  private restarts = 0;
  private backoffMs: number;
  private lastFailureAt = 0;
  private lastError?: string;
  private restartTimer?: NodeJS.Timeout;

  constructor(
    config: KubeConfig,
    private readonly options: ResilientInformerOptions<T>,
    private readonly logger: InformerLogger,
  ) {
    this.backoffMs = options.initialBackoffMs ?? 1_000;
    const list = async () => {
      const result = await options.list();
      this.lists += 1;
      if (this.lists > 1) this.logger.info({ watch: options.what, objects: result.items.length }, 'relisted');
      this.lastError = undefined;
      this.backoffMs = options.initialBackoffMs ?? 1_000;
      // client-node adds the listed items right after this promise resolves; synced is true after that.
      setImmediate(() => {
        if (this.isSynced) return;
        this.isSynced = true;
        this.syncedResolve();
      });
      return result;
    };
    // client-node's makeInformer, with managedFields dropped from every object on its way into the cache (client-go's SetTransform).
    const trimmedList = async () => {
      const result = await list();
      return { ...result, items: result.items.map(withoutManagedFields) };
    };
    this.informer = new ListWatch<T>(options.path, new TrimmingWatch(config, withoutManagedFields), trimmedList, false, options.labelSelector);
    for (const event of ['add', 'update', 'delete'] as const) {
      this.informer.on(event, (object: T) => {
        for (const listener of this.listeners[event]) listener(object);
      });
    }
    this.informer.on('error', (error: unknown) => this.failed(error));
  }

  /** Starts listing and watching; resolves at once (see synced()). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.informer.start().catch((error: unknown) => this.failed(error));
  }

  /** Resolves when the first list has been applied. */
  synced(): Promise<void> {
    return this.syncedPromise;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    void this.informer.stop();
  }

  on(event: InformerEvent, listener: (object: T) => void): void {
    this.listeners[event].add(listener);
  }

  list(namespace?: string): readonly T[] {
    return this.informer.list(namespace);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  state(): InformerState {
    return { synced: this.isSynced, relists: Math.max(0, this.lists - 1), restarts: this.restarts, ...(this.lastError ? { error: this.lastError } : {}) };
  }

  private failed(error: unknown): void {
    // Stopping aborts the watch, which client-node reports as an error.
    if (this.stopped) return;
    const now = Date.now();
    const maxBackoffMs = this.options.maxBackoffMs ?? 30_000;
    // A failure long after the previous one starts the backoff again.
    if (now - this.lastFailureAt > 2 * maxBackoffMs) this.backoffMs = this.options.initialBackoffMs ?? 1_000;
    this.lastFailureAt = now;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, maxBackoffMs);
    this.lastError = describeKubeError(error, `watching ${this.options.what}`);
    this.logger.warn({ watch: this.options.what, error: this.lastError, retryInMs: delay }, 'a watch failed; restarting it');
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      if (this.stopped) return;
      this.restarts += 1;
      // Set again at once if the restart fails too.
      this.lastError = undefined;
      void this.informer.start().catch((failure: unknown) => this.failed(failure));
    }, delay);
    this.restartTimer.unref();
  }
}

/** client-node's Watch, giving each watched object to `trim` first. */
class TrimmingWatch extends Watch {
  constructor(config: KubeConfig, private readonly trim: <T extends KubernetesObject>(object: T) => T) {
    super(config);
  }

  override watch(...[path, query, callback, done]: Parameters<Watch['watch']>): ReturnType<Watch['watch']> {
    // An ERROR event carries a Status, not an object of the collection.
    return super.watch(path, query, (phase: string, object: KubernetesObject, watchObject?: unknown) => callback(phase, phase === 'ERROR' ? object : this.trim(object), watchObject), done);
  }
}

/**
 * The object without metadata.managedFields: server-side apply and every status write add a
 * manager's field set to it, often larger than the rest of the object, and nothing here reads it
 * (KEDA drops it from its informer caches too, kedacore/keda#7676).
 */
export function withoutManagedFields<T extends KubernetesObject>(object: T): T {
  if (!object?.metadata?.managedFields) return object;
  const { managedFields: _dropped, ...metadata } = object.metadata;
  return { ...object, metadata };
}
