import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PARAMETER_TABLE_END, PARAMETER_TABLE_START, RESOURCE_TRIGGER_TYPES, renderScalerTables } from '@updraft/core';
import { builtInTriggerTypes, installedPackage } from '../built-in-scalers.js';
import type { Output } from '../output.js';
import { exampleDeclaration } from './example-parameters.js';
import { scalerNames, scalerPackageFiles, type ScalerDependencies } from './scaler-templates.js';

export interface NewScalerOptions {
  /** The YAML trigger type, e.g. `my-queue`. */
  readonly type: string;
  /** `@updraft/core` for the devDependency: a folder (a checkout's core) or a version range. Default: the core this adapter runs. */
  readonly core?: string;
  /** Where `dir` and a `--core` folder are resolved from. Default: the working directory. */
  readonly cwd?: string;
}

/** A refusal: `main` prints its message on one line and exits 2. */
export class ScaffoldRefusal extends Error {
  override readonly name = 'ScaffoldRefusal';
}

// As KEDA's trigger types are spelled (aws-sqs-queue, metrics-api): lowercase words joined by single hyphens.
const TRIGGER_TYPE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Why `type` cannot name a new scaler's trigger type, or undefined when it can. */
export function triggerTypeProblem(type: string, builtInTypes: Iterable<string>): string | undefined {
  if (!TRIGGER_TYPE.test(type)) {
    return `--type ${JSON.stringify(type)} is not a trigger type: use lowercase letters and digits, in words joined by single hyphens, starting with a letter (like my-queue)`;
  }
  const builtIn = [...builtInTypes].sort();
  if (builtIn.includes(type)) return `--type ${type} is a built-in trigger type of Updraft (built in: ${builtIn.join(', ')}): choose another name, such as my-${type}`;
  return undefined;
}

/** Writes a new scaler plugin package into `dir` (new or empty) and resolves to the exit code. */
export async function newScaler(dir: string, options: NewScalerOptions, out: Output): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const target = resolve(cwd, dir);
  const problem = triggerTypeProblem(options.type, [...[...builtInTriggerTypes().values()].flat(), ...RESOURCE_TRIGGER_TYPES]);
  if (problem) throw new ScaffoldRefusal(problem);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new ScaffoldRefusal(`${dir} is a file: give a new or empty folder to write the scaler package into`);
    if (readdirSync(target).length > 0) throw new ScaffoldRefusal(`${dir} is not empty: give a new or empty folder to write the scaler package into`);
  }

  const names = scalerNames(options.type);
  const dependencies = coreDependencies(options.core, target, cwd);
  const files = scalerPackageFiles({
    names,
    dependencies,
    parameterTables: renderScalerTables([{ type: names.type, metadata: exampleDeclaration() }]),
    tableStart: PARAMETER_TABLE_START,
    tableEnd: PARAMETER_TABLE_END,
    // The adapter's own LICENSE (npm packs it with every package): Apache-2.0, as every Updraft package.
    license: readFileSync(new URL('../../LICENSE', import.meta.url), 'utf8'),
  });
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(target, path)), { recursive: true });
    await writeFile(join(target, path), text, { flag: 'wx' });
  }

  out.stdout(`wrote ${names.packageName} (trigger type ${names.type}) to ${dir}: ${Object.keys(files).length} files; @updraft/core from ${dependencies.coreDev}`);
  const updraft = `node ${fileURLToPath(new URL('../../bin/updraft.js', import.meta.url))}`;
  out.stdout(`next: cd ${dir}, npm install, npm test, then ${updraft} check --plugin . example/scaledobject.yaml (its README.md says more)`);
  return 0;
}

interface CorePackage {
  readonly folder: string;
  readonly version: string;
  readonly peerDependencies?: Record<string, string>;
  readonly devDependencies?: Record<string, string>;
}

/** The package.json of the @updraft/core this adapter runs. */
function hostCore(): CorePackage {
  const { folder, manifest } = installedPackage<Omit<CorePackage, 'folder'>>('@updraft/core');
  return { ...manifest, folder };
}

function readCoreManifest(folder: string): CorePackage | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Omit<CorePackage, 'folder'> & { name?: string };
    return manifest.name === '@updraft/core' ? { ...manifest, folder } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `@updraft/core` while it is not on npm: `file:` the checkout's core the adapter runs from (or
 * `--core`'s folder), relative to the new package; an adapter installed from npm names its version.
 */
function coreDependencies(option: string | undefined, target: string, cwd: string): ScalerDependencies {
  const host = hostCore();
  const inversifyPeer = host.peerDependencies?.inversify ?? '^8.2.3';
  const inversifyDev = host.devDependencies?.inversify ?? inversifyPeer.replace(/^\^/, '');
  const fromFolder = (core: CorePackage): ScalerDependencies => ({
    coreDev: `file:${relative(target, core.folder).split(sep).join('/') || '.'}`,
    corePeer: `^${core.version}`,
    inversifyPeer,
    inversifyDev,
  });
  if (option === undefined) {
    if (host.folder.split(sep).includes('node_modules')) return { coreDev: `^${host.version}`, corePeer: `^${host.version}`, inversifyPeer, inversifyDev };
    return fromFolder(host);
  }
  const path = option.replace(/^file:/, '');
  if (option.startsWith('file:') || path.startsWith('.') || isAbsolute(path) || existsSync(resolve(cwd, path))) {
    const core = readCoreManifest(resolve(cwd, path));
    if (!core) throw new ScaffoldRefusal(`--core ${option}: ${resolve(cwd, path)} has no package.json naming @updraft/core (give the core folder of an Updraft checkout, or a version such as ^0.1.0)`);
    return fromFolder(core);
  }
  if (!/^[\w.^~<>=*|\- ]+$/.test(option)) throw new ScaffoldRefusal(`--core ${JSON.stringify(option)} is neither a folder (./path, /path) nor a version range (such as ^0.1.0)`);
  return { coreDev: option, corePeer: option, inversifyPeer, inversifyDev };
}
