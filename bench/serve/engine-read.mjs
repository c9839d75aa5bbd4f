#!/usr/bin/env node
// The engine's share of a served request: one cached metric read through ScalingEngine, in process,
// 1,000 ScaledObjects with a `constant` trigger, 7 rounds of 1,000,000 reads, the median round.
//   node bench/serve/engine-read.mjs [--baseline <another checkout's root>]
// With a baseline, both are timed in turn in this run and the ratio is printed (same machine, same load).
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('../..', import.meta.url));
const at = process.argv.indexOf('--baseline');
const child = process.argv.indexOf('--measure');

if (child >= 0) {
  console.log(JSON.stringify(await measure(process.argv[child + 1])));
} else {
  const roots = [['this checkout', here], ...(at >= 0 ? [['baseline', resolve(process.argv[at + 1])]] : [])];
  const results = [];
  // Each in its own process, alternating twice, so neither inherits the other's JIT or heap.
  for (let pass = 0; pass < 2; pass++) {
    for (const [label, root] of roots) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--measure', root], { encoding: 'utf8' });
      results.push({ label, ...JSON.parse(out.trim().split('\n').pop()) });
    }
  }
  console.log('| checkout | ns per cached read (each pass) |');
  console.log('| --- | --- |');
  const best = new Map();
  for (const [label] of roots) {
    const mine = results.filter((r) => r.label === label).map((r) => r.ns);
    best.set(label, Math.min(...mine));
    console.log(`| ${label} | ${mine.map((ns) => ns.toFixed(0)).join(', ')} |`);
  }
  if (roots.length > 1) console.log(`\nbaseline / this checkout: ${(best.get('baseline') / best.get('this checkout')).toFixed(2)}× (best pass each)`);
}

async function measure(root) {
  const core = await import(join(root, 'core/dist/index.js'));
  const { createRegistry } = await import(join(root, 'adapter/dist/index.js'));
  const registry = await createRegistry({ plugins: ['@updraft-fixtures/scaler-constant'], pluginsFrom: root });
  const N = 1000;
  let text = '';
  for (let i = 0; i < N; i++) {
    text += `---\napiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: so${i}\n  namespace: default\nspec:\n  scaleTargetRef:\n    name: so${i}\n  pollingInterval: 3600\n  triggers:\n    - type: constant\n      metadata:\n        value: '${i + 1}'\n`;
  }
  const loaded = core.loadManifests([{ file: 'bench.yaml', text }], registry, { unresolved: 'error' });
  const engine = new core.ScalingEngine({ registry, scaledObjects: loaded.scaledObjects });
  // Checkouts before issue 9 took objects through add() and read memory through peekMetric().
  if (typeof engine.add === 'function' && !engine.has({ namespace: 'default', name: 'so0' })) for (const object of loaded.scaledObjects) engine.add(object);
  const refs = loaded.scaledObjects.map((o) => ({ namespace: o.namespace, name: o.name }));
  const metric = engine.metricSpecs(refs[0])[0].metricName;
  const cached = typeof engine.peekMetric === 'function' ? (ref) => engine.peekMetric(ref, metric) : (ref) => engine.readMetric(ref, metric);
  for (const ref of refs) await engine.readMetric(ref, metric);
  let sink = 0;
  const rounds = [];
  for (let round = 0; round < 7; round++) {
    const started = process.hrtime.bigint();
    for (let i = 0; i < 1_000_000; i++) {
      const read = cached(refs[i % N]);
      if (read === undefined || read instanceof Promise) throw new Error('a read was not answered from memory');
      sink += read.values[0]?.value ?? 0;
    }
    rounds.push(Number(process.hrtime.bigint() - started) / 1e6); // ms per 1e6 reads = ns per read
  }
  await engine.close();
  if (!(sink > 0)) throw new Error('no value was read');
  return { ns: rounds.sort((a, b) => a - b)[3] };
}
