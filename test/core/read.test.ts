/** The one bounded reader: regular files only, at most MAX_INPUT_BYTES, refused at once otherwise. */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError, MAX_INPUT_BYTES, readBoundedFile } from '../../src/core/read.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';

let dir: string;

beforeAll(() => {
  dir = makeTempDir();
});

afterAll(() => {
  removeDir(dir);
});

function refusedWith(path: string): InputError {
  try {
    readBoundedFile(path);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error(`${path} was read`);
}

describe('readBoundedFile', () => {
  test('reads a regular file', () => {
    writeFileSync(join(dir, 'ok.yaml'), 'name: c\n');
    expect(readBoundedFile(join(dir, 'ok.yaml'))).toBe('name: c\n');
  });

  test('reads a file of exactly the limit', () => {
    const path = join(dir, 'limit');
    writeFileSync(path, 'a'.repeat(MAX_INPUT_BYTES));
    expect(readBoundedFile(path)).toHaveLength(MAX_INPUT_BYTES);
  });

  test('refuses a 50 MB file without reading it', () => {
    const path = join(dir, 'big');
    writeFileSync(path, '');
    truncateSync(path, 50 * 1024 * 1024); // sparse: nothing to read, only its size
    const err = refusedWith(path);
    expect(err.code).toBe('ETOOBIG');
    expect(err.message).toContain('52428800 bytes');
  });

  test.each(['/dev/zero', '/dev/urandom', '/dev/null'])('refuses the device %s', (path) => {
    expect(refusedWith(path).code).toBe('ENOTREG');
  });

  test('refuses a FIFO nobody writes to, at once', () => {
    const path = join(dir, 'fifo');
    execFileSync('mkfifo', [path]);
    expect(refusedWith(path).code).toBe('ENOTREG');
  });

  test('refuses a directory', () => {
    mkdirSync(join(dir, 'sub'));
    expect(refusedWith(join(dir, 'sub')).code).toBe('EISDIR');
  });

  test('a missing file keeps its errno', () => {
    expect(() => readBoundedFile(join(dir, 'missing'))).toThrow(expect.objectContaining({ code: 'ENOENT' }) as unknown as Error);
  });
});
