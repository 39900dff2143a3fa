/** User text in messages: made visible, shortened, secrets hidden first; generated input. */
import { describe, test, expect } from '@jest/globals';
import { echo, ECHO_MAX, safeMessage, shellWord, visible } from '../../src/core/echo.js';
import { redactor } from '../../src/core/redact.js';
import { FRAGMENTS, hostileStrings, label, SEED, UNSAFE_ON_A_TERMINAL } from '../helpers/hostile.js';

describe(`echo (seed ${SEED})`, () => {
  test.each(hostileStrings({ base: 'value', count: 80 }).map((v) => [label(v), v]))('%s is quoted as one visible, bounded line', (_l, value) => {
    const shown = echo(value);
    expect(shown).not.toMatch(UNSAFE_ON_A_TERMINAL);
    expect(shown).not.toContain('\n');
    expect([...shown].length).toBeLessThanOrEqual(ECHO_MAX + 30);
  });

  test('escapes are named, other controls shown by code', () => {
    expect(visible('a\nb\tc\u001b[31m\u0000\u202e')).toBe('a\\nb\\tc\\e[31m\\x00\\u202e');
  });

  test('a long value is cut on a code point and says how much is left out', () => {
    expect(echo('🚀'.repeat(100), 10)).toBe(`${'🚀'.repeat(10)}…(90 more characters)`);
  });

  test('a secret is hidden before the value is shortened, so no part of it is left', () => {
    const secret = 'echo-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
    redactor.add(secret);
    const shown = echo(`x${'y'.repeat(70)}${secret}`);
    expect(shown).not.toContain(secret.slice(0, 8));
  });
});

describe('safeMessage', () => {
  test.each(FRAGMENTS.map((f) => [label(f), f]))('keeps the line breaks of the message and shows %s', (_l, fragment) => {
    const text = safeMessage(`first ${fragment} line\nsecond line`);
    for (const line of text.split('\n')) expect(line).not.toMatch(UNSAFE_ON_A_TERMINAL);
  });

  test('bounds the whole message', () => {
    expect(safeMessage('z'.repeat(100_000)).length).toBeLessThan(2100);
  });
});

describe('shellWord', () => {
  test.each([
    ['rg', 'rg'],
    ['rg(prod)', "'rg(prod)'"],
    ["it's", "'it'\\''s'"],
    ['a b', "'a b'"],
    ['$(id)', "'$(id)'"],
  ])('%s → %s', (value, shown) => {
    expect(shellWord(value)).toBe(shown);
  });
});
