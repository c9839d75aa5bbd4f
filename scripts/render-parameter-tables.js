#!/usr/bin/env node
// Regenerates the parameter tables in every scaler package's README from its declaration.
// Run after `npm run build`: `npm run docs`. Each scaler's readme.test.ts fails while a table is stale.
import 'reflect-metadata';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderScalerTables, replaceParameterTables } from '@updraft/core';
import { factoriesOf } from '@updraft/core/testing';

const root = new URL('..', import.meta.url).pathname;
for (const dir of await readdir(join(root, 'scalers'))) {
  const pkg = JSON.parse(await readFile(join(root, 'scalers', dir, 'package.json'), 'utf8'));
  const module = (await import(pkg.name)).default;
  if (!module) continue; // a shared package such as @updraft/aws-common contributes no scaler
  const readmePath = join(root, 'scalers', dir, 'README.md');
  const readme = await readFile(readmePath, 'utf8');
  await writeFile(readmePath, replaceParameterTables(readme, renderScalerTables(factoriesOf(module))));
  console.log(`updated ${readmePath}`);
}
