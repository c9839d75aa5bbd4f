import { after, before } from 'node:test';
import { describeScalerConformance } from '@updraft/core/testing/node-test';
import postgresqlScalerModule from './index.js';
import { startPostgres, type PostgresServer } from './postgres-server.testkit.js';

let server: PostgresServer;
before(async () => {
  server = await startPostgres();
  await server.sql("INSERT INTO jobs (state) VALUES ('ready'), ('ready'), ('done')");
});
after(() => server?.stop());

const trigger = (host: string, port: number, query = "SELECT count(*) FROM jobs WHERE state = 'ready'") => ({
  metadata: { query, targetQueryValue: '2', host, port: String(port), userName: 'updraft', dbName: 'postgres', sslmode: 'disable' },
  authParams: { password: server.password },
});

describeScalerConformance(postgresqlScalerModule, () => ({
  value: trigger(server.host, server.port),
  unreachable: (at) => trigger(at.host, at.port),
  silent: (at) => trigger(at.host, at.port),
  secrets: [server.password],
}));
