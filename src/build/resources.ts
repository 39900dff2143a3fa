/**
 * Kubernetes manifests as kustomize holds them while it builds: YAML documents that keep their
 * scalars' styles (a quoted "${replicas}" must stay a string after substitution), read and
 * converted with YAML 1.1 rules as the API machinery does (`on`, `yes` and `0777` are a
 * boolean and a number there).
 */
import { Document, isMap, isScalar, isSeq, parseAllDocuments, type DocumentOptions, type ParseOptions, type SchemaOptions, type ToJSOptions } from 'yaml';
import type { KubeObject } from '../render/kube.js';

/**
 * YAML 1.1 as go-yaml v2 reads it (the decoder behind sigs.k8s.io/yaml): booleans such as
 * `on` and `yes`, octal `0777`; but no sexagesimal numbers and no timestamps, which it leaves
 * as strings.
 */
export const KUBE_YAML: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  customTags: (tags) => tags.filter((t) => !(typeof t === 'object' && (t.tag === 'tag:yaml.org,2002:timestamp' || t.format === 'TIME'))),
  uniqueKeys: false,
};
const TO_JS: ToJSOptions = { maxAliasCount: 1000 };

export class ManifestError extends Error {}

/** One object of a build, with where it came from (for messages). */
export interface Resource {
  doc: Document;
  origin: string;
}

export function toObject(doc: Document): KubeObject {
  return doc.toJS(TO_JS) as KubeObject;
}

/** `Kind group/version namespace/name`, as messages name an object. */
export function describeObject(o: { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } }): string {
  const ns = typeof o.metadata?.namespace === 'string' && o.metadata.namespace ? `${o.metadata.namespace}/` : '';
  return `${String(o.kind)} ${ns}${String(o.metadata?.name)}`;
}

function nilEntry(value: unknown, path: string): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (value[i] === null || value[i] === undefined) return `${path}[${i}]`;
      const inner = nilEntry(value[i], `${path}[${i}]`);
      if (inner) return inner;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const inner = nilEntry(v, `${path}.${k}`);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** Checks one document the way kustomize's resource factory does, or says why not. */
function validate(value: unknown): string | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'a document is not a mapping';
  const o = value as { kind?: unknown; metadata?: { name?: unknown } };
  if (typeof o.kind !== 'string' || o.kind === '') return 'missing kind in object';
  if (!o.kind.endsWith('List') && (typeof o.metadata?.name !== 'string' || o.metadata.name === '')) return `missing metadata.name in ${o.kind}`;
  const nil = nilEntry(value, '');
  if (nil) return `empty item at ${nil} in ${describeObject(o)}`;
  return undefined;
}

/**
 * The objects of one manifest file, as kustomize reads them: empty documents skipped, every
 * other one a mapping with a kind and (unless a list) a name, `…List` kinds with `items`
 * replaced by their items (after the file's other objects).
 */
export function readManifests(text: string, origin: string): Resource[] {
  const queue: Document[] = [];
  for (const doc of parseAllDocuments(text, KUBE_YAML)) {
    if ('empty' in doc) continue;
    if (doc.errors.length > 0) throw new ManifestError(`${origin}: ${doc.errors[0]!.message.split('\n')[0]}`);
    queue.push(doc);
  }
  const out: Resource[] = [];
  while (queue.length > 0) {
    const doc = queue.shift()!;
    const value = doc.toJS(TO_JS) as unknown;
    if (value === null || value === undefined || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0)) continue;
    const problem = validate(value);
    if (problem) throw new ManifestError(`${origin}: ${problem}`);
    const o = value as { kind: string; items?: unknown };
    if (o.kind.endsWith('List') && 'items' in o) {
      if (o.items === null) continue;
      if (!Array.isArray(o.items)) throw new ManifestError(`${origin}: expected a list in ${o.kind}/items`);
      const items = doc.get('items', true);
      if (isSeq(items)) for (const item of items.items) queue.push(new Document(item, KUBE_YAML));
      continue;
    }
    out.push({ doc, origin });
  }
  return out;
}

/** kustomize's resource id: group, version, kind, namespace (empty meaning default) and name. */
export function resourceId(o: KubeObject): string {
  return `${o.apiVersion ?? ''}|${o.kind}|${o.metadata?.namespace || 'default'}|${o.metadata?.name}`;
}

/** Throws if two objects share an id (kustomize: "may not add resource with an already registered id"). */
export function checkUnique(resources: readonly Resource[]): void {
  const seen = new Map<string, string>();
  for (const r of resources) {
    const o = toObject(r.doc);
    const id = resourceId(o);
    const first = seen.get(id);
    if (first !== undefined) throw new ManifestError(`${describeObject(o)} is defined twice: in ${first} and in ${r.origin}`);
    seen.set(id, r.origin);
  }
}

/** kustomize drops objects annotated `config.kubernetes.io/local-config` (unless "false"). */
export function dropLocalConfig(resources: readonly Resource[]): Resource[] {
  return resources.filter((r) => {
    const value = toObject(r.doc).metadata?.annotations?.['config.kubernetes.io/local-config'];
    return value === undefined || value === 'false';
  });
}

/** The text of one object, as substitution sees it (styles kept, no line folding). */
export function documentText(doc: Document): string {
  return doc.toString({ lineWidth: 0 });
}

/** Sets metadata.labels[key] on a document. */
export function setLabel(doc: Document, key: string, value: string): void {
  const labels = doc.getIn(['metadata', 'labels']);
  if (!isMap(labels)) doc.setIn(['metadata', 'labels'], doc.createNode({}));
  doc.setIn(['metadata', 'labels', key], value);
}

/** A label or annotation value of a document, if it is a string. */
export function metadataValue(doc: Document, field: 'labels' | 'annotations', key: string): string | undefined {
  const node = doc.getIn(['metadata', field, key], true);
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}
