import { execFile } from 'node:child_process';
import { writeFile, readFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { freePort, MissingBinaryError, scratchDir, startServer, type ServerProcess } from './process.js';

// Real Redis servers for integration tests: standalone (with requirepass and ACL users), a
// three-master cluster, a sentinel watching one master, and TLS with certificates made for the
// test. Each listens on free 127.0.0.1 ports, keeps nothing on disk (`--save "" --appendonly no`)
// and is gone after stop(). Start them in beforeAll and stop them in afterAll of one test file.

const HOST = '127.0.0.1';

/** An ACL user: `user <name> on ><password> <rules>`; the rules default to every key, channel and command. */
export interface RedisUser {
  readonly name: string;
  readonly password: string;
  readonly rules?: readonly string[];
}

export interface RedisServerOptions {
  /** `requirepass`: the password of the `default` user. */
  readonly password?: string;
  readonly users?: readonly RedisUser[];
  /** `databases` (Redis's default is 16). */
  readonly databases?: number;
  /** Listen on this port instead of a free one (to bring up a server where a client already dials). */
  readonly port?: number;
}

export interface RedisInstance {
  readonly host: string;
  readonly port: number;
  /** `127.0.0.1:<port>` */
  readonly address: string;
  /** An administrative client on database `db`, made on first use and closed by stop(). */
  admin(db?: number): Redis;
  /** How many connections the server holds that were named `name` (CLIENT SETNAME), from CLIENT LIST. */
  clients(name?: string): Promise<number>;
  /** What the server printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Runs a command to completion; a missing binary is a MissingBinaryError naming its Debian package. */
export function run(command: string, args: readonly string[], debianPackage: string, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs }, (error, stdout, stderr) => {
      if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') reject(new MissingBinaryError(command, debianPackage));
      else if (error) reject(new Error(`${command} ${args.join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Whether something accepts TCP connections on the port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `check` every 50 ms until it holds; for states a server offers no event for (cluster_state:ok). */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

const userArgs = (users: readonly RedisUser[] = []) =>
  users.flatMap((user) => ['--user', user.name, 'on', `>${user.password}`, ...(user.rules ?? ['~*', '&*', '+@all'])]);

/** CLIENT LIST lines whose name is `name`. */
function countNamed(list: string, name: string): number {
  return list.split('\n').filter((line) => new RegExp(`(^| )name=${name}( |$)`).test(line)).length;
}

interface Spawned {
  readonly port: number;
  readonly process: ServerProcess;
  readonly dispose: () => Promise<void>;
}

async function spawnRedis(args: (dir: string) => string[] | Promise<string[]>, port: number, readyPort = port): Promise<Spawned> {
  const dir = await scratchDir('redis');
  try {
    const process = await startServer({
      command: 'redis-server',
      args: await args(dir.path),
      debianPackage: 'redis-server',
      cwd: dir.path,
      ready: () => accepts(readyPort),
    });
    return { port, process, dispose: dir.dispose };
  } catch (error) {
    await dir.dispose();
    throw error;
  }
}

const baseArgs = (port: number, dir: string) => ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir];

function instance(spawned: Spawned, connection: RedisOptions): RedisInstance {
  const admins = new Map<number, Redis>();
  const admin = (db = 0) => {
    let client = admins.get(db);
    if (!client) {
      client = new Redis({ host: HOST, port: spawned.port, db, connectionName: 'harness-admin', maxRetriesPerRequest: 1, ...connection });
      client.on('error', () => {}); // a stopped server is expected at the end
      admins.set(db, client);
    }
    return client;
  };
  return {
    host: HOST,
    port: spawned.port,
    address: `${HOST}:${spawned.port}`,
    admin,
    clients: async (name = 'updraft') => countNamed(String(await admin().client('LIST')), name),
    output: () => spawned.process.output(),
    stop: async () => {
      for (const client of admins.values()) client.disconnect();
      await spawned.process.stop();
      await spawned.dispose();
    },
  };
}

/** A standalone redis-server. */
export async function startRedis(options: RedisServerOptions = {}): Promise<RedisInstance> {
  const port = options.port ?? (await freePort());
  const spawned = await spawnRedis(
    (dir) => [
      ...baseArgs(port, dir),
      ...(options.password !== undefined ? ['--requirepass', options.password] : []),
      ...(options.databases !== undefined ? ['--databases', String(options.databases)] : []),
      ...userArgs(options.users),
    ],
    port,
  );
  return instance(spawned, options.password !== undefined ? { password: options.password } : {});
}

export interface RedisClusterInstance {
  readonly nodes: readonly RedisInstance[];
  /** `127.0.0.1:<port>` of each master. */
  readonly addresses: readonly string[];
  /** A cluster client for seeding data, closed by stop(). */
  admin(): Cluster;
  /** The node that serves `key`. */
  nodeOf(key: string): Promise<RedisInstance>;
  stop(): Promise<void>;
}

/** Three masters, no replicas, made with `redis-cli --cluster create`; resolves once every node says cluster_state:ok. */
export async function startRedisCluster(options: { readonly password?: string } = {}): Promise<RedisClusterInstance> {
  const auth = options.password !== undefined ? ['--requirepass', options.password, '--masterauth', options.password] : [];
  const nodes: RedisInstance[] = [];
  let admin: Cluster | undefined;
  const stop = async () => {
    admin?.disconnect();
    await Promise.all(nodes.map((node) => node.stop()));
  };
  try {
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const bus = await freePort();
      const spawned = await spawnRedis(
        (dir) => [
          ...baseArgs(port, dir),
          '--cluster-enabled', 'yes',
          '--cluster-config-file', join(dir, 'nodes.conf'),
          '--cluster-port', String(bus),
          '--cluster-node-timeout', '5000',
          ...auth,
        ],
        port,
      );
      nodes.push(instance(spawned, options.password !== undefined ? { password: options.password } : {}));
    }
    const addresses = nodes.map((node) => node.address);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes', ...(options.password !== undefined ? ['-a', options.password, '--no-auth-warning'] : [])], 'redis-tools');
    for (const node of nodes) {
      await until(`cluster_state:ok on ${node.address}`, async () => {
        const info = String(await node.admin().cluster('INFO'));
        return /cluster_state:ok/.test(info) && /cluster_known_nodes:3/.test(info) && /cluster_slots_ok:16384/.test(info);
      });
    }
    return {
      nodes,
      addresses,
      admin: () => {
        if (!admin) {
          admin = new Cluster(
            nodes.map((node) => ({ host: node.host, port: node.port })),
            { redisOptions: { connectionName: 'harness-admin', ...(options.password !== undefined && { password: options.password }) } },
          );
          admin.on('error', () => {});
        }
        return admin;
      },
      nodeOf: async (key: string) => {
        const slot = Number(await nodes[0]!.admin().cluster('KEYSLOT', key));
        const ranges = await nodes[0]!.admin().cluster('SLOTS');
        const range = ranges.find(([from, to]) => slot >= from && slot <= to)!;
        return nodes.find((node) => node.port === Number(range[2]![1]))!;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface RedisSentinelOptions {
  /** requirepass of the master (the trigger's `password`). */
  readonly masterPassword?: string;
  /** requirepass of the sentinel (the trigger's `sentinelPassword` for user default). */
  readonly sentinelPassword?: string;
  /** An ACL user on the sentinel (`sentinelUsername` and `sentinelPassword`). */
  readonly sentinelUser?: RedisUser;
}

export interface RedisSentinelInstance {
  readonly master: RedisInstance;
  /** `127.0.0.1:<port>` of the sentinel. */
  readonly sentinelAddress: string;
  readonly masterName: string;
  stop(): Promise<void>;
}

/** One master and one sentinel (`redis-server --sentinel`) that monitors it as `mymaster`. */
export async function startRedisSentinel(options: RedisSentinelOptions = {}): Promise<RedisSentinelInstance> {
  const masterName = 'mymaster';
  const master = await startRedis(options.masterPassword !== undefined ? { password: options.masterPassword } : {});
  try {
    const port = await freePort();
    const spawned = await spawnRedis(async (dir) => {
      const config = join(dir, 'sentinel.conf');
      const user = options.sentinelUser;
      await writeFile(
        config,
        [
          `port ${port}`,
          `bind ${HOST}`,
          `dir ${dir}`,
          `sentinel monitor ${masterName} ${HOST} ${master.port} 1`,
          ...(options.masterPassword !== undefined ? [`sentinel auth-pass ${masterName} ${options.masterPassword}`] : []),
          ...(options.sentinelPassword !== undefined ? [`requirepass ${options.sentinelPassword}`] : []),
          ...(user ? [`user ${user.name} on >${user.password} ${(user.rules ?? ['~*', '&*', '+@all']).join(' ')}`] : []),
          '',
        ].join('\n'),
      );
      return [config, '--sentinel'];
    }, port);
    let stopped = false;
    return {
      master,
      sentinelAddress: `${HOST}:${port}`,
      masterName,
      stop: async () => {
        if (stopped) return;
        stopped = true;
        await spawned.process.stop();
        await spawned.dispose();
        await master.stop();
      },
    };
  } catch (error) {
    await master.stop();
    throw error;
  }
}

/** PEM material made for one test run: a CA, a server certificate for 127.0.0.1, a client certificate, and a CA nobody uses. */
export interface TestCertificates {
  readonly ca: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly clientCert: string;
  readonly clientKey: string;
  /** `clientKey` as encrypted PKCS#8, opened by `keyPassword`. */
  readonly encryptedClientKey: string;
  readonly keyPassword: string;
  /** A CA that signed none of the above: for "wrong CA" tests. */
  readonly otherCa: string;
  readonly files: { readonly ca: string; readonly serverCert: string; readonly serverKey: string };
}

/** Makes TestCertificates with openssl (P-256 keys: fast) in `dir`. */
export async function makeTestCertificates(dir: string): Promise<TestCertificates> {
  const openssl = (...args: string[]) => run('openssl', args, 'openssl');
  const file = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl('req', '-x509', '-new', ...ec, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '2', '-subj', '/CN=Updraft Test CA');
  await openssl('req', '-x509', '-new', ...ec, '-keyout', file('other-ca.key'), '-out', file('other-ca.crt'), '-days', '2', '-subj', '/CN=Someone Else CA');
  await writeFile(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await writeFile(file('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, subject] of [['server', '/CN=localhost'], ['client', '/CN=updraft-client']] as const) {
    await openssl('req', '-new', ...ec, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', subject);
    await openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial', '-out', file(`${name}.crt`), '-days', '2', '-extfile', file(`${name}.ext`));
  }
  const keyPassword = 'key-pass-phrase';
  await openssl('pkcs8', '-topk8', '-in', file('client.key'), '-out', file('client-encrypted.key'), '-passout', `pass:${keyPassword}`);
  const read = (name: string) => readFile(file(name), 'utf8');
  return {
    ca: await read('ca.crt'),
    serverCert: await read('server.crt'),
    serverKey: await read('server.key'),
    clientCert: await read('client.crt'),
    clientKey: await read('client.key'),
    encryptedClientKey: await read('client-encrypted.key'),
    keyPassword,
    otherCa: await read('other-ca.crt'),
    files: { ca: file('ca.crt'), serverCert: file('server.crt'), serverKey: file('server.key') },
  };
}

export interface RedisTlsInstance extends RedisInstance {
  readonly certificates: TestCertificates;
}

/**
 * A redis-server that speaks TLS only (`--tls-port`, `--port 0`). `clientCertificates`:
 * `no` accepts any client, `yes` demands a certificate signed by the test CA.
 */
export async function startRedisTls(options: RedisServerOptions & { readonly clientCertificates?: 'yes' | 'no' | 'optional' } = {}): Promise<RedisTlsInstance> {
  const certificatesDir = await scratchDir('redis-tls');
  try {
    const certificates = await makeTestCertificates(certificatesDir.path);
    const port = await freePort();
    const spawned = await spawnRedis(
      (dir) => [
        ...baseArgs(0, dir),
        '--tls-port', String(port),
        '--tls-cert-file', certificates.files.serverCert,
        '--tls-key-file', certificates.files.serverKey,
        '--tls-ca-cert-file', certificates.files.ca,
        '--tls-auth-clients', options.clientCertificates ?? 'no',
        ...(options.password !== undefined ? ['--requirepass', options.password] : []),
        ...userArgs(options.users),
      ],
      port,
    );
    const server = instance(spawned, {
      tls: { ca: certificates.ca, cert: certificates.clientCert, key: certificates.clientKey },
      ...(options.password !== undefined && { password: options.password }),
    });
    return {
      ...server,
      certificates,
      stop: async () => {
        await server.stop();
        await certificatesDir.dispose();
      },
    };
  } catch (error) {
    await certificatesDir.dispose();
    throw error;
  }
}
