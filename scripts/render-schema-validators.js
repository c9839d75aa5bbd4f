#!/usr/bin/env node
// Writes core/src/scaled-object/schema-validators.generated.ts (ajv standalone code of the ScaledObject
// and TriggerAuthentication schemas). Run after a change to core's schema.ts: `npm run validators`.
import { writeFile } from 'node:fs/promises';
import { renderSchemaValidators } from '../core/dist/scaled-object/render-schema-validators.js';

const file = new URL('../core/src/scaled-object/schema-validators.generated.ts', import.meta.url);
await writeFile(file, renderSchemaValidators());
console.log('wrote core/src/scaled-object/schema-validators.generated.ts');
