/**
 * V8's code cache for the bundles in dist/: what V8 compiled in one run, kept on disk so the
 * next run deserializes it instead of parsing and compiling again. It is only a cache: nothing
 * here ever throws or writes to stdout/stderr; when the cache cannot be read or written, the
 * CLI runs as it would without it.
 *
 * Where: `$XDG_CACHE_HOME/k8s-gitops` (an absolute path), else `%LOCALAPPDATA%\k8s-gitops` on
 * Windows, else `~/.cache/k8s-gitops`; when that cannot be used, `k8s-gitops-<uid>` in the OS
 * temporary directory. Inside it, one directory per build and V8 version, so a cache never
 * meets a bundle or a V8 it was not made by (V8 also rejects data that does not match, and a
 * rejected cache is written again). Directories of other builds that nothing has written to
 * for 30 days are removed.
 *
 * Safe with any number of processes at once: a file is written under a name of its own and
 * renamed into place, so a reader sees a whole old file or a whole new one. On POSIX a
 * directory is used only if it belongs to the current user and nobody else can write to it
 * (code read from a cache runs as this user).
 *
 * What: V8 includes the functions compiled so far in the data it makes at exit, so the cache
 * covers what was run. The CLI bundle has a cache per kind of command line (its profile: the
 * command words and the switches that change the path), so that `--help` does not deserialize
 * what a dry run compiled; the SDK bundles have one each, refreshed the first time a kind of
 * command line uses them. A file is written at exit when there was none, when V8 rejected it,
 * or for that refresh. Profiles name files as hashes: no command line is written to disk.
 * `NODE_DISABLE_COMPILE_CACHE=1` turns it off, as it does Node's own module compile cache.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const APP = 'k8s-gitops';
const STALE_MS = 30 * 24 * 60 * 60 * 1000;

/** A compiled bundle, asked for its cache data when that is to be written. */
export interface Producer {
  createCachedData(): Buffer;
}

export interface CodeCache {
  /**
   * The cached data of bundle `name`: one file per kind of command line when `perProfile`
   * (the CLI: a run deserializes only what its kind of command compiled), else one for all.
   */
  read(name: string, perProfile: boolean): Buffer | undefined;
  /** Notes a compiled bundle; `accepted`: V8 used the data read() gave. */
  track(name: string, perProfile: boolean, script: Producer, accepted: boolean): void;
  /** Writes what needs writing (called once, at exit). */
  flush(): void;
}

export interface CacheEnvironment {
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  homedir: () => string;
  tmpdir: () => string;
  uid: number | undefined;
}

function currentEnvironment(): CacheEnvironment {
  return { env: process.env, platform: process.platform, homedir: os.homedir, tmpdir: os.tmpdir, uid: typeof process.getuid === 'function' ? process.getuid() : undefined };
}

/** The directories to try, best first: the user's cache directory, then the temporary one. */
export function cacheRoots(e: CacheEnvironment = currentEnvironment()): string[] {
  const roots: string[] = [];
  const xdg = e.env.XDG_CACHE_HOME;
  if (xdg && path.isAbsolute(xdg)) roots.push(path.join(xdg, APP));
  else if (e.platform === 'win32' && e.env.LOCALAPPDATA && path.isAbsolute(e.env.LOCALAPPDATA)) roots.push(path.join(e.env.LOCALAPPDATA, APP));
  else {
    try {
      const home = e.homedir();
      if (home && path.isAbsolute(home)) roots.push(path.join(home, '.cache', APP));
    } catch {
      // no home directory: only the temporary one
    }
  }
  try {
    roots.push(path.join(e.tmpdir(), e.uid === undefined ? APP : `${APP}-${e.uid}`));
  } catch {
    // no temporary directory either
  }
  return roots;
}

/**
 * A directory code may be read from: a real directory (not a link), and on POSIX owned by
 * `uid` and writable by nobody else.
 */
export function trustedDirectory(dir: string, uid: number | undefined): boolean {
  try {
    const st = fs.lstatSync(dir);
    if (!st.isDirectory()) return false;
    if (uid === undefined) return true;
    return st.uid === uid && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * The kind of command line, as far as it changes which code runs: the command words and the
 * switches that take other paths (help, dry runs, watching, the cluster, queries, formats).
 */
export function profileOf(argv: readonly string[]): string {
  const words: string[] = [];
  for (const a of argv) {
    if (a.startsWith('-') || words.length === 3) break;
    words.push(a);
  }
  const modes = new Set<string>();
  argv.forEach((a, i) => {
    if (a === '-h' || a === '--help' || words[0] === 'help') modes.add('help');
    else if (a.startsWith('--dry-run')) modes.add(a);
    else if (a === '--watch' || a === '-w') modes.add('watch');
    else if (a === '--context' || a === '--kubeconfig' || a.startsWith('--context=') || a.startsWith('--kubeconfig=')) modes.add('cluster');
    else if (a === '--query' || a.startsWith('--query=')) modes.add('query');
    else if (a === '-o' || a === '--output') modes.add(`o=${(argv[i + 1] ?? '').toLowerCase()}`);
    else if (a.startsWith('--output=')) modes.add(`o=${a.slice(9).toLowerCase()}`);
  });
  return [words.join(' '), ...[...modes].sort()].join('|');
}

interface Tracked {
  file: string;
  script: Producer;
  accepted: boolean;
  /** For a cache shared by all command lines: the line in `profiles` saying this kind refreshed it. */
  refresh?: string;
}

/** FNV-1a, 32 bits, in hex: names files after profiles without writing a command line to disk. */
export function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Opens the cache of build `buildId` for a run of `argv`; undefined when it is turned off.
 * Nothing is created until flush().
 */
export function openCodeCache(buildId: string, argv: readonly string[], e: CacheEnvironment = currentEnvironment()): CodeCache | undefined {
  const off = e.env.NODE_DISABLE_COMPILE_CACHE;
  if (off !== undefined && off !== '' && off !== '0') return undefined;
  const leaf = `${buildId}-${process.versions.v8}-${process.arch}`.replace(/[^A-Za-z0-9._-]/g, '_');
  const roots = cacheRoots(e);
  const tracked: Tracked[] = [];
  const profile = fnv1a(profileOf(argv));
  const fileOf = (name: string, perProfile: boolean): string => (perProfile ? `${name}-${profile}.cache` : `${name}.cache`);
  /** The directory the cache was read from. */
  let found: string | undefined;

  return {
    read(name, perProfile) {
      for (const root of found ? [path.dirname(found)] : roots) {
        try {
          if (!trustedDirectory(root, e.uid)) continue;
          const data = fs.readFileSync(path.join(root, leaf, fileOf(name, perProfile)));
          found = path.join(root, leaf);
          return data;
        } catch {
          // not there: the next root, or no cache
        }
      }
      return undefined;
    },
    track(name, perProfile, script, accepted) {
      tracked.push({ file: fileOf(name, perProfile), script, accepted, ...(perProfile ? {} : { refresh: `${name} ${profile}` }) });
    },
    flush() {
      const stale = tracked.filter((t) => !t.accepted || (t.refresh !== undefined && (!found || !knownProfiles(found).has(t.refresh))));
      if (stale.length === 0) return;
      for (const root of roots) {
        if (write(root, leaf, stale, e.uid)) return;
      }
    },
  };
}

function knownProfiles(dir: string): Set<string> {
  try {
    return new Set(fs.readFileSync(path.join(dir, 'profiles'), 'utf8').split('\n'));
  } catch {
    return new Set();
  }
}

/** Writes the caches of `stale` bundles under `root`; false when `root` cannot be used. */
function write(root: string, leaf: string, stale: readonly Tracked[], uid: number | undefined): boolean {
  try {
    fs.mkdirSync(root, { recursive: true, mode: 0o700 });
    if (!trustedDirectory(root, uid)) return false;
    const dir = path.join(root, leaf);
    let created = false;
    try {
      fs.mkdirSync(dir, { mode: 0o700 });
      created = true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return false;
    }
    if (!trustedDirectory(dir, uid)) return false;
    for (const t of stale) {
      const target = path.join(dir, t.file);
      const temporary = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}`;
      try {
        fs.writeFileSync(temporary, t.script.createCachedData(), { flag: 'wx', mode: 0o600 });
        fs.renameSync(temporary, target);
        if (t.refresh !== undefined) fs.appendFileSync(path.join(dir, 'profiles'), `${t.refresh}\n`, { mode: 0o600 });
      } catch {
        try {
          fs.unlinkSync(temporary);
        } catch {
          // never written
        }
        return false;
      }
    }
    if (created) prune(root, leaf);
    return true;
  } catch {
    return false;
  }
}

/** Removes the directories of other builds that nothing has written to for 30 days. */
function prune(root: string, keep: string): void {
  try {
    const now = Date.now();
    for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === keep) continue;
      const dir = path.join(root, entry.name);
      if (now - fs.statSync(dir).mtimeMs > STALE_MS) fs.rmSync(dir, { recursive: true, force: true });
    }
  } catch {
    // another process pruned it first, or it is not ours to remove
  }
}
