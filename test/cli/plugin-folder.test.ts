import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A plugin package outside the repository, as a plugin author develops it: its own folder with
// no node_modules (its peers @updraft/core and inversify come from the host).
const bin = fileURLToPath(new URL('../../adapter/bin/updraft.js', import.meta.url));
const fixture = fileURLToPath(new URL('../fixtures/scaler-plugin/index.js', import.meta.url));
let root: string;

function run(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, UPDRAFT_PLUGINS: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'updraft-plugin-'));
  mkdirSync(join(root, 'plugin'));
  cpSync(fixture, join(root, 'plugin', 'index.js'));
  writeFileSync(
    join(root, 'plugin', 'package.json'),
    JSON.stringify({ name: 'scaler-constant-dev', version: '0.1.0', type: 'module', exports: { '.': { default: './index.js' } }, peerDependencies: { '@updraft/core': '^0.1.0', inversify: '^8.2.3' } }),
  );
  // What `npm install ../plugin` (and `npm link`) leaves behind: a symlink to the plugin's real folder.
  mkdirSync(join(root, 'app', 'node_modules'), { recursive: true });
  symlinkSync(join(root, 'plugin'), join(root, 'app', 'node_modules', 'scaler-constant-dev'), 'dir');
  writeFileSync(
    join(root, 'so.yaml'),
    ['apiVersion: keda.sh/v1alpha1', 'kind: ScaledObject', 'metadata: { name: web, namespace: default }', 'spec:', '  scaleTargetRef: { name: web }', '  triggers:', '    - type: constant', '      metadata: { value: "5" }', ''].join('\n'),
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('--plugin while developing a plugin', () => {
  it('accepts the package folder itself', async () => {
    const result = await run(['validate', '--plugin', '../plugin', '../so.yaml'], join(root, 'app'));
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('ok: 1 ScaledObject, 0 TriggerAuthentications');
    expect(result.code).toBe(0);
  }, 120_000);

  it('loads a symlinked (npm install ../dir, npm link) plugin by name, its peers resolved from the host', async () => {
    const result = await run(['check', '--plugin', 'scaler-constant-dev', '../so.yaml'], join(root, 'app'));
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/s0-constant\s+value 5/);
    expect(result.code).toBe(0);
  }, 120_000);

  it('names a folder that is not a package in one line', async () => {
    mkdirSync(join(root, 'empty'), { recursive: true });
    const result = await run(['validate', '--plugin', '../empty', '../so.yaml'], join(root, 'app'));
    expect(result.stderr.trim()).toMatch(/^.*cannot load scaler plugin "\.\.\/empty": .*has no package\.json: a plugin folder is an npm package$/);
    expect(result.code).toBe(2);
  }, 120_000);
});
