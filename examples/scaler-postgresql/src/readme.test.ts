import { strictEqual } from 'node:assert/strict';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readmeTables } from '@updraft/core/testing';
import postgresqlScalerModule from './index.js';

it('README parameter table is generated from the declaration (npm run docs refreshes it)', async () => {
  const { expected, actual } = await readmeTables(postgresqlScalerModule, fileURLToPath(new URL('../README.md', import.meta.url)));
  strictEqual(actual, expected);
});
