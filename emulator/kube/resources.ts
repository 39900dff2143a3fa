/**
 * The resource types an emulated cluster serves: the Flux kinds, read from the CRD copies in
 * schemas/flux (names, short names, categories, printer columns; only served versions), the
 * core v1 Namespace, and Event in `v1` and `events.k8s.io/v1` (two views of the same stored
 * objects, as the API server keeps them). Discovery, Table output and routing all come from this
 * catalogue.
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
  /** Computes the cell instead of jsonPath (for columns the API server prints from code). */
  value?: (obj: Json) => unknown;
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
  /** Verbs discovery advertises. */
  verbs: string[];
  /** The stored objects are those of another type (`group/Kind`), served through `view`. */
  storedAs?: string;
  /** The stored object as this type serves it. */
  view?: (stored: Json) => Json;
  /** false: the Table has no leading Name column (events print theirs last). */
  nameColumn?: boolean;
}

/** Verbs of what the simulated agent and the API server own: clients read them. */
export const READ_VERBS = ['get', 'list', 'watch'];
/** Verbs of the Flux kinds: clients also patch them (annotations such as reconcile.fluxcd.io/requestedAt, labels, spec). */
export const FLUX_VERBS = ['get', 'list', 'patch', 'watch'];

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
  verbs: READ_VERBS,
};

const text = (value: unknown): string => (value === undefined || value === null ? '' : String(value));
const field = (obj: Json, key: string): Json => ((obj[key] ?? {}) as Json);
/** The object an event is about: `involvedObject` (v1) or `regarding` (events.k8s.io/v1). */
const regarding = (e: Json): Json => (e.involvedObject ?? e.regarding ?? {}) as Json;
const lastSeen = (e: Json): unknown => field(e, 'series').lastObservedTime ?? e.lastTimestamp ?? e.deprecatedLastTimestamp ?? e.eventTime;

/** Field selectors of events (the API server's field labels for Event). */
const EVENT_FIELDS: Record<string, (e: Json) => string> = {
  'involvedObject.kind': (e) => text(regarding(e).kind),
  'involvedObject.namespace': (e) => text(regarding(e).namespace),
  'involvedObject.name': (e) => text(regarding(e).name),
  'involvedObject.uid': (e) => text(regarding(e).uid),
  'involvedObject.apiVersion': (e) => text(regarding(e).apiVersion),
  'involvedObject.resourceVersion': (e) => text(regarding(e).resourceVersion),
  'involvedObject.fieldPath': (e) => text(regarding(e).fieldPath),
  reason: (e) => text(e.reason),
  reportingComponent: (e) => text(e.reportingComponent),
  source: (e) => text(field(e, 'source').component),
  type: (e) => text(e.type),
};

/** The columns `kubectl get events` shows (the API server's printer for events). */
const EVENT_COLUMNS: PrinterColumn[] = [
  { name: 'Last Seen', type: 'date', format: '', description: 'Time since the event was last seen.', priority: 0, jsonPath: '', value: lastSeen },
  { name: 'Type', type: 'string', format: '', description: 'Type of the event (Normal or Warning).', priority: 0, jsonPath: '.type' },
  { name: 'Reason', type: 'string', format: '', description: 'Why the event happened, in CamelCase.', priority: 0, jsonPath: '.reason' },
  { name: 'Object', type: 'string', format: '', description: 'The object the event is about.', priority: 0, jsonPath: '', value: (e) => `${text(regarding(e).kind).toLowerCase()}/${text(regarding(e).name)}` },
  { name: 'Source', type: 'string', format: '', description: 'The component that reported the event.', priority: 1, jsonPath: '', value: (e) => text(e.reportingComponent ?? e.reportingController ?? field(e, 'source').component) },
  { name: 'Message', type: 'string', format: '', description: 'What happened, for people.', priority: 0, jsonPath: '', value: (e) => text(e.message ?? e.note) },
  { name: 'First Seen', type: 'date', format: '', description: 'Time since the event was first seen.', priority: 1, jsonPath: '', value: (e) => e.firstTimestamp ?? e.deprecatedFirstTimestamp ?? e.eventTime },
  { name: 'Count', type: 'integer', format: '', description: 'How often the event happened.', priority: 1, jsonPath: '', value: (e) => e.count ?? e.deprecatedCount ?? 1 },
  { name: 'Name', type: 'string', format: 'name', description: 'Name of the event.', priority: 1, jsonPath: '.metadata.name' },
];

export const EVENT_TYPE: ResourceType = {
  group: '',
  version: 'v1',
  apiVersion: 'v1',
  kind: 'Event',
  listKind: 'EventList',
  plural: 'events',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  categories: [],
  columns: EVENT_COLUMNS,
  extraFields: EVENT_FIELDS,
  verbs: READ_VERBS,
  nameColumn: false,
};

/** A stored core/v1 Event as `events.k8s.io/v1` serves it (the field renames of KEP-383). */
export function eventsV1View(e: Json): Json {
  const out: Json = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: e.metadata,
    eventTime: e.eventTime ?? null,
    reportingController: e.reportingComponent ?? field(e, 'source').component ?? '',
    reportingInstance: e.reportingInstance ?? '',
    action: e.action,
    reason: e.reason,
    regarding: e.involvedObject,
    related: e.related,
    note: e.message,
    type: e.type,
    series: e.series,
    deprecatedSource: e.source,
    deprecatedFirstTimestamp: e.firstTimestamp,
    deprecatedLastTimestamp: e.lastTimestamp,
    deprecatedCount: e.count,
  };
  for (const [k, v] of Object.entries(out)) if (v === undefined) delete out[k];
  return out;
}

export const EVENTS_V1_TYPE: ResourceType = {
  ...EVENT_TYPE,
  group: 'events.k8s.io',
  apiVersion: 'events.k8s.io/v1',
  shortNames: [],
  extraFields: {
    ...EVENT_FIELDS,
    ...Object.fromEntries(Object.entries(EVENT_FIELDS).filter(([k]) => k.startsWith('involvedObject.')).map(([k, get]) => [k.replace('involvedObject.', 'regarding.'), get])),
    reportingController: EVENT_FIELDS.reportingComponent!,
    deprecatedSource: EVENT_FIELDS.source!,
  },
  storedAs: '/Event',
  view: eventsV1View,
};

/** API groups served whether or not Flux is installed. */
export const CORE_GROUPS = [{ name: 'events.k8s.io', versions: ['v1'] }];

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
        verbs: FLUX_VERBS,
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

/** The key of a type's stored objects in a cluster's store (`group/Kind`). */
export const typeKey = (t: ResourceType): string => t.storedAs ?? `${t.group}/${t.kind}`;

/** Discovery's storageVersionHash: 8 bytes of sha256 over group/version/kind, base64. */
export function storageVersionHash(t: ResourceType): string {
  return Buffer.from(sha256Hex(`${t.group}/${t.version}/${t.kind}`).slice(0, 16), 'hex').toString('base64');
}
