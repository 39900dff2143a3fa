/**
 * How the fleet looks: the status table (one row per cluster, failing first) with its summary
 * line, the JSON document, the lines a non-terminal watch prints when clusters change, the plan
 * and outcome tables of a rollout, and the account a rollout ends with. Pure: data in, text (or
 * rows) out.
 */
import type { Column } from '../core/output.js';
import { displayRevision, parseTime } from '../status/model.js';
import { formatAge } from '../status/view.js';
import { decidingConfiguration, sortFleet, stateLabel, summarize, summaryLine, type FleetCluster, type FleetSummary } from './model.js';
import type { PlanItem } from './plan.js';
import type { ClusterResult, Outcome, RolloutResult } from './rollout.js';

const TYPE_LABEL: Record<FleetCluster['type'], string> = { managedClusters: 'AKS', connectedClusters: 'Arc', provisionedClusters: 'Azure Local' };

export interface FleetDocument {
  source: 'Azure Resource Graph';
  /** When Resource Graph was read (RFC 3339). */
  readAt: string;
  /** The newest and oldest report of a configuration among the clusters. */
  newestReport?: string;
  oldestReport?: string;
  summary: FleetSummary;
  clusters: FleetCluster[];
}

export function fleetDocument(clusters: readonly FleetCluster[], readAt: number): FleetDocument {
  const sorted = sortFleet(clusters);
  const reports = sorted.flatMap((c) => c.configurations.map((x) => x.statusUpdatedAt)).filter((t): t is string => parseTime(t) !== undefined);
  reports.sort((a, b) => parseTime(a)! - parseTime(b)!);
  return {
    source: 'Azure Resource Graph',
    readAt: new Date(readAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    ...(reports.length ? { newestReport: reports[reports.length - 1]!, oldestReport: reports[0]! } : {}),
    summary: summarize(sorted),
    clusters: sorted,
  };
}

/** One row of the table, by column header. */
export function fleetRow(c: FleetCluster, now: number): Record<string, string> {
  const config = decidingConfiguration(c);
  const more = c.configurations.length > 1 ? ` (+${c.configurations.length - 1})` : '';
  const reported = parseTime(config?.statusUpdatedAt);
  return {
    cluster: c.name + (c.source === 'arm' ? ' ✓' : ''),
    state: stateLabel(c.state),
    type: TYPE_LABEL[c.type],
    location: c.location ?? '',
    connectivity: c.connectivity?.status ?? (c.type === 'connectedClusters' ? 'Unknown' : '-'),
    flux: c.extension ? (c.extension.provisioningState === 'Succeeded' ? (c.extension.version ?? 'installed') : c.extension.provisioningState) : '-',
    configuration: config ? config.name + more : '',
    compliance: config?.complianceState ?? '',
    revision: displayRevision(config?.sourceRevision),
    reported: reported === undefined ? '' : formatAge(now - reported),
    reason: (c.reason ?? '').replace(/\s*\n\s*/g, ' '),
  };
}

const col = (header: string, key: string): Column => ({ header, value: (r) => r[key] });

export const FLEET_COLUMNS: Column[] = [
  col('Cluster', 'cluster'),
  col('State', 'state'),
  col('Type', 'type'),
  col('Location', 'location'),
  col('Connectivity', 'connectivity'),
  col('Flux', 'flux'),
  col('Configuration', 'configuration'),
  col('Compliance', 'compliance'),
  col('Revision', 'revision'),
  col('Reported', 'reported'),
  col('Reason', 'reason'),
];

/** "1000 clusters: 960 compliant · …" */
export function fleetSummaryText(doc: FleetDocument): string {
  return `${doc.summary.clusters} cluster${doc.summary.clusters === 1 ? '' : 's'}: ${summaryLine(doc.summary)}`;
}

/** How fresh the view is, in words: Resource Graph trails ARM, and reports have ages. */
export function freshnessText(doc: FleetDocument, now: number): string {
  const newest = parseTime(doc.newestReport);
  const oldest = parseTime(doc.oldestReport);
  const ages = newest !== undefined && oldest !== undefined ? ` Reports are ${formatAge(now - newest)} to ${formatAge(now - oldest)} old.` : '';
  return `Read from Azure Resource Graph at ${doc.readAt}; it trails ARM by seconds to minutes.${ages} Confirm clusters through ARM with --verify NAME…`;
}

/** Non-terminal watch: one line per cluster whose state changed, and the summary when it changed. */
export function fleetChangeLines(current: FleetDocument, previous: FleetDocument | undefined): string[] {
  const time = current.readAt.slice(11, 19);
  if (!previous) return [`${time} ${fleetSummaryText(current)}`];
  const before = new Map(previous.clusters.map((c) => [c.id.toLowerCase(), c]));
  const lines: string[] = [];
  for (const c of current.clusters) {
    const old = before.get(c.id.toLowerCase());
    if (old && old.state === c.state && old.reason === c.reason) continue;
    lines.push(`${time} ${c.name}: ${old ? `${stateLabel(old.state)} → ` : ''}${stateLabel(c.state)}${c.reason ? ` (${c.reason.replace(/\s*\n\s*/g, ' ')})` : ''}`);
  }
  const now = new Set(current.clusters.map((c) => c.id.toLowerCase()));
  for (const c of previous.clusters) if (!now.has(c.id.toLowerCase())) lines.push(`${time} ${c.name}: no longer selected`);
  if (lines.length > 0 || fleetSummaryText(current) !== fleetSummaryText(previous)) lines.push(`${time} ${fleetSummaryText(current)}`);
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Rollouts

const ACTION_LABEL: Record<PlanItem['action'], string> = { create: 'create', update: 'update', unchanged: 'unchanged', skip: 'skip', delete: 'delete', absent: 'absent' };

function planDetail(item: PlanItem): string {
  if (item.action === 'create') return item.installExtension ? 'installs the Flux extension first' : '';
  if (item.action === 'update') return (item.fields ?? []).join(', ');
  return item.reason ?? '';
}

export interface PlanEntry {
  cluster: string;
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  action: PlanItem['action'];
  wave?: number;
  installExtension?: boolean;
  fields?: string[];
  reason?: string;
}

export function planEntry(item: PlanItem, wave: number | undefined): PlanEntry {
  return {
    cluster: item.cluster.name,
    id: item.cluster.id,
    subscriptionId: item.cluster.subscriptionId,
    resourceGroup: item.cluster.resourceGroup,
    action: item.action,
    ...(wave !== undefined ? { wave } : {}),
    ...(item.installExtension ? { installExtension: true } : {}),
    ...(item.fields ? { fields: item.fields } : {}),
    ...(item.reason ? { reason: item.reason } : {}),
  };
}

export const PLAN_COLUMNS: Column[] = [
  { header: 'Cluster', value: (r) => r.cluster },
  { header: 'Resource group', value: (r) => r.resourceGroup },
  { header: 'Wave', value: (r) => r.wave ?? '' },
  { header: 'Action', value: (r) => ACTION_LABEL[r.action as PlanItem['action']] },
  { header: 'Detail', value: (r) => planDetail({ action: r.action, installExtension: r.installExtension, fields: r.fields, reason: r.reason } as PlanItem) },
];

export interface OutcomeEntry extends PlanEntry {
  outcome: Outcome;
  /** Why it failed (or why it was skipped). */
  detail?: string;
  seconds?: number;
}

export function outcomeEntry(r: ClusterResult): OutcomeEntry {
  const base = planEntry(r.item, r.wave);
  const detail = r.reason ?? (r.outcome === 'skipped' ? r.item.reason : r.item.action === 'update' ? (r.item.fields ?? []).join(', ') : undefined);
  return { ...base, outcome: r.outcome, ...(detail ? { detail: detail.replace(/\s*\n\s*/g, ' ') } : {}), ...(r.ms !== undefined ? { seconds: Math.round(r.ms / 100) / 10 } : {}) };
}

export const OUTCOME_COLUMNS: Column[] = [
  { header: 'Cluster', value: (r) => r.cluster },
  { header: 'Resource group', value: (r) => r.resourceGroup },
  { header: 'Wave', value: (r) => r.wave ?? '' },
  { header: 'Outcome', value: (r) => r.outcome },
  { header: 'Detail', value: (r) => r.detail ?? '' },
];

export function countOutcomes(results: readonly ClusterResult[]): Partial<Record<Outcome, number>> {
  const out: Partial<Record<Outcome, number>> = {};
  for (const r of results) out[r.outcome] = (out[r.outcome] ?? 0) + 1;
  return out;
}

const ORDER: Outcome[] = ['created', 'updated', 'deleted', 'accepted', 'failed', 'unchanged', 'absent', 'skipped', 'not started'];

export function outcomeCounts(results: readonly ClusterResult[]): string {
  const counts = countOutcomes(results);
  return ORDER.filter((o) => counts[o]).map((o) => `${counts[o]} ${o}`).join(' · ');
}

function names(results: readonly ClusterResult[], limit = 20): string {
  const list = results.map((r) => r.item.cluster.name);
  return list.length <= limit ? list.join(', ') : `${list.slice(0, limit).join(', ')} … and ${list.length - limit} more`;
}

export interface AccountOptions {
  verb: 'apply' | 'delete';
  configuration: string;
  waves: number;
  maxFailures: number;
  maxFailuresText: string;
}

/** What a rollout did, in words: which clusters changed, which failed and why, which were never touched. */
export function accountText(rollout: RolloutResult, all: readonly ClusterResult[], o: AccountOptions): string {
  const lines: string[] = [];
  const changed = all.filter((r) => ['created', 'updated', 'deleted', 'accepted'].includes(r.outcome));
  const failed = all.filter((r) => r.outcome === 'failed');
  const untouched = all.filter((r) => r.outcome === 'not started');
  const stopped = rollout.stopped;
  if (!stopped) lines.push(`${o.verb === 'apply' ? 'Applied' : 'Deleted'} '${o.configuration}' in ${o.waves} wave${o.waves === 1 ? '' : 's'}: ${outcomeCounts(all)}.`);
  else if (stopped.why === 'budget') {
    lines.push(`Stopped after wave ${stopped.wave} of ${o.waves}: ${rollout.failures} cluster${rollout.failures === 1 ? '' : 's'} failed, more than --max-failures ${o.maxFailuresText} allows (${o.maxFailures}).`);
  } else {
    lines.push(`Interrupted in wave ${stopped.wave} of ${o.waves}: no new write was started; writes already sent went on.`);
  }
  if (stopped || failed.length > 0) {
    lines.push(`  changed (${changed.length}): ${changed.length ? names(changed) : 'none'}`);
    const accepted = changed.filter((r) => r.outcome === 'accepted');
    if (accepted.length) lines.push(`    of which ${accepted.length} not followed to the end: their operations go on in Azure`);
    lines.push(`  failed (${failed.length})${failed.length ? ':' : ''}`);
    for (const r of failed) lines.push(`    ${r.item.cluster.name} (${r.item.cluster.resourceGroup}): ${(r.reason ?? 'failed').replace(/\s*\n\s*/g, ' ')}`);
    if (stopped) lines.push(`  never touched (${untouched.length}): ${untouched.length ? names(untouched) : 'none'}`);
  }
  return `${lines.join('\n')}\n`;
}
