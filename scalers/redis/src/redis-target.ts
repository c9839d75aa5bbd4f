import { createHmac, randomBytes } from 'node:crypto';
import { tlsMaterialKey, type TlsMaterial } from '@updraft/core';
import { redisAddresses, redisTlsEnabled, type RedisConnectionMetadata, type RedisTopology } from './connection-metadata.js';

/** TLS settings of a connection: core's TLS material (`cert` only together with `key`) plus `keyPassword`. */
export interface RedisTlsMaterial extends TlsMaterial {
  readonly keyPassword?: string;
  readonly unsafeSsl: boolean;
}

/** One `host:port` to dial. */
export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
}

/**
 * Everything that makes one Redis connection differ from another: triggers with equal targets
 * share a client. Holds secrets: never log it; `redisConnectionKey` is the printable identity.
 */
export interface RedisTarget {
  readonly topology: RedisTopology;
  /** The server (standalone), the seed nodes (cluster) or the sentinels (sentinel), as `host:port`. */
  readonly addresses: readonly string[];
  /** `addresses` parsed; an address that cannot be dialled is in `invalidAddresses` instead. */
  readonly endpoints: readonly RedisEndpoint[];
  readonly invalidAddresses: readonly string[];
  /** 0 for a cluster, which serves database 0 only. */
  readonly databaseIndex: number;
  readonly username?: string;
  readonly password?: string;
  readonly sentinelMaster?: string;
  readonly sentinelUsername?: string;
  readonly sentinelPassword?: string;
  /** Present when TLS is on. */
  readonly tls?: RedisTlsMaterial;
}

const DEFAULT_PORT = 6379;
const HOST_PORT = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d+)$/;
const BRACKETED = /^\[([^\]]+)\]$/;

/** Parses `host:port` (`[v6]:port` for IPv6); a bare host gets Redis's port 6379, as redis-cli and ioredis do. */
export function parseRedisAddress(address: string): RedisEndpoint | undefined {
  const text = address.trim();
  const match = HOST_PORT.exec(text);
  if (match) {
    const port = Number(match[3]);
    const host = match[1] ?? match[2]!;
    return host !== '' && port >= 1 && port <= 65535 ? { host, port } : undefined;
  }
  const bracketed = BRACKETED.exec(text);
  if (bracketed) return { host: bracketed[1]!, port: DEFAULT_PORT };
  return text !== '' && !text.includes(':') ? { host: text, port: DEFAULT_PORT } : undefined;
}

/** What a trigger of `topology` connects to, from its parsed metadata. Pure: no I/O. */
export function redisTarget(metadata: RedisConnectionMetadata, topology: RedisTopology): RedisTarget {
  const all = redisAddresses(metadata);
  // KEDA: a standalone trigger uses the first address; cluster and sentinel use them all.
  const addresses = topology === 'standalone' ? all.slice(0, 1) : all;
  const endpoints: RedisEndpoint[] = [];
  const invalidAddresses: string[] = [];
  for (const address of addresses) {
    const endpoint = parseRedisAddress(address);
    if (endpoint) endpoints.push(endpoint);
    else invalidAddresses.push(address);
  }
  const clientCertificate = metadata.cert !== undefined && metadata.key !== undefined;
  return {
    topology,
    addresses,
    endpoints,
    invalidAddresses,
    databaseIndex: topology === 'cluster' ? 0 : (metadata.databaseIndex ?? 0),
    ...(metadata.username !== undefined && { username: metadata.username }),
    ...(metadata.password !== undefined && { password: metadata.password }),
    ...(topology === 'sentinel' && {
      ...(metadata.sentinelMaster !== undefined && { sentinelMaster: metadata.sentinelMaster }),
      ...(metadata.sentinelUsername !== undefined && { sentinelUsername: metadata.sentinelUsername }),
      ...(metadata.sentinelPassword !== undefined && { sentinelPassword: metadata.sentinelPassword }),
    }),
    ...(redisTlsEnabled(metadata) && {
      tls: {
        ...(metadata.ca !== undefined && { ca: metadata.ca }),
        ...(clientCertificate && { cert: metadata.cert, key: metadata.key }),
        ...(clientCertificate && metadata.keyPassword !== undefined && { keyPassword: metadata.keyPassword }),
        unsafeSsl: metadata.unsafeSsl,
      },
    }),
  };
}

// Passwords enter the key only through an HMAC with a key that lives and dies with this process:
// stable enough to tell equal credentials apart, useless to anyone who reads a key in a log (a
// plain hash of a short password could be guessed back).
const secretKey = randomBytes(32);

/**
 * The identity under which connections are shared: topology, addresses, database and users in
 * clear; passwords only as a keyed hash, TLS material as core's tlsMaterialKey.
 */
export function redisConnectionKey(target: RedisTarget): string {
  const passwords = [target.password, target.sentinelPassword, target.tls?.keyPassword].map((secret) => secret ?? null);
  return JSON.stringify({
    topology: target.topology,
    addresses: target.addresses,
    databaseIndex: target.databaseIndex,
    username: target.username ?? null,
    sentinelMaster: target.sentinelMaster ?? null,
    sentinelUsername: target.sentinelUsername ?? null,
    tls: target.tls ? tlsMaterialKey(target.tls) : 'off',
    passwords: createHmac('sha256', secretKey).update(JSON.stringify(passwords)).digest('hex'),
  });
}

/** Where a target is, for messages: `127.0.0.1:6379`, `the Redis Cluster at a:1, b:2`, `master "mymaster" via the sentinels a:1`. */
export function describeRedisTarget(target: Pick<RedisTarget, 'topology' | 'addresses' | 'sentinelMaster'>): string {
  const addresses = target.addresses.join(', ');
  switch (target.topology) {
    case 'standalone':
      return addresses;
    case 'cluster':
      return `the Redis Cluster at ${addresses}`;
    case 'sentinel':
      return `master ${JSON.stringify(target.sentinelMaster ?? '')} via the sentinels at ${addresses}`;
  }
}
