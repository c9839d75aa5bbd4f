import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { recordBackendCall, ScalerError, tlsClientOptions, type BackendCalls } from '@updraft/core';
import { CLOSED_BEFORE_READY, redisScalerError, type RedisErrorContext } from './redis-errors.js';
import { describeRedisTarget, type RedisTarget } from './redis-target.js';

/** The ioredis client behind a connection: a Redis (standalone, or sentinel-backed) or a Cluster. */
export type RedisClient = Redis | Cluster;

/** Tunes how Redis connections are made: bind a value to this identifier to override the defaults. */
export const RedisConnectionSettings = Symbol.for('updraft.scaler-redis.RedisConnectionSettings');

/** How connections are made. Every field has a default. */
export interface RedisConnectionSettings {
  /** TCP connect plus TLS handshake, per attempt. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** One command, and each step of the handshake after connecting (AUTH, SELECT, INFO). Default 5000. */
  readonly commandTimeoutMs?: number;
  /** Upper bound of ioredis's reconnect backoff. Default 2000. */
  readonly maxReconnectDelayMs?: number;
  /** `CLIENT SETNAME` of every connection, so operators can find them in `CLIENT LIST`. Default `updraft`. */
  readonly connectionName?: string;
}

export const defaultRedisConnectionSettings: Required<RedisConnectionSettings> = {
  connectTimeoutMs: 5_000,
  commandTimeoutMs: 5_000,
  maxReconnectDelayMs: 2_000,
  connectionName: 'updraft',
};

interface Waiter {
  settle(error?: ScalerError): void;
}

/** The states in which a socket is open or being opened, so that closing must wait for `end`. */
const OPEN = new Set(['connecting', 'connect', 'ready']);

/**
 * One ioredis client, shared by every trigger with the same RedisTarget (see RedisConnections).
 *
 * ioredis reconnects by itself; this class decides what a read sees meanwhile. The client is made
 * lazily and never queues commands while it is not ready (enableOfflineQueue off), so a read waits
 * for the attempt in progress, fails at once with the last attempt's error while ioredis waits to
 * retry, and never waits longer than the connect and command timeouts or its AbortSignal allow.
 */
export class RedisConnection {
  readonly client: RedisClient;
  /** Where the connection goes, for messages: `127.0.0.1:6379`, `the Redis Cluster at ...`. */
  readonly description: string;
  /** Where keys live, for messages: `database 0 at 127.0.0.1:6379`. */
  readonly keyspace: string;
  private readonly context: RedisErrorContext;
  private readonly waiters = new Set<Waiter>();
  /** The current connection attempt: did the socket connect, did it get ready, what failed first. */
  private attempt: { connected: boolean; ready: boolean; error?: ScalerError } = { connected: false, ready: false };
  /** A failure that reconnecting cannot mend (a database that does not exist). */
  private fatal: ScalerError | undefined;
  private lastSentinelError: Error | undefined;
  private version: Promise<string> | undefined;
  private closing = false;

  constructor(
    target: RedisTarget,
    private readonly settings: Required<RedisConnectionSettings>,
    private readonly calls: BackendCalls,
  ) {
    this.description = describeRedisTarget(target);
    this.keyspace = target.topology === 'cluster' ? this.description : `database ${target.databaseIndex} at ${this.description}`;
    this.context = {
      where: this.description,
      topology: target.topology,
      username: target.username,
      sentinelUsername: target.sentinelUsername,
      sentinelMaster: target.sentinelMaster,
      sentinels: target.addresses.join(', '),
      databaseIndex: target.databaseIndex,
      tls: target.tls !== undefined,
      connectTimeoutMs: settings.connectTimeoutMs,
      commandTimeoutMs: settings.commandTimeoutMs,
    };
    this.client = createClient(target, settings);
    // These listeners live as long as the client: reads never add listeners to it.
    this.client.on('connecting', () => (this.attempt = { connected: false, ready: false }));
    this.client.on('connect', () => (this.attempt.connected = true));
    this.client.on('ready', () => this.onReady());
    this.client.on('error', (error: Error) => this.onError(error));
    this.client.on('close', () => this.onClose());
    // Each sentinel that fails; ioredis's own 'error' then says only that all of them did.
    this.client.on('sentinelError', (error: Error) => (this.lastSentinelError = error));
  }

  /**
   * Sends one round trip once the client is ready and records it as backend call `operation`.
   * Rejects with a ScalerError: `timeout` when `signal` aborts, otherwise what the failure means.
   */
  async send<T>(operation: string, signal: AbortSignal, command: (client: RedisClient) => Promise<T>): Promise<T> {
    await this.ready(signal);
    try {
      return await recordBackendCall(this.calls, 'redis', operation, () => abortable(() => command(this.client), signal, () => this.aborted(signal)));
    } catch (error) {
      throw this.classify(error);
    }
  }

  /** `redis_version` from `INFO server`, asked once per connection (again after a reconnect). */
  async redisVersion(signal: AbortSignal): Promise<string> {
    await this.ready(signal);
    return abortable(() => this.cachedVersion(), signal, () => this.aborted(signal));
  }

  /** What an error from this connection means, as a ScalerError. */
  classify(error: unknown): ScalerError {
    return redisScalerError(error, this.context, this.attempt.connected && !this.attempt.ready);
  }

  /** Closes the client; resolves once its socket is closed. Idempotent. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.failWaiters(new ScalerError(`the connection to ${this.description} was closed`, 'internal'));
    const client = this.client;
    if (!OPEN.has(client.status)) {
      client.disconnect();
      return;
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        client.off('end', done);
        resolve();
      };
      const timer = setTimeout(() => {
        client.disconnect();
        done();
      }, this.settings.commandTimeoutMs);
      client.once('end', done);
      if (client.status === 'ready') client.quit().catch(() => client.disconnect());
      else client.disconnect();
    });
  }

  private ready(signal: AbortSignal): Promise<void> {
    if (this.closing) return Promise.reject(new ScalerError(`the connection to ${this.description} was closed`, 'internal'));
    if (signal.aborted) return Promise.reject(this.aborted(signal));
    if (this.fatal) return Promise.reject(this.fatal);
    const status = this.client.status;
    if (status === 'ready') return Promise.resolve();
    // Between attempts: fail now with what the last attempt found, rather than queue the read.
    if ((status === 'reconnecting' || status === 'close') && this.attempt.error) return Promise.reject(this.attempt.error);
    if (status === 'wait' || status === 'end') {
      this.attempt = { connected: false, ready: false };
      this.client.connect().catch(() => {}); // the outcome arrives as events
    }
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const waiter: Waiter = {
        settle: (error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          this.waiters.delete(waiter);
          if (error) reject(error);
          else resolve();
        },
      };
      const onAbort = () => waiter.settle(this.aborted(signal));
      const timer = setTimeout(() => waiter.settle(this.notReady()), this.settings.connectTimeoutMs + this.settings.commandTimeoutMs);
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  private onReady(): void {
    this.attempt.ready = true;
    if (this.fatal) this.failWaiters(this.fatal);
    else for (const waiter of [...this.waiters]) waiter.settle();
  }

  private onError(error: Error): void {
    if (this.closing) return;
    // ioredis's echo of a command sent on a socket that has already closed: the cause came before.
    if (/Stream isn't writeable/.test(error.message)) return;
    const detailed = /All sentinels are unreachable/.test(error.message) && this.lastSentinelError ? this.lastSentinelError : error;
    const scalerError = this.classify(detailed);
    // SELECT of a database the server does not have: every reconnect would fail the same way.
    if (/DB index is out of range|invalid DB index/i.test(error.message)) this.fatal = scalerError;
    this.attempt.error ??= scalerError;
    this.failWaiters(scalerError);
  }

  private onClose(): void {
    this.version = undefined;
    if (this.closing || this.attempt.ready) return;
    // Closed before Redis answered, perhaps without an error (a TLS port hangs up on plaintext).
    this.attempt.error ??= this.classify(Object.assign(new Error('the connection closed before Redis answered'), { code: CLOSED_BEFORE_READY }));
    this.failWaiters(this.attempt.error);
  }

  private failWaiters(error: ScalerError): void {
    for (const waiter of [...this.waiters]) waiter.settle(error);
  }

  private notReady(): ScalerError {
    if (this.attempt.error) return this.attempt.error;
    const waited = this.settings.connectTimeoutMs + this.settings.commandTimeoutMs;
    if (this.attempt.connected && !this.context.tls && this.context.topology !== 'cluster') {
      return new ScalerError(
        `${this.description} accepted the connection but did not answer within ${waited} ms: is TLS enabled on the server? set enableTLS: "true" in the trigger (or tls: enable in the TriggerAuthentication)`,
        'tls',
      );
    }
    return new ScalerError(`${this.description} was not ready within ${waited} ms`, 'timeout');
  }

  private aborted(signal: AbortSignal): ScalerError {
    const reason = signal.reason instanceof Error ? signal.reason.message : String(signal.reason ?? 'aborted');
    return new ScalerError(`gave up reading from ${this.description}: ${reason}`, 'timeout', { cause: signal.reason });
  }

  private cachedVersion(): Promise<string> {
    if (!this.version) {
      const read = recordBackendCall(this.calls, 'redis', 'INFO', () => this.client.info('server')).then(
        (info) => {
          const version = /^redis_version:(\S+)/m.exec(info)?.[1];
          if (!version) throw new ScalerError(`${this.description} answered INFO server without redis_version`, 'bad-response');
          return version;
        },
        (error: unknown) => {
          throw this.classify(error);
        },
      );
      this.version = read;
      read.catch(() => {
        if (this.version === read) this.version = undefined;
      });
    }
    return this.version;
  }
}

/** Runs `start` unless `signal` has aborted, and rejects as soon as it aborts; removes its listener either way. */
function abortable<T>(start: () => Promise<T>, signal: AbortSignal, abortError: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  const running = start();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener('abort', onAbort, { once: true });
    running.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function createClient(target: RedisTarget, settings: Required<RedisConnectionSettings>): RedisClient {
  // KEDA's TLS config (core): the system roots plus `ca`, a client certificate, unsafeSsl.
  const tls = target.tls && {
    ...tlsClientOptions(target.tls),
    ...(target.tls.keyPassword !== undefined && { passphrase: target.tls.keyPassword }),
  };
  const backoff = (times: number) => Math.min(times * 200, settings.maxReconnectDelayMs);
  // Prompt errors instead of queues: no offline queue, no retry of a command across reconnects.
  const common: RedisOptions = {
    username: target.username,
    password: target.password,
    ...(tls && { tls }),
    connectTimeout: settings.connectTimeoutMs,
    commandTimeout: settings.commandTimeoutMs,
    connectionName: settings.connectionName,
    disableClientInfo: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    lazyConnect: true,
  };
  const [first] = target.endpoints;
  switch (target.topology) {
    case 'standalone':
      return new Redis({ ...common, host: first!.host, port: first!.port, db: target.databaseIndex, retryStrategy: backoff });
    case 'cluster': {
      const options: ClusterOptions = {
        redisOptions: common,
        lazyConnect: true,
        enableOfflineQueue: false,
        clusterRetryStrategy: backoff,
        slotsRefreshTimeout: settings.commandTimeoutMs,
      };
      return new Cluster(
        target.endpoints.map(({ host, port }) => ({ host, port })),
        options,
      );
    }
    case 'sentinel':
      // As in go-redis, TLS applies to the sentinels and the master alike.
      return new Redis({
        ...common,
        sentinels: target.endpoints.map(({ host, port }) => ({ host, port })),
        name: target.sentinelMaster!,
        db: target.databaseIndex,
        sentinelUsername: target.sentinelUsername,
        sentinelPassword: target.sentinelPassword,
        ...(tls && { sentinelTLS: tls, enableTLSForSentinelMode: true }),
        sentinelRetryStrategy: backoff,
        sentinelCommandTimeout: settings.commandTimeoutMs,
        retryStrategy: backoff,
      });
  }
}
