/**
 * Flux's post-build variable expansion, as Azure's Flux runs it (kustomize-controller 1.7 and
 * the Flux CLI 2.7 use `fluxcd/pkg/envsubst` v1.5.0, a fork of drone/envsubst).
 *
 * The behaviour, including its quirks, is what counts here, not bash's:
 * - only braced forms expand (`${var}`); a bare `$var` is text; `$$` is one `$` (so `$${var}`
 *   is the literal `${var}`);
 * - every default-style operator (`=`, `:=`, `:-`, `:?`, `:+`) means "the argument when the
 *   value is empty", and nothing is assigned; `${var-x}` and `${var+x}` are not accepted at all;
 * - `${#v}`, `${v:offset[:length]}`, `${v#p}`, `${v##p}`, `${v%p}`, `${v%%p}` and lengths count
 *   UTF-8 bytes, as Go does; patterns are Go-style globs in which `*` and `?` also match `/`;
 * - `${v/p/r}`, `${v//p/r}`, `${v/#p/r}`, `${v/%p/r}` replace plain text (not patterns), and in
 *   their arguments `\/`, `\\` and `$$` are escapes;
 * - in strict mode only a bare `${v}` of an unknown variable is an error; defaults and
 *   transformations of unknown variables give "" (envsubst 1.6, newer than Azure's, changed
 *   that).
 * A test replays vectors recorded from the Go implementation against this one.
 */

export class EnvsubstError extends Error {}

const BAD_SUBSTITUTION = 'bad substitution';
const MISSING_CLOSING_BRACE = 'missing closing brace';
const BAD_VARIABLE_NAME = 'unable to parse variable name';
const BAD_ARGUMENT = 'unable to parse substitution within function';

type Node = { text: string } | Expr;
interface Expr {
  variable: string;
  /** The operator as written: '' for `${v}`, ':=', '#', '//', ',,', … */
  op: string;
  args: Node[][];
}

const isIdentChar = (c: string): boolean => /^[\p{L}\p{Nd}_]$/u.test(c);
const utf8Length = (c: string): number => Buffer.byteLength(c, 'utf8');

/** A recursive-descent reading of one template; `pos` indexes code points. */
class Parser {
  private pos = 0;
  constructor(private readonly cs: readonly string[]) {}

  private at(i = 0): string | undefined {
    return this.cs[this.pos + i];
  }

  private opensExpr(): boolean {
    return this.at() === '$' && this.at(1) === '{';
  }

  template(): Node[] {
    const nodes: Node[] = [];
    while (this.pos < this.cs.length) {
      if (this.opensExpr()) {
        this.pos += 2;
        nodes.push(this.expr());
        continue;
      }
      let text = '';
      while (this.pos < this.cs.length && !this.opensExpr()) {
        if (this.at() === '$' && this.at(1) === '$') {
          text += '$';
          this.pos += 2;
        } else {
          text += this.at();
          this.pos++;
        }
      }
      nodes.push({ text });
    }
    return nodes;
  }

  /** After `${`. */
  private expr(): Expr {
    if (this.at() === '#') {
      this.pos++;
      const variable = this.ident();
      if (variable === '') throw new EnvsubstError(BAD_SUBSTITUTION);
      this.closingBrace();
      return { variable, op: '#', args: [] };
    }
    const variable = this.ident();
    if (variable === '') throw new EnvsubstError(BAD_VARIABLE_NAME);
    const next = this.at();
    switch (next) {
      case ':': {
        const after = this.at(1);
        // Go re-reads the byte before a multi-byte character here and fails; so does this.
        if (after === undefined || utf8Length(after) > 1) throw new EnvsubstError(BAD_SUBSTITUTION);
        if ('=-?+'.includes(after)) {
          this.pos += 2;
          return this.defaulted(variable, `:${after}`);
        }
        this.pos++;
        return this.substring(variable);
      }
      case '=':
        this.pos++;
        return this.defaulted(variable, '=');
      case ',':
      case '^': {
        let op = '';
        while (op.length < 2 && (this.at() === ',' || this.at() === '^')) op += this.cs[this.pos++];
        this.closingBrace();
        return { variable, op, args: [] };
      }
      case '/':
        return this.replacement(variable);
      case '#':
      case '%': {
        let op = '';
        while (op.length < 2 && this.at() === next) op += this.cs[this.pos++];
        const pattern = this.argument((c) => c !== '}', false);
        this.closingBrace();
        return { variable, op, args: [pattern] };
      }
      default:
        if (next !== '}') throw new EnvsubstError(MISSING_CLOSING_BRACE);
        this.pos++;
        return { variable, op: '', args: [] };
    }
  }

  private ident(): string {
    let name = '';
    while (this.pos < this.cs.length && isIdentChar(this.at()!)) name += this.cs[this.pos++];
    return name;
  }

  private closingBrace(): void {
    if (this.at() !== '}') throw new EnvsubstError(BAD_SUBSTITUTION);
    this.pos++;
  }

  /** The pair at pos that an escape turns into one character, if any. */
  private escaped(): string | undefined {
    const c = this.at();
    const d = this.at(1);
    if (c === '$' && d === '$') return '$';
    if (c === '\\' && (d === '/' || d === '\\')) return d;
    return undefined;
  }

  /**
   * One argument: a nested `${…}`, or text up to the first character `accepts` refuses (or
   * up to a nested `${`). The first character must be accepted. Returns the argument's nodes.
   */
  private argument(accepts: (c: string) => boolean, escapes: boolean): Node[] {
    if (this.opensExpr()) {
      this.pos += 2;
      return [this.expr()];
    }
    if (this.pos >= this.cs.length) throw new EnvsubstError(BAD_ARGUMENT);
    let text = '';
    let first = true;
    while (this.pos < this.cs.length && !this.opensExpr()) {
      const kept = escapes ? this.escaped() : undefined;
      if (kept !== undefined) {
        text += kept;
        this.pos += 2;
      } else if (accepts(this.at()!)) {
        text += this.cs[this.pos++];
      } else if (first) {
        throw new EnvsubstError(BAD_ARGUMENT);
      } else {
        break;
      }
      first = false;
    }
    return [{ text }];
  }

  /** `${v=…}`, `${v:=…}`, `${v:-…}`, `${v:?…}`, `${v:+…}`: arguments up to the brace, joined. */
  private defaulted(variable: string, op: string): Expr {
    const args: Node[][] = [];
    while (this.at() !== '}') args.push(this.argument((c) => c !== '}', false));
    this.pos++;
    return { variable, op, args };
  }

  /** After `${v:`: an offset, then optionally a run of colons and a length. */
  private substring(variable: string): Expr {
    const args = [this.argument((c) => c !== ':' && c !== '}', false)];
    if (this.at() === '}') {
      this.pos++;
      return { variable, op: ':', args };
    }
    if (this.at() !== ':') throw new EnvsubstError(BAD_SUBSTITUTION);
    while (this.at() === ':') this.pos++;
    args.push(this.argument((c) => c !== '}', false));
    this.closingBrace();
    return { variable, op: ':', args };
  }

  /** After the variable of `${v/…}`: `/`, `//`, `/#` or `/%`, a pattern, slashes, a replacement. */
  private replacement(variable: string): Expr {
    let op = '/';
    this.pos++;
    const second = this.at();
    if (second === '/' || second === '#' || second === '%') {
      op += second;
      this.pos++;
    }
    const args = [this.argument((c) => c !== '/', true)];
    if (this.at() !== '/') throw new EnvsubstError(BAD_SUBSTITUTION);
    while (this.at() === '/') this.pos++;
    if (this.at() === '}') {
      this.pos++;
      return { variable, op, args };
    }
    args.push(this.argument((c) => c !== '}', true));
    this.closingBrace();
    return { variable, op, args };
  }
}

// ---------------------------------------------------------------------------------------------
// The functions, with Go's byte and rune semantics.
// ---------------------------------------------------------------------------------------------

const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');
const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

/** Go's utf8.DecodeRune: the code point and its length; invalid input is (U+FFFD, 1). */
function decodeRune(b: Uint8Array, at = 0): [number, number] {
  const b0 = b[at];
  if (b0 === undefined) return [0xfffd, 0];
  if (b0 < 0x80) return [b0, 1];
  const cont = (i: number): number | undefined => {
    const x = b[at + i];
    return x !== undefined && (x & 0xc0) === 0x80 ? x & 0x3f : undefined;
  };
  let need: number;
  let cp: number;
  let min: number;
  if (b0 >= 0xc2 && b0 <= 0xdf) [need, cp, min] = [1, b0 & 0x1f, 0x80];
  else if (b0 >= 0xe0 && b0 <= 0xef) [need, cp, min] = [2, b0 & 0x0f, 0x800];
  else if (b0 >= 0xf0 && b0 <= 0xf4) [need, cp, min] = [3, b0 & 0x07, 0x10000];
  else return [0xfffd, 1];
  for (let i = 1; i <= need; i++) {
    const c = cont(i);
    if (c === undefined) return [0xfffd, 1];
    cp = (cp << 6) | c;
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return [0xfffd, 1];
  return [cp, need + 1];
}

class BadPattern extends Error {}

/** One glob chunk against the start of s: the rest of s, or undefined when it does not match. */
function matchChunk(chunk: Uint8Array, s: Uint8Array): Uint8Array | undefined {
  let c = chunk;
  let rest = s;
  while (c.length > 0) {
    if (rest.length === 0) return undefined;
    switch (c[0]) {
      case 0x5b /* [ */: {
        const [r, n] = decodeRune(rest);
        rest = rest.subarray(n);
        c = c.subarray(1);
        let negated = false;
        if (c.length > 0 && c[0] === 0x5e /* ^ */) {
          negated = true;
          c = c.subarray(1);
        }
        let matched = false;
        let ranges = 0;
        for (;;) {
          if (c.length > 0 && c[0] === 0x5d /* ] */ && ranges > 0) {
            c = c.subarray(1);
            break;
          }
          const lo = classChar(c);
          let hi = lo.rune;
          c = lo.rest;
          if (c[0] === 0x2d /* - */) {
            const h = classChar(c.subarray(1));
            hi = h.rune;
            c = h.rest;
          }
          if (lo.rune <= r && r <= hi) matched = true;
          ranges++;
        }
        if (matched === negated) return undefined;
        break;
      }
      case 0x3f /* ? */: {
        rest = rest.subarray(decodeRune(rest)[1]);
        c = c.subarray(1);
        break;
      }
      default:
        // A backslash makes the next byte literal.
        if (c[0] === 0x5c /* \ */) {
          c = c.subarray(1);
          if (c.length === 0) throw new BadPattern();
        }
        if (c[0] !== rest[0]) return undefined;
        rest = rest.subarray(1);
        c = c.subarray(1);
    }
  }
  return rest;
}

/** A possibly escaped character of a character class, and what follows it. */
function classChar(c: Uint8Array): { rune: number; rest: Uint8Array } {
  let x = c;
  if (x.length === 0 || x[0] === 0x2d || x[0] === 0x5d) throw new BadPattern();
  if (x[0] === 0x5c) {
    x = x.subarray(1);
    if (x.length === 0) throw new BadPattern();
  }
  const [rune, n] = decodeRune(x);
  if (rune === 0xfffd && n === 1) throw new BadPattern();
  const rest = x.subarray(n);
  if (rest.length === 0) throw new BadPattern();
  return { rune, rest };
}

/** Splits off the next chunk: leading stars, then up to the next star outside a class. */
function scanChunk(pattern: Uint8Array): { star: boolean; chunk: Uint8Array; rest: Uint8Array } {
  let p = pattern;
  let star = false;
  while (p.length > 0 && p[0] === 0x2a) {
    p = p.subarray(1);
    star = true;
  }
  let inClass = false;
  let i = 0;
  for (; i < p.length; i++) {
    const b = p[i];
    if (b === 0x5c) {
      if (i + 1 < p.length) i++;
    } else if (b === 0x5b) inClass = true;
    else if (b === 0x5d) inClass = false;
    else if (b === 0x2a && !inClass) break;
  }
  return { star, chunk: p.subarray(0, i), rest: p.subarray(i) };
}

/** The glob of envsubst's trim functions: Go's path.Match, except that `*` and `?` match `/`. */
export function globMatch(patternText: Uint8Array, nameText: Uint8Array): boolean {
  let pattern = patternText;
  let name = nameText;
  outer: while (pattern.length > 0) {
    const { star, chunk, rest } = scanChunk(pattern);
    pattern = rest;
    if (star && chunk.length === 0) return true;
    const t = matchChunk(chunk, name);
    if (t !== undefined && (t.length === 0 || pattern.length > 0)) {
      name = t;
      continue;
    }
    if (star) {
      for (let i = 0; i < name.length; i++) {
        const u = matchChunk(chunk, name.subarray(i + 1));
        if (u !== undefined) {
          if (pattern.length === 0 && u.length > 0) continue;
          name = u;
          continue outer;
        }
      }
    }
    return false;
  }
  return name.length === 0;
}

function trimPrefixGlob(s: Uint8Array, pattern: Uint8Array, longest: boolean): Uint8Array {
  let found = -1;
  for (let i = 0; i < s.length; i++) {
    const end = s.length - i;
    let matched: boolean;
    try {
      matched = globMatch(pattern, s.subarray(0, end));
    } catch (err) {
      if (err instanceof BadPattern) return s;
      throw err;
    }
    if (matched) {
      if (longest) return s.subarray(end);
      found = end;
    }
  }
  return found > 0 ? s.subarray(found) : s;
}

/** Go's []rune(string) reversed and encoded again (invalid bytes become U+FFFD). */
function reverseRunes(b: Uint8Array): Uint8Array {
  const runes: number[] = [];
  for (let i = 0; i < b.length; ) {
    const [r, n] = decodeRune(b, i);
    runes.push(r);
    i += n;
  }
  return bytes(String.fromCodePoint(...runes.reverse()));
}

function trimSuffixGlob(s: Uint8Array, pattern: Uint8Array, longest: boolean): Uint8Array {
  return reverseRunes(trimPrefixGlob(reverseRunes(s), reverseRunes(pattern), longest));
}

/** Go's strconv.Atoi, or undefined where it fails. */
function atoi(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

function substring(value: string, args: string[]): string {
  const s = bytes(value);
  let pos = atoi(args[0] ?? '');
  if (pos === undefined) return value;
  if (pos < 0) pos = Math.max(0, s.length + pos);
  if (args.length === 1) return pos < s.length ? text(s.subarray(pos)) : '';
  const length = atoi(args[1]!);
  if (length === undefined) return value;
  if (pos + length >= s.length) return pos < s.length ? text(s.subarray(pos)) : '';
  // Go panics on a slice that ends before it starts; Flux reports the failed reconciliation.
  if (length < 0) throw new EnvsubstError(`substring of length ${length} is out of range`);
  return text(s.subarray(pos, pos + length));
}

/** Go's strings.Replace: n < 0 replaces all; an empty `from` inserts before every rune and at the end. */
function replace(s: string, from: string, to: string, n: number): string {
  if (from === to || n === 0) return s;
  if (from === '') {
    const runes = Array.from(s);
    let out = '';
    let done = 0;
    for (let i = 0; i <= runes.length; i++) {
      if (n < 0 || done < n) {
        out += to;
        done++;
      }
      if (i < runes.length) out += runes[i];
    }
    return out;
  }
  if (n < 0) return s.split(from).join(to);
  const at = s.indexOf(from);
  return at < 0 ? s : s.slice(0, at) + to + s.slice(at + from.length);
}

/**
 * Go's unicode.ToUpper/ToLower, rune by rune: Unicode's simple case mappings, so a character
 * whose full mapping has several characters (ß → SS) stays as it is; İ is the one character
 * whose simple lower case (i) differs from the first character of its full one.
 */
function mapRunes(s: string, upper: boolean, firstOnly: boolean): string {
  const runes = Array.from(s);
  return runes
    .map((r, i) => {
      if (firstOnly && i > 0) return r;
      if (!upper && r === '\u0130') return 'i';
      const m = upper ? r.toUpperCase() : r.toLowerCase();
      return Array.from(m).length === 1 ? m : r;
    })
    .join('');
}

function apply(op: string, value: string, args: string[]): string {
  switch (op) {
    case ',':
      return mapRunes(value, false, true);
    case ',,':
      return mapRunes(value, false, false);
    case '^':
      return mapRunes(value, true, true);
    case '^^':
      return mapRunes(value, true, false);
    case '#':
      return args.length === 0 ? String(bytes(value).length) : text(trimPrefixGlob(bytes(value), bytes(args[0]!), false));
    case '##':
      return text(trimPrefixGlob(bytes(value), bytes(args[0] ?? ''), true));
    case '%':
      return text(trimSuffixGlob(bytes(value), bytes(args[0] ?? ''), false));
    case '%%':
      return text(trimSuffixGlob(bytes(value), bytes(args[0] ?? ''), true));
    case ':':
      return substring(value, args);
    case '/#':
      return args.length === 2 && value.startsWith(args[0]!) ? replace(value, args[0]!, args[1]!, 1) : value;
    case '/%':
      return args.length === 2 && value.endsWith(args[0]!) ? value.slice(0, value.length - args[0]!.length) + args[1]! : value;
    case '/':
      return args.length === 0 ? value : replace(value, args[0]!, args[1] ?? '', 1);
    case '//':
      return args.length === 0 ? value : replace(value, args[0]!, args[1] ?? '', -1);
    default:
      // `${v}`, every default operator, and operators envsubst parses but does not implement.
      return value.length === 0 && args.length > 0 ? args.join('') : value;
  }
}

/** A variable's value, and whether it is defined (strict mode cares). */
export type Lookup = (name: string) => { value: string; defined: boolean };

function evaluate(nodes: readonly Node[], lookup: Lookup): string {
  let out = '';
  for (const node of nodes) {
    if ('text' in node) {
      out += node.text;
      continue;
    }
    const args = node.args.map((a) => evaluate(a, lookup));
    const { value, defined } = lookup(node.variable);
    if (node.op === '' && !defined) throw new EnvsubstError(`variable not set (strict mode): ${JSON.stringify(node.variable)}`);
    out += apply(node.op, value, args);
  }
  return out;
}

/** Expands `text`; throws EnvsubstError with envsubst's own message when it cannot. */
export function envsubst(text: string, lookup: Lookup): string {
  return evaluate(new Parser(Array.from(text)).template(), lookup);
}

/** The lookup Flux builds from its variables: unknown names are empty, or undefined in strict mode. */
export function variableLookup(vars: ReadonlyMap<string, string>, strict: boolean): Lookup {
  return (name) => {
    const value = vars.get(name);
    return { value: value ?? '', defined: value !== undefined || !strict };
  };
}
