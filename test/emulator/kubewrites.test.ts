/**
 * What the emulated clusters accept and record for the day-two verbs: PATCH of Flux objects
 * (JSON merge patch and JSON patch, metadata and spec, preconditions, validation against the
 * CRD, dry runs), the agent honouring `reconcile.fluxcd.io/requestedAt` (Progressing, then the
 * token in `status.lastHandledReconcileAt`, a failing kustomization failing again, a suspended
 * one only echoing the token), Azure's `statuses[]` agreeing with the cluster after each edit,
 * Kustomization inventories, and the events of every transition in `v1` and `events.k8s.io/v1`
 * (list, field selectors, watch). With kubectl on PATH: `kubectl annotate` and `kubectl get events`.
 */
import { describe, expect, test } from '@jest/globals';
import { validateKubeObject } from '../../schemas/validate.js';
import { AKS, sleep, waitFor } from './harness.js';
import { cfgPath, useClusterEmulator, kindPath, kube, KUBECTL, putConfig, readyOf, runKubectl, waitCompliance, watchStream } from './kubeharness.js';

const setup = useClusterEmulator();

const NS = 'cluster-config';
const INFRA = `${kindPath('Kustomization', NS)}/cluster-config-infra`;
const SOURCE = `${kindPath('GitRepository', NS)}/cluster-config`;
const MERGE = { 'Content-Type': 'application/merge-patch+json' };
const JSON_PATCH = { 'Content-Type': 'application/json-patch+json' };
const FAILURE = 'kustomize build failed: accumulating resources from ./infrastructure/nginx: evalsymlink failure on /tmp/kustomization-1234/infrastructure/nginx: lstat /tmp/kustomization-1234/infrastructure/nginx: no such file or directory; a message long enough that nothing may cut it short';

async function tutorial(): Promise<void> {
  await putConfig(setup.emu, 'cluster-config');
  await waitCompliance(setup.emu, 'cluster-config');
}

async function get(path: string): Promise<any> {
  const res = await kube(setup.emu, 'aks1', path);
  expect(res.status).toBe(200);
  return res.body;
}

async function patch(path: string, body: unknown, headers: Record<string, string> = MERGE): Promise<any> {
  return kube(setup.emu, 'aks1', path, { method: 'PATCH', headers, body: JSON.stringify(body) });
}

/** Polls a cluster object until `predicate` holds. */
async function until(path: string, predicate: (obj: any) => boolean, timeoutMs = 5000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const obj = await get(path);
    if (predicate(obj)) return obj;
    if (Date.now() > deadline) throw new Error(`still waiting for ${path}: ${JSON.stringify(obj.status)}`);
    await sleep(25);
  }
}

const requestAt = (token: string): unknown => ({ metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': token } } });

/** Azure's view of one object of the configuration. */
async function armStatus(kind: string, name: string): Promise<any> {
  const res = await setup.emu.request('GET', cfgPath(AKS, 'cluster-config'));
  return res.body.properties.statuses.find((s: any) => s.kind === kind && s.name === name);
}

describe('PATCH of Flux objects', () => {
  test('a merge patch of metadata adds the annotation and a label; the object stays valid and nothing else moves', async () => {
    await tutorial();
    const before = await get(INFRA);
    const res = await patch(INFRA, { metadata: { labels: { team: 'platform' }, annotations: { note: 'hello' } } });
    expect(res.status).toBe(200);
    expect(res.body.metadata).toMatchObject({ labels: { team: 'platform', 'clusterconfig.azure.com/name': 'cluster-config' }, annotations: { note: 'hello' }, generation: before.metadata.generation, uid: before.metadata.uid });
    expect(Number(res.body.metadata.resourceVersion)).toBeGreaterThan(Number(before.metadata.resourceVersion));
    expect(res.body.spec).toEqual(before.spec);
    expect(validateKubeObject(res.body)).toEqual([]);
    expect((await get(INFRA)).metadata.annotations).toEqual({ note: 'hello' });
    // Removing with null, as a merge patch does.
    const removed = await patch(INFRA, { metadata: { annotations: { note: null } } });
    expect(removed.body.metadata.annotations).toBeUndefined();
  });

  test('every Kubernetes request is logged apart from ARM: method, path, content type, the PATCH body, the status; a clear forgets them', async () => {
    await tutorial();
    await setup.emu.control('DELETE', 'requests');
    await get(INFRA);
    expect((await patch(INFRA, requestAt('logged'))).status).toBe(200);
    expect((await patch(`${INFRA}-nope`, requestAt('x'))).status).toBe(404);
    const log = (await setup.emu.control('GET', 'kube-requests')).body as any[];
    expect(log.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([`GET /k8s/aks1${INFRA} 200`, `PATCH /k8s/aks1${INFRA} 200`, `PATCH /k8s/aks1${INFRA}-nope 404`]);
    expect(log[1]).toMatchObject({ headers: { 'content-type': 'application/merge-patch+json', authorization: 'Bearer <redacted>' }, body: requestAt('logged') });
    expect((await setup.emu.control('GET', 'requests')).body).toEqual([]);
    await setup.emu.control('DELETE', 'requests');
    expect((await setup.emu.control('GET', 'kube-requests')).body).toEqual([]);
  });

  test('a JSON patch of the spec bumps the generation; the controller reconciles it again and Azure reports the same Ready condition', async () => {
    await tutorial();
    const res = await patch(INFRA, [
      { op: 'test', path: '/spec/path', value: './infrastructure' },
      { op: 'replace', path: '/spec/interval', value: '5m0s' },
      { op: 'add', path: '/spec/force', value: true },
    ], JSON_PATCH);
    expect(res.status).toBe(200);
    expect(res.body.metadata.generation).toBe(2);
    expect(res.body.spec).toMatchObject({ interval: '5m0s', force: true, path: './infrastructure' });
    expect(readyOf(res.body)).toBe('Unknown/Progressing');
    const done = await until(INFRA, (o) => readyOf(o) === 'True/ReconciliationSucceeded');
    expect(done.status.observedGeneration).toBe(2);
    expect(done.spec.interval).toBe('5m0s'); // the edit stays until Azure delivers the configuration again
    const ready = done.status.conditions.find((c: any) => c.type === 'Ready');
    const reported = await armStatus('Kustomization', 'cluster-config-infra');
    expect(reported.statusConditions[0]).toEqual({ type: 'Ready', status: ready.status, reason: ready.reason, message: ready.message, lastTransitionTime: ready.lastTransitionTime });
  });

  test('refused as the API server refuses: strategic merge (415), a stale resourceVersion (409), an invalid spec (422), another name (400), namespaces and events (405), an unknown object (404)', async () => {
    await tutorial();
    const current = await get(INFRA);
    const smp = await patch(INFRA, { spec: { force: true } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    expect(smp.status).toBe(415);
    expect(smp.body).toMatchObject({ kind: 'Status', reason: 'UnsupportedMediaType', code: 415 });
    const stale = await patch(INFRA, { metadata: { resourceVersion: String(Number(current.metadata.resourceVersion) - 1), labels: { a: 'b' } } });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toContain('the object has been modified');
    const fresh = await patch(INFRA, { metadata: { resourceVersion: current.metadata.resourceVersion, labels: { a: 'b' } } });
    expect(fresh.status).toBe(200);
    const invalid = await patch(INFRA, { spec: { interval: 'soon', prune: 'yes' } });
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({ reason: 'Invalid', details: { kind: 'Kustomization', name: 'cluster-config-infra' } });
    expect(invalid.body.details.causes.map((c: any) => c.field).sort()).toEqual(['spec.interval', 'spec.prune']);
    const renamed = await patch(INFRA, { metadata: { name: 'other' } });
    expect(renamed.status).toBe(400);
    const badPatch = await patch(INFRA, [{ op: 'remove', path: '/spec/nothing' }], JSON_PATCH);
    expect(badPatch.status).toBe(422);
    for (const path of ['/api/v1/namespaces/cluster-config', `/api/v1/namespaces/${NS}/events/x`]) {
      expect((await patch(path, { metadata: { labels: { a: 'b' } } })).status).toBe(405);
    }
    expect((await patch(`${kindPath('Kustomization', NS)}/nope`, { metadata: { labels: { a: 'b' } } })).status).toBe(404);
    // Nothing of the refused patches stuck.
    const after = await get(INFRA);
    expect(after.spec).toEqual(current.spec);
    expect(after.metadata.generation).toBe(current.metadata.generation);
  });

  test('dryRun=All answers the result and changes nothing', async () => {
    await tutorial();
    const before = await get(INFRA);
    const res = await patch(`${INFRA}?dryRun=All`, { spec: { path: './elsewhere' } });
    expect(res.status).toBe(200);
    expect(res.body.spec.path).toBe('./elsewhere');
    expect(res.body.metadata.generation).toBe(before.metadata.generation + 1);
    expect(await get(INFRA)).toEqual(before);
  });
});

describe('reconcile.fluxcd.io/requestedAt', () => {
  test('the source and a kustomization go Progressing, then echo the token in lastHandledReconcileAt and are Ready again', async () => {
    await tutorial();
    for (const path of [SOURCE, INFRA]) {
      const before = await get(path);
      expect(before.status.lastHandledReconcileAt).toBeUndefined();
      const token = new Date().toISOString();
      const res = await patch(path, requestAt(token));
      expect(res.status).toBe(200);
      expect(res.body.metadata.annotations).toEqual({ 'reconcile.fluxcd.io/requestedAt': token });
      expect(res.body.metadata.generation).toBe(before.metadata.generation); // metadata only
      const done = await until(path, (o) => o.status.lastHandledReconcileAt === token);
      expect(readyOf(done)).toBe(readyOf(before));
      expect(done.status.conditions.map((c: any) => c.type)).toEqual(['Ready']);
    }
    // The same token again is no new request.
    const again = await patch(INFRA, requestAt((await get(INFRA)).status.lastHandledReconcileAt));
    expect(readyOf(again.body)).toBe('True/ReconciliationSucceeded');
  });

  test('a failing kustomization fails again with the whole message, reported by Azure as Non-Compliant, as a Warning event', async () => {
    await tutorial();
    await setup.emu.control('POST', 'faults', { failKustomization: { infra: FAILURE } });
    const token = '2026-12-06T10:00:00.123456789Z';
    await patch(INFRA, requestAt(token));
    const done = await until(INFRA, (o) => o.status.lastHandledReconcileAt === token);
    const ready = done.status.conditions.find((c: any) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'BuildFailed', message: FAILURE });
    await waitFor(setup.emu, cfgPath(AKS, 'cluster-config'), (b) => b.properties.complianceState === 'Non-Compliant');
    expect((await armStatus('Kustomization', 'cluster-config-infra')).statusConditions[0]).toMatchObject({ status: 'False', reason: 'BuildFailed', message: FAILURE });

    const events = await get(`/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dcluster-config-infra,type%3DWarning`);
    expect(events.kind).toBe('EventList');
    expect(events.items).toHaveLength(1);
    expect(events.items[0]).toMatchObject({
      type: 'Warning',
      reason: 'BuildFailed',
      message: FAILURE,
      count: 1,
      involvedObject: { kind: 'Kustomization', name: 'cluster-config-infra', namespace: NS, apiVersion: 'kustomize.toolkit.fluxcd.io/v1', uid: done.metadata.uid },
      source: { component: 'kustomize-controller' },
    });
    // The same failure again is counted on the same event.
    await patch(INFRA, requestAt(`${token}-2`));
    await until(INFRA, (o) => o.status.lastHandledReconcileAt === `${token}-2`);
    const counted = await get(`/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Dcluster-config-infra,type%3DWarning`);
    expect(counted.items.map((e: any) => [e.metadata.name, e.count])).toEqual([[events.items[0].metadata.name, 2]]);
  });

  test('a suspended object only echoes the token: its status is left as it was', async () => {
    await tutorial();
    const put = await setup.emu.request('PATCH', cfgPath(AKS, 'cluster-config'), { body: { properties: { suspend: true } } });
    expect(put.status).toBe(202);
    await waitFor(setup.emu, cfgPath(AKS, 'cluster-config'), (b) => b.properties.complianceState === 'Suspended');
    const before = await until(INFRA, (o) => o.spec.suspend === true);
    await patch(INFRA, requestAt('t-suspended'));
    const done = await until(INFRA, (o) => o.status.lastHandledReconcileAt === 't-suspended');
    expect(done.status.conditions).toEqual(before.status.conditions);
  });
});

describe('inventories', () => {
  test("each Kustomization lists what it applied: the tutorial's namespaces, ConfigMap, HelmRepositories and HelmReleases", async () => {
    await tutorial();
    const infra = await get(INFRA);
    expect(infra.status.inventory.entries.map((e: any) => `${e.id} ${e.v}`)).toEqual([
      '_nginx__Namespace v1',
      '_redis__Namespace v1',
      expect.stringMatching(/^cluster-config_redis-values-[a-z0-9]{10}__ConfigMap v1$/),
      'cluster-config_bitnami_source.toolkit.fluxcd.io_HelmRepository v1',
      'cluster-config_ingress-nginx_source.toolkit.fluxcd.io_HelmRepository v1',
      'cluster-config_podinfo_source.toolkit.fluxcd.io_HelmRepository v1',
      'cluster-config_nginx_helm.toolkit.fluxcd.io_HelmRelease v2',
      'cluster-config_redis_helm.toolkit.fluxcd.io_HelmRelease v2',
    ]);
    expect(validateKubeObject(infra)).toEqual([]);
    const apps = await get(`${kindPath('Kustomization', NS)}/cluster-config-apps`);
    expect(apps.status.inventory.entries.map((e: any) => e.id)).toEqual(['_podinfo__Namespace', 'cluster-config_podinfo_helm.toolkit.fluxcd.io_HelmRelease']);
    // Every Flux object of an inventory exists, applied by that Kustomization.
    for (const e of [...infra.status.inventory.entries, ...apps.status.inventory.entries].filter((x: any) => x.id.includes('toolkit'))) {
      const [ns, name, , kind] = e.id.split('_');
      const obj = await get(`${kindPath(kind, ns)}/${name}`);
      expect(obj.metadata.labels['kustomize.toolkit.fluxcd.io/name']).toMatch(/^cluster-config-(infra|apps)$/);
    }
  });

  test('a kustomization of another repository applies nothing: an empty inventory once applied', async () => {
    const body: any = { properties: { scope: 'cluster', namespace: 'team', sourceKind: 'GitRepository', gitRepository: { url: 'https://example.com/team.git', repositoryRef: { branch: 'main' } }, kustomizations: { app: { path: './app' } } } };
    await putConfig(setup.emu, 'team', body);
    await waitCompliance(setup.emu, 'team');
    expect((await get(`${kindPath('Kustomization', 'team')}/team-app`)).status.inventory).toEqual({ entries: [] });
  });
});

describe('events', () => {
  test('served in v1 and events.k8s.io/v1, listed in discovery, with field selectors on the object', async () => {
    await tutorial();
    const group = await get('/apis/events.k8s.io/v1');
    expect(group.resources.find((r: any) => r.name === 'events')).toMatchObject({ kind: 'Event', namespaced: true, verbs: ['get', 'list', 'watch'] });

    const core = await get(`/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.kind%3DKustomization,involvedObject.name%3Dcluster-config-apps`);
    expect(core.items.map((e: any) => `${e.type} ${e.reason}`)).toEqual(expect.arrayContaining(['Normal Progressing', 'Normal DependencyNotReady', 'Normal ReconciliationSucceeded']));
    expect(new Set(core.items.map((e: any) => e.involvedObject.name))).toEqual(new Set(['cluster-config-apps']));

    const v1 = await get(`/apis/events.k8s.io/v1/namespaces/${NS}/events?fieldSelector=regarding.name%3Dcluster-config-apps`);
    expect(v1.apiVersion).toBe('events.k8s.io/v1');
    expect(v1.items.map((e: any) => e.metadata.name).sort()).toEqual(core.items.map((e: any) => e.metadata.name).sort());
    const one = v1.items.find((e: any) => e.reason === 'ReconciliationSucceeded');
    const same = core.items.find((e: any) => e.metadata.name === one.metadata.name);
    expect(one).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      regarding: same.involvedObject,
      note: same.message,
      reportingController: 'kustomize-controller',
      deprecatedCount: same.count,
      deprecatedFirstTimestamp: same.firstTimestamp,
      deprecatedLastTimestamp: same.lastTimestamp,
    });
    expect(one.message).toBeUndefined();

    const all = await get('/api/v1/events');
    expect(all.items.length).toBeGreaterThan(core.items.length);
    const unknownField = await kube(setup.emu, 'aks1', `/api/v1/namespaces/${NS}/events?fieldSelector=spec.nothing%3Dx`);
    expect(unknownField.status).toBe(400);
  });

  test('a watch of events sees the events of a reconcile request as they happen', async () => {
    await tutorial();
    const listed = await get(`/api/v1/namespaces/${NS}/events`);
    const watch = watchStream(setup.emu, 'aks1', `/api/v1/namespaces/${NS}/events?watch=true&resourceVersion=${listed.metadata.resourceVersion}&fieldSelector=involvedObject.name%3Dcluster-config`);
    await watch.ready;
    expect(watch.status).toBe(200);
    await patch(SOURCE, requestAt('watch-me'));
    const seen = await watch.until((events) => events.some((e) => e.object.reason === 'Succeeded' && e.object.count === 2));
    watch.close();
    expect(seen.every((e) => e.object.kind === 'Event' && e.object.involvedObject.name === 'cluster-config')).toBe(true);
    expect(seen.map((e) => `${e.type} ${e.object.reason} ${e.object.count}`)).toEqual(['MODIFIED Progressing 2', 'MODIFIED Succeeded 2']);
  });
});

const kubectl = KUBECTL;
if (!kubectl) console.warn('kubectl is not on PATH: the kubectl annotate / get events test of the emulated Kubernetes API is SKIPPED.');

describe('kubectl', () => {
  const run = (args: string[]): { status: number | null; stdout: string; stderr: string } => runKubectl(setup.emu, setup.scratch, args);

  (kubectl ? test : test.skip)(
    kubectl ? 'kubectl annotate asks for a reconcile; kubectl get events shows it, and the failure message whole' : 'kubectl annotate and get events (SKIPPED: kubectl is not on PATH)',
    async () => {
      await tutorial();
      await setup.emu.control('POST', 'faults', { failKustomization: { infra: FAILURE } });
      const annotate = run(['-n', NS, 'annotate', '--overwrite', '--field-manager=flux-client-side-apply', 'kustomization', 'cluster-config-infra', 'reconcile.fluxcd.io/requestedAt=from-kubectl']);
      expect({ status: annotate.status, stdout: annotate.stdout, stderr: annotate.stderr }).toEqual({ status: 0, stdout: 'kustomization.kustomize.toolkit.fluxcd.io/cluster-config-infra annotated\n', stderr: '' });
      await until(INFRA, (o) => o.status.lastHandledReconcileAt === 'from-kubectl');

      const events = run(['-n', NS, 'get', 'events', '--field-selector', 'type=Warning']);
      expect({ status: events.status, stderr: events.stderr }).toEqual({ status: 0, stderr: '' });
      const [header, ...rows] = events.stdout.trimEnd().split('\n');
      expect(header!.trim().split(/\s{2,}/)).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.trim().split(/\s{2,}/).slice(1)).toEqual(['Warning', 'BuildFailed', 'kustomization/cluster-config-infra', FAILURE]);

      const v1 = run(['-n', NS, 'get', 'events.v1.events.k8s.io', '-o', 'jsonpath={range .items[?(@.type=="Warning")]}{.note}{end}']);
      expect({ status: v1.status, stdout: v1.stdout }).toEqual({ status: 0, stdout: FAILURE });
    },
  );
});
