/**
 * The emulated clusters' Kubernetes APIs through the clients people use: @kubernetes/client-node
 * 1.4 (the product's client: KubeConfig.loadFromFile on the emulator's kubeconfig,
 * CustomObjectsApi, CoreV1Api, Watch, and the informer's re-list after 410) and, when it is on
 * the machine, kubectl.
 */
import { describe, expect, test } from '@jest/globals';
import * as k8s from '@kubernetes/client-node';
import { AKS, sleep, waitFor } from './harness.js';
import { cfgPath, useClusterEmulator, KS, KUBECTL, putConfig, readyOf, runKubectl, waitCompliance } from './kubeharness.js';

const setup = useClusterEmulator();

const KUSTOMIZATIONS = { group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' };

function loadConfig(): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(setup.emu.env.KUBECONFIG!);
  // The CA inline rather than as the emulator's file: an informer can start one more watch after
  // stop() (a re-list in flight when it is stopped goes on to watch), and client-node reads a CA
  // file synchronously as it does; once the emulator has gone with its directory, that throws
  // outside any test and takes the whole jest worker down.
  const clusters = kc.clusters.map((c) => ({ ...c, caData: Buffer.from(setup.emu.ca).toString('base64'), caFile: undefined }));
  kc.loadFromOptions({ clusters, users: kc.users, contexts: kc.contexts, currentContext: kc.getCurrentContext() });
  return kc;
}

async function tutorial(): Promise<void> {
  await putConfig(setup.emu, 'cluster-config');
  await waitCompliance(setup.emu, 'cluster-config');
}

const statusCode = (err: unknown): number | undefined => (err as { code?: number }).code ?? (err as { statusCode?: number }).statusCode;

describe('@kubernetes/client-node 1.4 with the emulator’s kubeconfig', () => {
  test('loadFromFile: contexts named like the clusters, current context aks1', () => {
    const kc = loadConfig();
    expect(kc.getCurrentContext()).toBe('aks1');
    expect(kc.getContexts().map((c) => c.name)).toEqual(['aks1', 'arc1', 'arc-offline', 'hci1']);
    expect(kc.getCurrentCluster()?.server).toBe(`${setup.emu.base}/k8s/aks1`);
  });

  test('CustomObjectsApi lists, filters and gets the Flux objects; CoreV1Api lists namespaces', async () => {
    await tutorial();
    const kc = loadConfig();
    const api = kc.makeApiClient(k8s.CustomObjectsApi);
    const all = (await api.listClusterCustomObject(KUSTOMIZATIONS)) as { metadata: { resourceVersion: string }; items: any[] };
    expect(all.items.map((o) => `${o.metadata.namespace}/${o.metadata.name} ${readyOf(o)}`)).toEqual([
      'cluster-config/cluster-config-apps True/ReconciliationSucceeded',
      'cluster-config/cluster-config-infra True/ReconciliationSucceeded',
    ]);
    expect(all.metadata.resourceVersion).toMatch(/^\d+$/);

    const selected = (await api.listNamespacedCustomObject({
      ...KUSTOMIZATIONS,
      namespace: 'cluster-config',
      labelSelector: 'clusterconfig.azure.com/name=cluster-config',
      fieldSelector: 'metadata.name=cluster-config-infra',
    })) as { items: any[] };
    expect(selected.items.map((o) => o.metadata.name)).toEqual(['cluster-config-infra']);

    const hr = (await api.getNamespacedCustomObject({ group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases', namespace: 'cluster-config', name: 'redis' })) as any;
    expect(hr.status.history[0]).toMatchObject({ chartName: 'redis', chartVersion: '17.17.1', status: 'deployed', version: 1 });

    const core = kc.makeApiClient(k8s.CoreV1Api);
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((n) => n.metadata?.name)).toContain('cluster-config');
    expect(namespaces.items[0]!.metadata?.creationTimestamp).toBeInstanceOf(Date);
  });

  test('errors: 404 for a kind whose CRD the cluster lacks, 401 with a wrong token', async () => {
    const kc = loadConfig();
    kc.setCurrentContext('arc1');
    await expect(kc.makeApiClient(k8s.CustomObjectsApi).listClusterCustomObject(KUSTOMIZATIONS)).rejects.toMatchObject({ code: 404 });

    const wrong = loadConfig();
    const user = wrong.getCurrentUser()!;
    (user as { token?: string }).token = 'not-the-token';
    await expect(wrong.makeApiClient(k8s.CustomObjectsApi).listClusterCustomObject(KUSTOMIZATIONS)).rejects.toMatchObject({ code: 401 });
  });

  test('Watch from a list resourceVersion sees Pending → Ready as MODIFIED events', async () => {
    const kc = loadConfig();
    const api = kc.makeApiClient(k8s.CustomObjectsApi);
    const listed = (await api.listClusterCustomObject(KUSTOMIZATIONS)) as { metadata: { resourceVersion: string } };
    const seen: string[] = [];
    let finished: unknown = 'open';
    const controller = await new k8s.Watch(kc).watch(
      KS,
      { resourceVersion: listed.metadata.resourceVersion, allowWatchBookmarks: true },
      (type: string, obj: any) => seen.push(`${type} ${obj.metadata.name} ${readyOf(obj)}`),
      (err: unknown) => (finished = err),
    );
    await putConfig(setup.emu, 'cluster-config');
    await waitCompliance(setup.emu, 'cluster-config');
    const deadline = Date.now() + 3000;
    while (seen.filter((s) => s.endsWith('True/ReconciliationSucceeded')).length < 2 && Date.now() < deadline) await sleep(20);
    // The server kept the watch open all along (aborting it then ends it on our side).
    expect(finished).toBe('open');
    controller.abort();
    expect(seen.filter((s) => s.includes('cluster-config-apps'))).toEqual([
      'ADDED cluster-config-apps Unknown/Progressing',
      'MODIFIED cluster-config-apps False/DependencyNotReady',
      'MODIFIED cluster-config-apps True/ReconciliationSucceeded',
    ]);
    expect(seen.filter((s) => s.includes('cluster-config-infra'))).toEqual(['ADDED cluster-config-infra Unknown/Progressing', 'MODIFIED cluster-config-infra True/ReconciliationSucceeded']);
  });

  test('Watch gets 410 for a too-old resourceVersion; the informer re-lists after a 410 ERROR and catches up', async () => {
    await tutorial();
    await setup.emu.control('POST', 'faults', { watchHistory: 2 });
    const kc = loadConfig();
    const api = kc.makeApiClient(k8s.CustomObjectsApi);
    const listed = (await api.listClusterCustomObject(KUSTOMIZATIONS)) as { metadata: { resourceVersion: string } };
    const informer = k8s.makeInformer(kc, KS, () => api.listClusterCustomObject(KUSTOMIZATIONS) as never);
    let connects = 0;
    informer.on('connect', () => connects++);
    await informer.start();
    // A new branch: each reconciliation step changes more objects than the history keeps.
    await setup.emu.request('PATCH', cfgPath(AKS, 'cluster-config'), { body: { properties: { gitRepository: { repositoryRef: { branch: 'dev' } } } } });
    await waitFor(setup.emu, cfgPath(AKS, 'cluster-config'), (b) => b.properties.complianceState === 'Compliant' && String(b.properties.sourceSyncedCommitId).startsWith('dev/'));
    const deadline = Date.now() + 3000;
    const revisions = (): string[] => informer.list().map((o: any) => `${o.metadata.name} ${o.status?.lastAppliedRevision?.replace(/@.*/, '')}`);
    while (revisions().some((r) => !r.endsWith(' dev')) && Date.now() < deadline) await sleep(20);
    await informer.stop();
    expect(revisions().sort()).toEqual(['cluster-config-apps dev', 'cluster-config-infra dev']);
    expect(connects).toBeGreaterThanOrEqual(2);

    // The old list version is gone: Watch reports HTTP 410 through its done callback.
    const done = await new Promise<unknown>((resolve) => {
      void new k8s.Watch(kc).watch(KS, { resourceVersion: listed.metadata.resourceVersion }, () => undefined, resolve);
    });
    expect(statusCode(done)).toBe(410);
  });
});

const kubectl = KUBECTL;
if (!kubectl) {
  console.warn('kubectl is not on PATH: the kubectl test of the emulated Kubernetes API is SKIPPED.');
}

describe('kubectl', () => {
  // An isolated environment: only the emulator's kubeconfig, a scratch HOME and cache.
  const run = (args: string[]): { status: number | null; stdout: string; stderr: string } => runKubectl(setup.emu, setup.scratch, args);

  (kubectl ? test : test.skip)(
    kubectl ? 'kubectl get kustomizations -A prints the kustomizations with READY True' : 'kubectl get kustomizations -A (SKIPPED: kubectl is not on PATH)',
    async () => {
      await tutorial();
      const res = run(['get', 'kustomizations', '-A']);
      expect({ status: res.status, stderr: res.stderr }).toEqual({ status: 0, stderr: '' });
      const [header, ...rows] = res.stdout.trimEnd().split('\n').map((l) => l.trim().split(/\s{2,}/));
      expect(header).toEqual(['NAMESPACE', 'NAME', 'AGE', 'READY', 'STATUS']);
      expect(rows.map((r) => [r[0], r[1], r[3]])).toEqual([
        ['cluster-config', 'cluster-config-apps', 'True'],
        ['cluster-config', 'cluster-config-infra', 'True'],
      ]);
      for (const r of rows) expect(r[4]).toMatch(/^Applied revision: main@sha1:[0-9a-f]{40}$/);

      const json = run(['get', 'ks', '-n', 'cluster-config', 'cluster-config-infra', '-o', 'json']);
      expect(json.status).toBe(0);
      expect(JSON.parse(json.stdout)).toMatchObject({ kind: 'Kustomization', status: { conditions: [{ type: 'Ready', status: 'True' }] } });

      const other = run(['--context', 'hci1', 'get', 'namespaces']);
      expect(other.status).toBe(0);
      expect(other.stdout).toMatch(/^NAME\s+STATUS\s+AGE\n/);
      expect(other.stdout).not.toContain('flux-system');
    },
  );
});
