#!/usr/bin/env node
// Regenerates README.md's parameter table from the declaration. Run after `npm run build`: `npm run docs`.
import { readFile, writeFile } from 'node:fs/promises';
import { renderScalerTables, replaceParameterTables } from '@updraft/core';
import { factoriesOf } from '@updraft/core/testing';
import postgresqlScalerModule from '../dist/index.js';

const readmePath = new URL('../README.md', import.meta.url);
const readme = await readFile(readmePath, 'utf8');
await writeFile(readmePath, replaceParameterTables(readme, renderScalerTables(factoriesOf(postgresqlScalerModule))));
