import { fileURLToPath } from 'node:url';
import { readmeTables } from '@updraft/core/testing';
import { expect, it } from 'vitest';
import { redisScalerModule } from './module.js';

it('README parameter tables are generated from the declarations (run `npm run docs` to refresh)', async () => {
  const { expected, actual } = await readmeTables(redisScalerModule, fileURLToPath(new URL('../README.md', import.meta.url)));
  expect(actual).toBe(expected);
});
