import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUpdraftIn } from '../cli/run-updraft.js';
import { eventually, httpsGet, metricPath, startServe, type ServeProcess } from '../serve/serve-process.js';

// examples/scaler-postgresql as a plugin author ships it and an operator installs it: built in its
// own folder (not a workspace), its own tests run (the conformance suite against a real PostgreSQL),
// `npm pack`ed, the tarball installed into a folder of its own, and loaded by name by `updraft
// check` and `updraft serve` run from there, which read a live row count.

const example = fileURLToPath(new URL('../../examples/scaler-postgresql/', import.meta.url));

interface PostgresServer {
  readonly host: string;
  readonly port: number;
  readonly password: string;
  sql(text: string): Promise<void>;
  stop(): Promise<void>;
}

function run(command: string, args: readonly string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let app: string;
let server: PostgresServer;
let serve: ServeProcess | undefined;
let ownTests: { code: number; stdout: string; stderr: string };
let packed: string[];

beforeAll(async () => {
  const install = await run('npm', ['ci', '--prefer-offline'], example);
  expect(install.code, install.stderr).toBe(0);
  const build = await run('npm', ['run', 'build'], example);
  expect(build.code, build.stdout + build.stderr).toBe(0);
  ownTests = await run(process.execPath, ['--test', '--test-reporter=tap', ...(await readdir(join(example, 'dist'))).filter((f) => f.endsWith('.test.js')).map((f) => join('dist', f))], example);

  app = await mkdtemp(join(tmpdir(), 'updraft-pg-app-'));
  const pack = await run('npm', ['pack', '--json', '--pack-destination', app], example);
  expect(pack.code, pack.stderr).toBe(0);
  const [manifest] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  packed = manifest!.files.map((f) => f.path).sort();
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'operator-app', private: true, type: 'module' }));
  // The peers (@updraft/core, inversify) are not on npm yet: they come from the host adapter.
  const add = await run('npm', ['install', '--legacy-peer-deps', '--prefer-offline', join(app, manifest!.filename)], app);
  expect(add.code, add.stderr).toBe(0);

  const testkit = pathToFileURL(join(example, 'dist', 'postgres-server.testkit.js')).href;
  server = await ((await import(testkit)) as { startPostgres(): Promise<PostgresServer> }).startPostgres();
  await server.sql("INSERT INTO jobs (state) VALUES ('ready'), ('ready'), ('done')");
  await writeFile(
    join(app, 'so.yaml'),
    `apiVersion: v1
kind: Secret
metadata: { name: pg-secret, namespace: default }
stringData:
  password: '${server.password}'
---
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: { name: pg-auth, namespace: default }
spec:
  secretTargetRef:
    - { parameter: password, name: pg-secret, key: password }
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: jobs-worker, namespace: default }
spec:
  scaleTargetRef: { name: jobs-worker }
  pollingInterval: 1
  triggers:
    - type: postgresql
      metadata:
        query: "SELECT count(*) FROM jobs WHERE state = 'ready'"
        targetQueryValue: "2"
        host: 127.0.0.1
        port: "${server.port}"
        userName: updraft
        dbName: postgres
        sslmode: disable
      authenticationRef: { name: pg-auth }
`,
  );
}, 300_000);

afterAll(async () => {
  await serve?.stop();
  await server?.stop();
  if (app) await rm(app, { recursive: true, force: true });
});

describe('examples/scaler-postgresql, out of tree', () => {
  it('passes its own tests, the conformance suite among them, against a real PostgreSQL', () => {
    expect(ownTests.code, ownTests.stdout.slice(-4000) + ownTests.stderr).toBe(0);
    expect(ownTests.stdout).toMatch(/^ok \d+ - scaler conformance$/m);
    expect(ownTests.stdout).toMatch(/^# fail 0$/m);
    expect(Number(ownTests.stdout.match(/^# pass (\d+)$/m)?.[1])).toBeGreaterThanOrEqual(15);
  });

  it('packs built JS, types, README, LICENSE and package.json only', () => {
    expect(packed).toEqual(
      ['LICENSE', 'README.md', 'package.json', ...['connection', 'index', 'metadata', 'scaler'].flatMap((f) => [`dist/${f}.d.ts`, `dist/${f}.js`])].sort(),
    );
  });

  it('updraft check, run beside the installed tarball, loads it by name and reads the row count', async () => {
    const result = await runUpdraftIn(app, ['check', '--plugin', 'updraft-scaler-postgresql', 'so.yaml']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/s0-postgresql\s+value 2\b/);
    expect(result.code).toBe(0);
  }, 60_000);

  it('updraft serve serves the live row count through the external metrics API', async () => {
    serve = await startServe(['--config', '.', '--auth', 'none', '--plugin', 'updraft-scaler-postgresql'], {}, { cwd: app });
    const read = async () => {
      const answer = await httpsGet(`${serve!.url}${metricPath('default', 's0-postgresql', 'jobs-worker')}`);
      return answer.status === 200 ? answer.json<{ items: { metricName: string; value: string }[] }>().items[0]?.value : undefined;
    };
    expect(await eventually('the first value', read)).toBe('2');
    await server.sql("INSERT INTO jobs (state) VALUES ('ready'), ('ready'), ('ready')");
    await eventually('the value after three more ready rows', async () => ((await read()) === '5' ? true : undefined), 30_000);
  }, 90_000);
});
