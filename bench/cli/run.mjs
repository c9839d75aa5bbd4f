#!/usr/bin/env node
// How fast `updraft` answers, as a ratio to `node -e 0` measured in the same run: the machine is
// shared, so absolute times move; a ratio taken from interleaved runs does not move as much.
//   node bench/cli/run.mjs [--rounds N] [--baseline <path to another checkout's adapter/bin/updraft.js>]
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : fallback;
};
const rounds = Number(option('--rounds', '7'));
const baseline = option('--baseline', undefined);

const bins = [['this checkout', join(root, 'adapter', 'bin', 'updraft.js')]];
if (baseline) bins.push(['baseline', resolve(baseline)]);

// One file each: without a formula (the usual case), an AWS trigger (the largest client library,
// which validate must not load), and with a formula (mathjs is loaded for it).
const FILES = {
  'validate examples/prometheus.yaml': 'examples/prometheus.yaml',
  'validate examples/aws-sqs-queue.yaml': 'examples/aws-sqs-queue.yaml',
  'validate bench/cli/formula.yaml': 'bench/cli/formula.yaml',
};

const commands = [['node -e 0', [process.execPath, ['-e', '0']]]];
for (const [label, bin] of bins) {
  const suffix = bins.length > 1 ? ` (${label})` : '';
  commands.push([`updraft --help${suffix}`, [process.execPath, [bin, '--help']]]);
  commands.push([`updraft --version${suffix}`, [process.execPath, [bin, '--version']]]);
  for (const [name, file] of Object.entries(FILES)) commands.push([`updraft ${name}${suffix}`, [process.execPath, [bin, 'validate', join(root, file)]]]);
}

const times = new Map(commands.map(([label]) => [label, []]));
const exits = new Map(commands.map(([label]) => [label, new Set()]));
for (let round = 0; round < rounds + 1; round++) {
  for (const [label, [command, argv]] of commands) {
    const started = process.hrtime.bigint();
    const run = spawnSync(command, argv, { cwd: root, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    exits.get(label).add(run.status);
    // The first round warms the file system cache and is not counted.
    if (round > 0) times.get(label).push(ms);
  }
}

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
const zero = median(times.get('node -e 0'));
console.log(`${rounds} interleaved rounds (after one warm-up), medians; node ${process.version}, ${new Date().toISOString()}`);
console.log('| command | median ms | × node -e 0 | exit |');
console.log('| --- | ---: | ---: | ---: |');
for (const [label] of commands) {
  const value = median(times.get(label));
  console.log(`| \`${label}\` | ${value.toFixed(0)} | ${(value / zero).toFixed(2)} | ${[...exits.get(label)].join(', ')} |`);
}
