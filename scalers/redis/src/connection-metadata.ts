import { p, tlsParams, type Infer, type MetadataRule } from '@updraft/core/metadata';

/**
 * How a trigger reaches Redis. KEDA builds every redis trigger with two flags (isClustered,
 * isSentinel); the trigger type picks one: `redis`/`redis-streams` are standalone,
 * `redis-cluster*` cluster, `redis-sentinel*` sentinel.
 */
export type RedisTopology = 'standalone' | 'cluster' | 'sentinel';

/**
 * Where Redis is, how to log in and whether to use TLS: KEDA's `redisConnectionInfo` plus its
 * `enableTLS`/`tls` pair (pkg/scalers/redis_scaler.go), shared by all six trigger types. The
 * order of sources is KEDA's, and KEDA does not use one order for all of them.
 */
export const redisConnectionParams = {
  address: p
    .list()
    .alias('addresses')
    .from('triggerMetadata', 'authParams', 'resolvedEnv')
    .describe('`host:port` of the server (standalone types use the first), of the cluster nodes (cluster types) or of the sentinels (sentinel types). This, or `host` and `port`, must be set.'),
  host: p
    .list()
    .alias('hosts')
    .from('triggerMetadata', 'resolvedEnv', 'authParams')
    .describe('Host names, paired one to one with `port`; the pairs come after `address`.'),
  port: p.list().alias('ports').from('triggerMetadata', 'resolvedEnv', 'authParams').describe('Ports, one per host.'),
  username: p.string().from('triggerMetadata', 'resolvedEnv', 'authParams').describe('ACL user (Redis 6 or later).'),
  password: p.string().from('triggerMetadata', 'resolvedEnv', 'authParams').secret().describe('Password of the Redis server (for sentinel types: of the master).'),
  enableTLS: p.boolean().describe('Connect with TLS. Say it here or with `tls` in a TriggerAuthentication, not both.'),
  tls: p.enum(['enable', 'disable']).from('authParams').describe('`enable` connects with TLS: the TriggerAuthentication form of `enableTLS`.'),
  ca: tlsParams.ca,
  cert: tlsParams.cert.alias('Cert'),
  key: tlsParams.key,
  keyPassword: p.string().from('authParams').secret().describe('Password that decrypts an encrypted (PKCS#8) `key`.'),
  unsafeSsl: tlsParams.unsafeSsl,
};

/** Only the sentinel types talk to sentinels; the other types do not declare these (KEDA parses and ignores them). */
export const redisSentinelParams = {
  sentinelUsername: p.string().from('triggerMetadata', 'authParams', 'resolvedEnv').describe('ACL user on the sentinels.'),
  sentinelPassword: p.string().from('triggerMetadata', 'authParams', 'resolvedEnv').secret().describe('Password of the sentinels.'),
  sentinelMaster: p.string().from('triggerMetadata', 'authParams', 'resolvedEnv').describe('Name of the master set the sentinels monitor, e.g. `mymaster`.'),
};

/** A Redis Cluster serves database 0 only: the cluster types do not declare this (KEDA parses and ignores it). */
export const redisDatabaseParams = {
  databaseIndex: p.integer().default(0).describe('Database to use (`SELECT`).'),
};

/** The connection parameters each topology declares. */
export const redisTopologyParams = {
  standalone: { ...redisConnectionParams, ...redisDatabaseParams },
  cluster: { ...redisConnectionParams },
  sentinel: { ...redisConnectionParams, ...redisSentinelParams, ...redisDatabaseParams },
};

/** Parsed connection parameters of any redis trigger; the sentinel and database fields exist only where declared. */
export type RedisConnectionMetadata = Infer<typeof redisConnectionParams> &
  Infer<typeof redisSentinelParams> & { readonly databaseIndex?: number };

/** Go's net.JoinHostPort: a host with a colon (IPv6) goes in brackets, unless it already is. */
export function joinHostPort(host: string, port: string): string {
  const bracketed = host.startsWith('[') && host.endsWith(']');
  return host.includes(':') && !bracketed ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * The `host:port` addresses to dial, as KEDA's validateRedisAddress builds them: the `address`
 * list, then each host joined with its port, when hosts and ports are both given.
 */
export function redisAddresses(metadata: Pick<RedisConnectionMetadata, 'address' | 'host' | 'port'>): string[] {
  const hosts = metadata.host ?? [];
  const ports = metadata.port ?? [];
  const paired = hosts.length > 0 && hosts.length === ports.length ? hosts.map((host, i) => joinHostPort(host, ports[i]!)) : [];
  return [...(metadata.address ?? []), ...paired];
}

/** Whether to dial TLS: `enableTLS` from the trigger, or `tls: enable` from the TriggerAuthentication. */
export function redisTlsEnabled(metadata: Pick<RedisConnectionMetadata, 'enableTLS' | 'tls'>): boolean {
  return metadata.enableTLS ?? metadata.tls === 'enable';
}

type Rule = MetadataRule<RedisConnectionMetadata>;

const HOST_PORT = /^(\[[^\]]+\]|[^:[\]]*):(\d+)$/;
const isPort = (text: string) => /^\d+$/.test(text) && Number(text) >= 1 && Number(text) <= 65535;

/** KEDA's validateRedisAddress, plus warnings for what it silently ignores or what cannot be dialled. */
const addressRule: Rule = (m, context) => {
  const hosts = m.host ?? [];
  const ports = m.port ?? [];
  if (hosts.length > 0 && ports.length > 0 && hosts.length !== ports.length) {
    context.error(`not enough hosts or ports given: got ${hosts.length} hosts and ${ports.length} ports; the number of hosts must equal the number of ports`, 'port');
    return;
  }
  // KEDA pairs hosts with ports only when both are given; one without the other is dropped.
  const alone = hosts.length > 0 && ports.length === 0 ? 'host' : ports.length > 0 && hosts.length === 0 ? 'port' : undefined;
  const missing = alone === 'host' ? 'port' : 'host';
  if (redisAddresses(m).length === 0) {
    const hint = alone ? ` (${alone} is set, but ${missing} is not)` : '';
    context.error(`no addresses or hosts given: set address to a comma-separated list of host:port, or set host and port${hint}`, alone);
    return;
  }
  if (alone) context.warning(`${alone} is ignored without ${missing}: the connection uses address`, alone);
  for (const address of m.address ?? []) {
    const match = HOST_PORT.exec(address);
    if (!match || !isPort(match[2]!)) context.warning(`${JSON.stringify(address)} is not host:port with a port from 1 to 65535`, 'address');
  }
  for (const port of hosts.length > 0 ? ports : []) {
    if (!isPort(port)) context.warning(`${JSON.stringify(port)} is not a port from 1 to 65535 (to read it from the container env, use portFromEnv)`, 'port');
  }
};

/** KEDA's SetEnableTLS, plus warnings for TLS settings that have no effect. */
const tlsRule: Rule = (m, context) => {
  if (m.enableTLS !== undefined && m.tls !== undefined) {
    context.error("unable to set 'tls' in both ScaledObject and TriggerAuthentication together", 'tls');
    return;
  }
  if (!redisTlsEnabled(m)) {
    const unused = (['ca', 'cert', 'key', 'keyPassword'] as const).filter((name) => m[name] !== undefined);
    const ignored = m.unsafeSsl ? [...unused, 'unsafeSsl' as const] : unused;
    if (ignored.length > 0) {
      context.warning(`${ignored.join(', ')} ${ignored.length === 1 ? 'has' : 'have'} no effect while TLS is off: set enableTLS: "true" in the trigger metadata or tls: enable in the TriggerAuthentication`, ignored[0]);
    }
  } else if ((m.cert === undefined) !== (m.key === undefined)) {
    const [given, absent] = m.cert === undefined ? ['key', 'cert'] as const : ['cert', 'key'] as const;
    context.warning(`${given} is ignored without ${absent}: a client certificate needs both`, given);
  }
};

const firstAddressOnlyRule: Rule = (m, context) => {
  const addresses = redisAddresses(m);
  if (addresses.length > 1) {
    context.warning(`${addresses.length} addresses given, but a standalone trigger uses only the first, ${addresses[0]}; for several nodes use a cluster or sentinel trigger type`, m.address ? 'address' : 'host');
  }
};

// KEDA does not require it, but the sentinels cannot answer for a master without a name.
const sentinelMasterRule: Rule = (m, context) => {
  if (m.sentinelMaster === undefined) {
    context.warning('sentinelMaster is not set: the sentinels will be asked for a master with an empty name and connecting will fail; set it to the name they monitor, e.g. mymaster');
  }
};

/** The cross-field rules of each topology. */
export const redisConnectionRules: Readonly<Record<RedisTopology, readonly Rule[]>> = {
  standalone: [addressRule, tlsRule, firstAddressOnlyRule],
  cluster: [addressRule, tlsRule],
  sentinel: [addressRule, tlsRule, sentinelMasterRule],
};
