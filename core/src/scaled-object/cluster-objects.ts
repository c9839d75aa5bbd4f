import type { DiagnosticCollector, ObjectReporter } from './diagnostic-collector.js';
import type { ManifestObject } from './manifest-object.js';
import { KEDA_API_VERSION } from './scaled-object.js';

/** The kinds Updraft reads from files, with the only apiVersion it accepts for each. */
export const READ_KINDS = {
  ScaledObject: KEDA_API_VERSION,
  TriggerAuthentication: KEDA_API_VERSION,
  ClusterTriggerAuthentication: KEDA_API_VERSION,
  Secret: 'v1',
  ConfigMap: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
} as const;

export type ReadKind = keyof typeof READ_KINDS;
export type WorkloadKind = 'Deployment' | 'StatefulSet';

export const DEFAULT_NAMESPACE = 'default';

/** The decoded key/value data of a Secret or ConfigMap. */
export interface DataObject {
  /** e.g. `Secret default/prom-auth` */
  readonly label: string;
  readonly data: ReadonlyMap<string, string>;
}

/** A document Updraft reads, with the reporter that places diagnostics in it. */
export interface IndexedObject {
  readonly kind: ReadKind;
  readonly object: ManifestObject;
  readonly reporter: ObjectReporter;
  /** Always set for namespaced kinds (`default` when absent); undefined for ClusterTriggerAuthentication. */
  readonly namespace?: string;
  readonly name?: string;
}

/** "namespace/name" as diagnostics name an object; just the name for cluster-scoped kinds. */
export function objectLabel(namespace: string | undefined, name: string | undefined): string | undefined {
  if (name === undefined) return undefined;
  return namespace === undefined ? name : `${namespace}/${name}`;
}

/**
 * The set of files read as a cluster would hold it: every object Updraft reads, by kind, namespace
 * and name. Other kinds are skipped with a notice, duplicates and wrong apiVersions are errors.
 */
export class ClusterObjects {
  private readonly byKey = new Map<string, IndexedObject>();
  private readonly secrets = new Map<string, DataObject>();
  private readonly configMaps = new Map<string, DataObject>();
  readonly scaledObjects: IndexedObject[] = [];
  readonly triggerAuthentications: IndexedObject[] = [];

  constructor(objects: readonly ManifestObject[], private readonly collector: DiagnosticCollector) {
    for (const object of objects) this.add(object);
  }

  secret(namespace: string, name: string): DataObject | undefined {
    return this.secrets.get(`${namespace}/${name}`);
  }

  configMap(namespace: string, name: string): DataObject | undefined {
    return this.configMaps.get(`${namespace}/${name}`);
  }

  workload(kind: WorkloadKind, namespace: string, name: string): IndexedObject | undefined {
    return this.byKey.get(key(kind, namespace, name));
  }

  triggerAuthentication(kind: 'TriggerAuthentication' | 'ClusterTriggerAuthentication', namespace: string | undefined, name: string): IndexedObject | undefined {
    return this.byKey.get(key(kind, kind === 'TriggerAuthentication' ? namespace : undefined, name));
  }

  private add(object: ManifestObject): void {
    const kind = this.classify(object);
    if (!kind) return;
    const namespace = kind === 'ClusterTriggerAuthentication' ? undefined : (object.namespace ?? DEFAULT_NAMESPACE);
    const name = object.name;
    const reporter = this.collector.forObject(object, objectLabel(namespace, name));
    const indexed: IndexedObject = { kind, object, reporter, ...(namespace !== undefined ? { namespace } : {}), ...(name !== undefined ? { name } : {}) };

    // ScaledObjects and TriggerAuthentications go through their schema, which reports a missing name itself.
    const validated = kind === 'ScaledObject' || kind === 'TriggerAuthentication' || kind === 'ClusterTriggerAuthentication';
    if (name === undefined) {
      if (!validated) reporter.error(['metadata', 'name'], 'required field is missing');
      else this.listOf(kind).push(indexed);
      return;
    }
    const id = key(kind, namespace, name);
    const first = this.byKey.get(id);
    if (first) {
      const { line, col } = first.object.start();
      reporter.error(['metadata', 'name'], `duplicate ${kind} ${objectLabel(namespace, name)}: it is already defined at ${first.object.file}:${line}:${col}; this one is ignored`);
      return;
    }
    this.byKey.set(id, indexed);
    if (kind === 'Secret') this.secrets.set(`${namespace}/${name}`, readData(indexed, true, this.collector));
    else if (kind === 'ConfigMap') this.configMaps.set(`${namespace}/${name}`, readData(indexed, false, this.collector));
    else if (validated) this.listOf(kind).push(indexed);
  }

  private listOf(kind: ReadKind): IndexedObject[] {
    return kind === 'ScaledObject' ? this.scaledObjects : this.triggerAuthentications;
  }

  /** The kind when Updraft reads it; otherwise reports why the document is skipped or wrong. */
  private classify(object: ManifestObject): ReadKind | undefined {
    const { apiVersion, kind } = object;
    // Namespaced kinds default to `default`; for kinds Updraft does not know, show what is written.
    const namespaced = typeof kind === 'string' && Object.hasOwn(READ_KINDS, kind) && kind !== 'ClusterTriggerAuthentication';
    const label = objectLabel(namespaced ? (object.namespace ?? DEFAULT_NAMESPACE) : object.namespace, object.name);
    const reporter = this.collector.forObject(object, label);
    let usable = true;
    for (const [field, value] of [['apiVersion', apiVersion], ['kind', kind]] as const) {
      if (value === undefined || value === null) {
        reporter.error([field], 'required field is missing: every Kubernetes object has an apiVersion and a kind');
        usable = false;
      } else if (typeof value !== 'string' || value === '') {
        reporter.error([field], 'must be a non-empty string');
        usable = false;
      }
    }
    if (!usable) return undefined;
    if (kind === 'ScaledJob') {
      reporter.notice(['kind'], 'skipped: ScaledJobs are not supported; Updraft serves ScaledObjects to the HPA, and KEDA runs ScaledJobs itself', { shownPath: [] });
      return undefined;
    }
    if (!Object.hasOwn(READ_KINDS, kind as string)) {
      reporter.notice(['kind'], `skipped: kind ${kind as string} is not read by updraft`, { shownPath: [] });
      return undefined;
    }
    const expected = READ_KINDS[kind as ReadKind];
    if (apiVersion !== expected) {
      reporter.error(['apiVersion'], `a ${kind as string} must have apiVersion ${expected}, got ${JSON.stringify(apiVersion)}`);
      return undefined;
    }
    return kind as ReadKind;
  }
}

function key(kind: string, namespace: string | undefined, name: string): string {
  return `${kind}/${namespace ?? ''}/${name}`;
}

// Go's base64.StdEncoding, which the API server uses for Secret data: padded, line breaks ignored.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Reads a Secret's `data` (base64) and `stringData` (plain, wins on a shared key, as the API server
 * merges it), or a ConfigMap's `data` (plain) and `binaryData` (base64). A Secret `data` value that
 * is not base64 is an error, as for the API server, and is read as plain text so the rest is still checked. Secret values are registered for redaction
 * and never quoted in a message.
 */
function readData(indexed: IndexedObject, secret: boolean, collector: DiagnosticCollector): DataObject {
  const { object, reporter } = indexed;
  const data = new Map<string, string>();
  const fields = secret ? (['data', 'stringData'] as const) : (['binaryData', 'data'] as const);
  for (const field of fields) {
    const raw = object.get([field]);
    if (raw === undefined || raw === null) continue;
    if (typeof raw !== 'object' || Array.isArray(raw)) {
      reporter.error([field], 'must be a mapping of keys to string values');
      continue;
    }
    const base64 = secret ? field === 'data' : field === 'binaryData';
    for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
      if (typeof value !== 'string') {
        const what = secret ? 'its value is not shown' : `got ${JSON.stringify(value)}`;
        reporter.error([field, name], `must be a string (${what}): quote it; the Kubernetes API server rejects other values here`);
        continue;
      }
      let text = value;
      if (base64) {
        const compact = value.replace(/[\r\n]/g, '');
        if (BASE64.test(compact)) {
          text = Buffer.from(compact, 'base64').toString('utf8');
          if (secret) collector.hideSecret(compact);
        } else if (secret) {
          // The API server decodes []byte fields with Go's base64.StdEncoding and refuses the whole
          // Secret. The text is still read as written, so that what uses it is checked too.
          reporter.error([field, name], 'is not valid base64 (standard alphabet, = padding): the Kubernetes API server refuses this Secret; put plain text under stringData');
        } else {
          reporter.error([field, name], 'must be base64-encoded, and this value is not valid base64');
          continue;
        }
      }
      if (secret) collector.hideSecret(text);
      data.set(name, text);
    }
  }
  return { label: `${indexed.kind} ${objectLabel(indexed.namespace, indexed.name)}`, data };
}
