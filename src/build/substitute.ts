/**
 * Flux's post-build substitution (kustomize-controller, "Post build variable substitution"):
 * the variables are the data of the ConfigMaps and Secrets `substituteFrom` names (in order,
 * later ones winning), then `substitute` (winning over all); every newline is removed from
 * every value; every variable name must be a shell identifier. Objects labelled or annotated
 * `kustomize.toolkit.fluxcd.io/substitute: disabled` are left alone, and nothing is
 * substituted when there is no variable at all (Azure's Flux has no `substituteStrategy`).
 * Each object's YAML text is expanded, then read again as YAML.
 *
 * Offline, the ConfigMaps and Secrets come from files the user gives instead of the cluster.
 */
import { parseAllDocuments, parseDocument } from 'yaml';
import { envsubst, EnvsubstError, variableLookup } from './envsubst.js';
import { describeObject, documentText, KUBE_YAML, metadataValue, toObject, type Resource } from './resources.js';
import type { SubstituteFrom } from '../model/types.js';

export const SUBSTITUTE_KEY = 'kustomize.toolkit.fluxcd.io/substitute';
const VARIABLE_NAME = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

export class SubstitutionError extends Error {}

/** The ConfigMaps and Secrets available to `substituteFrom`, by `Kind/name`. */
export type VariableSources = Map<string, { data: Map<string, string>; secret: boolean; origin: string }>;

/**
 * Reads ConfigMap and Secret manifests (YAML, several per file) into variable sources. Secret
 * `data` is base64 as in the API; `stringData` is taken as written. Only objects of the
 * configuration's namespace (or without one) are kept. `onSecret` sees every secret value.
 */
export function readVariableSources(text: string, origin: string, namespace: string, into: VariableSources, onSecret: (value: string) => void): void {
  for (const doc of parseAllDocuments(text, KUBE_YAML)) {
    if ('empty' in doc) continue;
    if (doc.errors.length > 0) throw new SubstitutionError(`${origin}: ${doc.errors[0]!.message.split('\n')[0]}`);
    const o = doc.toJS() as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown }; data?: unknown; stringData?: unknown } | null;
    if (o === null || o === undefined) continue;
    if (typeof o !== 'object' || (o.kind !== 'ConfigMap' && o.kind !== 'Secret')) {
      throw new SubstitutionError(`${origin}: holds a ${typeof o === 'object' ? String(o.kind) : typeof o}; only ConfigMaps and Secrets give variables`);
    }
    const name = o.metadata?.name;
    if (typeof name !== 'string' || name === '') throw new SubstitutionError(`${origin}: a ${o.kind} without metadata.name`);
    if (o.metadata?.namespace !== undefined && o.metadata.namespace !== namespace) continue;
    const data = new Map<string, string>();
    const secret = o.kind === 'Secret';
    const add = (field: 'data' | 'stringData', decode: boolean): void => {
      const values = o[field];
      if (values === undefined || values === null) return;
      if (typeof values !== 'object' || Array.isArray(values)) throw new SubstitutionError(`${origin}: ${o.kind} ${name}: ${field} must be a map`);
      for (const [k, v] of Object.entries(values)) {
        if (typeof v !== 'string') throw new SubstitutionError(`${origin}: ${o.kind} ${name}: ${field}.${k} must be a string`);
        const value = decode ? Buffer.from(v, 'base64').toString('utf8') : v;
        if (secret) onSecret(value);
        data.set(k, value);
      }
    };
    add('data', secret);
    add('stringData', false);
    into.set(`${o.kind}/${name}`, { data, secret, origin });
  }
}

/** The variables of one kustomization, as Flux assembles them. */
export function assembleVariables(
  postBuild: { substitute?: Record<string, string>; substituteFrom?: SubstituteFrom[] },
  sources: VariableSources,
): Map<string, string> {
  const vars = new Map<string, string>();
  for (const ref of postBuild.substituteFrom ?? []) {
    const source = sources.get(`${ref.kind}/${ref.name}`);
    if (!source) {
      if (ref.optional) continue;
      throw new SubstitutionError(`substitute from '${ref.kind}/${ref.name}' error: not found`);
    }
    for (const [k, v] of source.data) vars.set(k, v.replace(/\n/g, ''));
  }
  for (const [k, v] of Object.entries(postBuild.substitute ?? {})) vars.set(k, v.replace(/\n/g, ''));
  return vars;
}

/** Expands the variables in every object that does not opt out; returns the objects changed. */
export function substitute(resources: Resource[], vars: ReadonlyMap<string, string>, strict: boolean): number {
  if (vars.size === 0) return 0;
  const lookup = variableLookup(vars, strict);
  let changed = 0;
  for (const r of resources) {
    if (metadataValue(r.doc, 'labels', SUBSTITUTE_KEY) === 'disabled' || metadataValue(r.doc, 'annotations', SUBSTITUTE_KEY) === 'disabled') continue;
    // Flux checks the names for each object it substitutes (so only when there is one).
    for (const name of vars.keys()) {
      if (!VARIABLE_NAME.test(name)) {
        throw new SubstitutionError(`'${name}' var name is invalid, must match '^[_[:alpha:]][_[:alpha:][:digit:]]*$'`);
      }
    }
    const before = documentText(r.doc);
    let after: string;
    try {
      after = envsubst(before, lookup);
    } catch (err) {
      if (err instanceof EnvsubstError) {
        throw new SubstitutionError(`${describeObject(toObject(r.doc))} (${r.origin}): variable substitution failed: ${err.message}`);
      }
      throw err;
    }
    if (after === before) continue;
    const doc = parseDocument(after, KUBE_YAML);
    if (doc.errors.length > 0) {
      throw new SubstitutionError(`${describeObject(toObject(r.doc))} (${r.origin}) is not valid YAML after substitution: ${doc.errors[0]!.message.split('\n')[0]}`);
    }
    r.doc = doc;
    changed++;
  }
  return changed;
}
