/**
 * The simulated cluster's Flux objects, kept per cluster the way the Kubernetes API would hold
 * them (kind, namespace, name, generation, labels, spec, status conditions, revisions). The ARM
 * `statuses[]` of a configuration are derived from these objects, and each cluster's Kubernetes
 * API (emulator/kube) serves the same objects in their Kubernetes form (`toKubeObject`).
 */
import type { ObjectStatus } from '../arm/records.js';
import type { Json } from '../util.js';
import { isoSeconds, sha256Hex, uuid } from '../util.js';

export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration: number;
}

export type Compliance = 'Compliant' | 'Non-Compliant' | 'Pending' | 'Suspended' | 'Unknown';

/** One Helm release revision, as a HelmRelease's `status.history` lists it (newest first). */
export interface HelmSnapshot {
  version: number;
  chartVersion: string;
  status: 'deployed' | 'superseded';
  firstDeployed: string;
  lastDeployed: string;
}

export interface HelmStatus {
  chartName: string;
  chartVersion: string;
  releaseName: string;
  targetNamespace: string;
  lastRevisionApplied: number;
  chartRef: { name: string; namespace: string };
  failureCount: number;
  installFailureCount: number;
  upgradeFailureCount: number;
  /** install or upgrade: the last release action attempted. */
  lastAction: 'install' | 'upgrade';
  /** The generation of the HelmRelease that action was for. */
  lastAttemptedGeneration: number;
  /** Digest of the values (the tutorial sets none, so it is the digest of `{}`). */
  configDigest: string;
  history: HelmSnapshot[];
}

export interface FluxObject {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  creationTimestamp: string;
  generation: number;
  /** -1 until the controller has handled the object once, as the Flux CRDs default it. */
  observedGeneration: number;
  labels: Record<string, string>;
  spec: Json;
  conditions: Condition[];
  /** Sources: status.artifact.revision. */
  artifactRevision?: string;
  artifactUpdated?: string;
  /** Kustomizations. */
  lastAppliedRevision?: string;
  lastAttemptedRevision?: string;
  /** HelmReleases. */
  helm?: HelmStatus;
  /** HelmCharts: what source-controller reports about the chart it pulled. */
  chart?: { name: string; sourceRevision: string };
  /** HelmCharts: the HelmRelease that helm-controller made the chart for (not reported to Azure). */
  chartFor?: { name: string; namespace: string };
  /** The Kustomization that applied the object (from its kustomize.toolkit.fluxcd.io labels). */
  appliedBy?: { name: string; namespace: string };
  /** The Flux configuration the object belongs to: `<config namespace>/<config name>`. */
  owner: string;
  /** metadata.annotations, which clients may set through the cluster's API (e.g. `reconcile.fluxcd.io/requestedAt`). */
  annotations?: Record<string, string>;
  /** status.lastHandledReconcileAt: the `reconcile.fluxcd.io/requestedAt` token the controller handled last. */
  lastHandledReconcileAt?: string;
  /** Kustomizations: status.inventory.entries, what the last successful apply applied. */
  inventory?: InventoryEntry[];
}

/** One entry of a Kustomization's inventory: `<namespace>_<name>_<group>_<kind>` and the version. */
export interface InventoryEntry {
  id: string;
  v: string;
}

export const SOURCE_API = 'source.toolkit.fluxcd.io/v1';
export const KUSTOMIZE_API = 'kustomize.toolkit.fluxcd.io/v1';
export const HELM_API = 'helm.toolkit.fluxcd.io/v2';

export const objectKey = (kind: string, namespace: string, name: string): string => `${kind}/${namespace}/${name}`;

export function newObject(apiVersion: string, kind: string, namespace: string, name: string, owner: string, labels: Record<string, string>, spec: Json): FluxObject {
  return {
    apiVersion,
    kind,
    namespace,
    name,
    uid: uuid(),
    creationTimestamp: isoSeconds(),
    generation: 1,
    observedGeneration: -1,
    labels,
    spec,
    conditions: [],
    owner,
  };
}

/** Sets a condition, keeping lastTransitionTime when the status does not change (as Kubernetes does). */
export function setCondition(obj: FluxObject, type: string, status: ConditionStatus, reason: string, message: string): void {
  const existing = obj.conditions.find((c) => c.type === type);
  const now = isoSeconds();
  if (existing) {
    if (existing.status !== status) existing.lastTransitionTime = now;
    existing.status = status;
    existing.reason = reason;
    existing.message = message;
    existing.observedGeneration = obj.generation;
  } else {
    obj.conditions.push({ type, status, reason, message, lastTransitionTime: now, observedGeneration: obj.generation });
  }
}

export function removeCondition(obj: FluxObject, type: string): void {
  obj.conditions = obj.conditions.filter((c) => c.type !== type);
}

export const readyCondition = (obj: FluxObject): Condition | undefined => obj.conditions.find((c) => c.type === 'Ready');

/** Azure's compliance state of one object. */
export function complianceOf(obj: FluxObject): Compliance {
  if (obj.spec.suspend === true) return 'Suspended';
  const ready = readyCondition(obj);
  if (!ready || ready.status === 'Unknown') return 'Pending';
  if (ready.status === 'True') return 'Compliant';
  // As real Azure reports it: Ready=False is Non-Compliant whatever the reason, so a
  // Kustomization waiting on its dependency (DependencyNotReady) is Non-Compliant, and so is the
  // configuration, until the rollout is done.
  return 'Non-Compliant';
}

/** Ready=False reasons that only mean "waiting" (Flux moves on by itself once the cause clears). */
export function isWaitingReason(reason: string | undefined): boolean {
  return reason === 'DependencyNotReady' || reason === 'Progressing';
}

/** One entry of a configuration's ARM `statuses[]`. */
export function toObjectStatus(obj: FluxObject): ObjectStatus {
  const ready = readyCondition(obj);
  return {
    name: obj.name,
    namespace: obj.namespace,
    kind: obj.kind,
    complianceState: complianceOf(obj),
    appliedBy: obj.appliedBy ? { ...obj.appliedBy } : null,
    statusConditions: ready
      ? [{ lastTransitionTime: ready.lastTransitionTime, message: ready.message, reason: ready.reason, status: ready.status, type: ready.type }]
      : [],
    helmReleaseProperties: obj.helm
      ? {
          lastRevisionApplied: obj.helm.lastRevisionApplied,
          helmChartRef: { ...obj.helm.chartRef },
          failureCount: obj.helm.failureCount,
          installFailureCount: obj.helm.installFailureCount,
          upgradeFailureCount: obj.helm.upgradeFailureCount,
        }
      : null,
  };
}

/** Where source-controller serves artifacts inside the cluster. */
const ARTIFACT_HOST = 'http://source-controller.flux-system.svc.cluster.local.';

/** The artifact a source stores, with every field the CRDs require (digest, path, url). */
function artifactOf(obj: FluxObject, revision: string): Json {
  const hex = sha256Hex(`${obj.kind}/${obj.namespace}/${obj.name}|${revision}`);
  const commit = /sha1:([0-9a-f]+)$/.exec(revision)?.[1];
  const file =
    obj.kind === 'HelmRepository'
      ? `index-${hex}.yaml`
      : obj.kind === 'HelmChart'
        ? `${obj.chart?.name ?? obj.name}-${revision}.tgz`
        : `${commit ?? hex}.tar.gz`;
  const path = `${obj.kind.toLowerCase()}/${obj.namespace}/${obj.name}/${file}`;
  return {
    digest: `sha256:${hex}`,
    lastUpdateTime: obj.artifactUpdated ?? obj.creationTimestamp,
    path,
    revision,
    size: 1024 + (parseInt(hex.slice(0, 6), 16) % 65536),
    url: `${ARTIFACT_HOST}/${path}`,
  };
}

/** Kinds whose status carries the latest artifact URL (`status.url`). */
const STATUS_URL_KINDS = new Set(['Bucket', 'OCIRepository', 'HelmRepository', 'HelmChart']);

function helmStatus(obj: FluxObject, helm: HelmStatus): Json {
  const status: Json = {
    lastAttemptedGeneration: helm.lastAttemptedGeneration,
    lastAttemptedRevision: helm.chartVersion,
    lastAttemptedConfigDigest: helm.configDigest,
    lastAttemptedReleaseAction: helm.lastAction,
    helmChart: `${helm.chartRef.namespace}/${helm.chartRef.name}`,
    storageNamespace: helm.targetNamespace,
    history: helm.history.map((h) => ({
      chartName: helm.chartName,
      chartVersion: h.chartVersion,
      configDigest: helm.configDigest,
      digest: `sha256:${sha256Hex(`${obj.namespace}/${obj.name}|${helm.releaseName}|${h.version}|${h.chartVersion}`)}`,
      firstDeployed: h.firstDeployed,
      lastDeployed: h.lastDeployed,
      name: helm.releaseName,
      namespace: helm.targetNamespace,
      status: h.status,
      version: h.version,
    })),
  };
  // Go's omitempty: the failure counters appear only when non-zero.
  if (helm.failureCount > 0) status.failures = helm.failureCount;
  if (helm.installFailureCount > 0) status.installFailures = helm.installFailureCount;
  if (helm.upgradeFailureCount > 0) status.upgradeFailures = helm.upgradeFailureCount;
  return status;
}

/** The object as the Kubernetes API returns it (without resourceVersion, which the cluster's store adds). */
export function toKubeObject(obj: FluxObject): Json {
  const status: Json = { observedGeneration: obj.observedGeneration, conditions: obj.conditions.map((c) => ({ ...c })) };
  if (obj.artifactRevision) {
    const artifact = artifactOf(obj, obj.artifactRevision);
    status.artifact = artifact;
    if (STATUS_URL_KINDS.has(obj.kind)) {
      const latest = String(artifact.path).replace(/[^/]+$/, obj.kind === 'HelmRepository' ? 'index.yaml' : obj.kind === 'HelmChart' ? `${obj.chart?.name ?? obj.name}-latest.tgz` : 'latest.tar.gz');
      status.url = `${ARTIFACT_HOST}/${latest}`;
    }
  }
  if (obj.chart) {
    status.observedChartName = obj.chart.name;
    status.observedSourceArtifactRevision = obj.chart.sourceRevision;
  }
  if (obj.lastAppliedRevision) status.lastAppliedRevision = obj.lastAppliedRevision;
  if (obj.lastAttemptedRevision) status.lastAttemptedRevision = obj.lastAttemptedRevision;
  if (obj.helm) Object.assign(status, helmStatus(obj, obj.helm));
  if (obj.lastHandledReconcileAt !== undefined) status.lastHandledReconcileAt = obj.lastHandledReconcileAt;
  if (obj.inventory) status.inventory = { entries: obj.inventory.map((e) => ({ ...e })) };
  const annotations = obj.annotations && Object.keys(obj.annotations).length > 0 ? { annotations: { ...obj.annotations } } : {};
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    metadata: {
      name: obj.name,
      namespace: obj.namespace,
      uid: obj.uid,
      generation: obj.generation,
      creationTimestamp: obj.creationTimestamp,
      labels: { ...obj.labels },
      ...annotations,
    },
    spec: obj.spec,
    status,
  };
}

/** The Flux objects of one cluster. */
export class ClusterObjects {
  private readonly objects = new Map<string, FluxObject>();

  get(kind: string, namespace: string, name: string): FluxObject | undefined {
    return this.objects.get(objectKey(kind, namespace, name));
  }

  put(obj: FluxObject): void {
    this.objects.set(objectKey(obj.kind, obj.namespace, obj.name), obj);
  }

  delete(obj: FluxObject): void {
    this.objects.delete(objectKey(obj.kind, obj.namespace, obj.name));
  }

  ownedBy(owner: string): FluxObject[] {
    return [...this.objects.values()].filter((o) => o.owner === owner);
  }

  all(): FluxObject[] {
    return [...this.objects.values()];
  }

  clear(): void {
    this.objects.clear();
  }
}
