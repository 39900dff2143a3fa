/**
 * The fleet view: one record per cluster, built from Resource Graph rows (or, for --verify,
 * from ARM), and the state that decides its place in the table. The state follows the same
 * rules as `status` — the Azure view of one cluster (src/status/azure.ts) and its gate
 * (src/status/gate.ts, compliant, failing at the first failure) — so that `status` and
 * `fleet status` never disagree about a cluster:
 *
 *   offline         an Arc cluster that is not Connected (or Expired): what it reports is frozen,
 *                   so it is never counted as compliant, nor as failing
 *   no-extension    no microsoft.flux extension
 *   failing         the extension failed, or a configuration fails by the gate's rules (a
 *                   waiting reason such as DependencyNotReady is pending, not failing)
 *   no-configuration the extension is there but not the configuration (or none at all)
 *   pending         everything else that is not yet compliant (in progress, stale, installing)
 *   compliant       the gate `compliant` is reached
 * Pure: rows in, records out.
 */
import { azureStatus, type ArmResourceLike } from '../status/azure.js';
import { evaluateGate } from '../status/gate.js';
import { type ClusterStatus, type ConfigurationStatus, type ConnectivityStatus, type ExtensionStatus } from '../status/model.js';
import type { ClusterType } from '../model/cluster.js';
import { CLUSTER_TYPES } from '../model/cluster.js';
import { EXTENSION_TYPE } from './query.js';

export const FLEET_STATES = ['failing', 'pending', 'offline', 'no-extension', 'no-configuration', 'compliant'] as const;
export type FleetState = (typeof FLEET_STATES)[number];

export interface FleetConfiguration {
  name: string;
  namespace?: string;
  provisioningState?: string;
  complianceState?: string;
  sourceRevision?: string;
  statusUpdatedAt?: string;
  suspended: boolean;
  stale: boolean;
  /** Objects that fail (from the statuses reported), with their reason. */
  failing: { kind: string; namespace: string; name: string; reason?: string; message?: string }[];
}

export interface FleetCluster {
  name: string;
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  type: ClusterType;
  location?: string;
  tags: Record<string, string>;
  state: FleetState;
  /** Why it is not compliant (the first reason), absent when compliant. */
  reason?: string;
  connectivity?: ConnectivityStatus;
  extension: { name: string; provisioningState: string; version?: string; errors: string[] } | null;
  configurations: FleetConfiguration[];
  /** Where the record was read: Resource Graph, or ARM itself (--verify). */
  source: 'resource-graph' | 'arm';
}

/** A cluster as the Resources query returns it. */
export interface ClusterRow {
  id: string;
  name: string;
  type: string;
  location?: string;
  resourceGroup?: string;
  subscriptionId?: string;
  tags?: Record<string, string> | null;
  connectivityStatus?: string;
  lastConnectivityTime?: string;
  managedIdentityCertificateExpirationTime?: string;
}

/** An extension or configuration as the KubernetesConfigurationResources query returns it. */
export type ConfigurationRow = Record<string, unknown> & { id: string; name: string; type: string; clusterId: string };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function clusterTypeOfRow(type: string): ClusterType {
  const last = type.split('/').pop()?.toLowerCase();
  return CLUSTER_TYPES.find((t) => t.toLowerCase() === last) ?? 'managedClusters';
}

/** The Resources row as an ARM resource (properties nested), as the status model takes it. */
function clusterResource(row: ClusterRow): ArmResourceLike {
  const properties: Record<string, unknown> = {};
  for (const key of ['connectivityStatus', 'lastConnectivityTime', 'managedIdentityCertificateExpirationTime'] as const) {
    if (str(row[key])) properties[key] = row[key];
  }
  return { id: row.id, name: row.name, type: row.type, properties };
}

/** A KubernetesConfigurationResources row as an ARM resource; PascalCase names (extensions) made camelCase. */
export function configurationResource(row: ConfigurationRow): ArmResourceLike {
  if (row.properties && typeof row.properties === 'object') {
    const props = Object.fromEntries(Object.entries(row.properties as Record<string, unknown>).map(([k, v]) => [k.charAt(0).toLowerCase() + k.slice(1), v]));
    return { id: row.id, name: row.name, type: row.type, properties: props };
  }
  const { id, name, type, clusterId: _c, subscriptionId: _s, version, ...rest } = row;
  const properties: Record<string, unknown> = { ...rest };
  if (str(version)) properties.currentVersion = version;
  for (const [k, v] of Object.entries(properties)) if (v === null || v === '') delete properties[k];
  return { id, name, type, properties };
}

export interface AssembleOptions {
  now: number;
  /** Only this configuration counts (`-n`). */
  name?: string;
}

/** One record per cluster row, with the extension and configurations under it. */
export function assembleFleet(clusters: readonly ClusterRow[], configurationRows: readonly ConfigurationRow[], options: AssembleOptions): FleetCluster[] {
  const byCluster = new Map<string, ConfigurationRow[]>();
  for (const row of configurationRows) {
    const key = row.clusterId.toLowerCase();
    const list = byCluster.get(key);
    if (list) list.push(row);
    else byCluster.set(key, [row]);
  }
  return clusters.map((row) => {
    const under = byCluster.get(row.id.toLowerCase()) ?? [];
    const extensions = under.filter((r) => r.type.toLowerCase() === EXTENSION_TYPE).map(configurationResource);
    const configurations = under
      .filter((r) => r.type.toLowerCase() !== EXTENSION_TYPE)
      .filter((r) => options.name === undefined || r.name.toLowerCase() === options.name.toLowerCase())
      .map(configurationResource);
    const status = azureStatus({ cluster: clusterResource(row), extensions, configurations }, { now: options.now });
    return fleetCluster(row, status, 'resource-graph', options.name);
  });
}

/** The fleet record of one cluster's status (from either source). */
export function fleetCluster(row: ClusterRow, status: ClusterStatus, source: FleetCluster['source'], name?: string): FleetCluster {
  const { state, reason } = classify(status, name);
  return {
    name: row.name,
    id: row.id,
    subscriptionId: (row.subscriptionId ?? /\/subscriptions\/([^/]+)/i.exec(row.id)?.[1] ?? '').toLowerCase(),
    resourceGroup: row.resourceGroup ?? /\/resourceGroups\/([^/]+)/i.exec(row.id)?.[1] ?? '',
    type: clusterTypeOfRow(row.type),
    ...(row.location ? { location: row.location } : {}),
    tags: row.tags && typeof row.tags === 'object' ? { ...row.tags } : {},
    state,
    ...(reason ? { reason } : {}),
    ...(status.cluster.connectivity ? { connectivity: status.cluster.connectivity } : {}),
    extension: status.extension ? extensionSummary(status.extension) : null,
    configurations: status.configurations.map(configurationSummary),
    source,
  };
}

function extensionSummary(e: ExtensionStatus): NonNullable<FleetCluster['extension']> {
  return { name: e.name, provisioningState: e.provisioningState, ...(e.version ? { version: e.version } : {}), errors: e.errors };
}

function configurationSummary(c: ConfigurationStatus): FleetConfiguration {
  return {
    name: c.name,
    ...(c.namespace ? { namespace: c.namespace } : {}),
    ...(c.provisioningState ? { provisioningState: c.provisioningState } : {}),
    ...(c.complianceState ? { complianceState: c.complianceState } : {}),
    ...(c.sourceRevision ? { sourceRevision: c.sourceRevision } : {}),
    ...(c.statusUpdatedAt ? { statusUpdatedAt: c.statusUpdatedAt } : {}),
    suspended: c.suspended,
    stale: c.stale,
    failing: c.objects
      .filter((o) => o.state === 'Failed')
      .map((o) => ({ kind: o.kind, namespace: o.namespace, name: o.name, ...(o.reason ? { reason: o.reason } : {}), ...(o.message ? { message: o.message } : {}) })),
  };
}

const FAILED = new Set(['Failed', 'Canceled']);

/** The fleet state of one cluster's status, and the first reason it is not compliant. */
export function classify(status: ClusterStatus, name?: string): { state: FleetState; reason?: string } {
  const conn = status.cluster.connectivity;
  if (conn?.offline) {
    return { state: 'offline', reason: `Arc cluster is ${conn.status}${conn.lastConnectivityTime ? ` (last heard from ${conn.lastConnectivityTime})` : ''}` };
  }
  const ext = status.extension;
  if (!ext) return { state: 'no-extension', reason: 'the microsoft.flux extension is not installed' };
  if (FAILED.has(ext.provisioningState)) return { state: 'failing', reason: `the ${ext.name} extension is ${ext.provisioningState}${ext.errors.length ? `: ${ext.errors[0]}` : ''}` };
  if (status.configurations.length === 0) {
    if (!ext.installed) return { state: 'pending', reason: `the ${ext.name} extension is ${ext.provisioningState}` };
    return { state: 'no-configuration', reason: name ? `no Flux configuration '${name}'` : 'no Flux configuration' };
  }
  const gate = evaluateGate(status, { waitFor: 'compliant', failFast: true });
  if (gate.outcome === 'failed') return { state: 'failing', reason: gate.failures[0] };
  if (gate.outcome === 'pending') return { state: 'pending', reason: gate.pending[0] };
  return { state: 'compliant' };
}

export type FleetSummary = Record<FleetState, number> & { clusters: number };

export function summarize(clusters: readonly FleetCluster[]): FleetSummary {
  const out = Object.fromEntries(FLEET_STATES.map((s) => [s, 0])) as Record<FleetState, number>;
  for (const c of clusters) out[c.state]++;
  return { clusters: clusters.length, ...out };
}

const LABEL: Record<FleetState, string> = {
  compliant: 'compliant',
  failing: 'failing',
  pending: 'pending',
  offline: 'offline',
  'no-extension': 'no extension',
  'no-configuration': 'no configuration',
};

/** `812 compliant · 9 failing · 3 pending · 4 offline · 2 no extension` (no configuration only when there are any). */
export function summaryLine(s: FleetSummary): string {
  const shown: FleetState[] = ['compliant', 'failing', 'pending', 'offline', 'no-extension'];
  if (s['no-configuration'] > 0) shown.push('no-configuration');
  return shown.map((state) => `${s[state]} ${LABEL[state]}`).join(' · ');
}

export function stateLabel(state: FleetState): string {
  return LABEL[state];
}

/**
 * The fleet gate of `fleet status --wait-for compliant`: failed as soon as more clusters fail
 * than `maxFailing` allows; reached when every other cluster is compliant (an offline cluster,
 * one without the extension or without the configuration is never compliant); else pending.
 */
export function fleetGate(summary: FleetSummary, maxFailing: number): 'reached' | 'failed' | 'pending' {
  if (summary.failing > maxFailing) return 'failed';
  return summary.compliant + summary.failing === summary.clusters ? 'reached' : 'pending';
}

/** Failing first, then the rest in the order of FLEET_STATES; by name, then id, within. */
export function sortFleet(clusters: readonly FleetCluster[]): FleetCluster[] {
  const rank = (s: FleetState): number => FLEET_STATES.indexOf(s);
  return [...clusters].sort((a, b) => rank(a.state) - rank(b.state) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The configuration that decides a cluster's state (the first failing one, else the first not compliant, else the first). */
export function decidingConfiguration(c: FleetCluster): FleetConfiguration | undefined {
  return c.configurations.find((x) => x.failing.length > 0 || x.complianceState === 'Non-Compliant') ?? c.configurations.find((x) => x.complianceState !== 'Compliant') ?? c.configurations[0];
}
