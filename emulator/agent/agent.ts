/**
 * The simulated in-cluster agent (fluxconfig-agent + the Flux controllers). When a configuration
 * is delivered to a cluster whose agent runs, it creates or updates the source and the
 * Kustomizations, marks them in progress, and then over `--reconcile-delay`: the source stores an
 * artifact, each wave of Kustomizations (in dependency order) applies, and the objects they apply
 * (for the tutorial repository) become ready. After each step it reports the derived status to
 * the configuration's ARM resource, and commits the cluster's objects to its Kubernetes API
 * (emulator/kube), so that both views always show the same objects.
 */
import type { ClusterState, FluxRecord, ReportedStatus } from '../arm/records.js';
import type { Json } from '../util.js';
import { goDuration, isObject, isoSeconds, jsonEqual, sha1Hex, sha256Hex } from '../util.js';
import type { World } from '../world.js';
import {
  ClusterObjects,
  complianceOf,
  type Compliance,
  type FluxObject,
  type HelmStatus,
  KUSTOMIZE_API,
  newObject,
  readyCondition,
  removeCondition,
  setCondition,
  SOURCE_API,
  toObjectStatus,
} from './objects.js';
import { isTutorialRepository, tutorialInventory, tutorialObjects, type AppliedObjectSpec } from './tutorial.js';
import { rerun } from './reconcile.js';

type SourceKind = 'GitRepository' | 'Bucket' | 'OCIRepository';

const SOURCE_KINDS = new Set<string>(['GitRepository', 'Bucket', 'OCIRepository']);

const PROGRESSING_MESSAGE = 'Reconciliation in progress';

function seconds(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function nonNull(obj: unknown): Json {
  const out: Json = {};
  if (isObject(obj)) for (const [k, v] of Object.entries(obj)) if (v !== null && v !== undefined) out[k] = v;
  return out;
}

/** `git@host:org/repo` → `ssh://git@host/org/repo`, as Flux needs it. */
function fluxGitUrl(url: string): string {
  const scp = /^([^@/\s]+@[^:/\s]+):(?!\/)(.+)$/.exec(url);
  return scp ? `ssh://${scp[1]}/${scp[2]}` : url;
}

export interface SourcePlan {
  kind: SourceKind;
  spec: Json;
  revision: string;
  message: string;
}

export function sourcePlan(spec: Json): SourcePlan {
  const suspend = spec.suspend === true ? { suspend: true } : {};
  switch (spec.sourceKind) {
    case 'Bucket':
    case 'AzureBlob': {
      const b = (spec.sourceKind === 'Bucket' ? spec.bucket : spec.azureBlob) as Json;
      const endpoint = String(b.url ?? '');
      const bucketName = String((spec.sourceKind === 'Bucket' ? b.bucketName : b.containerName) ?? '');
      const revision = `sha256:${sha256Hex(`${endpoint}|${bucketName}`)}`;
      return {
        kind: 'Bucket',
        spec: {
          bucketName,
          endpoint,
          provider: spec.sourceKind === 'AzureBlob' ? 'azure' : 'generic',
          interval: goDuration(seconds(b.syncIntervalInSeconds, 600) * 1000),
          timeout: goDuration(seconds(b.timeoutInSeconds, 600) * 1000),
          ...suspend,
        },
        revision,
        message: `stored artifact: revision '${revision}'`,
      };
    }
    case 'OCIRepository': {
      const o = spec.ociRepository as Json;
      const ref = nonNull(o.repositoryRef);
      const digest = typeof ref.digest === 'string' ? ref.digest.replace(/^sha256:/, '') : sha256Hex(`${String(o.url)}|${JSON.stringify(ref)}`);
      const tag = typeof ref.tag === 'string' ? ref.tag : typeof ref.semver === 'string' ? '1.0.0' : 'latest';
      const revision = typeof ref.digest === 'string' ? `sha256:${digest}` : `${tag}@sha256:${digest}`;
      return {
        kind: 'OCIRepository',
        spec: {
          url: o.url,
          ref: Object.keys(ref).length > 0 ? ref : { tag: 'latest' },
          interval: goDuration(seconds(o.syncIntervalInSeconds, 600) * 1000),
          timeout: goDuration(seconds(o.timeoutInSeconds, 600) * 1000),
          ...suspend,
        },
        revision,
        message: `stored artifact for digest '${revision}'`,
      };
    }
    default: {
      const g = (spec.gitRepository ?? {}) as Json;
      const ref = nonNull(g.repositoryRef);
      const url = String(g.url ?? '');
      const sha = typeof ref.commit === 'string' && /^[0-9a-f]{7,64}$/i.test(ref.commit) ? ref.commit.toLowerCase() : sha1Hex(`${url}|${JSON.stringify(ref)}`);
      let revision: string;
      if (typeof ref.branch === 'string') revision = `${ref.branch}@sha1:${sha}`;
      else if (typeof ref.tag === 'string') revision = `${ref.tag}@sha1:${sha}`;
      else if (typeof ref.semver === 'string') revision = `v1.0.0@sha1:${sha}`;
      else if (typeof ref.commit === 'string') revision = `sha1:${sha}`;
      else revision = `master@sha1:${sha}`;
      const fluxSpec: Json = {
        url: fluxGitUrl(url),
        interval: goDuration(seconds(g.syncIntervalInSeconds, 600) * 1000),
        timeout: goDuration(seconds(g.timeoutInSeconds, 600) * 1000),
        ref: Object.keys(ref).length > 0 ? ref : { branch: 'master' },
        ...suspend,
      };
      if (typeof g.provider === 'string') fluxSpec.provider = g.provider.toLowerCase();
      if (typeof g.localAuthRef === 'string') fluxSpec.secretRef = { name: g.localAuthRef };
      return { kind: 'GitRepository', spec: fluxSpec, revision, message: `stored artifact for revision '${revision}'` };
    }
  }
}

/** `main@sha1:<sha>` → `main/<sha>` (the form Azure reports); `sha1:<sha>` → `<sha>`; anything else as is. */
export function syncedCommitId(revision: string): string {
  const git = /^(.*)@sha1:([0-9a-f]+)$/.exec(revision);
  if (git) return `${git[1]}/${git[2]}`;
  const bare = /^sha1:([0-9a-f]+)$/.exec(revision);
  return bare ? bare[1]! : revision;
}

export function kustomizationsOf(spec: Json): [string, Json][] {
  return isObject(spec.kustomizations) ? (Object.entries(spec.kustomizations).filter(([, v]) => isObject(v)) as [string, Json][]) : [];
}

function dependsOn(k: Json): string[] {
  return Array.isArray(k.dependsOn) ? k.dependsOn.filter((d): d is string => typeof d === 'string') : [];
}

/** Dependency depth of each kustomization (0 = depends on nothing); unknown or cyclic references are ignored. */
export function dependencyLevels(kustomizations: [string, Json][]): Map<string, number> {
  const byKey = new Map(kustomizations);
  const levels = new Map<string, number>();
  const visit = (key: string, stack: Set<string>): number => {
    const known = levels.get(key);
    if (known !== undefined) return known;
    if (stack.has(key)) return 0;
    stack.add(key);
    let level = 0;
    for (const dep of dependsOn(byKey.get(key) ?? {})) if (byKey.has(dep)) level = Math.max(level, visit(dep, stack) + 1);
    stack.delete(key);
    levels.set(key, level);
    return level;
  };
  for (const [key] of kustomizations) visit(key, new Set());
  return levels;
}

function rollUp(spec: Json, objects: FluxObject[]): Compliance {
  if (spec.suspend === true) return 'Suspended';
  if (objects.length === 0) return 'Pending';
  const states = objects.map(complianceOf);
  if (states.includes('Non-Compliant')) return 'Non-Compliant';
  if (states.some((s) => s !== 'Compliant')) return 'Pending';
  return 'Compliant';
}

export class Agent {
  private readonly clusters = new Map<string, ClusterObjects>();
  private readonly runs = new Map<string, number>();
  /** Called after every report (the ARM side settles operations waiting for reconciliation). */
  onReport?: (record: FluxRecord) => void;

  constructor(private readonly world: World) {}

  objects(cluster: ClusterState): ClusterObjects {
    let store = this.clusters.get(cluster.key);
    if (!store) this.clusters.set(cluster.key, (store = new ClusterObjects()));
    return store;
  }

  private runKey(record: FluxRecord): string {
    return `${record.cluster.key}|${record.name.toLowerCase()}`;
  }

  private nextRun(record: FluxRecord): number {
    const run = (this.runs.get(this.runKey(record)) ?? 0) + 1;
    this.runs.set(this.runKey(record), run);
    return run;
  }

  private stale(record: FluxRecord, run: number): boolean {
    return (
      this.runs.get(this.runKey(record)) !== run ||
      !this.world.agentRunning(record.cluster) ||
      this.world.fluxConfigsOf(record.cluster).get(record.name.toLowerCase()) !== record
    );
  }

  private owner(record: FluxRecord): string {
    return `${String(record.spec.namespace)}/${record.name}`;
  }

  /** The agent came up (extension installed, cluster back online): reconcile every delivered configuration. */
  start(cluster: ClusterState): void {
    if (!this.world.agentRunning(cluster)) return;
    for (const record of this.world.fluxConfigsOf(cluster).values()) {
      if (record.deliveredGeneration > 0 && record.provisioningState !== 'Deleting') this.sync(record);
    }
    this.commit(cluster);
  }

  /** The Flux controllers are gone (extension removed): their objects go with them. */
  stop(cluster: ClusterState): void {
    this.objects(cluster).clear();
    for (const key of this.runs.keys()) if (key.startsWith(`${cluster.key}|`)) this.runs.set(key, (this.runs.get(key) ?? 0) + 1);
    this.commit(cluster);
  }

  /** The configuration was deleted: its objects are removed from the cluster. */
  remove(record: FluxRecord): void {
    this.nextRun(record);
    const store = this.objects(record.cluster);
    for (const obj of store.ownedBy(this.owner(record))) store.delete(obj);
    this.commit(record.cluster);
  }

  /** Hands the cluster's objects to its Kubernetes API (every change becomes a watch event). */
  commit(cluster: ClusterState): void {
    this.world.commitKube(cluster);
  }

  /** A configuration generation was delivered to the cluster. */
  sync(record: FluxRecord): void {
    if (!this.world.agentRunning(record.cluster)) return;
    const run = this.nextRun(record);
    const spec = record.spec;
    const namespace = String(spec.namespace);
    const owner = this.owner(record);
    const store = this.objects(record.cluster);
    const suspended = spec.suspend === true;
    const labels = {
      'clusterconfig.azure.com/is-managed': 'true',
      'clusterconfig.azure.com/name': record.name,
      'clusterconfig.azure.com/namespace': namespace,
    };

    const source = sourcePlan(spec);
    const kustomizations = kustomizationsOf(spec);
    const desired: { apiVersion: string; kind: string; name: string; spec: Json }[] = [
      { apiVersion: SOURCE_API, kind: source.kind, name: record.name, spec: source.spec },
    ];
    for (const [key, k] of kustomizations) {
      const kSpec: Json = {
        interval: goDuration(seconds(k.syncIntervalInSeconds, 600) * 1000),
        timeout: goDuration(seconds(k.timeoutInSeconds, 600) * 1000),
        path: k.path ?? '',
        prune: k.prune === true,
        force: k.force === true,
        wait: k.wait !== false,
        sourceRef: { kind: source.kind, name: record.name, namespace },
      };
      if (typeof k.retryIntervalInSeconds === 'number') kSpec.retryInterval = goDuration(k.retryIntervalInSeconds * 1000);
      const deps = dependsOn(k);
      if (deps.length > 0) kSpec.dependsOn = deps.map((d) => ({ name: `${record.name}-${d}` }));
      if (isObject(k.postBuild)) kSpec.postBuild = k.postBuild;
      if (suspended) kSpec.suspend = true;
      Object.assign(kSpec, azureKustomizationSpec(this.world, record, source.kind));
      desired.push({ apiVersion: KUSTOMIZE_API, kind: 'Kustomization', name: `${record.name}-${key}`, spec: kSpec });
    }

    const keep = new Set<FluxObject>();
    for (const d of desired) {
      let obj = store.get(d.kind, namespace, d.name);
      if (obj && obj.owner === owner) {
        if (!jsonEqual(obj.spec, d.spec)) {
          obj.spec = d.spec;
          obj.generation++;
        }
      } else {
        obj = newObject(d.apiVersion, d.kind, namespace, d.name, owner, { ...labels }, d.spec);
        store.put(obj);
      }
      keep.add(obj);
      if (!suspended) {
        setCondition(obj, 'Reconciling', 'True', 'Progressing', PROGRESSING_MESSAGE);
        setCondition(obj, 'Ready', 'Unknown', 'Progressing', PROGRESSING_MESSAGE);
      }
    }
    const kustomizationNames = new Set(desired.filter((d) => d.kind === 'Kustomization').map((d) => d.name));
    for (const obj of store.ownedBy(owner)) {
      if (obj.chartFor) continue;
      const orphan = obj.appliedBy ? !kustomizationNames.has(obj.appliedBy.name) : !keep.has(obj);
      if (orphan) store.delete(obj);
    }
    pruneCharts(store, owner);
    this.report(record);
    if (suspended) return;

    const levels = dependencyLevels(kustomizations);
    const waves = kustomizations.length === 0 ? 0 : Math.max(...levels.values()) + 1;
    const step = this.world.options.reconcileDelayMs / (waves + 1);
    const sched = this.world.scheduler;

    sched.after(step, () => {
      if (this.stale(record, run)) return;
      const src = store.get(source.kind, namespace, record.name);
      if (src) {
        src.artifactRevision = source.revision;
        src.artifactUpdated = isoSeconds();
        src.observedGeneration = src.generation;
        removeCondition(src, 'Reconciling');
        setCondition(src, 'Ready', 'True', 'Succeeded', source.message);
      }
      for (const [key, k] of kustomizations) {
        const deps = dependsOn(k).filter((d) => levels.has(d));
        const obj = store.get('Kustomization', namespace, `${record.name}-${key}`);
        if (obj && deps.length > 0) {
          removeCondition(obj, 'Reconciling');
          setCondition(obj, 'Ready', 'False', 'DependencyNotReady', `dependency '${namespace}/${record.name}-${deps[0]}' is not ready`);
        }
      }
      this.report(record);
    });

    for (let wave = 0; wave < waves; wave++) {
      sched.after(step * (wave + 2), () => {
        if (this.stale(record, run)) return;
        for (const [key, k] of kustomizations) if (levels.get(key) === wave) this.applyKustomization(record, store, source, key, k);
        this.report(record);
      });
    }
  }

  applyKustomization(record: FluxRecord, store: ClusterObjects, source: SourcePlan, key: string, k: Json): void {
    const namespace = String(record.spec.namespace);
    const obj = store.get('Kustomization', namespace, `${record.name}-${key}`);
    if (!obj) return;
    removeCondition(obj, 'Reconciling');
    for (const dep of dependsOn(k)) {
      const depObj = store.get('Kustomization', namespace, `${record.name}-${dep}`);
      if (depObj && readyCondition(depObj)?.status !== 'True') {
        setCondition(obj, 'Ready', 'False', 'DependencyNotReady', `dependency '${namespace}/${depObj.name}' is not ready`);
        return;
      }
    }
    const revision = source.revision;
    obj.lastAttemptedRevision = revision;
    const failure = this.world.faults.kustomizationFailure(key, obj.name, String(k.path ?? ''), record.cluster.key);
    if (failure !== undefined) {
      // kustomize-controller records the observed generation only once the object is ready (or stalled).
      setCondition(obj, 'Ready', 'False', 'BuildFailed', failure);
      return;
    }
    obj.observedGeneration = obj.generation;
    obj.lastAppliedRevision = revision;
    setCondition(obj, 'Ready', 'True', 'ReconciliationSucceeded', `Applied revision: ${revision}`);

    const tutorial = source.kind === 'GitRepository' && isTutorialRepository((record.spec.gitRepository as Json | undefined)?.url);
    const applied = tutorial ? tutorialObjects(k.path, namespace) : [];
    obj.inventory = tutorial ? tutorialInventory(k.path, namespace) : [];
    const appliedBy = { name: obj.name, namespace };
    const names = new Set(applied.map((a) => `${a.kind}/${a.name}`));
    for (const old of store.ownedBy(obj.owner)) {
      if (old.appliedBy?.name === obj.name && !names.has(`${old.kind}/${old.name}`)) store.delete(old);
    }
    pruneCharts(store, obj.owner);
    for (const a of applied) {
      let target = store.get(a.kind, namespace, a.name);
      if (!target || target.owner !== obj.owner) {
        target = newObject(a.apiVersion, a.kind, namespace, a.name, obj.owner, {
          'kustomize.toolkit.fluxcd.io/name': obj.name,
          'kustomize.toolkit.fluxcd.io/namespace': namespace,
        }, a.spec);
        store.put(target);
      } else if (!jsonEqual(target.spec, a.spec)) {
        target.spec = a.spec;
        target.generation++;
      }
      target.appliedBy = appliedBy;
      target.observedGeneration = target.generation;
      if (a.kind === 'HelmRepository') {
        target.artifactRevision = a.artifactRevision;
        target.artifactUpdated = isoSeconds();
        setCondition(target, 'Ready', 'True', 'Succeeded', `stored artifact: revision '${a.artifactRevision}'`);
      } else if (a.helm) {
        this.release(store, target, a, a.helm);
      }
    }
  }

  /** helm-controller: installs (or upgrades) the release and has source-controller pull its chart. */
  private release(store: ClusterObjects, target: FluxObject, a: AppliedObjectSpec, h: NonNullable<AppliedObjectSpec['helm']>): void {
    const namespace = target.namespace;
    const previous = target.helm;
    const upgrade = previous !== undefined && previous.chartVersion !== h.chartVersion;
    const now = isoSeconds();
    const revisionApplied = previous === undefined ? 1 : upgrade ? previous.lastRevisionApplied + 1 : previous.lastRevisionApplied;
    let history = previous?.history ?? [];
    if (previous === undefined || upgrade) {
      history = [
        { version: revisionApplied, chartVersion: h.chartVersion, status: 'deployed' as const, firstDeployed: history[0]?.firstDeployed ?? now, lastDeployed: now },
        ...history.map((old) => ({ ...old, status: 'superseded' as const })),
      ].slice(0, 5);
    }
    const chartRef = { name: `${namespace}-${a.name}`, namespace };
    const helm: HelmStatus = {
      chartName: h.chartName,
      chartVersion: h.chartVersion,
      releaseName: h.releaseName,
      targetNamespace: h.targetNamespace,
      lastRevisionApplied: revisionApplied,
      chartRef,
      failureCount: 0,
      installFailureCount: 0,
      upgradeFailureCount: 0,
      lastAction: upgrade ? 'upgrade' : (previous?.lastAction ?? 'install'),
      lastAttemptedGeneration: target.generation,
      configDigest: `sha256:${sha256Hex('{}')}`,
      history,
    };
    target.helm = helm;

    const chartSpec = ((a.spec.chart as Json).spec ?? {}) as Json;
    const repoName = String((chartSpec.sourceRef as Json | undefined)?.name ?? h.repository);
    const repo = store.get('HelmRepository', namespace, repoName);
    const spec: Json = {
      chart: String(chartSpec.chart ?? h.chartName),
      version: String(chartSpec.version ?? '*'),
      sourceRef: { kind: 'HelmRepository', name: repoName },
      interval: String(chartSpec.interval ?? a.spec.interval ?? '10m0s'),
      reconcileStrategy: 'ChartVersion',
    };
    let chart = store.get('HelmChart', chartRef.namespace, chartRef.name);
    if (!chart || chart.owner !== target.owner) {
      chart = newObject(SOURCE_API, 'HelmChart', chartRef.namespace, chartRef.name, target.owner, {}, spec);
      store.put(chart);
    } else if (!jsonEqual(chart.spec, spec)) {
      chart.spec = spec;
      chart.generation++;
    }
    chart.chartFor = { name: target.name, namespace };
    chart.chart = { name: h.chartName, sourceRevision: repo?.artifactRevision ?? '' };
    chart.observedGeneration = chart.generation;
    if (chart.artifactRevision !== h.chartVersion) {
      chart.artifactRevision = h.chartVersion;
      chart.artifactUpdated = now;
    }
    setCondition(chart, 'Ready', 'True', 'ChartPullSucceeded', `pulled '${h.chartName}' chart with version '${h.chartVersion}'`);

    if (previous === undefined || upgrade) {
      const verb = upgrade ? 'upgrade' : 'install';
      const reason = upgrade ? 'UpgradeSucceeded' : 'InstallSucceeded';
      const message = `Helm ${verb} succeeded for release ${h.targetNamespace}/${h.releaseName}.v${revisionApplied} with chart ${h.chartName}@${h.chartVersion}`;
      setCondition(target, 'Ready', 'True', reason, message);
      setCondition(target, 'Released', 'True', reason, message);
    }
  }

  /**
   * A client changed one of the cluster's objects through its Kubernetes API: a new
   * `reconcile.fluxcd.io/requestedAt` token, or a new spec, makes the object's controller
   * reconcile it again (see reconcile.ts).
   */
  objectEdited(cluster: ClusterState, obj: FluxObject, change: { spec: boolean; requestedAt?: string }): void {
    rerun(this, this.world, cluster, obj, change);
  }

  /** The configuration an object belongs to, if it still exists. */
  recordOf(cluster: ClusterState, obj: FluxObject): FluxRecord | undefined {
    return [...this.world.fluxConfigsOf(cluster).values()].find((r) => this.owner(r) === obj.owner);
  }

  /** The number of the configuration's current reconciliation run (a new delivery starts another). */
  currentRun(record: FluxRecord): number {
    return this.runs.get(this.runKey(record)) ?? 0;
  }

  /** Writes the status derived from the cluster's objects into the configuration's ARM resource. */
  report(record: FluxRecord): void {
    const store = this.objects(record.cluster);
    const owned = store.ownedBy(this.owner(record));
    const kOrder = kustomizationsOf(record.spec).map(([key]) => `${record.name}-${key}`);
    const sources = owned.filter((o) => !o.appliedBy && SOURCE_KINDS.has(o.kind));
    const kustomizations = owned
      .filter((o) => !o.appliedBy && o.kind === 'Kustomization')
      .sort((a, b) => kOrder.indexOf(a.name) - kOrder.indexOf(b.name));
    const applied = owned.filter((o) => o.appliedBy);
    const ordered = [...sources, ...kustomizations, ...applied];
    const source = sources[0];
    const reported: ReportedStatus = {
      statuses: ordered.map(toObjectStatus),
      complianceState: rollUp(record.spec, ordered),
      sourceSyncedCommitId: source?.artifactRevision ? syncedCommitId(source.artifactRevision) : null,
      sourceUpdatedAt: source?.artifactUpdated ?? null,
      statusUpdatedAt: isoSeconds(),
      repositoryPublicKey: record.sshPublicKey ?? null,
    };
    record.reported = reported;
    this.commit(record.cluster);
    this.onReport?.(record);
  }
}

/**
 * What Azure's agent adds to each Kustomization it makes (flux.md §5.4): impersonation of
 * `flux-applier` while the extension enforces multi-tenancy (its default), and, for a Git source,
 * the patch that points HelmReleases annotated `clusterconfig.azure.com/use-managed-source` at it.
 */
function azureKustomizationSpec(world: World, record: FluxRecord, sourceKind: SourceKind): Json {
  const out: Json = {};
  const settings = world.fluxExtension(record.cluster)?.props.configurationSettings;
  const enforce = isObject(settings) ? settings['multiTenancy.enforce'] : undefined;
  if (String(enforce ?? 'true').toLowerCase() !== 'false') out.serviceAccountName = 'flux-applier';
  if (sourceKind === 'GitRepository') {
    const sourceRef = { kind: 'GitRepository', name: record.name, namespace: String(record.spec.namespace) };
    out.patches = [
      {
        patch: JSON.stringify([{ op: 'add', path: '/spec/chart/spec/sourceRef', value: sourceRef }]),
        target: { group: 'helm.toolkit.fluxcd.io', kind: 'HelmRelease', annotationSelector: 'clusterconfig.azure.com/use-managed-source=true' },
      },
    ];
  }
  return out;
}

/** HelmCharts go with their HelmRelease (helm-controller deletes the chart it made). */
function pruneCharts(store: ClusterObjects, owner: string): void {
  for (const obj of store.ownedBy(owner)) {
    if (obj.chartFor && store.get('HelmRelease', obj.chartFor.namespace, obj.chartFor.name)?.owner !== owner) store.delete(obj);
  }
}
