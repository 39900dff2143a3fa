/**
 * Scenarios and faults, chosen at start-up and at run time (POST /_emulator/faults), and the
 * other control endpoints: the request log, reset and state.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { request as httpsRequestRaw } from 'node:https';
import { AKS, ARC, ARC_OFFLINE, EXT_API, FAST, FLUX_API, HCI, KC, sleep, startEmulator, SUB, tutorialConfig, waitFor, waitForOperation, type RunningEmulator } from './harness.js';

const cfg = (cluster: string, name: string): string => `${cluster}/${KC}/fluxConfigurations/${name}?${FLUX_API}`;
const ext = (cluster: string, name: string): string => `${cluster}/${KC}/extensions/${name}?${EXT_API}`;

interface Status {
  kind: string;
  name: string;
  complianceState: string;
  statusConditions: { type: string; status: string; reason: string; message: string }[] | null;
}

const statusOf = (body: { properties: { statuses: Status[] } }, name: string): Status => body.properties.statuses.find((s) => s.name === name)!;

describe('start-up options', () => {
  let emu: RunningEmulator;

  beforeAll(async () => {
    emu = await startEmulator([
      ...FAST,
      '--throttle', '2',
      '--server-errors', '1',
      '--provider-unregistered',
      '--extension', 'aks1=installed',
      '--extension', 'arc1=installing',
      '--extension', 'hci1=failed',
      '--extension', 'arc-offline=installed',
      '--arc-offline', 'arc1',
      '--fail-kustomization', 'apps=kustomize build failed: missing resource ./base/podinfo',
      '--fail-operation',
    ]);
  });

  afterAll(async () => {
    await emu?.stop();
  });

  test('--throttle 2 --server-errors 1: 429, 429, 500, then normal answers', async () => {
    const path = `/subscriptions/${SUB}/providers/Microsoft.KubernetesConfiguration?api-version=2022-09-01`;
    const first = await emu.request('GET', path);
    expect(first.status).toBe(429);
    expect(first.headers['retry-after']).toBe('1');
    expect(first.body.error.code).toBe('SubscriptionRequestsThrottled');
    expect((await emu.request('GET', path)).status).toBe(429);
    const third = await emu.request('GET', path);
    expect(third.status).toBe(500);
    expect(third.body.error.code).toBe('InternalServerError');
    const fourth = await emu.request('GET', path);
    expect(fourth.status).toBe(200);
    const log = (await emu.control('GET', 'requests')).body as { status: number; fault?: string }[];
    expect(log.map((r) => [r.status, r.fault ?? null])).toEqual([
      [429, 'throttle'],
      [429, 'throttle'],
      [500, 'serverError'],
      [200, null],
    ]);
  });

  test('--provider-unregistered: NotRegistered and 409 until registered', async () => {
    const provider = `/subscriptions/${SUB}/providers/Microsoft.KubernetesConfiguration`;
    expect((await emu.request('GET', `${provider}?api-version=2022-09-01`)).body.registrationState).toBe('NotRegistered');
    const blocked = await emu.request('GET', `${AKS}/${KC}/fluxConfigurations?${FLUX_API}`);
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.code).toBe('MissingSubscriptionRegistration');
    expect((await emu.request('POST', `${provider}/register?api-version=2022-09-01`)).body.registrationState).toBe('Registering');
    await waitFor(emu, `${provider}?api-version=2022-09-01`, (b) => b.registrationState === 'Registered');
  });

  test('--extension: installed, installing (never ends), failed (with errorInfo, and statuses[] as real failures carry them)', async () => {
    await sleep(150);
    expect((await emu.request('GET', ext(AKS, 'flux'))).body.properties).toMatchObject({ extensionType: 'microsoft.flux', provisioningState: 'Succeeded', currentVersion: '1.23.0' });
    const installing = await emu.request('GET', ext(ARC, 'flux'));
    expect(installing.body.properties).toMatchObject({ provisioningState: 'Creating', currentVersion: null });
    expect(installing.body.identity).toMatchObject({ type: 'SystemAssigned', principalId: expect.any(String) });
    const failed = await emu.request('GET', ext(HCI, 'flux'));
    expect(failed.body.properties).toMatchObject({ provisioningState: 'Failed', errorInfo: { code: 'ExtensionOperationFailed', message: expect.any(String) } });
    expect(failed.body.properties.statuses).toEqual([{ code: 'InstallationFailed', displayStatus: null, level: null, message: expect.stringMatching(/^Error: \[ InnerError: \[Helm installation failed/), time: null }]);
    expect(installing.body.properties.statuses).toEqual([]);
  });

  test('--fail-operation: the next long-running operation ends Failed with a nested error', async () => {
    const put = await emu.request('PUT', ext(AKS, 'monitor'), { body: { properties: { extensionType: 'microsoft.azuremonitor.containers' } } });
    expect(put.status).toBe(201);
    const op = await waitForOperation(emu, put.headers['azure-asyncoperation'] as string);
    expect(op.body).toMatchObject({
      status: 'Failed',
      error: { code: 'ResourceOperationFailure', message: expect.any(String), details: [{ code: 'ExtensionOperationFailed', message: expect.any(String) }] },
    });
    const inner = JSON.parse(op.body.error.details[0].message);
    expect(inner.statusMessage).toEqual(expect.stringContaining('Helm installation failed'));
    const res = await emu.request('GET', ext(AKS, 'monitor'));
    expect(res.body.properties.provisioningState).toBe('Failed');
    expect(res.body.properties.errorInfo.code).toBe('ExtensionOperationFailed');
    expect(res.body.properties.statuses).toEqual([{ code: 'InstallationFailed', displayStatus: null, level: null, message: expect.stringMatching(/occurred while doing the operation : \[Create\] on the config$/), time: null }]);
    // Only the next one: the following operation succeeds.
    const again = await emu.request('PUT', ext(AKS, 'monitor'), { body: { properties: { extensionType: 'microsoft.azuremonitor.containers' } } });
    expect((await waitForOperation(emu, again.headers['azure-asyncoperation'] as string)).body.status).toBe('Succeeded');
  });

  test('--fail-kustomization apps=MESSAGE: apps ends Ready=False BuildFailed, the configuration Non-Compliant', async () => {
    const put = await emu.request('PUT', cfg(AKS, 'cluster-config'), { body: tutorialConfig() });
    expect((await waitForOperation(emu, put.headers['azure-asyncoperation'] as string)).body.status).toBe('Succeeded');
    // Non-Compliant from the first step (apps waits on infra); the end is apps' own failure.
    const done = await waitFor(emu, cfg(AKS, 'cluster-config'), (b) => statusOf(b, 'cluster-config-apps')?.statusConditions?.[0]?.reason === 'BuildFailed');
    expect(done.body.properties.complianceState).toBe('Non-Compliant');
    expect(statusOf(done.body, 'cluster-config-infra').complianceState).toBe('Compliant');
    const apps = statusOf(done.body, 'cluster-config-apps');
    expect(apps.complianceState).toBe('Non-Compliant');
    expect(apps.statusConditions![0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'BuildFailed', message: 'kustomize build failed: missing resource ./base/podinfo' });
    expect(done.body.properties.statuses.some((s: Status) => s.kind === 'HelmRelease' && s.name === 'podinfo')).toBe(false);
  });

  test('--arc-offline arc1, and arc-offline: configurations accepted, the agent never reports, DELETE waits', async () => {
    expect((await emu.request('GET', `${ARC}?api-version=2024-01-01`)).body.properties.connectivityStatus).toBe('Offline');
    const put = await emu.request('PUT', cfg(ARC_OFFLINE, 'cluster-config'), { body: tutorialConfig() });
    expect(put.status).toBe(201);
    expect((await waitForOperation(emu, put.headers['azure-asyncoperation'] as string)).body.status).toBe('Succeeded');
    await sleep(450);
    const res = await emu.request('GET', cfg(ARC_OFFLINE, 'cluster-config'));
    expect(res.body.properties).toMatchObject({ provisioningState: 'Succeeded', complianceState: 'Pending', statuses: [], sourceSyncedCommitId: null });
    const del = await emu.request('DELETE', cfg(ARC_OFFLINE, 'cluster-config'));
    expect(del.status).toBe(202);
    await sleep(250);
    expect((await emu.request('GET', del.headers['azure-asyncoperation'] as string)).body.status).toBe('Deleting');
    expect((await emu.request('GET', cfg(ARC_OFFLINE, 'cluster-config'))).body.properties.provisioningState).toBe('Deleting');
    const force = await emu.request('DELETE', `${ARC_OFFLINE}/${KC}/fluxConfigurations/cluster-config?${FLUX_API}&forceDelete=true`);
    expect(force.status).toBe(200);
    expect((await emu.request('GET', cfg(ARC_OFFLINE, 'cluster-config'))).status).toBe(404);
  });
});

describe('faults at run time and the control endpoints', () => {
  let emu: RunningEmulator;

  beforeAll(async () => {
    emu = await startEmulator(FAST);
  });

  afterAll(async () => {
    await emu?.stop();
  });

  beforeEach(async () => {
    await emu.control('POST', 'reset');
  });

  test('throttle and serverErrors', async () => {
    const set = await emu.control('POST', 'faults', { throttle: 1, serverErrors: 1 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ throttle: 1, serverErrors: 1 });
    const path = `${AKS}?api-version=2024-09-01`;
    expect((await emu.request('GET', path)).status).toBe(429);
    expect((await emu.request('GET', path)).status).toBe(500);
    expect((await emu.request('GET', path)).status).toBe(200);
    expect((await emu.control('GET', 'faults')).body).toMatchObject({ throttle: 0, serverErrors: 0 });
  });

  test('failOperation with a message: a Flux configuration operation fails with the message escaped inside the detail', async () => {
    await emu.control('POST', 'faults', { extension: { aks1: 'installed' }, failOperation: 'the namespace cluster-config is being terminated' });
    const put = await emu.request('PUT', cfg(AKS, 'cluster-config'), { body: tutorialConfig() });
    const op = await waitForOperation(emu, put.headers['azure-asyncoperation'] as string);
    expect(op.body.status).toBe('Failed');
    expect(op.body.error.code).toBe('ResourceOperationFailure');
    expect(op.body.error.details[0].code).toBe('FluxConfigurationOperationFailed');
    expect(JSON.parse(op.body.error.details[0].message)).toMatchObject({ statusMessage: 'the namespace cluster-config is being terminated' });
    const res = await emu.request('GET', cfg(AKS, 'cluster-config'));
    expect(res.body.properties).toMatchObject({ provisioningState: 'Failed', errorMessage: 'the namespace cluster-config is being terminated' });
  });

  test('cancelOperation: a configuration update ends Canceled, yet the resource holds the change, Succeeded', async () => {
    await emu.control('POST', 'faults', { extension: { aks1: 'installed' } });
    const put = await emu.request('PUT', cfg(AKS, 'cluster-config'), { body: tutorialConfig() });
    expect((await waitForOperation(emu, put.headers['azure-asyncoperation'] as string)).body.status).toBe('Succeeded');
    const set = await emu.control('POST', 'faults', { cancelOperation: 'canceled by the platform during a regional failover' });
    expect(set.body).toMatchObject({ cancelOperation: 'canceled by the platform during a regional failover' });
    const patch = await emu.request('PATCH', cfg(AKS, 'cluster-config'), { body: { properties: { suspend: true } } });
    expect(patch.status).toBe(202);
    const op = await waitForOperation(emu, patch.headers['azure-asyncoperation'] as string);
    expect(op.body).toMatchObject({ status: 'Canceled', error: { code: 'OperationCanceled', message: 'canceled by the platform during a regional failover' } });
    const res = await emu.request('GET', cfg(AKS, 'cluster-config'));
    expect(res.body.properties).toMatchObject({ provisioningState: 'Succeeded', suspend: true });
    // Only the next operation: the following one succeeds.
    expect((await emu.control('GET', 'faults')).body.cancelOperation).toBe(false);
    const again = await emu.request('PATCH', cfg(AKS, 'cluster-config'), { body: { properties: { suspend: false } } });
    expect((await waitForOperation(emu, again.headers['azure-asyncoperation'] as string)).body.status).toBe('Succeeded');
  });

  test('cancelOperation: an extension install and a delete end Canceled with their change done', async () => {
    await emu.control('POST', 'faults', { cancelOperation: true });
    const put = await emu.request('PUT', ext(AKS, 'flux'), { body: { properties: { extensionType: 'microsoft.flux' } } });
    const op = await waitForOperation(emu, put.headers['azure-asyncoperation'] as string);
    expect(op.body).toMatchObject({ status: 'Canceled', error: { code: 'OperationCanceled', message: expect.any(String) } });
    expect((await emu.request('GET', ext(AKS, 'flux'))).body.properties).toMatchObject({ provisioningState: 'Succeeded', currentVersion: '1.23.0' });
    await emu.control('POST', 'faults', { cancelOperation: true });
    const del = await emu.request('DELETE', ext(AKS, 'flux'));
    expect((await waitForOperation(emu, del.headers['azure-asyncoperation'] as string)).body.status).toBe('Canceled');
    expect((await emu.request('GET', ext(AKS, 'flux'))).status).toBe(404);
  });

  test('failKustomization with the default message; dependents wait for it', async () => {
    await emu.control('POST', 'faults', { extension: { aks1: 'installed' }, failKustomization: { infra: null } });
    const put = await emu.request('PUT', cfg(AKS, 'cluster-config'), { body: tutorialConfig() });
    await waitForOperation(emu, put.headers['azure-asyncoperation'] as string);
    const done = await waitFor(emu, cfg(AKS, 'cluster-config'), (b) => b.properties.complianceState === 'Non-Compliant');
    await sleep(200);
    const later = await emu.request('GET', cfg(AKS, 'cluster-config'));
    const infra = statusOf(later.body, 'cluster-config-infra');
    expect(infra.statusConditions![0]).toMatchObject({ status: 'False', reason: 'BuildFailed', message: expect.stringContaining('infrastructure') });
    expect(statusOf(later.body, 'cluster-config-apps').statusConditions![0]).toMatchObject({ status: 'False', reason: 'DependencyNotReady' });
    expect(later.body.properties.complianceState).toBe('Non-Compliant');
    expect(done.body.properties.statuses.filter((s: Status) => s.kind.startsWith('Helm'))).toEqual([]);
  });

  test('extension scenarios change at run time', async () => {
    await emu.control('POST', 'faults', { extension: { hci1: 'failed' } });
    expect((await emu.request('GET', ext(HCI, 'flux'))).body.properties.provisioningState).toBe('Failed');
    await emu.control('POST', 'faults', { extension: { hci1: 'installed' } });
    expect((await emu.request('GET', ext(HCI, 'flux'))).body.properties.provisioningState).toBe('Succeeded');
    await emu.control('POST', 'faults', { extension: { hci1: 'absent' } });
    expect((await emu.request('GET', ext(HCI, 'flux'))).status).toBe(404);
  });

  test('arcOffline / arcOnline: nothing reported while offline; back online the agent reconciles and a parked DELETE finishes', async () => {
    await emu.control('POST', 'faults', { extension: { arc1: 'installed' }, arcOffline: 'arc1' });
    expect((await emu.request('GET', `${ARC}?api-version=2024-01-01`)).body.properties.connectivityStatus).toBe('Offline');
    const put = await emu.request('PUT', cfg(ARC, 'cluster-config'), { body: tutorialConfig() });
    await waitForOperation(emu, put.headers['azure-asyncoperation'] as string);
    await sleep(400);
    expect((await emu.request('GET', cfg(ARC, 'cluster-config'))).body.properties).toMatchObject({ complianceState: 'Pending', statuses: [] });
    await emu.control('POST', 'faults', { arcOnline: ['arc1'] });
    await waitFor(emu, cfg(ARC, 'cluster-config'), (b) => b.properties.complianceState === 'Compliant');

    await emu.control('POST', 'faults', { arcOffline: ['arc1'] });
    const del = await emu.request('DELETE', cfg(ARC, 'cluster-config'));
    await sleep(200);
    expect((await emu.request('GET', del.headers['azure-asyncoperation'] as string)).body.status).toBe('Deleting');
    await emu.control('POST', 'faults', { arcOnline: ['arc1'] });
    expect((await waitForOperation(emu, del.headers['azure-asyncoperation'] as string)).body.status).toBe('Succeeded');
    expect((await emu.request('GET', cfg(ARC, 'cluster-config'))).status).toBe(404);
  });

  test('providerUnregistered at run time', async () => {
    await emu.control('POST', 'faults', { providerUnregistered: true });
    expect((await emu.request('GET', `${AKS}/${KC}/extensions?${EXT_API}`)).status).toBe(409);
    await emu.control('POST', 'faults', { providerUnregistered: false });
    expect((await emu.request('GET', `${AKS}/${KC}/extensions?${EXT_API}`)).status).toBe(200);
  });

  test('invalid fault documents are 400 and change nothing', async () => {
    for (const doc of [{ throttle: -1 }, { bogus: 1 }, { extension: { nope: 'installed' } }, { extension: { aks1: 'sideways' } }, { arcOffline: 'aks1' }, { throttle: 2, failOperation: 3 }, { cancelOperation: 1 }]) {
      const res = await emu.control('POST', 'faults', doc);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toEqual(expect.any(String));
    }
    expect((await emu.control('GET', 'faults')).body).toMatchObject({ throttle: 0, failOperation: false });
  });

  test('the request log: method, path, query, body and headers, without the Authorization value; DELETE clears it', async () => {
    await emu.control('DELETE', 'requests');
    await emu.request('PUT', ext(AKS, 'flux'), { body: { properties: { extensionType: 'microsoft.flux' } }, headers: { 'x-ms-client-request-id': 'abc' } });
    await emu.request('GET', `${AKS}?api-version=2024-09-01`, { token: false });
    await emu.control('GET', 'state');
    const log = (await emu.control('GET', 'requests')).body;
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({
      method: 'PUT',
      path: `${AKS}/${KC}/extensions/flux`,
      query: { 'api-version': '2025-03-01' },
      body: { properties: { extensionType: 'microsoft.flux' } },
      headers: { 'content-type': 'application/json', 'x-ms-client-request-id': 'abc', authorization: 'Bearer <redacted>' },
      status: 201,
    });
    expect(JSON.stringify(log)).not.toContain(await emu.token());
    expect(log[1]).toMatchObject({ method: 'GET', status: 401 });
    expect(log[1].headers.authorization).toBeUndefined();
    expect((await emu.control('DELETE', 'requests')).status).toBe(204);
    expect((await emu.control('GET', 'requests')).body).toEqual([]);
  });

  test('reset brings back the start-up world; state describes it', async () => {
    await emu.control('POST', 'faults', { extension: { aks1: 'installed' }, throttle: 5 });
    await emu.control('POST', 'reset');
    const state = (await emu.control('GET', 'state')).body;
    expect(state.faults).toMatchObject({ throttle: 0, serverErrors: 0, failOperation: false, providerRegistrationState: 'Registered', offlineClusters: ['arc-offline'] });
    expect(state.clusters.map((c: { name: string; online: boolean }) => `${c.name}:${c.online}`)).toEqual(['aks1:true', 'arc1:true', 'arc-offline:false', 'hci1:true', 'fleet1:true']);
    for (const c of state.clusters) expect(c.extensions).toEqual([]);
    expect((await emu.request('GET', `${AKS}/${KC}/extensions?${EXT_API}`)).body.value).toEqual([]);
  });

  test('an unknown control endpoint is 404', async () => {
    expect((await emu.control('GET', 'nothing')).status).toBe(404);
  });
});

/** GET with a client-side time limit: resolves 'no answer' when the limit passes first. */
function getWithin(emu: RunningEmulator, url: string, token: string | undefined, ms: number): Promise<number | 'no answer'> {
  return new Promise((resolve, reject) => {
    const req = httpsRequestRaw(url.startsWith('https://') ? url : `${emu.base}${url}`, { method: 'GET', ca: emu.ca, headers: token ? { authorization: `Bearer ${token}` } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    let gaveUp = false;
    const timer = setTimeout(() => {
      gaveUp = true;
      req.destroy();
      resolve('no answer');
    }, ms);
    req.on('close', () => clearTimeout(timer));
    req.on('error', (err) => (gaveUp ? undefined : reject(err)));
    req.end();
  });
}

describe('a hung service, a long Retry-After and unexpected answers', () => {
  let emu: RunningEmulator;
  const cluster = `${AKS}?api-version=2024-05-01`;
  const provider = `/subscriptions/${SUB}/providers/Microsoft.KubernetesConfiguration?api-version=2021-04-01`;

  beforeAll(async () => {
    emu = await startEmulator([...FAST, '--hang', '1', '--hang-kubernetes', '1', '--throttle', '1', '--throttle-retry-after', '3600', '--respond', '307']);
  });

  afterAll(async () => {
    await emu?.stop();
  });

  test('start-up options: one hung request, one 429 with Retry-After 3600, one 307, then normal answers', async () => {
    const token = await emu.token();
    expect(await getWithin(emu, cluster, token, 400)).toBe('no answer');
    const throttled = await emu.request('GET', cluster);
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('3600');
    expect(throttled.body.error.message).toContain("after '3600' seconds");
    const moved = await emu.request('GET', cluster);
    expect(moved.status).toBe(307);
    expect(moved.text).toBe('');
    expect(moved.headers.location).toBe(`${emu.base}/redirected${AKS}?api-version=2024-05-01`);
    expect((await emu.request('GET', cluster)).status).toBe(200);
    const log = (await emu.control('GET', 'requests')).body as { status?: number; fault?: string }[];
    expect(log.map((r) => [r.status ?? null, r.fault ?? null])).toEqual([
      [null, 'hang'],
      [429, 'throttle'],
      [307, 'respond'],
      [200, null],
    ]);
    // The Kubernetes API: the first request is held, the next one answered.
    const kube = `${emu.base}/k8s/aks1/version`;
    expect(await getWithin(emu, kube, undefined, 400)).toBe('no answer');
    expect(await getWithin(emu, kube, undefined, 5000)).toBe(401); // answered (no cluster token given)
  });

  /** A reset brings the start-up faults back: clear them for the run-time tests. */
  const resetWithoutFaults = async (): Promise<void> => {
    await emu.control('POST', 'reset');
    await emu.control('POST', 'faults', { hang: 0, hangKubernetes: 0, throttle: 0, respond: null });
  };

  test('run time: hang, throttle and respond limited to matching requests; the fault state shows them', async () => {
    await resetWithoutFaults();
    const token = await emu.token();
    const set = await emu.control('POST', 'faults', {
      hang: { count: 2, match: '^GET /subscriptions/[^/]+/providers/' },
      throttle: { count: 1, retryAfter: 600, match: 'managedClusters/aks1$' },
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ hang: { count: 2, match: '^GET /subscriptions/[^/]+/providers/' }, throttle: 1, throttleRetryAfter: 600, throttleMatch: 'managedClusters/aks1$' });
    // Not matching: answered at once; matching: held, twice, then answered.
    expect(await getWithin(emu, `${ARC}?api-version=2024-01-01`, token, 5000)).toBe(200);
    const throttled = await emu.request('GET', cluster);
    expect([throttled.status, throttled.headers['retry-after']]).toEqual([429, '600']);
    expect(await getWithin(emu, provider, token, 300)).toBe('no answer');
    expect(await getWithin(emu, provider, token, 300)).toBe('no answer');
    expect(await getWithin(emu, provider, token, 5000)).toBe(200);
    expect((await emu.control('GET', 'faults')).body).toMatchObject({ hang: { count: 0 }, throttle: 0 });

    await emu.control('POST', 'faults', { respond: { status: 204, count: 2, match: '^PUT ' } });
    expect((await emu.request('GET', cluster)).status).toBe(200);
    const put = await emu.request('PUT', `${AKS}/${KC}/extensions/flux?${EXT_API}`, { body: { properties: { extensionType: 'microsoft.flux' } } });
    expect([put.status, put.text]).toEqual([204, '']);
    expect((await emu.control('GET', 'faults')).body.respond).toEqual({ status: 204, count: 1, match: '^PUT ' });
    await emu.control('POST', 'faults', { respond: null, hangKubernetes: { count: 1, match: '/k8s/arc1/' } });
    expect(await getWithin(emu, `${emu.base}/k8s/aks1/version`, undefined, 5000)).toBe(401);
    expect(await getWithin(emu, `${emu.base}/k8s/arc1/version`, undefined, 300)).toBe('no answer');
  });

  test('a reset lets held requests go; bad fault documents are refused', async () => {
    await resetWithoutFaults();
    await emu.control('POST', 'faults', { hang: 1 });
    const token = await emu.token();
    const held = getWithin(emu, cluster, token, 10_000);
    await sleep(200);
    await resetWithoutFaults();
    // The held connection is closed by the reset (an error or an empty answer, never a hang).
    await expect(held.catch(() => 'closed')).resolves.not.toBe('no answer');
    for (const doc of [{ hang: -1 }, { hang: { count: 1, match: '(' } }, { hang: { count: 1, extra: true } }, { respond: { status: 100 } }, { respond: 3 }, { throttle: { count: 1, retryAfter: 'x' } }]) {
      const res = await emu.control('POST', 'faults', doc);
      expect([JSON.stringify(doc), res.status]).toEqual([JSON.stringify(doc), 400]);
    }
    expect((await emu.control('GET', 'faults')).body).toMatchObject({ hang: { count: 0, match: null }, respond: null, throttle: 0 });
  });
});
