import { fileURLToPath } from 'node:url';
import { readmeTables } from '@updraft/core/testing';
import { expect, it } from 'vitest';
import { cronScalerModule } from './module.js';

it('README parameter table is generated from the declaration (run `npm run docs` to refresh)', async () => {
  const { expected, actual } = await readmeTables(cronScalerModule, fileURLToPath(new URL('../README.md', import.meta.url)));
  expect(actual).toBe(expected);
});
