import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptsConnections, freePort, scratchDir, startServer } from '../harness/process.js';

// What `npm pack` puts in each publishable workspace's tarball, asked of the real npm from the root
// (`npm pack --dry-run --json --workspace ...`, after `tsc -b`): built JS and .d.ts, README, LICENSE,
// package.json and the files the code reads at runtime; no tests, build info, source maps (src is
// not shipped, so a map would point at nothing) or leftovers of deleted sources. Every import in the
// shipped JS must resolve inside the tarball, to a declared dependency or peer, or to a Node builtin.

const root = new URL('../..', import.meta.url).pathname;
const PUBLISHABLE = ['core', 'scalers/aws-common', 'scalers/prometheus', 'scalers/aws-sqs-queue', 'scalers/redis', 'scalers/aws-cloudwatch', 'scalers/cron', 'adapter'];
/** Shared with the host: a plugin or scaler that brought its own copy would register into a registry nobody reads. */
const HOST_SHARED = ['@updraft/core', 'inversify', 'reflect-metadata'];

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  main?: string;
  types?: string;
  exports?: Record<string, { types?: string; default?: string }>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  updraft?: { triggerTypes?: string[] };
}
interface Packed {
  dir: string;
  manifest: Manifest;
  files: Set<string>;
}

const exec = promisify(execFile);
const manifestOf = (dir: string) => JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) as Manifest;
const packages = new Map<string, Packed>();

beforeAll(async () => {
  const args = ['pack', '--dry-run', '--json', ...PUBLISHABLE.flatMap((dir) => ['--workspace', dir])];
  const { stdout } = await exec('npm', args, { cwd: root, maxBuffer: 64 << 20 });
  const answers = JSON.parse(stdout) as { name: string; files: { path: string }[] }[];
  for (const dir of PUBLISHABLE) {
    const manifest = manifestOf(dir);
    const answer = answers.find((a) => a.name === manifest.name);
    if (!answer) throw new Error(`npm pack gave no answer for ${manifest.name} (${dir})`);
    packages.set(dir, { dir, manifest, files: new Set(answer.files.map((f) => f.path)) });
  }
}, 120_000);

const pack = (dir: string) => packages.get(dir)!;
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);
/** `@scope/name/sub` and `name/sub` name the packages `@scope/name` and `name`. */
const packageName = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/**
 * What emitted JS imports and opens, read from its syntax tree (TypeScript's parser): static and
 * dynamic imports, re-exports, require, createRequire(...)(...), import.meta.resolve, and the files
 * it opens with `new URL('<relative>', import.meta.url)`. Code inside a template literal (the
 * scaffold's templates) is text, not this module's.
 */
function references(code: string): { specifiers: string[]; assets: string[] } {
  const specifiers = new Set<string>();
  const assets: string[] = [];
  const literal = (node: ts.Node | undefined) => (node && ts.isStringLiteral(node) ? node.text : undefined);
  const isImportMeta = (node: ts.Node) => ts.isMetaProperty(node) && node.keywordToken === ts.SyntaxKind.ImportKeyword;
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && literal(node.moduleSpecifier)) specifiers.add(literal(node.moduleSpecifier)!);
    if (ts.isCallExpression(node) && literal(node.arguments[0])) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      const isRequireResolve = ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'require' && callee.name.text === 'resolve';
      const isCreatedRequire = ts.isCallExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'createRequire';
      const isMetaResolve = ts.isPropertyAccessExpression(callee) && isImportMeta(callee.expression) && callee.name.text === 'resolve';
      if (isImport || isRequire || isRequireResolve || isCreatedRequire || isMetaResolve) specifiers.add(literal(node.arguments[0])!);
    }
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL') {
      const [target, base] = node.arguments ?? [];
      const path = literal(target);
      if (path && /^\.{1,2}\//.test(path) && base && ts.isPropertyAccessExpression(base) && isImportMeta(base.expression) && base.name.text === 'url') assets.push(path);
    }
    ts.forEachChild(node, visit);
  };
  visit(ts.createSourceFile('module.js', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS));
  return { specifiers: [...specifiers], assets };
}

const importSpecifiers = (code: string): string[] => references(code).specifiers;
const runtimeAssets = (code: string): string[] => references(code).assets;

const jsFiles = (packed: Packed) => [...packed.files].filter((file) => /\.(m?js)$/.test(file));
const read = (packed: Packed, file: string) => readFileSync(join(root, packed.dir, file), 'utf8');

describe.each(PUBLISHABLE)('npm pack of %s', (dir) => {
  it('holds package.json, README.md, LICENSE (the root one), dist/index.js and dist/index.d.ts, and every entry point', () => {
    const { files, manifest } = pack(dir);
    expect(manifest.private, `${dir} is private`).toBeUndefined();
    for (const file of ['package.json', 'README.md', 'LICENSE', 'dist/index.js', 'dist/index.d.ts']) expect(files, `${dir}: ${file}`).toContain(file);
    expect(readFileSync(join(root, dir, 'LICENSE'), 'utf8'), `${dir}/LICENSE differs from the root LICENSE`).toBe(readFileSync(join(root, 'LICENSE'), 'utf8'));
    const entries = [manifest.main, manifest.types, ...Object.values(manifest.exports ?? {}).flatMap((e) => [e.types, e.default]), ...Object.values(manifest.bin ?? {})];
    for (const entry of entries.filter((e): e is string => e !== undefined)) expect(files, `${dir}: entry point ${entry}`).toContain(posix.normalize(entry));
  });

  it('holds no tests, build info, source maps, sources or outputs of deleted sources', () => {
    const { files } = pack(dir);
    const unwanted = [...files].filter((file) => /\.test\.|\.tsbuildinfo$|\.map$|^src\//.test(file));
    expect(unwanted, `${dir} packs`).toEqual([]);
    // Neither tsc -b nor tsc -b --clean deletes what a removed source compiled to.
    const orphans = [...files].filter((file) => file.startsWith('dist/')).filter((file) => {
      const source = file.replace(/^dist\//, 'src/').replace(/\.d\.ts$|\.js$/, '.ts');
      try {
        readFileSync(join(root, dir, source));
        return false;
      } catch {
        return true;
      }
    });
    expect(orphans, `${dir}: dist files without a source (rm -rf ${dir}/dist ${dir}/tsconfig.tsbuildinfo && npx tsc -b)`).toEqual([]);
  });

  it('every import of its JS resolves in the tarball, to a dependency or peer, or to a Node builtin', () => {
    const packed = pack(dir);
    const { manifest } = packed;
    const declared = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {}), manifest.name]);
    const problems: string[] = [];
    const used = new Set<string>();
    for (const file of jsFiles(packed)) {
      for (const specifier of importSpecifiers(read(packed, file))) {
        if (specifier.startsWith('.')) {
          const target = posix.join(posix.dirname(file), specifier);
          if (!packed.files.has(target)) problems.push(`${file} imports ${specifier}, which is not in the tarball`);
        } else if (!isBuiltin(specifier)) {
          used.add(packageName(specifier));
          if (!declared.has(packageName(specifier))) problems.push(`${file} imports ${specifier}, but ${packageName(specifier)} is not in dependencies or peerDependencies`);
        }
      }
    }
    expect(problems, dir).toEqual([]);
    // The converse: nothing installed for a consumer that the code never loads (the adapter loads its scalers by name).
    const loadedByName = manifest.name === '@updraft/adapter' ? builtInScalers() : [];
    const unused = Object.keys(manifest.dependencies ?? {}).filter((name) => !used.has(name) && !loadedByName.includes(name));
    expect(unused, `${dir}: dependencies its JS never imports`).toEqual([]);
  });

  it('the files its JS opens at runtime are in the tarball', () => {
    const packed = pack(dir);
    const problems: string[] = [];
    for (const file of jsFiles(packed)) {
      for (const asset of runtimeAssets(read(packed, file))) {
        const target = posix.join(posix.dirname(file), asset);
        if (target.startsWith('../')) problems.push(`${file} opens ${asset}, outside the package (${target})`);
        else if (asset.endsWith('/') ? ![...packed.files].some((f) => f.startsWith(target)) : !packed.files.has(target)) problems.push(`${file} opens ${asset} (${target}), which is not in the tarball`);
      }
    }
    expect(problems, dir).toEqual([]);
  });

  it('shares @updraft/core, inversify and reflect-metadata with the host as peers, at the workspace versions', () => {
    const { manifest } = pack(dir);
    if (manifest.name !== '@updraft/adapter') {
      const own = HOST_SHARED.filter((name) => manifest.dependencies?.[name] !== undefined);
      expect(own, `${dir} depends on what it must take from the host`).toEqual([]);
    }
    for (const [name, range] of Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies })) {
      const workspace = PUBLISHABLE.find((other) => manifestOf(other).name === name);
      if (workspace) expect(range, `${dir}: ${name}`).toBe(`^${manifestOf(workspace).version}`);
    }
  });
});

/** The scaler workspaces: those that declare trigger types. */
function builtInScalers(): string[] {
  return PUBLISHABLE.map(manifestOf).filter((m) => m.updraft?.triggerTypes).map((m) => m.name);
}

it('the adapter depends on every built-in scaler, and ships bin/updraft.js and proto/externalscaler.proto', () => {
  const { files, manifest } = pack('adapter');
  expect(Object.keys(manifest.dependencies ?? {})).toEqual(expect.arrayContaining(builtInScalers()));
  expect(builtInScalers()).toHaveLength(5);
  expect(files).toContain('bin/updraft.js');
  expect(files).toContain('proto/externalscaler.proto');
});

it('importSpecifiers finds what tsc emits', () => {
  const code = [
    "import 'reflect-metadata';",
    "import { a,\n  b } from '@scope/pkg/sub';",
    "export * from './local.js';",
    "/** import x from 'not-this' */",
    "// import y from 'nor-this'",
    "const m = await import('dynamic');",
    "const r = createRequire(import.meta.url)('mathjs');",
    "export const from = Array.from('abc');",
    "const template = `import z from './template.js';\\n${`nested ${'x'}`} new URL('../README.md', import.meta.url)`;",
  ].join('\n');
  expect(importSpecifiers(code)).toEqual(expect.arrayContaining(['reflect-metadata', '@scope/pkg/sub', './local.js', 'dynamic', 'mathjs']));
  expect(importSpecifiers(code)).toHaveLength(5);
  expect(runtimeAssets(code)).toEqual([]);
  expect(runtimeAssets("const readme = new URL('../README.md', import.meta.url);")).toEqual(['../README.md']);
  expect(packageName('@scope/pkg/sub')).toBe('@scope/pkg');
});

describe('the tarballs, unpacked as npm installs them', () => {
  // Our packages from their tarballs only; third-party ones linked from the repository's node_modules
  // (no registry), so what runs is exactly what npm pack ships.
  let app: Awaited<ReturnType<typeof scratchDir>>;
  let updraft: string;
  beforeAll(async () => {
    app = await scratchDir('packed');
    const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', app.path, ...PUBLISHABLE.flatMap((dir) => ['--workspace', dir])], { cwd: root, maxBuffer: 64 << 20 });
    for (const { name, filename } of JSON.parse(stdout) as { name: string; filename: string }[]) {
      const into = join(app.path, 'node_modules', name);
      mkdirSync(into, { recursive: true });
      await exec('tar', ['-xzf', join(app.path, filename), '-C', into, '--strip-components=1']);
    }
    const linkAll = (from: string, to: string) => {
      for (const entry of readdirSync(from)) {
        if (entry === '.bin' || entry === '@updraft' || entry.startsWith('.')) continue;
        if (entry.startsWith('@')) {
          mkdirSync(join(to, entry), { recursive: true });
          linkAll(join(from, entry), join(to, entry));
        } else symlinkSync(join(from, entry), join(to, entry));
      }
    };
    linkAll(join(root, 'node_modules'), join(app.path, 'node_modules'));
    updraft = join(app.path, 'node_modules/@updraft/adapter/bin/updraft.js');
  }, 120_000);
  afterAll(async () => app?.dispose());

  const run = (...args: string[]) => exec(process.execPath, [updraft, ...args], { cwd: app.path, maxBuffer: 64 << 20 });

  it('updraft install prints the CRDs of deploy/crds, and validate reads examples/ with every built-in scaler', async () => {
    const crds = (await run('install', '--crds-only')).stdout;
    const { stdout: fromRepo } = await exec(process.execPath, [join(root, 'adapter/bin/updraft.js'), 'install', '--crds-only'], { cwd: root, maxBuffer: 64 << 20 });
    expect(crds).toBe(fromRepo);
    expect((await run('validate', join(root, 'examples'))).stdout).toMatch(/^ok: \d+ ScaledObjects/);
  });

  it('updraft external-scaler loads its proto and serves', async () => {
    const port = await freePort();
    const server = await startServer({
      command: process.execPath,
      args: [updraft, 'external-scaler', '--host', '127.0.0.1', '--port', String(port)],
      debianPackage: 'nodejs',
      cwd: app.path,
      ready: () => acceptsConnections(`http://127.0.0.1:${port}`),
    });
    try {
      // It prints once it listens; the port may accept a moment before the line is read.
      for (let i = 0; i < 40 && !server.output().includes('serving'); i++) await new Promise((resolve) => setTimeout(resolve, 25));
      expect(server.output()).toContain('serving externalscaler.ExternalScaler');
    } finally {
      await server.stop();
    }
  });
});
