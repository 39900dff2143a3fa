/**
 * The `patches` a Flux Kustomization lays over the build (Azure adds one: HelmReleases
 * annotated `clusterconfig.azure.com/use-managed-source: "true"` get the configuration's
 * GitRepository as chart source), applied the way kustomize applies an inline JSON 6902 patch:
 * to every object its target selects, each operation as RFC 6902 says (a path's parent must
 * exist). A strategic-merge patch needs kustomize itself: `isJsonPatch` tells which is which.
 */
import { isMap, isScalar, isSeq, parse, type Document, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { describeObject, toObject, type Resource } from './resources.js';

export class PatchError extends Error {}

export interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
  namespace?: string;
  labelSelector?: string;
  annotationSelector?: string;
}

export interface KustomizePatch {
  patch: string;
  target?: PatchTarget;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/** The operations of a patch text, or undefined when it is not a JSON 6902 patch. */
export function jsonPatchOperations(patch: string): Operation[] | undefined {
  let value: unknown;
  try {
    value = parse(patch);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  return value as Operation[];
}

export const isJsonPatch = (p: KustomizePatch): boolean => jsonPatchOperations(p.patch) !== undefined;

// --- selectors ---------------------------------------------------------------------------------

type Requirement = (set: Readonly<Record<string, string>>) => boolean;

/** A Kubernetes label selector: `k`, `!k`, `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`. */
export function parseSelector(selector: string): Requirement[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of selector) {
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += c;
  }
  if (current.trim() !== '' || parts.length > 0) parts.push(current);
  return parts.map((raw) => {
    const part = raw.trim();
    let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (m) {
      const [, key, op, list] = m;
      const values = new Set(list!.split(',').map((v) => v.trim()));
      return op === 'in' ? (s) => key! in s && values.has(s[key!]!) : (s) => !(key! in s) || !values.has(s[key!]!);
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (m) {
      const [, key, op, value] = m;
      return op === '!=' ? (s) => s[key!] !== value : (s) => s[key!] === value;
    }
    m = /^(!?)([^=!\s()]+)$/.exec(part);
    if (m) return m[1] ? (s) => !(m![2]! in s) : (s) => m![2]! in s;
    throw new PatchError(`'${selector}' is not a valid selector`);
  });
}

function fullMatch(pattern: string, value: string): boolean {
  return new RegExp(`^(?:${pattern})$`).test(value);
}

export function selects(target: PatchTarget | undefined, resource: Resource): boolean {
  if (!target) return true;
  const o = toObject(resource.doc);
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/', 2) : ['', o.apiVersion];
  if (target.group && target.group !== group) return false;
  if (target.version && target.version !== version) return false;
  if (target.kind && target.kind !== o.kind) return false;
  if (target.name && !fullMatch(target.name, o.metadata.name)) return false;
  if (target.namespace && !fullMatch(target.namespace, o.metadata.namespace ?? '')) return false;
  const ok = (selector: string | undefined, set: Record<string, string> | undefined): boolean =>
    !selector || parseSelector(selector).every((r) => r(Object.assign(Object.create(null) as Record<string, string>, set ?? {})));
  return ok(target.labelSelector, o.metadata.labels) && ok(target.annotationSelector, o.metadata.annotations);
}

// --- RFC 6902 on YAML documents --------------------------------------------------------------------

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`'${path}' is not a JSON pointer`);
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

type Container = YAMLMap | YAMLSeq;

function child(node: unknown, key: string): unknown {
  if (isMap(node)) return node.get(key, true);
  if (isSeq(node)) return /^(0|[1-9][0-9]*)$/.test(key) ? node.items[Number(key)] : undefined;
  return undefined;
}

function locate(doc: Document, path: string): { parent: Container; key: string } {
  const segments = pointer(path);
  if (segments.length === 0) throw new PatchError('a patch cannot replace a whole object');
  let node: unknown = doc.contents;
  for (const s of segments.slice(0, -1)) {
    node = child(node, s);
    if (node === undefined) throw new PatchError(`doc is missing path: ${JSON.stringify(path)}`);
  }
  if (!isMap(node) && !isSeq(node)) throw new PatchError(`doc is missing path: ${JSON.stringify(path)}`);
  return { parent: node, key: segments[segments.length - 1]! };
}

function read(doc: Document, path: string): Node {
  const { parent, key } = locate(doc, path);
  const found = child(parent, key);
  if (found === undefined) throw new PatchError(`doc is missing path: ${JSON.stringify(path)}`);
  return found as Node;
}

function seqIndex(seq: YAMLSeq, key: string, forAdd: boolean, path: string): number {
  if (forAdd && key === '-') return seq.items.length;
  if (!/^(0|[1-9][0-9]*)$/.test(key) || Number(key) > seq.items.length - (forAdd ? 0 : 1)) throw new PatchError(`index out of range in ${JSON.stringify(path)}`);
  return Number(key);
}

function add(doc: Document, path: string, value: Node): void {
  const { parent, key } = locate(doc, path);
  if (isMap(parent)) parent.set(key, value);
  else parent.items.splice(seqIndex(parent, key, true, path), 0, value);
}

function remove(doc: Document, path: string): void {
  const { parent, key } = locate(doc, path);
  if (isMap(parent)) {
    if (!parent.has(key)) throw new PatchError(`doc is missing path: ${JSON.stringify(path)}`);
    parent.delete(key);
  } else parent.items.splice(seqIndex(parent, key, false, path), 1);
}

function plain(node: unknown): unknown {
  return isScalar(node) ? node.value : node && typeof node === 'object' && 'toJSON' in node ? (node as { toJSON(): unknown }).toJSON() : node;
}

function applyOperation(doc: Document, op: Operation): void {
  const at = typeof op.path === 'string' ? op.path : undefined;
  if (at === undefined) throw new PatchError('an operation has no path');
  switch (op.op) {
    case 'add':
      add(doc, at, doc.createNode(op.value));
      return;
    case 'remove':
      remove(doc, at);
      return;
    case 'replace':
      read(doc, at);
      remove(doc, at);
      add(doc, at, doc.createNode(op.value));
      return;
    case 'move': {
      const value = read(doc, op.from ?? '');
      remove(doc, op.from ?? '');
      add(doc, at, value);
      return;
    }
    case 'copy':
      add(doc, at, doc.createNode(plain(read(doc, op.from ?? ''))));
      return;
    case 'test':
      if (JSON.stringify(plain(read(doc, at))) !== JSON.stringify(op.value)) throw new PatchError(`testing value ${JSON.stringify(at)} failed`);
      return;
    default:
      throw new PatchError(`unknown operation ${JSON.stringify(op.op)}`);
  }
}

/** Applies JSON 6902 patches to the resources their targets select, in order. */
export function applyJsonPatches(resources: readonly Resource[], patches: readonly KustomizePatch[]): void {
  for (const p of patches) {
    const operations = jsonPatchOperations(p.patch);
    if (!operations) throw new PatchError('not a JSON 6902 patch');
    for (const r of resources) {
      if (!selects(p.target, r)) continue;
      try {
        for (const op of operations) applyOperation(r.doc, op);
      } catch (err) {
        if (err instanceof PatchError) throw new PatchError(`the patch for ${describeObject(toObject(r.doc))} (${r.origin}) failed: ${err.message}`);
        throw err;
      }
    }
  }
}
