/**
 * Gates that never lie: an object Azure calls Non-Compliant while it only waits (a dependency,
 * a reconciliation in progress) is progressing in both views, and real failures that Flux
 * retries stay failures. The Azure view and the cluster view are checked against each other
 * for every Ready condition Flux writes, not only for the examples.
 */
import { describe, expect, test } from '@jest/globals';
import { azureStatus, objectFromArm } from '../../src/status/azure.js';
import { clusterStatus, objectFromKube } from '../../src/status/cluster.js';
import { evaluateGate } from '../../src/status/gate.js';
import { compareConfigurations, rolloutInProgress, type ClusterStatus } from '../../src/status/model.js';
import { complianceText, renderSummary } from '../../src/status/view.js';
import { aksCluster, appliedBy, arcCluster, compliantObjects, configLabels, fluxConfig, fluxExtension, iso, kube, MIN, NOW, SHA } from './fixtures.js';

/** What Azure's agent reports for an object's Ready condition (real Azure: False is Non-Compliant, whatever the reason). */
function azureCompliance(status: string): string {
  return status === 'True' ? 'Compliant' : status === 'False' ? 'Non-Compliant' : 'Pending';
}

// Every reason fluxcd/pkg and the controllers write on Ready (flux.md §1.4), plus the Helm ones.
const REASONS = [
  'Succeeded', 'Failed', 'Progressing', 'ProgressingWithRetry', 'DependencyNotReady', 'InvalidPath', 'InvalidURL', 'PruneFailed', 'ArtifactFailed',
  'BuildFailed', 'HealthCheckFailed', 'HealthCheckCanceled', 'ReconciliationSucceeded', 'ReconciliationFailed', 'InstallFailed', 'UpgradeFailed',
  'InstallSucceeded', 'GitOperationFailed', 'AuthenticationFailed',
];
const WAITING = new Set(['Progressing', 'DependencyNotReady']);

describe('one Ready condition, two views, one answer', () => {
  const cases = ['True', 'False', 'Unknown'].flatMap((status) => REASONS.map((reason) => [status, reason] as const));

  test.each(cases)('Ready=%s reason %s', (status, reason) => {
    const message = `${reason} happened`;
    const fromCluster = objectFromKube(kube({ kind: 'Kustomization', name: 'cfg-apps', ready: [status, reason, message] }));
    const fromAzure = objectFromArm(
      {
        name: 'cfg-apps',
        namespace: 'cfg-ns',
        kind: 'Kustomization',
        complianceState: azureCompliance(status),
        statusConditions: [{ type: 'Ready', status, reason, message, lastTransitionTime: iso(NOW - 5 * MIN) }],
      },
      'cfg-ns',
    );
    const facts = (o: typeof fromCluster) => ({ state: o.state, ready: o.ready, stalled: o.stalled, reason: o.reason });
    expect(facts(fromAzure)).toEqual(facts(fromCluster));
    // The rule itself: only True is ready; only Unknown and the waiting reasons are progress.
    const expected = status === 'True' ? 'Ready' : status === 'Unknown' || WAITING.has(reason) ? 'Progressing' : 'Failed';
    expect(fromAzure.state).toBe(expected);
  });

  test('Non-Compliant without a Ready condition (a LIST answer) stays a failure: nothing says otherwise', () => {
    expect(objectFromArm({ name: 'a', kind: 'Kustomization', complianceState: 'Non-Compliant', statusConditions: null }, 'ns')).toMatchObject({ state: 'Failed', ready: 'False' });
  });

  test('Non-Compliant and Stalled is a terminal failure even with a waiting reason', () => {
    const o = objectFromArm(
      {
        name: 'a',
        kind: 'HelmRelease',
        complianceState: 'Non-Compliant',
        statusConditions: [
          { type: 'Ready', status: 'False', reason: 'Progressing', message: 'x' },
          { type: 'Stalled', status: 'True', reason: 'RetriesExceeded', message: 'Failed to upgrade after 3 attempt(s)' },
        ],
      },
      'ns',
    );
    expect(o).toMatchObject({ state: 'Failed', stalled: true, reason: 'RetriesExceeded' });
  });
});

// ---------------------------------------------------------------------------------------------
// The tutorial rollout (apps depends on infra), step by step, as real Azure reports it.

type Step = 'source' | 'infra' | 'done' | 'infraFailed' | 'healthCheckFailed' | 'upgradeRetrying';

const REVISION = `main@sha1:${SHA}`;

/** The objects of each step, as the cluster holds them. */
function clusterObjects(step: Step) {
  const source = kube({ kind: 'GitRepository', name: 'cfg', labels: configLabels(), ready: ['True', 'Succeeded', `stored artifact for revision '${REVISION}'`], status: { artifact: { revision: REVISION } } });
  const applied = { status: { lastAppliedRevision: REVISION } };
  const ok = (name: string) => kube({ kind: 'Kustomization', name, labels: configLabels(), ready: ['True', 'ReconciliationSucceeded', `Applied revision: ${REVISION}`], ...applied });
  const waiting = kube({ kind: 'Kustomization', name: 'cfg-apps', labels: configLabels(), ready: ['False', 'DependencyNotReady', "dependency 'cfg-ns/cfg-infra' is not ready"] });
  switch (step) {
    case 'source':
      return [source, kube({ kind: 'Kustomization', name: 'cfg-infra', labels: configLabels(), ready: ['Unknown', 'Progressing', 'Reconciliation in progress'], conditions: [{ type: 'Reconciling', status: 'True', reason: 'Progressing', message: 'Reconciliation in progress' }] }), waiting];
    case 'infra':
      return [source, ok('cfg-infra'), waiting];
    case 'done':
      return [source, ok('cfg-infra'), ok('cfg-apps')];
    case 'infraFailed':
      return [source, kube({ kind: 'Kustomization', name: 'cfg-infra', labels: configLabels(), ready: ['False', 'BuildFailed', 'kustomize build failed'] }), waiting];
    case 'healthCheckFailed':
      return [source, kube({ kind: 'Kustomization', name: 'cfg-infra', labels: configLabels(), ready: ['False', 'HealthCheckFailed', 'timeout waiting for: [Deployment/nginx status: InProgress]'] }), waiting];
    case 'upgradeRetrying':
      return [
        source,
        ok('cfg-infra'),
        ok('cfg-apps'),
        kube({
          kind: 'HelmRelease',
          name: 'podinfo',
          labels: appliedBy('cfg-apps'),
          ready: ['False', 'UpgradeFailed', 'Helm upgrade failed: timed out waiting for the condition'],
          conditions: [{ type: 'Reconciling', status: 'True', reason: 'ProgressingWithRetry', message: 'retrying' }],
        }),
      ];
  }
}

/** The same step as Azure reports it: every object's Ready condition and compliance, the roll-up. */
function armConfiguration(step: Step) {
  const objects = clusterObjects(step);
  const statuses = objects.map((o) => {
    const ready = (o.status!.conditions as { type: string; status: string; reason: string; message: string }[]).find((c) => c.type === 'Ready')!;
    return {
      name: o.metadata!.name!,
      kind: o.kind!,
      ...(o.kind === 'GitRepository' ? {} : { namespace: 'cfg-ns' }),
      complianceState: azureCompliance(ready.status),
      ready: [ready.status, ready.reason, ready.message] as [string, string, string],
    };
  });
  const compliance = statuses.some((s) => s.complianceState === 'Non-Compliant') ? 'Non-Compliant' : statuses.every((s) => s.complianceState === 'Compliant') ? 'Compliant' : 'Pending';
  return fluxConfig({ complianceState: compliance, statuses });
}

const fromAzure = (step: Step): ClusterStatus => azureStatus({ cluster: aksCluster(), extensions: [fluxExtension()], configurations: [armConfiguration(step)] }, { now: NOW });
const fromCluster = (step: Step): ClusterStatus => clusterStatus({ objects: clusterObjects(step) }, { now: NOW });

describe('the tutorial rollout as real Azure reports it', () => {
  test.each(['source', 'infra'] as const)('step %s: Non-Compliant in both views, yet progressing; no gate fails it, --fail-fast included', (step) => {
    for (const status of [fromAzure(step), fromCluster(step)]) {
      const c = status.configurations[0]!;
      expect({ source: status.source, compliance: c.complianceState, rollingOut: rolloutInProgress(c), shown: complianceText(c) }).toEqual({
        source: status.source,
        compliance: 'Non-Compliant',
        rollingOut: true,
        shown: 'Non-Compliant (progressing)',
      });
      expect(c.objects.find((o) => o.name === 'cfg-apps')).toMatchObject({ state: 'Progressing', ready: 'False', reason: 'DependencyNotReady' });
      for (const waitFor of ['compliant', 'ready'] as const) {
        for (const failFast of [false, true]) {
          const gate = evaluateGate(status, { waitFor, failFast });
          expect({ source: status.source, waitFor, failFast, outcome: gate.outcome, failures: gate.failures }).toEqual({ source: status.source, waitFor, failFast, outcome: 'pending', failures: [] });
        }
      }
      expect(evaluateGate(status, { waitFor: 'compliant' }).pending).toEqual([expect.stringMatching(/^configuration 'cfg-ns\/cfg' is rolling out: [12] of 3 objects still progressing \(Non-Compliant until all are ready\)$/)]);
    }
    expect(compareConfigurations(fromAzure(step).configurations[0]!, fromCluster(step).configurations[0]!)).toEqual([]);
  });

  test('done: Compliant, reached in both views', () => {
    for (const status of [fromAzure('done'), fromCluster('done')]) {
      expect(status.configurations[0]!.complianceState).toBe('Compliant');
      expect(evaluateGate(status, { waitFor: 'ready', failFast: true }).outcome).toBe('reached');
    }
  });

  test.each([
    ['infraFailed', 'Kustomization cfg-ns/cfg-infra failed (BuildFailed)'],
    ['healthCheckFailed', 'Kustomization cfg-ns/cfg-infra failed (HealthCheckFailed)'],
    ['upgradeRetrying', 'HelmRelease cfg-ns/podinfo failed (UpgradeFailed)'],
  ] as const)('%s: a real failure Flux retries fails --fail-fast at once, in both views', (step, failure) => {
    for (const status of [fromAzure(step), fromCluster(step)]) {
      const c = status.configurations[0]!;
      expect({ source: status.source, rollingOut: rolloutInProgress(c), shown: complianceText(c) }).toEqual({ source: status.source, rollingOut: false, shown: 'Non-Compliant' });
      const gate = evaluateGate(status, { waitFor: 'compliant', failFast: true });
      expect({ source: status.source, outcome: gate.outcome, failures: gate.failures }).toEqual({ source: status.source, outcome: 'failed', failures: [`configuration 'cfg-ns/cfg': ${failure}`] });
      // Without --fail-fast it is waited for (a fix may be pushed), not reached.
      expect(evaluateGate(status, { waitFor: 'compliant' }).outcome).toBe('pending');
    }
    expect(compareConfigurations(fromAzure(step).configurations[0]!, fromCluster(step).configurations[0]!)).toEqual([]);
  });
});

describe('a Failed extension shows the reason Azure gives', () => {
  // As `az k8s-extension show` prints a real failed install: the reason sits in statuses[] with level null.
  const REAL = {
    code: 'InstallationFailed',
    displayStatus: null,
    level: null,
    message: 'Error: [ InnerError: [Helm installation failed : InnerError [release flux failed, and has been uninstalled due to atomic being set: context deadline exceeded]]] occurred while doing the operation : [Create] on the config',
    time: null,
  };

  test('level null on a Failed extension is its reason: in the model, the warning and the summary', () => {
    const status = azureStatus({ cluster: aksCluster(), extensions: [fluxExtension('Failed', { statuses: [REAL], errorInfo: null })], configurations: [] }, { now: NOW });
    expect(status.extension).toMatchObject({ provisioningState: 'Failed', installed: false, errors: [REAL.message] });
    expect(status.warnings).toEqual([`the flux extension (microsoft.flux) is Failed: ${REAL.message}; Flux configurations are not reconciled until it is installed.`]);
    const gate = evaluateGate(status, { waitFor: 'compliant' });
    expect(gate.failures).toEqual([`the flux extension (microsoft.flux) is Failed: ${REAL.message}`]);
  });

  test('on a working extension, a status without a level is not an error; Information and Warning never are', () => {
    const ok = azureStatus({ cluster: aksCluster(), extensions: [fluxExtension('Succeeded', { statuses: [{ ...REAL, message: 'installed' }] })], configurations: [] }, { now: NOW });
    expect(ok.extension!.errors).toEqual([]);
    const failed = azureStatus(
      { cluster: aksCluster(), extensions: [fluxExtension('Failed', { statuses: [{ level: 'Information', message: 'fine' }, { level: 'Warning', message: 'slow' }, { code: 'Only', level: null }] })], configurations: [] },
      { now: NOW },
    );
    expect(failed.extension!.errors).toEqual(['Only']);
  });

  test("statuses[] give the reason; errorInfo, ARM's restatement of it, is not repeated", () => {
    const status = azureStatus(
      { cluster: aksCluster(), extensions: [fluxExtension('Failed', { statuses: [REAL], errorInfo: { code: 'ExtensionOperationFailed', message: 'The extension operation failed with the following error: Helm installation failed' } })], configurations: [] },
      { now: NOW },
    );
    expect(status.extension!.errors).toEqual([REAL.message]);
  });
});

describe('"every object reported is ready" only when something was reported', () => {
  const summary = (status: ClusterStatus) => renderSummary(evaluateGate(status, { waitFor: 'ready' }), { color: false, outcome: 'timeout', timeout: '1m' });

  test.each([
    ['no configuration yet', azureStatus({ cluster: aksCluster(), extensions: [fluxExtension()], configurations: [] }, { now: NOW }), 'no Flux configuration exists on the cluster yet'],
    ['the extension still installing', azureStatus({ cluster: aksCluster(), extensions: [fluxExtension('Creating')], configurations: [fluxConfig({ complianceState: 'Pending', statuses: [] })] }, { now: NOW }), 'the flux extension is Creating: Flux is still installing'],
    ['no extension at all', azureStatus({ cluster: aksCluster(), extensions: [], configurations: [fluxConfig({ complianceState: 'Pending', statuses: [] })] }, { now: NOW }), 'the microsoft.flux extension is not installed'],
    ['an offline Arc cluster', azureStatus({ cluster: arcCluster('Offline', iso(NOW - 120 * MIN)), extensions: [fluxExtension()], configurations: [fluxConfig({ complianceState: 'Pending', statuses: [] })] }, { now: NOW }), 'the Arc cluster is Offline, so its agents cannot report'],
    ['a configuration still Creating', azureStatus({ cluster: aksCluster(), extensions: [fluxExtension()], configurations: [fluxConfig({ provisioningState: 'Creating', complianceState: 'Pending', statuses: [] })] }, { now: NOW }), "configuration 'cfg-ns/cfg' is Creating"],
    ['a stale report', azureStatus({ cluster: aksCluster(), extensions: [fluxExtension()], configurations: [fluxConfig({ statusUpdatedAt: iso(NOW - 120 * MIN), complianceState: 'Pending', statuses: [] })] }, { now: NOW }), "the status of configuration 'cfg-ns/cfg' is stale"],
    ['the agent has not reported yet', azureStatus({ cluster: aksCluster(), extensions: [fluxExtension()], configurations: [fluxConfig({ complianceState: 'Pending', statuses: [] })] }, { now: NOW }), "the cluster's Flux agent has not reported yet"],
    ['an empty cluster', clusterStatus({ objects: [] }, { now: NOW }), 'no Flux objects exist in the cluster yet'],
    ['a named configuration not in the cluster', clusterStatus({ objects: compliantObjects(), configuration: { name: 'web' } }, { now: NOW }), "configuration 'web' has no Flux objects in the cluster yet"],
  ])('%s', (_name, status, why) => {
    const text = summary(status);
    expect(text).not.toContain('Every object reported is ready');
    expect(text).toMatch(/^Nothing has been reported yet: .+\.$/m);
    expect(text).toContain(why);
  });

  test('with objects reported and all ready (a stale report), the sentence stays', () => {
    const stale = azureStatus({ cluster: aksCluster(), configurations: [fluxConfig({ statusUpdatedAt: iso(NOW - 120 * MIN) })] }, { now: NOW });
    expect(summary(stale)).toContain('Every object reported is ready.');
    expect(summary(clusterStatus({ objects: compliantObjects() }, { now: NOW }))).not.toContain('Nothing has been reported');
  });
});
