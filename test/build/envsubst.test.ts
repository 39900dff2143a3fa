/**
 * Flux's variable expansion (fluxcd/pkg/envsubst v1.5.0, the version Azure's Flux runs).
 *
 * fixtures/envsubst-v1.5.0.json holds inputs and the outputs (or error messages) of the Go
 * implementation itself, recorded by running envsubst.Eval on generated templates: well-formed
 * and broken expressions of every operator, escapes, globs, multi-byte text, strict and lax
 * lookups. Each is replayed here. The named cases below say in words what those rules are.
 */
import { describe, test, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { envsubst, EnvsubstError, globMatch, variableLookup } from '../../src/build/envsubst.js';

interface Vector {
  text: string;
  vars: Record<string, string>;
  strict: boolean;
  out?: string;
  error?: string;
}

const VECTORS = JSON.parse(readFileSync(new URL('./fixtures/envsubst-v1.5.0.json', import.meta.url), 'utf8')) as Vector[];

function expand(text: string, vars: Record<string, string> = {}, strict = false): string {
  return envsubst(text, variableLookup(new Map(Object.entries(vars)), strict));
}

function failure(text: string, vars: Record<string, string> = {}, strict = false): string {
  try {
    expand(text, vars, strict);
  } catch (err) {
    expect(err).toBeInstanceOf(EnvsubstError);
    return (err as Error).message;
  }
  throw new Error(`no error for ${text}`);
}

describe('the recorded behaviour of Flux envsubst v1.5.0', () => {
  test('there are vectors of every kind', () => {
    expect(VECTORS.length).toBeGreaterThan(500);
    expect(VECTORS.filter((v) => v.out !== undefined && /\$\{/.test(v.text)).length).toBeGreaterThan(200);
    for (const message of ['bad substitution', 'missing closing brace', 'unable to parse variable name', 'unable to parse substitution within function']) {
      expect(VECTORS.some((v) => v.error === message)).toBe(true);
    }
    expect(VECTORS.some((v) => v.error?.startsWith('variable not set (strict mode)'))).toBe(true);
  });

  test('every vector gives the same output, or fails with the same message', () => {
    const mismatches: string[] = [];
    for (const v of VECTORS) {
      let out: string | undefined;
      let error: string | undefined;
      try {
        out = expand(v.text, v.vars, v.strict);
      } catch (err) {
        if (!(err instanceof EnvsubstError)) throw err;
        error = err.message;
      }
      // Go panics on a negative substring length; Flux reports a failure, and so does this.
      const same = v.error === 'panic' ? error !== undefined : v.error !== undefined ? error === v.error : out === v.out;
      if (!same) mismatches.push(JSON.stringify({ ...v, got: error ?? out }));
    }
    expect(mismatches).toEqual([]);
  });
});

describe('the rules, by example', () => {
  test('only braced variables expand; $$ is one dollar', () => {
    expect(expand('$a ${a} $${a} $$a $$$a', { a: 'x' })).toBe('$a x ${a} $a $$a');
  });

  test('every default operator means "when empty", and nothing is assigned', () => {
    for (const op of [':=', ':-', '=', ':?', ':+']) {
      expect(expand(`\${a${op}d}|\${a}`)).toBe('d|');
      expect(expand(`\${a${op}d}`, { a: 'set' })).toBe('set');
    }
    expect(expand('${a:=}', {})).toBe('');
    expect(expand('${a:=x${b}y}', { b: 'B' })).toBe('xBy');
  });

  test('${v-d} and ${v+d} are not accepted, unlike bash', () => {
    expect(failure('${a-d}')).toBe('missing closing brace');
    expect(failure('${a+d}')).toBe('missing closing brace');
  });

  test('strict mode refuses only a bare unknown variable', () => {
    expect(failure('${missing}', {}, true)).toBe('variable not set (strict mode): "missing"');
    expect(expand('${missing:=d} ${#missing} ${missing^^}', {}, true)).toBe('d 0 ');
    expect(expand('${missing}', {}, false)).toBe('');
  });

  test('lengths and offsets count UTF-8 bytes, as Go does', () => {
    expect(expand('${#a}', { a: 'é€' })).toBe('5');
    expect(expand('${a:1}', { a: 'abc' })).toBe('bc');
    expect(expand('${a:-2}', { a: 'abc' })).toBe('abc'); // ":-" is a default, not a negative offset
    expect(expand('${a:1:1}', { a: 'abc' })).toBe('b');
    expect(expand('${a:x}', { a: 'abc' })).toBe('abc');
    expect(failure('${a:1:-2}', { a: 'abc' })).toMatch(/out of range/);
  });

  test('trims use globs in which * and ? also match /', () => {
    expect(expand('${a#*/}|${a##*/}|${a%/*}|${a%%/*}', { a: 'x/y/z' })).toBe('y/z|z|x/y|x');
    expect(expand('${a#[xy]}', { a: 'xyz' })).toBe('yz');
    expect(expand('${a#[}', { a: 'x' })).toBe('x'); // a broken pattern trims nothing
  });

  test('replacements are plain text, with \\/ and \\\\ as escapes', () => {
    expect(expand('${a/o/0}|${a//o/0}|${a/#he/HE}|${a/%lo/LO}', { a: 'hello' })).toBe('hell0|hell0|HEllo|helLO');
    expect(expand('${a//\\//-}', { a: 'a/b/c' })).toBe('a-b-c');
    expect(expand('${a//*/x}', { a: 'a*b' })).toBe('axb');
    expect(failure('${a/o}', { a: 'hello' })).toBe('bad substitution');
  });

  test('case changes work rune by rune', () => {
    expect(expand('${a^}|${a^^}|${b,}|${b,,}', { a: 'élan', b: 'ÉLAN' })).toBe('Élan|ÉLAN|éLAN|élan');
    expect(expand('${a^^}', { a: 'straße' })).toBe('STRAßE');
  });

  test('malformed expressions name what is wrong', () => {
    expect(failure('${}')).toBe('unable to parse variable name');
    expect(failure('${a')).toBe('missing closing brace');
    expect(failure('${#}')).toBe('bad substitution');
    expect(failure('${a:}')).toBe('unable to parse substitution within function');
  });

  test('the glob is Go path.Match with * crossing slashes', () => {
    const m = (p: string, s: string): boolean => globMatch(Buffer.from(p), Buffer.from(s));
    expect(m('a*', 'a/b')).toBe(true);
    expect(m('a?c', 'a/c')).toBe(true);
    expect(m('[a-c]x', 'bx')).toBe(true);
    expect(m('[^a-c]x', 'bx')).toBe(false);
    expect(m('\\*', '*')).toBe(true);
    expect(m('*.yaml', 'x.yml')).toBe(false);
  });
});
