/**
 * Label and field selectors, as the Kubernetes API parses them.
 *
 * Label selectors: requirements separated by commas, each one of `key`, `!key`, `key=value`,
 * `key==value`, `key!=value`, `key in (a,b)`, `key notin (a,b)`, `key>N`, `key<N`.
 * Field selectors: `field=value`, `field==value`, `field!=value`, separated by commas; the
 * fields are metadata.name and metadata.namespace plus what a type adds.
 */

export class SelectorError extends Error {}

type Op = 'exists' | '!exists' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';

interface Requirement {
  key: string;
  op: Op;
  values: string[];
}

export type LabelSelector = (labels: Record<string, string> | undefined) => boolean;

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string, text: string): string {
  const slash = key.indexOf('/');
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (!KEY.test(key) || name.length > 63 || (slash >= 0 && slash > 253)) {
    throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${text}"`);
  }
  return key;
}

function checkValue(value: string, text: string): string {
  if (value.length > 63 || !VALUE.test(value)) throw new SelectorError(`unable to parse requirement: invalid label value "${value}" in "${text}"`);
  return value;
}

/** Splits at commas that are not inside parentheses. */
function splitTop(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw new SelectorError(`unable to parse requirement: unbalanced parentheses in "${text}"`);
  }
  if (depth !== 0) throw new SelectorError(`unable to parse requirement: unbalanced parentheses in "${text}"`);
  parts.push(text.slice(start));
  return parts;
}

function parseRequirement(raw: string): Requirement {
  const text = raw.trim();
  if (text === '') throw new SelectorError('unable to parse requirement: found \'\', expected: identifier');
  if (text.startsWith('!')) return { key: checkKey(text.slice(1).trim(), text), op: '!exists', values: [] };
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(text);
  if (set) {
    const values = set[3]!.split(',').map((v) => checkValue(v.trim(), text));
    return { key: checkKey(set[1]!, text), op: set[2] as 'in' | 'notin', values };
  }
  const cmp = /^([^!=<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/.exec(text);
  if (cmp) {
    const key = checkKey(cmp[1]!, text);
    const value = cmp[3]!.trim();
    switch (cmp[2]) {
      case '>':
      case '<':
        if (!/^-?\d+$/.test(value)) throw new SelectorError(`unable to parse requirement: for 'gt', 'lt' operators, the value must be an integer in "${text}"`);
        return { key, op: cmp[2] === '>' ? 'gt' : 'lt', values: [value] };
      case '!=':
        return { key, op: '!=', values: [checkValue(value, text)] };
      default:
        return { key, op: '=', values: [checkValue(value, text)] };
    }
  }
  if (/\s/.test(text)) throw new SelectorError(`unable to parse requirement: unexpected text in "${text}"`);
  return { key: checkKey(text, text), op: 'exists', values: [] };
}

function matches(req: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  const value = labels[req.key];
  switch (req.op) {
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case '=':
      return has && value === req.values[0];
    case '!=':
      return !has || value !== req.values[0];
    case 'in':
      return has && req.values.includes(value!);
    case 'notin':
      return !has || !req.values.includes(value!);
    case 'gt':
    case 'lt': {
      if (!has || !/^-?\d+$/.test(value!)) return false;
      const n = Number(value);
      const bound = Number(req.values[0]);
      return req.op === 'gt' ? n > bound : n < bound;
    }
  }
}

/** Parses a label selector; an empty or absent one selects everything. */
export function parseLabelSelector(text: string | null | undefined): LabelSelector {
  if (text === null || text === undefined || text.trim() === '') return () => true;
  const reqs = splitTop(text).map(parseRequirement);
  return (labels) => reqs.every((r) => matches(r, labels ?? {}));
}

export type FieldSelector = (fields: Record<string, string>) => boolean;

/** Parses a field selector over the given field names; an unknown field is an error, as in Kubernetes. */
export function parseFieldSelector(text: string | null | undefined, known: readonly string[]): FieldSelector {
  if (text === null || text === undefined || text.trim() === '') return () => true;
  const reqs = text.split(',').map((raw) => {
    const part = raw.trim();
    const m = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw new SelectorError(`invalid selector: '${text}'; can't understand '${part}'`);
    const field = m[1]!;
    if (!known.includes(field)) throw new SelectorError(`field label not supported: ${field}`);
    return { field, negate: m[2] === '!=', value: m[3]!.trim() };
  });
  return (fields) => reqs.every((r) => ((fields[r.field] ?? '') === r.value) !== r.negate);
}
