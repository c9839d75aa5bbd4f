import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { describeScalerConformance } from '@updraft/core/testing/vitest';
import prometheusScalerModule from './index.js';

// A real HTTP server that answers /api/v1/query as Prometheus does: a vector for `up`, nothing for `missing`.
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    const query = new URL(request.url!, 'http://x').searchParams.get('query');
    const result = query === 'up' ? [{ metric: {}, value: [1_700_000_000, '3'] }] : [];
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const secret = 'conformance-bearer-token';
describeScalerConformance(prometheusScalerModule, () => ({
  value: { metadata: { serverAddress: base, query: 'up', threshold: '2' } },
  empty: { metadata: { serverAddress: base, query: 'missing', threshold: '2' } },
  unreachable: (at) => ({ metadata: { serverAddress: `http://${at.address}`, query: 'up', threshold: '2', authModes: 'bearer' }, authParams: { bearerToken: secret } }),
  silent: (at) => ({ metadata: { serverAddress: `http://${at.address}`, query: 'up', threshold: '2', timeout: '10000', authModes: 'bearer' }, authParams: { bearerToken: secret } }),
  secrets: [secret],
}));
