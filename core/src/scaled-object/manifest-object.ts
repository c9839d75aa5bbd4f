import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter, type Node, type YAMLMap } from 'yaml';
import type { ObjectPath } from './object-path.js';

/** A file as the user gave it: `file` is the path they typed, `text` its content. */
export interface ManifestSource {
  readonly file: string;
  readonly text: string;
}

/** 1-based line and column in a file. */
export interface Position {
  readonly line: number;
  readonly col: number;
}

/** Which node of a field to point at: its value, or its key (for an unknown field). */
export type Anchor = 'value' | 'key';

/**
 * One Kubernetes object read from YAML: its plain value plus the nodes it came from, so any path in
 * it can be traced back to a line and column.
 */
export class ManifestObject {
  constructor(
    readonly file: string,
    /** The whole file's text, for quoting a value as the user wrote it. */
    private readonly text: string,
    /** The object's mapping node (a document's root, or an item of a `kind: List`). */
    private readonly root: YAMLMap,
    /** The object as plain data (aliases and merge keys applied). */
    readonly value: Readonly<Record<string, unknown>>,
    private readonly document: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  get apiVersion(): unknown {
    return this.value.apiVersion;
  }

  get kind(): unknown {
    return this.value.kind;
  }

  /** metadata.name when it is a non-empty string. */
  get name(): string | undefined {
    const name = this.get(['metadata', 'name']);
    return typeof name === 'string' && name !== '' ? name : undefined;
  }

  /** metadata.namespace when it is a non-empty string. */
  get namespace(): string | undefined {
    const namespace = this.get(['metadata', 'namespace']);
    return typeof namespace === 'string' && namespace !== '' ? namespace : undefined;
  }

  /** The plain value at a path, or undefined. */
  get(path: ObjectPath): unknown {
    let current: unknown = this.value;
    for (const segment of path) {
      if (current === null || typeof current !== 'object') return undefined;
      current = (current as Record<string | number, unknown>)[segment];
    }
    return current;
  }

  /** Where the object starts. */
  start(): Position {
    return this.positionOf(this.root);
  }

  /**
   * The position of the most specific node on `path`: the value (or key) when the whole path exists,
   * otherwise the deepest ancestor that does (the parent mapping of a missing field).
   */
  locate(path: ObjectPath, anchor: Anchor = 'value'): Position {
    let node: Node = this.root;
    let key: Node | undefined;
    let complete = true;
    for (const segment of path) {
      const step = this.child(node, segment);
      if (!step) {
        complete = false;
        break;
      }
      ({ node, key } = step);
    }
    if (complete && anchor === 'key' && key) return this.positionOf(key);
    // `threshold:` with nothing after it: point at the key, the empty value has no useful place.
    if (key && isScalar(node) && node.value === null && node.range && node.range[0] === node.range[1]) return this.positionOf(key);
    return this.positionOf(node);
  }

  /**
   * The position of the character at `offset` (0-based) inside the string value at `path`, as the
   * file writes it: past the opening quote or a block scalar's header. Each character of the value is
   * matched to the next equal character of the source, so escapes and folded lines cost only
   * precision. The value's own position when it is not a scalar.
   */
  locateInString(path: ObjectPath, offset: number): Position {
    let node: Node = this.root;
    for (const segment of path) {
      const step = this.child(node, segment);
      if (!step) return this.locate(path);
      node = step.node;
    }
    if (!isScalar(node) || !node.range || typeof node.value !== 'string') return this.locate(path);
    const value = node.value;
    let source = node.range[0];
    if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') source += 1;
    else if (node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED') source = this.text.indexOf('\n', source) + 1;
    const end = node.range[1];
    for (let i = 0; i < Math.min(offset, value.length); i++) {
      let at = source;
      while (at < end && this.text[at] !== value[i]) at++;
      source = at < end ? at + 1 : source + 1;
    }
    // Leading indentation of a block scalar is not part of the value.
    while (source < end && offset < value.length && this.text[source] !== value[offset]) source++;
    return this.lineCounter.linePos(Math.min(source, this.text.length));
  }

  /** The original source text of the value at `path`, e.g. `5.0` or `yes`, when it is a scalar. */
  sourceText(path: ObjectPath): string | undefined {
    let node: Node = this.root;
    for (const segment of path) {
      const step = this.child(node, segment);
      if (!step) return undefined;
      node = step.node;
    }
    const target = isAlias(node) ? node.resolve(this.document) : node;
    if (!isScalar(target) || !target.range) return undefined;
    return this.text.slice(target.range[0], target.range[1]);
  }

  private child(parent: Node, segment: string | number): { node: Node; key?: Node } | undefined {
    const container = isAlias(parent) ? parent.resolve(this.document) : parent;
    if (isMap(container)) return this.mapChild(container, String(segment), 0);
    if (isSeq(container) && typeof segment === 'number') {
      const item = container.items[segment] as Node | null | undefined;
      return item ? { node: item } : undefined;
    }
    return undefined;
  }

  private mapChild(map: YAMLMap, key: string, depth: number): { node: Node; key?: Node } | undefined {
    for (const pair of map.items) {
      const keyNode = pair.key as Node | null;
      if (keyNode && isScalar(keyNode) && String(keyNode.value) === key) {
        const value = pair.value as Node | null;
        return { node: value ?? keyNode, key: keyNode };
      }
    }
    // YAML 1.1 merge keys (`<<: *defaults`): the field may live in the merged mapping.
    if (depth > 10) return undefined;
    for (const pair of map.items) {
      const keyNode = pair.key as Node | null;
      if (!keyNode || !isScalar(keyNode) || keyNode.value !== '<<') continue;
      const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
      for (const source of sources) {
        const resolved = isAlias(source) ? source.resolve(this.document) : source;
        if (isMap(resolved)) {
          const found = this.mapChild(resolved, key, depth + 1);
          if (found) return found;
        }
      }
    }
    return undefined;
  }

  private positionOf(node: Node): Position {
    const offset = node.range?.[0] ?? 0;
    return this.lineCounter.linePos(offset);
  }
}
