import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderSchemaValidators } from './render-schema-validators.js';

describe('schema-validators.generated.ts', () => {
  it('is the standalone code of the schemas in schema.ts (run `npm run validators` after changing them)', () => {
    const committed = readFileSync(new URL('./schema-validators.generated.ts', import.meta.url), 'utf8');
    expect(committed === renderSchemaValidators(), 'schema-validators.generated.ts is stale: run npm run validators').toBe(true);
  });
});
