/**
 * The CI gate of `status --wait-for provisioned|compliant|ready [--fail-fast]`: is the wanted
 * state reached, has it failed, or is it still pending? Pure: one ClusterStatus in, one verdict
 * out; the watch loop asks again after each read and maps the end to an exit code.
 *
 * provisioned  every configuration's provisioningState is Succeeded (ARM accepted and the
 *              agent created it). Failed/Canceled → failed. From the cluster view (no ARM):
 *              the configuration's Flux objects exist.
 * compliant    provisioned, not stale, and complianceState Compliant (from the cluster view,
 *              rolled up from the objects the way Azure does).
 * ready        compliant, and every object Ready (state Ready with READY True; from Azure that
 *              is the reported Ready condition), with at least one object reported.
 *
 * Failure (exit 6) rather than waiting, for compliant and ready:
 *   - the flux extension or a configuration's provisioning is Failed/Canceled (any mode);
 *   - the Arc cluster is Expired: it cannot report again until re-onboarded;
 *   - the configuration is suspended (complianceState Suspended or `suspend: true`), or an
 *     object in it is suspended: nothing will reconcile, so waiting could only time out;
 *   - an object is stalled (terminal: Flux will not retry);
 *   - with --fail-fast: any Failed object, or complianceState Non-Compliant that no object
 *     explains as progress. Without it, a Non-Compliant configuration whose objects Flux is
 *     still retrying is waited for (a dependency may appear, a fix may be pushed) until
 *     --timeout; the status command then exits 6 if objects are still failing (5 only when
 *     things were merely in progress).
 * Never a failure: a Non-Compliant configuration whose objects are only progressing
 * (rolloutInProgress: `apps` DependencyNotReady while `infra` reconciles). Real Azure reports a
 * healthy rollout so; it is waited for like Pending, with --fail-fast too.
 * Stale status (old report, offline Arc cluster) never reaches compliant or ready, and never
 * fails them either: stale facts about the cluster decide nothing. Facts ARM itself owns
 * (provisioning, suspension, an Expired cluster) still decide.
 */
import { ExitCode } from '../core/errors.js';
import { allObjects, COMPLIANCE, configurationKey, rollUpCompliance, rolloutInProgress, type ClusterStatus, type ConfigurationStatus, type ObjectStatus } from './model.js';

export const WAIT_FOR = ['provisioned', 'compliant', 'ready'] as const;
export type WaitFor = (typeof WAIT_FOR)[number];

export interface GateOptions {
  waitFor: WaitFor;
  failFast?: boolean;
}

export type GateOutcome = 'reached' | 'failed' | 'pending';

export interface NotReadyObject {
  /** `namespace/name` of the configuration, absent for objects outside any configuration. */
  configuration?: string;
  kind: string;
  namespace: string;
  name: string;
  ready: ObjectStatus['ready'];
  state: ObjectStatus['state'];
  stalled: boolean;
  reason?: string;
  message?: string;
}

export interface GateResult {
  waitFor: WaitFor;
  outcome: GateOutcome;
  /** Why it failed (non-empty exactly when outcome is failed). */
  failures: string[];
  /** What is still awaited. */
  pending: string[];
  /** Every object that is not Ready, whatever the mode: the summary printed at the end. */
  notReady: NotReadyObject[];
  /** How many objects the status holds (ready or not). */
  reported: number;
  /** When nothing was reported: why that may be (whyNothingReported). */
  unreported: string[];
}

const FAILED_PROVISIONING = new Set(['Failed', 'Canceled']);

export function evaluateGate(status: ClusterStatus, options: GateOptions): GateResult {
  const { waitFor } = options;
  const failFast = options.failFast === true;
  const failures: string[] = [];
  const pending: string[] = [];

  const ext = status.extension;
  if (ext && FAILED_PROVISIONING.has(ext.provisioningState)) {
    failures.push(`the ${ext.name} extension (${ext.type}) is ${ext.provisioningState}${ext.errors.length ? `: ${ext.errors.join('; ')}` : ''}`);
  }
  // An extension Creating/Updating (auto-upgrade) is not awaited here: while it is created no
  // configuration is provisioned yet, and an upgrade does not stop configurations working.

  const expired = status.cluster.connectivity?.expired === true;
  const groups = status.configurations.map((c) => ({ c, label: `configuration '${configurationKey(c)}'` }));
  if (status.otherObjects.length > 0) {
    // Flux objects outside any Azure configuration (cluster view) are gated like one more configuration.
    const c: ConfigurationStatus = { name: 'other', suspended: false, stale: false, complianceState: rollUpCompliance(status.otherObjects, false), objects: status.otherObjects };
    groups.push({ c, label: 'Flux objects outside any configuration' });
  }
  if (groups.length === 0) {
    pending.push(status.source === 'azure' ? 'no Flux configuration on the cluster yet' : 'no Flux objects in the cluster yet');
  }

  for (const { c, label } of groups) {
    // Provisioning (ARM).
    if (status.source === 'azure') {
      const ps = c.provisioningState ?? 'Unknown';
      if (FAILED_PROVISIONING.has(ps)) {
        failures.push(`${label}: provisioning ${ps}${c.error ? `: ${c.error}` : ''}`);
        continue;
      }
      if (ps !== 'Succeeded') {
        (expired ? failures : pending).push(`${label}: provisioning ${ps}${expired ? ' on an Expired Arc cluster, which will never pick it up' : ''}`);
        continue;
      }
    } else if (c.objects.length === 0) {
      pending.push(`${label}: no Flux objects in the cluster yet`);
      continue;
    }
    if (waitFor === 'provisioned') continue;

    // Facts ARM owns decide even when the cluster's report is stale.
    if (expired) {
      failures.push(`${label}: the Arc cluster is Expired and can no longer report or reconcile`);
      continue;
    }
    if (c.suspended || c.complianceState === COMPLIANCE.suspended) {
      failures.push(`${label} is suspended: nothing is reconciled until it is resumed`);
      continue;
    }
    if (c.stale) {
      pending.push(`${label}: status is stale (${c.staleReason ?? 'too old'})`);
      continue;
    }

    const stalled = c.objects.filter((o) => o.stalled);
    const suspended = c.objects.filter((o) => o.state === 'Suspended');
    const failed = c.objects.filter((o) => o.state === 'Failed');
    for (const o of stalled) failures.push(`${label}: ${o.kind} ${o.namespace}/${o.name} is stalled${o.reason ? ` (${o.reason})` : ''}`);
    for (const o of suspended) failures.push(`${label}: ${o.kind} ${o.namespace}/${o.name} is suspended`);
    const rollingOut = rolloutInProgress(c);
    const unexplained = failed.length === 0 && c.complianceState === COMPLIANCE.nonCompliant && !rollingOut;
    if (failFast) {
      for (const o of failed) if (!o.stalled) failures.push(`${label}: ${o.kind} ${o.namespace}/${o.name} failed${o.reason ? ` (${o.reason})` : ''}`);
      if (unexplained) failures.push(`${label} is Non-Compliant`);
    }
    if (stalled.length || suspended.length || (failFast && (failed.length || unexplained))) continue;

    if (rollingOut) {
      const progressing = c.objects.filter((o) => o.state === 'Progressing').length;
      pending.push(`${label} is rolling out: ${progressing} of ${c.objects.length} objects still progressing (Non-Compliant until all are ready)`);
      continue;
    }
    if (c.complianceState !== COMPLIANCE.compliant) {
      pending.push(`${label} is ${c.complianceState ?? 'Unknown'}`);
      continue;
    }
    if (waitFor === 'ready') {
      if (c.objects.length === 0) pending.push(`${label}: no objects reported yet`);
      const notReady = c.objects.filter((o) => !isReady(o));
      if (notReady.length) pending.push(`${label}: ${notReady.length} of ${c.objects.length} objects not ready`);
    }
  }

  const notReady: NotReadyObject[] = allObjects(status)
    .filter(({ object }) => !isReady(object))
    .map(({ configuration, object: o }) => ({
      ...(configuration !== undefined ? { configuration } : {}),
      kind: o.kind,
      namespace: o.namespace,
      name: o.name,
      ready: o.ready,
      state: o.state,
      stalled: o.stalled,
      ...(o.reason ? { reason: o.reason } : {}),
      ...(o.message ? { message: o.message } : {}),
    }));

  const outcome: GateOutcome = failures.length ? 'failed' : pending.length ? 'pending' : 'reached';
  return { waitFor, outcome, failures, pending, notReady, reported: allObjects(status).length, unreported: whyNothingReported(status) };
}

export function isReady(o: ObjectStatus): boolean {
  return o.state === 'Ready' && o.ready === 'True';
}

/**
 * Why a status holds no object at all, in words for the user: what stops the cluster from
 * reporting (offline, expired, Flux missing or still installing, stale), else what has not
 * happened yet. Empty when objects were reported.
 */
export function whyNothingReported(status: ClusterStatus): string[] {
  if (allObjects(status).length > 0) return [];
  const why: string[] = [];
  const conn = status.cluster.connectivity;
  if (conn?.expired) why.push('the Arc cluster is Expired and can no longer report');
  else if (conn?.offline) why.push(`the Arc cluster is ${conn.status}, so its agents cannot report`);
  const ext = status.extension;
  if (status.source === 'azure' && !ext) why.push('the microsoft.flux extension is not installed');
  else if (ext && !ext.installed) {
    const state = FAILED_PROVISIONING.has(ext.provisioningState) ? `${ext.provisioningState}${ext.errors.length ? ` (${ext.errors.join('; ')})` : ''}` : `${ext.provisioningState}: Flux is still installing`;
    why.push(`the ${ext.name} extension is ${state}`);
  }
  if (status.configurations.length === 0) {
    why.push(status.source === 'azure' ? 'no Flux configuration exists on the cluster yet' : 'no Flux objects exist in the cluster yet (Flux may not be installed, or nothing was deployed)');
  }
  for (const c of status.configurations) {
    const label = `configuration '${configurationKey(c)}'`;
    if (status.source === 'azure' && c.provisioningState !== undefined && c.provisioningState !== 'Succeeded') why.push(`${label} is ${c.provisioningState}`);
    else if (c.stale) why.push(`the status of ${label} is stale (${c.staleReason ?? 'too old'})`);
    else if (status.source === 'cluster') why.push(`${label} has no Flux objects in the cluster yet (it may not have been created, or Flux is not installed)`);
  }
  if (why.length === 0) why.push("the cluster's Flux agent has not reported yet; it reports after its first reconciliation");
  return why;
}

export type FinalOutcome = 'reached' | 'failed' | 'timeout' | 'interrupted';

/** The documented exit codes: 0 reached, 6 failed, 5 timed out (still pending), 130 interrupted. */
export function exitCodeFor(outcome: FinalOutcome): number {
  switch (outcome) {
    case 'reached':
      return ExitCode.ok;
    case 'failed':
      return ExitCode.failed;
    case 'timeout':
      return ExitCode.timeout;
    case 'interrupted':
      return ExitCode.interrupted;
  }
}
