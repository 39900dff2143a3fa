/**
 * The rendered Flux objects of a configuration (what Azure's agent makes from it) against the
 * live objects in the cluster, spec by spec. Pure.
 *
 * Only `spec` is compared: status, managed fields and the rest of the metadata belong to the
 * controllers and the API server. A field that only one side has is no difference when its
 * value is empty (false, 0, '', [], {}) or the default the CRD or the controller applies (a
 * GitRepository without `ref` follows `master`; source timeouts default to 60s …), since the
 * API server and Flux fill those in. Rendered objects that Flux does not serve (the FluxConfig,
 * Secrets, whose values are never rendered) are not compared.
 */
import type { FieldChange } from '../model/config-diff.js';

export interface ObjectRef {
  kind: string;
  namespace: string;
  name: string;
}

export interface ObjectDrift extends ObjectRef {
  /** added: rendered, not in the cluster; removed: in the cluster, no longer rendered; changed: specs differ. */
  change: 'added' | 'removed' | 'changed';
  /** For changed: each differing field (`spec.…`), from the live value to the rendered one. */
  fields: FieldChange[];
}

interface SpecObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  spec?: unknown;
}

/** The kinds a configuration's rendered objects are compared as. */
export const COMPARED_KINDS: ReadonlySet<string> = new Set(['GitRepository', 'Bucket', 'OCIRepository', 'Kustomization']);

/** Defaults the CRDs (schemas/flux) or the controllers apply to fields left out, by kind and spec path. */
const DEFAULTS: Record<string, Record<string, unknown>> = {
  GitRepository: { 'spec.timeout': '60s', 'spec.ref': { branch: 'master' }, 'spec.provider': 'generic', 'spec.verify.mode': 'HEAD' },
  Bucket: { 'spec.timeout': '60s', 'spec.provider': 'generic' },
  OCIRepository: { 'spec.timeout': '60s', 'spec.ref': { tag: 'latest' }, 'spec.provider': 'generic', 'spec.verify.provider': 'cosign' },
  Kustomization: {},
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => equal(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => equal(a[k], b[k]));
  }
  return false;
}

function empty(value: unknown): boolean {
  return value === undefined || value === null || value === false || value === 0 || value === '' || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0);
}

const refOf = (o: SpecObject): ObjectRef => ({ kind: String(o.kind ?? ''), namespace: String(o.metadata?.namespace ?? ''), name: String(o.metadata?.name ?? '') });
export const refKey = (r: ObjectRef): string => `${r.kind}/${r.namespace}/${r.name}`;

function compare(kind: string, path: string, live: unknown, rendered: unknown, out: FieldChange[]): void {
  if (equal(live, rendered)) return;
  if (isObject(live) && isObject(rendered)) {
    for (const key of [...new Set([...Object.keys(rendered), ...Object.keys(live)])].sort()) compare(kind, `${path}.${key}`, live[key], rendered[key], out);
    return;
  }
  const defaultValue = DEFAULTS[kind]?.[path];
  const unset = (v: unknown): boolean => empty(v) || (defaultValue !== undefined && equal(v, defaultValue));
  if (live === undefined && unset(rendered)) return;
  if (rendered === undefined && unset(live)) return;
  if (live === undefined) out.push({ path, change: 'added', to: rendered });
  else if (rendered === undefined) out.push({ path, change: 'removed', from: live });
  else out.push({ path, change: 'changed', from: live, to: rendered });
}

/** The differing fields of two specs (live → rendered); empty when they agree. */
export function specDrift(kind: string, live: unknown, rendered: unknown): FieldChange[] {
  const out: FieldChange[] = [];
  compare(kind, 'spec', live ?? {}, rendered ?? {}, out);
  return out;
}

/**
 * Each rendered object of a compared kind against the live object of the same kind, namespace
 * and name; live objects of the configuration (`owned`) that are no longer rendered are
 * `removed`. In the order of the rendered objects, then the removed ones by key.
 */
export function clusterDrift(rendered: readonly SpecObject[], live: readonly SpecObject[], owned: (o: SpecObject) => boolean): ObjectDrift[] {
  const liveByKey = new Map(live.map((o) => [refKey(refOf(o)), o]));
  const out: ObjectDrift[] = [];
  const seen = new Set<string>();
  for (const r of rendered) {
    const ref = refOf(r);
    if (!COMPARED_KINDS.has(ref.kind)) continue;
    const key = refKey(ref);
    seen.add(key);
    const l = liveByKey.get(key);
    if (!l) {
      out.push({ ...ref, change: 'added', fields: [] });
      continue;
    }
    const fields = specDrift(ref.kind, l.spec, r.spec);
    if (fields.length > 0) out.push({ ...ref, change: 'changed', fields });
  }
  const removed = live.filter((o) => COMPARED_KINDS.has(String(o.kind)) && !seen.has(refKey(refOf(o))) && owned(o)).map(refOf);
  for (const ref of removed.sort((a, b) => refKey(a).localeCompare(refKey(b)))) out.push({ ...ref, change: 'removed', fields: [] });
  return out;
}
