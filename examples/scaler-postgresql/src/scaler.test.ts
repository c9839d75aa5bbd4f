import { deepStrictEqual, ok, rejects, strictEqual } from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { MetadataInput, ScalerError } from '@updraft/core';
import { parseKeywords } from './connection.js';
import { postgresqlMetadata } from './metadata.js';
import { PostgresqlScaler } from './scaler.js';
import { startPostgres, type PostgresServer } from './postgres-server.testkit.js';

let server: PostgresServer;
before(async () => {
  server = await startPostgres();
  await server.sql("INSERT INTO jobs (state) VALUES ('ready'), ('ready'), ('ready'), ('done')");
});
after(() => server?.stop());

const parts = () => ({ host: server.host, port: String(server.port), userName: server.user, dbName: server.database, sslmode: 'disable' });
const READY = "SELECT count(*) FROM jobs WHERE state = 'ready'";

function parse(input: MetadataInput) {
  return postgresqlMetadata.parse(input, { triggerType: 'postgresql' });
}
function scaler(input: MetadataInput, triggerIndex = 0): PostgresqlScaler {
  const { metadata, problems } = parse(input);
  deepStrictEqual(problems.filter((p) => p.severity === 'error'), []);
  return new PostgresqlScaler({ metadata: metadata!, triggerType: 'postgresql', triggerIndex, metricType: 'AverageValue', useCachedMetrics: false, scaledObject: { namespace: 'default', name: 'worker' } });
}
async function read(s: PostgresqlScaler) {
  try {
    return await s.getMetricsAndActivity(s.getMetricSpecs()[0]!.metricName, AbortSignal.timeout(5_000));
  } finally {
    await s.close();
  }
}
async function failure(s: PostgresqlScaler): Promise<ScalerError> {
  let caught: unknown;
  await rejects(read(s), (error) => ((caught = error), true));
  return caught as ScalerError;
}

describe('postgresql metadata', () => {
  it('without a connection, reports every missing part at once, as KEDA names them', () => {
    const { problems } = parse({ triggerMetadata: { query: READY, targetQueryValue: '5' }, resolvedEnv: {} });
    deepStrictEqual(
      problems.map((p) => p.message.replace(/ \(give.*$/, '')),
      ['no host given', 'no port given', 'no userName given', 'no dbName given', 'no sslmode given'],
    );
  });

  it('requires query and a targetQueryValue above 0; activationTargetQueryValue defaults to 0', () => {
    const missing = parse({ triggerMetadata: { ...parts() }, resolvedEnv: {} }).problems.map((p) => p.message).join('\n');
    ok(/query/.test(missing) && /targetQueryValue/.test(missing), missing);
    const zero = parse({ triggerMetadata: { ...parts(), query: READY, targetQueryValue: '0' }, resolvedEnv: {} }).problems.map((p) => p.message);
    deepStrictEqual(zero.length, 1);
    ok(/must be greater than 0, got 0/.test(zero[0]!), zero[0]);
    strictEqual(parse({ triggerMetadata: { ...parts(), query: READY, targetQueryValue: '1.5' }, resolvedEnv: {} }).metadata?.activationTargetQueryValue, 0);
  });

  it('reads libpq keyword connection strings with quoted values', () => {
    deepStrictEqual(parseKeywords("host=db port=5433 user=u dbname='my db' password='a b\\'c' sslmode=require"), { host: 'db', port: '5433', user: 'u', dbname: 'my db', password: "a b'c", sslmode: 'require' });
  });
});

describe('postgresql against a real PostgreSQL', () => {
  it('serves the first column of the one row: a count, its metric s<index>-postgresql, active above the activation value', async () => {
    const s = scaler({ triggerMetadata: { ...parts(), query: READY, targetQueryValue: '2', activationTargetQueryValue: '3' }, authParams: { password: server.password }, resolvedEnv: {} }, 2);
    deepStrictEqual(s.getMetricSpecs(), [{ metricName: 's2-postgresql', target: 2, metricType: 'AverageValue' }]);
    const result = await read(s);
    strictEqual(result.values[0]!.value, 3);
    strictEqual(result.active, false, '3 is not above activationTargetQueryValue 3');
  });

  it('takes the password from passwordFromEnv, and a URL connection from connectionFromEnv', async () => {
    const env = { PG_PASSWORD: server.password, PG_URL: `postgresql://${server.user}:${encodeURIComponent(server.password)}@${server.host}:${server.port}/${server.database}?sslmode=disable` };
    const viaPassword = await read(scaler({ triggerMetadata: { ...parts(), query: 'SELECT 7.5', targetQueryValue: '1', passwordFromEnv: 'PG_PASSWORD' }, resolvedEnv: env }));
    strictEqual(viaPassword.values[0]!.value, 7.5);
    strictEqual(viaPassword.active, true);
    const viaUrl = await read(scaler({ triggerMetadata: { query: READY, targetQueryValue: '1', connectionFromEnv: 'PG_URL' }, resolvedEnv: env }));
    strictEqual(viaUrl.values[0]!.value, 3);
  });

  it('takes a keyword connection string (KEDA builds these) from authParams', async () => {
    const connection = `host=${server.host} port=${server.port} user=${server.user} dbname=${server.database} sslmode=disable password='${server.password}'`;
    const result = await read(scaler({ triggerMetadata: { query: "SELECT count(*) FROM jobs WHERE state = 'done'", targetQueryValue: '1' }, authParams: { connection }, resolvedEnv: {} }));
    strictEqual(result.values[0]!.value, 1);
    strictEqual(result.active, true);
  });

  it('sees rows as they change: each read runs the query again', async () => {
    const s = scaler({ triggerMetadata: { ...parts(), query: "SELECT count(*) FROM jobs WHERE state = 'later'", targetQueryValue: '1' }, authParams: { password: server.password }, resolvedEnv: {} });
    const name = s.getMetricSpecs()[0]!.metricName;
    strictEqual((await s.getMetricsAndActivity(name, AbortSignal.timeout(5_000))).values[0]!.value, 0);
    await server.sql("INSERT INTO jobs (state) VALUES ('later'), ('later')");
    const second = await s.getMetricsAndActivity(name, AbortSignal.timeout(5_000));
    await s.close();
    strictEqual(second.values[0]!.value, 2);
    strictEqual(second.active, true);
  });

  it('fails, never reads 0: a wrong password is auth, without the password in the message', async () => {
    const error = await failure(scaler({ triggerMetadata: { ...parts(), query: READY, targetQueryValue: '1' }, authParams: { password: 'wrong-password-123' }, resolvedEnv: {} }));
    strictEqual(error.kind, 'auth');
    ok(error.message.startsWith(`PostgreSQL query '${READY}' on 127.0.0.1:${server.port}/postgres: `), error.message);
    ok(!error.message.includes('wrong-password-123'), error.message);
  });

  it('an SQL error is query with SQLSTATE; no row, NULL and text are errors that say so', async () => {
    const run = (query: string) => failure(scaler({ triggerMetadata: { ...parts(), query, targetQueryValue: '1' }, authParams: { password: server.password }, resolvedEnv: {} }));
    const missing = await run('SELECT count(*) FROM nope');
    strictEqual(missing.kind, 'query');
    ok(/relation "nope" does not exist \(SQLSTATE 42P01\)/.test(missing.message), missing.message);
    const none = await run('SELECT 1 WHERE false');
    ok(/returned no rows/.test(none.message), none.message);
    const nul = await run('SELECT NULL');
    strictEqual(nul.kind, 'bad-response');
    ok(/is NULL, not a number/.test(nul.message), nul.message);
    ok(/is "ten", not a number/.test((await run("SELECT 'ten'")).message));
  });

  it('a database that does not exist is not-found', async () => {
    const error = await failure(scaler({ triggerMetadata: { ...parts(), dbName: 'absent', query: READY, targetQueryValue: '1' }, authParams: { password: server.password }, resolvedEnv: {} }));
    strictEqual(error.kind, 'not-found');
  });
});
