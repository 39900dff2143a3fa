/**
 * `flux config diff`: what `flux config update` would change, field by field. It is a view of
 * the PATCH fluxConfigurationPatchBody computes (patch.ts) — never a second rule — with the
 * value each changed field has in Azure beside the one it would get:
 *
 *   - a field the PATCH sets that Azure has: changed (from → to);
 *   - a field or block Azure does not have: added (to), a whole new kustomization in one entry;
 *   - a field or block the PATCH sends as null: removed (from);
 *   - a protected setting, or a property Azure stores but never returns (the swagger's
 *     x-ms-secret: keys, SAS tokens, TLS material): sent, named without its value — it cannot
 *     be compared, and it is sent whenever it is given.
 *
 * A change of source kind also drops the old kind's block: shown as removed. Fields a PATCH
 * cannot change (create-only) are listed apart, as update warns about them.
 */
import { fluxConfigurationPutBody } from './arm.js';
import { fluxConfigurationPatchBody, withDefaults } from './patch.js';
import { SOURCE_PROPERTY, type FluxConfiguration } from './types.js';

export type ChangeKind = 'added' | 'changed' | 'removed' | 'sent';

export interface FieldChange {
  /** Dotted path under the resource's `properties`, e.g. `gitRepository.repositoryRef.branch`. */
  path: string;
  change: ChangeKind;
  /** The value in Azure (changed, removed). */
  from?: unknown;
  /** The value the PATCH sends (added, changed). */
  to?: unknown;
}

export interface ConfigurationDiff {
  changes: FieldChange[];
  /** Fields that differ but only a create can set; update leaves them. */
  ignored: string[];
  kindChanged: boolean;
}

/** Properties Azure stores but never returns (x-ms-secret in the 2025-04-01 swagger). */
export const WRITE_ONLY_PROPERTIES: ReadonlySet<string> = new Set(['accountKey', 'sasToken', 'clientSecret', 'clientCertificate', 'clientCertificatePassword', 'privateKey', 'caCertificate']);

const PROTECTED = 'configurationProtectedSettings';

type JsonObject = Record<string, unknown>;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function walk(path: string, from: unknown, to: unknown, out: FieldChange[]): void {
  const leaf = path.slice(path.lastIndexOf('.') + 1);
  if (WRITE_ONLY_PROPERTIES.has(leaf) && to !== null) {
    out.push({ path, change: 'sent' });
  } else if (to === null) {
    if (from !== undefined) out.push({ path, change: 'removed', from });
  } else if (isObject(to) && isObject(from)) {
    for (const [key, value] of Object.entries(to)) walk(`${path}.${key}`, from[key], value, out);
  } else if (from === undefined) {
    out.push({ path, change: 'added', to: withoutWriteOnly(to) });
    for (const hidden of writeOnlyPaths(path, to)) out.push({ path: hidden, change: 'sent' });
  } else {
    out.push({ path, change: 'changed', from, to });
  }
}

/** A new block without its write-only members (they are listed on their own, without values). */
function withoutWriteOnly(value: unknown): unknown {
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) if (!WRITE_ONLY_PROPERTIES.has(k)) out[k] = withoutWriteOnly(v);
  return out;
}

function writeOnlyPaths(path: string, value: unknown): string[] {
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([k, v]) => (WRITE_ONLY_PROPERTIES.has(k) ? [`${path}.${k}`] : writeOnlyPaths(`${path}.${k}`, v)));
}

/** The change `flux config update` would make to `current` (as Azure has it) to get `next`. */
export function configurationDiff(current: FluxConfiguration, next: FluxConfiguration): ConfigurationDiff {
  const patch = fluxConfigurationPatchBody(current, next);
  const before = withDefaults(fluxConfigurationPutBody(current).properties as Parameters<typeof withDefaults>[0]) as JsonObject;
  const changes: FieldChange[] = [];
  for (const [key, value] of Object.entries(patch.body?.properties ?? {})) {
    if (key === PROTECTED) {
      for (const name of Object.keys(value as JsonObject).sort()) changes.push({ path: `${PROTECTED}.${name}`, change: 'sent' });
      continue;
    }
    walk(key, before[key], value, changes);
  }
  if (patch.kindChanged) {
    const old = SOURCE_PROPERTY[current.sourceKind];
    if (before[old] !== undefined) changes.push({ path: old, change: 'removed', from: before[old] });
  }
  return { changes, ignored: patch.ignored, kindChanged: patch.kindChanged };
}
