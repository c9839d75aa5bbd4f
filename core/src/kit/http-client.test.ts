import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendCallsImpl } from '../backend-calls.js';
import { HttpClientImpl } from './http-client.js';

let server: Server;
let base: string;
let lastHeaders: IncomingHttpHeaders;

beforeAll(async () => {
  server = createServer((req, res) => {
    lastHeaders = req.headers;
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/slow') return void setTimeout(() => res.end('late'), 5_000).unref();
    if (url.pathname === '/big') return void res.end('x'.repeat(2_000));
    if (url.pathname === '/echo') return void res.writeHead(401).end(`denied: ${req.headers.authorization}`);
    res.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const never = () => new AbortController().signal;

describe('HttpClient', () => {
  it('sends the shared auth headers (auth wins over a custom header of the same name) and counts the call', async () => {
    const calls = new BackendCallsImpl();
    const session = new HttpClientImpl(calls).session({ backend: 'demo', auth: { authModes: ['bearer', 'custom'], bearerToken: 'tok-123', customAuthHeader: 'X-Key', customAuthValue: 'key-456' }, headers: { authorization: 'mine', 'X-Tenant': 't1' } });
    const answer = await session.get(new URL('/ok', base), { signal: never(), timeoutMs: 1_000 });
    expect(answer).toMatchObject({ status: 200, body: 'ok' });
    expect(lastHeaders).toMatchObject({ authorization: 'Bearer tok-123', 'x-key': 'key-456', 'x-tenant': 't1' });
    await session.get(new URL('/echo', base), { signal: never(), timeoutMs: 1_000, operation: 'echo' });
    expect(calls.totals()).toEqual([
      expect.objectContaining({ backend: 'demo', operation: 'GET', outcome: 'ok', count: 1 }),
      expect.objectContaining({ backend: 'demo', operation: 'echo', outcome: 'error', count: 1 }),
    ]);
    expect(session.redactor.redact('Bearer tok-123')).toBe('Bearer <redacted>');
    await session.close();
  });

  it('the timeout rejects with kind timeout, fast', async () => {
    const session = new HttpClientImpl().session({ backend: 'demo', where: 'Demo' });
    const started = Date.now();
    await expect(session.get(new URL('/slow', base), { signal: never(), timeoutMs: 150 })).rejects.toMatchObject({ kind: 'timeout', message: 'no answer from Demo within 150 ms (the trigger\'s timeout)' });
    expect(Date.now() - started).toBeLessThan(1_500);
    await session.close();
  });

  it("the engine's signal aborts the exchange at once", async () => {
    const session = new HttpClientImpl().session({ backend: 'demo' });
    const controller = new AbortController();
    const pending = session.get(new URL('/slow', base), { signal: controller.signal, timeoutMs: 10_000 });
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    await expect(pending).rejects.toMatchObject({ kind: 'timeout', message: expect.stringContaining('shutting down') });
    await session.close();
  });

  it('a body over maxBytes is bad-response', async () => {
    const session = new HttpClientImpl().session({ backend: 'demo' });
    await expect(session.get(new URL('/big', base), { signal: never(), timeoutMs: 1_000, maxBytes: 100 })).rejects.toMatchObject({ kind: 'bad-response' });
    await session.close();
  });

  it('shares one agent per TLS material, releases it with the last session, and refuses reads after close', async () => {
    const client = new HttpClientImpl();
    const a = client.session({ backend: 'demo' });
    const b = client.session({ backend: 'demo' });
    await a.get(new URL('/ok', base), { signal: never(), timeoutMs: 1_000 });
    await b.get(new URL('/ok', base), { signal: never(), timeoutMs: 1_000 });
    expect(client.openAgents).toBe(1);
    await a.close();
    await a.close();
    expect(client.openAgents).toBe(1);
    await b.close();
    expect(client.openAgents).toBe(0);
    await expect(a.get(new URL('/ok', base), { signal: never(), timeoutMs: 1_000 })).rejects.toMatchObject({ kind: 'internal' });
  });

  it('apiKey and oauth are refused as unsupported, before anything is sent', async () => {
    const session = new HttpClientImpl().session({ backend: 'demo', auth: { authModes: ['oauth'] } });
    await expect(session.get(new URL('/ok', base), { signal: never(), timeoutMs: 1_000 })).rejects.toMatchObject({ kind: 'unsupported' });
  });
});
