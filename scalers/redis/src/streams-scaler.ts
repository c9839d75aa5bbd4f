import type { ChainableCommander } from 'ioredis';
import { ScalerError, triggerMetricName, type MetricSpec, type MetricsAndActivity, type Scaler, type ScalerConfig } from '@updraft/core';
import type { RedisTopology } from './connection-metadata.js';
import type { RedisConnection } from './redis-connection.js';
import { TriggerConnection, type RedisConnections } from './redis-connections.js';
import { redisTarget } from './redis-target.js';
import { streamsMode, type RedisStreamsMetadata, type StreamsMode } from './streams-metadata.js';

/** What one read found: a value, and why it is *empty* when the stream or group does not exist yet. */
interface Reading {
  readonly value: number;
  readonly empty?: string;
}

/** One reply of a pipeline: Redis answers each command on its own, error or value. */
interface Reply {
  readonly error: Error | null;
  readonly value: unknown;
}

/**
 * One `redis-streams`, `redis-cluster-streams` or `redis-sentinel-streams` trigger: stream length
 * (XLEN), pending entries of a consumer group (XPENDING) or its lag (XINFO GROUPS, Redis 7).
 *
 * Each read is one round trip: `TYPE` goes in the same pipeline as the command, so that a stream
 * that does not exist yet reads as 0 with `empty` (it is not an empty stream: Redis keeps those),
 * and a key of another type is an error that names the type.
 */
export class RedisStreamsScaler implements Scaler {
  private readonly connection: TriggerConnection;
  private readonly mode: StreamsMode;

  constructor(
    private readonly config: ScalerConfig<RedisStreamsMetadata>,
    readonly topology: RedisTopology,
    connections: RedisConnections,
  ) {
    this.mode = streamsMode(config.metadata);
    this.connection = new TriggerConnection(connections, redisTarget(config.metadata, topology));
  }

  getMetricSpecs(): MetricSpec[] {
    const { triggerIndex, metadata, metricType } = this.config;
    return [{ metricName: triggerMetricName(triggerIndex, `redis-streams-${metadata.stream}`), target: this.mode.target, metricType }];
  }

  async getMetricsAndActivity(metricName: string, signal: AbortSignal): Promise<MetricsAndActivity> {
    const connection = this.connection.get();
    const reading = await this.read(connection, signal);
    return {
      values: [{ metricName, value: reading.value, timestamp: new Date() }],
      active: reading.value > this.config.metadata.activationLagCount,
      ...(reading.empty !== undefined && { empty: { reason: reading.empty } }),
    };
  }

  async close(): Promise<void> {
    await this.connection.close();
  }

  private read(connection: RedisConnection, signal: AbortSignal): Promise<Reading> {
    switch (this.mode.mode) {
      case 'length':
        return this.length(connection, signal);
      case 'pending':
        return this.pending(connection, signal);
      case 'lag':
        return this.lag(connection, signal);
    }
  }

  /** XLEN: entries in the stream. */
  private async length(connection: RedisConnection, signal: AbortSignal): Promise<Reading> {
    const { stream } = this.config.metadata;
    const [type, length] = await connection.send('XLEN', signal, (client) => replies(client.pipeline().type(stream).xlen(stream)));
    const missing = this.missingStream(connection, type!);
    if (missing) return missing;
    return { value: this.integer(connection, 'XLEN', value(connection, length!)) };
  }

  /** XPENDING summary: entries delivered to the group's consumers and not acknowledged. */
  private async pending(connection: RedisConnection, signal: AbortSignal): Promise<Reading> {
    const { stream, consumerGroup } = this.config.metadata;
    const group = consumerGroup!;
    const [type, summary] = await connection.send('XPENDING', signal, (client) => replies(client.pipeline().type(stream).xpending(stream, group)));
    const missing = this.missingStream(connection, type!);
    if (missing) return missing;
    if (summary!.error?.message.startsWith('NOGROUP')) {
      return { value: 0, empty: `consumer group ${JSON.stringify(group)} does not exist (yet) on stream ${JSON.stringify(stream)} in ${connection.keyspace}` };
    }
    const reply = value(connection, summary!);
    return { value: this.integer(connection, 'XPENDING', Array.isArray(reply) ? reply[0] : reply) };
  }

  /**
   * The group's `lag` from XINFO GROUPS (Redis 7 or later). As in KEDA, a group that does not
   * exist yet falls back to the stream length, which rides in the same pipeline.
   */
  private async lag(connection: RedisConnection, signal: AbortSignal): Promise<Reading> {
    const { stream, consumerGroup } = this.config.metadata;
    const group = consumerGroup!;
    const version = await connection.redisVersion(signal);
    if (Number.parseInt(version, 10) < 7) {
      throw new ScalerError(
        `consumer-group lag needs Redis 7 or later, but ${connection.description} runs Redis ${version}: upgrade it, or leave lagCount out to scale on pending entries (XPENDING)`,
        'unsupported',
      );
    }
    const [type, groups, length] = await connection.send('XINFO', signal, (client) =>
      replies(client.pipeline().type(stream).xinfo('GROUPS', stream).xlen(stream)),
    );
    const missing = this.missingStream(connection, type!);
    if (missing) return missing;
    const reply = value(connection, groups!);
    if (!Array.isArray(reply)) throw new ScalerError(`${connection.description} answered XINFO GROUPS with ${JSON.stringify(reply)}`, 'bad-response');
    const info = reply.map((fields) => fieldsOf(fields)).find((fields) => fields.get('name') === group);
    if (!info) return { value: this.integer(connection, 'XLEN', value(connection, length!)) };
    const lag = info.get('lag');
    if (lag === null) {
      // Redis cannot tell (entries were deleted or trimmed past the group's position); KEDA reads 0.
      return {
        value: 0,
        empty: `Redis cannot compute the lag of consumer group ${JSON.stringify(group)} on stream ${JSON.stringify(stream)} in ${connection.keyspace}: entries after its last-delivered-id were deleted or trimmed`,
      };
    }
    return { value: this.integer(connection, 'XINFO GROUPS lag', lag) };
  }

  /** A stream that does not exist yet reads as 0 with `empty`; a key of another type is an error. */
  private missingStream(connection: RedisConnection, type: Reply): Reading | undefined {
    const { stream } = this.config.metadata;
    const kind = value(connection, type);
    if (kind === 'none') return { value: 0, empty: `stream ${JSON.stringify(stream)} does not exist (yet) in ${connection.keyspace}` };
    if (kind !== 'stream') {
      throw new ScalerError(`key ${JSON.stringify(stream)} in ${connection.keyspace} is a ${String(kind)}, not a stream: stream must name a stream`, 'query');
    }
    return undefined;
  }

  private integer(connection: RedisConnection, what: string, reply: unknown): number {
    if (typeof reply === 'number' && Number.isFinite(reply)) return reply;
    throw new ScalerError(`${connection.description} answered ${what} with ${JSON.stringify(reply)}, not a number`, 'bad-response');
  }
}

/** Sends a pipeline (one round trip) and returns each command's reply. */
async function replies(pipeline: ChainableCommander): Promise<Reply[]> {
  const results = await pipeline.exec();
  if (!results) throw new Error('Connection is closed.');
  return results.map(([error, value]) => ({ error, value }));
}

/** A reply's value, or its error as a ScalerError. */
function value(connection: RedisConnection, reply: Reply): unknown {
  if (reply.error) throw connection.classify(reply.error);
  return reply.value;
}

/** XINFO's flat `[name, value, name, value, ...]` as a map. */
function fieldsOf(reply: unknown): Map<unknown, unknown> {
  const fields = new Map<unknown, unknown>();
  if (Array.isArray(reply)) for (let i = 0; i + 1 < reply.length; i += 2) fields.set(reply[i], reply[i + 1]);
  return fields;
}
