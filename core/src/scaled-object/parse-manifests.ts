import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type DocumentOptions, type ParseOptions, type SchemaOptions, type Tags } from 'yaml';
import type { DiagnosticCollector } from './diagnostic-collector.js';
import { ManifestObject, type ManifestSource } from './manifest-object.js';

/**
 * kubectl reads YAML 1.1 (sigs.k8s.io/yaml), where `yes`, `on` and `off` are booleans: parse the
 * same way, so that an unquoted `enabled: on` is caught here rather than by the API server. Go's
 * YAML has no sexagesimal numbers and turns timestamps into strings, so those tags are left out.
 */
const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  prettyErrors: false,
  uniqueKeys: true,
  customTags: (tags: Tags) =>
    tags.filter((tag) => {
      const { tag: name, format } = tag as { tag: string; format?: string };
      return name !== 'tag:yaml.org,2002:timestamp' && format !== 'TIME';
    }),
};

/**
 * Reads every document of a file as Kubernetes objects (a `kind: List` contributes its items).
 * Syntax errors, empty documents and documents that are not mappings are reported, not returned.
 */
export function parseManifests(source: ManifestSource, collector: DiagnosticCollector): ManifestObject[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(source.text, { ...YAML_OPTIONS, lineCounter });
  const at = (offset: number) => ({ file: source.file, ...lineCounter.linePos(offset) });
  if (documents.length === 0) {
    collector.add({ severity: 'notice', ...at(0), message: 'empty file: it holds no YAML document' });
    return [];
  }

  const objects: ManifestObject[] = [];
  for (const document of documents as Document[]) {
    if (document.errors.length > 0) {
      // The first error is the real one; the parser's later errors in the same document follow from it.
      const [error] = document.errors;
      collector.add({ severity: 'error', ...at(error!.pos[0]), message: `invalid YAML: ${error!.message}` });
      continue;
    }
    for (const warning of document.warnings) {
      collector.add({ severity: 'warning', ...at(warning.pos[0]), message: `YAML: ${warning.message}` });
    }
    const contents = document.contents;
    if (contents === null || (isScalar(contents) && contents.value === null && contents.range?.[0] === contents.range?.[1])) {
      collector.add({ severity: 'notice', ...at(document.range?.[0] ?? 0), message: 'empty YAML document, skipped' });
      continue;
    }
    if (!isMap(contents)) {
      const got = isSeq(contents) ? 'a list' : 'a single value';
      collector.add({ severity: 'error', ...at(contents.range?.[0] ?? 0), message: `a Kubernetes object must be a mapping with apiVersion, kind and metadata, got ${got}` });
      continue;
    }
    let value: Record<string, unknown>;
    try {
      value = document.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
    } catch (error) {
      collector.add({ severity: 'error', ...at(contents.range?.[0] ?? 0), message: `invalid YAML: ${(error as Error).message}` });
      continue;
    }
    const object = new ManifestObject(source.file, source.text, contents, value, document, lineCounter);
    objects.push(...expandList(object, source, document, lineCounter, collector));
  }
  return objects;
}

/** `kubectl get -o yaml` writes `kind: List` with the objects in `items`: read those. */
function expandList(object: ManifestObject, source: ManifestSource, document: Document, lineCounter: LineCounter, collector: DiagnosticCollector): ManifestObject[] {
  if (object.kind !== 'List' || typeof object.apiVersion !== 'string' || !Array.isArray(object.value.items)) return [object];
  const itemsNode = document.getIn(['items'], true);
  if (!isSeq(itemsNode)) return [object];
  const items: ManifestObject[] = [];
  (object.value.items as unknown[]).forEach((item, index) => {
    const node = itemsNode.items[index];
    if (isMap(node) && item !== null && typeof item === 'object' && !Array.isArray(item)) {
      items.push(new ManifestObject(source.file, source.text, node, item as Record<string, unknown>, document, lineCounter));
    } else {
      const { line, col } = object.locate(['items', index]);
      collector.add({ severity: 'error', file: source.file, line, col, path: `items[${index}]`, message: 'a Kubernetes object must be a mapping with apiVersion, kind and metadata' });
    }
  });
  return items;
}
