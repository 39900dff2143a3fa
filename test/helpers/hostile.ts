/**
 * Hostile strings for generated-input tests: a small, seeded generator (the same seed always
 * gives the same strings, so a failure can be replayed), mixing what breaks naive code — path
 * separators, `..`, percent-escapes, spaces, control characters and terminal escapes, newlines,
 * bidirectional overrides and other unicode, very long values, and the names of
 * Object.prototype's members — into otherwise ordinary names.
 *
 * Set HOSTILE_SEED to replay another sequence; every test prints the seed it used in its name.
 */

import { seededRandom } from '../../emulator/util.js';

/** mulberry32, the emulator's seeded generator (the one its generated fleets come from). */
export const prng = seededRandom;

export const SEED = Number(process.env.HOSTILE_SEED ?? 20250801);

/** Pieces that each break something somewhere. */
export const FRAGMENTS: readonly string[] = [
  '#', '?', '/', '\\', '..', '../', '/..', '%2F', '%2e%2e', '%23', '%3F', '%00', '%', ' ', '\t', '\n', '\r\n', '\u0000', '\u0007',
  '\u001b]0;pwned\u0007', '\u001b[2J', '\u001b[31m', '\u007f', '\u0085', '\u202e', '\u2066', '\u2028', '\ufeff', '\u200b', 'é', 'ß', '名', '🚀',
  '\uff0f', '\u2215', '&', '=', ';', '"', "'", '`', '$(id)', '@', ':', '*', '<', '>', '|', '{subscriptionId}',
];

/** Keys of Object.prototype and friends: ordinary words that naive lookups mistake for members. */
export const PROTOTYPE_NAMES: readonly string[] = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', '__defineGetter__'];

/** Whole values that are hostile by themselves. */
export const WHOLE: readonly string[] = ['', ' ', '.', '..', '-', '--', '0', 'a'.repeat(5000), '\u001b]0;pwned\u0007', 'x'.repeat(64), 'A'.repeat(91), ...PROTOTYPE_NAMES];

export interface HostileOptions {
  /** A valid value to mutate (e.g. `aks1`); mutations insert, append or replace with fragments. */
  base: string;
  count: number;
  seed?: number;
}

/**
 * `count` distinct hostile variants of `base`: a fragment inserted or appended, the base
 * replaced by a whole hostile value, or several fragments combined. Deterministic for a seed.
 */
export function hostileStrings({ base, count, seed = SEED }: HostileOptions): string[] {
  const random = prng(seed ^ hash(base));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const out = new Set<string>();
  let guard = 0;
  while (out.size < count && guard++ < count * 50) {
    const kind = random();
    let value: string;
    if (kind < 0.35) value = base + pick(FRAGMENTS);
    else if (kind < 0.6) {
      const at = Math.floor(random() * (base.length + 1));
      value = base.slice(0, at) + pick(FRAGMENTS) + base.slice(at);
    } else if (kind < 0.75) value = pick(WHOLE);
    else if (kind < 0.9) value = pick(FRAGMENTS) + base + pick(FRAGMENTS) + pick(FRAGMENTS);
    else value = base + pick(FRAGMENTS).repeat(1 + Math.floor(random() * 2000));
    if (value !== base) out.add(value);
  }
  return [...out];
}

function hash(text: string): number {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.codePointAt(0)!, 16777619);
  return h >>> 0;
}

/** Characters that must never reach a terminal from user input: C0, DEL, C1, bidi and line separators. */
export const UNSAFE_ON_A_TERMINAL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/u;

/** A shell-safe, printable label for a test name. */
export function label(value: string): string {
  const shown = JSON.stringify(value);
  return shown.length > 40 ? `${shown.slice(0, 37)}…" (${value.length} chars)` : shown;
}
