/**
 * Runs the built CLI (`bin/k8s-gitops`, which loads `dist/`) as a child process, the way a user
 * or a CI pipeline does, and returns what it printed and how it exited.
 *
 * Every run gets a clean environment: no AZURE_* (or other credential) variables, no colour
 * forcing, and a fresh, empty HOME and AZURE_CONFIG_DIR, so that neither the developer's Azure
 * CLI profile nor their shell settings can change what the tests see. Tests that need a profile
 * or a variable pass it explicitly.
 *
 * The CLI must have been built first (`npm run build`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where package.json, bin/ and dist/ live). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(ROOT, 'bin', 'k8s-gitops');

/** A subscription id that is obviously not a real one. */
export const FAKE_SUBSCRIPTION = '00000000-0000-0000-0000-000000000000';

export interface CliResult {
  /** Exit code; null when the process was killed (e.g. by the timeout). */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Variables added to (or, with undefined, removed from) the clean environment. */
  env?: Record<string, string | undefined>;
  /** Text written to standard input (otherwise stdin is empty). */
  input?: string;
  /** Working directory (default: the repository root). */
  cwd?: string;
  /** Arguments for node itself, before the script (e.g. ['--import', './hook.mjs']). */
  nodeArgs?: string[];
  /** The script to run instead of bin/k8s-gitops (relative to cwd or absolute); null runs node with nodeArgs only (e.g. --eval). */
  script?: string | null;
  /** Milliseconds before the child is killed (default 20 s). */
  timeout?: number;
}

/**
 * The CLI's code cache (src/boot/code-cache.ts) for every test run: one directory shared by all
 * of them (the cache is safe for processes at once), so that runs are not all first runs and
 * nothing is written into the fresh HOME or the developer's own cache. Tests of the cache itself
 * set XDG_CACHE_HOME to directories of their own.
 */
export const TEST_CODE_CACHE = join(tmpdir(), `k8s-gitops-test-code-cache${typeof process.getuid === 'function' ? `-${process.getuid()}` : ''}`);

/** Variables that could point the CLI at a real account, a cluster, or change its output. */
const DROPPED = [/^AZURE_/i, /^ARM_/i, /^MSI_/i, /^IDENTITY_/i, /^IMDS_/i, /^KUBECONFIG$/i, /^FORCE_COLOR$/i, /^NO_COLOR$/i, /^NODE_OPTIONS$/i, /^K8S_GITOPS_/i, /^XDG_CACHE_HOME$/i, /^NODE_DISABLE_COMPILE_CACHE$/i];

/** The parent's environment without credentials, Azure settings or colour switches. */
export function cleanEnv(home: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !DROPPED.some((re) => re.test(key))) env[key] = value;
  }
  env.HOME = home;
  env.USERPROFILE = home;
  env.AZURE_CONFIG_DIR = join(home, '.azure');
  env.TERM = 'dumb';
  env.XDG_CACHE_HOME = TEST_CODE_CACHE;
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** A fresh empty directory; the caller removes it with removeDir(). */
export function makeTempDir(prefix = 'k8s-gitops-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes an Azure CLI profile (azureProfile.json) into `configDir`, as `az login` leaves it. */
export function writeAzureProfile(configDir: string, subscriptions: Array<{ id: string; name: string; isDefault: boolean }>): void {
  const profile = {
    installationId: '11111111-1111-1111-1111-111111111111',
    subscriptions: subscriptions.map((s) => ({
      id: s.id,
      name: s.name,
      state: 'Enabled',
      user: { name: 'someone@example.com', type: 'user' },
      isDefault: s.isDefault,
      tenantId: '22222222-2222-2222-2222-222222222222',
      environmentName: 'AzureCloud',
      homeTenantId: '22222222-2222-2222-2222-222222222222',
      managedByTenants: [],
    })),
  };
  // az writes the file with a byte-order mark; the reader must cope with it.
  writeFileSync(join(configDir, 'azureProfile.json'), `\uFEFF${JSON.stringify(profile, null, 2)}`);
}

/** Runs `node bin/k8s-gitops ...args` and returns its exit code and output. */
export function runCli(args: readonly string[], options: RunOptions = {}): CliResult {
  const home = makeTempDir();
  mkdirSync(join(home, '.azure'));
  try {
    const script = options.script === undefined ? BIN : options.script;
    if (options.script === undefined && !existsSync(join(ROOT, 'dist', 'main.js'))) {
      throw new Error('dist/main.js is missing: run `npm run build` before the CLI tests.');
    }
    const argv = [...(options.nodeArgs ?? []), ...(script === null ? [] : [script]), ...args];
    return spawnNode(argv, cleanEnv(home, options.env), options);
  } finally {
    removeDir(home);
  }
}

/** One run of `node argv` to completion, with the output captured. */
function spawnNode(argv: readonly string[], env: NodeJS.ProcessEnv, options: { cwd?: string; input?: string; timeout?: number }): CliResult {
  const result = spawnSync(process.execPath, argv, {
    cwd: options.cwd ?? ROOT,
    env,
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: options.timeout ?? 20_000,
    maxBuffer: 16 * 1024 * 1024,
    windowsHide: true,
  });
  if (result.error) throw result.error;
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** Splits a command line the way a POSIX shell would for simple cases: whitespace, quotes, backslash. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else current += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) current += line[++i];
      else current += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === '\\' && i + 1 < line.length) {
      current += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated quote in: ${line}`);
  if (inWord) words.push(current);
  return words;
}

/** Lines of stderr that start with the given marker (e.g. 'ERROR:', 'WARNING:'). */
export function linesStartingWith(text: string, marker: string): string[] {
  return text.split('\n').filter((line) => line.startsWith(marker));
}

/**
 * The whole environment of a run that must see exactly `vars` (for instance the variables an
 * emulator exports) and nothing else from the parent: only PATH, HOME and the tests' code cache
 * directory are added.
 */
export function exactEnv(home: string, vars: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', HOME: home, XDG_CACHE_HOME: TEST_CODE_CACHE, ...vars };
}

/** Like runCli, but the child's environment is exactly `vars` plus PATH and a fresh, empty HOME. */
export function runCliWithEnv(args: readonly string[], vars: Record<string, string>, options: Omit<RunOptions, 'env' | 'script' | 'nodeArgs'> = {}): CliResult {
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js is missing: run `npm run build` before the CLI tests.');
  const home = makeTempDir();
  try {
    return spawnNode([BIN, ...args], exactEnv(home, vars), options);
  } finally {
    removeDir(home);
  }
}

export interface StartedCli {
  child: ChildProcess;
  /** What was printed so far. */
  stdout(): string;
  stderr(): string;
  /** Settles when the child has exited. */
  result: Promise<CliResult>;
}

/**
 * Starts the built CLI without waiting for it (for tests that run several at once or signal it),
 * with exactly `vars` plus PATH and a fresh, empty HOME in its environment; stdin is closed at once.
 */
export function startCliWithEnv(args: readonly string[], vars: Record<string, string>, options: Omit<RunOptions, 'env' | 'script' | 'nodeArgs'> = {}): StartedCli {
  if (!existsSync(join(ROOT, 'dist', 'main.js'))) throw new Error('dist/main.js is missing: run `npm run build` before the CLI tests.');
  const home = makeTempDir();
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env: exactEnv(home, vars), stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  // A CLI may stop reading its input (a refused, oversized stdin): that is no error of the test's.
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeout ?? 20_000);
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', (err) => {
      clearTimeout(timer);
      removeDir(home);
      reject(err);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      removeDir(home);
      resolve({ status, signal, stdout, stderr });
    });
  });
  return { child, stdout: () => stdout, stderr: () => stderr, result };
}
