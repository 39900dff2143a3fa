/**
 * The built CLI with its code cache (dist/main.js, src/boot/code-cache.ts), as users meet it:
 * the same output with and without a cache, a cache written once and then used, a damaged cache
 * replaced, no error and no word on stderr when the cache cannot be written, and many processes
 * sharing one empty cache directory at once.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeDir, runCli, startCliWithEnv, type CliResult } from '../helpers/cli.js';
import { ON_AKS, TUTORIAL as TUTORIAL_FLAGS } from '../e2e/helpers.js';

const UID = typeof process.getuid === 'function' ? process.getuid() : undefined;

/** Microsoft's tutorial configuration, as in the README's quickstart. */
const TUTORIAL = ['flux', 'config', 'create', ...ON_AKS, ...TUTORIAL_FLAGS];

/** Command lines of different kinds (each kind has a cache file of its own). */
const RUNS: Array<[string, string[], number]> = [
  ['--help', ['--help'], 0],
  ['--version', ['--version'], 0],
  ['flux config create --help', ['flux', 'config', 'create', '--help'], 0],
  ['a dry run', [...TUTORIAL, '--dry-run'], 0],
  ['a dry run as the ARM request', [...TUTORIAL, '--dry-run=arm', '--subscription', '00000000-0000-0000-0000-000000000000'], 0],
  ['a usage error', [...TUTORIAL, '--dry-run', '-o', 'xml'], 2],
];

let dir: string;
/** What each run prints with the cache turned off. */
const reference = new Map<string, CliResult>();

beforeAll(() => {
  dir = makeTempDir('k8s-gitops-cli-cache-');
  for (const [label, args] of RUNS) reference.set(label, runCli(args, { env: { NODE_DISABLE_COMPILE_CACHE: '1', XDG_CACHE_HOME: join(dir, 'unused') } }));
  expect(existsSync(join(dir, 'unused'))).toBe(false);
});

afterAll(() => {
  removeDir(dir);
});

let counter = 0;
/** A fresh directory for XDG_CACHE_HOME and one for TMPDIR. */
function places(): { xdg: string; tmp: string } {
  const base = join(dir, `case-${++counter}`);
  mkdirSync(join(base, 'tmp'), { recursive: true });
  return { xdg: join(base, 'xdg'), tmp: join(base, 'tmp') };
}

/** Every file under `root` with its size and modification time. */
function listing(root: string): Map<string, { size: number; mtimeMs: number; text: string }> {
  const out = new Map<string, { size: number; mtimeMs: number; text: string }>();
  if (!existsSync(root)) return out;
  for (const e of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const path = join(e.parentPath, e.name);
    const st = statSync(path);
    out.set(path.slice(root.length + 1), { size: st.size, mtimeMs: st.mtimeMs, text: readFileSync(path, 'latin1') });
  }
  return out;
}

function expectSame(label: string, result: CliResult): void {
  const ref = reference.get(label)!;
  expect({ status: result.status, stdout: result.stdout, stderr: result.stderr }).toEqual({ status: ref.status, stdout: ref.stdout, stderr: ref.stderr });
}

describe('the code cache', () => {
  test.each(RUNS)('%s: written by the first run, used by the next, same output', (label, args) => {
    const { xdg, tmp } = places();
    const env = { XDG_CACHE_HOME: xdg, TMPDIR: tmp };
    expectSame(label, runCli(args, { env }));
    const written = listing(join(xdg, 'k8s-gitops'));
    expect([...written.keys()].some((f) => /\/cli-[0-9a-f]{8}\.cache$/.test(f))).toBe(true);
    expect(listing(tmp).size).toBe(0);
    expectSame(label, runCli(args, { env }));
    // Accepted by V8 and already covering this kind of run: nothing rewritten.
    expect(listing(join(xdg, 'k8s-gitops'))).toEqual(written);
  });

  test.each([
    ['overwritten', (text: string) => 'x'.repeat(text.length)],
    ['truncated', (text: string) => text.slice(0, Math.floor(text.length / 2))],
    ['emptied', () => ''],
  ])('a cache file %s: same output, nothing on stderr, and the file is written again', (_kind, damage) => {
    const { xdg, tmp } = places();
    const env = { XDG_CACHE_HOME: xdg, TMPDIR: tmp };
    const [label, args] = RUNS[3]!;
    runCli(args, { env });
    const root = join(xdg, 'k8s-gitops');
    const [file, entry] = [...listing(root)].find(([f]) => f.endsWith('.cache'))!;
    const damaged = damage(entry.text);
    writeFileSync(join(root, file), damaged, 'latin1');
    expectSame(label, runCli(args, { env }));
    const rewritten = listing(root);
    expect(rewritten.get(file)!.text).not.toBe(damaged);
    expect(rewritten.get(file)!.size).toBeGreaterThan(0);
    // …and the new one is accepted: the next run leaves it alone.
    expectSame(label, runCli(args, { env }));
    expect(listing(root)).toEqual(rewritten);
  });

  test('the user cache directory cannot be made: the temporary directory is used, silently', () => {
    const { tmp } = places();
    const blocker = join(dir, `blocker-${counter}`);
    writeFileSync(blocker, 'a file, not a directory');
    const [label, args] = RUNS[0]!;
    expectSame(label, runCli(args, { env: { XDG_CACHE_HOME: join(blocker, 'cache'), TMPDIR: tmp } }));
    const inTmp = [...listing(tmp).keys()];
    expect(inTmp.some((f) => f.startsWith(UID === undefined ? 'k8s-gitops/' : `k8s-gitops-${UID}/`) && f.endsWith('.cache'))).toBe(true);
  });

  test('nowhere to write a cache: the same output, nothing on stderr', () => {
    const blocker = join(dir, `blocker-all-${++counter}`);
    writeFileSync(blocker, 'a file, not a directory');
    for (const [label, args] of RUNS) expectSame(label, runCli(args, { env: { XDG_CACHE_HOME: join(blocker, 'cache'), TMPDIR: join(blocker, 'tmp') } }));
  });

  (UID === undefined ? test.skip : test)('a cache directory others can write to is not used', () => {
    const { xdg, tmp } = places();
    mkdirSync(join(xdg, 'k8s-gitops'), { recursive: true, mode: 0o777 });
    // mkdir applies the umask; chmod does not.
    chmodSync(join(xdg, 'k8s-gitops'), 0o777);
    const [label, args] = RUNS[0]!;
    expectSame(label, runCli(args, { env: { XDG_CACHE_HOME: xdg, TMPDIR: tmp } }));
    expect(listing(join(xdg, 'k8s-gitops')).size).toBe(0);
    expect(listing(tmp).size).toBeGreaterThan(0);
  });

  test('NODE_DISABLE_COMPILE_CACHE=1: nothing written', () => {
    const { xdg, tmp } = places();
    expectSame('--help', runCli(['--help'], { env: { XDG_CACHE_HOME: xdg, TMPDIR: tmp, NODE_DISABLE_COMPILE_CACHE: '1' } }));
    expect(existsSync(xdg)).toBe(false);
    expect(listing(tmp).size).toBe(0);
  });

  test('many processes at once on one empty cache directory: every run right, no stray files', async () => {
    const { xdg, tmp } = places();
    const vars = { XDG_CACHE_HOME: xdg, TMPDIR: tmp };
    for (let wave = 0; wave < 2; wave++) {
      const started = Array.from({ length: 12 }, (_, i) => RUNS[i % RUNS.length]!).map(([label, args]) => ({ label, run: startCliWithEnv(args, vars, { timeout: 60_000 }) }));
      for (const { label, run } of started) expectSame(label, await run.result);
    }
    const root = join(xdg, 'k8s-gitops');
    const files = [...listing(root).keys()];
    // Only whole cache files and the profiles list: every temporary file was renamed or removed.
    expect(files.filter((f) => !/\/(cli-[0-9a-f]{8}\.cache|profiles)$/.test(f))).toEqual([]);
    expect(files.filter((f) => f.endsWith('.cache'))).toHaveLength(RUNS.length);
    // What was left is accepted: another round rewrites nothing.
    const before = listing(root);
    for (const [label, args] of RUNS) expectSame(label, runCli(args, { env: vars }));
    expect(listing(root)).toEqual(before);
  });
});
