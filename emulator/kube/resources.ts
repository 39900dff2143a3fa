/**
 * The resource types an emulated cluster serves: the Flux kinds, read from the CRD copies in
 * schemas/flux (names, short names, categories, printer columns; only served versions), and the
 * core v1 Namespace. Discovery, Table output and routing all come from this catalogue.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { isObject, sha256Hex, type Json } from '../util.js';

export interface PrinterColumn {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
  jsonPath: string;
}

export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  /** `group/version`, or `v1` for the core group. */
  apiVersion: string;
  kind: string;
  listKind: string;
  plural: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  /** Columns after Name, as a Table shows them. */
  columns: PrinterColumn[];
  /** Field selectors the type accepts besides metadata.name and metadata.namespace. */
  extraFields: Record<string, (obj: Json) => string>;
}

/** Verbs the emulated API serves: the cluster is read-only, objects come from the simulated agent. */
export const VERBS = ['get', 'list', 'watch'];

export const NAMESPACE_TYPE: ResourceType = {
  group: '',
  version: 'v1',
  apiVersion: 'v1',
  kind: 'Namespace',
  listKind: 'NamespaceList',
  plural: 'namespaces',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  categories: [],
  columns: [
    { name: 'Status', type: 'string', format: '', description: 'Phase of the namespace (Active or Terminating).', priority: 0, jsonPath: '.status.phase' },
    { name: 'Age', type: 'date', format: '', description: 'Time since the object was created.', priority: 0, jsonPath: '.metadata.creationTimestamp' },
  ],
  extraFields: {
    'status.phase': (obj) => String((obj.status as Json | undefined)?.phase ?? ''),
  },
};

/** The folder with the Flux CRD copies: schemas/flux of the checkout this module runs from. */
function crdFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'schemas', 'flux');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error('schemas/flux (the Flux CRD copies) not found above the emulator');
    dir = up;
  }
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function loadFluxTypes(): ResourceType[] {
  const folder = crdFolder();
  const types: ResourceType[] = [];
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.yaml')).sort()) {
    const crd = parseYaml(readFileSync(join(folder, file), 'utf8')) as Json;
    const spec = crd.spec as Json;
    const names = spec.names as Json;
    for (const v of (spec.versions as Json[]).filter((v) => v.served !== false)) {
      const columns = (Array.isArray(v.additionalPrinterColumns) ? (v.additionalPrinterColumns as Json[]) : []).filter(isObject).map((c) => ({
        name: String(c.name),
        type: String(c.type ?? 'string'),
        format: typeof c.format === 'string' ? c.format : '',
        description: typeof c.description === 'string' ? c.description : '',
        priority: typeof c.priority === 'number' ? c.priority : 0,
        jsonPath: String(c.jsonPath),
      }));
      types.push({
        group: String(spec.group),
        version: String(v.name),
        apiVersion: `${String(spec.group)}/${String(v.name)}`,
        kind: String(names.kind),
        listKind: typeof names.listKind === 'string' ? names.listKind : `${String(names.kind)}List`,
        plural: String(names.plural),
        singular: typeof names.singular === 'string' ? names.singular : String(names.kind).toLowerCase(),
        namespaced: spec.scope !== 'Cluster',
        shortNames: strings(names.shortNames),
        categories: strings(names.categories),
        // A CRD without printer columns shows Age (as the API server does).
        columns: columns.length > 0 ? columns : [NAMESPACE_TYPE.columns[1]!],
        extraFields: {},
      });
    }
  }
  return types;
}

let fluxTypes: ResourceType[] | undefined;

/** Every served version of every Flux CRD. */
export function fluxResourceTypes(): ResourceType[] {
  fluxTypes ??= loadFluxTypes();
  return fluxTypes;
}

/** The Flux API groups with their served versions (first = preferred), in a stable order. */
export function fluxGroups(): { name: string; versions: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const t of fluxResourceTypes()) {
    const versions = groups.get(t.group) ?? [];
    if (!versions.includes(t.version)) versions.push(t.version);
    groups.set(t.group, versions);
  }
  return [...groups.entries()].map(([name, versions]) => ({ name, versions }));
}

/** `group/Kind` of an object (the key the store and watchers use for its type). */
export function typeKeyOf(apiVersion: string, kind: string): string {
  const slash = apiVersion.indexOf('/');
  return `${slash < 0 ? '' : apiVersion.slice(0, slash)}/${kind}`;
}

export const typeKey = (t: ResourceType): string => `${t.group}/${t.kind}`;

/** Discovery's storageVersionHash: 8 bytes of sha256 over group/version/kind, base64. */
export function storageVersionHash(t: ResourceType): string {
  return Buffer.from(sha256Hex(`${t.group}/${t.version}/${t.kind}`).slice(0, 16), 'hex').toString('base64');
}
