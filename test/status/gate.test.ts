import { describe, expect, test } from '@jest/globals';
import { FailedError, TimeoutError, InterruptedError } from '../../src/core/errors.js';
import { azureStatus } from '../../src/status/azure.js';
import { clusterStatus } from '../../src/status/cluster.js';
import { evaluateGate, exitCodeFor, type GateOptions, type WaitFor } from '../../src/status/gate.js';
import type { ClusterStatus } from '../../src/status/model.js';
import { aksCluster, appliedBy, arcCluster, compliantObjects, compliantStatuses, configLabels, fluxConfig, fluxExtension, iso, kube, MIN, NOW, type ConfigShape } from './fixtures.js';

const HOUR = 60 * MIN;

function azure(shape: ConfigShape = {}, cluster = aksCluster(), extensions?: ReturnType<typeof fluxExtension>[]): ClusterStatus {
  return azureStatus({ cluster, configurations: [fluxConfig(shape)], ...(extensions ? { extensions } : {}) }, { now: NOW });
}

const failing = compliantStatuses().map((s) => (s.kind === 'HelmRelease' ? { ...s, complianceState: 'Non-Compliant', ready: ['False', 'InstallFailed', 'install retries left'] as [string, string, string] } : s));
const stalled = compliantStatuses().map((s) =>
  s.kind === 'HelmRelease' ? { ...s, complianceState: 'Non-Compliant', ready: ['False', 'RetriesExceeded', 'Failed to install after 3 attempt(s)'] as [string, string, string] } : s,
);
const progressing = compliantStatuses().map((s) => (s.kind === 'Kustomization' ? { ...s, complianceState: 'Pending', ready: ['Unknown', 'Progressing', 'Reconciliation in progress'] as [string, string, string] } : s));
const suspendedObject = compliantStatuses().map((s) => (s.kind === 'HelmRelease' ? { ...s, complianceState: 'Suspended' } : s));
const notReadyButCompliant = compliantStatuses().map((s) => (s.kind === 'HelmRelease' ? { ...s, ready: ['False', 'UpgradeFailed', 'x'] as [string, string, string] } : s));

// [name, waitFor, failFast, outcome, status]
const azureTable: [string, WaitFor, boolean, 'reached' | 'failed' | 'pending', ClusterStatus][] = [
  ['provisioned: Succeeded', 'provisioned', false, 'reached', azure({ complianceState: 'Non-Compliant', statuses: failing })],
  ['provisioned: Succeeded on an offline cluster (ARM owns provisioning)', 'provisioned', false, 'reached', azure({}, arcCluster('Offline', iso(NOW - 2 * HOUR)))],
  ['provisioned: Creating', 'provisioned', false, 'pending', azure({ provisioningState: 'Creating', complianceState: 'Pending', statuses: [] })],
  ['provisioned: Creating on an expired cluster', 'provisioned', false, 'failed', azure({ provisioningState: 'Creating' }, arcCluster('Expired'))],
  ['provisioned: Failed', 'provisioned', false, 'failed', azure({ provisioningState: 'Failed', errorMessage: 'source unreachable' })],
  ['provisioned: Canceled', 'provisioned', false, 'failed', azure({ provisioningState: 'Canceled' })],
  ['provisioned: the flux extension Failed', 'provisioned', false, 'failed', azure({}, aksCluster(), [fluxExtension('Failed')])],
  ['compliant: Compliant and fresh', 'compliant', false, 'reached', azure()],
  ['compliant: Compliant, extension updating', 'compliant', false, 'reached', azure({}, aksCluster(), [fluxExtension('Updating')])],
  ['compliant: still provisioning', 'compliant', false, 'pending', azure({ provisioningState: 'Updating' })],
  ['compliant: Pending', 'compliant', false, 'pending', azure({ complianceState: 'Pending', statuses: progressing })],
  ['compliant: Non-Compliant, Flux retrying', 'compliant', false, 'pending', azure({ complianceState: 'Non-Compliant', statuses: failing })],
  ['compliant: Non-Compliant, Flux retrying, --fail-fast', 'compliant', true, 'failed', azure({ complianceState: 'Non-Compliant', statuses: failing })],
  ['compliant: Non-Compliant with no object list, --fail-fast', 'compliant', true, 'failed', azure({ complianceState: 'Non-Compliant', statuses: [] })],
  ['compliant: Non-Compliant, an object stalled', 'compliant', false, 'failed', azure({ complianceState: 'Non-Compliant', statuses: stalled })],
  ['compliant: Pending, --fail-fast does not fail progress', 'compliant', true, 'pending', azure({ complianceState: 'Pending', statuses: progressing })],
  ['compliant: Compliant but reported 2 hours ago', 'compliant', false, 'pending', azure({ statusUpdatedAt: iso(NOW - 2 * HOUR) })],
  ['compliant: stale and Non-Compliant stalled: stale facts decide nothing', 'compliant', true, 'pending', azure({ statusUpdatedAt: iso(NOW - 2 * HOUR), complianceState: 'Non-Compliant', statuses: stalled })],
  ['compliant: Compliant on an Offline cluster', 'compliant', false, 'pending', azure({}, arcCluster('Offline', iso(NOW - 2 * HOUR)))],
  ['compliant: Compliant on a Connected cluster', 'compliant', false, 'reached', azure({}, arcCluster())],
  ['compliant: Expired cluster', 'compliant', false, 'failed', azure({}, arcCluster('Expired'))],
  ['compliant: configuration suspended', 'compliant', false, 'failed', azure({ suspend: true })],
  ['compliant: complianceState Suspended', 'compliant', false, 'failed', azure({ complianceState: 'Suspended' })],
  ['compliant: an object suspended', 'compliant', false, 'failed', azure({ complianceState: 'Pending', statuses: suspendedObject })],
  ['compliant: extension Failed', 'compliant', false, 'failed', azure({}, aksCluster(), [fluxExtension('Failed')])],
  ['ready: every object ready', 'ready', false, 'reached', azure()],
  ['ready: Compliant, one object not Ready', 'ready', false, 'pending', azure({ statuses: notReadyButCompliant })],
  ['ready: Compliant with no object reported', 'ready', false, 'pending', azure({ statuses: [] })],
  ['ready: Pending', 'ready', false, 'pending', azure({ complianceState: 'Pending', statuses: progressing })],
  ['ready: stale', 'ready', false, 'pending', azure({ statusUpdatedAt: iso(NOW - 2 * HOUR) })],
  ['ready: Non-Compliant --fail-fast', 'ready', true, 'failed', azure({ complianceState: 'Non-Compliant', statuses: failing })],
];

describe('gate outcomes from Azure', () => {
  test.each(azureTable)('%s (--wait-for %s, --fail-fast %s) → %s', (_name, waitFor, failFast, outcome, status) => {
    const result = evaluateGate(status, { waitFor, failFast });
    expect(result.outcome).toBe(outcome);
    expect(result.failures.length > 0).toBe(outcome === 'failed');
    if (outcome === 'pending') expect(result.pending.length).toBeGreaterThan(0);
  });

  test('no configuration at all is not reached (nothing vacuously passes)', () => {
    const s = azureStatus({ cluster: aksCluster(), configurations: [] }, { now: NOW });
    expect(evaluateGate(s, { waitFor: 'provisioned' })).toMatchObject({ outcome: 'pending', pending: ['no Flux configuration on the cluster yet'] });
  });

  test('the reasons name the configuration and the cause', () => {
    expect(evaluateGate(azure({ provisioningState: 'Failed', errorMessage: 'source unreachable' }), { waitFor: 'compliant' }).failures).toEqual([
      "configuration 'cfg-ns/cfg': provisioning Failed: source unreachable",
    ]);
    expect(evaluateGate(azure({ complianceState: 'Non-Compliant', statuses: stalled }), { waitFor: 'compliant' }).failures).toEqual([
      "configuration 'cfg-ns/cfg': HelmRelease cfg-ns/podinfo is stalled (RetriesExceeded)",
    ]);
    expect(evaluateGate(azure({ suspend: true }), { waitFor: 'ready' }).failures).toEqual(["configuration 'cfg-ns/cfg' is suspended: nothing is reconciled until it is resumed"]);
    expect(evaluateGate(azure({ statusUpdatedAt: iso(NOW - 2 * HOUR) }), { waitFor: 'compliant' }).pending).toEqual([
      "configuration 'cfg-ns/cfg': status is stale (last reported 2024-05-01T08:00:00Z, more than 30 minutes ago)",
    ]);
  });

  test('the summary lists every object that is not ready, with reason and message, in any mode', () => {
    const status = azureStatus(
      { cluster: aksCluster(), configurations: [fluxConfig({ complianceState: 'Non-Compliant', statuses: failing }), fluxConfig({ name: 'web', complianceState: 'Pending', statuses: progressing })] },
      { now: NOW },
    );
    const result = evaluateGate(status, { waitFor: 'provisioned' });
    expect(result.outcome).toBe('reached');
    expect(result.notReady).toEqual([
      { configuration: 'cfg-ns/cfg', kind: 'HelmRelease', namespace: 'cfg-ns', name: 'podinfo', ready: 'False', state: 'Failed', stalled: false, reason: 'InstallFailed', message: 'install retries left' },
      { configuration: 'cfg-ns/web', kind: 'Kustomization', namespace: 'cfg-ns', name: 'cfg-apps', ready: 'Unknown', state: 'Progressing', stalled: false, reason: 'Progressing', message: 'Reconciliation in progress' },
    ]);
    expect(evaluateGate(azure(), { waitFor: 'ready' }).notReady).toEqual([]);
  });
});

describe('gate outcomes from the cluster', () => {
  const replace = (kind: string, obj: ReturnType<typeof kube>) => compliantObjects().map((o) => (o.kind === kind ? obj : o));
  const hr = (ready: [string, string, string], extra: Partial<Parameters<typeof kube>[0]> = {}) => kube({ kind: 'HelmRelease', name: 'podinfo', labels: appliedBy('cfg-apps'), ready, ...extra });
  const view = (objects: ReturnType<typeof kube>[], configuration?: { name: string; namespace?: string }) =>
    clusterStatus({ objects, ...(configuration ? { configuration } : {}) }, { now: NOW });

  const table: [string, ClusterStatus, GateOptions, 'reached' | 'failed' | 'pending'][] = [
    ['ready: everything Ready', view(compliantObjects()), { waitFor: 'ready' }, 'reached'],
    ['compliant: everything Ready', view(compliantObjects()), { waitFor: 'compliant' }, 'reached'],
    ['provisioned: the objects exist', view(replace('HelmRelease', hr(['False', 'InstallFailed', 'x']))), { waitFor: 'provisioned' }, 'reached'],
    ['provisioned: the configuration has no objects yet', view(compliantObjects(), { name: 'new', namespace: 'new-ns' }), { waitFor: 'provisioned' }, 'pending'],
    ['ready: a new generation not yet observed', view(replace('HelmRelease', hr(['True', 'InstallSucceeded', 'x'], { generation: 2, observedGeneration: 1 }))), { waitFor: 'ready' }, 'pending'],
    ['ready: waiting on a dependency, even with --fail-fast', view(replace('HelmRelease', hr(['False', 'DependencyNotReady', 'x']))), { waitFor: 'ready', failFast: true }, 'pending'],
    ['ready: failed, Flux retrying', view(replace('HelmRelease', hr(['False', 'InstallFailed', 'x']))), { waitFor: 'ready' }, 'pending'],
    ['ready: failed, --fail-fast', view(replace('HelmRelease', hr(['False', 'InstallFailed', 'x']))), { waitFor: 'ready', failFast: true }, 'failed'],
    [
      'ready: stalled',
      view(replace('HelmRelease', hr(['False', 'RetriesExceeded', 'x'], { conditions: [{ type: 'Stalled', status: 'True', reason: 'RetriesExceeded', message: 'Failed to install after 3 attempt(s)' }] }))),
      { waitFor: 'ready' },
      'failed',
    ],
    ['ready: an object suspended', view(replace('HelmRelease', hr(['True', 'InstallSucceeded', 'x'], { suspend: true }))), { waitFor: 'ready' }, 'failed'],
    ['compliant: the configuration suspended', view(compliantObjects().map((o) => (o.kind === 'GitRepository' ? { ...o, spec: { suspend: true } } : o))), { waitFor: 'compliant' }, 'failed'],
    ['ready: plain Flux objects, all ready', view([kube({ kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system', ready: ['True', 'Succeeded', 'ok'] })]), { waitFor: 'ready' }, 'reached'],
    [
      'ready: plain Flux objects, one failing, --fail-fast',
      view([kube({ kind: 'Kustomization', name: 'flux-system', namespace: 'flux-system', ready: ['False', 'BuildFailed', 'x'] })]),
      { waitFor: 'ready', failFast: true },
      'failed',
    ],
    ['ready: nothing in the cluster', view([]), { waitFor: 'ready' }, 'pending'],
    [
      'ready: a labelled configuration beside plain Flux',
      view([...compliantObjects(), kube({ kind: 'Kustomization', name: 'infra', namespace: 'flux-system', ready: ['Unknown', 'Progressing', 'x'] })]),
      { waitFor: 'ready' },
      'pending',
    ],
  ];

  test.each(table)('%s', (_name, status, options, outcome) => {
    expect(evaluateGate(status, options).outcome).toBe(outcome);
  });

  test('labels matter: a configuration with every object ready beside an unready one of another configuration', () => {
    const objects = [...compliantObjects(), kube({ kind: 'GitRepository', name: 'web', namespace: 'web-ns', labels: configLabels('web', 'web-ns'), ready: ['Unknown', 'Progressing', 'x'] })];
    expect(evaluateGate(view(objects, { name: 'cfg' }), { waitFor: 'ready' }).outcome).toBe('reached');
    expect(evaluateGate(view(objects), { waitFor: 'ready' }).outcome).toBe('pending');
  });
});

describe('exit codes of every outcome', () => {
  test.each([
    ['reached', 0],
    ['failed', 6],
    ['timeout', 5],
    ['interrupted', 130],
  ] as const)('%s → %d', (outcome, code) => {
    expect(exitCodeFor(outcome)).toBe(code);
  });

  test('the same codes as the typed errors', () => {
    expect(exitCodeFor('failed')).toBe(new FailedError('x').exitCode);
    expect(exitCodeFor('timeout')).toBe(new TimeoutError('x').exitCode);
    expect(exitCodeFor('interrupted')).toBe(new InterruptedError('x').exitCode);
  });
});
