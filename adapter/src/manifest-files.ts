import type { Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Diagnostic, ManifestSource } from '@updraft/core';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface ManifestFiles {
  readonly sources: ManifestSource[];
  /** Paths that could not be read, one error each. */
  readonly diagnostics: Diagnostic[];
}

/** What a walk of the command-line paths meets, in order. */
export interface ManifestWalkVisitor {
  /** A manifest file, with its stat; `explicit` when it was named on the command line. */
  file(path: string, info: Stats, explicit: boolean): Promise<void> | void;
  /** A folder that is walked. */
  directory?(path: string): void;
  /** A path that cannot be stat-ed or listed; `explicit` when it was named on the command line. */
  unreadable(path: string, error: unknown, explicit: boolean): void;
}

/**
 * Walks the files and folders given on the command line: folders for .yaml, .yml and .json files in
 * name order (skipping dot-entries, node_modules, and subfolders that hold a package.json: an npm
 * package such as a plugin's source is not a folder of manifests); a file named explicitly whatever
 * its extension.
 * The one walk that `validate`, `check` and the file source of `serve` share.
 */
export async function walkManifestPaths(paths: readonly string[], visitor: ManifestWalkVisitor): Promise<void> {
  async function visit(path: string, explicit: boolean): Promise<void> {
    let info: Stats;
    try {
      info = await stat(path);
    } catch (error) {
      visitor.unreadable(path, error, explicit);
      return;
    }
    if (info.isDirectory()) {
      visitor.directory?.(path);
      let entries: string[];
      try {
        entries = (await readdir(path)).sort();
      } catch (error) {
        visitor.unreadable(path, error, explicit);
        return;
      }
      for (const entry of entries) {
        if (entry.startsWith('.') || entry === 'node_modules') continue;
        const child = join(path, entry);
        const childIsDirectory = await stat(child).then((s) => s.isDirectory(), () => false);
        if (childIsDirectory && (await stat(join(child, 'package.json')).then(() => true, () => false))) continue;
        if (childIsDirectory || MANIFEST_EXTENSIONS.has(extname(entry).toLowerCase())) await visit(child, false);
      }
      return;
    }
    if (!explicit && !MANIFEST_EXTENSIONS.has(extname(path).toLowerCase())) return;
    await visitor.file(path, info, explicit);
  }
  for (const path of paths) await visit(path, true);
}

/** Reads the manifests the paths name (see walkManifestPaths); unreadable paths are one error each. */
export async function readManifestFiles(paths: readonly string[]): Promise<ManifestFiles> {
  const sources: ManifestSource[] = [];
  const diagnostics: Diagnostic[] = [];
  const unreadable = (file: string, error: unknown) =>
    diagnostics.push({ severity: 'error', file, line: 0, col: 0, message: `cannot read: ${describeFsError(error)}` });
  await walkManifestPaths(paths, {
    async file(path) {
      try {
        sources.push({ file: path, text: await readFile(path, 'utf8') });
      } catch (error) {
        unreadable(path, error);
      }
    },
    unreadable,
  });
  return { sources, diagnostics };
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return (error as Error).message;
  }
}
