import { defineMetadata, p, type MetadataOf } from '@updraft/core';

const part = (what: string) => p.string().from('authParams', 'triggerMetadata').describe(`${what}; used when \`connection\` is not given, then required.`);

/** The `postgresql` trigger's parameters (KEDA pkg/scalers/postgresql_scaler.go). */
export const postgresqlMetadata = defineMetadata(
  {
    query: p.string().required().describe('SQL that returns one row whose first column is a number, e.g. `SELECT count(*) FROM jobs WHERE state = \'ready\'`.'),
    targetQueryValue: p
      .number()
      .required()
      // KEDA: "no targetQueryValue given" for a missing or 0 value; the HPA rejects a target of 0 or less.
      .check((n) => (n > 0 ? undefined : `must be greater than 0, got ${n}`))
      .describe('Target value per replica: the HPA target.'),
    activationTargetQueryValue: p.number().default(0).describe('The trigger is active when the value is above this.'),
    connection: p
      .string()
      .from('authParams', 'resolvedEnv')
      .secret()
      .describe('A connection string, as a URL (`postgresql://user:pass@host:5432/db?sslmode=disable`) or libpq keywords (`host=h port=5432 user=u dbname=d sslmode=disable password=p`). Given, it replaces the parameters below.'),
    host: part('Server host name'),
    port: part('Server port'),
    userName: part('User to log in as'),
    dbName: part('Database to connect to'),
    sslmode: p
      .enum(['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'])
      .from('authParams', 'triggerMetadata')
      .describe('libpq `sslmode`; used when `connection` is not given, then required. `allow` and `prefer` connect without TLS.'),
    password: p.string().from('authParams', 'resolvedEnv').secret().describe('Password of `userName`; used when `connection` is not given.'),
  },
  {
    rules: [
      (m, context) => {
        if (m.connection !== undefined) return;
        // As KEDA: without a connection string, each part is required (all missing ones reported at once).
        for (const key of ['host', 'port', 'userName', 'dbName', 'sslmode'] as const) {
          if (m[key] === undefined || m[key] === '') context.error(`no ${key} given (give connection, connectionFromEnv, or host, port, userName, dbName and sslmode)`, key);
        }
      },
    ],
  },
);

export type PostgresqlMetadata = MetadataOf<typeof postgresqlMetadata>;
