import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, startServe, type ServeProcess } from './serve-process.js';

// `npm start` on a machine with none of the examples' servers: the first command it prints reads
// examples/cron.yaml, and answers with the replica count the business-hours window gives now.

let serve: ServeProcess;
let cacheDir: string;

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'updraft-kubectl-'));
  serve = await startServe(['--config', 'examples', '--auth', 'none']);
});

afterAll(async () => {
  await serve?.stop();
  await rm(cacheDir, { recursive: true, force: true });
});

/** Whether 08:00–18:00 Monday to Friday in Europe/Berlin holds `at`, by the calendar alone. */
function businessHours(at: Date): boolean {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', weekday: 'short', hour: '2-digit', hourCycle: 'h23' }).formatToParts(at).map((p) => [p.type, p.value]),
  );
  const hour = Number(parts.hour);
  return !['Sat', 'Sun'].includes(parts.weekday!) && hour >= 8 && hour < 18;
}

describe('npm start: the examples on a machine without their servers', () => {
  it('prints a kubectl command that reads the cron example, and kubectl gets the right value', async () => {
    const deadline = Date.now() + 30_000;
    while (!serve.stderr().includes('--insecure-skip-tls-verify --token=unused get --raw "') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const printed = serve.stderr().match(/kubectl --server=\S+ --insecure-skip-tls-verify --token=unused get --raw "([^"]+)"/);
    expect(printed, serve.stderr()).not.toBeNull();
    const path = printed![1]!;
    expect(path).toBe('/apis/external.metrics.k8s.io/v1beta1/namespaces/default/s0-cron-Europe-Berlin-08xx1-5-018xx1-5?labelSelector=scaledobject.keda.sh%2Fname%3Dcron-scaledobject');
    expect(serve.stderr()).toContain('here default/cron-scaledobject, whose source answered just now');

    const before = new Date();
    const result = await kubectl(serve.url, cacheDir, path);
    const after = new Date();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const list = JSON.parse(result.stdout) as { items: { metricName: string; value: string }[] };
    expect(list.items).toHaveLength(1);
    expect(list.items[0]!.metricName).toBe('s0-cron-Europe-Berlin-08xx1-5-018xx1-5');
    // At an hour boundary the two instants may disagree; then either answer is right.
    const allowed = new Set([businessHours(before), businessHours(after)].map((open) => (open ? '10' : '0')));
    expect(allowed).toContain(list.items[0]!.value);
  });
});
