/**
 * The one reader of user files and standard input (`-f`, `@FILE`, every `*-file` flag, `-`).
 * Reads are bounded: only regular files, at most MAX_INPUT_BYTES, so `/dev/zero`, a FIFO with no
 * writer or a 50 MB file is refused at once instead of being read until memory runs out.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** A FluxConfiguration or a key file is kilobytes; 4 MiB leaves room for any real one. */
export const MAX_INPUT_BYTES = 4 * 1024 * 1024;

/** Why an input was refused; `code` is what the caller turns into a message. */
export class InputError extends Error {
  constructor(
    readonly code: 'ENOTREG' | 'ETOOBIG' | 'EISDIR',
    message: string,
  ) {
    super(message);
  }
}

const CHUNK = 64 * 1024;

/** Reads from `fd` until end of file, refusing more than `max` bytes. `wait` is called when a non-blocking descriptor has nothing yet. */
function readAll(fd: number, max: number, what: string): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, max + 1 - total));
    let n: number;
    try {
      n = readSync(fd, chunk, 0, chunk.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10); // a pipe with nothing yet: look again shortly
      continue;
    }
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > max) throw new InputError('ETOOBIG', `${what} is larger than ${max / (1024 * 1024)} MiB`);
  }
  return Buffer.concat(chunks, total);
}

/** The text of a regular file of at most `max` bytes. */
export function readBoundedFile(path: string, max = MAX_INPUT_BYTES): string {
  // Non-blocking, so that opening a FIFO nobody writes to returns at once (and is then refused).
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new InputError('EISDIR', 'it is a directory');
    if (!stat.isFile()) throw new InputError('ENOTREG', 'it is not a regular file (a FIFO, a device or a socket)');
    if (stat.size > max) throw new InputError('ETOOBIG', `it has ${stat.size} bytes; the limit is ${max / (1024 * 1024)} MiB`);
    return readAll(fd, max, 'it').toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** All of standard input, at most `max` bytes. */
export function readBoundedStdin(max = MAX_INPUT_BYTES): string {
  return readAll(0, max, 'standard input').toString('utf8');
}
