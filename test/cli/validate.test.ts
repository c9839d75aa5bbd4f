import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lines, repoRoot, runUpdraft } from './run-updraft.js';

describe('updraft validate', () => {
  it('passes the examples: one ScaledObject per trigger type, written as KEDA documents them', async () => {
    const { code, stdout, stderr } = await runUpdraft(['validate', 'examples/']);
    expect(stderr).toBe('');
    expect(lines(stdout)).toEqual(['ok: 10 ScaledObjects, 4 TriggerAuthentications']);
    expect(code).toBe(0);
  });

  it('gives one precise line per problem in a folder of broken ScaledObjects, and exit 1', async () => {
    const { code, stdout, stderr } = await runUpdraft(['validate', 'test/fixtures/broken']);
    expect(stderr).toBe('');
    const dir = 'test/fixtures/broken';
    expect(lines(stdout)).toEqual([
      `${dir}/bad-enum.yaml:15:20: default/bad-enum: spec.triggers[0].metadata.authModes: must be one of apiKey, basic, tls, bearer, custom, oauth, got "digest"`,
      `${dir}/duplicate-trigger-names.yaml:16:13: default/duplicate-trigger-names: spec.triggers[1].name: triggerName "queue" is defined multiple times in the ScaledObject, but it must be unique`,
      `${dir}/min-over-max.yaml:9:20: default/min-over-max: spec.minReplicaCount: minReplicaCount=10 must not be greater than maxReplicaCount=3`,
      `${dir}/missing-required.yaml:12:9: default/missing-required: spec.triggers[0].metadata: missing required parameter "queueURL" (set it in metadata or queueURLFromEnv)`,
      `${dir}/missing-trigger-authentication.yaml:15:15: default/missing-auth: spec.triggers[0].authenticationRef.name: TriggerAuthentication default/redis-credentials not found in these files`,
      `${dir}/syntax-error.yaml:11:1: invalid YAML: Flow map in block collection must be sufficiently indented and end with a }`,
      `${dir}/unknown-type.yaml:10:13: default/unknown-type: spec.triggers[0].type: unknown trigger type "kafkaa"; known types: aws-cloudwatch, aws-sqs-queue, cron, prometheus, redis, redis-cluster, redis-cluster-streams, redis-sentinel, redis-sentinel-streams, redis-streams`,
      `${dir}/wrong-type.yaml:14:20: default/wrong-type: spec.triggers[0].metadata.threshold: must be a number, got "ten"`,
    ]);
    expect(code).toBe(1);
  });

  it('passes KEDA\'s documented AWS pod identity example (podIdentity.provider aws, no identityOwner in the trigger)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'updraft-pod-identity-'));
    try {
      // keda.sh/docs/latest/scalers/aws-sqs/ "Example: Scaled Object with AWS Pod Identity", unchanged.
      writeFileSync(
        join(dir, 'sqs.yaml'),
        [
          'apiVersion: keda.sh/v1alpha1',
          'kind: TriggerAuthentication',
          'metadata:',
          '  name: keda-trigger-auth-aws-credentials',
          '  namespace: keda-test',
          'spec:',
          '  podIdentity:',
          '    provider: aws',
          '---',
          'apiVersion: keda.sh/v1alpha1',
          'kind: ScaledObject',
          'metadata:',
          '  name: aws-sqs-queue-scaledobject',
          '  namespace: keda-test',
          'spec:',
          '  scaleTargetRef:',
          '    name: nginx-deployment',
          '  triggers:',
          '  - type: aws-sqs-queue',
          '    authenticationRef:',
          '      name: keda-trigger-auth-aws-credentials',
          '    metadata:',
          '      queueURL: myQueue',
          '      queueLength: "5"',
          '      awsRegion: "eu-west-1"',
          '',
        ].join('\n'),
      );
      const { code, stdout, stderr } = await runUpdraft(['validate', dir]);
      expect(stderr).toBe('');
      expect(lines(stdout)).toEqual(['ok: 1 ScaledObject, 1 TriggerAuthentication']);
      expect(code).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names each odd input on a line of its own and never prints a stack trace', async () => {
    const { code, stdout, stderr } = await runUpdraft(['validate', 'test/fixtures/odd', 'no/such/file.yaml']);
    const out = lines(stdout);
    expect(stderr).toBe('');
    expect(stdout).not.toMatch(/\n\s+at /);
    expect(out).toContain('no/such/file.yaml: cannot read: no such file or directory');
    expect(out).toContain('test/fixtures/odd/empty.yaml:1:1: notice: empty file: it holds no YAML document');
    expect(out).toContain('test/fixtures/odd/empty-documents.yaml:1:1: notice: empty YAML document, skipped');
    expect(out).toContain('test/fixtures/odd/not-a-mapping.yaml:1:1: a Kubernetes object must be a mapping with apiVersion, kind and metadata, got a list');
    expect(out).toContain('test/fixtures/odd/bad-alias.yaml:1:1: invalid YAML: Unresolved alias (the anchor must be set before the alias): b');
    expect(out.some((line) => line.startsWith('test/fixtures/odd/service.yaml:2:7:') && line.includes('notice: skipped: kind Service is not read by updraft'))).toBe(true);
    expect(out.some((line) => line.startsWith('test/fixtures/odd/binary.yaml:'))).toBe(true);
    expect(out).toContain('test/fixtures/odd/no-apiversion.yaml:1:1: apiVersion: required field is missing: every Kubernetes object has an apiVersion and a kind');
    // The JSON ScaledObject is read; its unquoted number is only a warning.
    expect(out.some((line) => line.startsWith('test/fixtures/odd/so.json:1:231: default/json-so: spec.triggers[0].metadata.listLength: warning:'))).toBe(true);
    expect(code).toBe(1);
  });

  it('loads a third-party scaler plugin purely because its name is configured', async () => {
    const without = await runUpdraft(['validate', 'test/fixtures/plugin-usage']);
    expect(without.code).toBe(1);
    expect(lines(without.stdout)).toEqual([expect.stringMatching(/^test\/fixtures\/plugin-usage\/constant\.yaml:10:13: default\/constant-so: spec\.triggers\[0\]\.type: unknown trigger type "constant"; known types: /)]);

    const withFlag = await runUpdraft(['validate', '--plugin', '@updraft-fixtures/scaler-constant', 'test/fixtures/plugin-usage']);
    expect(withFlag.stderr).toBe('');
    expect(lines(withFlag.stdout)).toEqual(['ok: 1 ScaledObject, 0 TriggerAuthentications']);
    expect(withFlag.code).toBe(0);

    const withEnv = await runUpdraft(['validate', 'test/fixtures/plugin-usage'], { UPDRAFT_PLUGINS: '@updraft-fixtures/scaler-constant' });
    expect(lines(withEnv.stdout)).toEqual(['ok: 1 ScaledObject, 0 TriggerAuthentications']);
  });

  it('refuses a plugin that is not installed, or not a ContainerModule, in one line and exit 2', async () => {
    const missing = await runUpdraft(['validate', '--plugin', '@updraft-fixtures/not-installed', 'examples']);
    expect(lines(missing.stderr)).toEqual([
      'updraft: cannot load scaler plugin "@updraft-fixtures/not-installed": the package is not installed where it is looked for (' + repoRoot.replace(/\/$/, '') + '); run npm install @updraft-fixtures/not-installed',
    ]);
    expect(missing.code).toBe(2);
    const notAPlugin = await runUpdraft(['validate', '--plugin', '@updraft-fixtures/not-a-plugin', 'examples']);
    expect(lines(notAPlugin.stderr)).toEqual(['updraft: cannot load scaler plugin "@updraft-fixtures/not-a-plugin": its default export is not an inversify ContainerModule']);
    expect(notAPlugin.code).toBe(2);
  });
});

describe('updraft help and usage', () => {
  it('explains every command', async () => {
    const help = await runUpdraft(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('validate [options] <file-or-dir...>');
    expect(help.stdout).toContain('schema [options]');
    for (const command of ['validate', 'schema']) {
      const commandHelp = await runUpdraft([command, '--help']);
      expect(commandHelp.code).toBe(0);
      expect(commandHelp.stdout).toContain(`Usage: updraft ${command}`);
    }
  });

  it('answers a usage mistake with exit 2 and a hint, not a stack trace', async () => {
    const result = await runUpdraft(['validate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("error: missing required argument 'file-or-dir'");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
