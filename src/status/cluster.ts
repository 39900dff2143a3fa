/**
 * Status read straight from the cluster: Flux objects (as the Kubernetes API returns them) →
 * the status model, grouped by the Azure Flux configuration each belongs to. Pure: the caller
 * lists or watches the objects, this maps and groups them.
 *
 * Which configuration an object belongs to, in this order:
 *   1. its `clusterconfig.azure.com/name` / `clusterconfig.azure.com/namespace` labels (Azure's
 *      agent sets them on the objects it creates: the source and the Kustomizations);
 *   2. the Kustomization that applied it (`kustomize.toolkit.fluxcd.io/name` / `…/namespace`
 *      labels), transitively; a HelmChart follows the HelmRelease whose `status.helmChart`
 *      names it;
 *   3. its namespace, when exactly one configuration lives there (with multi-tenancy, which
 *      Azure enforces by default, everything a configuration deploys is in its namespace).
 * Objects that match none are `otherObjects` (plain Flux, not managed through Azure).
 */
import { conditionsOf, findCondition, readiness, timestamp, type KubeObject } from '../kube/readiness.js';
import {
  compact,
  configurationKey,
  isoTime,
  normalizeRevision,
  objectKey,
  rollUpCompliance,
  sortConfigurations,
  sortObjects,
  type ClusterStatus,
  type ConfigurationStatus,
  type ObjectStatus,
} from './model.js';

export const CONFIG_NAME_LABEL = 'clusterconfig.azure.com/name';
export const CONFIG_NAMESPACE_LABEL = 'clusterconfig.azure.com/namespace';
export const KUSTOMIZE_NAME_LABEL = 'kustomize.toolkit.fluxcd.io/name';
export const KUSTOMIZE_NAMESPACE_LABEL = 'kustomize.toolkit.fluxcd.io/namespace';

export { FLUX_KINDS } from '../kube/kinds.js';
import { FLUX_KINDS } from '../kube/kinds.js';

/** The kinds a Flux configuration's source can be. */
const CONFIG_SOURCE_KINDS = new Set(['GitRepository', 'OCIRepository', 'Bucket']);

export interface ClusterViewInput {
  /** Flux objects of the kinds in FLUX_KINDS (others are ignored). */
  objects: KubeObject[];
  /** The kubeconfig context read (shown as the cluster name unless clusterName is given). */
  context?: string;
  clusterName?: string;
  /** Narrow to one configuration (`-n`, with its namespace when known). */
  configuration?: { name: string; namespace?: string };
}

export interface ClusterViewOptions {
  now: number;
}

/** The revision `flux get` shows for an object, normalized. */
export function revisionOf(obj: KubeObject): string | undefined {
  const status = obj.status ?? {};
  const artifact = status.artifact as { revision?: unknown } | undefined;
  switch (obj.kind) {
    case 'Kustomization':
      return normalizeRevision(typeof status.lastAppliedRevision === 'string' ? status.lastAppliedRevision : undefined);
    case 'HelmRelease': {
      const history = Array.isArray(status.history) ? (status.history[0] as { chartVersion?: unknown } | undefined) : undefined;
      const version = typeof history?.chartVersion === 'string' ? history.chartVersion : typeof status.lastAttemptedRevision === 'string' ? status.lastAttemptedRevision : undefined;
      return normalizeRevision(version);
    }
    default:
      return normalizeRevision(typeof artifact?.revision === 'string' ? artifact.revision : undefined);
  }
}

export function objectFromKube(obj: KubeObject): ObjectStatus {
  const r = readiness(obj);
  const out: ObjectStatus = {
    kind: obj.kind ?? '',
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
    ready: r.ready,
    state: r.state,
    stalled: r.stalled,
  };
  if (r.reason) out.reason = r.reason;
  if (r.message) out.message = r.message;
  const revision = revisionOf(obj);
  if (revision) out.revision = revision;
  const since = r.since ?? timestamp(findCondition(conditionsOf(obj), 'Ready')?.lastTransitionTime);
  if (since) out.updatedAt = since;
  const by = appliedByOf(obj);
  if (by) out.appliedBy = by;
  return out;
}

function labelsOf(obj: KubeObject): Record<string, string> {
  return obj.metadata?.labels ?? {};
}

function appliedByOf(obj: KubeObject): { namespace: string; name: string } | undefined {
  const labels = labelsOf(obj);
  const name = labels[KUSTOMIZE_NAME_LABEL];
  return name ? { namespace: labels[KUSTOMIZE_NAMESPACE_LABEL] ?? obj.metadata?.namespace ?? '', name } : undefined;
}

/** The configuration an object's labels name, as `namespace/name`. */
function labelledConfiguration(obj: KubeObject): { name: string; namespace: string } | undefined {
  const labels = labelsOf(obj);
  const name = labels[CONFIG_NAME_LABEL];
  if (!name) return undefined;
  return { name, namespace: labels[CONFIG_NAMESPACE_LABEL] ?? obj.metadata?.namespace ?? '' };
}

const KNOWN_KINDS = new Set<string>(FLUX_KINDS.map((k) => k.kind));

export function clusterStatus(input: ClusterViewInput, options: ClusterViewOptions): ClusterStatus {
  const objects = input.objects.filter((o) => KNOWN_KINDS.has(o.kind ?? '') && o.metadata?.name);
  const keyOf = (o: KubeObject): string => `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

  // Configurations known from labels (and the one asked for, even if nothing carries it yet).
  const configs = new Map<string, { name: string; namespace: string }>();
  for (const o of objects) {
    const c = labelledConfiguration(o);
    if (c) configs.set(`${c.namespace}/${c.name}`, c);
  }
  const wanted = input.configuration;
  if (wanted?.namespace !== undefined && !configs.has(`${wanted.namespace}/${wanted.name}`)) {
    configs.set(`${wanted.namespace}/${wanted.name}`, { name: wanted.name, namespace: wanted.namespace });
  }

  // 1. Labels.
  const owner = new Map<string, string>();
  for (const o of objects) {
    const c = labelledConfiguration(o);
    if (c) owner.set(keyOf(o), `${c.namespace}/${c.name}`);
  }
  // 2. Applied by a member Kustomization (transitively), and HelmCharts of member HelmReleases.
  for (let changed = true; changed; ) {
    changed = false;
    for (const o of objects) {
      const k = keyOf(o);
      if (owner.has(k)) continue;
      const by = appliedByOf(o);
      const via = by ? owner.get(`Kustomization/${by.namespace}/${by.name}`) : undefined;
      if (via) {
        owner.set(k, via);
        changed = true;
      }
    }
    for (const o of objects) {
      if (o.kind !== 'HelmRelease') continue;
      const cfg = owner.get(keyOf(o));
      const chart = typeof o.status?.helmChart === 'string' ? o.status.helmChart : undefined;
      if (!cfg || !chart) continue;
      const [ns, name] = chart.includes('/') ? chart.split('/', 2) : [o.metadata?.namespace ?? '', chart];
      const chartKey = `HelmChart/${ns}/${name}`;
      if (objects.some((x) => keyOf(x) === chartKey) && !owner.has(chartKey)) {
        owner.set(chartKey, cfg);
        changed = true;
      }
    }
  }
  // 3. The namespace of exactly one configuration.
  const byNamespace = new Map<string, string[]>();
  for (const [key, c] of configs) byNamespace.set(c.namespace, [...(byNamespace.get(c.namespace) ?? []), key]);
  for (const o of objects) {
    const k = keyOf(o);
    if (owner.has(k)) continue;
    const candidates = byNamespace.get(o.metadata?.namespace ?? '') ?? [];
    if (candidates.length === 1) owner.set(k, candidates[0]!);
    else if (wanted && candidates.length > 1) {
      // Narrowed to one configuration among several in the namespace: an unclaimed object there is counted with it.
      const target = candidates.find((c) => configs.get(c)!.name === wanted.name);
      if (target) owner.set(k, target);
    }
  }

  const members = new Map<string, ObjectStatus[]>();
  const other: ObjectStatus[] = [];
  const kube = new Map<string, KubeObject>();
  for (const o of objects) {
    const status = objectFromKube(o);
    kube.set(objectKey(status), o);
    const cfg = owner.get(keyOf(o));
    if (cfg) members.set(cfg, [...(members.get(cfg) ?? []), status]);
    else other.push(status);
  }

  let configurations: ConfigurationStatus[] = [...configs.entries()].map(([key, c]) => configurationFromObjects(c, sortObjects(members.get(key) ?? []), kube));
  const warnings: string[] = [];
  let otherObjects = sortObjects(other);
  if (wanted) {
    configurations = configurations.filter((c) => c.name === wanted.name && (wanted.namespace === undefined || c.namespace === wanted.namespace));
    otherObjects = [];
    if (configurations.length === 0) {
      configurations = [{ name: wanted.name, complianceState: rollUpCompliance([], false), suspended: false, stale: false, objects: [] }];
    }
    for (const c of configurations) {
      if (c.objects.length === 0) {
        warnings.push(`no Flux objects of configuration '${configurationKey(c)}' in the cluster (labels ${CONFIG_NAME_LABEL}=${c.name}${c.namespace ? `, ${CONFIG_NAMESPACE_LABEL}=${c.namespace}` : ''}).`);
      }
    }
  } else if (objects.length === 0) {
    warnings.push('no Flux objects found in the cluster.');
  }

  const cluster: ClusterStatus['cluster'] = { name: input.clusterName ?? input.context ?? 'kubernetes', type: 'kubernetes' };
  if (input.context) cluster.context = input.context;
  return { cluster, configurations: sortConfigurations(configurations), otherObjects, observedAt: isoTime(options.now), source: 'cluster', warnings };
}

function configurationFromObjects(c: { name: string; namespace: string }, objects: ObjectStatus[], kube: Map<string, KubeObject>): ConfigurationStatus {
  // The configuration's own source is named after it, in its namespace.
  const source = objects.find((o) => CONFIG_SOURCE_KINDS.has(o.kind) && o.name === c.name && o.namespace === c.namespace);
  const sourceObject = source ? kube.get(objectKey(source)) : undefined;
  // Azure suspends a configuration by suspending its source and every Kustomization.
  const suspended = sourceObject?.spec?.suspend === true;
  const artifact = sourceObject?.status?.artifact as { lastUpdateTime?: unknown } | undefined;
  const out: ConfigurationStatus = compact({
    name: c.name,
    namespace: c.namespace || undefined,
    sourceKind: source?.kind,
    complianceState: rollUpCompliance(objects, suspended),
    sourceRevision: sourceObject ? revisionOf(sourceObject) : undefined,
    sourceUpdatedAt: timestamp(artifact?.lastUpdateTime),
    suspended,
    stale: false,
    objects,
  });
  return out;
}
