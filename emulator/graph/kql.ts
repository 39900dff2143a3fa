/**
 * The subset of the Kusto Query Language that the emulated Azure Resource Graph understands.
 * Enough for k8s-gitops' fleet queries and for the queries Microsoft's samples write about
 * Kubernetes clusters; anything else is a 400 that names what is not supported.
 *
 *   query      TABLE ( '|' operator )*
 *   operators  where EXPR · extend NAME = EXPR, … · project NAME = EXPR | COLUMN | a.b.c, …
 *              project-away COLUMN, … · order by / sort by EXPR [asc|desc], … · take / limit N
 *              top N by EXPR [asc|desc] · distinct COLUMN, … · count
 *              summarize [NAME =] AGGREGATE, … [by NAME = EXPR | COLUMN, …]
 *                (count(), countif(P), dcount(E), make_list(E), make_set(E), sum(E), min(E),
 *                 max(E), any(E), take_any(E))
 *              join [kind = inner|innerunique|leftouter|leftanti] ( QUERY ) on COLUMN, … |
 *                on $left.A == $right.B, …   (innerunique is the default, as in Kusto)
 *              parse EXPR with [ 'text' ] NAME 'text' NAME … [*]   (simple mode)
 *   expressions literals ('…', "…", @'…', numbers, true, false, dynamic(null)); columns;
 *              a.b, a['b'], a[0]; and, or, not(); == != =~ !~ < <= > >=; in, !in, in~, !in~;
 *              contains, !contains, has, !has, startswith, endswith (case-insensitive);
 *              + - * / %; functions tolower, toupper, tostring, toint, tolong, todouble,
 *              toreal, tobool, isempty, isnotempty, isnull, isnotnull, iff, iif, coalesce,
 *              strcat, strlen, array_length, todynamic, parse_json
 * Column names are checked as Kusto checks them: a column that does not exist is an error, not
 * an empty value. Comparisons with null are false, like Kusto's null results in `where`.
 */

export type Row = Record<string, unknown>;

export interface Table {
  columns: string[];
  rows: Row[];
}

export class KqlError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Tokens

type TokenKind = 'ident' | 'string' | 'number' | 'op' | 'eof';

interface Token {
  kind: TokenKind;
  text: string;
  value?: string | number;
  pos: number;
}

const OPERATORS = ['==', '!=', '=~', '!~', '<=', '>=', '<', '>', '=', '|', '(', ')', ',', '.', '[', ']', '+', '-', '*', '/', '%', '!', ':', '~'];

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const start = i;
    if (ch === '@' && (text[i + 1] === "'" || text[i + 1] === '"')) {
      const quote = text[i + 1]!;
      i += 2;
      let value = '';
      for (;;) {
        if (i >= text.length) throw new KqlError('unterminated string literal', start);
        if (text[i] === quote) {
          if (text[i + 1] === quote) {
            value += quote;
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i++];
      }
      tokens.push({ kind: 'string', text: text.slice(start, i), value, pos: start });
      continue;
    }
    if (ch === "'" || ch === '"') {
      i++;
      let value = '';
      for (;;) {
        if (i >= text.length) throw new KqlError('unterminated string literal', start);
        const c = text[i]!;
        if (c === ch) {
          i++;
          break;
        }
        if (c === '\\') {
          const e = text[i + 1];
          if (e === undefined) throw new KqlError('unterminated string literal', start);
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      tokens.push({ kind: 'string', text: text.slice(start, i), value, pos: start });
      continue;
    }
    if (/[0-9]/.test(ch)) {
      while (i < text.length && /[0-9.]/.test(text[i]!)) i++;
      const raw = text.slice(start, i);
      if (!/^\d+(\.\d+)?$/.test(raw)) throw new KqlError(`'${raw}' is not a number`, start);
      tokens.push({ kind: 'number', text: raw, value: Number(raw), pos: start });
      continue;
    }
    if (/[A-Za-z_$]/.test(ch)) {
      while (i < text.length && /[A-Za-z0-9_$]/.test(text[i]!)) i++;
      tokens.push({ kind: 'ident', text: text.slice(start, i), pos: start });
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (!op) throw new KqlError(`unexpected character '${ch}'`, start);
    tokens.push({ kind: 'op', text: op, pos: start });
    i += op.length;
  }
  tokens.push({ kind: 'eof', text: '', pos: text.length });
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Syntax

export type Expr =
  | { t: 'lit'; v: unknown; pos: number }
  | { t: 'col'; name: string; pos: number }
  | { t: 'member'; obj: Expr; name: string; pos: number }
  | { t: 'index'; obj: Expr; index: Expr; pos: number }
  | { t: 'call'; fn: string; args: Expr[]; pos: number }
  | { t: 'neg'; e: Expr; pos: number }
  | { t: 'bin'; op: string; l: Expr; r: Expr; pos: number }
  | { t: 'in'; e: Expr; list: Expr[]; negate: boolean; ci: boolean; pos: number };

interface Assign {
  name: string;
  expr: Expr;
}

interface SortKey {
  expr: Expr;
  desc: boolean;
}

interface Aggregate {
  name: string;
  fn: string;
  arg?: Expr;
  pos: number;
}

type ParsePart = { lit: string } | { col: string } | { star: true };

export type Operator =
  | { op: 'where'; expr: Expr }
  | { op: 'extend'; assigns: Assign[] }
  | { op: 'project'; assigns: Assign[] }
  | { op: 'project-away'; names: string[]; pos: number }
  | { op: 'sort'; keys: SortKey[] }
  | { op: 'take'; n: number }
  | { op: 'top'; n: number; key: SortKey }
  | { op: 'distinct'; names: string[]; pos: number }
  | { op: 'count' }
  | { op: 'summarize'; aggregates: Aggregate[]; by: Assign[] }
  | { op: 'join'; kind: string; right: Query; keys: { left: string; right: string }[]; pos: number }
  | { op: 'parse'; expr: Expr; pattern: ParsePart[] };

export interface Query {
  table: string;
  tablePos: number;
  operators: Operator[];
  /** True when the query limits its rows itself (take, limit, top): no paging. */
  limited: boolean;
}

const AGGREGATES = new Set(['count', 'countif', 'dcount', 'make_list', 'make_set', 'sum', 'min', 'max', 'any', 'take_any']);
const FUNCTIONS = new Set([
  'tolower',
  'toupper',
  'tostring',
  'toint',
  'tolong',
  'todouble',
  'toreal',
  'tobool',
  'isempty',
  'isnotempty',
  'isnull',
  'isnotnull',
  'iff',
  'iif',
  'coalesce',
  'strcat',
  'strlen',
  'array_length',
  'todynamic',
  'parse_json',
  'not',
  'dynamic',
]);
const CONVERSIONS = new Set(['tostring', 'tolower', 'toupper', 'toint', 'tolong', 'todouble', 'toreal', 'tobool', 'todynamic', 'parse_json']);
const STRING_OPERATORS = new Set(['contains', 'has', 'startswith', 'endswith']);
const JOIN_KINDS = new Set(['inner', 'innerunique', 'leftouter', 'leftanti']);

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private get peek(): Token {
    return this.tokens[this.i]!;
  }

  private next(): Token {
    return this.tokens[this.i++]!;
  }

  private isOp(text: string, ahead = 0): boolean {
    const t = this.tokens[this.i + ahead];
    return t !== undefined && t.kind === 'op' && t.text === text;
  }

  private isWord(word: string, ahead = 0): boolean {
    const t = this.tokens[this.i + ahead];
    return t !== undefined && t.kind === 'ident' && t.text.toLowerCase() === word;
  }

  private expectOp(text: string): Token {
    const t = this.next();
    if (t.kind !== 'op' || t.text !== text) throw new KqlError(`expected '${text}' but found '${t.text || 'the end of the query'}'`, t.pos);
    return t;
  }

  private expectWord(word: string): Token {
    const t = this.next();
    if (t.kind !== 'ident' || t.text.toLowerCase() !== word) throw new KqlError(`expected '${word}' but found '${t.text || 'the end of the query'}'`, t.pos);
    return t;
  }

  private ident(what: string): Token {
    const t = this.next();
    if (t.kind !== 'ident') throw new KqlError(`expected ${what} but found '${t.text || 'the end of the query'}'`, t.pos);
    return t;
  }

  private integer(): number {
    const t = this.next();
    if (t.kind !== 'number' || !Number.isInteger(t.value)) throw new KqlError(`expected a whole number but found '${t.text}'`, t.pos);
    return t.value as number;
  }

  parseQuery(nested = false): Query {
    const table = this.ident('a table name');
    const query: Query = { table: table.text, tablePos: table.pos, operators: [], limited: false };
    while (this.isOp('|')) {
      this.next();
      query.operators.push(this.operator(query));
    }
    const end = this.peek;
    if (!(end.kind === 'eof' || (nested && end.kind === 'op' && end.text === ')'))) {
      throw new KqlError(`unexpected '${end.text}' (operators are separated by '|')`, end.pos);
    }
    return query;
  }

  private operator(query: Query): Operator {
    const t = this.ident('an operator');
    const word = t.text.toLowerCase();
    switch (word) {
      case 'where':
      case 'filter':
        return { op: 'where', expr: this.expr() };
      case 'extend':
        return { op: 'extend', assigns: this.assigns(true) };
      case 'project': {
        if (this.isOp('-')) {
          this.next();
          const away = this.ident("'away'");
          if (away.text.toLowerCase() !== 'away') throw new KqlError(`'project-${away.text}' is not supported`, t.pos);
          return { op: 'project-away', names: this.names(), pos: t.pos };
        }
        return { op: 'project', assigns: this.assigns(false) };
      }
      case 'order':
      case 'sort':
        this.expectWord('by');
        return { op: 'sort', keys: this.sortKeys() };
      case 'take':
      case 'limit':
        query.limited = true;
        return { op: 'take', n: this.integer() };
      case 'top': {
        query.limited = true;
        const n = this.integer();
        this.expectWord('by');
        return { op: 'top', n, key: this.sortKeys()[0]! };
      }
      case 'distinct':
        return { op: 'distinct', names: this.names(), pos: t.pos };
      case 'count':
        return { op: 'count' };
      case 'summarize':
        return this.summarize();
      case 'join':
        return this.join(t.pos);
      case 'parse':
        return this.parseOperator();
      default:
        throw new KqlError(`the operator '${t.text}' is not supported by this emulator (see its --help for the subset)`, t.pos);
    }
  }

  private names(): string[] {
    const out = [this.ident('a column name').text];
    while (this.isOp(',')) {
      this.next();
      out.push(this.ident('a column name').text);
    }
    return out;
  }

  private assign(requireName: boolean): Assign {
    if (this.peek.kind === 'ident' && this.isOp('=', 1) && !this.isOp('=', 2)) {
      const name = this.next().text;
      this.next();
      return { name, expr: this.expr() };
    }
    const start = this.peek;
    const expr = this.expr();
    const name = pathName(expr);
    if (name === undefined || requireName) {
      if (name !== undefined && expr.t === 'col') return { name, expr };
      throw new KqlError('give the new column a name (NAME = expression)', start.pos);
    }
    return { name, expr };
  }

  private assigns(requireName: boolean): Assign[] {
    const out = [this.assign(requireName)];
    while (this.isOp(',')) {
      this.next();
      out.push(this.assign(requireName));
    }
    return out;
  }

  private sortKeys(): SortKey[] {
    const keys: SortKey[] = [];
    do {
      if (keys.length > 0) this.next();
      const expr = this.expr();
      // Kusto sorts descending unless told otherwise.
      let desc = true;
      if (this.isWord('asc')) {
        this.next();
        desc = false;
      } else if (this.isWord('desc')) {
        this.next();
      }
      keys.push({ expr, desc });
    } while (this.isOp(','));
    return keys;
  }

  private summarize(): Operator {
    const aggregates: Aggregate[] = [];
    do {
      if (aggregates.length > 0) this.next();
      let name: string | undefined;
      if (this.peek.kind === 'ident' && this.isOp('=', 1)) {
        name = this.next().text;
        this.next();
      }
      const fnToken = this.ident('an aggregation function');
      const fn = fnToken.text.toLowerCase();
      if (!AGGREGATES.has(fn)) throw new KqlError(`'${fnToken.text}' is not an aggregation function this emulator supports`, fnToken.pos);
      this.expectOp('(');
      let arg: Expr | undefined;
      if (!this.isOp(')')) arg = this.expr();
      this.expectOp(')');
      if (fn !== 'count' && arg === undefined) throw new KqlError(`${fn}() needs an argument`, fnToken.pos);
      const argName = arg ? pathName(arg) : undefined;
      const defaultName =
        fn === 'count' ? 'count_' : fn === 'countif' ? 'countif_' : fn === 'make_list' ? `list_${argName ?? ''}` : fn === 'make_set' ? `set_${argName ?? ''}` : `${fn === 'take_any' ? 'any' : fn}_${argName ?? ''}`;
      aggregates.push({ name: name ?? defaultName, fn, ...(arg ? { arg } : {}), pos: fnToken.pos });
    } while (this.isOp(','));
    let by: Assign[] = [];
    if (this.isWord('by')) {
      this.next();
      by = this.assigns(false);
    }
    return { op: 'summarize', aggregates, by };
  }

  private join(pos: number): Operator {
    let kind = 'innerunique';
    if (this.isWord('kind')) {
      this.next();
      this.expectOp('=');
      const k = this.ident('a join kind');
      kind = k.text.toLowerCase();
      if (!JOIN_KINDS.has(kind)) throw new KqlError(`join kind '${k.text}' is not supported (use ${[...JOIN_KINDS].join(', ')})`, k.pos);
    }
    this.expectOp('(');
    const right = this.parseQuery(true);
    this.expectOp(')');
    this.expectWord('on');
    const keys: { left: string; right: string }[] = [];
    do {
      if (keys.length > 0) this.next();
      if (this.peek.kind === 'ident' && this.peek.text.startsWith('$')) {
        const l = this.sideColumn('$left');
        this.expectOp('==');
        const r = this.sideColumn('$right');
        keys.push({ left: l, right: r });
      } else {
        const name = this.ident('a column name').text;
        keys.push({ left: name, right: name });
      }
    } while (this.isOp(','));
    return { op: 'join', kind, right, keys, pos };
  }

  private sideColumn(side: string): string {
    const t = this.ident(side);
    if (t.text.toLowerCase() !== side) throw new KqlError(`expected ${side}.COLUMN`, t.pos);
    this.expectOp('.');
    return this.ident('a column name').text;
  }

  private parseOperator(): Operator {
    const expr = this.expr();
    this.expectWord('with');
    const pattern: ParsePart[] = [];
    for (;;) {
      const t = this.peek;
      if (t.kind === 'string') {
        this.next();
        pattern.push({ lit: t.value as string });
      } else if (t.kind === 'op' && t.text === '*') {
        this.next();
        pattern.push({ star: true });
      } else if (t.kind === 'ident') {
        this.next();
        pattern.push({ col: t.text });
        if (this.isOp(':')) {
          this.next();
          this.ident('a type');
        }
      } else {
        break;
      }
    }
    if (!pattern.some((p) => 'col' in p)) throw new KqlError('parse needs at least one column to extract', this.peek.pos);
    return { op: 'parse', expr, pattern };
  }

  // Expressions, lowest precedence first.

  expr(): Expr {
    return this.or();
  }

  private or(): Expr {
    let l = this.and();
    while (this.isWord('or')) {
      const pos = this.next().pos;
      l = { t: 'bin', op: 'or', l, r: this.and(), pos };
    }
    return l;
  }

  private and(): Expr {
    let l = this.comparison();
    while (this.isWord('and')) {
      const pos = this.next().pos;
      l = { t: 'bin', op: 'and', l, r: this.comparison(), pos };
    }
    return l;
  }

  private comparison(): Expr {
    const l = this.additive();
    const t = this.peek;
    if (t.kind === 'op' && ['==', '!=', '=~', '!~', '<', '<=', '>', '>='].includes(t.text)) {
      this.next();
      return { t: 'bin', op: t.text, l, r: this.additive(), pos: t.pos };
    }
    let negate = false;
    if (t.kind === 'op' && t.text === '!' && this.tokens[this.i + 1]?.kind === 'ident') {
      negate = true;
      this.next();
    }
    const w = this.peek;
    if (w.kind === 'ident') {
      const word = w.text.toLowerCase();
      if (word === 'in') {
        this.next();
        let ci = false;
        if (this.isOp('~')) {
          this.next();
          ci = true;
        }
        return { t: 'in', e: l, list: this.list(), negate, ci, pos: w.pos };
      }
      if (STRING_OPERATORS.has(word)) {
        this.next();
        const e: Expr = { t: 'bin', op: word, l, r: this.additive(), pos: w.pos };
        return negate ? { t: 'call', fn: 'not', args: [e], pos: w.pos } : e;
      }
    }
    if (negate) throw new KqlError("'!' must be followed by in, in~, contains, has, startswith or endswith", t.pos);
    return l;
  }

  private list(): Expr[] {
    this.expectOp('(');
    const out: Expr[] = [];
    if (!this.isOp(')')) {
      out.push(this.expr());
      while (this.isOp(',')) {
        this.next();
        out.push(this.expr());
      }
    }
    this.expectOp(')');
    return out;
  }

  private additive(): Expr {
    let l = this.multiplicative();
    while (this.isOp('+') || this.isOp('-')) {
      const t = this.next();
      l = { t: 'bin', op: t.text, l, r: this.multiplicative(), pos: t.pos };
    }
    return l;
  }

  private multiplicative(): Expr {
    let l = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const t = this.next();
      l = { t: 'bin', op: t.text, l, r: this.unary(), pos: t.pos };
    }
    return l;
  }

  private unary(): Expr {
    if (this.isOp('-')) {
      const pos = this.next().pos;
      return { t: 'neg', e: this.unary(), pos };
    }
    return this.postfix();
  }

  private postfix(): Expr {
    let e = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const name = this.ident('a property name');
        e = { t: 'member', obj: e, name: name.text, pos: name.pos };
      } else if (this.isOp('[')) {
        const pos = this.next().pos;
        const index = this.expr();
        this.expectOp(']');
        e = { t: 'index', obj: e, index, pos };
      } else {
        return e;
      }
    }
  }

  private primary(): Expr {
    const t = this.next();
    if (t.kind === 'string' || t.kind === 'number') return { t: 'lit', v: t.value, pos: t.pos };
    if (t.kind === 'op' && t.text === '(') {
      const e = this.expr();
      this.expectOp(')');
      return e;
    }
    if (t.kind === 'ident') {
      const word = t.text.toLowerCase();
      if (word === 'true' || word === 'false') return { t: 'lit', v: word === 'true', pos: t.pos };
      if (this.isOp('(')) {
        if (!FUNCTIONS.has(word)) throw new KqlError(`the function '${t.text}' is not supported by this emulator`, t.pos);
        const args = this.list();
        if (word === 'dynamic') {
          const arg = args[0];
          if (args.length !== 1 || arg === undefined || arg.t !== 'lit') {
            const onlyNull = args.length === 1 && arg?.t === 'col' && arg.name === 'null';
            if (!onlyNull) throw new KqlError('dynamic() takes null, a number, a string or a boolean here', t.pos);
            return { t: 'lit', v: null, pos: t.pos };
          }
          return { t: 'lit', v: arg.v, pos: t.pos };
        }
        return { t: 'call', fn: word, args, pos: t.pos };
      }
      return { t: 'col', name: t.text, pos: t.pos };
    }
    throw new KqlError(`unexpected '${t.text || 'end of the query'}'`, t.pos);
  }
}

/** The column name Kusto gives a projected path: `properties.a.b` → `properties_a_b`. */
function pathName(e: Expr): string | undefined {
  if (e.t === 'col') return e.name;
  if (e.t === 'member') {
    const base = pathName(e.obj);
    return base === undefined ? undefined : `${base}_${e.name}`;
  }
  if (e.t === 'index' && e.index.t === 'lit' && typeof e.index.v === 'string') {
    const base = pathName(e.obj);
    return base === undefined ? undefined : `${base}_${e.index.v}`;
  }
  // A conversion keeps the name of what it converts: `tostring(properties.a)` → `properties_a`.
  if (e.t === 'call' && e.args.length === 1 && CONVERSIONS.has(e.fn)) return pathName(e.args[0]!);
  return undefined;
}

export function parseQuery(text: string): Query {
  return new Parser(tokenize(text)).parseQuery();
}

// ---------------------------------------------------------------------------------------------
// Values

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function toText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || v === '';
}

function equal(a: unknown, b: unknown, ci: boolean): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return false;
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  if (typeof a === 'boolean' || typeof b === 'boolean') return toText(a).toLowerCase() === toText(b).toLowerCase();
  const x = toText(a);
  const y = toText(b);
  return ci ? x.toLowerCase() === y.toLowerCase() : x === y;
}

function compare(a: unknown, b: unknown): number {
  const an = a === null || a === undefined;
  const bn = b === null || b === undefined;
  if (an || bn) return an && bn ? 0 : an ? 1 : -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = toText(a);
  const y = toText(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function toNumber(v: unknown, integer: boolean): number | null {
  if (typeof v === 'number') return integer ? Math.trunc(v) : v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return integer ? Math.trunc(Number(v)) : Number(v);
  return null;
}

function callFunction(fn: string, args: unknown[], pos: number): unknown {
  const need = (n: number): void => {
    if (args.length !== n) throw new KqlError(`${fn}() takes ${n} argument${n === 1 ? '' : 's'}`, pos);
  };
  switch (fn) {
    case 'tolower':
      need(1);
      return toText(args[0]).toLowerCase();
    case 'toupper':
      need(1);
      return toText(args[0]).toUpperCase();
    case 'tostring':
      need(1);
      return toText(args[0]);
    case 'toint':
    case 'tolong':
      need(1);
      return toNumber(args[0], true);
    case 'todouble':
    case 'toreal':
      need(1);
      return toNumber(args[0], false);
    case 'tobool': {
      need(1);
      const t = toText(args[0]).toLowerCase();
      return t === 'true' || t === '1' ? true : t === 'false' || t === '0' ? false : null;
    }
    case 'isempty':
      need(1);
      return isEmpty(args[0]);
    case 'isnotempty':
      need(1);
      return !isEmpty(args[0]);
    case 'isnull':
      need(1);
      return args[0] === null || args[0] === undefined;
    case 'isnotnull':
      need(1);
      return !(args[0] === null || args[0] === undefined);
    case 'iff':
    case 'iif':
      need(3);
      return args[0] === true ? args[1] : args[2];
    case 'coalesce':
      return args.find((a) => !(a === null || a === undefined || a === '')) ?? null;
    case 'strcat':
      return args.map(toText).join('');
    case 'strlen':
      need(1);
      return [...toText(args[0])].length;
    case 'array_length':
      need(1);
      return Array.isArray(args[0]) ? args[0].length : null;
    case 'todynamic':
    case 'parse_json': {
      need(1);
      if (typeof args[0] !== 'string') return args[0] ?? null;
      try {
        return JSON.parse(args[0]) as unknown;
      } catch {
        return args[0];
      }
    }
    case 'not':
      need(1);
      return args[0] === true ? false : args[0] === false ? true : null;
    default:
      throw new KqlError(`the function '${fn}' is not supported by this emulator`, pos);
  }
}

/** Every column an expression reads must exist, as Kusto resolves names before running. */
function checkColumns(e: Expr, columns: ReadonlySet<string>): void {
  switch (e.t) {
    case 'col':
      if (!columns.has(e.name)) throw new KqlError(`Failed to resolve scalar expression named '${e.name}'`, e.pos);
      return;
    case 'member':
      return checkColumns(e.obj, columns);
    case 'index':
      checkColumns(e.obj, columns);
      return checkColumns(e.index, columns);
    case 'call':
      return e.args.forEach((a) => checkColumns(a, columns));
    case 'neg':
      return checkColumns(e.e, columns);
    case 'bin':
      checkColumns(e.l, columns);
      return checkColumns(e.r, columns);
    case 'in':
      checkColumns(e.e, columns);
      return e.list.forEach((a) => checkColumns(a, columns));
    case 'lit':
      return;
  }
}

export function evaluate(e: Expr, row: Row): unknown {
  switch (e.t) {
    case 'lit':
      return e.v;
    case 'col':
      return row[e.name] ?? null;
    case 'member': {
      const o = evaluate(e.obj, row);
      return isObj(o) && Object.hasOwn(o, e.name) ? (o[e.name] ?? null) : null;
    }
    case 'index': {
      const o = evaluate(e.obj, row);
      const k = evaluate(e.index, row);
      if (Array.isArray(o) && typeof k === 'number') return o[k < 0 ? o.length + k : k] ?? null;
      return isObj(o) && typeof k === 'string' && Object.hasOwn(o, k) ? (o[k] ?? null) : null;
    }
    case 'call':
      if (e.fn === 'iff' || e.fn === 'iif') {
        if (e.args.length !== 3) throw new KqlError(`${e.fn}() takes 3 arguments`, e.pos);
        return evaluate(e.args[0]!, row) === true ? evaluate(e.args[1]!, row) : evaluate(e.args[2]!, row);
      }
      return callFunction(e.fn, e.args.map((a) => evaluate(a, row)), e.pos);
    case 'neg': {
      const v = toNumber(evaluate(e.e, row), false);
      return v === null ? null : -v;
    }
    case 'in': {
      const v = evaluate(e.e, row);
      const found = e.list.some((item) => equal(v, evaluate(item, row), e.ci));
      if (v === null || v === undefined) return false;
      return e.negate ? !found : found;
    }
    case 'bin': {
      if (e.op === 'and') return evaluate(e.l, row) === true && evaluate(e.r, row) === true;
      if (e.op === 'or') return evaluate(e.l, row) === true || evaluate(e.r, row) === true;
      const a = evaluate(e.l, row);
      const b = evaluate(e.r, row);
      switch (e.op) {
        case '==':
          return equal(a, b, false);
        case '!=':
          return a === null || a === undefined || b === null || b === undefined ? false : !equal(a, b, false);
        case '=~':
          return equal(a, b, true);
        case '!~':
          return a === null || a === undefined || b === null || b === undefined ? false : !equal(a, b, true);
        case '<':
        case '<=':
        case '>':
        case '>=': {
          if (a === null || a === undefined || b === null || b === undefined) return false;
          const c = compare(a, b);
          return e.op === '<' ? c < 0 : e.op === '<=' ? c <= 0 : e.op === '>' ? c > 0 : c >= 0;
        }
        case 'contains':
          return toText(a).toLowerCase().includes(toText(b).toLowerCase());
        case 'has': {
          const term = toText(b).toLowerCase();
          if (term === '') return true;
          return toText(a)
            .toLowerCase()
            .split(/[^a-z0-9_]+/)
            .includes(term);
        }
        case 'startswith':
          return toText(a).toLowerCase().startsWith(toText(b).toLowerCase());
        case 'endswith':
          return toText(a).toLowerCase().endsWith(toText(b).toLowerCase());
        case '+':
        case '-':
        case '*':
        case '/':
        case '%': {
          const x = toNumber(a, false);
          const y = toNumber(b, false);
          if (x === null || y === null) return null;
          if ((e.op === '/' || e.op === '%') && y === 0) return null;
          return e.op === '+' ? x + y : e.op === '-' ? x - y : e.op === '*' ? x * y : e.op === '/' ? x / y : x % y;
        }
        default:
          throw new KqlError(`operator '${e.op}' is not supported`, e.pos);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Running a query

export type TableSource = (name: string, pos: number) => Table;

function uniqueName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  for (let i = 1; ; i++) if (!taken.has(`${name}${i}`)) return `${name}${i}`;
}

function aggregate(a: Aggregate, rows: Row[]): unknown {
  const values = (): unknown[] => rows.map((r) => evaluate(a.arg!, r));
  switch (a.fn) {
    case 'count':
      return rows.length;
    case 'countif':
      return values().filter((v) => v === true).length;
    case 'dcount':
      return new Set(values().filter((v) => v !== null && v !== undefined).map(toText)).size;
    case 'make_list':
      return values().filter((v) => v !== null && v !== undefined);
    case 'make_set': {
      const seen = new Map<string, unknown>();
      for (const v of values()) if (v !== null && v !== undefined && !seen.has(toText(v))) seen.set(toText(v), v);
      return [...seen.values()];
    }
    case 'sum':
      return values().reduce<number>((s, v) => s + (toNumber(v, false) ?? 0), 0);
    case 'min':
    case 'max': {
      const vs = values().filter((v) => v !== null && v !== undefined);
      if (vs.length === 0) return null;
      return vs.reduce((m, v) => (a.fn === 'min' ? (compare(v, m) < 0 ? v : m) : compare(v, m) > 0 ? v : m));
    }
    default:
      return values().find((v) => v !== null && v !== undefined) ?? null;
  }
}

function parseText(text: string, pattern: ParsePart[]): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let pos = 0;
  let pending: string | undefined;
  let pendingStar = false;
  for (const part of pattern) {
    if ('lit' in part) {
      const at = text.indexOf(part.lit, pos);
      if (at < 0 || (pending === undefined && !pendingStar && at !== pos)) return undefined;
      if (pending !== undefined) out[pending] = text.slice(pos, at);
      pending = undefined;
      pendingStar = false;
      pos = at + part.lit.length;
    } else if ('col' in part) {
      pending = part.col;
    } else {
      pendingStar = true;
    }
  }
  if (pending !== undefined) out[pending] = text.slice(pos);
  return out;
}

export function runQuery(query: Query, source: TableSource): Table {
  let { columns, rows } = source(query.table, query.tablePos);
  for (const op of query.operators) {
    const known = new Set(columns);
    switch (op.op) {
      case 'where':
        checkColumns(op.expr, known);
        rows = rows.filter((r) => evaluate(op.expr, r) === true);
        break;
      case 'extend': {
        for (const a of op.assigns) checkColumns(a.expr, known);
        rows = rows.map((r) => {
          const out = { ...r };
          for (const a of op.assigns) out[a.name] = evaluate(a.expr, out);
          return out;
        });
        columns = [...columns, ...op.assigns.map((a) => a.name).filter((n) => !known.has(n))];
        break;
      }
      case 'project': {
        for (const a of op.assigns) checkColumns(a.expr, known);
        rows = rows.map((r) => Object.fromEntries(op.assigns.map((a) => [a.name, evaluate(a.expr, r)])));
        columns = op.assigns.map((a) => a.name);
        break;
      }
      case 'project-away': {
        for (const n of op.names) if (!known.has(n)) throw new KqlError(`Failed to resolve column named '${n}'`, op.pos);
        const away = new Set(op.names);
        columns = columns.filter((c) => !away.has(c));
        rows = rows.map((r) => Object.fromEntries(columns.map((c) => [c, r[c]])));
        break;
      }
      case 'sort':
      case 'top': {
        const keys = op.op === 'sort' ? op.keys : [op.key];
        for (const k of keys) checkColumns(k.expr, known);
        const decorated = rows.map((r) => ({ r, k: keys.map((key) => evaluate(key.expr, r)) }));
        decorated.sort((x, y) => {
          for (let i = 0; i < keys.length; i++) {
            const c = compare(x.k[i], y.k[i]);
            if (c !== 0) return keys[i]!.desc && x.k[i] !== null && y.k[i] !== null ? -c : c;
          }
          return 0;
        });
        rows = decorated.map((d) => d.r);
        if (op.op === 'top') rows = rows.slice(0, op.n);
        break;
      }
      case 'take':
        rows = rows.slice(0, op.n);
        break;
      case 'distinct': {
        for (const n of op.names) if (!known.has(n)) throw new KqlError(`Failed to resolve column named '${n}'`, op.pos);
        const seen = new Set<string>();
        const out: Row[] = [];
        for (const r of rows) {
          const picked = Object.fromEntries(op.names.map((n) => [n, r[n] ?? null]));
          const key = JSON.stringify(op.names.map((n) => picked[n]));
          if (!seen.has(key)) {
            seen.add(key);
            out.push(picked);
          }
        }
        rows = out;
        columns = op.names;
        break;
      }
      case 'count':
        rows = [{ Count: rows.length }];
        columns = ['Count'];
        break;
      case 'summarize': {
        for (const b of op.by) checkColumns(b.expr, known);
        for (const a of op.aggregates) if (a.arg) checkColumns(a.arg, known);
        const groups = new Map<string, { keys: unknown[]; rows: Row[] }>();
        for (const r of rows) {
          const keys = op.by.map((b) => evaluate(b.expr, r));
          const id = JSON.stringify(keys);
          let g = groups.get(id);
          if (!g) groups.set(id, (g = { keys, rows: [] }));
          g.rows.push(r);
        }
        if (op.by.length === 0 && groups.size === 0) groups.set('[]', { keys: [], rows: [] });
        rows = [...groups.values()].map((g) => {
          const out: Row = {};
          op.by.forEach((b, i) => (out[b.name] = g.keys[i] ?? null));
          for (const a of op.aggregates) out[a.name] = aggregate(a, g.rows);
          return out;
        });
        columns = [...op.by.map((b) => b.name), ...op.aggregates.map((a) => a.name)];
        break;
      }
      case 'join': {
        const right = runQuery(op.right, source);
        const rightKnown = new Set(right.columns);
        for (const k of op.keys) {
          if (!known.has(k.left)) throw new KqlError(`Failed to resolve column named '${k.left}' on the left of the join`, op.pos);
          if (!rightKnown.has(k.right)) throw new KqlError(`Failed to resolve column named '${k.right}' on the right of the join`, op.pos);
        }
        const taken = new Set(columns);
        const renamed = right.columns.map((c) => {
          const name = uniqueName(c, taken);
          taken.add(name);
          return [c, name] as const;
        });
        const keyOf = (r: Row, side: 'left' | 'right'): string | undefined => {
          const values = op.keys.map((k) => r[side === 'left' ? k.left : k.right]);
          return values.some((v) => v === null || v === undefined) ? undefined : JSON.stringify(values.map(toText));
        };
        const index = new Map<string, Row[]>();
        for (const r of right.rows) {
          const key = keyOf(r, 'right');
          if (key === undefined) continue;
          const list = index.get(key);
          if (list) list.push(r);
          else index.set(key, [r]);
        }
        const merge = (l: Row, r: Row | undefined): Row => {
          const out: Row = { ...l };
          for (const [c, name] of renamed) out[name] = r ? (r[c] ?? null) : null;
          return out;
        };
        const out: Row[] = [];
        const seenLeft = new Set<string>();
        for (const l of rows) {
          const key = keyOf(l, 'left');
          const matches = key === undefined ? [] : (index.get(key) ?? []);
          if (op.kind === 'leftanti') {
            if (matches.length === 0) out.push(l);
            continue;
          }
          if (op.kind === 'innerunique') {
            if (key === undefined || seenLeft.has(key)) continue;
            seenLeft.add(key);
          }
          if (matches.length === 0) {
            if (op.kind === 'leftouter') out.push(merge(l, undefined));
            continue;
          }
          for (const r of matches) out.push(merge(l, r));
        }
        rows = out;
        if (op.kind !== 'leftanti') columns = [...columns, ...renamed.map(([, name]) => name)];
        break;
      }
      case 'parse': {
        checkColumns(op.expr, known);
        const names = op.pattern.flatMap((p) => ('col' in p ? [p.col] : []));
        rows = rows.map((r) => {
          const found = parseText(toText(evaluate(op.expr, r)), op.pattern);
          const out = { ...r };
          for (const n of names) out[n] = found?.[n] ?? '';
          return out;
        });
        columns = [...columns, ...names.filter((n) => !known.has(n))];
        break;
      }
    }
  }
  return { columns, rows };
}
