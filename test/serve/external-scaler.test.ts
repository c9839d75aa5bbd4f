import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../harness/process.js';
import { startRedis, type RedisInstance } from '../harness/redis.js';

// `updraft external-scaler` as KEDA's `type: external` trigger dials it: the real CLI in its own
// process, a client generated from the same vendored externalscaler.proto with grpc-js and
// proto-loader, a real redis-server and the cron scaler.

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(repoRoot, 'adapter/bin/updraft.js');
const protoFile = join(repoRoot, 'adapter/proto/externalscaler.proto');

type Ref = { name: string; namespace: string; scalerMetadata: Record<string, string> };
interface Client extends grpc.Client {
  IsActive(ref: Ref, callback: (error: grpc.ServiceError | null, response?: { result: boolean }) => void): void;
  StreamIsActive(ref: Ref): grpc.ClientReadableStream<{ result: boolean }>;
  GetMetricSpec(ref: Ref, callback: (error: grpc.ServiceError | null, response?: { metricSpecs: { metricName: string; targetSize: number; targetSizeFloat: number }[] }) => void): void;
  GetMetrics(
    request: { scaledObjectRef: Ref; metricName: string },
    callback: (error: grpc.ServiceError | null, response?: { metricValues: { metricName: string; metricValue: number; metricValueFloat: number }[] }) => void,
  ): void;
}

const definition = protoLoader.loadSync(protoFile, { keepCase: true, longs: Number, defaults: true });
const ExternalScaler = (grpc.loadPackageDefinition(definition) as unknown as { externalscaler: { ExternalScaler: new (address: string, credentials: grpc.ChannelCredentials) => Client } })
  .externalscaler.ExternalScaler;

function call<T>(invoke: (callback: (error: grpc.ServiceError | null, response?: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => invoke((error, response) => (error ? reject(error) : resolve(response!))));
}

let redis: RedisInstance;
let secured: RedisInstance;
let child: ChildProcess;
let client: Client;
let configDir: string;
let stderr = '';

const ref = (name: string, scalerMetadata: Record<string, string>): Ref => ({ name, namespace: 'apps', scalerMetadata: { scalerAddress: 'updraft:9090', ...scalerMetadata } });
/** A cron window around now (open) or starting later this hour (closed), in UTC minutes of the hour. */
function cronWindow(open: boolean): { start: string; end: string } {
  const minute = new Date().getUTCMinutes();
  const at = (offset: number) => `${(minute + offset + 60) % 60} * * * *`;
  return open ? { start: at(-5), end: at(5) } : { start: at(10), end: at(20) };
}

beforeAll(async () => {
  [redis, secured] = await Promise.all([startRedis(), startRedis({ password: 'ext-secret-42' })]);
  configDir = await mkdtemp(join(tmpdir(), 'updraft-external-'));
  await writeFile(
    join(configDir, 'auth.yaml'),
    [
      'apiVersion: v1',
      'kind: Secret',
      'metadata: { name: redis-auth, namespace: apps }',
      'stringData: { password: ext-secret-42 }',
      '---',
      'apiVersion: keda.sh/v1alpha1',
      'kind: TriggerAuthentication',
      'metadata: { name: redis-auth, namespace: apps }',
      'spec:',
      '  secretTargetRef:',
      '    - { parameter: password, name: redis-auth, key: password }',
    ].join('\n'),
  );
  child = spawn(process.execPath, [bin, 'external-scaler', '--config', configDir, '--host', '127.0.0.1', '--port', '0', '--polling-interval', '1'], {
    cwd: repoRoot,
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('UPDRAFT_'))) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`external-scaler did not start: ${stdout}${stderr}`)), 20_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /on 127\.0\.0\.1:(\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`external-scaler exited ${code}: ${stdout}${stderr}`)));
  });
  client = new ExternalScaler(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 40_000);

afterAll(async () => {
  client?.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  await Promise.all([redis?.stop(), secured?.stop()]);
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

describe('cron under KEDA\'s external trigger', () => {
  it('GetMetricSpec names the metric without KEDA\'s s<index>- prefix, with the target in both the double and the int64 field', async () => {
    const response = await call<{ metricSpecs: unknown[] }>((cb) => client.GetMetricSpec(ref('web', { scalerType: 'cron', timezone: 'UTC', desiredReplicas: '4', ...cronWindow(true) }), cb));
    expect(response.metricSpecs).toHaveLength(1);
    const [spec] = response.metricSpecs as { metricName: string; targetSize: number; targetSizeFloat: number }[];
    expect(spec!.metricName).toMatch(/^cron-UTC-/);
    expect(spec!.metricName).not.toMatch(/^s\d+-/);
    expect([spec!.targetSize, spec!.targetSizeFloat]).toEqual([1, 1]);
  });

  it('an open window: IsActive true and GetMetrics desiredReplicas (int64 and double)', async () => {
    const so = ref('web', { scalerType: 'cron', timezone: 'UTC', desiredReplicas: '4', ...cronWindow(true) });
    const { metricSpecs } = await call<{ metricSpecs: { metricName: string }[] }>((cb) => client.GetMetricSpec(so, cb));
    const metricName = metricSpecs[0]!.metricName;
    expect(await call<{ result: boolean }>((cb) => client.IsActive(so, cb))).toEqual({ result: true });
    expect(await call((cb) => client.GetMetrics({ scaledObjectRef: so, metricName }, cb))).toEqual({ metricValues: [{ metricName, metricValue: 4, metricValueFloat: 4 }] });
  });

  it('a closed window: IsActive false and the value 0', async () => {
    const so = ref('web', { scalerType: 'cron', timezone: 'UTC', desiredReplicas: '4', ...cronWindow(false) });
    const { metricSpecs } = await call<{ metricSpecs: { metricName: string }[] }>((cb) => client.GetMetricSpec(so, cb));
    expect(await call<{ result: boolean }>((cb) => client.IsActive(so, cb))).toEqual({ result: false });
    const { metricValues } = await call<{ metricValues: { metricValue: number; metricValueFloat: number }[] }>((cb) =>
      client.GetMetrics({ scaledObjectRef: so, metricName: metricSpecs[0]!.metricName }, cb),
    );
    expect(metricValues.map((v) => [v.metricValue, v.metricValueFloat])).toEqual([[0, 0]]);
  });
});

describe('redis under KEDA\'s external trigger', () => {
  it('GetMetrics reads the list length; the target is in targetSizeFloat and targetSize', async () => {
    await redis.admin().rpush('ext:jobs', 'a', 'b', 'c');
    const so = ref('worker', { scalerType: 'redis', address: redis.address, listName: 'ext:jobs', listLength: '2' });
    const { metricSpecs } = await call<{ metricSpecs: { metricName: string; targetSize: number; targetSizeFloat: number }[] }>((cb) => client.GetMetricSpec(so, cb));
    expect(metricSpecs).toEqual([{ metricName: 'redis-ext-jobs', targetSize: 2, targetSizeFloat: 2 }]);
    expect(await call((cb) => client.GetMetrics({ scaledObjectRef: so, metricName: 'redis-ext-jobs' }, cb))).toEqual({
      metricValues: [{ metricName: 'redis-ext-jobs', metricValue: 3, metricValueFloat: 3 }],
    });
  });

  it('the password comes from a TriggerAuthentication in --config, named by scalerMetadata.authenticationRef', async () => {
    await secured.admin().rpush('ext:secured', '1', '2');
    const so = ref('worker', { scalerType: 'redis', address: secured.address, listName: 'ext:secured', authenticationRef: 'redis-auth' });
    expect(await call((cb) => client.GetMetrics({ scaledObjectRef: so, metricName: 'redis-ext-secured' }, cb))).toEqual({
      metricValues: [{ metricName: 'redis-ext-secured', metricValue: 2, metricValueFloat: 2 }],
    });
    // Without it, the server refuses the connection: the source fails, and that is UNAVAILABLE, not 0.
    const bare = ref('worker', { scalerType: 'redis', address: secured.address, listName: 'ext:secured' });
    const error = await call((cb) => client.GetMetrics({ scaledObjectRef: bare, metricName: 'redis-ext-secured' }, cb)).catch((e: grpc.ServiceError) => e);
    expect((error as grpc.ServiceError).code).toBe(grpc.status.UNAVAILABLE);
    expect((error as grpc.ServiceError).details).not.toContain('ext-secret-42');
  });

  it('<x>FromEnv carries the value KEDA resolved from the scale target (KEDA sends the value under the same key)', async () => {
    const so = ref('worker', { scalerType: 'redis', address: secured.address, listName: 'ext:secured', passwordFromEnv: 'ext-secret-42' });
    expect(await call((cb) => client.GetMetrics({ scaledObjectRef: so, metricName: 'redis-ext-secured' }, cb))).toEqual({
      metricValues: [{ metricName: 'redis-ext-secured', metricValue: 2, metricValueFloat: 2 }],
    });
  });

  it('StreamIsActive sends the activity at once, then each change the background polls see', async () => {
    const admin = redis.admin();
    await admin.del('ext:stream');
    const stream = client.StreamIsActive(ref('streamer', { scalerType: 'redis', address: redis.address, listName: 'ext:stream' }));
    const seen: boolean[] = [];
    const waiters: (() => void)[] = [];
    stream.on('data', (message: { result: boolean }) => {
      seen.push(message.result);
      for (const wake of waiters.splice(0)) wake();
    });
    stream.on('error', () => {});
    const nth = (n: number) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${JSON.stringify(seen)} after 10 s`)), 10_000);
        const check = () => (seen.length >= n ? (clearTimeout(timer), resolve()) : waiters.push(check));
        check();
      });
    try {
      await nth(1);
      expect(seen).toEqual([false]);
      await admin.rpush('ext:stream', 'job');
      await nth(2);
      await admin.del('ext:stream');
      await nth(3);
      expect(seen).toEqual([false, true, false]);
    } finally {
      stream.cancel();
    }
  }, 30_000);

  it('a source that is down: IsActive, GetMetrics and StreamIsActive are UNAVAILABLE, never a 0', async () => {
    // A free port: nothing listens there.
    const address = `127.0.0.1:${await freePort()}`;
    const so = ref('worker', { scalerType: 'redis', address, listName: 'jobs' });
    const attempts: [string, () => Promise<unknown>][] = [
      ['IsActive', () => call((cb) => client.IsActive(so, cb))],
      ['GetMetrics', () => call((cb) => client.GetMetrics({ scaledObjectRef: so, metricName: 'redis-jobs' }, cb))],
      [
        'StreamIsActive',
        () =>
          new Promise((resolve, reject) => {
            const stream = client.StreamIsActive(so);
            stream.on('data', resolve);
            stream.on('error', reject);
          }),
      ],
    ];
    for (const [method, attempt] of attempts) {
      const outcome = await attempt().then((response) => ({ response }), (error: grpc.ServiceError) => ({ code: error.code, details: error.details }));
      expect(outcome, method).toMatchObject({ code: grpc.status.UNAVAILABLE, details: expect.stringContaining(`cannot connect to ${address}`) });
    }
  }, 20_000);
});

describe('bad requests are INVALID_ARGUMENT naming the field', () => {
  const rejected = async (invoke: (cb: (error: grpc.ServiceError | null) => void) => void) => {
    const error = await call(invoke).then(() => undefined, (e: grpc.ServiceError) => e);
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    return error!.details;
  };

  it('no scalerType: says which key and lists the types', async () => {
    expect(await rejected((cb) => client.IsActive(ref('web', { timezone: 'UTC' }), cb))).toMatch(/^scalerMetadata\.scalerType: required: .*cron.*redis/);
  });

  it('an unknown scalerType', async () => {
    expect(await rejected((cb) => client.GetMetricSpec(ref('web', { scalerType: 'kron' }), cb))).toMatch(/^apps\/web: scalerMetadata\.scalerType: .*kron.*cron/);
  });

  it("every bad field of the trigger's metadata at once", async () => {
    const details = await rejected((cb) => client.GetMetricSpec(ref('web', { scalerType: 'cron', timezone: 'Mars/Olympus', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: 'many' }), cb));
    expect(details).toMatch(/scalerMetadata\.timezone: /);
    expect(details).toMatch(/scalerMetadata\.desiredReplicas: /);
    expect(details).not.toMatch(/spec\.triggers/);
  });

  it('a TriggerAuthentication that is not in --config', async () => {
    expect(await rejected((cb) => client.IsActive(ref('worker', { scalerType: 'redis', address: redis.address, listName: 'x', authenticationRef: 'nope' }), cb))).toMatch(
      /scalerMetadata\.authenticationRef: .*nope/,
    );
  });

  it('a metric name GetMetricSpec does not return', async () => {
    const so = ref('worker', { scalerType: 'redis', address: redis.address, listName: 'ext:jobs' });
    expect(await rejected((cb) => client.GetMetrics({ scaledObjectRef: so, metricName: 'redis-other' }, cb))).toBe(
      'metricName: "redis-other" is not a metric of this trigger; GetMetricSpec returns "redis-ext-jobs"',
    );
  });
});

describe('the CLI stays lazy', () => {
  it('`updraft --help` does not load grpc; the external-scaler command does', async () => {
    const script = (extra: string) =>
      [
        `const { main } = await import(${JSON.stringify(join(repoRoot, 'adapter/dist/cli.js'))});`,
        `await main(['--help'], { stdout() {}, stderr() {} });`,
        extra,
        `const { createRequire } = await import('node:module');`,
        `console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('@grpc')).length));`,
      ].join('\n');
    const run = (source: string) =>
      new Promise<string>((resolve, reject) => {
        const node = spawn(process.execPath, ['--input-type=module', '-e', source], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        node.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        node.on('error', reject);
        node.on('close', () => resolve(out.trim()));
      });
    expect(await run(script(''))).toBe('0');
    expect(Number(await run(script(`await import(${JSON.stringify(join(repoRoot, 'adapter/dist/external-scaler/command.js'))});`)))).toBeGreaterThan(0);
  }, 20_000);
});
