import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Diagnostic, ManifestSource } from '@updraft/core';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface ManifestFiles {
  readonly sources: ManifestSource[];
  /** Paths that could not be read, one error each. */
  readonly diagnostics: Diagnostic[];
}

/**
 * Reads the files and folders given on the command line. Folders are walked for .yaml, .yml and
 * .json files in name order; a file named explicitly is read whatever its extension.
 */
export async function readManifestFiles(paths: readonly string[]): Promise<ManifestFiles> {
  const sources: ManifestSource[] = [];
  const diagnostics: Diagnostic[] = [];
  const unreadable = (file: string, error: unknown) =>
    diagnostics.push({ severity: 'error', file, line: 0, col: 0, message: `cannot read: ${describeFsError(error)}` });

  async function visit(path: string, explicit: boolean): Promise<void> {
    let isDirectory: boolean;
    try {
      isDirectory = (await stat(path)).isDirectory();
    } catch (error) {
      unreadable(path, error);
      return;
    }
    if (isDirectory) {
      let entries: string[];
      try {
        entries = (await readdir(path)).sort();
      } catch (error) {
        unreadable(path, error);
        return;
      }
      for (const entry of entries) {
        if (entry.startsWith('.') || entry === 'node_modules') continue;
        const child = join(path, entry);
        const childIsDirectory = await stat(child).then((s) => s.isDirectory(), () => false);
        if (childIsDirectory || MANIFEST_EXTENSIONS.has(extname(entry).toLowerCase())) await visit(child, false);
      }
      return;
    }
    if (!explicit && !MANIFEST_EXTENSIONS.has(extname(path).toLowerCase())) return;
    try {
      sources.push({ file: path, text: await readFile(path, 'utf8') });
    } catch (error) {
      unreadable(path, error);
    }
  }

  for (const path of paths) await visit(path, true);
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
