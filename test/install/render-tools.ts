import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const UPDRAFT = `${repoRoot}adapter/bin/updraft.js`;

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(command: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { cwd: repoRoot, maxBuffer: 64 << 20, timeout: options.timeoutMs ?? 120_000, env: { ...process.env, ...options.env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

/** `updraft install ...`, never looking at a cluster unless the test gives --kubeconfig. */
export function runUpdraftInstall(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return run(process.execPath, [UPDRAFT, 'install', ...args], { env: { KUBECONFIG: '', ...env } });
}

/** runUpdraftInstall's output; throws when it fails. */
export async function updraftInstall(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await runUpdraftInstall(args, env);
  if (result.code !== 0) throw new Error(`updraft install ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

/** The helm that scripts/build-helm built (never builds here: .ci/run does, once per machine). */
export async function helmBinary(): Promise<string> {
  const result = await run('bash', [`${repoRoot}scripts/build-helm`, '--check']);
  if (result.code !== 0) throw new Error(result.stderr.trim());
  return result.stdout.trim();
}

export interface Obj {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [key: string]: unknown;
}

export function parseObjects(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((document) => {
      if (document.errors.length > 0) throw new Error(document.errors[0]!.message);
      return document.toJS() as Obj | null;
    })
    .filter((object): object is Obj => object !== null && typeof object === 'object');
}

export function keyOf(object: Obj): string {
  return `${object.apiVersion} ${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata.name}`;
}

/** Objects by apiVersion, kind, namespace and name; two objects with one key are an error. */
export function objectSet(objects: readonly Obj[]): Map<string, Obj> {
  const set = new Map<string, Obj>();
  for (const object of objects) {
    const key = keyOf(object);
    if (set.has(key)) throw new Error(`${key} appears twice`);
    set.set(key, object);
  }
  return new Map([...set.entries()].sort(([a], [b]) => a.localeCompare(b)));
}
