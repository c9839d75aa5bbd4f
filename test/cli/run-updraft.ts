import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const bin = fileURLToPath(new URL('../../adapter/bin/updraft.js', import.meta.url));

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real `updraft` command, as a user's shell would, from the repository root. */
export function runUpdraft(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return runUpdraftIn(repoRoot, args, env);
}

export const lines = (text: string): string[] => text.split('\n').filter((line) => line !== '');

/** Runs the real `updraft` command from `cwd`, where its `--plugin` names are resolved. */
export function runUpdraftIn(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, UPDRAFT_PLUGINS: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
