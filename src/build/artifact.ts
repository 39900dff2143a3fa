/**
 * A local checkout seen as Flux sees its source artifact: what source-controller packs is the
 * repository less its default exclusions (VCS files, CI configuration, images and archives,
 * SOPS and goreleaser files) and less what `.sourceignore` files (gitignore syntax, each for
 * its own directory and below) exclude. Only regular files are kept; symbolic links are not
 * followed. Reads are bounded: a checkout larger than the limits is refused, not half-built.
 */
import { lstatSync, readdirSync, readFileSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { UsageError } from '../core/errors.js';

/** source-controller's default exclusions for a GitRepository (fluxcd/pkg sourceignore). */
export const DEFAULT_EXCLUSIONS = [
  '.git/', '.gitignore', '.gitmodules', '.gitattributes',
  '*.jpg', '*.jpeg', '*.gif', '*.png', '*.wmv', '*.flv', '*.tar.gz', '*.zip',
  '.github/', '.circleci/', '.travis.yml', '.gitlab-ci.yml', 'appveyor.yml', '.drone.yml', 'cloudbuild.yaml', 'codeship-services.yml', 'codeship-steps.yml',
  '**/.goreleaser.yml', '**/.sops.yaml', '**/.flux.yaml',
];
export const IGNORE_FILE = '.sourceignore';

export interface ArtifactLimits {
  maxFiles: number;
  maxBytes: number;
}

export const DEFAULT_LIMITS: ArtifactLimits = { maxFiles: 20_000, maxBytes: 256 * 1024 * 1024 };

export interface Artifact {
  /** The checkout on disk. */
  root: string;
  /** Files in the artifact: slash-separated paths relative to root, in Go's walk order. */
  files: string[];
  /** Directories of the artifact, empty ones included (relative, slash-separated; '' is the root). */
  dirs: Set<string>;
  has(path: string): boolean;
}

/** Go's filepath.Walk visits entries in byte order of their names. */
function byteOrder(a: Dirent, b: Dirent): number {
  return Buffer.compare(Buffer.from(a.name), Buffer.from(b.name));
}

interface Scope {
  /** Directory the patterns belong to, relative to the root ('' or 'a/b/'). */
  base: string;
  matcher: Ignore;
}

/** The last matching rule of the deepest scope that has one decides, as in git. */
function isIgnored(scopes: readonly Scope[], path: string, isDir: boolean): boolean {
  for (let i = scopes.length - 1; i >= 0; i--) {
    const { base, matcher } = scopes[i]!;
    if (!path.startsWith(base)) continue;
    const relative = path.slice(base.length) + (isDir ? '/' : '');
    const result = matcher.test(relative);
    if (result.ignored) return true;
    if (result.unignored) return false;
  }
  return false;
}

function tooLarge(root: string, what: string, limits: ArtifactLimits): UsageError {
  return new UsageError(
    '--source',
    `'${root}' holds more than ${what}; it is larger than a Flux source this tool builds (${limits.maxFiles} files, ${Math.round(limits.maxBytes / 1024 / 1024)} MiB).`,
    'Point --source at the repository that holds the manifests, or exclude the rest with a .sourceignore file.',
  );
}

export function readArtifact(root: string, limits: ArtifactLimits = DEFAULT_LIMITS): Artifact {
  const files: string[] = [];
  const dirs = new Set<string>();
  const present = new Set<string>();
  let total = 0;
  const defaults: Scope = { base: '', matcher: ignore().add(DEFAULT_EXCLUSIONS) };

  const walk = (dir: string, rel: string, scopes: readonly Scope[]): void => {
    const entries = readdirSync(dir, { withFileTypes: true }).sort(byteOrder);
    let here = scopes;
    if (entries.some((e) => e.name === IGNORE_FILE && e.isFile())) {
      const text = readFileSync(join(dir, IGNORE_FILE), 'utf8');
      here = [...scopes, { base: rel, matcher: ignore().add(text) }];
    }
    for (const entry of entries) {
      const path = rel + entry.name;
      if (entry.isDirectory()) {
        if (!isIgnored(here, path, true)) {
          dirs.add(path);
          walk(join(dir, entry.name), `${path}/`, here);
        }
        continue;
      }
      if (!entry.isFile() || isIgnored(here, path, false)) continue;
      const size = lstatSync(join(dir, entry.name)).size;
      total += size;
      if (files.length >= limits.maxFiles) throw tooLarge(root, `${limits.maxFiles} files`, limits);
      if (total > limits.maxBytes) throw tooLarge(root, `${Math.round(limits.maxBytes / 1024 / 1024)} MiB`, limits);
      files.push(path);
      present.add(path);
    }
  };
  dirs.add('');
  walk(root, '', [defaults]);
  return { root, files, dirs, has: (path) => present.has(path) };
}

/** The files of the artifact under `dir` ('' for all), in walk order. */
export function filesUnder(artifact: Artifact, dir: string): string[] {
  if (dir === '') return artifact.files;
  const prefix = `${dir}/`;
  return artifact.files.filter((f) => f.startsWith(prefix));
}
