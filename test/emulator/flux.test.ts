/**
 * fluxConfigurations through the emulator: the tutorial configuration from PUT to Compliant,
 * PATCH merge semantics, suspension, source-kind rules, secrets, SSH deploy keys and DELETE.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { AKS, ARC, FAST, FLUX_API, HCI, installFlux, KC, sleep, startEmulator, tutorialConfig, waitFor, waitForOperation, type RunningEmulator } from './harness.js';

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator(FAST);
});

afterAll(async () => {
  await emu?.stop();
});

beforeEach(async () => {
  await emu.control('POST', 'reset');
  await emu.control('POST', 'faults', { extension: { aks1: 'installed', arc1: 'installed' } });
});

const cfg = (cluster: string, name: string): string => `${cluster}/${KC}/fluxConfigurations/${name}?${FLUX_API}`;

interface Status {
  kind: string;
  name: string;
  namespace: string;
  complianceState: string;
  appliedBy: { name: string; namespace: string } | null;
  statusConditions: { type: string; status: string; reason: string; message: string; lastTransitionTime: string }[] | null;
  helmReleaseProperties: Record<string, unknown> | null;
}

const summary = (statuses: Status[]): string[] => statuses.map((s) => `${s.kind}/${s.name}=${s.complianceState}`);

describe('the tutorial configuration', () => {
  test('PUT → LRO → Pending with everything in progress → Compliant with every object Flux deploys', async () => {
    const put = await emu.request('PUT', cfg(AKS, 'cluster-config'), { body: tutorialConfig() });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({
      id: `${AKS}/${KC}/fluxConfigurations/cluster-config`,
      name: 'cluster-config',
      type: 'Microsoft.KubernetesConfiguration/fluxConfigurations',
      systemData: { createdAt: expect.any(String), lastModifiedAt: expect.any(String) },
      properties: {
        scope: 'cluster',
        namespace: 'cluster-config',
        sourceKind: 'GitRepository',
        suspend: false,
        gitRepository: {
          url: 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt',
          timeoutInSeconds: 600,
          syncIntervalInSeconds: 600,
          repositoryRef: { branch: 'main', tag: null, semver: null, commit: null },
        },
        kustomizations: {
          infra: { name: 'infra', path: './infrastructure', dependsOn: [], prune: true, wait: true, timeoutInSeconds: 600, syncIntervalInSeconds: 600 },
          apps: { name: 'apps', path: './apps/staging', dependsOn: ['infra'], prune: true },
        },
        provisioningState: 'Creating',
        complianceState: 'Pending',
        statuses: [],
        errorMessage: '',
      },
    });
    const op = await waitForOperation(emu, put.headers['azure-asyncoperation'] as string);
    expect(op.body.status).toBe('Succeeded');

    const pending = await emu.request('GET', cfg(AKS, 'cluster-config'));
    expect(pending.body.properties.provisioningState).toBe('Succeeded');
    expect(pending.body.properties.complianceState).toBe('Pending');
    const first = pending.body.properties.statuses as Status[];
    expect(summary(first)).toEqual(['GitRepository/cluster-config=Pending', 'Kustomization/cluster-config-infra=Pending', 'Kustomization/cluster-config-apps=Pending']);
    for (const s of first) {
      expect(s.namespace).toBe('cluster-config');
      expect(s.statusConditions).toEqual([{ type: 'Ready', status: 'Unknown', reason: 'Progressing', message: expect.any(String), lastTransitionTime: expect.any(String) }]);
    }

    const done = await waitFor(emu, cfg(AKS, 'cluster-config'), (b) => b.properties.complianceState === 'Compliant');
    const p = done.body.properties;
    expect(p.sourceSyncedCommitId).toMatch(/^main\/[0-9a-f]{40}$/);
    const sha = (p.sourceSyncedCommitId as string).slice('main/'.length);
    expect(Date.parse(p.sourceUpdatedAt)).not.toBeNaN();
    expect(Date.parse(p.statusUpdatedAt)).not.toBeNaN();
    expect(p.repositoryPublicKey).toBeNull();
    const statuses = p.statuses as Status[];
    expect(summary(statuses)).toEqual([
      'GitRepository/cluster-config=Compliant',
      'Kustomization/cluster-config-infra=Compliant',
      'Kustomization/cluster-config-apps=Compliant',
      'HelmRepository/bitnami=Compliant',
      'HelmRepository/ingress-nginx=Compliant',
      'HelmRepository/podinfo=Compliant',
      'HelmRelease/nginx=Compliant',
      'HelmRelease/redis=Compliant',
      'HelmRelease/podinfo=Compliant',
    ]);
    const by = (kind: string, name: string): Status => statuses.find((s) => s.kind === kind && s.name === name)!;
    expect(by('GitRepository', 'cluster-config').statusConditions![0]).toMatchObject({
      type: 'Ready',
      status: 'True',
      message: `stored artifact for revision 'main@sha1:${sha}'`,
    });
    expect(by('Kustomization', 'cluster-config-apps').statusConditions![0]).toMatchObject({
      status: 'True',
      reason: 'ReconciliationSucceeded',
      message: `Applied revision: main@sha1:${sha}`,
    });
    for (const s of statuses.filter((s) => s.kind.startsWith('Helm'))) expect(s.namespace).toBe('cluster-config');
    expect(by('HelmRelease', 'nginx').appliedBy).toEqual({ name: 'cluster-config-infra', namespace: 'cluster-config' });
    expect(by('HelmRepository', 'bitnami').appliedBy).toEqual({ name: 'cluster-config-infra', namespace: 'cluster-config' });
    expect(by('HelmRelease', 'podinfo').appliedBy).toEqual({ name: 'cluster-config-apps', namespace: 'cluster-config' });
    expect(by('HelmRelease', 'nginx').helmReleaseProperties).toEqual({
      lastRevisionApplied: 1,
      helmChartRef: { name: 'cluster-config-nginx', namespace: 'cluster-config' },
      failureCount: 0,
      installFailureCount: 0,
      upgradeFailureCount: 0,
    });
    expect(by('HelmRepository', 'bitnami').helmReleaseProperties).toBeNull();

    // LIST is lighter: no conditions.
    const list = await emu.request('GET', `${AKS}/${KC}/fluxConfigurations?${FLUX_API}`);
    expect(list.body.value).toHaveLength(1);
    expect(list.body.value[0].properties.statuses[0].statusConditions).toBeNull();
    expect(list.body.value[0].properties.complianceState).toBe('Compliant');
  });

  test('Kustomizations become ready after the ones they depend on; meanwhile Azure calls the waiting one and the configuration Non-Compliant', async () => {
    const put = await emu.request('PUT', cfg(ARC, 'cluster-config'), { body: tutorialConfig() });
    await waitForOperation(emu, put.headers['azure-asyncoperation'] as string);
    const seen: string[] = [];
    const waiting = new Set<string>();
    await waitFor(emu, cfg(ARC, 'cluster-config'), (b) => {
      const statuses = b.properties.statuses as Status[];
      const state = (name: string): string => statuses.find((s) => s.name === name)?.statusConditions?.[0]?.reason ?? 'none';
      seen.push(`${state('cluster-config')} ${state('cluster-config-infra')} ${state('cluster-config-apps')}`);
      const apps = statuses.find((s) => s.name === 'cluster-config-apps');
      if (apps?.statusConditions?.[0]?.reason === 'DependencyNotReady') waiting.add(`apps ${apps.complianceState}, configuration ${b.properties.complianceState}`);
      return b.properties.complianceState === 'Compliant';
    });
    // As real Azure reports a healthy rollout: Ready=False is Non-Compliant, whatever the reason.
    expect([...waiting]).toEqual(['apps Non-Compliant, configuration Non-Compliant']);
    // Never apps before infra, and the intermediate state (infra applied, apps waiting for it) was reported.
    expect(seen.filter((s) => s.endsWith('ReconciliationSucceeded') && !s.includes('ReconciliationSucceeded ReconciliationSucceeded'))).toEqual([]);
    expect(seen).toContain('Succeeded ReconciliationSucceeded DependencyNotReady');
    expect(seen[seen.length - 1]).toBe('Succeeded ReconciliationSucceeded ReconciliationSucceeded');
  });

  test('the agent keeps Flux objects with generations and conditions (GET /_emulator/state)', async () => {
    await installFlux(emu, HCI);
    const put = await emu.request('PUT', cfg(HCI, 'cluster-config'), { body: tutorialConfig() });
    await waitForOperation(emu, put.headers['azure-asyncoperation'] as string);
    await waitFor(emu, cfg(HCI, 'cluster-config'), (b) => b.properties.complianceState === 'Compliant');
    const state = await emu.control('GET', 'state');
    const hci = state.body.clusters.find((c: { name: string }) => c.name === 'hci1');
    const ks = hci.objects.find((o: { kind: string; metadata: { name: string } }) => o.kind === 'Kustomization' && o.metadata.name === 'cluster-config-apps');
    expect(ks).toMatchObject({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      metadata: { namespace: 'cluster-config', generation: 1, labels: { 'clusterconfig.azure.com/name': 'cluster-config' } },
      spec: { path: './apps/staging', dependsOn: [{ name: 'cluster-config-infra' }], sourceRef: { kind: 'GitRepository', name: 'cluster-config' } },
      status: { observedGeneration: 1, conditions: [{ type: 'Ready', status: 'True' }] },
    });
  });
});

describe('PATCH', () => {
  async function created(): Promise<void> {
    const put = await emu.request('PUT', cfg(AKS, 'cfg'), { body: tutorialConfig() });
    await waitForOperation(emu, put.headers['azure-asyncoperation'] as string);
  }

  test('merges nested objects, null removes a field, a kustomization set to null is deleted', async () => {
    await created();
    const patch = await emu.request('PATCH', cfg(AKS, 'cfg'), {
      body: {
        properties: {
          gitRepository: { syncIntervalInSeconds: 120 },
          kustomizations: { apps: null, infra: { path: './infra2', prune: null }, extra: { path: './extra', dependsOn: ['infra'] } },
        },
      },
    });
    expect(patch.status).toBe(202);
    expect(patch.headers['azure-asyncoperation']).toBeDefined();
    const p = patch.body.properties;
    expect(p.provisioningState).toBe('Updating');
    expect(p.gitRepository).toMatchObject({ url: 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', syncIntervalInSeconds: 120, repositoryRef: { branch: 'main' } });
    expect(Object.keys(p.kustomizations).sort()).toEqual(['extra', 'infra']);
    expect(p.kustomizations.infra).toMatchObject({ name: 'infra', path: './infra2', prune: false });
    expect(p.kustomizations.extra).toMatchObject({ name: 'extra', path: './extra', dependsOn: ['infra'], wait: true });
    await waitForOperation(emu, patch.headers['azure-asyncoperation'] as string);
    const done = await waitFor(emu, cfg(AKS, 'cfg'), (b) => b.properties.complianceState === 'Compliant');
    expect(summary(done.body.properties.statuses)).toEqual(['GitRepository/cfg=Compliant', 'Kustomization/cfg-infra=Compliant', 'Kustomization/cfg-extra=Compliant']);
  });

  test('nothing to change is 200 without an operation', async () => {
    await created();
    const res = await emu.request('PATCH', cfg(AKS, 'cfg'), { body: { properties: { gitRepository: {}, suspend: false } } });
    expect(res.status).toBe(200);
    expect(res.headers['azure-asyncoperation']).toBeUndefined();
  });

  test('suspend: true → Suspended; false again → Compliant', async () => {
    await created();
    const patch = await emu.request('PATCH', cfg(AKS, 'cfg'), { body: { properties: { suspend: true } } });
    await waitForOperation(emu, patch.headers['azure-asyncoperation'] as string);
    const suspended = await waitFor(emu, cfg(AKS, 'cfg'), (b) => b.properties.complianceState === 'Suspended');
    expect(suspended.body.properties.suspend).toBe(true);
    const resume = await emu.request('PATCH', cfg(AKS, 'cfg'), { body: { properties: { suspend: false } } });
    await waitForOperation(emu, resume.headers['azure-asyncoperation'] as string);
    await waitFor(emu, cfg(AKS, 'cfg'), (b) => b.properties.complianceState === 'Compliant');
  });

  test('a sourceKind change must come with the new source block; the old block goes', async () => {
    await created();
    const bare = await emu.request('PATCH', cfg(AKS, 'cfg'), { body: { properties: { sourceKind: 'Bucket' } } });
    expect(bare.status).toBe(400);
    expect(bare.body.error.code).toBe('ValidationFailed');
    const ok = await emu.request('PATCH', cfg(AKS, 'cfg'), {
      body: { properties: { sourceKind: 'Bucket', bucket: { url: 'https://minio.example.com', bucketName: 'flux' }, gitRepository: {} } },
    });
    expect(ok.status).toBe(202);
    expect(ok.body.properties.gitRepository).toBeUndefined();
    expect(ok.body.properties.bucket).toMatchObject({ url: 'https://minio.example.com', bucketName: 'flux', insecure: true });
    await waitForOperation(emu, ok.headers['azure-asyncoperation'] as string);
    const done = await waitFor(emu, cfg(AKS, 'cfg'), (b) => b.properties.complianceState === 'Compliant');
    expect(done.body.properties.statuses[0]).toMatchObject({ kind: 'Bucket', name: 'cfg' });
    expect(done.body.properties.sourceSyncedCommitId).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('PATCH of a configuration that does not exist is 404', async () => {
    const res = await emu.request('PATCH', cfg(AKS, 'nope'), { body: { properties: { suspend: true } } });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('ResourceNotFound');
  });
});

describe('PUT rules', () => {
  test('sourceKind must match the source block present', async () => {
    const res = await emu.request('PUT', cfg(AKS, 'x'), {
      body: { properties: { sourceKind: 'Bucket', gitRepository: { url: 'https://github.com/org/repo', repositoryRef: { branch: 'main' } } } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ValidationFailed');
    expect(res.body.error.message).toMatch(/source kind/i);
    expect((await emu.request('GET', cfg(AKS, 'x'))).status).toBe(404);
  });

  test('unknown and read-only properties are rejected with details', async () => {
    const body = tutorialConfig() as { properties: Record<string, unknown> };
    body.properties.complianceState = 'Compliant';
    (body.properties.gitRepository as Record<string, unknown>).branch = 'main';
    const res = await emu.request('PUT', cfg(AKS, 'x'), { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('InvalidRequestContent');
    expect(res.body.error.details.map((d: { target: string }) => d.target)).toEqual(['properties.complianceState', 'properties.gitRepository.branch']);
  });

  test('a configuration needs the microsoft.flux extension on the cluster', async () => {
    await emu.control('POST', 'faults', { extension: { aks1: 'absent' } });
    const res = await emu.request('PUT', cfg(AKS, 'x'), { body: tutorialConfig() });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('microsoft.flux');
  });

  test('protected settings are stored but never returned; an SSH URL without a key gets a generated public key', async () => {
    const put = await emu.request('PUT', cfg(AKS, 'ssh'), {
      body: {
        properties: {
          namespace: 'ssh',
          gitRepository: { url: 'ssh://git@github.com/org/repo', repositoryRef: { branch: 'main' } },
          kustomizations: { app: { path: './app' } },
          configurationProtectedSettings: { httpsKey: 'c2VjcmV0' },
        },
      },
    });
    expect(put.status).toBe(201);
    expect(JSON.stringify(put.body)).not.toContain('c2VjcmV0');
    await waitForOperation(emu, put.headers['azure-asyncoperation'] as string);
    const done = await waitFor(emu, cfg(AKS, 'ssh'), (b) => b.properties.complianceState === 'Compliant' && b.properties.repositoryPublicKey !== null);
    expect(done.body.properties.repositoryPublicKey).toMatch(/^ssh-rsa AAAAB3NzaC1yc2E[A-Za-z0-9+/=]+$/);
    expect(done.body.properties.configurationProtectedSettings).toBeUndefined();
    expect(JSON.stringify(done.body)).not.toContain('c2VjcmV0');
  });

  test('waitForReconciliation makes the operation last until the configuration is Compliant', async () => {
    const body = tutorialConfig() as { properties: Record<string, unknown> };
    body.properties.waitForReconciliation = true;
    body.properties.reconciliationWaitDuration = 'PT5M';
    const put = await emu.request('PUT', cfg(AKS, 'wait'), { body });
    const op = await waitForOperation(emu, put.headers['azure-asyncoperation'] as string);
    expect(op.body.status).toBe('Succeeded');
    expect((await emu.request('GET', cfg(AKS, 'wait'))).body.properties.complianceState).toBe('Compliant');
  });
});

describe('DELETE', () => {
  test('202 with an operation, then gone', async () => {
    const put = await emu.request('PUT', cfg(AKS, 'cfg'), { body: tutorialConfig() });
    await waitForOperation(emu, put.headers['azure-asyncoperation'] as string);
    const del = await emu.request('DELETE', `${AKS}/${KC}/fluxConfigurations/cfg?${FLUX_API}&forceDelete=false`);
    expect(del.status).toBe(202);
    expect((await emu.request('GET', cfg(AKS, 'cfg'))).body.properties.provisioningState).toBe('Deleting');
    const op = await waitForOperation(emu, del.headers['azure-asyncoperation'] as string);
    expect(op.body).toMatchObject({ status: 'Succeeded', properties: {} });
    expect((await emu.request('GET', cfg(AKS, 'cfg'))).status).toBe(404);
    const state = await emu.control('GET', 'state');
    expect(state.body.clusters.find((c: { name: string }) => c.name === 'aks1').objects).toEqual([]);
  });

  test('forceDelete=true removes at once (200); a missing configuration is 204', async () => {
    const put = await emu.request('PUT', cfg(AKS, 'cfg'), { body: tutorialConfig() });
    expect(put.status).toBe(201);
    const del = await emu.request('DELETE', `${AKS}/${KC}/fluxConfigurations/cfg?${FLUX_API}&forceDelete=true`);
    expect(del.status).toBe(200);
    expect((await emu.request('GET', cfg(AKS, 'cfg'))).status).toBe(404);
    // The creation that was in flight ends Canceled.
    const op = await emu.request('GET', put.headers['azure-asyncoperation'] as string);
    expect(op.body.status).toBe('Canceled');
    expect((await emu.request('DELETE', cfg(AKS, 'cfg'))).status).toBe(204);
    await sleep(10);
  });
});
