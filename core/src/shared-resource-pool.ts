/** A resource held by one user; `release` is idempotent. */
export interface Lease<R> {
  readonly resource: R;
  release(): Promise<void>;
}

/**
 * Reference-counted sharing of expensive resources (connections, HTTP agents, SDK clients) by key:
 * triggers that point at the same server with the same credentials share one, and the last
 * release closes it.
 *
 * ```ts
 * const connections = new SharedResourcePool<Client>((client) => client.quit());
 * const lease = connections.acquire(hashOf(target), () => new Client(target)); // build runs only for a new key
 * // ... lease.resource ...; later: await lease.release();
 * ```
 *
 * Keys must include everything that makes two resources different (address, credentials, TLS
 * material), hashed if they hold secrets (`tlsMaterialKey`, `hashKey`).
 */
export class SharedResourcePool<R> {
  private readonly entries = new Map<string, { resource: R; users: number }>();

  /** @param close closes a resource once its last user released it. */
  constructor(private readonly close: (resource: R) => Promise<void> | void) {}

  /**
   * A lease on the resource under `key`, made with `build` when none is open. `build` runs
   * synchronously, at most once per open resource; when it throws, nothing is kept and the error
   * reaches the caller.
   */
  acquire(key: string, build: () => R): Lease<R> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { resource: build(), users: 0 };
      this.entries.set(key, entry);
    }
    entry.users += 1;
    const held = entry;
    let released = false;
    return {
      resource: held.resource,
      release: async () => {
        if (released) return;
        released = true;
        held.users -= 1;
        if (held.users === 0 && this.entries.get(key) === held) {
          this.entries.delete(key);
          await this.close(held.resource);
        }
      },
    };
  }

  /** How many distinct resources are open. */
  get size(): number {
    return this.entries.size;
  }

  /** Users of the resource under `key` (0 when none is open). */
  users(key: string): number {
    return this.entries.get(key)?.users ?? 0;
  }
}
