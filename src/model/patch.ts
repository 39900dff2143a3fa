/**
 * `flux config update` sends a minimal PATCH: only what differs between the configuration in
 * Azure and the one the user asked for, in JSON merge-patch form (a changed leaf is sent, a
 * removed field or kustomization is sent as null). Nothing the user did not touch is sent, so
 * nothing is lost.
 */
import { fluxConfigurationPutBody } from './arm.js';
import { lastModifiedOf } from './file.js';
import { AZURE_DEFAULTS, SOURCE_PROPERTY, type FluxConfiguration } from './types.js';
import { setOwn } from './values.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => equal(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && equal(a[k], b[k]));
  }
  return false;
}

/** The merge patch turning `from` into `to`; undefined when they are equal. */
export function mergeDiff(from: JsonObject | undefined, to: JsonObject): JsonObject | undefined {
  const out: JsonObject = {};
  // Keys may be user-chosen (substitution variables): own properties only, set with setOwn.
  for (const [k, v] of Object.entries(to)) {
    const old = from && Object.hasOwn(from, k) ? from[k] : undefined;
    if (equal(old, v)) continue;
    if (isObject(old) && isObject(v)) {
      const inner = mergeDiff(old, v);
      if (inner) setOwn(out, k, inner);
    } else {
      setOwn(out, k, v);
    }
  }
  for (const k of Object.keys(from ?? {})) if (!Object.hasOwn(to, k)) setOwn(out, k, null);
  return Object.keys(out).length > 0 ? out : undefined;
}

export interface PatchResult {
  body?: { properties: JsonObject };
  /** Fields that differ but cannot be changed by a PATCH (create-only). */
  ignored: string[];
  kindChanged: boolean;
}

const SOURCE_DEFAULTS: JsonObject = { timeoutInSeconds: 600, syncIntervalInSeconds: 600 };
const KUSTOMIZATION_DEFAULTS: JsonObject = { path: '', dependsOn: [], timeoutInSeconds: 600, syncIntervalInSeconds: 600, prune: false, force: false, wait: true };
const OCI_DEFAULTS: JsonObject = { ...SOURCE_DEFAULTS, insecure: false, useWorkloadIdentity: false };

/**
 * The properties with Azure's defaults written out, so that "absent" and "the default" compare
 * equal (a file that leaves out timeoutInSeconds does not mean to change 600), and so that a
 * field the user removes is sent as its default rather than as null.
 */
export function withDefaults(props: JsonObject): JsonObject {
  const out: JsonObject = { suspend: false, ...props };
  for (const source of ['gitRepository', 'bucket', 'azureBlob'] as const) {
    if (isObject(out[source])) out[source] = { ...SOURCE_DEFAULTS, ...(out[source] as JsonObject) };
  }
  if (isObject(out.ociRepository)) out.ociRepository = { ...OCI_DEFAULTS, ...(out.ociRepository as JsonObject) };
  if (isObject(out.kustomizations)) {
    out.kustomizations = Object.fromEntries(Object.entries(out.kustomizations as JsonObject).map(([k, v]) => [k, { ...KUSTOMIZATION_DEFAULTS, ...(v as JsonObject) }]));
  }
  return out;
}

export function fluxConfigurationPatchBody(current: FluxConfiguration, next: FluxConfiguration): PatchResult {
  const a = withDefaults(fluxConfigurationPutBody(current).properties as JsonObject);
  const b = withDefaults(fluxConfigurationPutBody(next).properties as JsonObject);
  const patch: JsonObject = {};
  const ignored = ['waitForReconciliation', 'reconciliationWaitDuration'].filter((k) => !equal(a[k], b[k]));
  if (!equal(a.suspend, b.suspend)) patch.suspend = b.suspend ?? false;
  const kindChanged = current.sourceKind !== next.sourceKind;
  const oldProp = SOURCE_PROPERTY[current.sourceKind];
  const newProp = SOURCE_PROPERTY[next.sourceKind];
  if (kindChanged) {
    // The new kind's block in full; the old one is left out (the swagger does not let a PATCH
    // null it, and the service keeps only the block of the current sourceKind).
    patch.sourceKind = next.sourceKind;
    patch[newProp] = b[newProp] as Json;
  } else {
    const diff = mergeDiff(a[oldProp] as JsonObject | undefined, b[newProp] as JsonObject);
    if (diff) patch[newProp] = diff;
  }
  const ks = mergeDiff(a.kustomizations as JsonObject, b.kustomizations as JsonObject);
  if (ks) patch.kustomizations = ks;
  if (Object.keys(next.configurationProtectedSettings).length > 0) patch.configurationProtectedSettings = { ...next.configurationProtectedSettings };
  return { ...(Object.keys(patch).length > 0 ? { body: { properties: patch } } : {}), ignored, kindChanged };
}

/** True when a PATCH would carry nothing: Azure already holds what was asked for. */
export function isEmptyPatch(patch: PatchResult): boolean {
  return patch.body === undefined;
}

/**
 * True when the configuration Azure holds (`current`) already is `next`: an update asking for
 * it sends nothing, a create asking for it has nothing to do, and a write whose operation ended
 * oddly did land. Protected settings cannot be read back, so a `next` that carries any is never
 * held, unless `exceptSecrets` compares everything else.
 */
export function holdsConfiguration(current: FluxConfiguration, next: FluxConfiguration, options: { exceptSecrets?: boolean } = {}): boolean {
  const fixed = (c: FluxConfiguration): string => `${c.scope ?? AZURE_DEFAULTS.scope}/${c.namespace ?? AZURE_DEFAULTS.namespace}`;
  const wanted = options.exceptSecrets ? { ...next, configurationProtectedSettings: {} } : next;
  return fixed(current) === fixed(wanted) && isEmptyPatch(fluxConfigurationPatchBody(current, wanted));
}

/** The leaf fields a merge patch sets, as dotted paths (`gitRepository.repositoryRef.branch`). */
function leafPaths(value: JsonObject, prefix = ''): string[] {
  return Object.entries(value).flatMap(([k, v]) => (isObject(v) && Object.keys(v).length > 0 ? leafPaths(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
}

export interface StaleFile {
  /** systemData.lastModifiedAt of the file, and of the configuration in Azure now. */
  fileAt: string;
  liveAt: string;
  /** The fields the PATCH would set back to the file's values. */
  fields: string[];
}

/**
 * `update -f` with a file written from an older state of the configuration (someone changed it
 * in Azure since: its systemData.lastModifiedAt is later than the file's). The API has no ETag,
 * so this is the check there is; a file without systemData is taken as written now.
 */
export function changedSince(file: { lastModifiedAt?: string }, resource: unknown, patch: PatchResult): StaleFile | undefined {
  const fileAt = file.lastModifiedAt;
  const liveAt = lastModifiedOf(resource);
  if (!patch.body || fileAt === undefined || liveAt === undefined || fileAt === liveAt) return undefined;
  const [f, l] = [Date.parse(fileAt), Date.parse(liveAt)];
  if (Number.isNaN(f) || Number.isNaN(l) || l < f) return undefined;
  const { configurationProtectedSettings: _secrets, ...rest } = patch.body.properties;
  return { fileAt, liveAt, fields: leafPaths(rest) };
}
