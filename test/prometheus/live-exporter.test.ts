import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startPrometheus, type PrometheusServer } from '../harness/prometheus.js';
import { prometheusTriggers } from './triggers.js';

// A live exporter: a Node HTTP server serving /metrics in the Prometheus text format, scraped every
// second by a real Prometheus. The trigger must follow its number as it changes.
let jobsWaiting = 3;
let scrapes = 0;
let exporter: Server;
let prometheus: PrometheusServer;
const triggers = prometheusTriggers();

beforeAll(async () => {
  exporter = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    scrapes += 1;
    response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    response.end(['# HELP updraft_exporter_jobs_waiting Jobs waiting for a worker.', '# TYPE updraft_exporter_jobs_waiting gauge', `updraft_exporter_jobs_waiting{pool="render"} ${jobsWaiting}`, ''].join('\n'));
  });
  await new Promise<void>((resolve) => exporter.listen(0, '127.0.0.1', resolve));
  prometheus = await startPrometheus({ scrapeTargets: [`127.0.0.1:${(exporter.address() as AddressInfo).port}`], scrapeInterval: '1s' });
});
afterAll(async () => {
  await triggers.closeAll();
  await prometheus?.stop();
  exporter?.closeAllConnections();
  await new Promise((resolve) => exporter?.close(resolve));
});

/** Polls the trigger, as the engine would, until it reads `expected` (or the deadline passes). */
async function pollUntil(read: () => Promise<number | undefined>, expected: number, deadlineMs = 15_000): Promise<number | undefined> {
  const deadline = Date.now() + deadlineMs;
  let last: number | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (last === expected) return last;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return last;
}

it("follows a scraped exporter's number as it changes, and reports empty until the first scrape", async () => {
  const scaler = triggers.create({
    serverAddress: prometheus.url,
    query: 'sum(updraft_exporter_jobs_waiting{job="exporter"})',
    threshold: '5',
    activationThreshold: '4',
    ignoreNullValues: 'true',
  });
  const signal = new AbortController().signal;
  const value = async () => {
    const result = await scaler.getMetricsAndActivity('s0-prometheus', signal);
    return result.empty ? undefined : result.values[0]!.value;
  };

  expect(await pollUntil(value, 3)).toBe(3);
  expect((await scaler.getMetricsAndActivity('s0-prometheus', signal)).active).toBe(false);

  jobsWaiting = 11;
  expect(await pollUntil(value, 11)).toBe(11);
  expect((await scaler.getMetricsAndActivity('s0-prometheus', signal)).active).toBe(true);

  jobsWaiting = 0;
  expect(await pollUntil(value, 0)).toBe(0);
  expect(scrapes).toBeGreaterThanOrEqual(3);
});

it('the exporter going away leaves a stale series: the query turns empty, which ignoreNullValues false reports as an error', async () => {
  const query = 'updraft_exporter_jobs_waiting{job="exporter",pool="render"}';
  // While the exporter is up the series is there.
  await expect(triggers.read({ serverAddress: prometheus.url, query, ignoreNullValues: 'false' })).resolves.toMatchObject({ values: [expect.objectContaining({ value: expect.any(Number) })] });
  const port = (exporter.address() as AddressInfo).port;
  exporter.closeAllConnections();
  await new Promise((resolve) => exporter.close(resolve));
  // Prometheus writes a staleness marker on the first failed scrape; from then on the series is gone.
  const deadline = Date.now() + 15_000;
  let error: unknown;
  while (Date.now() < deadline) {
    error = await triggers.read({ serverAddress: prometheus.url, query, ignoreNullValues: 'false' }).then(() => undefined, (e: unknown) => e);
    if (error) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  expect(error).toMatchObject({ kind: 'not-found', message: expect.stringContaining('the result is empty: no series matched; the target may be lost') });
  // Leave a listener for afterAll to close.
  exporter = createServer((_, response) => response.writeHead(503).end());
  await new Promise<void>((resolve) => exporter.listen(port, '127.0.0.1', resolve));
});
