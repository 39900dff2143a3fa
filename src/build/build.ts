/**
 * What each kustomization of a Flux configuration applies, built offline from a local checkout
 * the way kustomize-controller builds it from the source artifact:
 *
 * 1. The Flux Kustomization is the one Azure makes (src/render/flux.ts): its path, its patches,
 *    its post-build variables.
 * 2. The path is taken inside the checkout (never outside it). With a kustomization file
 *    there, that file is built; without one, Flux generates one over every `.yaml`/`.yml`
 *    file below the path (a sub-directory with its own kustomization file counts as one
 *    resource), each of which must hold Kubernetes objects.
 * 3. The Kustomization's patches are laid over that file, and kustomize builds it with load
 *    restrictions off and plugins disabled. A plain directory whose patches are JSON 6902 is
 *    built here without kustomize; anything else runs kustomize (see kustomize.ts) on a copy
 *    of the artifact, so the checkout is never written to.
 * 4. Post-build substitution (substitute.ts), then the owner labels Flux stamps on everything
 *    it applies.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { parseDocument } from 'yaml';
import { CliError, UsageError } from '../core/errors.js';
import { AZURE_DEFAULTS, type FluxConfiguration } from '../model/types.js';
import { renderClusterObjects } from '../render/flux.js';
import type { KubeObject } from '../render/kube.js';
import { KUSTOMIZE_NAME_LABEL, KUSTOMIZE_NAMESPACE_LABEL } from '../status/cluster.js';
import { filesUnder, readArtifact, type Artifact, type ArtifactLimits } from './artifact.js';
import { findKustomize, KustomizeError, kustomizeBuild, type KustomizeTool } from './kustomize.js';
import { applyJsonPatches, isJsonPatch, PatchError, type KustomizePatch } from './patches.js';
import { checkUnique, dropLocalConfig, ManifestError, readManifests, setLabel, toObject, type Resource } from './resources.js';
import { kustomizationFileIn, references, type Reference } from './references.js';
import { assembleVariables, substitute, SubstitutionError, type VariableSources } from './substitute.js';

const BUILD_TIMEOUT_MS = 5 * 60_000;

export interface BuildRequest {
  config: FluxConfiguration;
  /** The checkout (absolute path). */
  source: string;
  /** Kustomization names to build (all when absent), in the configuration's order. */
  only?: readonly string[];
  variables: VariableSources;
  strict: boolean;
  env: NodeJS.ProcessEnv;
  verbose(message: string): void;
  limits?: ArtifactLimits;
  timeoutMs?: number;
}

export interface BuiltKustomization {
  /** The kustomization's name in the configuration, and the Flux object's. */
  key: string;
  name: string;
  namespace: string;
  path: string;
  /** How it was built: here, or by which kustomize. */
  builtWith: string;
  objects: KubeObject[];
}

interface FluxKustomizationSpec {
  path?: string;
  patches?: KustomizePatch[];
  postBuild?: { substitute?: Record<string, string>; substituteFrom?: { kind: 'ConfigMap' | 'Secret'; name: string; optional?: boolean }[] };
}

/** The path inside the checkout, slash-separated, '' for its root; `..` cannot leave it. */
export function artifactPath(path: string | undefined): string {
  return posix.normalize(`/${(path ?? '').replace(/\\/g, '/')}`).replace(/^\/+|\/+$/g, '');
}

const join2 = (dir: string, name: string): string => (dir === '' ? name : `${dir}/${name}`);
/** Go's filepath.Ext: from the last dot of the file name (`.yaml` alone counts). */
function extension(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot < 0 ? '' : base.slice(dot);
}

interface Generated {
  /** `./`-relative resources, in Flux's order. */
  resources: string[];
  /** The objects of the plain files, in the same order (directories are built by kustomize). */
  objects: Resource[];
  hasDirectories: boolean;
}

/** Flux's generated kustomization for a directory without one. */
function generate(artifact: Artifact, dir: string): Generated {
  const out: Generated = { resources: [], objects: [], hasDirectories: false };
  const added = new Set<string>();
  for (const file of filesUnder(artifact, dir)) {
    const rel = dir === '' ? file : file.slice(dir.length + 1);
    const parts = rel.split('/');
    // The outermost directory between `dir` and the file that has its own kustomization file.
    let kustomized: string | undefined;
    for (let i = 1; i < parts.length && !kustomized; i++) {
      const candidate = parts.slice(0, i).join('/');
      if (kustomizationFileIn(artifact, join2(dir, candidate))) kustomized = candidate;
    }
    if (kustomized) {
      if (!added.has(kustomized)) {
        added.add(kustomized);
        out.resources.push(`./${kustomized}`);
        out.hasDirectories = true;
      }
      continue;
    }
    if (extension(file) !== '.yaml' && extension(file) !== '.yml') continue;
    const absolute = join(artifact.root, ...file.split('/'));
    let objects: Resource[];
    try {
      objects = readManifests(readFileSync(absolute, 'utf8'), file);
    } catch (err) {
      if (err instanceof ManifestError) throw new ManifestError(`failed to decode Kubernetes YAML from ${file}: ${err.message.replace(`${file}: `, '')}`);
      throw err;
    }
    out.resources.push(`./${rel}`);
    out.objects.push(...objects);
  }
  return out;
}

/** A copy of the artifact in a temporary directory, where kustomization files may be rewritten. */
class Workspace {
  readonly dir = mkdtempSync(join(tmpdir(), 'k8s-gitops-build-'));
  private readonly cleanup = (): void => rmSync(this.dir, { recursive: true, force: true });

  constructor(artifact: Artifact) {
    process.once('exit', this.cleanup);
    for (const file of artifact.files) {
      const to = join(this.dir, ...file.split('/'));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(join(artifact.root, ...file.split('/')), to);
    }
    for (const d of artifact.dirs) mkdirSync(join(this.dir, ...d.split('/')), { recursive: true });
  }

  remove(): void {
    process.removeListener('exit', this.cleanup);
    this.cleanup();
  }
}

/** The kustomization file Flux writes: the user's (or a generated one) with the Kustomization's overlays. */
function overlayKustomization(workspace: Workspace, artifact: Artifact, dir: string, generated: Generated | undefined, patches: readonly KustomizePatch[], tool: KustomizeTool): () => void {
  const existing = kustomizationFileIn(artifact, dir);
  const path = join(workspace.dir, ...(existing ?? join2(dir, 'kustomization.yaml')).split('/'));
  const original = existing ? readFileSync(path, 'utf8') : undefined;
  const doc = parseDocument(original ?? '');
  if (doc.errors.length > 0) throw new KustomizeError(`${existing}: ${doc.errors[0]!.message.split('\n')[0]}`);
  if (!doc.contents || typeof doc.toJS() !== 'object') doc.contents = doc.createNode({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization' }) as typeof doc.contents;
  if (generated) doc.set('resources', generated.resources);
  if (patches.length > 0) {
    const current = (doc.toJS() as { patches?: unknown[] }).patches ?? [];
    doc.set('patches', [...current, ...patches.map((p) => ({ patch: p.patch, ...(p.target ? { target: p.target } : {}) }))]);
  }
  // Flux's build keeps the order of the resources; `kubectl kustomize` sorts unless told not to.
  if (tool.kind === 'kubectl' && !doc.has('sortOptions')) doc.set('sortOptions', { order: 'fifo' });
  writeFileSync(path, doc.toString());
  return () => (original === undefined ? rmSync(path, { force: true }) : writeFileSync(path, original));
}

/** One build of several kustomizations: the artifact read once, kustomize found (and the copy made) once. */
class Builder {
  private tool: KustomizeTool | undefined;
  private workspace: Workspace | undefined;

  constructor(
    private readonly request: BuildRequest,
    private readonly artifact: Artifact,
  ) {}

  /** The objects of one kustomization, before substitution; and what built them. */
  async objects(key: string, spec: FluxKustomizationSpec): Promise<{ resources: Resource[]; builtWith: string }> {
    const dir = artifactPath(spec.path);
    const patches = spec.patches ?? [];
    const generated = kustomizationFileIn(this.artifact, dir) ? undefined : generate(this.artifact, dir);
    if (generated && !generated.hasDirectories && patches.every(isJsonPatch)) {
      checkUnique(generated.objects);
      applyJsonPatches(generated.objects, patches);
      return { resources: dropLocalConfig(generated.objects), builtWith: 'a plain directory, built without kustomize' };
    }
    const shown = spec.path ?? './';
    this.tool ??= await findKustomize(this.request.env);
    if (!this.tool) {
      throw new UsageError(
        undefined,
        `kustomization '${key}' (${shown}) needs kustomize${generated ? ' (it holds directories with kustomization files)' : ' (it has a kustomization file)'}, and neither kustomize nor kubectl is on PATH.`,
        'Install kustomize or kubectl, or build only plain-directory kustomizations with -k NAME.',
      );
    }
    this.checkReferences(key, shown, dir, generated);
    if (!this.workspace) {
      this.request.verbose(`kustomize: ${this.tool.version} (${this.tool.path})`);
      this.workspace = new Workspace(this.artifact);
    }
    const restore = overlayKustomization(this.workspace, this.artifact, dir, generated, patches, this.tool);
    try {
      const text = await kustomizeBuild(this.tool, join(this.workspace.dir, ...dir.split('/')), this.request.env, this.request.timeoutMs ?? BUILD_TIMEOUT_MS);
      return { resources: readManifests(text, `the build of ${shown}`), builtWith: this.tool.version };
    } finally {
      restore();
    }
  }

  /** Nothing remote is fetched and nothing outside the checkout is read. */
  private checkReferences(key: string, shown: string, dir: string, generated: Generated | undefined): void {
    const reached = references(this.artifact, dir);
    if (generated) for (const r of generated.resources) references(this.artifact, artifactPath(posix.join(dir, r)), reached);
    const listed = (refs: Reference[]): string => refs.map((r) => `${r.entry} (in ${r.file})`).join(', ');
    if (reached.remote.length > 0) {
      throw new UsageError(undefined, `kustomization '${key}' (${shown}) uses remote bases, which a build never fetches: ${listed(reached.remote)}.`, 'Vendor the remote bases into the repository to build it offline.');
    }
    if (reached.outside.length > 0) {
      throw new UsageError(undefined, `kustomization '${key}' (${shown}) refers to files outside the checkout, which Flux cannot load either: ${listed(reached.outside)}.`, 'Keep every file a kustomization uses inside the repository.');
    }
  }

  /** Messages from the build name the kustomization, and the checkout rather than its copy. */
  error(key: string, shown: string, err: unknown): unknown {
    if (!(err instanceof ManifestError || err instanceof PatchError || err instanceof SubstitutionError || err instanceof KustomizeError)) return err;
    const message = this.workspace ? err.message.split(this.workspace.dir).join(this.request.source) : err.message;
    const text = `kustomization '${key}' (${shown}): ${message}`;
    if (err instanceof KustomizeError && err.timedOut) return new CliError(text);
    return new UsageError(undefined, text, 'Fix the manifests (or the configuration) and build again; nothing was applied anywhere.');
  }

  close(): void {
    this.workspace?.remove();
  }
}

export async function buildKustomizations(request: BuildRequest): Promise<BuiltKustomization[]> {
  const { config, source } = request;
  const namespace = config.namespace ?? AZURE_DEFAULTS.namespace;
  const flux = new Map<string, FluxKustomizationSpec>();
  for (const r of renderClusterObjects(config)) {
    if (r.object.kind === 'Kustomization') flux.set(r.object.metadata.name, r.object.spec as FluxKustomizationSpec);
  }
  const keys = [...config.kustomizations.keys()].filter((k) => !request.only || request.only.includes(k));
  const artifact = readArtifact(source, request.limits);
  const builder = new Builder(request, artifact);
  const built: BuiltKustomization[] = [];
  try {
    for (const key of keys) {
      const name = `${config.name}-${key}`;
      const spec = flux.get(name)!;
      const dir = artifactPath(spec.path);
      const shown = spec.path ?? './';
      const onDisk = join(source, ...dir.split('/'));
      if (!artifact.dirs.has(dir) || !existsSync(onDisk) || !statSync(onDisk).isDirectory()) {
        throw new UsageError(undefined, `kustomization '${key}': path '${shown}' is not a directory of ${source} (or is excluded by .sourceignore).`, 'Give --source the root of the repository the configuration points at, or fix the kustomization path.');
      }
      let result: { resources: Resource[]; builtWith: string };
      try {
        result = await builder.objects(key, spec);
        if (spec.postBuild) {
          const vars = assembleVariables(spec.postBuild, request.variables);
          const changed = substitute(result.resources, vars, request.strict);
          request.verbose(`${name}: ${vars.size} variable${vars.size === 1 ? '' : 's'}, substituted in ${changed} object${changed === 1 ? '' : 's'}`);
        }
      } catch (err) {
        throw builder.error(key, shown, err);
      }
      const { resources, builtWith } = result;
      for (const r of resources) {
        setLabel(r.doc, KUSTOMIZE_NAME_LABEL, name);
        setLabel(r.doc, KUSTOMIZE_NAMESPACE_LABEL, namespace);
      }
      request.verbose(`${name}: ${shown}, ${builtWith}: ${resources.length} object${resources.length === 1 ? '' : 's'}`);
      built.push({ key, name, namespace, path: shown, builtWith, objects: resources.map((r) => toObject(r.doc)) });
    }
  } finally {
    builder.close();
  }
  return built;
}
