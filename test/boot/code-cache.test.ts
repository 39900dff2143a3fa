/**
 * The code cache's rules (src/boot/code-cache.ts): where it lives, which directories it trusts,
 * what a profile keeps of a command line, when a file is written, and that no failure escapes.
 * A fake producer stands in for V8 (the black-box side is test/cli/code-cache.test.ts).
 */
import { describe, test, expect, beforeEach, afterEach } from '@jest/globals';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoots, fnv1a, openCodeCache, profileOf, trustedDirectory, type CacheEnvironment, type Producer } from '../../src/boot/code-cache.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';

const UID = typeof process.getuid === 'function' ? process.getuid() : undefined;
const posix = UID !== undefined;
/** Ownership and modes are POSIX matters. */
const posixTest = posix ? test : test.skip;

let dir: string;

beforeEach(() => {
  dir = makeTempDir('k8s-gitops-code-cache-');
});

afterEach(() => {
  removeDir(dir);
});

function environment(env: Record<string, string | undefined>, overrides: Partial<CacheEnvironment> = {}): CacheEnvironment {
  return { env, platform: 'linux', homedir: () => join(dir, 'home'), tmpdir: () => join(dir, 'tmp'), uid: UID, ...overrides };
}

/** A producer that counts how often it was asked, standing in for a compiled vm.Script. */
function producer(data = 'cached code'): Producer & { calls: number } {
  const p = {
    calls: 0,
    createCachedData(): Buffer {
      p.calls++;
      return Buffer.from(data);
    },
  };
  return p;
}

/** Every file under `root`, relative, sorted. */
function files(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
}

describe('cacheRoots', () => {
  test('XDG_CACHE_HOME when absolute, then a directory of this user in the temporary directory', () => {
    expect(cacheRoots(environment({ XDG_CACHE_HOME: '/x/cache' }))).toEqual(['/x/cache/k8s-gitops', join(dir, 'tmp', posix ? `k8s-gitops-${UID}` : 'k8s-gitops')]);
  });

  test.each(['', 'relative/cache', './cache'])('XDG_CACHE_HOME=%j is not absolute: ~/.cache instead', (xdg) => {
    expect(cacheRoots(environment({ XDG_CACHE_HOME: xdg }))[0]).toBe(join(dir, 'home', '.cache', 'k8s-gitops'));
  });

  test('Windows: %LOCALAPPDATA%, then the temporary directory (no user id there)', () => {
    const roots = cacheRoots(environment({ LOCALAPPDATA: '/Users/me/AppData/Local' }, { platform: 'win32', uid: undefined }));
    expect(roots).toEqual(['/Users/me/AppData/Local/k8s-gitops', join(dir, 'tmp', 'k8s-gitops')]);
  });

  test('no home directory: the temporary directory alone', () => {
    const roots = cacheRoots(
      environment({}, {
        homedir: () => {
          throw new Error('no home');
        },
      }),
    );
    expect(roots).toEqual([join(dir, 'tmp', posix ? `k8s-gitops-${UID}` : 'k8s-gitops')]);
  });
});

describe('trustedDirectory', () => {
  test('a directory of this user that only it can write to', () => {
    const d = join(dir, 'mine');
    mkdirSync(d, { mode: 0o700 });
    expect(trustedDirectory(d, UID)).toBe(true);
    chmodSync(d, 0o755);
    expect(trustedDirectory(d, UID)).toBe(true);
  });

  posixTest.each(['777', '775', '757', '722'])('not one others can write to (mode %s)', (octal) => {
    const mode = parseInt(octal, 8);
    const d = join(dir, `open-${octal}`);
    mkdirSync(d);
    chmodSync(d, mode);
    expect(trustedDirectory(d, UID)).toBe(false);
  });

  posixTest('not a directory of another user', () => {
    const d = join(dir, 'theirs');
    mkdirSync(d, { mode: 0o700 });
    expect(trustedDirectory(d, UID! + 1)).toBe(false);
  });

  test('not a link to a directory, a file, or nothing', () => {
    const target = join(dir, 'target');
    mkdirSync(target, { mode: 0o700 });
    symlinkSync(target, join(dir, 'link'));
    writeFileSync(join(dir, 'file'), '');
    expect(trustedDirectory(join(dir, 'link'), UID)).toBe(false);
    expect(trustedDirectory(join(dir, 'file'), UID)).toBe(false);
    expect(trustedDirectory(join(dir, 'missing'), UID)).toBe(false);
  });
});

describe('profileOf', () => {
  const VALUES = ['rg', 'aks1', 'https://github.com/org/repo', 's3cr3t-token', 'name=apps', 'path=./x', 'TABLE', 'yaml', '@file.yaml'];
  const FLAGS = ['-g', '-c', '-n', '-u', '--branch', '--https-key', '-k', '-f'];

  test('keeps the command words and the switches, never a value', () => {
    // Generated command lines: a command, then flags with values in any order.
    let seed = 7;
    const pick = <T>(xs: readonly T[]): T => xs[(seed = (seed * 1103515245 + 12345) % 2 ** 31) % xs.length]!;
    for (let i = 0; i < 200; i++) {
      const argv = ['flux', 'config', 'create'];
      for (let j = 0; j < 6; j++) argv.push(pick(FLAGS), pick(VALUES));
      const profile = profileOf(argv);
      expect(profile).toBe('flux config create');
      for (const v of VALUES) expect(profile).not.toContain(v);
    }
  });

  test('the switches that change the path, in any order and spelling', () => {
    expect(profileOf(['--help'])).toBe(profileOf(['-h']));
    expect(profileOf(['flux', 'config', 'create', '--dry-run', '-o', 'YAML'])).toBe(profileOf(['flux', 'config', 'create', '--output=yaml', '--dry-run']));
    expect(profileOf(['status', '--context', 'aks1', '--watch'])).toBe(profileOf(['status', '--watch', '--kubeconfig=/k']));
    expect(profileOf(['flux', 'config', 'show', '--query', 'name'])).toBe(profileOf(['flux', 'config', 'show', '--query=id']));
    const distinct = [[], ['--help'], ['flux', 'config', 'create'], ['flux', 'config', 'create', '--dry-run'], ['flux', 'config', 'create', '--dry-run=arm'], ['flux', 'config', 'show'], ['flux', 'config', 'show', '-o', 'yaml'], ['status'], ['status', '--context', 'x']];
    expect(new Set(distinct.map((a) => profileOf(a))).size).toBe(distinct.length);
  });

  test('help WORD is help', () => {
    expect(profileOf(['help', 'flux'])).toContain('help');
  });
});

describe('openCodeCache', () => {
  const BUILD = 'build0001';
  const xdg = (): string => join(dir, 'xdg');
  const env = (extra: Record<string, string | undefined> = {}): CacheEnvironment => environment({ XDG_CACHE_HOME: xdg(), ...extra });
  const root = (): string => join(xdg(), 'k8s-gitops');
  const leafDir = (): string => join(root(), readdirSync(root())[0]!);

  test('nothing cached: read gives nothing, flush writes the producer\'s data, private to the user', () => {
    const cache = openCodeCache(BUILD, ['--help'], env())!;
    expect(cache.read('cli', true)).toBeUndefined();
    const p = producer('help code');
    cache.track('cli', true, p, false);
    cache.flush();
    expect(p.calls).toBe(1);
    expect(files(root())).toEqual([expect.stringMatching(new RegExp(`^${BUILD}-[^/]+/cli-${fnv1a(profileOf(['--help']))}\\.cache$`))]);
    expect(readFileSync(join(root(), files(root())[0]!), 'utf8')).toBe('help code');
    if (posix) {
      expect(statSync(root()).mode & 0o777).toBe(0o700);
      expect(statSync(leafDir()).mode & 0o777).toBe(0o700);
      expect(statSync(join(root(), files(root())[0]!)).mode & 0o777).toBe(0o600);
    }
    // The next run of the same kind reads it, and writes nothing when V8 accepted it.
    const again = openCodeCache(BUILD, ['-h'], env())!;
    expect(again.read('cli', true)?.toString()).toBe('help code');
    const q = producer();
    again.track('cli', true, q, true);
    again.flush();
    expect(q.calls).toBe(0);
  });

  test('a rejected cache is written again', () => {
    const first = openCodeCache(BUILD, [], env())!;
    first.track('cli', true, producer('old'), false);
    first.flush();
    const second = openCodeCache(BUILD, [], env())!;
    expect(second.read('cli', true)?.toString()).toBe('old');
    second.track('cli', true, producer('new'), false);
    second.flush();
    expect(openCodeCache(BUILD, [], env())!.read('cli', true)?.toString()).toBe('new');
  });

  test('the CLI bundle: one file per kind of command line', () => {
    const help = openCodeCache(BUILD, ['--help'], env())!;
    help.track('cli', true, producer('help'), false);
    help.flush();
    const dry = openCodeCache(BUILD, ['flux', 'config', 'create', '--dry-run'], env())!;
    expect(dry.read('cli', true)).toBeUndefined();
    dry.track('cli', true, producer('dry'), false);
    dry.flush();
    expect(files(root())).toHaveLength(2);
    expect(openCodeCache(BUILD, ['--help'], env())!.read('cli', true)?.toString()).toBe('help');
  });

  test('a shared bundle: one file, refreshed once by each new kind of command line', () => {
    const show = openCodeCache(BUILD, ['flux', 'config', 'show'], env())!;
    show.track('azure', false, producer('v1'), false);
    show.flush();
    // Another kind: the file is accepted, but this kind has not refreshed it yet.
    const list = openCodeCache(BUILD, ['flux', 'config', 'list'], env())!;
    expect(list.read('azure', false)?.toString()).toBe('v1');
    const p = producer('v2');
    list.track('azure', false, p, true);
    list.flush();
    expect(p.calls).toBe(1);
    // Both kinds have refreshed it now.
    for (const argv of [['flux', 'config', 'show'], ['flux', 'config', 'list']]) {
      const c = openCodeCache(BUILD, argv, env())!;
      expect(c.read('azure', false)?.toString()).toBe('v2');
      const q = producer();
      c.track('azure', false, q, true);
      c.flush();
      expect(q.calls).toBe(0);
    }
    // The profiles file holds hashes, not command lines.
    expect(readFileSync(join(leafDir(), 'profiles'), 'utf8')).not.toMatch(/flux|config|show|list/);
  });

  test('another build or V8 has a directory of its own', () => {
    const a = openCodeCache('build-a', [], env())!;
    a.track('cli', true, producer('a'), false);
    a.flush();
    expect(openCodeCache('build-b', [], env())!.read('cli', true)).toBeUndefined();
    expect(readdirSync(root())).toHaveLength(1);
  });

  test.each([['1', false], ['true', false], ['0', true], ['', true]])('NODE_DISABLE_COMPILE_CACHE=%j: cache %s', (value, enabled) => {
    expect(openCodeCache(BUILD, [], env({ NODE_DISABLE_COMPILE_CACHE: value })) !== undefined).toBe(enabled);
  });

  test('the user cache directory cannot be created: the temporary one is used, and read next time', () => {
    writeFileSync(join(dir, 'not-a-dir'), '');
    const e = environment({ XDG_CACHE_HOME: join(dir, 'not-a-dir', 'cache') });
    const cache = openCodeCache(BUILD, [], e)!;
    cache.track('cli', true, producer('in tmp'), false);
    expect(() => cache.flush()).not.toThrow();
    const tmpRoot = cacheRoots(e)[1]!;
    expect(files(tmpRoot)).toHaveLength(1);
    expect(openCodeCache(BUILD, [], e)!.read('cli', true)?.toString()).toBe('in tmp');
  });

  posixTest('a cache directory others can write to is neither read nor written', () => {
    mkdirSync(root(), { recursive: true });
    chmodSync(root(), 0o777);
    const planted = join(root(), `${BUILD}-${process.versions.v8}-${process.arch}`.replace(/[^A-Za-z0-9._-]/g, '_'));
    mkdirSync(planted);
    writeFileSync(join(planted, `cli-${fnv1a(profileOf([]))}.cache`), 'planted');
    const cache = openCodeCache(BUILD, [], env())!;
    expect(cache.read('cli', true)).toBeUndefined();
    cache.track('cli', true, producer('mine'), false);
    cache.flush();
    expect(readFileSync(join(planted, `cli-${fnv1a(profileOf([]))}.cache`), 'utf8')).toBe('planted');
    expect(files(cacheRoots(env())[1]!)).toHaveLength(1);
  });

  test('nowhere to write: flush neither throws nor leaves anything behind', () => {
    writeFileSync(join(dir, 'file'), '');
    const e = environment({ XDG_CACHE_HOME: join(dir, 'file', 'a') }, { tmpdir: () => join(dir, 'file', 'b') });
    const cache = openCodeCache(BUILD, [], e)!;
    expect(cache.read('cli', true)).toBeUndefined();
    cache.track('cli', true, producer(), false);
    expect(() => cache.flush()).not.toThrow();
  });

  test('a producer that fails: no exception, no temporary file left', () => {
    const cache = openCodeCache(BUILD, [], env())!;
    cache.track('cli', true, {
      createCachedData() {
        throw new Error('cannot serialize');
      },
    }, false);
    expect(() => cache.flush()).not.toThrow();
    expect(files(root())).toEqual([]);
  });

  test('directories of other builds not written to for 30 days are removed when a new build writes', () => {
    mkdirSync(root(), { recursive: true, mode: 0o700 });
    const old = join(root(), 'old-build');
    const recent = join(root(), 'recent-build');
    mkdirSync(old);
    mkdirSync(recent);
    writeFileSync(join(old, 'cli.cache'), 'x');
    const longAgo = new Date(Date.now() - 31 * 24 * 60 * 60 * 1000);
    utimesSync(old, longAgo, longAgo);
    const cache = openCodeCache(BUILD, [], env())!;
    cache.track('cli', true, producer(), false);
    cache.flush();
    expect(existsSync(old)).toBe(false);
    expect(existsSync(recent)).toBe(true);
  });
});
