import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runUpdraft } from './run-updraft.js';

// `updraft validate` answers fast because it imports only declarations: no DI container, no engine,
// no scaler and no client library. A module hook records what a real run loads.
let dir: string;
let register: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'updraft-imports-'));
  const hook = join(dir, 'hook.mjs');
  await writeFile(hook, "import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) {\n  appendFileSync(process.env.UPDRAFT_IMPORT_LOG, url + '\\n');\n  return next(url, context);\n}\n");
  register = join(dir, 'register.mjs');
  await writeFile(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hook).href)});\n`);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function loadedBy(file: string): Promise<string[]> {
  const log = join(dir, `${file.replace(/\W/g, '_')}.log`);
  await writeFile(log, '');
  const run = await runUpdraft(['validate', file], { NODE_OPTIONS: `--import ${pathToFileURL(register).href}`, UPDRAFT_IMPORT_LOG: log });
  expect(run.code, run.stdout + run.stderr).toBe(0);
  return (await readFile(log, 'utf8')).split('\n').filter(Boolean);
}

const HEAVY = [/\/inversify\//, /\/@inversifyjs\//, /\/reflect-metadata\//, /\/@aws-sdk\//, /\/ioredis\//, /\/@kubernetes\//, /\/core\/dist\/index\.js$/, /\/core\/dist\/engine\//, /\/scalers\/[^/]+\/dist\/(index|module|scaler)\.js$/];

describe('updraft validate imports declarations only', () => {
  it.each([
    ['examples/prometheus.yaml', 'scalers/prometheus/dist/triggers.js'],
    ['examples/redis.yaml', 'scalers/redis/dist/triggers.js'],
    ['examples/aws-sqs-queue.yaml', 'scalers/aws-sqs-queue/dist/triggers.js'],
    ['examples/aws-cloudwatch.yaml', 'scalers/aws-cloudwatch/dist/triggers.js'],
    ['examples/cron.yaml', 'scalers/cron/dist/triggers.js'],
  ])('%s: its trigger declarations, and no container, engine, scaler or client library', async (file, declarations) => {
    const loaded = await loadedBy(file);
    expect(loaded.some((url) => url.endsWith(declarations))).toBe(true);
    expect(loaded.filter((url) => HEAVY.some((pattern) => pattern.test(url)))).toEqual([]);
    // Only the package the file uses.
    expect(loaded.filter((url) => /\/scalers\/[^/]+\/dist\/triggers\.js$/.test(url))).toHaveLength(1);
  });
});
