/**
 * Standard output and error, written without creating `process.stdout`/`process.stderr`.
 *
 * Creating those streams costs a start-up a few milliseconds (for a pipe, Node loads its network
 * stack to wrap the descriptor), more than printing help takes. On Linux and macOS a write to
 * them is synchronous anyway, so writing the descriptor directly keeps the same order and
 * behaviour: a terminal, a file or a pipe gets every byte before the next write starts. Windows
 * keeps the streams, whose terminal writes are asynchronous there.
 *
 * Whether a descriptor is a terminal is told without the streams too: only a character device
 * can be one, and only then is node:tty asked (a pipe or a file never loads it).
 */
import { fstatSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';

type Fd = 1 | 2;

const streamOf = (fd: Fd): NodeJS.WriteStream => (fd === 1 ? process.stdout : process.stderr);

const terminals = new Map<Fd, boolean>();

/** Whether `fd` is a terminal (what `process.stdout.isTTY` says, without creating the stream). */
export function isTerminal(fd: Fd): boolean {
  let known = terminals.get(fd);
  if (known === undefined) {
    try {
      known = fstatSync(fd).isCharacterDevice() && isatty(fd);
    } catch {
      known = false; // closed or invalid: nothing to draw on
    }
    terminals.set(fd, known);
  }
  return known;
}

/** The terminal's stream for its size (`columns`, `rows`), or an object saying it is not one. */
export function terminalOf(fd: Fd): { isTTY?: boolean; columns?: number; rows?: number } {
  return isTerminal(fd) ? streamOf(fd) : { isTTY: false };
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `text` to `fd`. A descriptor another writer left non-blocking answers EAGAIN when
 * the reader is slow: wait a moment and go on. A reader that went away (`k8s-gitops … | head`)
 * is not an error: the command ends there with the exit code it has so far.
 */
export function writeFully(fd: Fd, text: string): void {
  if (process.platform === 'win32') {
    streamOf(fd).write(text);
    return;
  }
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset, bytes.length - offset);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') {
        Atomics.wait(pause, 0, 0, 2);
        continue;
      }
      if (code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw err;
    }
  }
}
