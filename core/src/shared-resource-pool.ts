/** A resource held by one user; `release` is idempotent. */
export interface Lease<R> {
  readonly resource: R;
  release(): Promise<void>;
}

/**
 * Reference-counted sharing of expensive resources (connections, HTTP agents, SDK clients) by key:
 * triggers that point at the same server with the same credentials share one, and the last
 * release closes it. Keys must include everything that makes two resources different (address,
 * credentials, TLS material), hashed if they hold secrets.
 */
export class SharedResourcePool<R> {
  private readonly entries = new Map<string, { resource: R; users: number }>();

  constructor(
    private readonly create: (key: string) => R,
    private readonly close: (resource: R) => Promise<void> | void,
  ) {}

  acquire(key: string): Lease<R> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { resource: this.create(key), users: 0 };
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
