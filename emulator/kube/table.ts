/**
 * Server-side printing: the `meta.k8s.io` Table kubectl asks for (`Accept:
 * application/json;as=Table;v=v1;g=meta.k8s.io`). Columns are Name plus the type's printer
 * columns (the Flux CRDs' additionalPrinterColumns), evaluated with the small JSONPath subset
 * those columns use; `date` columns become ages (5s, 3m20s, 2d4h), as the API server renders them.
 */
import type { Json } from '../util.js';
import type { PrinterColumn, ResourceType } from './resources.js';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

type Step = { field: string } | { filter: { path: string[]; value: string } } | { index: number } | { all: true };

const cache = new Map<string, Step[]>();

/** Parses `.a.b`, `.a[0]`, `.a[*]` and `.a[?(@.k=="v")]` (optionally inside `{…}`). */
function parsePath(text: string): Step[] {
  const known = cache.get(text);
  if (known) return known;
  const path = text.trim().replace(/^\{(.*)\}$/, '$1');
  const steps: Step[] = [];
  const re = /\.([A-Za-z0-9_-]+)|\[\?\(@\.([A-Za-z0-9_.-]+)\s*==\s*(?:"([^"]*)"|'([^']*)')\)\]|\[(\d+)\]|\[\*\]/y;
  let at = 0;
  while (at < path.length) {
    re.lastIndex = at;
    const m = re.exec(path);
    if (!m) break;
    if (m[1] !== undefined) steps.push({ field: m[1] });
    else if (m[2] !== undefined) steps.push({ filter: { path: m[2].split('.'), value: m[3] ?? m[4] ?? '' } });
    else if (m[5] !== undefined) steps.push({ index: Number(m[5]) });
    else steps.push({ all: true });
    at = re.lastIndex;
  }
  cache.set(text, steps);
  return steps;
}

function dig(value: unknown, path: string[]): unknown {
  let cur = value;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Json)[key];
  }
  return cur;
}

/** Every value the path selects in the object. */
export function evaluate(obj: unknown, jsonPath: string): unknown[] {
  let values: unknown[] = [obj];
  for (const step of parsePath(jsonPath)) {
    const next: unknown[] = [];
    for (const v of values) {
      if ('field' in step) {
        if (typeof v === 'object' && v !== null && !Array.isArray(v) && step.field in (v as Json)) next.push((v as Json)[step.field]);
      } else if (!Array.isArray(v)) {
        continue;
      } else if ('index' in step) {
        if (step.index < v.length) next.push(v[step.index]);
      } else if ('all' in step) {
        next.push(...v);
      } else {
        next.push(...v.filter((item) => String(dig(item, step.filter.path)) === step.filter.value));
      }
    }
    values = next;
  }
  return values.filter((v) => v !== undefined && v !== null);
}

/** Kubernetes' short human form of a duration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  const days = Math.floor(hours / 24) % 365;
  if (hours < 24 * 365 * 8) return days === 0 ? `${years}y` : `${years}y${days}d`;
  return `${years}y`;
}

function cell(obj: Json, column: PrinterColumn, now: number): unknown {
  const computed = column.value?.(obj);
  const values = column.value ? (computed === undefined || computed === null ? [] : [computed]) : evaluate(obj, column.jsonPath);
  if (values.length === 0) return null;
  const first = values[0];
  switch (column.type) {
    case 'date': {
      const t = Date.parse(String(first));
      return Number.isNaN(t) ? '<unknown>' : humanDuration(now - t);
    }
    case 'integer':
    case 'number':
      return typeof first === 'number' ? first : Number(first);
    case 'boolean':
      return typeof first === 'boolean' ? first : String(first) === 'true';
    default:
      return values.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join(',');
  }
}

const NAME_COLUMN = { name: 'Name', type: 'string', format: 'name', description: 'Name of the object (unique within its namespace).', priority: 0 };

export function columnDefinitions(type: ResourceType): Json[] {
  const columns = type.columns.map(({ name, type: t, format, description, priority }) => ({ name, type: t, format, description, priority }));
  return type.nameColumn === false ? columns : [NAME_COLUMN, ...columns];
}

export function tableRow(type: ResourceType, obj: Json, include: IncludeObject, now = Date.now()): Json {
  const metadata = (obj.metadata ?? {}) as Json;
  const cells = type.columns.map((c) => cell(obj, c, now));
  const row: Json = { cells: type.nameColumn === false ? cells : [metadata.name, ...cells] };
  if (include === 'Object') row.object = obj;
  else if (include === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata };
  return row;
}

export function table(type: ResourceType, objects: Json[], listMeta: Json, include: IncludeObject, apiVersion: string, withColumns = true): Json {
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion,
    metadata: listMeta,
    columnDefinitions: withColumns ? columnDefinitions(type) : null,
    rows: objects.map((o) => tableRow(type, o, include, now)),
  };
}
