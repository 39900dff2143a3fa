import { describe, expect, test } from '@jest/globals';
import { azureStatus } from '../../src/status/azure.js';
import { clusterStatus, objectFromKube, revisionOf } from '../../src/status/cluster.js';
import { compareConfigurations, type ClusterStatus } from '../../src/status/model.js';
import { aksCluster, appliedBy, compliantObjects, configLabels, fluxConfig, kube, NOW, SHA, SHA2 } from './fixtures.js';

const keys = (s: ClusterStatus) =>
  Object.fromEntries([
    ...s.configurations.map((c) => [`${c.namespace ?? '?'}/${c.name}`, c.objects.map((o) => `${o.kind}/${o.namespace}/${o.name}`)]),
    ['other', s.otherObjects.map((o) => `${o.kind}/${o.namespace}/${o.name}`)],
  ]);

describe('the cluster view and the Azure view of one configuration agree', () => {
  const fromCluster = clusterStatus({ objects: compliantObjects(), context: 'kind-dev' }, { now: NOW });
  const fromAzure = azureStatus({ cluster: aksCluster(), configurations: [fluxConfig()] }, { now: NOW });

  test('same identities, readiness and normalized revisions: no difference', () => {
    expect(fromCluster.configurations).toHaveLength(1);
    expect(compareConfigurations(fromAzure.configurations[0]!, fromCluster.configurations[0]!)).toEqual([]);
    const essentials = (s: ClusterStatus) => s.configurations[0]!.objects.map(({ kind, namespace, name, ready, state, stalled, revision }) => ({ kind, namespace, name, ready, state, stalled, revision }));
    expect(essentials(fromCluster)).toEqual(essentials(fromAzure));
    expect(fromCluster.configurations[0]).toMatchObject({ name: 'cfg', namespace: 'cfg-ns', sourceKind: 'GitRepository', complianceState: 'Compliant', sourceRevision: `main@sha1:${SHA}`, suspended: false, stale: false });
  });

  test('a disagreement is reported field by field', () => {
    const failing = compliantObjects();
    failing[1] = kube({ kind: 'Kustomization', name: 'cfg-apps', labels: configLabels(), ready: ['False', 'BuildFailed', 'boom'], status: { lastAppliedRevision: `main@sha1:${SHA2}` } });
    const c = clusterStatus({ objects: failing }, { now: NOW }).configurations[0]!;
    expect(compareConfigurations(fromAzure.configurations[0]!, c)).toEqual([
      { key: 'cfg-ns/cfg', field: 'complianceState', left: 'Compliant', right: 'Non-Compliant' },
      { key: 'Kustomization/cfg-ns/cfg-apps', field: 'ready', left: 'True', right: 'False' },
      { key: 'Kustomization/cfg-ns/cfg-apps', field: 'state', left: 'Ready', right: 'Failed' },
      { key: 'Kustomization/cfg-ns/cfg-apps', field: 'revision', left: `main@sha1:${SHA}`, right: `main@sha1:${SHA2}` },
    ]);
    const extra = [...compliantObjects(), kube({ kind: 'HelmRepository', name: 'charts', ready: ['True', 'Succeeded', 'ok'] })];
    expect(compareConfigurations(fromAzure.configurations[0]!, clusterStatus({ objects: extra }, { now: NOW }).configurations[0]!)).toEqual([
      { key: 'HelmRepository/cfg-ns/charts', field: 'presence', right: 'present' },
    ]);
  });

  test('the cluster document', () => {
    expect(fromCluster.cluster).toEqual({ name: 'kind-dev', type: 'kubernetes', context: 'kind-dev' });
    expect(fromCluster.source).toBe('cluster');
    expect(fromCluster.observedAt).toBe('2024-05-01T10:00:00Z');
    expect(fromCluster.warnings).toEqual([]);
  });
});

describe('revisions shown as flux get shows them', () => {
  test.each([
    ['GitRepository (Flux 2)', kube({ kind: 'GitRepository', name: 'a', status: { artifact: { revision: `main@sha1:${SHA}` } } }), `main@sha1:${SHA}`],
    ['GitRepository (Flux < 2)', kube({ kind: 'GitRepository', name: 'a', status: { artifact: { revision: `main/${SHA}` } } }), `main@sha1:${SHA}`],
    ['OCIRepository', kube({ kind: 'OCIRepository', name: 'a', status: { artifact: { revision: `v1.2.3@sha256:${'d'.repeat(64)}` } } }), `v1.2.3@sha256:${'d'.repeat(64)}`],
    ['HelmChart', kube({ kind: 'HelmChart', name: 'a', status: { artifact: { revision: '6.0.3+4e5cbb7b97d0' } } }), '6.0.3+4e5cbb7b97d0'],
    ['Kustomization: last applied, not last attempted', kube({ kind: 'Kustomization', name: 'a', status: { lastAppliedRevision: `main/${SHA}`, lastAttemptedRevision: `main@sha1:${SHA2}` } }), `main@sha1:${SHA}`],
    ['HelmRelease: latest history entry', kube({ kind: 'HelmRelease', name: 'a', status: { history: [{ chartVersion: '6.0.4' }, { chartVersion: '6.0.3' }], lastAttemptedRevision: '6.0.5' } }), '6.0.4'],
    ['HelmRelease: last attempted without history', kube({ kind: 'HelmRelease', name: 'a', status: { lastAttemptedRevision: '6.0.5' } }), '6.0.5'],
    ['no artifact yet', kube({ kind: 'Bucket', name: 'a' }), undefined],
  ])('%s', (_name, obj, revision) => {
    expect(revisionOf(obj)).toBe(revision);
  });

  test('an object carries its readiness, message, age and applier', () => {
    const o = objectFromKube(compliantObjects()[2]!);
    expect(o).toEqual({
      kind: 'HelmRelease',
      namespace: 'cfg-ns',
      name: 'podinfo',
      ready: 'True',
      state: 'Ready',
      stalled: false,
      reason: 'InstallSucceeded',
      message: 'Helm install succeeded for release cfg-ns/podinfo.v1 with chart podinfo@6.0.3',
      revision: '6.0.3',
      updatedAt: '2024-05-01T09:55:00Z',
      appliedBy: { namespace: 'cfg-ns', name: 'cfg-apps' },
    });
  });
});

describe('grouping and narrowing to a configuration', () => {
  // Two configurations: cfg in cfg-ns and web in web-ns; team in cfg-ns too; plain Flux in flux-system.
  const objects = [
    ...compliantObjects(),
    kube({ kind: 'HelmRepository', name: 'charts', ready: ['True', 'Succeeded', 'ok'] }), // unlabelled, cfg-ns
    kube({ kind: 'GitRepository', name: 'web', namespace: 'web-ns', labels: configLabels('web', 'web-ns'), ready: ['True', 'Succeeded', 'ok'] }),
    kube({ kind: 'Kustomization', name: 'web-site', namespace: 'web-ns', labels: configLabels('web', 'web-ns'), ready: ['True', 'ReconciliationSucceeded', 'ok'] }),
    // Applied by web's Kustomization into another namespace, then applied again (nested): follows web.
    kube({ kind: 'Kustomization', name: 'nested', namespace: 'apps', labels: appliedBy('web-site', 'web-ns'), ready: ['True', 'ReconciliationSucceeded', 'ok'] }),
    kube({ kind: 'HelmRelease', name: 'shop', namespace: 'shop', labels: appliedBy('nested', 'apps'), ready: ['True', 'InstallSucceeded', 'ok'], status: { helmChart: 'flux-system/shop-shop' } }),
    // The HelmChart helm-controller made for shop, in its source's namespace: follows the HelmRelease.
    kube({ kind: 'HelmChart', name: 'shop-shop', namespace: 'flux-system', ready: ['True', 'ChartPullSucceeded', "pulled 'shop' chart with version '1.0.0'"] }),
    // Plain Flux, nobody's configuration.
    kube({ kind: 'GitRepository', name: 'flux-system', namespace: 'flux-system', ready: ['True', 'Succeeded', 'ok'] }),
    // Not a Flux kind: ignored.
    { kind: 'ConfigMap', metadata: { name: 'x', namespace: 'cfg-ns' } },
  ];

  test('without -n: every configuration, and the rest as other objects', () => {
    expect(keys(clusterStatus({ objects }, { now: NOW }))).toEqual({
      'cfg-ns/cfg': ['GitRepository/cfg-ns/cfg', 'HelmRepository/cfg-ns/charts', 'Kustomization/cfg-ns/cfg-apps', 'HelmRelease/cfg-ns/podinfo'],
      'web-ns/web': ['GitRepository/web-ns/web', 'HelmChart/flux-system/shop-shop', 'Kustomization/apps/nested', 'Kustomization/web-ns/web-site', 'HelmRelease/shop/shop'],
      other: ['GitRepository/flux-system/flux-system'],
    });
  });

  test('-n web: only its objects, nothing else', () => {
    const s = clusterStatus({ objects, configuration: { name: 'web' } }, { now: NOW });
    expect(Object.keys(keys(s))).toEqual(['web-ns/web', 'other']);
    expect(s.otherObjects).toEqual([]);
    expect(s.warnings).toEqual([]);
  });

  test('-n cfg with its namespace: the labelled objects and the unlabelled ones in its namespace', () => {
    const s = clusterStatus({ objects, configuration: { name: 'cfg', namespace: 'cfg-ns' } }, { now: NOW });
    expect(keys(s)['cfg-ns/cfg']).toEqual(['GitRepository/cfg-ns/cfg', 'HelmRepository/cfg-ns/charts', 'Kustomization/cfg-ns/cfg-apps', 'HelmRelease/cfg-ns/podinfo']);
  });

  test('an object labelled for another configuration in the same namespace stays with it', () => {
    const shared = [...compliantObjects(), kube({ kind: 'GitRepository', name: 'team', labels: configLabels('team', 'cfg-ns'), ready: ['True', 'Succeeded', 'ok'] })];
    const s = clusterStatus({ objects: shared, configuration: { name: 'cfg', namespace: 'cfg-ns' } }, { now: NOW });
    expect(keys(s)['cfg-ns/cfg']).not.toContain('GitRepository/cfg-ns/team');
    // Two configurations share the namespace: an unlabelled object there is nobody's without -n …
    const withUnlabelled = [...shared, kube({ kind: 'HelmRepository', name: 'charts', ready: ['True', 'Succeeded', 'ok'] })];
    expect(keys(clusterStatus({ objects: withUnlabelled }, { now: NOW })).other).toEqual(['HelmRepository/cfg-ns/charts']);
    // … and counted with the one asked for with -n.
    expect(keys(clusterStatus({ objects: withUnlabelled, configuration: { name: 'team' } }, { now: NOW }))['cfg-ns/team']).toEqual(['GitRepository/cfg-ns/team', 'HelmRepository/cfg-ns/charts']);
  });

  test('a configuration with no objects yet: listed empty, Pending, with a warning', () => {
    const s = clusterStatus({ objects, configuration: { name: 'nope', namespace: 'nope-ns' } }, { now: NOW });
    expect(s.configurations).toEqual([{ name: 'nope', namespace: 'nope-ns', complianceState: 'Pending', suspended: false, stale: false, objects: [] }]);
    expect(s.warnings).toEqual([expect.stringContaining('clusterconfig.azure.com/name=nope, clusterconfig.azure.com/namespace=nope-ns')]);
    const bare = clusterStatus({ objects, configuration: { name: 'nope' } }, { now: NOW });
    expect(bare.configurations).toEqual([{ name: 'nope', complianceState: 'Pending', suspended: false, stale: false, objects: [] }]);
  });

  test('no Flux objects at all: said so', () => {
    expect(clusterStatus({ objects: [] }, { now: NOW }).warnings).toEqual(['no Flux objects found in the cluster.']);
  });
});

describe('configuration state from its objects', () => {
  test('a suspended source suspends the configuration', () => {
    const objects = compliantObjects().map((o) => (o.kind === 'HelmRelease' ? o : { ...o, spec: { ...o.spec, suspend: true } }));
    const c = clusterStatus({ objects }, { now: NOW }).configurations[0]!;
    expect(c).toMatchObject({ suspended: true, complianceState: 'Suspended' });
    expect(c.objects.map((o) => o.state)).toEqual(['Suspended', 'Suspended', 'Ready']);
  });

  test('a failing object makes it Non-Compliant; a progressing one Pending', () => {
    const failing = compliantObjects();
    failing[2] = kube({ kind: 'HelmRelease', name: 'podinfo', labels: appliedBy('cfg-apps'), ready: ['False', 'InstallFailed', 'install failed'] });
    expect(clusterStatus({ objects: failing }, { now: NOW }).configurations[0]!.complianceState).toBe('Non-Compliant');
    const progressing = compliantObjects();
    progressing[1] = kube({ kind: 'Kustomization', name: 'cfg-apps', labels: configLabels(), generation: 2, observedGeneration: 1, ready: ['True', 'ReconciliationSucceeded', 'old'] });
    expect(clusterStatus({ objects: progressing }, { now: NOW }).configurations[0]!.complianceState).toBe('Pending');
  });
});
