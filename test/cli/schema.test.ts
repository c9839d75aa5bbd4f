import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { repoRoot, runUpdraft } from './run-updraft.js';

async function scaledObjectsIn(dir: string): Promise<unknown[]> {
  const objects: unknown[] = [];
  for (const file of (await readdir(join(repoRoot, dir))).filter((f) => f.endsWith('.yaml'))) {
    for (const document of parseAllDocuments(await readFile(join(repoRoot, dir, file), 'utf8'))) {
      const value = document.toJS() as { kind?: string } | null;
      if (value?.kind === 'ScaledObject') objects.push(value);
    }
  }
  return objects;
}

describe('updraft schema', () => {
  it('prints a JSON Schema that accepts every example ScaledObject and rejects broken ones', async () => {
    const { code, stdout } = await runUpdraft(['schema']);
    expect(code).toBe(0);
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(stdout));
    const examples = await scaledObjectsIn('examples');
    expect(examples).toHaveLength(10);
    for (const example of examples) expect(validate(example), JSON.stringify(validate.errors)).toBe(true);

    const [prometheus] = examples.filter((so) => JSON.stringify(so).includes('"prometheus"')) as Array<{ spec: { triggers: Array<{ metadata: Record<string, string> }> } }>;
    const broken = structuredClone(prometheus!);
    broken.spec.triggers[0]!.metadata.threshold = 'ten';
    expect(validate(broken)).toBe(false);
    const missing = structuredClone(prometheus!);
    delete (missing.spec.triggers[0]!.metadata as Record<string, string | undefined>).query;
    expect(validate(missing)).toBe(false);
  });

  it('prints one trigger type\'s metadata schema with --trigger', async () => {
    const { code, stdout } = await runUpdraft(['schema', '--trigger', 'aws-sqs-queue']);
    expect(code).toBe(0);
    const schema = JSON.parse(stdout) as { properties: Record<string, { default?: string }> };
    expect(schema.properties.queueLength?.default).toBe('5');
    expect(schema.properties.queueURLFromEnv).toBeDefined();
  });

  it('names the known types when --trigger is unknown', async () => {
    const { code, stderr } = await runUpdraft(['schema', '--trigger', 'kafka']);
    expect(code).toBe(2);
    expect(stderr.trim()).toMatch(/^updraft: unknown trigger type "kafka"; known types: aws-cloudwatch, aws-sqs-queue, cron, prometheus, redis/);
  });
});
