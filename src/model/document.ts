/**
 * The one parser of the JSON and YAML documents users give (`-f`, settings files): JSON when it
 * looks like JSON (or the file is named .json), else YAML, parsed in time linear in its size.
 * Errors say where (line and column), never what: the offending line may carry a secret.
 */
import { isMap, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import { echo } from '../core/echo.js';
import { UsageError } from '../core/errors.js';

/** Line and column of a character offset, for messages that must not quote the file. */
function position(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return `line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

const JSON_SCALAR = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/** Where JSON text first goes wrong (a character offset), or -1; found by a small recursive-descent reader. */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = (): void => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= text.length) fail();
    i++;
  };
  const list = (close: string, item: () => void): void => {
    i++;
    space();
    if (text[i] === close) return void i++;
    for (;;) {
      item();
      space();
      if (text[i] === ',') i++;
      else if (text[i] === close) return void i++;
      else fail();
    }
  };
  const value = (): void => {
    space();
    const c = text[i];
    if (c === '{') {
      return list('}', () => {
        space();
        if (text[i] !== '"') fail();
        string();
        space();
        if (text[i] !== ':') fail();
        i++;
        value();
      });
    }
    if (c === '[') return list(']', value);
    if (c === '"') return string();
    JSON_SCALAR.lastIndex = i;
    const m = JSON_SCALAR.exec(text);
    if (!m) fail();
    i += m![0].length;
  };
  try {
    value();
    space();
    return i < text.length ? i : -1;
  } catch (at) {
    return typeof at === 'number' ? at : -1; // a RangeError: nested too deep to say where
  }
}

/** A document's text → its value; `where` names it (a path, or standard input) and errors name `flag`. */
export function parseDocumentText(flag: string, text: string, where: string): unknown {
  const body = text.replace(/^\uFEFF/, '');
  if (/^\s*[{[]/.test(body) || /\.json$/i.test(where)) {
    try {
      return JSON.parse(body);
    } catch {
      // The engine's message quotes the text around the mistake: say where it is instead.
      const at = jsonErrorOffset(body);
      throw new UsageError(flag, `${echo(where)} is not valid JSON${at >= 0 ? ` (${position(body, at)})` : ''}.`);
    }
  }
  // Duplicate keys are found below in one pass: the YAML library's own check compares every key
  // with every other one, which takes minutes on a large file.
  const lineCounter = new LineCounter();
  const doc = parseDocument(body, { uniqueKeys: false, prettyErrors: false, lineCounter });
  const problem = doc.errors[0];
  if (problem) {
    const at = lineCounter.linePos(problem.pos[0]);
    throw new UsageError(flag, `${echo(where)} is not valid YAML or JSON (line ${at.line}, column ${at.col}: ${problem.code.toLowerCase().replace(/_/g, ' ')}).`);
  }
  visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (isMap(key) || !isScalar(pair.key)) continue;
        if (seen.has(key)) {
          const at = lineCounter.linePos(pair.key.range?.[0] ?? 0);
          throw new UsageError(flag, `${echo(where)}: the key '${echo(String(key))}' appears twice in one mapping (line ${at.line}).`);
        }
        seen.add(key);
      }
    },
  });
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new UsageError(flag, `${echo(where)} cannot be read: ${echo((err as Error).message.split('\n')[0] ?? '', 120)}`);
  }
}

