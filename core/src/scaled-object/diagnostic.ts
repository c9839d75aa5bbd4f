/** How bad a problem is: errors change the exit code and make an object unusable; the others never do. */
export type Severity = 'error' | 'warning' | 'notice';

/** One problem found in a manifest, placed on the YAML node it concerns. */
export interface Diagnostic {
  readonly severity: Severity;
  /** The path as the user gave it. */
  readonly file: string;
  /** 1-based line of the offending YAML node. */
  readonly line: number;
  /** 1-based column of the offending YAML node. */
  readonly col: number;
  /** "namespace/name" (or "name" for cluster-scoped objects) of the document it concerns, when known. */
  readonly object?: string;
  /** Where in the document, e.g. "spec.triggers[0].metadata.threshold". */
  readonly path?: string;
  /** What is wrong and what is allowed. Never contains a secret value. */
  readonly message: string;
}

/** `so.yaml:14:19: default/worker: spec.triggers[0].metadata.threshold: must be a number, got "ten"` */
export function formatDiagnostic(d: Diagnostic): string {
  // Line 0 means the problem is with the file itself (it could not be read): no position to give.
  const parts = [d.line > 0 ? `${d.file}:${d.line}:${d.col}` : d.file];
  if (d.object) parts.push(d.object);
  if (d.path) parts.push(d.path);
  parts.push(d.severity === 'error' ? d.message : `${d.severity}: ${d.message}`);
  return parts.join(': ');
}

/** Orders by file, then line, then column; equal positions keep the order they were found in (sort is stable). */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.col - b.col;
}
