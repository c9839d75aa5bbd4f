import { exampleParametersSource } from './example-parameters.js';

/** What a new scaler package is called, in each place a name appears. */
export interface ScalerNames {
  /** The YAML trigger type, e.g. `my-queue`. */
  readonly type: string;
  /** `updraft-scaler-my-queue` */
  readonly packageName: string;
  /** `myQueue`, for values (`myQueueMetadata`, `myQueueScalerModule`). */
  readonly camel: string;
  /** `MyQueue`, for classes and types (`MyQueueScaler`, `MyQueueMetadata`). */
  readonly pascal: string;
}

export function scalerNames(type: string): ScalerNames {
  const words = type.split('-');
  const pascal = words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
  return { type, packageName: `updraft-scaler-${type}`, camel: pascal[0]!.toLowerCase() + pascal.slice(1), pascal };
}

/** The dependency versions the package.json names. */
export interface ScalerDependencies {
  /** The devDependency on core: `file:<path to a checkout's core>` while it is not on npm, or a version range. */
  readonly coreDev: string;
  /** The peer range on core, e.g. `^0.1.0`. */
  readonly corePeer: string;
  readonly inversifyPeer: string;
  readonly inversifyDev: string;
}

/** What only the command knows: the generated table, the license text. */
export interface ScalerTemplateInput {
  readonly names: ScalerNames;
  readonly dependencies: ScalerDependencies;
  /** Core's rendered parameter table block (`renderScalerTables`), without the markers. */
  readonly parameterTables: string;
  readonly tableStart: string;
  readonly tableEnd: string;
  readonly license: string;
}

// The same toolchain the monorepo and examples/scaler-postgresql build with, so a fresh install is served from npm's cache.
const TYPESCRIPT = '5.9.3';
const TYPES_NODE = '^20.19.0';

/** Every file of a new scaler plugin package, by path relative to its folder. */
export function scalerPackageFiles(input: ScalerTemplateInput): Record<string, string> {
  const { names: n } = input;
  return {
    'package.json': packageJson(input),
    'tsconfig.json': TSCONFIG,
    '.gitignore': 'node_modules/\ndist/\n*.tgz\n',
    LICENSE: input.license,
    'README.md': readme(input),
    'src/metadata.ts': metadataSource(n),
    'src/scaler.ts': scalerSource(n),
    'src/index.ts': indexSource(n),
    'src/conformance.test.ts': conformanceTestSource(n),
    'src/metadata.test.ts': metadataTestSource(n),
    'src/readme.test.ts': readmeTestSource(n),
    'scripts/docs.js': docsScript(n),
    'example/scaledobject.yaml': exampleScaledObject(n),
  };
}

function packageJson({ names: n, dependencies: d }: ScalerTemplateInput): string {
  const manifest = {
    name: n.packageName,
    version: '0.1.0',
    description: `Updraft scaler plugin: the ${n.type} trigger`,
    updraft: { triggerTypes: [n.type] },
    type: 'module',
    license: 'Apache-2.0',
    engines: { node: '>=20.19' },
    main: './dist/index.js',
    types: './dist/index.d.ts',
    exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
    files: ['dist', '!dist/**/*.test.*', 'README.md'],
    scripts: {
      build: 'tsc -p tsconfig.json',
      test: 'tsc -p tsconfig.json && node --test dist/*.test.js',
      docs: 'node scripts/docs.js',
    },
    peerDependencies: { '@updraft/core': d.corePeer, inversify: d.inversifyPeer },
    devDependencies: { '@types/node': TYPES_NODE, '@updraft/core': d.coreDev, inversify: d.inversifyDev, typescript: TYPESCRIPT },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2022',
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      strict: true,
      declaration: true,
      sourceMap: false,
      skipLibCheck: true,
      rootDir: 'src',
      outDir: 'dist',
    },
    include: ['src'],
  },
  null,
  2,
)}\n`;

function readme({ names: n, dependencies: d, parameterTables, tableStart, tableEnd }: ScalerTemplateInput): string {
  return `# ${n.packageName}

An Updraft scaler plugin for the \`${n.type}\` trigger type, in its own package: \`@updraft/core\` and
\`inversify\` are peerDependencies, so the adapter that loads it brings them. As written by
\`updraft new scaler\`, it reads one number from an HTTP(S) URL; make it read your metric source by
changing the parameters (\`src/metadata.ts\`) and the read (\`src/scaler.ts\`).

\`\`\`yaml
triggers:
  - type: ${n.type}
    metadata:
      url: http://queue-stats.default.svc/ready
      targetValue: "10"
      activationTargetValue: "0"
\`\`\`

| file | what it is |
| --- | --- |
| \`src/metadata.ts\` | The parameters, declared once: the parser, every error, the JSON Schema, the table below and the TypeScript type come from it. |
| \`src/scaler.ts\` | One \`${n.pascal}Scaler\` per trigger: \`getMetricSpecs()\`, \`getMetricsAndActivity()\` (a value, or a \`ScalerError\`, never a 0 for a failure), \`close()\`. |
| \`src/index.ts\` | The default export, the \`ContainerModule\` Updraft loads (\`defineScaler\`). |
| \`src/conformance.test.ts\` | \`@updraft/core\`'s conformance suite, against a real HTTP server on 127.0.0.1. |
| \`src/metadata.test.ts\` | Metadata in, value or error out. |
| \`src/readme.test.ts\` | Fails while the table below is stale; \`npm run docs\` refreshes it. |

## Parameters

${tableStart}
${parameterTables}
${tableEnd}

## Develop, test, serve

\`\`\`sh
npm install        # @updraft/core: ${d.coreDev}
npm test           # builds, then node --test: the conformance suite and this package's tests
npm run docs       # after changing src/metadata.ts: regenerates the table above
\`\`\`

Try it with \`updraft\` itself (in an Updraft checkout \`npx updraft\`, from elsewhere
\`node <checkout>/adapter/bin/updraft.js\`), this folder as the plugin, and something that answers a number:

\`\`\`sh
node -e "require('node:http').createServer((q, s) => s.end('7')).listen(8080, '127.0.0.1')" &
updraft check --plugin . example/scaledobject.yaml      # s0-${n.type}  value 7  target 5 AverageValue  active
updraft validate --plugin . example/scaledobject.yaml
updraft serve --config example --plugin . --auth none
\`\`\`

\`npm pack\` makes the tarball an operator installs beside the adapter
(\`npm install ./${n.packageName}-0.1.0.tgz --legacy-peer-deps\`, then \`--plugin ${n.packageName}\`).
`;
}

function metadataSource(n: ScalerNames): string {
  return `// @updraft/core/metadata: the declaration API alone, without the DI container.
import { defineMetadata, p, type MetadataOf } from '@updraft/core/metadata';

/** The \`${n.type}\` trigger's parameters, declared once. */
export const ${n.camel}Metadata = defineMetadata({
${exampleParametersSource()}
});

export type ${n.pascal}Metadata = MetadataOf<typeof ${n.camel}Metadata>;
`;
}

function scalerSource(n: ScalerNames): string {
  return `import {
  kindForHttpStatus,
  SecretRedactor,
  triggerMetricName,
  TriggerErrors,
  type HttpSession,
  type MetricSpec,
  type MetricsAndActivity,
  type Scaler,
  type ScalerConfig,
  type ScalerContext,
} from '@updraft/core';
import { ${n.camel}Metadata, type ${n.pascal}Metadata } from './metadata.js';

/** KEDA's global HTTP timeout. */
const TIMEOUT_MS = 3_000;
/** The answer is one number; anything near this size is not. */
const MAX_BYTES = 64 * 1024;

/** One \`${n.type}\` trigger: GET \`url\`, whose answer is one number, the metric value. */
export class ${n.pascal}Scaler implements Scaler {
  private readonly http: HttpSession;
  private readonly errors: TriggerErrors;

  constructor(
    private readonly config: ScalerConfig<${n.pascal}Metadata>,
    context: ScalerContext,
  ) {
    // The kit's HTTP client: shared keep-alive agents, TLS, timeouts, a size limit, calls counted under '${n.type}'.
    this.http = context.http.session({ backend: '${n.type}', where: 'the server' });
    this.errors = new TriggerErrors(\`${n.type} value at \${config.metadata.url}\`, SecretRedactor.forTrigger(${n.camel}Metadata, config.metadata));
  }

  getMetricSpecs(): MetricSpec[] {
    return [{ metricName: triggerMetricName(this.config.triggerIndex, '${n.type}'), target: this.config.metadata.targetValue, metricType: this.config.metricType }];
  }

  async getMetricsAndActivity(metricName: string, signal: AbortSignal): Promise<MetricsAndActivity> {
    const answer = await this.http.get(new URL(this.config.metadata.url), { signal, timeoutMs: TIMEOUT_MS, maxBytes: MAX_BYTES }).catch((error: unknown) => {
      throw this.errors.from(error);
    });
    if (answer.status < 200 || answer.status > 299) throw this.errors.error(kindForHttpStatus(answer.status), \`HTTP \${answer.status}\`);
    const text = answer.body.trim();
    const value = Number(text);
    // A failure is an error, never a 0: the HPA would scale down on a 0.
    if (text === '' || !Number.isFinite(value)) throw this.errors.error('bad-response', \`the answer is not a number: \${JSON.stringify(text.slice(0, 80))}\`);
    return { values: [{ metricName, value, timestamp: new Date() }], active: value > this.config.metadata.activationTargetValue };
  }

  /** Idempotent; a read after it rejects (the session refuses). */
  async close(): Promise<void> {
    await this.http.close();
  }
}
`;
}

function indexSource(n: ScalerNames): string {
  return `import { defineScaler } from '@updraft/core';
import { ${n.camel}Metadata } from './metadata.js';
import { ${n.pascal}Scaler } from './scaler.js';

/** Contributes the \`${n.type}\` trigger type. */
export const ${n.camel}ScalerModule = defineScaler({
  type: '${n.type}',
  metadata: ${n.camel}Metadata,
  create: (config, context) => new ${n.pascal}Scaler(config, context),
});

export default ${n.camel}ScalerModule;
export { ${n.pascal}Scaler } from './scaler.js';
export { ${n.camel}Metadata, type ${n.pascal}Metadata } from './metadata.js';
`;
}

function conformanceTestSource(n: ScalerNames): string {
  return `import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import { describeScalerConformance } from '@updraft/core/testing/node-test';
import ${n.camel}ScalerModule from './index.js';

// A real HTTP server on 127.0.0.1 that answers the number the trigger reads.
const server = createServer((_request, response) => response.end('7\\n'));
let url: string;
before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = \`http://127.0.0.1:\${(server.address() as AddressInfo).port}/value\`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const trigger = (at: string) => ({ metadata: { url: at, targetValue: '5' } });

describeScalerConformance(${n.camel}ScalerModule, () => ({
  value: trigger(url),
  unreachable: (at) => trigger(\`http://\${at.address}/value\`),
  silent: (at) => trigger(\`http://\${at.address}/value\`),
}));
`;
}

function metadataTestSource(n: ScalerNames): string {
  return `import { deepStrictEqual, ok } from 'node:assert/strict';
import { it } from 'node:test';
import { ${n.camel}Metadata } from './metadata.js';

// Metadata in (every value a string, as YAML gives it), parsed metadata or every error out.
const cases: { metadata: Record<string, string>; parsed?: object; errors?: string[] }[] = [
  { metadata: { url: 'http://stats/ready', targetValue: '10' }, parsed: { url: 'http://stats/ready', targetValue: 10, activationTargetValue: 0 } },
  { metadata: { url: 'http://stats/ready', targetValue: '2.5', activationTargetValue: '1' }, parsed: { url: 'http://stats/ready', targetValue: 2.5, activationTargetValue: 1 } },
  { metadata: { url: 'http://stats/ready', targetValue: '0' }, errors: ['targetValue: must be greater than 0'] },
  { metadata: { url: 'ftp://stats/ready', targetValue: 'ten' }, errors: ['url: must be an http:// or https:// URL', 'targetValue: must be a number'] },
  { metadata: {}, errors: ['missing required parameter "url"', 'missing required parameter "targetValue"'] },
];

for (const { metadata, parsed, errors = [] } of cases) {
  it(\`\${JSON.stringify(metadata)} → \${parsed ? 'parsed' : errors.join('; ')}\`, () => {
    const result = ${n.camel}Metadata.parse({ triggerMetadata: metadata, resolvedEnv: {} }, { triggerType: '${n.type}' });
    deepStrictEqual(result.metadata, parsed);
    const said = result.problems.filter((p) => p.severity === 'error').map((p) => \`\${p.key ? \`\${p.key}: \` : ''}\${p.message}\`);
    deepStrictEqual(said.length, errors.length, said.join('; '));
    errors.forEach((error, i) => ok(said[i]!.includes(error), \`"\${said[i]}" does not say "\${error}"\`));
  });
}
`;
}

function readmeTestSource(n: ScalerNames): string {
  return `import { strictEqual } from 'node:assert/strict';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readmeTables } from '@updraft/core/testing';
import ${n.camel}ScalerModule from './index.js';

it('README parameter table is generated from the declaration (npm run docs refreshes it)', async () => {
  const { expected, actual } = await readmeTables(${n.camel}ScalerModule, fileURLToPath(new URL('../README.md', import.meta.url)));
  strictEqual(actual, expected);
});
`;
}

function docsScript(n: ScalerNames): string {
  return `#!/usr/bin/env node
// Regenerates README.md's parameter table from the declaration. Run after \`npm run build\`: \`npm run docs\`.
import { readFile, writeFile } from 'node:fs/promises';
import { renderScalerTables, replaceParameterTables } from '@updraft/core';
import { factoriesOf } from '@updraft/core/testing';
import ${n.camel}ScalerModule from '../dist/index.js';

const readmePath = new URL('../README.md', import.meta.url);
const readme = await readFile(readmePath, 'utf8');
await writeFile(readmePath, replaceParameterTables(readme, renderScalerTables(factoriesOf(${n.camel}ScalerModule))));
`;
}

function exampleScaledObject(n: ScalerNames): string {
  return `# updraft check --plugin . example/scaledobject.yaml, with something answering a number on 127.0.0.1:8080 (see README.md)
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: worker
  namespace: default
spec:
  scaleTargetRef:
    name: worker
  triggers:
    - type: ${n.type}
      metadata:
        url: http://127.0.0.1:8080/
        targetValue: "5"
        activationTargetValue: "0"
`;
}
