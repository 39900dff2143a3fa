/**
 * Status as Azure reports it: ARM resources (the cluster, its extensions, its
 * fluxConfigurations) → the status model. Accepts the resources either as ARM returns them
 * (`properties` nested) or as az prints them (flattened). Pure: the caller fetches, this maps.
 */
import { CLUSTER_TYPES, type ClusterType } from '../model/cluster.js';
import { conditionStatus, isWaitingCondition, readyValue, type ConditionStatus, type ObjectState } from '../kube/readiness.js';
import {
  COMPLIANCE,
  compact,
  configurationKey,
  isoTime,
  normalizeRevision,
  parseTime,
  sortConfigurations,
  sortObjects,
  type ClusterInfo,
  type ClusterStatus,
  type ConfigurationStatus,
  type ConnectivityStatus,
  type ExtensionStatus,
  type ObjectStatus,
} from './model.js';

/** An ARM resource in either shape: `{id, name, type, properties: {…}}` or flattened. */
export interface ArmResourceLike {
  id?: string;
  name?: string;
  type?: string;
  properties?: Record<string, unknown> | null;
  [key: string]: unknown;
}

export interface AzureResources {
  /** The cluster resource (GET managedClusters / connectedClusters / provisionedClusters). */
  cluster: ArmResourceLike;
  /** `extension list` (or the one extension). The microsoft.flux one is picked; omitted = not looked up. */
  extensions?: ArmResourceLike[];
  /** `flux config list`, or the one configuration of `-n`. */
  configurations: ArmResourceLike[];
  /** Configurations asked for by name that do not exist (yet): said in a warning. */
  missing?: string[];
}

export interface AzureStatusOptions {
  /** Clock.now() of the read. */
  now: number;
  /** Overrides staleThresholdMs() for every configuration. */
  staleAfterMs?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** Arc marks a cluster Offline after 15 minutes without a heartbeat. */
export const MIN_STALE_MS = 15 * MINUTE;
/** Azure keeps a change for a disconnected Arc cluster (and its protected settings) 48 hours. */
export const ARC_PENDING_WINDOW_MS = 48 * HOUR;
/** ARM's default sync interval of a source or kustomization. */
const DEFAULT_SYNC_INTERVAL_S = 600;

/** Ready=False reasons after which Flux stops retrying (its Stalled reasons). */
export const TERMINAL_REASONS: ReadonlySet<string> = new Set(['RetriesExceeded', 'MissingRollbackTarget', 'InvalidCELExpression', 'AccessDenied', 'FeatureGateDisabled']);

const SOURCE_PROPERTIES = ['gitRepository', 'bucket', 'azureBlob', 'ociRepository'];

export function propertiesOf(resource: ArmResourceLike): Record<string, unknown> {
  const props = resource.properties;
  return props && typeof props === 'object' ? props : (resource as Record<string, unknown>);
}

const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const rec = (value: unknown): Record<string, unknown> | undefined =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;

export function azureStatus(resources: AzureResources, options: AzureStatusOptions): ClusterStatus {
  const { now } = options;
  const cluster = clusterInfo(resources.cluster, now);
  const warnings: string[] = [];
  const conn = cluster.connectivity;
  if (conn) warnings.push(...connectivityWarnings(cluster.name, conn, now));

  let extension: ExtensionStatus | undefined;
  if (resources.extensions) {
    const flux = resources.extensions.find((e) => str(propertiesOf(e).extensionType)?.toLowerCase() === 'microsoft.flux');
    if (flux) {
      extension = extensionFromArm(flux);
      if (!extension.installed) {
        warnings.push(
          `the ${extension.name} extension (${extension.type}) is ${extension.provisioningState}${extension.errors.length ? `: ${extension.errors.join('; ')}` : ''}; Flux configurations are not reconciled until it is installed.`,
        );
      }
    } else {
      warnings.push('the microsoft.flux extension is not installed on this cluster: Flux configurations cannot be reconciled (k8s-gitops extension create --extension-type microsoft.flux).');
    }
  }

  for (const name of resources.missing ?? []) warnings.push(`Flux configuration '${name}' does not exist on this cluster yet; waiting for it to be created.`);
  const configurations = sortConfigurations(resources.configurations.map((r) => configurationFromArm(r, { now, connectivity: conn, staleAfterMs: options.staleAfterMs })));
  for (const c of configurations) {
    // An offline/expired cluster is already one warning; stale-by-age is one per configuration.
    if (c.stale && !(conn && (conn.offline || conn.expired))) warnings.push(`status of configuration '${configurationKey(c)}' is stale: ${c.staleReason}.`);
  }

  return { cluster, ...(extension ? { extension } : {}), configurations, otherObjects: [], observedAt: isoTime(now), source: 'azure', warnings };
}

// ---------------------------------------------------------------------------------------------
// Cluster and connectivity

export function clusterInfo(resource: ArmResourceLike, now: number): ClusterInfo {
  const type = clusterTypeOf(resource);
  const info: ClusterInfo = { name: resource.name ?? nameFromId(resource.id) ?? '', type };
  const rg = resource.id ? /\/resourceGroups\/([^/]+)/i.exec(resource.id)?.[1] : str(resource.resourceGroup);
  if (rg) info.resourceGroup = rg;
  if (resource.id) info.id = resource.id;
  if (type === 'connectedClusters') info.connectivity = connectivityFromArm(resource, now);
  return info;
}

function clusterTypeOf(resource: ArmResourceLike): ClusterType {
  const fromType = resource.type?.split('/').pop() ?? /\/providers\/[^/]+\/([^/]+)\/[^/]+\/?$/i.exec(resource.id ?? '')?.[1];
  const found = CLUSTER_TYPES.find((t) => t.toLowerCase() === fromType?.toLowerCase());
  return found ?? 'managedClusters';
}

function nameFromId(id: string | undefined): string | undefined {
  return id?.replace(/\/+$/, '').split('/').pop();
}

/**
 * Arc connectivity. Offline = anything but Connected (Arc says Offline after 15 minutes
 * without a heartbeat; Connecting and AgentNotInstalled have not connected yet). Expired =
 * `Expired`, or the managed identity certificate's expiry has passed.
 */
export function connectivityFromArm(resource: ArmResourceLike, now: number): ConnectivityStatus {
  const props = propertiesOf(resource);
  const status = str(props.connectivityStatus) ?? 'Unknown';
  const certExpiry = parseTime(str(props.managedIdentityCertificateExpirationTime));
  const expired = status.toLowerCase() === 'expired' || (certExpiry !== undefined && certExpiry <= now);
  return compact({
    status: expired && status.toLowerCase() !== 'expired' ? 'Expired' : status,
    lastConnectivityTime: str(props.lastConnectivityTime),
    offline: status.toLowerCase() !== 'connected' || expired,
    expired,
  });
}

function connectivityWarnings(name: string, conn: ConnectivityStatus, now: number): string[] {
  const heard = conn.lastConnectivityTime ? `last heartbeat ${conn.lastConnectivityTime}` : 'no heartbeat on record';
  if (conn.expired) {
    return [
      `Arc cluster '${name}' is Expired (${heard}): its managed identity certificate expired, so its agents can no longer report or pick up changes. Delete and re-connect it (az connectedk8s delete, then az connectedk8s connect); the status below is frozen.`,
    ];
  }
  if (!conn.offline) return [];
  const last = parseTime(conn.lastConnectivityTime);
  const longGone = last !== undefined && now - last > ARC_PENDING_WINDOW_MS;
  return [
    `Arc cluster '${name}' is ${conn.status} (${heard}): the status below is what it last reported, not what runs now.${
      longGone ? ' It has been away more than 48 hours: changes made in Azure meanwhile have timed out and must be re-applied once it reconnects.' : ''
    }`,
  ];
}

// ---------------------------------------------------------------------------------------------
// Extension

export function extensionFromArm(resource: ArmResourceLike): ExtensionStatus {
  const props = propertiesOf(resource);
  const provisioningState = str(props.provisioningState) ?? 'Unknown';
  const out: ExtensionStatus = compact({
    name: resource.name ?? nameFromId(resource.id) ?? '',
    type: str(props.extensionType) ?? '',
    provisioningState,
    version: str(props.currentVersion) ?? str(props.version),
    state: str(props.extensionState),
    installed: provisioningState === 'Succeeded',
    errors: [] as string[],
  });
  // Real extensions report their failure in statuses[] with `level: null` as often as with
  // `Error` (`{code: InstallationFailed, level: null, message: …}`): on an extension that is
  // not working, any status but Information and Warning is its reason.
  const failing = provisioningState === 'Failed' || provisioningState === 'Canceled';
  if (Array.isArray(props.statuses)) {
    for (const s of props.statuses) {
      const r = rec(s);
      const level = str(r?.level)?.toLowerCase();
      if (!r || !(level === 'error' || (failing && level === undefined))) continue;
      const reason = str(r.message) ?? str(r.displayStatus) ?? str(r.code) ?? 'error';
      if (!out.errors.includes(reason)) out.errors.push(reason);
    }
  }
  const errorInfo = rec(props.errorInfo);
  const errorText = str(errorInfo?.message);
  // errorInfo restates the operation's error in ARM's words: said only when statuses[] gave no reason.
  if (errorText && out.errors.length === 0) out.errors.push(errorText);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Configurations

export interface ConfigurationOptions {
  now: number;
  connectivity?: ConnectivityStatus;
  staleAfterMs?: number;
}

/**
 * How old a configuration's status may get before it is flagged stale: three times its
 * longest sync interval (source or kustomization), and never less than 15 minutes.
 *
 * Why: the agent reports after each reconcile, and Flux reconciles every interval, so a
 * healthy configuration is re-reported at least once per interval. Three intervals allow for
 * two missed cycles and the agent's own polling delay before calling the status untrustworthy.
 * The 15-minute floor is Arc's own heartbeat threshold (Offline after 15 minutes), so short
 * intervals (1m) do not raise alarms Azure itself would not raise. ARM defaults (600 s) give
 * 30 minutes.
 */
export function staleThresholdMs(properties: Record<string, unknown>): number {
  const intervals: number[] = [];
  for (const key of SOURCE_PROPERTIES) {
    const source = rec(properties[key]);
    if (source) intervals.push(seconds(source.syncIntervalInSeconds));
  }
  const kustomizations = rec(properties.kustomizations);
  for (const k of Object.values(kustomizations ?? {})) {
    const def = rec(k);
    if (def) intervals.push(seconds(def.syncIntervalInSeconds));
  }
  const longest = intervals.length ? Math.max(...intervals) : DEFAULT_SYNC_INTERVAL_S;
  return Math.max(MIN_STALE_MS, 3 * longest * 1000);
}

function seconds(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : DEFAULT_SYNC_INTERVAL_S;
}

export function configurationFromArm(resource: ArmResourceLike, options: ConfigurationOptions): ConfigurationStatus {
  const props = propertiesOf(resource);
  const name = resource.name ?? nameFromId(resource.id) ?? '';
  const namespace = str(props.namespace);
  const sourceKind = str(props.sourceKind);
  const sourceRevision = normalizeRevision(str(props.sourceSyncedCommitId));
  const objects = sortObjects(
    (Array.isArray(props.statuses) ? props.statuses : [])
      .map((s) => rec(s))
      .filter((s): s is Record<string, unknown> => s !== undefined)
      .map((s) => objectFromArm(s, namespace ?? '')),
  );
  // The source object's revision: from its message when reported, else sourceSyncedCommitId.
  if (sourceRevision) {
    for (const o of objects) if (o.kind === sourceKind && o.name === name && !o.revision && o.state === 'Ready') o.revision = sourceRevision;
  }

  const statusUpdatedAt = str(props.statusUpdatedAt);
  const staleReason = staleness(statusUpdatedAt, props, options);
  return compact({
    name,
    namespace,
    scope: str(props.scope),
    sourceKind,
    provisioningState: str(props.provisioningState),
    complianceState: str(props.complianceState),
    sourceRevision,
    sourceUpdatedAt: str(props.sourceUpdatedAt),
    statusUpdatedAt,
    error: str(props.errorMessage),
    suspended: props.suspend === true,
    stale: staleReason !== undefined,
    staleReason,
    objects,
  });
}

/** Why a configuration's status cannot be trusted, or undefined when it can. */
function staleness(statusUpdatedAt: string | undefined, props: Record<string, unknown>, options: ConfigurationOptions): string | undefined {
  const conn = options.connectivity;
  if (conn?.expired) return 'the Arc cluster is Expired';
  if (conn?.offline) return `the Arc cluster is ${conn.status}`;
  const reported = parseTime(statusUpdatedAt);
  const threshold = options.staleAfterMs ?? staleThresholdMs(props);
  if (reported !== undefined && options.now - reported > threshold) {
    return `last reported ${statusUpdatedAt}, more than ${formatMinutes(threshold)} ago`;
  }
  return undefined;
}

function formatMinutes(ms: number): string {
  const m = Math.round(ms / MINUTE);
  return m % 60 === 0 ? `${m / 60} hour${m === 60 ? '' : 's'}` : `${m} minutes`;
}

/**
 * One entry of ARM `statuses[]` → ObjectStatus. The compliance state decides the state; the
 * Ready condition (when reported — list calls return none) gives READY, reason, message and
 * age. Without a usable compliance state, the Ready condition decides as on the cluster.
 *
 * `Non-Compliant` is not taken at its word: Azure reports every object whose Ready condition is
 * False as Non-Compliant, including one that only waits for a dependency (`DependencyNotReady`)
 * or is still reconciling. Where the Ready condition says so (isWaitingCondition), the object is
 * Progressing, as the cluster view shows it; any other Non-Compliant object has failed.
 *
 * An entry without `namespace` (the swagger example) lives in the configuration's namespace.
 * Pure: one ARM entry in, one object out (a fleet view applies it to each cluster).
 */
export function objectFromArm(entry: Record<string, unknown>, configurationNamespace: string): ObjectStatus {
  const conditions = Array.isArray(entry.statusConditions) ? entry.statusConditions.map((c) => rec(c)).filter((c): c is Record<string, unknown> => c !== undefined) : [];
  const ready = conditions.find((c) => c.type === 'Ready');
  const stalledCondition = conditions.find((c) => c.type === 'Stalled' && conditionStatus(c.status) === 'True');
  const raw = conditionStatus(ready?.status);
  const readyReason = str(ready?.reason);
  const compliance = str(entry.complianceState);
  const stalled = stalledCondition !== undefined || (raw === 'False' && readyReason !== undefined && TERMINAL_REASONS.has(readyReason));

  let state: ObjectState;
  switch (compliance) {
    case COMPLIANCE.compliant:
      state = 'Ready';
      break;
    case COMPLIANCE.nonCompliant:
      state = !stalled && isWaitingCondition(raw, readyReason) ? 'Progressing' : 'Failed';
      break;
    case COMPLIANCE.pending:
      state = 'Progressing';
      break;
    case COMPLIANCE.suspended:
      state = 'Suspended';
      break;
    default:
      state = stalled || (raw === 'False' && !isWaitingCondition(raw, readyReason)) ? 'Failed' : raw === 'True' ? 'Ready' : 'Progressing';
  }

  const out: ObjectStatus = {
    kind: str(entry.kind) ?? '',
    namespace: str(entry.namespace) ?? configurationNamespace,
    name: str(entry.name) ?? '',
    ready: azureReady(state, raw),
    state,
    stalled: stalled && state === 'Failed',
  };
  const message = unquote(str(ready?.message));
  const deciding = stalledCondition ?? ready;
  if (state === 'Suspended') {
    out.reason = 'Suspended';
    out.message = message ? `reconciliation is suspended; last status: ${message}` : 'reconciliation is suspended';
  } else {
    const reason = str(deciding?.reason);
    if (reason) out.reason = reason;
    const text = deciding === ready ? message : unquote(str(deciding?.message));
    if (text) out.message = text;
  }
  const revision = revisionFromMessage(message);
  if (revision && raw === 'True') out.revision = revision;
  const since = str(deciding?.lastTransitionTime) ?? str(ready?.lastTransitionTime);
  if (since) out.updatedAt = since;
  const appliedBy = rec(entry.appliedBy);
  const byName = str(appliedBy?.name);
  if (byName) out.appliedBy = { namespace: str(appliedBy?.namespace) ?? out.namespace, name: byName };
  return out;
}

/** READY from Azure: the reported Ready condition when there is one, else what the state implies. */
function azureReady(state: ObjectState, raw: ConditionStatus | undefined): ConditionStatus {
  if (raw === undefined) return readyValue(state, undefined);
  if (state === 'Ready' || state === 'Failed') return raw;
  return readyValue(state, raw);
}

/** The agent wraps some messages in single quotes (`'Applied revision: …'`). */
function unquote(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const m = /^'(.*)'$/s.exec(text.trim());
  return m ? m[1] : text;
}

/**
 * The revision named in a Flux success message (Azure reports no revision field per object):
 * `Applied revision: <rev>` (Kustomization), `stored artifact for revision '<rev>'`,
 * `stored artifact: revision '<rev>'`, `stored artifact for digest '<rev>'` (sources),
 * `Fetched revision: <rev>` (Flux < 2.0), `… with chart <name>@<version>` (HelmRelease),
 * `… chart with version '<version>'` (HelmChart). Normalized.
 */
export function revisionFromMessage(message: string | undefined): string | undefined {
  if (!message) return undefined;
  const patterns = [
    /(?:Applied|Fetched) revision: (\S+)/,
    /stored artifact(?: for|:) (?:revision|digest) '([^']+)'/,
    /with chart [^\s@]+@(\S+?)[:.,]?(?:\s|$)/,
    /chart with version '([^']+)'/,
  ];
  for (const p of patterns) {
    const m = p.exec(message);
    if (m) return normalizeRevision(m[1]!.replace(/[',]+$/, ''));
  }
  return undefined;
}
