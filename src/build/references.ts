/**
 * What the kustomization files of a build reach beyond the checkout. kustomize-controller
 * builds inside the source artifact (loading a file outside it fails) and may fetch remote
 * bases; an offline build does neither, and kustomize runs with load restrictions off, so this
 * is checked before it runs: every path of every kustomization file the build reaches.
 */
import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parseDocument } from 'yaml';
import type { Artifact } from './artifact.js';

export const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

const REMOTE = /^(?:[a-z][a-z0-9+.-]*:\/\/|git@|git::|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/i;

export interface Reference {
  entry: string;
  /** The kustomization file it is in. */
  file: string;
}

export interface References {
  remote: Reference[];
  outside: Reference[];
}

export function kustomizationFileIn(artifact: Artifact, dir: string): string | undefined {
  return KUSTOMIZATION_FILES.map((f) => (dir === '' ? f : `${dir}/${f}`)).find((f) => artifact.has(f));
}

type Json = Record<string, unknown>;
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => list(v).filter((x): x is string => typeof x === 'string');
/** A string that is a path, not inline YAML (generators, transformers and patches may be either). */
const pathLike = (s: string): boolean => !s.includes('\n');

/** The file paths a kustomization names, field by field (kustomize v5's Kustomization). */
function paths(k: Json): string[] {
  const out: string[] = [];
  for (const field of ['resources', 'components', 'bases', 'crds', 'configurations', 'generators', 'transformers', 'validators', 'patchesStrategicMerge']) {
    out.push(...strings(k[field]).filter(pathLike));
  }
  for (const field of ['patches', 'patchesJson6902', 'replacements']) {
    for (const p of list(k[field])) if (p && typeof p === 'object' && typeof (p as Json).path === 'string') out.push((p as Json).path as string);
  }
  for (const field of ['configMapGenerator', 'secretGenerator']) {
    for (const g of list(k[field])) {
      if (!g || typeof g !== 'object') continue;
      const gen = g as Json;
      out.push(...strings(gen.files).map((f) => f.slice(f.indexOf('=') + 1)), ...strings(gen.envs));
      if (typeof gen.env === 'string') out.push(gen.env);
    }
  }
  const openapi = k.openapi as Json | undefined;
  if (openapi && typeof openapi.path === 'string') out.push(openapi.path);
  const helm = k.helmGlobals as Json | undefined;
  if (helm && typeof helm.chartHome === 'string') out.push(helm.chartHome);
  for (const c of list(k.helmCharts)) if (c && typeof c === 'object' && typeof (c as Json).valuesFile === 'string') out.push((c as Json).valuesFile as string);
  return out;
}

/** Remote and outside references of the kustomization file in `dir` and of those it reaches. */
export function references(artifact: Artifact, dir: string, found: References = { remote: [], outside: [] }, seen = new Set<string>()): References {
  if (seen.has(dir)) return found;
  seen.add(dir);
  const file = kustomizationFileIn(artifact, dir);
  if (!file) return found;
  let k: Json;
  try {
    k = (parseDocument(readFileSync(join(artifact.root, ...file.split('/')), 'utf8')).toJS() ?? {}) as Json;
  } catch {
    return found; // kustomize reports a broken file itself
  }
  if (!k || typeof k !== 'object') return found;
  const bases = new Set([...strings(k.resources), ...strings(k.components), ...strings(k.bases)]);
  for (const entry of paths(k)) {
    if (bases.has(entry) && REMOTE.test(entry)) {
      found.remote.push({ entry, file });
      continue;
    }
    const resolved = posix.normalize(posix.join(dir || '.', entry));
    if (posix.isAbsolute(entry) || resolved === '..' || resolved.startsWith('../')) {
      found.outside.push({ entry, file });
      continue;
    }
    if (bases.has(entry)) references(artifact, resolved === '.' ? '' : resolved.replace(/\/$/, ''), found, seen);
  }
  return found;
}
