import { defineScaler } from '@updraft/core';
import { postgresqlMetadata } from './metadata.js';
import { PostgresqlScaler } from './scaler.js';

/** Contributes the `postgresql` trigger type. */
export const postgresqlScalerModule = defineScaler({
  type: 'postgresql',
  metadata: postgresqlMetadata,
  create: (config) => new PostgresqlScaler(config),
});

export default postgresqlScalerModule;
export { PostgresqlScaler } from './scaler.js';
export { postgresqlMetadata, type PostgresqlMetadata } from './metadata.js';
export { parseKeywords, poolConfig } from './connection.js';
