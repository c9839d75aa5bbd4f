import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runUpdraft } from './run-updraft.js';

const bin = join(repoRoot, 'adapter', 'bin', 'updraft.js');

/** Runs `updraft <args> | head -1` in a real shell; resolves to updraft's exit status and stderr. */
function intoHead(args: string): Promise<{ status: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile('bash', ['-c', `"${process.execPath}" "${bin}" ${args} 2>/tmp/updraft-pipe-stderr.$$ | head -1 >/dev/null; echo "\${PIPESTATUS[0]}"; cat /tmp/updraft-pipe-stderr.$$; rm -f /tmp/updraft-pipe-stderr.$$`], { cwd: repoRoot }, (error, stdout) => {
      if (error) return reject(error);
      const [status, ...rest] = stdout.split('\n');
      resolve({ status: status!, stderr: rest.join('\n').trim() });
    });
  });
}

describe('the updraft process', () => {
  it('prints its version', async () => {
    const version = (JSON.parse(readFileSync(join(repoRoot, 'adapter', 'package.json'), 'utf8')) as { version: string }).version;
    const result = await runUpdraft(['--version']);
    expect([result.code, result.stdout.trim()]).toEqual([0, version]);
  });

  it.each(['schema', '--help', 'validate examples'])('stops quietly with status 0 when its reader goes away (updraft %s | head -1)', async (args) => {
    expect(await intoHead(args)).toEqual({ status: '0', stderr: '' });
  });
});
