/**
 * Runs the built CLI on a real pseudo-terminal, through `script` from util-linux (node-pty is
 * not a dependency): the terminal is sized with `stty` first, so a test can give it 80×24 or,
 * as a terminal nobody sized reports, 0 columns and 0 rows. stdout and stderr both go to the
 * terminal, as they do for a user; what the terminal received comes back as one string.
 */
import { spawn, spawnSync } from 'node:child_process';
import { BIN, exactEnv, makeTempDir, removeDir } from './cli.js';

/** `script`, when this machine has it (util-linux; not a dependency of the project). */
export const SCRIPT: string | undefined = (() => {
  const probe = spawnSync('script', ['--version'], { encoding: 'utf8' });
  return probe.status === 0 && /util-linux/.test(probe.stdout) ? 'script' : undefined;
})();

export interface PtyResult {
  /** The CLI's exit code (script -e passes it on); null when it was killed. */
  status: number | null;
  /** Everything the terminal received. */
  output: string;
  /** Bytes received, counted even past the cap. */
  bytes: number;
  /** Killed for running past `timeout` or writing more than `maxBytes`. */
  killed?: 'timeout' | 'output';
  elapsedMs: number;
}

export interface PtyOptions {
  columns: number;
  rows: number;
  /** Milliseconds before the terminal and the CLI are killed (default 30 s). */
  timeout?: number;
  /** Output beyond this many bytes is a runaway: the run is killed (default 2 MB). */
  maxBytes?: number;
  /** Added to the environment (which is otherwise exactly `vars` plus PATH and HOME). */
  env?: Record<string, string>;
  /** Typed on the terminal once its output matches `after` (an answer to a prompt). */
  type?: { after: RegExp; text: string };
}

const quote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/** Runs `k8s-gitops …args` on a pseudo-terminal of the given size, with exactly `vars` (plus PATH, HOME, TERM) in its environment. */
export function runInPty(args: readonly string[], vars: Record<string, string>, options: PtyOptions): Promise<PtyResult> {
  if (!SCRIPT) throw new Error('script (util-linux) is not on PATH');
  const home = makeTempDir();
  const command = `stty cols ${options.columns} rows ${options.rows} && exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`;
  const env = { ...exactEnv(home, vars), TERM: 'xterm-256color', ...options.env };
  const started = Date.now();
  const child = spawn(SCRIPT, ['-q', '-e', '-c', command, '/dev/null'], { env, stdio: [options.type ? 'pipe' : 'ignore', 'pipe', 'pipe'], detached: true });
  let typed = false;
  const maxBytes = options.maxBytes ?? 2 * 1024 * 1024;
  const chunks: Buffer[] = [];
  let bytes = 0;
  let killed: PtyResult['killed'];
  const kill = (why: NonNullable<PtyResult['killed']>): void => {
    if (killed) return;
    killed = why;
    try {
      process.kill(-child.pid!, 'SIGKILL'); // script, its shell and the CLI
    } catch {
      // already gone
    }
  };
  child.stdout!.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (bytes <= maxBytes) chunks.push(chunk);
    else kill('output');
    if (options.type && !typed && options.type.after.test(Buffer.concat(chunks).toString('utf8'))) {
      typed = true;
      child.stdin!.write(options.type.text);
    }
  });
  child.stderr!.resume();
  const timer = setTimeout(() => kill('timeout'), options.timeout ?? 30_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      removeDir(home);
      resolve({ status: killed ? null : code, output: Buffer.concat(chunks).toString('utf8'), bytes, ...(killed ? { killed } : {}), elapsedMs: Date.now() - started });
    });
  });
}
