/**
 * PATCH of a Flux object through a cluster's Kubernetes API, as the API server does it for
 * custom resources: a JSON merge patch (`application/merge-patch+json`, what `kubectl annotate`
 * and the Flux CLI send) or a JSON patch (`application/json-patch+json`, RFC 6902); strategic
 * merge patch is refused for custom resources (415), as server-side apply is here.
 *
 * Clients change metadata (labels, annotations) and spec; status, uid, generation and the other
 * fields the server owns are kept. A `metadata.resourceVersion` in the result is a precondition
 * (409 when it is not the current one). The result is checked against the CRD (422 Invalid).
 * The change is made to the simulated agent's object itself — so what Azure reports
 * (`statuses[]`) and what the cluster serves stay one — and the agent is told, which makes the
 * object's controller reconcile it again on a new `reconcile.fluxcd.io/requestedAt` or spec.
 */
import { validateKubeObject } from '../../schemas/validate.js';
import type { FluxObject } from '../agent/objects.js';
import { mergePatch } from '../arm/merge.js';
import { deepClone, isObject, jsonEqual, type Json } from '../util.js';
import { badRequest, KubeError } from './errors.js';
import type { ResourceType } from './resources.js';

export const REQUESTED_AT = 'reconcile.fluxcd.io/requestedAt';

export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';

const unsupported = (): KubeError =>
  new KubeError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${JSON_PATCH}, ${MERGE_PATCH}`);

const invalid = (type: ResourceType, name: string, problems: { field: string; message: string }[]): KubeError =>
  new KubeError(422, 'Invalid', `${type.kind}.${type.group} "${name}" is invalid: ${problems.map((p) => `${p.field}: ${p.message}`).join(', ')}`, {
    name,
    group: type.group,
    kind: type.kind,
    causes: problems.map((p) => ({ reason: 'FieldValueInvalid', message: p.message, field: p.field })),
  });

/** RFC 6901: `/a/b~1c/0` → ['a', 'b/c', '0']. */
function pointer(path: unknown): string[] {
  if (typeof path !== 'string' || (path !== '' && !path.startsWith('/'))) throw badRequest(`the JSON patch path ${JSON.stringify(path)} is not a JSON pointer`);
  return path === '' ? [] : path.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, tokens: string[], op: string): { parent: Json | unknown[]; key: string } {
  let cur: unknown = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur) && /^\d+$/.test(t) && Number(t) < cur.length) cur = cur[Number(t)];
    else if (isObject(cur) && Object.hasOwn(cur, t)) cur = cur[t];
    else throw new KubeError(422, 'Invalid', `the JSON patch ${op} operation's path does not exist: /${tokens.join('/')}`);
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw new KubeError(422, 'Invalid', `the JSON patch ${op} operation's path does not exist: /${tokens.join('/')}`);
  return { parent: cur, key: tokens[tokens.length - 1]! };
}

function read(doc: unknown, tokens: string[], op: string): unknown {
  if (tokens.length === 0) return doc;
  const { parent, key } = parentOf(doc, tokens, op);
  const found = Array.isArray(parent) ? (/^\d+$/.test(key) ? parent[Number(key)] : undefined) : Object.hasOwn(parent, key) ? parent[key] : undefined;
  if (found === undefined) throw new KubeError(422, 'Invalid', `the JSON patch ${op} operation's path does not exist: /${tokens.join('/')}`);
  return found;
}

function remove(doc: unknown, tokens: string[], op: string): unknown {
  read(doc, tokens, op);
  const { parent, key } = parentOf(doc, tokens, op);
  if (Array.isArray(parent)) parent.splice(Number(key), 1);
  else delete parent[key];
  return doc;
}

function add(doc: unknown, tokens: string[], value: unknown, op: string): unknown {
  if (tokens.length === 0) return deepClone(value);
  const { parent, key } = parentOf(doc, tokens, op);
  if (Array.isArray(parent)) {
    const index = key === '-' ? parent.length : /^\d+$/.test(key) ? Number(key) : NaN;
    if (!(index >= 0 && index <= parent.length)) throw new KubeError(422, 'Invalid', `the JSON patch ${op} operation's index is out of range: /${tokens.join('/')}`);
    parent.splice(index, 0, deepClone(value));
  } else {
    parent[key] = deepClone(value);
  }
  return doc;
}

/** RFC 6902 on a copy of `target`. */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw badRequest('a JSON patch is a list of operations');
  let doc = deepClone(target);
  for (const raw of operations) {
    if (!isObject(raw) || typeof raw.op !== 'string') throw badRequest('each JSON patch operation needs an "op"');
    const { op } = raw;
    const path = pointer(raw.path);
    switch (op) {
      case 'add':
        doc = add(doc, path, raw.value, op);
        break;
      case 'remove':
        doc = remove(doc, path, op);
        break;
      case 'replace':
        read(doc, path, op);
        doc = add(remove(doc, path, op), path, raw.value, op);
        break;
      case 'move':
      case 'copy': {
        const from = pointer(raw.from);
        const value = deepClone(read(doc, from, op));
        if (op === 'move') doc = remove(doc, from, op);
        doc = add(doc, path, value, op);
        break;
      }
      case 'test':
        if (!jsonEqual(read(doc, path, op), raw.value)) throw new KubeError(422, 'Invalid', `the JSON patch test operation failed at /${raw.path as string}`);
        break;
      default:
        throw badRequest(`unknown JSON patch operation "${op}"`);
    }
  }
  return doc;
}

function stringMap(value: unknown): boolean {
  return value === undefined || (isObject(value) && Object.values(value).every((v) => typeof v === 'string'));
}

export interface PatchOutcome {
  /** What the patch changed, for the agent. */
  spec: boolean;
  requestedAt?: string;
}

/**
 * Applies a PATCH body to `served` (the object as the API serves it) and, unless `dryRun`, to
 * the agent's object. Returns what changed; throws KubeError for a request the API server refuses.
 */
export function patchFluxObject(type: ResourceType, served: Json, obj: FluxObject, contentType: string | undefined, body: string, dryRun: boolean): PatchOutcome & { result: Json } {
  const media = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (media !== MERGE_PATCH && media !== JSON_PATCH) throw unsupported();
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw badRequest('the request body is not valid JSON');
  }
  const patched = media === MERGE_PATCH ? mergePatch(served, parsed) : jsonPatch(served, parsed);
  if (!isObject(patched)) throw badRequest('the patched object is not an object');
  const before = (served.metadata ?? {}) as Json;
  const after = (isObject(patched.metadata) ? patched.metadata : {}) as Json;
  if (patched.apiVersion !== served.apiVersion || patched.kind !== served.kind) {
    throw badRequest(`the API version and kind in the data (${String(patched.apiVersion)}, ${String(patched.kind)}) do not match the expected ones (${String(served.apiVersion)}, ${String(served.kind)})`);
  }
  if (after.name !== before.name || after.namespace !== before.namespace) {
    throw badRequest(`the name of the object (${String(after.name)}) does not match the name on the URL (${String(before.name)})`);
  }
  if (after.uid !== undefined && after.uid !== before.uid) {
    throw new KubeError(409, 'Conflict', `Precondition failed: UID in precondition: ${String(after.uid)}, UID in object meta: ${String(before.uid)}`);
  }
  if (after.resourceVersion !== undefined && after.resourceVersion !== before.resourceVersion) {
    throw new KubeError(409, 'Conflict', `Operation cannot be fulfilled on ${type.plural}.${type.group} "${String(before.name)}": the object has been modified; please apply your changes to the latest version and try again`, {
      name: before.name,
      group: type.group,
      kind: type.plural,
    });
  }
  const problems: { field: string; message: string }[] = [];
  if (!stringMap(after.labels)) problems.push({ field: 'metadata.labels', message: 'must be a map of strings' });
  if (!stringMap(after.annotations)) problems.push({ field: 'metadata.annotations', message: 'must be a map of strings' });
  if (!isObject(patched.spec)) problems.push({ field: 'spec', message: 'Required value' });
  // What the server owns is kept; the rest must still be a valid object of the CRD.
  const labels = { ...((after.labels ?? {}) as Record<string, string>) };
  const annotations = { ...((after.annotations ?? {}) as Record<string, string>) };
  const metadata: Json = { ...before, labels };
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  else delete metadata.annotations;
  const candidate: Json = { ...served, metadata, spec: patched.spec };
  if (problems.length === 0) {
    for (const p of validateKubeObject({ ...candidate, metadata: { name: before.name, namespace: before.namespace } })) {
      const colon = p.indexOf(': ');
      problems.push({ field: colon > 0 ? p.slice(1, colon).replace(/\//g, '.') : '', message: colon > 0 ? p.slice(colon + 2) : p });
    }
  }
  if (problems.length > 0) throw invalid(type, String(before.name), problems);

  const spec = !jsonEqual(obj.spec, patched.spec);
  const previousToken = obj.annotations?.[REQUESTED_AT];
  const requestedAt = annotations[REQUESTED_AT] !== undefined && annotations[REQUESTED_AT] !== previousToken ? annotations[REQUESTED_AT] : undefined;
  if (spec) metadata.generation = obj.generation + 1;
  if (!dryRun) {
    obj.labels = labels;
    obj.annotations = Object.keys(annotations).length > 0 ? annotations : undefined;
    if (spec) {
      obj.spec = deepClone(patched.spec as Json);
      obj.generation++;
    }
  }
  return { spec, ...(requestedAt !== undefined ? { requestedAt } : {}), result: candidate };
}
