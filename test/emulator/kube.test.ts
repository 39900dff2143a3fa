/**
 * The emulated clusters' Kubernetes APIs over plain HTTPS: discovery, authentication, get and
 * list of every Flux kind and of namespaces, selectors, paging, Table output, CRD validity,
 * agreement with Azure's statuses[], watches (Pending → Ready as MODIFIED events, suspend,
 * delete), bookmarks and timeouts, and 410 Expired both for a too-old resourceVersion and for a
 * live watch the history moved past.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { validateKubeObject } from '../../schemas/validate.js';
import { AKS, FAST, startEmulator, waitFor, type RunningEmulator } from './harness.js';
import { cfgPath, clusterAccess, FLUX_KINDS, kindPath, KS, kube, putConfig, readyOf, waitCompliance, watchStream, type WatchEvent } from './kubeharness.js';

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator(FAST);
});

afterAll(async () => {
  await emu?.stop();
});

beforeEach(async () => {
  await emu.control('POST', 'reset');
  await emu.control('POST', 'faults', { extension: { aks1: 'installed' } });
});

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

async function tutorial(): Promise<void> {
  await putConfig(emu, 'cluster-config');
  await waitCompliance(emu, 'cluster-config');
}

async function list(path: string, cluster = 'aks1'): Promise<any> {
  const res = await kube(emu, cluster, path);
  expect(res.status).toBe(200);
  return res.body;
}

const names = (body: any): string[] => body.items.map((o: any) => o.metadata.name);

describe('discovery', () => {
  test('/api, /api/v1, /apis, a group, a group version, /version, OpenAPI', async () => {
    expect((await list('/api')).versions).toEqual(['v1']);
    const core = await list('/api/v1');
    expect(core).toMatchObject({ kind: 'APIResourceList', groupVersion: 'v1' });
    expect(core.resources[0]).toMatchObject({ name: 'namespaces', namespaced: false, kind: 'Namespace', verbs: ['get', 'list', 'watch'], shortNames: ['ns'] });
    expect(core.resources.find((r: any) => r.name === 'events')).toMatchObject({ namespaced: true, kind: 'Event', verbs: ['get', 'list', 'watch'], shortNames: ['ev'] });

    const groups = await list('/apis');
    expect(groups.kind).toBe('APIGroupList');
    expect(groups.groups.map((g: any) => `${g.name} ${g.preferredVersion.groupVersion}`).sort()).toEqual([
      'events.k8s.io events.k8s.io/v1',
      'helm.toolkit.fluxcd.io helm.toolkit.fluxcd.io/v2',
      'kustomize.toolkit.fluxcd.io kustomize.toolkit.fluxcd.io/v1',
      'source.toolkit.fluxcd.io source.toolkit.fluxcd.io/v1',
    ]);
    expect(await list('/apis/source.toolkit.fluxcd.io')).toMatchObject({ kind: 'APIGroup', name: 'source.toolkit.fluxcd.io', preferredVersion: { version: 'v1' } });

    for (const k of FLUX_KINDS) {
      const rl = await list(`/apis/${k.group}/${k.version}`);
      const r = rl.resources.find((x: any) => x.name === k.plural);
      expect(r).toMatchObject({ kind: k.kind, namespaced: true, verbs: ['get', 'list', 'patch', 'watch'], categories: expect.arrayContaining(['all', 'fluxcd']) });
    }
    expect((await list('/apis/kustomize.toolkit.fluxcd.io/v1')).resources[0].shortNames).toEqual(['ks']);

    expect(await list('/version')).toMatchObject({ major: '1', minor: '31', gitVersion: 'v1.31.5' });
    expect((await list('/version', 'hci1')).gitVersion).toBe('v1.29.4');
    expect(await list('/openapi/v3')).toEqual({ paths: {} });
    const v2 = await kube(emu, 'aks1', '/openapi/v2');
    expect(v2.status).toBe(404);
    expect(v2.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404 });
  });

  test('without the microsoft.flux extension there are no Flux CRDs: no Flux groups, 404 for the kinds', async () => {
    expect((await list('/apis', 'arc1')).groups.map((g: any) => g.name)).toEqual(['events.k8s.io']);
    const res = await kube(emu, 'arc1', KS);
    expect(res.status).toBe(404);
    expect(res.body.reason).toBe('NotFound');
    expect(names(await list('/api/v1/namespaces', 'arc1'))).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    expect(names(await list('/api/v1/namespaces'))).toContain('flux-system');
  });
});

describe('authentication and verbs', () => {
  test('401 Unauthorized Status without the token, with a wrong one, or with another cluster’s', async () => {
    const arcToken = clusterAccess(emu, 'arc1').token;
    for (const token of [false, 'not-the-token', arcToken] as const) {
      const res = await kube(emu, 'aks1', '/api', { token });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    }
  });

  test('an unknown cluster is 404; writes other than PATCH are 405', async () => {
    const res = await kube(emu, 'aks1', '/api');
    expect(res.status).toBe(200);
    const unknown = await emu.request('GET', '/k8s/nope/api', { token: false });
    expect(unknown.status).toBe(404);
    expect(unknown.body.kind).toBe('Status');
    const post = await kube(emu, 'aks1', KS, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.body.reason).toBe('MethodNotAllowed');
  });
});

describe('get and list after a configuration becomes Compliant', () => {
  test('every Flux kind, across namespaces and in a namespace, with labels, uids and resourceVersions', async () => {
    const empty = await list(KS);
    expect(empty).toMatchObject({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'KustomizationList', items: [] });
    const before = Number(empty.metadata.resourceVersion);
    await tutorial();

    const expected: Record<string, string[]> = {
      GitRepository: ['cluster-config'],
      OCIRepository: [],
      Bucket: [],
      HelmRepository: ['bitnami', 'ingress-nginx', 'podinfo'],
      HelmChart: ['cluster-config-nginx', 'cluster-config-podinfo', 'cluster-config-redis'],
      Kustomization: ['cluster-config-apps', 'cluster-config-infra'],
      HelmRelease: ['nginx', 'podinfo', 'redis'],
    };
    for (const k of FLUX_KINDS) {
      const body = await list(kindPath(k.kind));
      expect({ kind: k.kind, names: names(body) }).toEqual({ kind: k.kind, names: expected[k.kind] });
      expect(body.kind).toBe(`${k.kind}List`);
      const listRv = Number(body.metadata.resourceVersion);
      expect(listRv).toBeGreaterThan(before);
      for (const o of body.items) {
        expect(o).toMatchObject({ apiVersion: `${k.group}/${k.version}`, kind: k.kind, metadata: { namespace: 'cluster-config', uid: expect.any(String) } });
        expect(Number(o.metadata.resourceVersion)).toBeGreaterThan(before);
        expect(Number(o.metadata.resourceVersion)).toBeLessThanOrEqual(listRv);
        expect(Date.parse(o.metadata.creationTimestamp)).not.toBeNaN();
        expect(o.metadata.generation).toBe(1);
        expect(o.status.observedGeneration).toBe(1);
        expect(readyOf(o)).toMatch(/^True\//);
        // Valid against the Flux CRD, status included.
        expect({ name: o.metadata.name, problems: validateKubeObject(o) }).toEqual({ name: o.metadata.name, problems: [] });
      }
      const inNs = await list(kindPath(k.kind, 'cluster-config'));
      expect(names(inNs)).toEqual(expected[k.kind]);
      expect((await list(kindPath(k.kind, 'elsewhere'))).items).toEqual([]);
    }

    const ks = await list(`${kindPath('Kustomization', 'cluster-config')}/cluster-config-apps`);
    expect(ks.metadata.labels).toEqual({
      'clusterconfig.azure.com/is-managed': 'true',
      'clusterconfig.azure.com/name': 'cluster-config',
      'clusterconfig.azure.com/namespace': 'cluster-config',
    });
    expect(ks.spec).toMatchObject({ path: './apps/staging', prune: true, dependsOn: [{ name: 'cluster-config-infra' }], sourceRef: { kind: 'GitRepository', name: 'cluster-config' } });
    expect(ks.status.lastAppliedRevision).toMatch(/^main@sha1:[0-9a-f]{40}$/);
    expect(ks.status.lastAttemptedRevision).toBe(ks.status.lastAppliedRevision);

    const git = await list(`${kindPath('GitRepository', 'cluster-config')}/cluster-config`);
    expect(git.status.artifact.revision).toBe(ks.status.lastAppliedRevision);
    expect(git.spec).toMatchObject({ url: 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', ref: { branch: 'main' } });

    const hr = await list(`${kindPath('HelmRelease', 'cluster-config')}/nginx`);
    expect(hr.metadata.labels).toEqual({ 'kustomize.toolkit.fluxcd.io/name': 'cluster-config-infra', 'kustomize.toolkit.fluxcd.io/namespace': 'cluster-config' });
    expect(hr.status).toMatchObject({
      lastAttemptedRevision: '4.10.1',
      helmChart: 'cluster-config/cluster-config-nginx',
      history: [{ name: 'nginx-ingress-controller', namespace: 'nginx', version: 1, status: 'deployed', chartName: 'ingress-nginx', chartVersion: '4.10.1' }],
    });

    const missing = await kube(emu, 'aks1', `${kindPath('Kustomization', 'cluster-config')}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ kind: 'Status', reason: 'NotFound', message: 'kustomizations.kustomize.toolkit.fluxcd.io "nope" not found', details: { name: 'nope', kind: 'kustomizations' } });

    const ns = await list('/api/v1/namespaces');
    expect(ns.kind).toBe('NamespaceList');
    // The tutorial's kustomizations applied the namespaces nginx, redis and podinfo.
    expect(names(ns)).toEqual(['cluster-config', 'default', 'flux-system', 'kube-node-lease', 'kube-public', 'kube-system', 'nginx', 'podinfo', 'redis']);
    expect((await list('/api/v1/namespaces/cluster-config')).status.phase).toBe('Active');
  });

  test('label selectors (equality and set-based) and field selectors on name and namespace', async () => {
    await tutorial();
    const sel = async (path: string, query: string): Promise<string[]> => names(await list(`${path}?${query}`)).sort();
    const HR = kindPath('HelmRelease');
    const q = (s: string): string => encodeURIComponent(s);

    expect(await sel(KS, `labelSelector=${q('clusterconfig.azure.com/name=cluster-config')}`)).toEqual(['cluster-config-apps', 'cluster-config-infra']);
    expect(await sel(KS, `labelSelector=${q('clusterconfig.azure.com/name==cluster-config,clusterconfig.azure.com/is-managed=true')}`)).toHaveLength(2);
    expect(await sel(KS, `labelSelector=${q('clusterconfig.azure.com/name!=cluster-config')}`)).toEqual([]);
    expect(await sel(HR, `labelSelector=${q('clusterconfig.azure.com/is-managed')}`)).toEqual([]);
    expect(await sel(HR, `labelSelector=${q('!clusterconfig.azure.com/is-managed')}`)).toEqual(['nginx', 'podinfo', 'redis']);
    expect(await sel(HR, `labelSelector=${q('kustomize.toolkit.fluxcd.io/name in (cluster-config-infra, other)')}`)).toEqual(['nginx', 'redis']);
    expect(await sel(HR, `labelSelector=${q('kustomize.toolkit.fluxcd.io/name notin (cluster-config-infra)')}`)).toEqual(['podinfo']);

    expect(await sel(KS, `fieldSelector=${q('metadata.name=cluster-config-infra')}`)).toEqual(['cluster-config-infra']);
    expect(await sel(KS, `fieldSelector=${q('metadata.namespace==cluster-config,metadata.name!=cluster-config-infra')}`)).toEqual(['cluster-config-apps']);
    expect(await sel(KS, `fieldSelector=${q('metadata.namespace!=cluster-config')}`)).toEqual([]);
    expect(await sel('/api/v1/namespaces', `labelSelector=${q('kubernetes.io/metadata.name in (flux-system)')}`)).toEqual(['flux-system']);

    const badField = await kube(emu, 'aks1', `${KS}?fieldSelector=${q('spec.path=x')}`);
    expect(badField.status).toBe(400);
    expect(badField.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'field label not supported: spec.path' });
    const badLabel = await kube(emu, 'aks1', `${KS}?labelSelector=${q('a in (b')}`);
    expect(badLabel.status).toBe(400);
  });

  test('limit and continue page a list at one resourceVersion', async () => {
    await tutorial();
    const first = await list(`${kindPath('HelmRelease')}?limit=2`);
    expect(names(first)).toEqual(['nginx', 'podinfo']);
    expect(first.metadata).toMatchObject({ continue: expect.any(String), remainingItemCount: 1 });
    const second = await list(`${kindPath('HelmRelease')}?limit=2&continue=${encodeURIComponent(first.metadata.continue)}`);
    expect(names(second)).toEqual(['redis']);
    expect(second.metadata.continue).toBeUndefined();
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
  });

  test('Table output with the CRD printer columns (what kubectl get asks for)', async () => {
    await tutorial();
    const res = await kube(emu, 'aks1', KS, { headers: { Accept: TABLE } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: expect.any(String) } });
    expect(res.body.columnDefinitions.map((c: any) => `${c.name}:${c.type}`)).toEqual(['Name:string', 'Age:date', 'Ready:string', 'Status:string']);
    const row = res.body.rows.find((r: any) => r.cells[0] === 'cluster-config-infra');
    expect(row.cells[1]).toMatch(/^\d+s$/);
    expect(row.cells[2]).toBe('True');
    expect(row.cells[3]).toMatch(/^Applied revision: main@sha1:[0-9a-f]{40}$/);
    expect(row.object).toMatchObject({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: { name: 'cluster-config-infra', namespace: 'cluster-config' } });

    const git = await kube(emu, 'aks1', kindPath('GitRepository'), { headers: { Accept: TABLE } });
    expect(git.body.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'URL', 'Age', 'Ready', 'Status']);
    expect(git.body.rows[0].cells[1]).toBe('https://github.com/Azure/gitops-flux2-kustomize-helm-mt');

    const ns = await kube(emu, 'aks1', '/api/v1/namespaces/default', { headers: { Accept: TABLE } });
    expect(ns.body.rows).toEqual([{ cells: ['default', 'Active', '30d'], object: expect.any(Object) }]);

    const refused = await kube(emu, 'aks1', KS, { headers: { Accept: 'application/vnd.kubernetes.protobuf' } });
    expect(refused.status).toBe(406);
  });
});

describe('the cluster view agrees with Azure’s view', () => {
  async function agree(configName: string): Promise<void> {
    const arm = (await emu.request('GET', cfgPath(AKS, configName))).body.properties;
    expect(arm.statuses.length).toBeGreaterThan(0);
    for (const s of arm.statuses) {
      const res = await kube(emu, 'aks1', `${kindPath(s.kind, s.namespace)}/${s.name}`);
      expect({ kind: s.kind, name: s.name, status: res.status }).toEqual({ kind: s.kind, name: s.name, status: 200 });
      const o = res.body;
      const ready = o.status.conditions.find((c: any) => c.type === 'Ready');
      const armReady = s.statusConditions[0];
      expect({ name: s.name, status: ready.status, reason: ready.reason, message: ready.message, lastTransitionTime: ready.lastTransitionTime }).toEqual({
        name: s.name,
        status: armReady.status,
        reason: armReady.reason,
        message: armReady.message,
        lastTransitionTime: armReady.lastTransitionTime,
      });
      expect(s.complianceState === 'Compliant').toBe(ready.status === 'True');
      if (s.kind === 'GitRepository') {
        expect(o.status.artifact.revision.replace('@sha1:', '/')).toBe(arm.sourceSyncedCommitId);
      }
      if (s.kind === 'Kustomization' && s.complianceState === 'Compliant') {
        expect(o.status.lastAppliedRevision.replace('@sha1:', '/')).toBe(arm.sourceSyncedCommitId);
        expect(o.status.observedGeneration).toBe(o.metadata.generation);
      }
      if (s.kind === 'HelmRelease') {
        const full = (await emu.request('GET', cfgPath(AKS, configName))).body.properties.statuses.find((x: any) => x.kind === 'HelmRelease' && x.name === s.name);
        expect(o.status.history[0].version).toBe(full.helmReleaseProperties.lastRevisionApplied);
        expect(o.status.helmChart).toBe(`${full.helmReleaseProperties.helmChartRef.namespace}/${full.helmReleaseProperties.helmChartRef.name}`);
      }
      if (s.appliedBy) expect(o.metadata.labels['kustomize.toolkit.fluxcd.io/name']).toBe(s.appliedBy.name);
      else expect(o.metadata.labels['clusterconfig.azure.com/name']).toBe(configName);
    }
    // And nothing reported by the cluster for the configuration is missing from Azure's view.
    const managed = await list(`${KS}?labelSelector=${encodeURIComponent(`clusterconfig.azure.com/name=${configName}`)}`);
    expect(names(managed).sort()).toEqual(arm.statuses.filter((s: any) => s.kind === 'Kustomization').map((s: any) => s.name).sort());
  }

  test('Compliant: every ARM status entry has a matching object (readiness, revision, history)', async () => {
    await tutorial();
    await agree('cluster-config');
  });

  test('Non-Compliant: the failing kustomization is Ready=False with the same reason and message', async () => {
    await emu.control('POST', 'faults', { failKustomization: { apps: 'kustomize build failed: no such file ./apps/staging' } });
    await putConfig(emu, 'cluster-config');
    // Non-Compliant comes early (apps waits on infra); the end is apps' own failure.
    await waitFor(emu, cfgPath(AKS, 'cluster-config'), (b) => b.properties.statuses.some((s: any) => s.name === 'cluster-config-apps' && s.statusConditions?.[0]?.reason === 'BuildFailed'));
    await agree('cluster-config');
    const apps = await list(`${kindPath('Kustomization', 'cluster-config')}/cluster-config-apps`);
    expect(readyOf(apps)).toBe('False/BuildFailed');
    expect(apps.status.lastAttemptedRevision).toMatch(/^main@sha1:/);
    expect(apps.status.lastAppliedRevision).toBeUndefined();
  });
});

describe('watch', () => {
  const byName = (events: WatchEvent[], name: string): string[] => events.filter((e) => e.object.metadata?.name === name).map((e) => `${e.type} ${readyOf(e.object)}`);

  test('from a list resourceVersion: Pending → Ready as MODIFIED events, then suspend and delete', async () => {
    const rv = (await list(KS)).metadata.resourceVersion;
    const w = watchStream(emu, 'aks1', `${KS}?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`);
    await w.ready;
    expect(w.status).toBe(200);
    await putConfig(emu, 'cluster-config');
    await w.until((ev) => ev.filter((e) => readyOf(e.object) === 'True/ReconciliationSucceeded').length === 2);

    expect(byName(w.events, 'cluster-config-infra')).toEqual(['ADDED Unknown/Progressing', 'MODIFIED True/ReconciliationSucceeded']);
    expect(byName(w.events, 'cluster-config-apps')).toEqual([
      'ADDED Unknown/Progressing',
      'MODIFIED False/DependencyNotReady',
      'MODIFIED True/ReconciliationSucceeded',
    ]);
    const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
    expect(rvs[0]).toBeGreaterThan(Number(rv));
    expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    expect(new Set(rvs).size).toBe(rvs.length);
    for (const e of w.events) expect(e.object).toMatchObject({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization' });

    // Suspend: a spec change (generation 2), objects left as they are.
    const count = w.events.length;
    const patch = await emu.request('PATCH', cfgPath(AKS, 'cluster-config'), { body: { properties: { suspend: true } } });
    expect([200, 202]).toContain(patch.status);
    await w.until((ev) => ev.slice(count).filter((e) => e.object.spec?.suspend === true).length === 2);
    for (const e of w.events.slice(count)) expect(e).toMatchObject({ type: 'MODIFIED', object: { metadata: { generation: 2 }, spec: { suspend: true } } });

    // Deleting the configuration deletes its objects.
    const del = await emu.request('DELETE', `${cfgPath(AKS, 'cluster-config')}&forceDelete=true`);
    expect(del.status).toBe(200);
    await w.until((ev) => ev.filter((e) => e.type === 'DELETED').length === 2);
    expect((await list(KS)).items).toEqual([]);
    w.close();
  });

  test('without a resourceVersion: the current objects as ADDED first; a label selector filters events', async () => {
    await tutorial();
    const all = watchStream(emu, 'aks1', `${kindPath('HelmRelease')}?watch=1`);
    const infra = watchStream(emu, 'aks1', `${kindPath('HelmRelease')}?watch=true&labelSelector=${encodeURIComponent('kustomize.toolkit.fluxcd.io/name=cluster-config-infra')}`);
    await all.until((ev) => ev.length === 3);
    await infra.until((ev) => ev.length === 2);
    expect(all.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED nginx', 'ADDED podinfo', 'ADDED redis']);
    expect(infra.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED nginx', 'ADDED redis']);
    all.close();
    infra.close();
  });

  test('timeoutSeconds ends the watch with a BOOKMARK; sendInitialEvents marks the end of the initial events', async () => {
    await tutorial();
    const current = (await list(KS)).metadata.resourceVersion;
    const started = Date.now();
    const w = watchStream(emu, 'aks1', `${KS}?watch=true&resourceVersion=${current}&allowWatchBookmarks=true&timeoutSeconds=1`);
    const events = await w.end(4000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(events).toEqual([{ type: 'BOOKMARK', object: { kind: 'Kustomization', apiVersion: 'kustomize.toolkit.fluxcd.io/v1', metadata: { resourceVersion: current } } }]);

    const s = watchStream(emu, 'aks1', `${KS}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=&allowWatchBookmarks=true&timeoutSeconds=1`);
    await s.until((ev) => ev.length >= 3);
    expect(s.events.slice(0, 3).map((e) => e.type)).toEqual(['ADDED', 'ADDED', 'BOOKMARK']);
    expect(s.events[2]!.object.metadata).toEqual({ resourceVersion: current, annotations: { 'k8s.io/initial-events-end': 'true' } });
    s.close();
  });

  test('a watch of a single object (…/NAME?watch=true)', async () => {
    await tutorial();
    const w = watchStream(emu, 'aks1', `${kindPath('Kustomization', 'cluster-config')}/cluster-config-apps?watch=true`);
    await w.until((ev) => ev.length === 1);
    expect(w.events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'cluster-config-apps' } } });
    w.close();
  });
});

describe('410 Expired', () => {
  test('list, changes beyond the history, then watch from the listed version: 410; a fresh list watches again', async () => {
    await tutorial();
    await emu.control('POST', 'faults', { watchHistory: 4 });
    const listed = await list(KS);
    // A new branch: every object of the configuration changes, several times.
    await emu.request('PATCH', cfgPath(AKS, 'cluster-config'), { body: { properties: { gitRepository: { repositoryRef: { branch: 'dev' } } } } });
    await waitFor(emu, cfgPath(AKS, 'cluster-config'), (b) => b.properties.complianceState === 'Compliant' && String(b.properties.sourceSyncedCommitId).startsWith('dev/'));

    // (timeoutSeconds only keeps a wrong answer — a live watch — from hanging the test.)
    const stale = await kube(emu, 'aks1', `${KS}?watch=true&resourceVersion=${listed.metadata.resourceVersion}&timeoutSeconds=2`);
    expect(stale.status).toBe(410);
    expect(stale.body).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: expect.stringMatching(/^too old resource version: \d+ \(\d+\)$/) });
    const exact = await kube(emu, 'aks1', `${KS}?resourceVersion=${listed.metadata.resourceVersion}&resourceVersionMatch=Exact`);
    expect(exact.status).toBe(410);

    // The re-list path: list again, watch from the new version.
    const relisted = await list(KS);
    expect(Number(relisted.metadata.resourceVersion)).toBeGreaterThan(Number(listed.metadata.resourceVersion));
    expect(relisted.items.map((o: any) => o.status.lastAppliedRevision)).toEqual([expect.stringMatching(/^dev@sha1:/), expect.stringMatching(/^dev@sha1:/)]);
    const w = watchStream(emu, 'aks1', `${KS}?watch=true&resourceVersion=${relisted.metadata.resourceVersion}&allowWatchBookmarks=true&timeoutSeconds=1`);
    const events = await w.end(4000);
    expect(w.status).toBe(200);
    expect(events.map((e) => e.type)).toEqual(['BOOKMARK']);
  });

  test('a live watch the history moves past gets an ERROR event with a 410 Status and ends', async () => {
    await tutorial();
    await emu.control('POST', 'faults', { watchHistory: 2 });
    const rv = (await list(KS)).metadata.resourceVersion;
    const w = watchStream(emu, 'aks1', `${KS}?watch=true&resourceVersion=${rv}`);
    await w.ready;
    // One reconciliation step changes the source and both kustomizations at once: 3 events > 2.
    await emu.request('PATCH', cfgPath(AKS, 'cluster-config'), { body: { properties: { gitRepository: { repositoryRef: { branch: 'dev' } } } } });
    const events = await w.end(4000);
    expect(events[events.length - 1]).toEqual({
      type: 'ERROR',
      object: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: expect.stringMatching(/^too old resource version/), reason: 'Expired', code: 410 },
    });
  });

  test('a reset ends watches; resourceVersions keep increasing, older ones are expired', async () => {
    await tutorial();
    const rv = Number((await list(KS)).metadata.resourceVersion);
    const w = watchStream(emu, 'aks1', `${KS}?watch=true&resourceVersion=${rv}`);
    await w.ready;
    await emu.control('POST', 'reset');
    await w.end(2000);
    await emu.control('POST', 'faults', { extension: { aks1: 'installed' } });
    const after = Number((await list(KS)).metadata.resourceVersion);
    expect(after).toBeGreaterThan(rv);
    expect((await kube(emu, 'aks1', `${KS}?watch=true&resourceVersion=${rv}&timeoutSeconds=2`)).status).toBe(410);
  });

  test('removing the Flux extension deletes the objects (DELETED events), then the watch ends and the kinds are gone', async () => {
    await tutorial();
    const rv = (await list(KS)).metadata.resourceVersion;
    const w = watchStream(emu, 'aks1', `${KS}?watch=true&resourceVersion=${rv}`);
    await w.ready;
    await emu.control('POST', 'faults', { extension: { aks1: 'absent' } });
    const events = await w.end(2000);
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`).sort()).toEqual(['DELETED cluster-config-apps', 'DELETED cluster-config-infra']);
    expect((await kube(emu, 'aks1', KS)).status).toBe(404);
    expect(names(await list('/api/v1/namespaces'))).not.toContain('flux-system');
  });
});
