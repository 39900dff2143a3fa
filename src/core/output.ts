/**
 * The one output layer. Commands return plain (JSON-compatible) data; this module applies the
 * optional `--query` (JMESPath) and renders the result in the `-o/--output` format, following the
 * Azure CLI's conventions. Output is deterministic: the same input always gives the same text.
 */
import { compile, TreeInterpreter } from '@jmespath-community/jmespath';
import { Chalk, type ChalkInstance } from 'chalk';
import { CST, Document, Parser, stringify as yamlStringify } from 'yaml';
import { echo } from './echo.js';
import { UsageError } from './errors.js';
import { choiceHint } from './suggest.js';

export const OUTPUT_FORMATS = ['json', 'jsonc', 'yaml', 'yamlc', 'table', 'tsv', 'none'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface Column {
  header: string;
  value: (row: Record<string, unknown>) => unknown;
}

export interface FormatOptions {
  format: OutputFormat;
  /** JMESPath, applied before formatting. */
  query?: string;
  /** Only jsonc/yamlc/table headers use colour; false → no ANSI codes at all. */
  color: boolean;
  /** Command-specific table layout (az's table transformers). Used only for `table` when no --query is given. */
  columns?: Column[];
}

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Case-insensitive; anything else → UsageError naming `-o/--output`, the bad value and the accepted list. */
export function parseOutputFormat(value: string): OutputFormat {
  const wanted = String(value).trim().toLowerCase();
  const found = OUTPUT_FORMATS.find((f) => f === wanted);
  if (found) return found;
  const allowed = OUTPUT_FORMATS.join(', ');
  throw new UsageError(
    '-o/--output',
    `invalid output format '${echo(String(value))}'. Allowed values: ${allowed}.`,
    choiceHint(value, OUTPUT_FORMATS),
  );
}

/** Compiles/validates a JMESPath expression up front: a syntax error → UsageError naming `--query`, the expression and the parser's message. Returns a function applying it. */
export function compileQuery(expression: string): (data: unknown) => unknown {
  let ast: ReturnType<typeof compile>;
  try {
    // Legacy backtick literals (`foo` meaning "foo") are accepted, as az's JMESPath does.
    ast = compile(expression, { enable_legacy_literals: true });
  } catch (err) {
    throw queryError(expression, err);
  }
  return (data: unknown): unknown => {
    const input = toJson(data);
    try {
      return TreeInterpreter.search(ast, input === undefined ? null : input);
    } catch (err) {
      // A well-formed expression can still fail on the data (wrong argument type, unknown function).
      throw queryError(expression, err);
    }
  };
}

function queryError(expression: string, err: unknown): UsageError {
  const reason = err instanceof Error ? err.message : String(err);
  return new UsageError(
    '--query',
    `invalid JMESPath query '${echo(expression, 200)}': ${echo(reason, 200)}`,
    'Check the expression against the JMESPath specification (https://jmespath.org).',
  );
}

/** Returns the complete text to write to stdout (ending with '\n' unless empty). `none` → ''. */
export function formatOutput(data: unknown, options: FormatOptions): string {
  // Re-checked so unchecked callers get the same UsageError (and any letter case) as the flag.
  const format = parseOutputFormat(options.format);
  const hasQuery = options.query !== undefined;
  // Compiled before the `none` shortcut so a bad expression is reported whatever the format.
  const query = hasQuery ? compileQuery(options.query as string) : undefined;
  if (format === 'none') return '';

  const value: Json | undefined = query ? (toJson(query(data)) ?? null) : toJson(data);
  if (value === undefined || value === null) return '';

  const paint = options.color ? palette() : undefined;
  switch (format) {
    case 'json':
      return `${JSON.stringify(value, null, 2)}\n`;
    case 'jsonc': {
      const text = JSON.stringify(value, null, 2);
      return `${paint ? colorJson(text, paint) : text}\n`;
    }
    case 'yaml':
      return toYaml(value);
    case 'yamlc': {
      const text = toYaml(value);
      return paint ? colorYamlKeys(text, paint) : text;
    }
    case 'table':
      return toTable(value, hasQuery ? undefined : options.columns, paint);
    case 'tsv':
      return toTsv(value);
    default:
      return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Normalisation: mirror JSON.stringify so every renderer sees the same plain tree.

/**
 * Converts any value to the JSON tree `JSON.stringify` would produce: `toJSON` is honoured,
 * undefined/functions/symbols are dropped from objects (null in arrays), non-finite numbers become
 * null, boxed primitives are unwrapped. BigInts become numbers (or strings when too large) and
 * cycles become the string '[Circular]' instead of throwing. Returns undefined for a top-level
 * value JSON cannot represent.
 */
function toJson(input: unknown, key = '', path: object[] = []): Json | undefined {
  let value = input;
  if (value !== null && (typeof value === 'object' || typeof value === 'bigint')) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value, key);
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    value = value.valueOf();
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint': {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : value.toString();
    }
    case 'object':
      break;
    default:
      return undefined; // undefined, function, symbol
  }
  if (value === null) return null;
  const obj = value as object;
  if (path.includes(obj)) return '[Circular]';
  path.push(obj);
  try {
    if (Array.isArray(obj)) {
      return obj.map((item, i) => toJson(item, String(i), path) ?? null);
    }
    const out: JsonObject = {};
    for (const k of Object.keys(obj)) {
      const v = toJson((obj as Record<string, unknown>)[k], k, path);
      if (v === undefined) continue;
      // defineProperty keeps a literal "__proto__" key an ordinary property.
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  } finally {
    path.pop();
  }
}

function isObject(value: Json): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isScalar(value: Json): value is string | number | boolean | null {
  return value === null || typeof value !== 'object';
}

// ---------------------------------------------------------------------------------------------
// Colour

interface Palette {
  key: (s: string) => string;
  string: (s: string) => string;
  number: (s: string) => string;
  literal: (s: string) => string;
  header: (s: string) => string;
}

function palette(): Palette {
  // A fixed level: the caller decided colour is wanted, whatever the terminal detection says.
  const c: ChalkInstance = new Chalk({ level: 1 });
  return {
    key: (s) => c.blue(s),
    string: (s) => c.green(s),
    number: (s) => c.yellow(s),
    literal: (s) => c.magenta(s),
    header: (s) => c.bold(s),
  };
}

const JSON_TOKEN = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g;

/** Colours the tokens of JSON text. Strings are matched whole, so digits or words inside them are left alone. */
function colorJson(text: string, paint: Palette): string {
  return text.replace(
    JSON_TOKEN,
    (match, str: string | undefined, colon: string | undefined, num: string | undefined, lit: string | undefined) => {
      if (str !== undefined) return colon !== undefined ? paint.key(str) + colon : paint.string(str);
      if (num !== undefined) return paint.number(num);
      if (lit !== undefined) return paint.literal(lit);
      return match;
    },
  );
}

// ---------------------------------------------------------------------------------------------
// YAML

function toYaml(value: Json): string {
  return yamlStringify(value, {
    indent: 2,
    lineWidth: 0, // never fold long values (URLs, base64)
    minContentWidth: 0,
    aliasDuplicateObjects: false,
    sortMapEntries: false,
  });
}

/**
 * A multi-document YAML stream, each document introduced by `---` and preceded by its comment, if
 * any. With version '1.1', strings that YAML 1.1 readers would take for booleans or numbers are quoted.
 */
export function formatYamlStream(documents: readonly { object: unknown; comment?: string }[], options: { version?: '1.1' | '1.2' } = {}): string {
  return documents
    .map(({ object, comment }) => {
      const doc = new Document(object, { aliasDuplicateObjects: false, ...(options.version ? { version: options.version } : {}) });
      if (comment) doc.commentBefore = comment.split('\n').map((l) => ` ${l}`).join('\n');
      return `---\n${doc.toString({ lineWidth: 0, indentSeq: false })}`;
    })
    .join('');
}

/** Colours mapping keys, located through the YAML parser so block-scalar text is never touched. */
function colorYamlKeys(text: string, paint: Palette): string {
  const ranges: Array<[number, number]> = [];
  for (const token of new Parser().parse(text)) {
    if (token.type !== 'document') continue;
    CST.visit(token, (item) => {
      const key = item.key;
      if (key && (key.type === 'scalar' || key.type === 'single-quoted-scalar' || key.type === 'double-quoted-scalar')) {
        ranges.push([key.offset, key.offset + key.source.length]);
      }
    });
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let pos = 0;
  for (const [start, end] of ranges) {
    if (start < pos) continue;
    out += text.slice(pos, start) + paint.key(text.slice(start, end));
    pos = end;
  }
  return out + text.slice(pos);
}

// ---------------------------------------------------------------------------------------------
// Table and TSV

/** A cell's text: booleans as True/False (az style), null → empty, nested values as compact JSON. */
function cellText(value: unknown, forTsv = false): string {
  const v = toJson(value);
  let text: string;
  if (v === undefined || v === null) text = '';
  else if (typeof v === 'boolean') text = v ? 'True' : 'False';
  else if (typeof v === 'string') text = v;
  else if (typeof v === 'number') text = String(v);
  else if (Array.isArray(v) && v.every(isScalar)) text = v.map((x) => cellText(x, forTsv)).join(', ');
  else text = JSON.stringify(v);
  // Line breaks (and tabs in TSV) would break the row structure.
  return text.replace(forTsv ? /\r\n|[\r\n\t]/g : /\r\n|[\r\n]/g, ' ');
}

function displayWidth(text: string): number {
  return [...text].length;
}

function upperFirst(key: string): string {
  return key.length === 0 ? key : key[0].toUpperCase() + key.slice(1);
}

interface TableColumn {
  header: string;
  cell: (row: Json) => unknown;
}

/** az's automatic table layout: scalar properties of object rows, positions of list rows, or `Result`. */
function autoColumns(rows: Json[]): TableColumn[] {
  const keys: string[] = [];
  const seen = new Set<string>();
  let maxListLength = 0;
  let hasScalarRows = false;
  for (const row of rows) {
    if (isObject(row)) {
      for (const [k, v] of Object.entries(row)) {
        if (isScalar(v) && !seen.has(k)) {
          seen.add(k);
          keys.push(k);
        }
      }
    } else if (Array.isArray(row)) {
      maxListLength = Math.max(maxListLength, row.length);
    } else {
      hasScalarRows = true;
    }
  }
  const columns: TableColumn[] = keys.map((k) => ({
    header: upperFirst(k),
    cell: (row) => {
      if (!isObject(row)) return null;
      const v = row[k];
      return v !== undefined && isScalar(v) ? v : null;
    },
  }));
  for (let i = 0; i < maxListLength; i++) {
    const index = i;
    // Only positions holding a scalar somewhere make a column, as for object properties.
    if (!rows.some((r) => Array.isArray(r) && r.length > index && isScalar(r[index]))) continue;
    columns.push({
      header: `Column${index + 1}`,
      cell: (row) => (Array.isArray(row) && row.length > index && isScalar(row[index]) ? row[index] : null),
    });
  }
  if (hasScalarRows) {
    columns.push({ header: 'Result', cell: (row) => (isScalar(row) ? row : null) });
  }
  return columns;
}

function toTable(value: Json, custom: Column[] | undefined, paint: Palette | undefined): string {
  const rows: Json[] = Array.isArray(value) ? value : [value];
  if (rows.length === 0) return '';
  const columns: TableColumn[] = custom
    ? custom.map((c) => ({
        header: c.header,
        cell: (row) => safeColumnValue(c, row),
      }))
    : autoColumns(rows);
  if (columns.length === 0) return '';

  const body = rows.map((row) => columns.map((c) => cellText(c.cell(row))));
  const widths = columns.map((c, i) =>
    Math.max(displayWidth(c.header), ...body.map((cells) => displayWidth(cells[i]))),
  );
  const line = (cells: string[], style?: (s: string) => string): string =>
    cells
      .map((text, i) => {
        const shown = style && text ? style(text) : text;
        return i === cells.length - 1 ? shown : shown + ' '.repeat(widths[i] - displayWidth(text));
      })
      .join('  ')
      .trimEnd();

  const lines = [
    line(
      columns.map((c) => c.header),
      paint?.header,
    ),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map((cells) => line(cells)),
  ];
  return `${lines.join('\n')}\n`;
}

/** A command's column accessor runs on arbitrary rows; a failing accessor gives an empty cell. */
function safeColumnValue(column: Column, row: Json): unknown {
  const record: Record<string, unknown> = isObject(row) ? row : {};
  try {
    return column.value(record);
  } catch {
    return null;
  }
}

function toTsv(value: Json): string {
  if (isScalar(value)) return `${cellText(value, true)}\n`;
  const rows: Json[] = Array.isArray(value) ? value : [value];
  if (rows.length === 0) return '';
  const lines = rows.map((row) => {
    if (isScalar(row)) return cellText(row, true);
    const fields = Array.isArray(row) ? row : Object.values(row);
    return fields
      .filter(isScalar)
      .map((v) => cellText(v, true))
      .join('\t');
  });
  return `${lines.join('\n')}\n`;
}
