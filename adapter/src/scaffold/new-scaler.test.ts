import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../cli.js';
import { triggerTypeProblem } from './new-scaler.js';
import { scalerNames } from './scaler-templates.js';

const root = mkdtempSync(join(tmpdir(), 'updraft-new-scaler-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(...args: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(['new', 'scaler', ...args], { stdout: (line) => stdout.push(line), stderr: (line) => stderr.push(line) });
  return { code, stdout, stderr };
}

describe('trigger types a new scaler may take', () => {
  it.each([
    ['my-queue', undefined],
    ['s3-bucket', undefined],
    ['rabbitmq', undefined],
    ['My-Queue', 'is not a trigger type'],
    ['my_queue', 'is not a trigger type'],
    ['my--queue', 'is not a trigger type'],
    ['-queue', 'is not a trigger type'],
    ['queue-', 'is not a trigger type'],
    ['3d-queue', 'is not a trigger type'],
    ['', 'is not a trigger type'],
    ['redis', 'is a built-in trigger type of Updraft'],
  ])('%j: %s', (type, problem) => {
    const said = triggerTypeProblem(type, ['prometheus', 'redis']);
    if (problem === undefined) expect(said).toBeUndefined();
    else expect(said).toContain(problem);
  });

  it('names classes and values from the type', () => {
    expect(scalerNames('s3-bucket')).toEqual({ type: 's3-bucket', packageName: 'updraft-scaler-s3-bucket', camel: 's3Bucket', pascal: 'S3Bucket' });
  });
});

describe('updraft new scaler refuses, in one line, exit 2, writing nothing', () => {
  it('a folder that is not empty', async () => {
    const dir = join(root, 'taken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine\n');
    const result = await run(dir, '--type', 'my-queue');
    expect(result.stderr).toEqual([`updraft: ${dir} is not empty: give a new or empty folder to write the scaler package into`]);
    expect(result.code).toBe(2);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('a file', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    const result = await run(file, '--type', 'my-queue');
    expect(result.stderr).toEqual([`updraft: ${file} is a file: give a new or empty folder to write the scaler package into`]);
    expect(result.code).toBe(2);
  });

  it('a type that is not lowercase words joined by hyphens', async () => {
    const result = await run(join(root, 'bad-type'), '--type', 'My_Queue');
    expect(result.stderr).toEqual([
      'updraft: --type "My_Queue" is not a trigger type: use lowercase letters and digits, in words joined by single hyphens, starting with a letter (like my-queue)',
    ]);
    expect(result.code).toBe(2);
    expect(existsSync(join(root, 'bad-type'))).toBe(false);
  });

  it.each(['prometheus', 'redis-streams', 'cron', 'cpu'])('the built-in type %s', async (type) => {
    const result = await run(join(root, 'clash'), '--type', type);
    expect(result.stderr).toHaveLength(1);
    expect(result.stderr[0]).toMatch(new RegExp(`^updraft: --type ${type} is a built-in trigger type of Updraft \\(built in: aws-cloudwatch, .*\\): choose another name, such as my-${type}$`));
    expect(result.code).toBe(2);
    expect(existsSync(join(root, 'clash'))).toBe(false);
  });

  it('no --type', async () => {
    const result = await run(join(root, 'no-type'));
    expect(result.stderr[0]).toBe("error: required option '--type <trigger-type>' not specified");
    expect(result.code).toBe(2);
  });

  it('a --core folder that is not @updraft/core', async () => {
    const result = await run(join(root, 'bad-core'), '--type', 'my-queue', '--core', root);
    expect(result.stderr).toEqual([`updraft: --core ${root}: ${root} has no package.json naming @updraft/core (give the core folder of an Updraft checkout, or a version such as ^0.1.0)`]);
    expect(result.code).toBe(2);
    expect(existsSync(join(root, 'bad-core'))).toBe(false);
  });
});

describe('updraft new scaler --core', () => {
  it('a folder is written as a file: path relative to the new package', async () => {
    const core = fileURLToPath(new URL('../../../core', import.meta.url));
    const dir = join(root, 'nested', 'pathed');
    const result = await run(dir, '--type', 'my-queue', '--core', `file:${core}`);
    expect(result.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(manifest.devDependencies['@updraft/core']).toBe(`file:${relative(dir, core)}`);
  });


  it('a version range is written as it is, for a core that is on a registry', async () => {
    const dir = join(root, 'ranged');
    const result = await run(dir, '--type', 'my-queue', '--core', '^0.2.0');
    expect(result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { devDependencies: Record<string, string>; peerDependencies: Record<string, string> };
    expect(manifest.devDependencies['@updraft/core']).toBe('^0.2.0');
    expect(manifest.peerDependencies['@updraft/core']).toBe('^0.2.0');
  });
});
