// Benchmark of `updraft serve` (run: `npm run bench:serve`; loopback only, about 2 minutes).
//  1. Throughput and p50/p99 latency of cached metric reads over 64 keep-alive TLS connections,
//     side by side with a bare node:https server that returns the same bytes.
//  2. Backend calls made for 100 concurrent reads of one metric whose value is not in memory.
//  3. The adapter's memory (RSS, heap) with 10,000 ScaledObjects loaded.
// The figures are printed and written into bench/RESULTS.md between the serve markers.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { request } from 'node:https';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCertificate } from '@updraft/adapter';
import { load } from './load.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(root, 'adapter/bin/updraft.js');
const CONNECTIONS = 64;
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 5_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 10_000);
const PLUGIN = '@updraft-fixtures/scaler-constant';
const API = '/apis/external.metrics.k8s.io/v1beta1';

const dir = mkdtempSync(join(tmpdir(), 'updraft-bench-'));
const children = new Set();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function scaledObject(namespace, name, trigger) {
  return `apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  scaleTargetRef:\n    name: ${name}\n  pollingInterval: 3600\n  triggers:\n${trigger}`;
}
const constantTrigger = (value) => `    - type: constant\n      metadata:\n        value: '${value}'\n`;

/** Starts `updraft serve` and resolves with its ports once it logs that it serves. */
function startAdapter(configDir, extra = []) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [bin, 'serve', '--config', configDir, '--auth', 'none', '--host', '127.0.0.1', '--port', '0', '--metrics-port', '0', '--plugin', PLUGIN, '--log-format', 'json', ...extra], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('UPDRAFT_'))),
    });
    children.add(child);
    let out = '';
    let err = '';
    child.stderr.on('data', (chunk) => (err += chunk));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      for (const line of out.split('\n')) {
        if (!line.includes('serving the external metrics API')) continue;
        const entry = JSON.parse(line);
        resolve({ child, url: entry.url, port: Number(new URL(entry.url).port), metricsUrl: entry.metricsUrl, startupMs: performance.now() - started });
      }
    });
    child.on('exit', (code) => reject(new Error(`updraft serve exited with ${code}:\n${err}\n${out}`)));
  });
}

function startBare(body) {
  const bodyFile = join(dir, 'body.json');
  writeFileSync(bodyFile, body);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'bench/serve/bare-server.mjs'), join(dir, 'tls.crt'), join(dir, 'tls.key'), bodyFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.add(child);
    child.stdout.once('data', (chunk) => resolve({ child, port: JSON.parse(String(chunk)).port }));
    child.on('error', reject);
  });
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

function get(url, agent = false) {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false, agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function metrics(url) {
  const text = await (await fetch(url)).text();
  const value = (name, match = '') => {
    const line = text.split('\n').find((l) => l.startsWith(name) && l.includes(match) && !l.startsWith('#'));
    return line ? Number(line.split(' ').at(-1)) : NaN;
  };
  return { text, value };
}

/** CPU seconds a process has used (user + system), from /proc. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

async function measure(port, path, pid) {
  const cpuBefore = cpuSeconds(pid);
  const result = await load({ host: '127.0.0.1', port, path, connections: CONNECTIONS, durationMs: ROUND_MS, warmupMs: 1_000 });
  // The warm-up second and the tail are included in the CPU figure; normalise by wall time of the whole run.
  const cpu = cpuSeconds(pid) - cpuBefore;
  return { ...result, cpuPerSecond: cpu / ((ROUND_MS + 1_200) / 1000) };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

async function throughput() {
  const configDir = join(dir, 'one');
  execFileSync('mkdir', ['-p', configDir]);
  writeFileSync(join(configDir, 'worker.yaml'), scaledObject('default', 'worker', constantTrigger('1.5')));
  const adapter = await startAdapter(configDir, ['--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key')]);
  const path = `${API}/namespaces/default/s0-constant?labelSelector=${encodeURIComponent('scaledobject.keda.sh/name=worker')}`;
  const first = await get(`${adapter.url}${path}`);
  if (first.status !== 200) throw new Error(`the warm-up read failed: ${first.status} ${first.body}`);
  const bare = await startBare(first.body);
  const again = await get(`https://127.0.0.1:${bare.port}${path}`);
  if (!again.body.equals(first.body)) throw new Error('the bare server does not return the same bytes');

  const rounds = { bare: [], adapter: [] };
  for (let round = 0; round < ROUNDS; round += 1) {
    rounds.bare.push(await measure(bare.port, path, bare.child.pid));
    rounds.adapter.push(await measure(adapter.port, path, adapter.child.pid));
    process.stdout.write(`  round ${round + 1}: bare ${fmt(rounds.bare.at(-1).rps)} req/s, adapter ${fmt(rounds.adapter.at(-1).rps)} req/s\n`);
  }
  const after = await get(`${adapter.url}${path}`);
  if (!after.body.equals(first.body)) throw new Error('the adapter answered different bytes after the run');
  const m = await metrics(adapter.metricsUrl);
  const hits = m.value('updraft_metric_reads_total', 'cache="hit"');
  const misses = m.value('updraft_metric_reads_total', 'cache="miss"');
  await stop(adapter.child);
  await stop(bare.child);
  const summary = (list) => ({
    rps: median(list.map((r) => r.rps)),
    p50: median(list.map((r) => r.p50)),
    p99: median(list.map((r) => r.p99)),
    cpu: median(list.map((r) => r.cpuPerSecond)),
    errors: list.reduce((n, r) => n + r.errors, 0),
    non200: list.reduce((n, r) => n + Object.entries(r.statuses).filter(([s]) => s !== '200').reduce((m2, [, c]) => m2 + c, 0), 0),
  });
  return { bare: summary(rounds.bare), adapter: summary(rounds.adapter), rounds, bodyBytes: first.body.length, hits, misses };
}

async function coalescing() {
  // A Prometheus stand-in that counts its queries and answers each after 200 ms.
  let queries = 0;
  const backend = createHttpServer((req, res) => {
    queries += 1;
    setTimeout(() => {
      const body = JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [Date.now() / 1000, '42'] }] } });
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    }, 200);
  });
  await new Promise((resolve) => backend.listen(0, '127.0.0.1', resolve));
  const configDir = join(dir, 'stale');
  execFileSync('mkdir', ['-p', configDir]);
  const trigger = `    - type: prometheus\n      metadata:\n        serverAddress: http://127.0.0.1:${backend.address().port}\n        query: sum(queue_depth)\n        threshold: '10'\n`;
  writeFileSync(join(configDir, 'mail.yaml'), scaledObject('default', 'mail', trigger));
  const adapter = await startAdapter(configDir);
  const path = `${API}/namespaces/default/s0-prometheus?labelSelector=${encodeURIComponent('scaledobject.keda.sh/name=mail')}`;
  const before = queries;
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: 100 }, () => get(`${adapter.url}${path}`)));
  const wallMs = performance.now() - started;
  const m = await metrics(adapter.metricsUrl);
  const result = {
    reads: answers.length,
    ok: answers.filter((a) => a.status === 200).length,
    backendCalls: queries - before,
    exported: m.value('updraft_backend_calls_total', 'backend="prometheus"'),
    wallMs,
  };
  await stop(adapter.child);
  backend.close();
  return result;
}

async function memory() {
  const sample = async (count) => {
    const configDir = join(dir, `many-${count}`);
    execFileSync('mkdir', ['-p', configDir]);
    const perFile = 1_000;
    for (let file = 0; file * perFile < count; file += 1) {
      const docs = [];
      for (let i = file * perFile; i < Math.min(count, (file + 1) * perFile); i += 1) docs.push(scaledObject(`ns-${i % 100}`, `so-${i}`, constantTrigger(String(i % 50))));
      writeFileSync(join(configDir, `objects-${file}.yaml`), docs.join('---\n'));
    }
    const adapter = await startAdapter(configDir);
    // Read a few metrics, then let the process settle.
    for (const i of [0, Math.floor(count / 2), count - 1]) {
      const answer = await get(`${adapter.url}${API}/namespaces/ns-${i % 100}/s0-constant?labelSelector=${encodeURIComponent(`scaledobject.keda.sh/name=so-${i}`)}`);
      if (answer.status !== 200) throw new Error(`reading so-${i} failed: ${answer.status}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const m = await metrics(adapter.metricsUrl);
    const result = {
      objects: m.value('updraft_scaled_objects'),
      rss: m.value('process_resident_memory_bytes'),
      heapUsed: m.value('nodejs_heap_size_used_bytes'),
      heapTotal: m.value('nodejs_heap_size_total_bytes'),
      startupMs: adapter.startupMs,
    };
    await stop(adapter.child);
    return result;
  };
  const one = await sample(1);
  const many = await sample(OBJECTS);
  return { one, many };
}

function machine() {
  const cpu = cpus();
  return { nproc: cpu.length, model: cpu[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform} ${process.arch}` };
}

const cert = createCertificate({ subject: { commonName: 'localhost' }, hosts: ['localhost', '127.0.0.1'], extendedKeyUsages: ['serverAuth'] });
writeFileSync(join(dir, 'tls.crt'), cert.certPem);
writeFileSync(join(dir, 'tls.key'), cert.keyPem);

const info = machine();
console.log(`machine: ${info.nproc} CPUs, ${info.model}, node ${info.node}`);
console.log(`1. cached reads, ${CONNECTIONS} keep-alive connections, ${ROUNDS} alternating rounds of ${ROUND_MS / 1000} s`);
const tp = await throughput();
const ratio = tp.adapter.rps / tp.bare.rps;
const efficiency = tp.adapter.rps / tp.adapter.cpu / (tp.bare.rps / tp.bare.cpu);
console.log(`   bare    ${fmt(tp.bare.rps)} req/s  p50 ${fmt(tp.bare.p50, 2)} ms  p99 ${fmt(tp.bare.p99, 2)} ms  server CPU ${fmt(tp.bare.cpu * 100)}%`);
console.log(`   adapter ${fmt(tp.adapter.rps)} req/s  p50 ${fmt(tp.adapter.p50, 2)} ms  p99 ${fmt(tp.adapter.p99, 2)} ms  server CPU ${fmt(tp.adapter.cpu * 100)}%`);
console.log(`   ratio ${fmt(ratio, 3)} (requests per server CPU second: ${fmt(efficiency, 3)})`);
console.log('2. 100 concurrent reads of a metric not in memory (backend answers after 200 ms)');
const co = await coalescing();
console.log(`   ${co.ok}/${co.reads} answered 200 in ${fmt(co.wallMs)} ms; backend calls: ${co.backendCalls} (exported: ${co.exported})`);
console.log(`3. memory with ${OBJECTS} ScaledObjects`);
const mem = await memory();
const mb = (bytes) => fmt(bytes / 1024 / 1024, 1);
console.log(`   1 object:   RSS ${mb(mem.one.rss)} MiB, heap used ${mb(mem.one.heapUsed)} MiB, ready in ${fmt(mem.one.startupMs)} ms`);
console.log(`   ${mem.many.objects} objects: RSS ${mb(mem.many.rss)} MiB, heap used ${mb(mem.many.heapUsed)} MiB, ready in ${fmt(mem.many.startupMs)} ms`);

const date = new Date().toISOString().slice(0, 10);
const section = `<!-- serve:start -->
## \`updraft serve\` (bench/serve)

Command: \`npm run bench:serve\` (builds, then \`node bench/serve/run.mjs\`; loopback only, about 2 minutes).
Run on ${date}: ${info.nproc} CPUs (${info.model}), Node ${info.node}, ${info.platform}. The adapter, the bare
server and the load generator share the machine: each server process gets about one core, the load
generator the other.

### 1. Cached metric reads, ${CONNECTIONS} keep-alive TLS connections

The same GET \`${API}/namespaces/default/s0-constant?labelSelector=scaledobject.keda.sh%2Fname%3Dworker\`
(a \`constant\` trigger, value in memory; --auth=none, log level info) against \`updraft serve\` and against
a bare \`node:https\` server answering the same ${tp.bodyBytes} bytes with the same headers, same
certificate (EC P-256). ${ROUNDS} alternating rounds of ${ROUND_MS / 1000} s after 1 s of warm-up each; medians.
The load generator is \`bench/serve/load.mjs\` (raw TLS sockets, one request in flight per connection;
autocannon is not installed).

| server | req/s | p50 ms | p99 ms | server CPU | non-200 / errors |
| --- | ---: | ---: | ---: | ---: | ---: |
| bare node:https | ${fmt(tp.bare.rps)} | ${fmt(tp.bare.p50, 2)} | ${fmt(tp.bare.p99, 2)} | ${fmt(tp.bare.cpu * 100)}% | ${tp.bare.non200} / ${tp.bare.errors} |
| updraft serve | ${fmt(tp.adapter.rps)} | ${fmt(tp.adapter.p50, 2)} | ${fmt(tp.adapter.p99, 2)} | ${fmt(tp.adapter.cpu * 100)}% | ${tp.adapter.non200} / ${tp.adapter.errors} |

Throughput ratio adapter / bare: **${fmt(ratio, 3)}** (goal ≥ 0.85). Requests per server CPU second,
adapter / bare: ${fmt(efficiency, 3)}. Every adapter answer was a cache hit (${tp.hits} hits, ${tp.misses} miss: the warm-up read).

Rounds (req/s): bare ${tp.rounds.bare.map((r) => fmt(r.rps)).join(', ')}; adapter ${tp.rounds.adapter.map((r) => fmt(r.rps)).join(', ')}.

### 2. Coalescing: 100 concurrent reads of one metric not in memory

A \`prometheus\` trigger (pollingInterval 3600, so no background poll has run) against a stand-in
Prometheus on loopback that answers after 200 ms; 100 HTTPS reads sent at once, each on its own
connection. A value that is missing and one that is stale (older than 1.5 × pollingInterval) take the
same path: one fetch in flight per metric, shared by every reader.

| reads | answered 200 | backend calls (counted by the backend) | \`updraft_backend_calls_total\` | wall time |
| ---: | ---: | ---: | ---: | ---: |
| ${co.reads} | ${co.ok} | **${co.backendCalls}** | ${co.exported} | ${fmt(co.wallMs)} ms |

### 3. Memory with ${OBJECTS} ScaledObjects

${OBJECTS} ScaledObjects (one \`constant\` trigger each, pollingInterval 3600, in ${Math.ceil(OBJECTS / 1000)} files), three of them read,
3 s after start; figures from the adapter's own \`process_resident_memory_bytes\` and \`nodejs_heap_size_used_bytes\`.

| ScaledObjects | RSS | heap used | start to serving |
| ---: | ---: | ---: | ---: |
| 1 | ${mb(mem.one.rss)} MiB | ${mb(mem.one.heapUsed)} MiB | ${fmt(mem.one.startupMs)} ms |
| ${mem.many.objects} | ${mb(mem.many.rss)} MiB | ${mb(mem.many.heapUsed)} MiB | ${fmt(mem.many.startupMs)} ms |

About ${fmt((mem.many.heapUsed - mem.one.heapUsed) / Math.max(1, mem.many.objects - 1) / 1024, 1)} KiB of heap per ScaledObject.
<!-- serve:end -->`;

const resultsFile = join(root, 'bench/RESULTS.md');
const existing = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '# Benchmark results\n\nFigures recorded by the scripts in bench/; each section says how to run it again.\n';
const updated = /<!-- serve:start -->[\s\S]*<!-- serve:end -->/.test(existing)
  ? existing.replace(/<!-- serve:start -->[\s\S]*<!-- serve:end -->/, section)
  : `${existing.trimEnd()}\n\n${section}\n`;
writeFileSync(resultsFile, updated);
console.log(`written to ${resultsFile}`);
process.exit(0);
