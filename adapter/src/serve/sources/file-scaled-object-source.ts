import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { inject, injectable } from 'inversify';
import { formatDiagnostic, loadManifests, ScalerRegistry, type Diagnostic, type LoadedScaledObject } from '@updraft/core';
import { readManifestFiles, walkManifestPaths } from '../../manifest-files.js';
import { AdapterLogger } from '../logger.js';
import { refKey, type ScaledObjectChange, type ScaledObjectSource } from './scaled-object-source.js';

export const FileSourceOptions = Symbol.for('updraft.adapter.FileSourceOptions');

export interface FileSourceOptions {
  /** Files and folders (`--config`), read as `updraft validate` reads them. */
  readonly paths: readonly string[];
  /** Quiet time after a change event before reloading. Default 200 ms. */
  readonly debounceMs?: number;
  /** How often files are checked for changes that no watch event reported. Default 15 s. */
  readonly rescanIntervalMs?: number;
  /** Where ClusterTriggerAuthentication Secrets live. Default `keda`. */
  readonly kedaNamespace?: string;
}


interface Served {
  readonly object: LoadedScaledObject;
  readonly fingerprint: string;
}

/**
 * ScaledObjects from YAML files and folders, loaded as `serve` needs them (a value only a cluster
 * could supply is an error), reloaded when the files change: fs.watch on every folder involved,
 * debounced, plus a periodic rescan of sizes and modification times for changes a watch misses
 * (network file systems, ConfigMap volumes swapping symlinks). An object whose new version is
 * broken keeps its last good version; the error is logged and listed in problems().
 */
@injectable()
export class FileScaledObjectSource implements ScaledObjectSource {
  readonly name = 'files';
  private served = new Map<string, Served>();
  private currentProblems: string[] = [];
  private readonly listeners = new Set<(change: ScaledObjectChange) => void>();
  private readonly watchers = new Map<string, FSWatcher>();
  private snapshot = '';
  private lastLogged = '';
  private running?: Promise<void>;
  private again = false;
  private debounce?: NodeJS.Timeout;
  private rescanTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    @inject(FileSourceOptions) private readonly options: FileSourceOptions,
    @inject(ScalerRegistry) private readonly registry: ScalerRegistry,
    @inject(AdapterLogger) private readonly logger: Pick<AdapterLogger, 'info' | 'warn' | 'error' | 'debug'>,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.reload();
    this.rescanTimer = setInterval(() => void this.rescan(), this.options.rescanIntervalMs ?? 15_000);
    this.rescanTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.debounce);
    clearInterval(this.rescanTimer);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
    await this.running?.catch(() => undefined);
  }

  scaledObjects(): readonly LoadedScaledObject[] {
    return [...this.served.values()].map((served) => served.object);
  }

  onChange(listener: (change: ScaledObjectChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  problems(): readonly string[] {
    return this.currentProblems;
  }

  /** Reloads now, or once more after the reload in progress. Resolves when the files have been read. */
  reload(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.load();
        } while (this.again && !this.stopped);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private scheduleReload(): void {
    if (this.stopped) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.reload().catch((error: unknown) => this.logger.error({ error: (error as Error).message }, 'reloading ScaledObject files failed')), this.options.debounceMs ?? 200);
    this.debounce.unref();
  }

  /** Reloads only when a file was added, removed or changed since the last load. */
  private async rescan(): Promise<void> {
    if (this.stopped || this.running) return;
    const listing = await listManifestFiles(this.options.paths);
    if (listing.fingerprint !== this.snapshot) {
      this.logger.debug({ source: this.name }, 'a rescan found changed files');
      await this.reload();
    }
  }

  private async load(): Promise<void> {
    const listing = await listManifestFiles(this.options.paths);
    this.snapshot = listing.fingerprint;
    if (!this.stopped) this.watch(listing.directories);

    const files = await readManifestFiles(this.options.paths);
    const result = loadManifests(files.sources, this.registry, { unresolved: 'error', ...(this.options.kedaNamespace ? { kedaNamespace: this.options.kedaNamespace } : {}) });
    const diagnostics: Diagnostic[] = [...files.diagnostics, ...result.diagnostics];
    const errors = diagnostics.filter((d) => d.severity === 'error');
    const brokenObjects = new Set(errors.flatMap((d) => (d.object ? [d.object] : [])));
    const brokenFiles = new Set(errors.filter((d) => !d.object).map((d) => d.file));

    const next = new Map<string, Served>();
    for (const object of result.scaledObjects) {
      const key = refKey(object);
      const previous = this.served.get(key);
      const fingerprint = fingerprintOf(object);
      next.set(key, previous && previous.fingerprint === fingerprint ? previous : { object, fingerprint });
    }
    const kept: string[] = [];
    for (const [key, previous] of this.served) {
      if (next.has(key)) continue;
      // Gone because its new version is broken (or its file cannot be read or parsed): keep serving the last good one.
      if (brokenObjects.has(key) || brokenFiles.has(previous.object.file)) {
        next.set(key, previous);
        kept.push(`${key}: the last good version (${previous.object.file}:${previous.object.line}) is served until its errors are fixed`);
      }
    }

    const upserted = [...next.entries()].filter(([key, served]) => this.served.get(key) !== served).map(([, served]) => served.object);
    const removed = [...this.served.keys()].filter((key) => !next.has(key)).map((key) => this.served.get(key)!.object).map(({ namespace, name }) => ({ namespace, name }));
    this.served = next;
    this.currentProblems = [...errors.map(formatDiagnostic), ...kept];
    this.report(diagnostics, kept, { served: next.size, changed: upserted.length, removed: removed.length });
    if (upserted.length === 0 && removed.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener({ upserted, removed });
      } catch (error) {
        this.logger.error({ error: (error as Error).message }, 'a ScaledObject source listener threw');
      }
    }
  }

  /** Logs problems and warnings when they differ from the last load's, and a summary of each change. */
  private report(diagnostics: readonly Diagnostic[], kept: readonly string[], counts: { served: number; changed: number; removed: number }): void {
    const text = JSON.stringify([diagnostics.map(formatDiagnostic), kept]);
    if (text !== this.lastLogged) {
      this.lastLogged = text;
      for (const d of diagnostics) {
        if (d.severity === 'error') this.logger.error({ source: this.name, problem: formatDiagnostic(d) }, 'ScaledObject file error');
        else if (d.severity === 'warning') this.logger.warn({ source: this.name, problem: formatDiagnostic(d) }, 'ScaledObject file warning');
      }
      for (const line of kept) this.logger.warn({ source: this.name, kept: line }, 'keeping the last good version of a ScaledObject');
    }
    if (counts.changed > 0 || counts.removed > 0) {
      this.logger.info({ source: this.name, scaledObjects: counts.served, changed: counts.changed, removed: counts.removed, errors: diagnostics.filter((d) => d.severity === 'error').length }, 'ScaledObjects loaded');
    }
  }

  private watch(directories: ReadonlySet<string>): void {
    for (const [directory, watcher] of this.watchers) {
      if (!directories.has(directory)) {
        watcher.close();
        this.watchers.delete(directory);
      }
    }
    for (const directory of directories) {
      if (this.watchers.has(directory)) continue;
      try {
        const watcher = watch(directory, { persistent: false }, () => this.scheduleReload());
        watcher.on('error', () => {
          // The folder went away; the rescan notices what changed and watches again.
          watcher.close();
          this.watchers.delete(directory);
          this.scheduleReload();
        });
        this.watchers.set(directory, watcher);
      } catch (error) {
        this.logger.debug({ directory, error: (error as Error).message }, 'cannot watch a folder; the periodic rescan covers it');
      }
    }
  }
}

interface Listing {
  /** Paths, sizes, modification times and inodes of every manifest file: equal when nothing changed. */
  readonly fingerprint: string;
  readonly directories: ReadonlySet<string>;
}

/** The same walk as readManifestFiles, noting each file's identity and every folder to watch. */
async function listManifestFiles(paths: readonly string[]): Promise<Listing> {
  const entries: string[] = [];
  const directories = new Set<string>();
  await walkManifestPaths(paths, {
    file(path, info, explicit) {
      entries.push(`${path}\0${info.size}\0${info.mtimeMs}\0${info.ino}`);
      // A file named on the command line is watched through its folder.
      if (explicit) directories.add(resolve(dirname(path)));
    },
    directory(path) {
      directories.add(resolve(path));
    },
    unreadable(path, _error, explicit) {
      entries.push(`${path}\0unreadable`);
      // Watch the parent, so that a file created later is noticed at once.
      if (explicit) directories.add(resolve(dirname(path)));
    },
  });
  return { fingerprint: entries.join('\n'), directories };
}

/** Equal for two loads of an unchanged object (positions aside), so that its scalers are not rebuilt. */
export function fingerprintOf(object: LoadedScaledObject): string {
  try {
    const { file: _file, line: _line, triggers, ...rest } = object;
    const json = JSON.stringify({ ...rest, triggers: triggers.map(({ line: _l, col: _c, ...trigger }) => trigger) });
    return createHash('sha256').update(json).digest('hex');
  } catch {
    return `unique:${Math.random()}`;
  }
}
