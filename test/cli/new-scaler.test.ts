import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lines, repoRoot, runUpdraftIn, type RunResult } from './run-updraft.js';

// A new user's first quarter hour: `updraft new scaler` into a folder outside the repository, then
// in that folder npm install, npm run build, npm test (its own conformance suite against a real
// HTTP server), and `updraft check --plugin <folder>` reading the value it serves. One install,
// shared by every case; the steps' wall times are printed.

interface Step {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string): Promise<Step> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const timings: Record<string, number> = {};
async function timed<T>(name: string, step: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await step();
  } finally {
    timings[name] = Math.round(performance.now() - started);
  }
}

let root: string;
let plugin: string;
let scaffold: RunResult;
let ownTests: Step;
let source: Server;

const scaledObject = (url: string, targetKey = 'targetValue') => `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: { name: jobs-worker, namespace: default }
spec:
  scaleTargetRef: { name: jobs-worker }
  triggers:
    - type: job-count
      metadata:
        url: ${url}
        ${targetKey}: "2"
`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'updraft-new-scaler-'));
  plugin = join(root, 'job-count');
  const started = performance.now();
  scaffold = await timed('new scaler', () => runUpdraftIn(root, ['new', 'scaler', 'job-count', '--type', 'job-count']));
  expect(scaffold.code, scaffold.stderr).toBe(0);
  const install = await timed('npm install', () => run('npm', ['install', '--prefer-offline'], plugin));
  expect(install.code, install.stderr).toBe(0);
  const build = await timed('npm run build', () => run('npm', ['run', 'build'], plugin));
  expect(build.code, build.stdout + build.stderr).toBe(0);
  ownTests = await timed('npm test', () => run('npm', ['test'], plugin));

  // What the new scaler reads: a real HTTP server answering a number.
  source = createServer((_request, response) => response.end('5\n'));
  await new Promise<void>((resolve) => source.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(source.address() as AddressInfo).port}/jobs`;
  await writeFile(join(root, 'so.yaml'), scaledObject(url));
  await writeFile(join(root, 'typo.yaml'), scaledObject(url, 'targetVlaue'));
  timings['to the first check'] = Math.round(performance.now() - started); // plus the check itself, below
}, 600_000);

afterAll(async () => {
  console.log(`updraft new scaler → npm install → build → test → check, ms: ${JSON.stringify(timings)}`);
  source?.closeAllConnections();
  await new Promise((resolve) => (source ? source.close(resolve) : resolve(undefined)));
  if (root) await rm(root, { recursive: true, force: true });
});

describe('updraft new scaler, outside the repository', () => {
  it('writes a complete package, its devDependency on core a file: path to this checkout', async () => {
    expect(scaffold.stderr).toBe('');
    expect((await readdir(plugin, { recursive: true })).filter((f) => !f.startsWith('node_modules') && !f.startsWith('dist')).sort()).toEqual(
      [
        '.gitignore',
        'LICENSE',
        'README.md',
        'example',
        'example/scaledobject.yaml',
        'package-lock.json',
        'package.json',
        'scripts',
        'scripts/docs.js',
        'src',
        'src/conformance.test.ts',
        'src/index.ts',
        'src/metadata.test.ts',
        'src/metadata.ts',
        'src/readme.test.ts',
        'src/scaler.ts',
        'tsconfig.json',
      ].sort(),
    );
    const manifest = JSON.parse(await readFile(join(plugin, 'package.json'), 'utf8')) as Record<string, Record<string, unknown>>;
    expect(manifest.name).toBe('updraft-scaler-job-count');
    expect(manifest.updraft).toEqual({ triggerTypes: ['job-count'] });
    expect(manifest.peerDependencies).toEqual({ '@updraft/core': '^0.1.0', inversify: '^8.2.3' });
    const core = manifest.devDependencies!['@updraft/core'] as string;
    expect(core).toMatch(/^file:/);
    expect(join(plugin, core.slice('file:'.length))).toBe(join(repoRoot, 'core'));
    expect(await readFile(join(plugin, 'LICENSE'), 'utf8')).toBe(await readFile(join(repoRoot, 'examples/scaler-postgresql/LICENSE'), 'utf8'));
    expect(await readFile(join(plugin, 'README.md'), 'utf8')).toContain('| `targetValue` | number | yes |  | metadata | Target value per replica: the HPA target. |');
  });

  it('refuses to write into it again: one line, exit 2', async () => {
    const again = await runUpdraftIn(root, ['new', 'scaler', 'job-count', '--type', 'job-count']);
    expect(lines(again.stderr)).toEqual(['updraft: job-count is not empty: give a new or empty folder to write the scaler package into']);
    expect(again.code).toBe(2);
  });

  it('passes its own tests: the conformance suite, the metadata table and the README table', () => {
    expect(ownTests.code, ownTests.stdout.slice(-4000) + ownTests.stderr).toBe(0);
    expect(ownTests.stdout).toMatch(/^ok \d+ - scaler conformance$/m);
    expect(ownTests.stdout).toMatch(/^ok \d+ - README parameter table is generated from the declaration/m);
    expect(ownTests.stdout).toMatch(/^# fail 0$/m);
    expect(Number(ownTests.stdout.match(/^# pass (\d+)$/m)?.[1])).toBeGreaterThanOrEqual(13);
  });

  it('updraft check --plugin <folder> reads the value the new scaler serves', async () => {
    const result = await timed('check', () => runUpdraftIn(root, ['check', '--plugin', './job-count', 'so.yaml']));
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^default\/jobs-worker\s+triggers\[0\] job-count\s+s0-job-count\s+value 5\s+target 2 AverageValue\s+active$/m);
    expect(result.stdout).toContain('the HPA would scale from 1 to 3 replicas');
    expect(result.code).toBe(0);
  }, 60_000);

  it('updraft validate --plugin <folder> reports a misspelt parameter where it is', async () => {
    const result = await runUpdraftIn(root, ['validate', '--plugin', plugin, 'typo.yaml']);
    expect(result.stderr).toBe('');
    expect(lines(result.stdout)).toEqual([
      'typo.yaml:9:9: default/jobs-worker: spec.triggers[0].metadata: missing required parameter "targetValue" (set it in metadata)',
      'typo.yaml:10:9: default/jobs-worker: spec.triggers[0].metadata.targetVlaue: warning: unknown parameter for job-count, ignored; did you mean "targetValue"?',
    ]);
    expect(result.code).toBe(1);
  }, 60_000);
});
