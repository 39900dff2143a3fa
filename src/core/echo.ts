/**
 * User text shown back in a message. A value is data, never terminal input: control characters,
 * escape sequences and bidirectional overrides are shown as escapes (so a name cannot move the
 * cursor, retitle the terminal or fake a line of output), and long values are shortened (so a
 * mistake never writes megabytes to stderr). Secrets are redacted first, so that shortening
 * never leaves part of one behind.
 */
import { redactor } from './redact.js';

/** Characters that change how a terminal shows what follows: C0, DEL, C1, bidi and line separators. */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/gu;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

function escape(ch: string): string {
  if (Object.hasOwn(NAMED, ch)) return NAMED[ch]!;
  const code = ch.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** The text with every unsafe character shown as an escape (`\n`, `\e`, `\x00`, `\u202e`). */
export function visible(text: string): string {
  return text.replace(UNSAFE, escape);
}

/** At most `max` characters of `text` (whole code points), then how many were left out. */
export function shorten(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return `${chars.slice(0, max).join('')}…(${chars.length - max} more characters)`;
}

/** Longest user value quoted in a message. */
export const ECHO_MAX = 80;

/** A user value as a message quotes it: made visible, then shortened. */
export function echo(value: string, max = ECHO_MAX): string {
  return shorten(visible(redactor.redact(value)), max);
}

/** Longest message line the logger writes. */
export const MESSAGE_MAX = 2000;

/**
 * A whole message, whatever it quotes: redacted, every line made visible, bounded. The message's
 * own line breaks stay (a failure and its cause); user values in it were quoted with echo(), so
 * they cannot add lines of their own.
 */
export function safeMessage(text: string, max = MESSAGE_MAX): string {
  const lines = redactor.redact(text).split(/\r?\n/).map(visible);
  return shorten(lines.join('\n'), max);
}

/**
 * A value as one word of a command line printed for the user to run (a follow-up hint): as is
 * when a POSIX shell takes it literally, else in single quotes.
 */
export function shellWord(value: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
  return `'${visible(value).replace(/'/g, `'\\''`)}'`;
}
