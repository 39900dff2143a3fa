/**
 * The status model `k8s-gitops status` shows, whichever side it was read from: Azure (ARM
 * `fluxConfigurations`, the extension, the cluster resource) or the cluster itself (the Flux
 * objects). Both sides produce the same types, with the same identities (kind/namespace/name),
 * the same normalized revisions and the same readiness states, so that where the two views
 * agree they compare equal (see compareConfigurations).
 *
 * Every value here is plain JSON (timestamps as RFC 3339 strings), so a ClusterStatus is also
 * the `-o json` document. Pure: no I/O, no clock.
 */
import type { ClusterType } from '../model/cluster.js';
import type { ConditionStatus, ObjectState } from '../kube/readiness.js';

export type { ConditionStatus, ObjectState };

export interface ObjectStatus {
  kind: string;
  namespace: string;
  name: string;
  /** The READY column: True exactly when `state` is Ready (Azure: the Ready condition when reported). */
  ready: ConditionStatus;
  state: ObjectState;
  /** A terminal failure: Flux will not retry until something changes (Stalled=True). */
  stalled: boolean;
  reason?: string;
  message?: string;
  /** Normalized (normalizeRevision): `main@sha1:<hex>`, `sha256:<hex>`, `v1@sha256:<hex>`, `6.0.3+4e5cbb7b97d0`. */
  revision?: string;
  /** When the readiness last changed (the deciding condition's lastTransitionTime). */
  updatedAt?: string;
  /** The Kustomization that applied this object, when it was applied by one. */
  appliedBy?: { namespace: string; name: string };
}

/** ARM compliance states (FluxComplianceState). Kept as strings: ARM enums are open. */
export const COMPLIANCE = {
  compliant: 'Compliant',
  nonCompliant: 'Non-Compliant',
  pending: 'Pending',
  suspended: 'Suspended',
  unknown: 'Unknown',
} as const;

export interface ConfigurationStatus {
  name: string;
  /** The configuration's namespace (where its Flux objects live). */
  namespace?: string;
  scope?: string;
  sourceKind?: string;
  /** ARM only: Succeeded, Failed, Canceled, Creating, Updating, Deleting. */
  provisioningState?: string;
  /** From Azure as reported; from the cluster rolled up from the objects (rollUpCompliance). */
  complianceState?: string;
  sourceRevision?: string;
  sourceUpdatedAt?: string;
  /** When the cluster last reported this configuration's status to Azure. */
  statusUpdatedAt?: string;
  /** ARM `errorMessage` (provisioning failure). */
  error?: string;
  suspended: boolean;
  /** The status is too old to trust, or the Arc cluster is offline/expired. Never "reached". */
  stale: boolean;
  staleReason?: string;
  objects: ObjectStatus[];
}

export interface ConnectivityStatus {
  /** Arc `connectivityStatus`: Connecting, Connected, Offline, Expired, AgentNotInstalled. */
  status: string;
  lastConnectivityTime?: string;
  /** Anything but Connected: the agents are not talking to Azure. */
  offline: boolean;
  /** The cluster's managed identity certificate expired: it must be re-onboarded. */
  expired: boolean;
}

export type ClusterKind = ClusterType | 'kubernetes';

export interface ClusterInfo {
  name: string;
  type: ClusterKind;
  resourceGroup?: string;
  id?: string;
  /** Cluster view: the kubeconfig context. */
  context?: string;
  /** Arc clusters only. */
  connectivity?: ConnectivityStatus;
}

export interface ExtensionStatus {
  name: string;
  /** `extensionType`, e.g. microsoft.flux. */
  type: string;
  provisioningState: string;
  /** The installed version (`currentVersion`, else the pinned `version`). */
  version?: string;
  /** `extensionState` (API 2025-03-01+). */
  state?: string;
  /** True when the extension is installed and working (provisioningState Succeeded). */
  installed: boolean;
  /** Why it is not working: `statuses[]` at level Error (or with no level, on a Failed extension), else `errorInfo`. */
  errors: string[];
}

export type StatusSource = 'azure' | 'cluster';

export interface ClusterStatus {
  cluster: ClusterInfo;
  extension?: ExtensionStatus;
  configurations: ConfigurationStatus[];
  /** Cluster view only: Flux objects that belong to no Azure Flux configuration. */
  otherObjects: ObjectStatus[];
  /** When this status was read (RFC 3339). */
  observedAt: string;
  source: StatusSource;
  /** Things the user must not miss: stale status, offline cluster, missing extension. No ages in the text, so they stay stable between polls. */
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------
// Revisions

const HEX_SHA1 = /^[0-9a-f]{40}$/i;
const HEX_SHA256 = /^[0-9a-f]{64}$/i;

/**
 * One form for every revision string, so both formats compare equal:
 *   `main@sha1:<hex>`          unchanged (Flux ≥ 2.0)
 *   `main/<40 hex>`            → `main@sha1:<hex>` (Flux < 2.0, and Azure's sourceSyncedCommitId)
 *   `refs/heads/main/<hex>`    → `refs/heads/main@sha1:<hex>` (the ref is everything before the last `/`)
 *   `HEAD/<hex>`               → `sha1:<hex>` (a commit checkout, which Flux ≥ 2.0 writes as `sha1:<hex>`)
 *   `<40 hex>` alone           → `sha1:<hex>`; `<64 hex>` alone → `sha256:<hex>`
 *   `sha256:…`, `v1.2.3@sha256:…`, `6.0.3`, `6.0.3+4e5cbb7b97d0` unchanged
 * Hex digests are lower-cased. Surrounding whitespace and quotes are dropped.
 */
export function normalizeRevision(revision: string | null | undefined): string | undefined {
  if (revision === null || revision === undefined) return undefined;
  const text = revision.trim().replace(/^['"](.*)['"]$/, '$1').trim();
  if (!text) return undefined;
  const digest = /^((?:.*@)?)(sha1|sha256|sha384|sha512):([0-9a-fA-F]+)$/.exec(text);
  if (digest) return `${digest[1]}${digest[2]}:${digest[3]!.toLowerCase()}`;
  if (HEX_SHA1.test(text)) return `sha1:${text.toLowerCase()}`;
  if (HEX_SHA256.test(text)) return `sha256:${text.toLowerCase()}`;
  const slash = text.lastIndexOf('/');
  if (slash > 0) {
    const ref = text.slice(0, slash);
    const hex = text.slice(slash + 1);
    const algo = HEX_SHA1.test(hex) ? 'sha1' : HEX_SHA256.test(hex) ? 'sha256' : undefined;
    if (algo) return ref === 'HEAD' ? `${algo}:${hex.toLowerCase()}` : `${ref}@${algo}:${hex.toLowerCase()}`;
  }
  return text;
}

/** Hex runs of 40–128 characters shortened to 8, as the Flux CLI shows revisions and messages. */
export function shortenHex(text: string): string {
  return text.replace(/(?<![0-9a-fA-F])[0-9a-fA-F]{40,128}(?![0-9a-fA-F])/g, (run) => run.slice(0, 8));
}

/** A revision as a table shows it: normalized, hex shortened (`main@sha1:3dbc5deb`). */
export function displayRevision(revision: string | undefined): string {
  const normalized = normalizeRevision(revision);
  return normalized ? shortenHex(normalized) : '';
}

// ---------------------------------------------------------------------------------------------
// Identity, order and roll-up

/** The identity of an object on both sides: `Kind/namespace/name`. */
export function objectKey(o: Pick<ObjectStatus, 'kind' | 'namespace' | 'name'>): string {
  return `${o.kind}/${o.namespace}/${o.name}`;
}

export function configurationKey(c: Pick<ConfigurationStatus, 'name' | 'namespace'>): string {
  return c.namespace ? `${c.namespace}/${c.name}` : c.name;
}

/** Dependency order: sources, then charts, then what applies them. */
const KIND_ORDER = ['GitRepository', 'OCIRepository', 'Bucket', 'HelmRepository', 'HelmChart', 'Kustomization', 'HelmRelease'];

function kindRank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A stable order for objects, the same for both views: kind (dependency order), namespace, name. */
export function sortObjects<T extends Pick<ObjectStatus, 'kind' | 'namespace' | 'name'>>(objects: readonly T[]): T[] {
  return [...objects].sort(
    (a, b) => kindRank(a.kind) - kindRank(b.kind) || compareText(a.kind, b.kind) || compareText(a.namespace, b.namespace) || compareText(a.name, b.name),
  );
}

export function sortConfigurations<T extends Pick<ConfigurationStatus, 'name' | 'namespace'>>(configurations: readonly T[]): T[] {
  return [...configurations].sort((a, b) => compareText(a.namespace ?? '', b.namespace ?? '') || compareText(a.name, b.name));
}

/**
 * A configuration's compliance from its objects, the way Azure rolls it up: suspended →
 * Suspended; no objects yet → Pending; any object Failed or with Ready=False → Non-Compliant
 * (Azure reports an object waiting on a dependency as Non-Compliant too); all Ready →
 * Compliant; otherwise Pending (including a suspended or terminating object). So both views
 * say the same; rolloutInProgress tells a Non-Compliant rollout from a failure.
 */
export function rollUpCompliance(objects: readonly ObjectStatus[], suspended: boolean): string {
  if (suspended) return COMPLIANCE.suspended;
  if (objects.length === 0) return COMPLIANCE.pending;
  if (objects.some((o) => o.state === 'Failed' || (o.state === 'Progressing' && o.ready === 'False'))) return COMPLIANCE.nonCompliant;
  if (objects.every((o) => o.state === 'Ready')) return COMPLIANCE.compliant;
  return COMPLIANCE.pending;
}

/**
 * A configuration that Azure calls Non-Compliant while nothing in it has failed: some objects
 * are still progressing (waiting on a dependency, reconciling) and none failed or is stalled.
 * Real Azure reports a healthy rollout this way (`apps` Non-Compliant while `infra`, which it
 * depends on, reconciles), so this is progress, not failure.
 */
export function rolloutInProgress(c: Pick<ConfigurationStatus, 'complianceState' | 'objects'>): boolean {
  return c.complianceState === COMPLIANCE.nonCompliant && !c.objects.some((o) => o.state === 'Failed' || o.stalled) && c.objects.some((o) => o.state === 'Progressing');
}

// ---------------------------------------------------------------------------------------------
// Comparing the Azure view with the cluster view

export interface ViewDifference {
  /** `Kind/namespace/name`, or the configuration key for configuration-level fields. */
  key: string;
  field: 'presence' | 'ready' | 'state' | 'revision' | 'sourceRevision' | 'complianceState';
  left?: string;
  right?: string;
}

/**
 * Where two views of one configuration disagree. Objects are matched by identity; ready and
 * state are compared always, revisions only where both sides know one (Azure reports an
 * object's revision only in its success message). Time fields and messages are never compared:
 * they differ in wording and in when they were read, not in meaning.
 */
export function compareConfigurations(left: ConfigurationStatus, right: ConfigurationStatus): ViewDifference[] {
  const out: ViewDifference[] = [];
  const key = configurationKey(left);
  if (left.sourceRevision && right.sourceRevision && normalizeRevision(left.sourceRevision) !== normalizeRevision(right.sourceRevision)) {
    out.push({ key, field: 'sourceRevision', left: left.sourceRevision, right: right.sourceRevision });
  }
  if (left.complianceState && right.complianceState && left.complianceState !== right.complianceState) {
    out.push({ key, field: 'complianceState', left: left.complianceState, right: right.complianceState });
  }
  const rightByKey = new Map(right.objects.map((o) => [objectKey(o), o]));
  const seen = new Set<string>();
  for (const l of left.objects) {
    const k = objectKey(l);
    seen.add(k);
    const r = rightByKey.get(k);
    if (!r) {
      out.push({ key: k, field: 'presence', left: 'present' });
      continue;
    }
    if (l.ready !== r.ready) out.push({ key: k, field: 'ready', left: l.ready, right: r.ready });
    if (l.state !== r.state) out.push({ key: k, field: 'state', left: l.state, right: r.state });
    if (l.revision && r.revision && normalizeRevision(l.revision) !== normalizeRevision(r.revision)) {
      out.push({ key: k, field: 'revision', left: l.revision, right: r.revision });
    }
  }
  for (const r of right.objects) {
    const k = objectKey(r);
    if (!seen.has(k)) out.push({ key: k, field: 'presence', right: 'present' });
  }
  return out;
}

/** Every object of a status, with the configuration it belongs to (undefined for otherObjects). */
export function allObjects(status: ClusterStatus): { configuration?: string; object: ObjectStatus }[] {
  return [
    ...status.configurations.flatMap((c) => c.objects.map((object) => ({ configuration: configurationKey(c), object }))),
    ...status.otherObjects.map((object) => ({ object })),
  ];
}

/** Drops the members that are undefined, keeping the order of the others (stable JSON). */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** RFC 3339 without milliseconds when they are zero (ARM's own style). */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

export function parseTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}
