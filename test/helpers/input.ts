/**
 * A fake InputReader for model tests: files come from an in-memory map, standard input from a
 * string (read once, like a real pipe: later reads see end of file), and warnings are collected
 * instead of printed. Also the one assertion every rejection test makes.
 */
import { expect } from '@jest/globals';
import { UsageError } from '../../src/core/errors.js';
import type { InputReader } from '../../src/model/input.js';

export interface FakeInputOptions {
  /** Path → content. */
  files?: Record<string, string>;
  /** Paths that exist but are directories. */
  directories?: string[];
  /** Everything standard input delivers; undefined behaves like an empty pipe. */
  stdin?: string;
}

export interface FakeInput extends InputReader {
  /** Warnings passed to `warn`, in order. */
  readonly warnings: string[];
  /** Paths passed to `readFile`, in order. */
  readonly filesRead: string[];
  /** How many times standard input was read. */
  readonly stdinReads: number;
}

function fsError(code: string, path: string): NodeJS.ErrnoException {
  const err = new Error(`${code}: ${path}`) as NodeJS.ErrnoException;
  err.code = code;
  return err;
}

export function fakeInput(options: FakeInputOptions = {}): FakeInput {
  const files = new Map(Object.entries(options.files ?? {}));
  const directories = new Set(options.directories ?? []);
  const warnings: string[] = [];
  const filesRead: string[] = [];
  let stdinReads = 0;
  return {
    warnings,
    filesRead,
    get stdinReads() {
      return stdinReads;
    },
    readFile(path: string): string {
      filesRead.push(path);
      if (directories.has(path)) throw fsError('EISDIR', path);
      const text = files.get(path);
      if (text === undefined) throw fsError('ENOENT', path);
      return text;
    },
    readStdin(): string {
      stdinReads += 1;
      return stdinReads === 1 ? (options.stdin ?? '') : '';
    },
    warn(message: string): void {
      warnings.push(message);
    },
  };
}

/**
 * Runs `fn`, expects it to throw a UsageError (exit code 2) and returns the error so that the
 * caller can check what it says.
 */
export function expectUsageError(fn: () => unknown): UsageError {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  if (thrown === undefined) throw new Error('expected a UsageError, but nothing was thrown');
  expect(thrown).toBeInstanceOf(UsageError);
  const err = thrown as UsageError;
  expect(err.exitCode).toBe(2);
  return err;
}
