#!/usr/bin/env node
// Writes deploy/crds/ (KEDA's CRDs, keda.sh/v1alpha1) from the schema `updraft schema` prints.
// Run after `npm run build`: `npm run crds`. adapter/src/cluster/crds.test.ts fails while a file is stale.
import 'reflect-metadata';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRegistry } from '@updraft/adapter';
import { customResourceDefinitions } from '../adapter/dist/cluster/crds.js';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'deploy', 'crds');
await mkdir(dir, { recursive: true });
for (const { file, yaml } of customResourceDefinitions(await createRegistry())) {
  await writeFile(join(dir, file), yaml);
  console.log(`wrote ${join('deploy', 'crds', file)}`);
}
