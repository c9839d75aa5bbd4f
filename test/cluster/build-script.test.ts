import { spawn } from 'node:child_process';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scratchDir } from '../harness/process.js';
import { repoRoot } from '../serve/serve-process.js';

// scripts/build-control-plane's contract without a 30-minute Go build: a cache folder of our own
// (UPDRAFT_CACHE_DIR) stands in for ~/.cache/updraft. A complete cache is answered at once with the
// folder on stdout; --check never builds; a caller that finds the lock held waits for the holder
// and then takes what it built instead of building again.

const SCRIPT = join(repoRoot, 'scripts', 'build-control-plane');
const BINARIES = ['kube-apiserver', 'kube-controller-manager', 'etcd'];

/** Every script run, ended after each test so that a broken lock never leaves a real build running. */
const running = new Set<ReturnType<typeof spawn>>();

interface Run {
  readonly code: Promise<number | null>;
  stdout(): string;
  stderr(): string;
}

function run(cacheRoot: string, args: readonly string[] = []): Run {
  const child = spawn('bash', [SCRIPT, ...args], { env: { ...process.env, UPDRAFT_CACHE_DIR: cacheRoot }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('close', () => running.delete(child));
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return { code: new Promise((resolve) => child.once('close', (code) => resolve(code))), stdout: () => out, stderr: () => err };
}

/** What a finished build leaves: the three binaries, then VERSION. */
async function completeCache(cache: string): Promise<void> {
  await mkdir(join(cache, 'bin'), { recursive: true });
  for (const name of BINARIES) {
    await writeFile(join(cache, 'bin', name), '#!/bin/sh\n');
    await chmod(join(cache, 'bin', name), 0o755);
  }
  await writeFile(join(cache, 'VERSION'), 'v1.37.2 etcd v3.7.0\n');
}

describe('scripts/build-control-plane', () => {
  let dir: Awaited<ReturnType<typeof scratchDir>> | undefined;
  afterEach(async () => {
    for (const child of running) child.kill('SIGKILL');
    await dir?.dispose();
  });

  it('prints the cache folder and nothing else on stdout when the binaries are there, in well under a second', async () => {
    dir = await scratchDir('build-script');
    const cache = join(dir.path, 'kube-v1.37.2');
    await completeCache(cache);
    const started = Date.now();
    const warm = run(dir.path);
    expect(await warm.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(warm.stdout()).toBe(`${cache}\n`);
  });

  it('--check fails with one line saying what to run, and builds nothing', async () => {
    dir = await scratchDir('build-script');
    const check = run(dir.path, ['--check']);
    expect(await check.code).toBe(1);
    expect(check.stdout()).toBe('');
    expect(check.stderr().trim()).toBe(`build-control-plane: Kubernetes v1.37.2 is not built in ${join(dir.path, 'kube-v1.37.2')} yet; run scripts/build-control-plane (once per machine; .ci/run does it)`);
  });

  it('waits for the build holding the lock, then uses what it built', async () => {
    dir = await scratchDir('build-script');
    const cache = join(dir.path, 'kube-v1.37.2');
    await mkdir(cache, { recursive: true });
    // Another build: holds the lock for as long as it runs, and completes the cache before it lets go.
    const holder = spawn('flock', [join(cache, 'build.lock'), 'sh', '-c', 'echo locked; read _'], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
    const waiter = run(dir.path);
    const waiting = Date.now() + 10_000;
    while (!waiter.stderr().includes('waiting for it') && Date.now() < waiting) await new Promise((r) => setTimeout(r, 50));
    expect(waiter.stderr()).toContain(`another build of Kubernetes v1.37.2 holds ${join(cache, 'build.lock')}; waiting for it`);
    await completeCache(cache);
    holder.stdin!.end('\n');
    expect(await waiter.code).toBe(0);
    expect(waiter.stdout()).toBe(`${cache}\n`);
    expect(waiter.stderr()).not.toContain('building Kubernetes');
  });
});
