import { inject, injectable, optional } from 'inversify';
import { BackendCalls, ScalerError, SharedResourcePool, type Lease } from '@updraft/core';
import { defaultRedisConnectionSettings, RedisConnection, RedisConnectionSettings } from './redis-connection.js';
import { redisConnectionKey, type RedisTarget } from './redis-target.js';

/** The Redis connections of every redis trigger in a container. */
export const RedisConnections = Symbol.for('updraft.scaler-redis.RedisConnections');

/**
 * Shares Redis clients between triggers: triggers with the same RedisTarget (servers, topology,
 * credentials, database, TLS material) hold leases on one client, which connects on the first read
 * and closes with the last release.
 */
export interface RedisConnections {
  /** A lease on the connection for `target`. Does no I/O. */
  acquire(target: RedisTarget): Lease<RedisConnection>;
  /** How many connections (ioredis clients) are open. */
  readonly size: number;
}

@injectable()
export class RedisConnectionsImpl implements RedisConnections {
  private readonly pool = new SharedResourcePool<RedisConnection>((connection) => connection.close());
  private readonly settings: Required<RedisConnectionSettings>;

  constructor(
    @inject(BackendCalls) private readonly calls: BackendCalls,
    @inject(RedisConnectionSettings) @optional() settings: RedisConnectionSettings | undefined,
  ) {
    this.settings = { ...defaultRedisConnectionSettings, ...settings };
  }

  acquire(target: RedisTarget): Lease<RedisConnection> {
    return this.pool.acquire(redisConnectionKey(target), () => new RedisConnection(target, this.settings, this.calls));
  }

  get size(): number {
    return this.pool.size;
  }
}

/**
 * One trigger's hold on its shared connection. A target that cannot be dialled (an address
 * without a valid port, a sentinel trigger without sentinelMaster) takes no lease and fails each
 * read with the reason; `close` releases the lease once.
 */
export class TriggerConnection {
  private readonly lease: Lease<RedisConnection> | undefined;
  private readonly problem: ScalerError | undefined;
  private closed = false;

  constructor(connections: RedisConnections, target: RedisTarget) {
    this.problem = targetProblem(target);
    this.lease = this.problem ? undefined : connections.acquire(target);
  }

  /** The shared connection; throws a ScalerError when the target cannot be dialled or the trigger is closed. */
  get(): RedisConnection {
    if (this.closed) throw new ScalerError('this redis trigger is closed: its scaler cannot read any more', 'internal');
    if (this.problem) throw this.problem;
    return this.lease!.resource;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.lease?.release();
  }
}

function targetProblem(target: RedisTarget): ScalerError | undefined {
  if (target.invalidAddresses.length > 0) {
    const list = target.invalidAddresses.map((address) => JSON.stringify(address)).join(', ');
    return new ScalerError(`cannot dial ${list}: an address must be host:port with a port from 1 to 65535`, 'unreachable');
  }
  if (target.endpoints.length === 0) return new ScalerError('no Redis address to dial: set address, or host and port', 'unreachable');
  if (target.topology === 'sentinel' && !target.sentinelMaster) {
    return new ScalerError(`sentinelMaster is not set: the sentinels at ${target.addresses.join(', ')} need the name of the master to find it`, 'not-found');
  }
  return undefined;
}
