import { describe, expect, test } from '@jest/globals';
import type { ArmResource } from '../../src/azure/resources.js';
import { azureStatus, objectFromArm, revisionFromMessage, staleThresholdMs, type ArmResourceLike } from '../../src/status/azure.js';
import { aksCluster, arcCluster, fluxConfig, fluxExtension, iso, MIN, NOW, SHA, swaggerExample } from './fixtures.js';

const HOUR = 60 * MIN;

describe('the swagger example GetFluxConfiguration → model', () => {
  const example = swaggerExample('2025-04-01/examples/GetFluxConfiguration.json');
  const reported = Date.parse(example.properties!.statusUpdatedAt as string);
  const status = azureStatus({ cluster: arcCluster('Connected', iso(reported)), configurations: [example] }, { now: reported + MIN });

  test('the configuration', () => {
    const [c] = status.configurations;
    expect(c).toMatchObject({
      name: 'srs-fluxconfig',
      namespace: 'srs-namespace',
      scope: 'cluster',
      sourceKind: 'GitRepository',
      provisioningState: 'Succeeded',
      complianceState: 'Compliant',
      sourceRevision: 'master@sha1:0ba6f0d30760d567de0bac86c8c4eec13ce1a590',
      statusUpdatedAt: '2021-05-19T18:17:12Z',
      suspended: false,
      stale: false,
    });
    expect(c!.error).toBeUndefined(); // errorMessage "" is no error
  });

  test('each object: identity (namespace defaults to the configuration), readiness, revision from the legacy message, age source', () => {
    expect(status.configurations[0]!.objects).toEqual([
      {
        kind: 'GitRepository',
        namespace: 'srs-namespace',
        name: 'srs-fluxconfig',
        ready: 'True',
        state: 'Ready',
        stalled: false,
        reason: 'GitOperationSucceed',
        message: 'Fetched revision: master/0ba6f0d30760d567de0bac86c8c4eec13ce1a590',
        revision: 'master@sha1:0ba6f0d30760d567de0bac86c8c4eec13ce1a590',
        updatedAt: '2021-05-19T18:12:40Z',
      },
      expect.objectContaining({ kind: 'Kustomization', name: 'srs-fluxconfig-srs-kustomization1', appliedBy: { name: 'my-name', namespace: 'my-namespace' }, revision: 'master@sha1:0ba6f0d30760d567de0bac86c8c4eec13ce1a590' }),
      expect.objectContaining({ kind: 'Kustomization', name: 'srs-fluxconfig-srs-kustomization2', ready: 'True', state: 'Ready' }),
    ]);
  });

  test('the document: cluster, configurations, observedAt, source; no warnings when healthy', () => {
    expect(status.cluster).toEqual({
      name: 'arc1',
      type: 'connectedClusters',
      resourceGroup: 'rg1',
      id: '/subscriptions/subId1/resourceGroups/rg1/providers/Microsoft.Kubernetes/connectedClusters/arc1',
      connectivity: { status: 'Connected', lastConnectivityTime: '2021-05-19T18:17:12Z', offline: false, expired: false },
    });
    expect(status.observedAt).toBe('2021-05-19T18:18:12Z');
    expect(status.source).toBe('azure');
    expect(status.warnings).toEqual([]);
    expect(status.otherObjects).toEqual([]);
    expect(JSON.parse(JSON.stringify(status))).toEqual(status); // plain JSON: it is the -o json document
  });

  test('what the ARM client returns is accepted as is', () => {
    const fromClient: ArmResource = example as ArmResource;
    const accepted: ArmResourceLike = fromClient;
    expect(azureStatus({ cluster: arcCluster('Connected', iso(reported)), configurations: [accepted] }, { now: reported + MIN })).toEqual(status);
  });

  test('az-shaped (flattened) resources give the same model', () => {
    const { properties, ...envelope } = example;
    const flat = { ...envelope, ...properties, resourceGroup: 'rg1' };
    const again = azureStatus({ cluster: arcCluster('Connected', iso(reported)), configurations: [flat] }, { now: reported + MIN });
    expect(again).toEqual(status);
  });
});

describe('the flux extension', () => {
  const base = { cluster: arcCluster(), configurations: [fluxConfig()] };

  test('picked among the cluster extensions by type, with its state and installed version', () => {
    const monitor = swaggerExample('2023-05-01/examples/GetExtension.json');
    const s = azureStatus({ ...base, extensions: [monitor, fluxExtension()] }, { now: NOW });
    expect(s.extension).toEqual({ name: 'flux', type: 'microsoft.flux', provisioningState: 'Succeeded', version: '1.15.1', installed: true, errors: [] });
    expect(s.warnings).toEqual([]);
  });

  test('missing → a warning; not looked up → nothing said', () => {
    const missing = azureStatus({ ...base, extensions: [swaggerExample('2023-05-01/examples/GetExtension.json')] }, { now: NOW });
    expect(missing.extension).toBeUndefined();
    expect(missing.warnings).toEqual([expect.stringContaining('microsoft.flux extension is not installed')]);
    expect(azureStatus(base, { now: NOW }).warnings).toEqual([]);
  });

  test('failed → not installed, with the agent errors, and a warning', () => {
    const s = azureStatus(
      { ...base, extensions: [fluxExtension('Failed', { statuses: [{ code: 'x', level: 'Error', message: 'helm install failed' }, { level: 'Information', message: 'fine' }], errorInfo: { code: 'E', message: 'timed out' } })] },
      { now: NOW },
    );
    expect(s.extension).toMatchObject({ provisioningState: 'Failed', installed: false, errors: ['helm install failed'] });
    expect(s.warnings).toEqual([expect.stringMatching(/flux extension \(microsoft\.flux\) is Failed: helm install failed; Flux/)]);
    // errorInfo speaks when statuses[] says nothing.
    const bare = azureStatus({ ...base, extensions: [fluxExtension('Failed', { statuses: [], errorInfo: { code: 'E', message: 'timed out' } })] }, { now: NOW });
    expect(bare.extension!.errors).toEqual(['timed out']);
  });
});

describe('stale status and Arc connectivity are flagged, never shown healthy', () => {
  test('a connected cluster with a fresh report: not stale', () => {
    const s = azureStatus({ cluster: arcCluster(), configurations: [fluxConfig()] }, { now: NOW });
    expect(s.configurations[0]!.stale).toBe(false);
    expect(s.warnings).toEqual([]);
  });

  test('an Offline Arc cluster makes every configuration stale, with one warning naming the last heartbeat', () => {
    const s = azureStatus({ cluster: arcCluster('Offline', iso(NOW - 3 * HOUR)), configurations: [fluxConfig(), fluxConfig({ name: 'other' })] }, { now: NOW });
    expect(s.cluster.connectivity).toEqual({ status: 'Offline', lastConnectivityTime: iso(NOW - 3 * HOUR), offline: true, expired: false });
    expect(s.configurations.map((c) => [c.stale, c.staleReason])).toEqual([
      [true, 'the Arc cluster is Offline'],
      [true, 'the Arc cluster is Offline'],
    ]);
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]).toMatch(/^Arc cluster 'arc1' is Offline \(last heartbeat 2024-05-01T07:00:00Z\)/);
    expect(s.warnings[0]).not.toMatch(/48 hours/);
  });

  test('offline more than 48 hours: the warning says pending changes have timed out', () => {
    const s = azureStatus({ cluster: arcCluster('Offline', iso(NOW - 49 * HOUR)), configurations: [fluxConfig()] }, { now: NOW });
    expect(s.warnings[0]).toMatch(/more than 48 hours/);
  });

  test.each([
    ['connectivityStatus Expired', arcCluster('Expired', iso(NOW - 100 * 24 * HOUR))],
    ['certificate expiry passed while it still says Connected', arcCluster('Connected', iso(NOW - MIN), { managedIdentityCertificateExpirationTime: iso(NOW - HOUR) })],
  ])('expired: %s', (_name, cluster) => {
    const s = azureStatus({ cluster, configurations: [fluxConfig()] }, { now: NOW });
    expect(s.cluster.connectivity).toMatchObject({ status: 'Expired', offline: true, expired: true });
    expect(s.configurations[0]).toMatchObject({ stale: true, staleReason: 'the Arc cluster is Expired' });
    expect(s.warnings[0]).toMatch(/is Expired .*re-connect/);
  });

  test.each(['Connecting', 'AgentNotInstalled'])('%s counts as offline', (state) => {
    const s = azureStatus({ cluster: arcCluster(state), configurations: [fluxConfig()] }, { now: NOW });
    expect(s.cluster.connectivity?.offline).toBe(true);
    expect(s.configurations[0]!.stale).toBe(true);
  });

  test('AKS has no connectivity to judge', () => {
    const s = azureStatus({ cluster: aksCluster(), configurations: [fluxConfig()] }, { now: NOW });
    expect(s.cluster).toEqual({ name: 'aks1', type: 'managedClusters', resourceGroup: 'rg1', id: aksCluster().id });
  });

  test.each([
    ['600 s intervals (the ARM default): 30 minutes', 600, 29 * MIN, false],
    ['600 s intervals: 31 minutes is stale', 600, 31 * MIN, true],
    ['60 s intervals: the 15-minute floor, 14 minutes is fresh', 60, 14 * MIN, false],
    ['60 s intervals: 16 minutes is stale', 60, 16 * MIN, true],
    ['1 h intervals: 2 h 59 m is fresh', 3600, 179 * MIN, false],
    ['1 h intervals: 3 h 1 m is stale', 3600, 181 * MIN, true],
  ])('by age — %s', (_name, interval, age, stale) => {
    const s = azureStatus({ cluster: aksCluster(), configurations: [fluxConfig({ syncInterval: interval, statusUpdatedAt: iso(NOW - age) })] }, { now: NOW });
    expect(s.configurations[0]!.stale).toBe(stale);
    expect(s.warnings).toEqual(stale ? [expect.stringMatching(/^status of configuration 'cfg-ns\/cfg' is stale: last reported .* ago\.$/)] : []);
  });

  test('the threshold is 3× the longest interval of source and kustomizations, at least 15 minutes', () => {
    expect(staleThresholdMs({ gitRepository: { syncIntervalInSeconds: 60 }, kustomizations: { a: { syncIntervalInSeconds: 1200 } } })).toBe(60 * MIN);
    expect(staleThresholdMs({ ociRepository: { syncIntervalInSeconds: 30 } })).toBe(15 * MIN);
    expect(staleThresholdMs({ gitRepository: {} })).toBe(30 * MIN);
  });

  test('never reported: not stale (its compliance says so)', () => {
    const s = azureStatus({ cluster: aksCluster(), configurations: [fluxConfig({ statusUpdatedAt: null, complianceState: 'Pending', statuses: [] })] }, { now: NOW });
    expect(s.configurations[0]).toMatchObject({ stale: false, complianceState: 'Pending', objects: [] });
  });

  test('staleAfterMs overrides the threshold', () => {
    const s = azureStatus({ cluster: aksCluster(), configurations: [fluxConfig({ statusUpdatedAt: iso(NOW - 2 * MIN) })] }, { now: NOW, staleAfterMs: MIN });
    expect(s.configurations[0]!.stale).toBe(true);
  });
});

describe('one statuses[] entry', () => {
  const ready = (status: string, reason: string, message = 'm') => [{ type: 'Ready', status, reason, message, lastTransitionTime: iso(NOW) }];

  test.each([
    ['Compliant', ready('True', 'Succeeded'), 'Ready', 'True', false],
    ['Non-Compliant', ready('False', 'BuildFailed'), 'Failed', 'False', false],
    ['Non-Compliant', ready('False', 'RetriesExceeded'), 'Failed', 'False', true],
    ['Non-Compliant', [...ready('False', 'Whatever'), { type: 'Stalled', status: 'True', reason: 'AccessDenied', message: 'denied' }], 'Failed', 'False', true],
    ['Pending', ready('Unknown', 'Progressing'), 'Progressing', 'Unknown', false],
    ['Pending', ready('False', 'DependencyNotReady'), 'Progressing', 'False', false],
    ['Pending', null, 'Progressing', 'Unknown', false],
    ['Suspended', ready('True', 'Succeeded'), 'Suspended', 'True', false],
    ['Compliant', null, 'Ready', 'True', false], // list calls return statusConditions: null
    ['Non-Compliant', null, 'Failed', 'False', false],
    ['Unknown', ready('True', 'Succeeded'), 'Ready', 'True', false],
    ['Unknown', ready('False', 'BuildFailed'), 'Failed', 'False', false],
    ['Unknown', ready('False', 'DependencyNotReady'), 'Progressing', 'False', false],
    ['Unknown', null, 'Progressing', 'Unknown', false],
  ])('%s with %j → %s, READY %s, stalled %s', (complianceState, statusConditions, state, readyValue, stalled) => {
    const o = objectFromArm({ name: 'x', kind: 'Kustomization', namespace: 'n', complianceState, statusConditions }, 'cfg');
    expect([o.state, o.ready, o.stalled]).toEqual([state, readyValue, stalled]);
  });

  test('a stalled entry takes reason and message from Stalled', () => {
    const o = objectFromArm(
      { name: 'x', kind: 'HelmRelease', complianceState: 'Non-Compliant', statusConditions: [{ type: 'Ready', status: 'False', reason: 'UpgradeFailed', message: 'a' }, { type: 'Stalled', status: 'True', reason: 'RetriesExceeded', message: 'Failed to upgrade after 3 attempt(s)' }] },
      'cfg',
    );
    expect(o).toMatchObject({ namespace: 'cfg', reason: 'RetriesExceeded', message: 'Failed to upgrade after 3 attempt(s)', stalled: true });
  });

  test('no revision from a message that is not a success', () => {
    const o = objectFromArm({ name: 'x', kind: 'GitRepository', complianceState: 'Pending', statusConditions: ready('Unknown', 'Progressing', `building artifact: new upstream revision 'main@sha1:${SHA}'`) }, 'cfg');
    expect(o.revision).toBeUndefined();
  });
});

describe('revision from a Flux success message', () => {
  test.each([
    [`Applied revision: main@sha1:${SHA}`, `main@sha1:${SHA}`],
    [`Applied revision: main/${SHA}`, `main@sha1:${SHA}`],
    [`Fetched revision: master/${SHA}`, `master@sha1:${SHA}`],
    [`stored artifact for revision 'main@sha1:${SHA}'`, `main@sha1:${SHA}`],
    [`stored artifact: revision 'sha256:${'c'.repeat(64)}'`, `sha256:${'c'.repeat(64)}`],
    [`stored artifact for digest 'latest@sha256:${'c'.repeat(64)}'`, `latest@sha256:${'c'.repeat(64)}`],
    ['Helm install succeeded for release cfg-ns/podinfo.v1 with chart podinfo@6.0.3', '6.0.3'],
    ['Helm test succeeded for release cfg-ns/podinfo.v2 with chart podinfo@6.0.3+4e5cbb7b97d0: 1 test hooks completed successfully', '6.0.3+4e5cbb7b97d0'],
    ["pulled 'podinfo' chart with version '6.3.5'", '6.3.5'],
    ['Reconciliation in progress', undefined],
    [undefined, undefined],
  ])('%s → %s', (message, revision) => {
    expect(revisionFromMessage(message)).toBe(revision);
  });
});
