/**
 * What a command's run() gets: the streams (every write redacted), a logger on stderr, input
 * readers, and lazily created heavy dependencies. Nothing here loads an SDK.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { InputReader } from '../model/input.js';
import { safeMessage } from './echo.js';
import { readBoundedFile, readBoundedStdin } from './read.js';
import { isTerminal, writeFully } from './stdio.js';
import { DISTINCTIVE_LENGTH, redactor } from './redact.js';

export interface Stream {
  write(text: string): void;
  isTTY: boolean;
}

export interface GlobalOptions {
  output?: string;
  query?: string;
  debug?: boolean;
  verbose?: boolean;
  onlyShowErrors?: boolean;
  color?: boolean;
  subscription?: string;
}

export interface Logger {
  warn(message: string): void;
  info(message: string): void;
  verbose(message: string): void;
  debug(message: string): void;
  error(message: string, remedy?: string): void;
}

export interface Context {
  stdout: Stream;
  stderr: Stream;
  env: NodeJS.ProcessEnv;
  log: Logger;
  input: InputReader;
  /** Colours for stdout (data) and stderr (messages); level 0 when colour is off. */
  color: { stdout: ChalkInstance; stderr: ChalkInstance };
  options: GlobalOptions;
}

export interface Io {
  stdout: Stream;
  stderr: Stream;
  env: NodeJS.ProcessEnv;
  readStdin: () => string;
  readFile: (path: string) => string;
}

export function processIo(): Io {
  return {
    stdout: { write: (t) => writeFully(1, t), isTTY: isTerminal(1) },
    stderr: { write: (t) => writeFully(2, t), isTTY: isTerminal(2) },
    env: process.env,
    readStdin: () => readBoundedStdin(),
    readFile: (path) => readBoundedFile(path),
  };
}

/** Colour is on for a TTY unless --no-color or NO_COLOR (any non-empty value) says otherwise. */
export function colorEnabled(stream: Stream, env: NodeJS.ProcessEnv, options: GlobalOptions): boolean {
  if (options.color === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY && env.TERM !== 'dumb';
}

/** `stream` with registered secrets of at least `minLength` characters replaced in everything written. */
export function redacting(stream: Stream, minLength?: number): Stream {
  return { write: (t) => stream.write(redactor.redact(t, minLength)), isTTY: stream.isTTY };
}

/** Debug lines carry whole request bodies (a configuration file is at most a few megabytes). */
const DEBUG_MESSAGE_MAX = 8 * 1024 * 1024;

export function createContext(io: Io, options: GlobalOptions): Context {
  // Data on stdout is redacted by structure before it is formatted (see core/run.ts); what else
  // reaches stdout as text loses its distinctive secrets. Messages on stderr lose every one.
  const stdout = redacting(io.stdout, DISTINCTIVE_LENGTH);
  const stderr = redacting(io.stderr);
  const color = {
    stdout: new Chalk({ level: colorEnabled(io.stdout, io.env, options) ? 1 : 0 }),
    stderr: new Chalk({ level: colorEnabled(io.stderr, io.env, options) ? 1 : 0 }),
  };
  const c = color.stderr;
  const debugOn = Boolean(options.debug);
  const verboseOn = debugOn || Boolean(options.verbose);
  const quiet = Boolean(options.onlyShowErrors);
  const log: Logger = {
    // Every message is one line of visible text, whatever user input it quotes.
    warn: (m) => {
      if (!quiet) stderr.write(`${c.yellow('WARNING:')} ${safeMessage(m)}\n`);
    },
    info: (m) => {
      if (!quiet) stderr.write(`${safeMessage(m)}\n`);
    },
    verbose: (m) => {
      if (verboseOn) stderr.write(`${c.dim('INFO:')} ${safeMessage(m)}\n`);
    },
    debug: (m) => {
      if (debugOn) stderr.write(`${c.dim('DEBUG:')} ${safeMessage(m, DEBUG_MESSAGE_MAX)}\n`);
    },
    error: (m, remedy) => {
      stderr.write(`${c.red('ERROR:')} ${safeMessage(m)}\n`);
      if (remedy) stderr.write(`${c.dim('HINT:')} ${safeMessage(remedy)}\n`);
    },
  };
  const input: InputReader = { readFile: io.readFile, readStdin: io.readStdin, warn: log.warn };
  return { stdout, stderr, env: io.env, log, input, color, options };
}
