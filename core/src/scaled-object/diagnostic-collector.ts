import { compareDiagnostics, type Diagnostic, type Severity } from './diagnostic.js';
import type { Anchor, ManifestObject } from './manifest-object.js';
import { formatPath, type ObjectPath } from './object-path.js';

// Shorter values are not worth hiding and would blank out ordinary words in messages.
const MIN_REDACTED_LENGTH = 4;

/**
 * Collects the diagnostics of one load. Every secret value read from the files is registered here,
 * and no message leaves with one in it, whatever code wrote the message.
 */
export class DiagnosticCollector {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly secrets = new Set<string>();

  add(diagnostic: Diagnostic): void {
    this.diagnostics.push(diagnostic);
  }

  /** Registers a value (a Secret's, or one derived from it) that must never appear in a message. */
  hideSecret(value: string): void {
    const trimmed = value.trim();
    if (trimmed.length >= MIN_REDACTED_LENGTH) this.secrets.add(trimmed);
  }

  /** A reporter whose diagnostics point into `object` and name it as `label`. */
  forObject(object: ManifestObject, label: string | undefined): ObjectReporter {
    return new ObjectReporter(this, object, label);
  }

  /** The diagnostics, redacted, without repeats, sorted by file, line and column. */
  result(): Diagnostic[] {
    const secrets = [...this.secrets].sort((a, b) => b.length - a.length);
    const seen = new Set<string>();
    const out: Diagnostic[] = [];
    for (const diagnostic of this.diagnostics) {
      const message = secrets.reduce((text, secret) => text.split(secret).join('<redacted>'), diagnostic.message);
      const clean = message === diagnostic.message ? diagnostic : { ...diagnostic, message };
      const key = JSON.stringify([clean.severity, clean.file, clean.line, clean.col, clean.object, clean.path, clean.message]);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(clean);
    }
    return out.sort(compareDiagnostics);
  }
}

export interface ReportOptions {
  /** Point at the field's key instead of its value (unknown fields). */
  readonly anchor?: Anchor;
  /** The path to show when it differs from where the diagnostic points (a missing field's own path). */
  readonly shownPath?: ObjectPath;
  /** Point at this character (0-based) inside the string value, e.g. where a formula goes wrong. */
  readonly offset?: number;
}

/** Reports problems of one object; counts its errors so the loader knows whether the object is usable. */
export class ObjectReporter {
  private errorCount = 0;

  constructor(
    private readonly collector: DiagnosticCollector,
    readonly object: ManifestObject,
    readonly label: string | undefined,
  ) {}

  get errors(): number {
    return this.errorCount;
  }

  report(severity: Severity, path: ObjectPath, message: string, options: ReportOptions = {}): void {
    if (severity === 'error') this.errorCount++;
    const { line, col } = options.offset === undefined ? this.object.locate(path, options.anchor) : this.object.locateInString(path, options.offset);
    const shown = formatPath(options.shownPath ?? path);
    this.collector.add({
      severity,
      file: this.object.file,
      line,
      col,
      ...(this.label ? { object: this.label } : {}),
      ...(shown ? { path: shown } : {}),
      message,
    });
  }

  error(path: ObjectPath, message: string, options?: ReportOptions): void {
    this.report('error', path, message, options);
  }

  warning(path: ObjectPath, message: string, options?: ReportOptions): void {
    this.report('warning', path, message, options);
  }

  notice(path: ObjectPath, message: string, options?: ReportOptions): void {
    this.report('notice', path, message, options);
  }
}
