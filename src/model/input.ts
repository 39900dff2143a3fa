/**
 * Reading user-supplied values that may come from a file or standard input, and secrets.
 * The model does not touch the terminal or the file system itself: it is handed an InputReader.
 */
import { echo } from '../core/echo.js';
import { UsageError } from '../core/errors.js';
import { MAX_INPUT_BYTES } from '../core/read.js';
import { redactor } from '../core/redact.js';

export interface InputReader {
  readFile(path: string): string;
  /** All of standard input; called at most once per process. */
  readStdin(): string;
  warn(message: string): void;
}

let stdinTakenBy: string | undefined;

/** Lets tests start from a clean slate. */
export function resetStdinClaim(): void {
  stdinTakenBy = undefined;
}

/** Why a read failed, in words: the reader's own reason where it gives one, else by errno. */
function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES') return 'permission denied';
  return (err as Error).message;
}

/** The text of a file a flag names (`-f FILE`, `@FILE`, `--*-file FILE`), read within bounds. */
export function readFileFor(flag: string, path: string, input: InputReader): string {
  let text: string;
  try {
    text = input.readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const remedy = code === 'ENOTREG' ? `Give a regular file, or ${flag.split('/').pop()} - to read standard input.` : code === 'ETOOBIG' ? `Files are limited to ${MAX_INPUT_BYTES / (1024 * 1024)} MiB.` : undefined;
    throw new UsageError(flag, `cannot read '${echo(path)}': ${reason(err)}.`, remedy);
  }
  if (text.trim().length === 0) throw new UsageError(flag, `'${echo(path)}' is empty.`);
  return text;
}

/** A file a flag names, or standard input for `-`. */
export function readFileOrStdinFor(flag: string, path: string, input: InputReader): string {
  return path === '-' ? readStdinFor(flag, input) : readFileFor(flag, path, input);
}

function readStdinFor(flag: string, input: InputReader): string {
  if (stdinTakenBy) {
    throw new UsageError(flag, `standard input is already used by ${stdinTakenBy === flag ? 'another value of this flag' : stdinTakenBy}.`, 'Standard input (-) can be read once; use @FILE for the other values.');
  }
  stdinTakenBy = flag;
  let text: string;
  try {
    text = input.readStdin();
  } catch (err) {
    throw new UsageError(flag, `cannot read standard input: ${reason(err)}.`, (err as NodeJS.ErrnoException).code === 'ETOOBIG' ? `Input is limited to ${MAX_INPUT_BYTES / (1024 * 1024)} MiB.` : undefined);
  }
  if (text.trim().length === 0) throw new UsageError(flag, 'nothing was read from standard input.');
  return text;
}

export interface SecretOptions {
  /** Strip one trailing newline (passwords and tokens kept in files end with one). */
  trimTrailingNewline?: boolean;
}

/**
 * A secret flag's value: `@PATH` reads the file, `-` reads standard input, anything else is the
 * literal secret (with a warning, since it stays in the shell history). The value is registered
 * with the redactor before it is returned.
 */
export function readSecret(flag: string, raw: string, input: InputReader, options: SecretOptions = {}): string {
  let value: string;
  if (raw === '-') {
    value = readStdinFor(flag, input);
  } else if (raw.startsWith('@') && raw.length > 1) {
    value = readFileFor(flag, raw.slice(1), input);
  } else {
    value = raw;
    redactor.add(value);
    input.warn(`${flag}: a secret given on the command line stays in your shell history; prefer ${flag} @FILE or ${flag} - (standard input).`);
  }
  if (options.trimTrailingNewline) value = value.replace(/\r?\n$/, '');
  if (value.length === 0) throw new UsageError(flag, 'the secret is empty.');
  redactor.add(value);
  return value;
}

/** A non-secret value that may also be given as `@PATH` or `-`. */
export function readValue(flag: string, raw: string, input: InputReader): string {
  if (raw === '-') return readStdinFor(flag, input);
  if (raw.startsWith('@') && raw.length > 1) return readFileFor(flag, raw.slice(1), input);
  return raw;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** True when `text` (whitespace ignored) is well-formed base64. */
export function isBase64(text: string): boolean {
  const compact = text.replace(/\s+/g, '');
  return compact.length > 0 && compact.length % 4 === 0 && BASE64.test(compact);
}

/**
 * Values that az expects base64-encoded (private keys, known_hosts, certificates) are accepted
 * either way here: text that is already base64 is decoded, anything else is taken as the file's
 * content. Returns the decoded text.
 */
export function decodeMaybeBase64(flag: string, value: string, looksRaw: (text: string) => boolean): string {
  if (looksRaw(value)) return value;
  if (!isBase64(value)) {
    throw new UsageError(flag, 'the value is neither the file content nor its base64 encoding.');
  }
  const decoded = Buffer.from(value.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (decoded.includes('\uFFFD')) throw new UsageError(flag, 'the value is base64 but does not decode to text.');
  return decoded;
}
