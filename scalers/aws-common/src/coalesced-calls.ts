interface InFlight<T> {
  readonly promise: Promise<T>;
  readonly controller: AbortController;
  waiting: number;
}

/**
 * Joins concurrent requests for the same key into one in-flight call, and keeps nothing once it
 * settles (caching values is the engine's job). Each caller keeps its own AbortSignal: an aborted
 * caller stops waiting at once, and the shared call is aborted only when every caller has gone.
 */
export class CoalescedCalls<T> {
  private readonly calls = new Map<string, InFlight<T>>();

  /** Runs `start` for `key`, or joins the call already in flight for it. Rejects with `signal.reason` when `signal` aborts first. */
  run(key: string, signal: AbortSignal, start: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (signal.aborted) return Promise.reject(signal.reason);
    let call = this.calls.get(key);
    if (!call) {
      const controller = new AbortController();
      const started = start(controller.signal);
      const created: InFlight<T> = {
        controller,
        waiting: 0,
        promise: started.finally(() => {
          if (this.calls.get(key) === created) this.calls.delete(key);
        }),
      };
      // Every caller may leave before the call settles; its rejection is then nobody's to handle.
      created.promise.catch(() => undefined);
      call = created;
      this.calls.set(key, call);
    }
    const joined = call;
    joined.waiting += 1;
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const onAbort = () => {
        if (settled) return;
        settled = true;
        reject(signal.reason);
        joined.waiting -= 1;
        if (joined.waiting === 0) {
          // Nobody waits any more: stop the call, and let the next caller start a fresh one.
          if (this.calls.get(key) === joined) this.calls.delete(key);
          joined.controller.abort(signal.reason);
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      joined.promise.then(
        (value) => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          if (settled) return;
          settled = true;
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  /** Calls in flight now. */
  get size(): number {
    return this.calls.size;
  }
}
