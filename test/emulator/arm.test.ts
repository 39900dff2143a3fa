/**
 * The ARM surface of the emulator: clusters, resource groups, the provider registration, common
 * headers, api-versions, request validation against the swagger, and the extension resource
 * with its long-running operations.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { AKS, ARC, ARC_OFFLINE, EXT_API, FAST, FLUX_API, HCI, KC, startEmulator, SUB, waitForOperation, type RunningEmulator } from './harness.js';

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator([...FAST, '--page-size', '2']);
});

afterAll(async () => {
  await emu?.stop();
});

beforeEach(async () => {
  await emu.control('POST', 'reset');
});

const ext = (cluster: string, name: string, api = EXT_API): string => `${cluster}/${KC}/extensions/${name}?${api}`;

describe('clusters and resource groups', () => {
  test('the AKS cluster', async () => {
    const res = await emu.request('GET', `${AKS}?api-version=2024-09-01`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: AKS,
      name: 'aks1',
      type: 'Microsoft.ContainerService/ManagedClusters',
      location: 'westeurope',
      properties: { provisioningState: 'Succeeded', kubernetesVersion: expect.any(String) },
    });
  });

  test('the Arc clusters, connected and offline, with a system-assigned identity', async () => {
    const arc = await emu.request('GET', `${ARC}?api-version=2024-01-01`);
    expect(arc.body).toMatchObject({
      name: 'arc1',
      type: 'Microsoft.Kubernetes/connectedClusters',
      location: 'westeurope',
      identity: { type: 'SystemAssigned', principalId: expect.any(String), tenantId: expect.any(String) },
      properties: { connectivityStatus: 'Connected', kubernetesVersion: expect.any(String) },
    });
    expect(Math.abs(Date.parse(arc.body.properties.lastConnectivityTime) - Date.now())).toBeLessThan(60_000);
    const offline = await emu.request('GET', `${ARC_OFFLINE}?api-version=2024-01-01`);
    expect(offline.body.properties.connectivityStatus).toBe('Offline');
    const age = Date.now() - Date.parse(offline.body.properties.lastConnectivityTime);
    expect(age).toBeGreaterThan(3 * 24 * 3600 * 1000 - 60_000);
    expect(age).toBeLessThan(3 * 24 * 3600 * 1000 + 60_000);
  });

  test('the AKS on Azure Local cluster', async () => {
    const res = await emu.request('GET', `${HCI}?api-version=2024-01-01`);
    expect(res.body).toMatchObject({ name: 'hci1', type: 'Microsoft.HybridContainerService/provisionedClusters' });
  });

  test('path segments match in any letter case', async () => {
    const path = `/SUBSCRIPTIONS/${SUB}/resourcegroups/RG/PROVIDERS/microsoft.containerservice/MANAGEDCLUSTERS/aks1`;
    expect((await emu.request('GET', `${path}?api-version=2024-09-01`)).status).toBe(200);
    const list = `/subscriptions/${SUB}/resourcegroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1/providers/microsoft.kubernetesconfiguration/FLUXCONFIGURATIONS?${FLUX_API}`;
    expect((await emu.request('GET', list)).status).toBe(200);
  });

  test('an unknown cluster is 404 ResourceNotFound, for itself and for everything under it', async () => {
    const nope = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/nope`;
    const get = await emu.request('GET', `${nope}?api-version=2024-09-01`);
    expect(get.status).toBe(404);
    expect(get.body).toEqual({
      error: { code: 'ResourceNotFound', message: "The Resource 'Microsoft.ContainerService/managedClusters/nope' under resource group 'rg' was not found." },
    });
    for (const path of [`${nope}/${KC}/fluxConfigurations?${FLUX_API}`, `${nope}/${KC}/extensions/flux?${EXT_API}`]) {
      const res = await emu.request('GET', path);
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('ResourceNotFound');
    }
    const put = await emu.request('PUT', `${nope}/${KC}/extensions/flux?${EXT_API}`, { body: { properties: { extensionType: 'microsoft.flux' } } });
    expect(put.status).toBe(404);
  });

  test('an unknown resource group is 404 ResourceGroupNotFound', async () => {
    const res = await emu.request('GET', `/subscriptions/${SUB}/resourceGroups/other/providers/Microsoft.ContainerService/managedClusters/aks1?api-version=2024-09-01`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('ResourceGroupNotFound');
    expect(res.body.error.message).toContain("'other'");
  });

  test('the api-version query parameter is required', async () => {
    const res = await emu.request('GET', AKS);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('MissingApiVersionParameter');
  });
});

describe('headers', () => {
  test('every response carries request ids and rate-limit counters that go down', async () => {
    const a = await emu.request('GET', `${AKS}?api-version=2024-09-01`, { headers: { 'x-ms-correlation-request-id': 'corr-1' } });
    const b = await emu.request('GET', `${AKS}?api-version=2024-09-01`);
    for (const res of [a, b]) {
      expect(res.headers['x-ms-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers['x-ms-correlation-request-id']).toBeDefined();
    }
    expect(a.headers['x-ms-correlation-request-id']).toBe('corr-1');
    expect(Number(b.headers['x-ms-ratelimit-remaining-subscription-reads'])).toBe(Number(a.headers['x-ms-ratelimit-remaining-subscription-reads']) - 1);
    const w1 = Number(a.headers['x-ms-ratelimit-remaining-subscription-writes']);
    const put = await emu.request('PUT', ext(AKS, 'flux'), { body: { properties: { extensionType: 'microsoft.flux' } } });
    expect(Number(put.headers['x-ms-ratelimit-remaining-subscription-writes'])).toBe(w1 - 1);
    const unauth = await emu.request('GET', `${AKS}?api-version=2024-09-01`, { token: false });
    expect(unauth.headers['x-ms-ratelimit-remaining-subscription-reads']).toBeDefined();
  });
});

describe('provider registration', () => {
  const provider = `/subscriptions/${SUB}/providers/Microsoft.KubernetesConfiguration`;

  test('Microsoft.KubernetesConfiguration is registered by default', async () => {
    const res = await emu.request('GET', `${provider}?api-version=2022-09-01`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: provider, namespace: 'Microsoft.KubernetesConfiguration', registrationState: 'Registered' });
    expect(res.body.resourceTypes.map((t: { resourceType: string }) => t.resourceType)).toEqual(expect.arrayContaining(['extensions', 'fluxConfigurations']));
  });

  test('register moves NotRegistered to Registering, then Registered after the operation delay', async () => {
    await emu.control('POST', 'faults', { providerUnregistered: true });
    expect((await emu.request('GET', `${provider}?api-version=2022-09-01`)).body.registrationState).toBe('NotRegistered');
    const blocked = await emu.request('GET', `${AKS}/${KC}/extensions?${EXT_API}`);
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.code).toBe('MissingSubscriptionRegistration');
    const reg = await emu.request('POST', `${provider}/register?api-version=2022-09-01`);
    expect(reg.status).toBe(200);
    expect(reg.body.registrationState).toBe('Registering');
    expect((await emu.request('GET', `${AKS}/${KC}/extensions?${EXT_API}`)).status).toBe(409);
    await new Promise((r) => setTimeout(r, 200));
    expect((await emu.request('GET', `${provider}?api-version=2022-09-01`)).body.registrationState).toBe('Registered');
    expect((await emu.request('GET', `${AKS}/${KC}/extensions?${EXT_API}`)).status).toBe(200);
  });
});

describe('api-versions', () => {
  test.each([
    ['fluxConfigurations', '2023-05-01', '2025-04-01'],
    ['extensions', '2024-11-01', '2023-05-01,2025-03-01'],
  ])('%s at %s is 400 InvalidApiVersionParameter naming %s', async (collection, version, supported) => {
    const res = await emu.request('GET', `${AKS}/${KC}/${collection}?api-version=${version}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('InvalidApiVersionParameter');
    expect(res.body.error.message).toContain(`'${supported}'`);
  });

  test('extensions are served at 2023-05-01 and 2025-03-01, in the shape of each', async () => {
    const put = await emu.request('PUT', ext(AKS, 'flux', 'api-version=2023-05-01'), { body: { properties: { extensionType: 'microsoft.flux' } } });
    expect(put.status).toBe(201);
    expect(put.body.properties.autoUpgradeMode).toBeUndefined();
    const get = await emu.request('GET', ext(AKS, 'flux'));
    expect(get.body.properties.autoUpgradeMode).toBe('compatible');
  });
});

describe('request validation against the swagger', () => {
  test('an unknown property and a read-only property are 400 InvalidRequestContent, one detail each, nothing stored', async () => {
    const res = await emu.request('PUT', ext(AKS, 'flux'), {
      body: { properties: { extensionType: 'microsoft.flux', bogus: 1, provisioningState: 'Succeeded', scope: { cluster: { releaseNamespace: 'x', extra: true } } } },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('InvalidRequestContent');
    expect(res.body.error.details).toEqual([
      { code: 'UnknownProperty', message: expect.stringContaining('properties.bogus'), target: 'properties.bogus' },
      { code: 'ReadOnlyPropertyNotAllowed', message: expect.stringContaining('read-only'), target: 'properties.provisioningState' },
      { code: 'UnknownProperty', message: expect.any(String), target: 'properties.scope.cluster.extra' },
    ]);
    expect((await emu.request('GET', ext(AKS, 'flux'))).status).toBe(404);
  });

  test('a wrong type and a body that is not JSON', async () => {
    const typed = await emu.request('PUT', ext(AKS, 'flux'), { body: { properties: { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: 'yes' } } });
    expect(typed.status).toBe(400);
    expect(typed.body.error.details).toEqual([{ code: 'InvalidType', message: expect.any(String), target: 'properties.autoUpgradeMinorVersion' }]);
    const garbage = await emu.request('PUT', ext(AKS, 'flux'), { body: '{not json' });
    expect(garbage.status).toBe(400);
    expect(garbage.body.error.code).toBe('InvalidRequestContent');
  });

  test('the PATCH body is checked against the patch definition', async () => {
    await emu.control('POST', 'faults', { extension: { aks1: 'installed' } });
    const res = await emu.request('PATCH', ext(AKS, 'flux'), { body: { properties: { extensionType: 'other' } } });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].target).toBe('properties.extensionType');
  });
});

describe('extensions', () => {
  test('PUT → 201 Creating with Azure-AsyncOperation → operation Succeeded → installed', async () => {
    const put = await emu.request('PUT', ext(ARC, 'flux'), {
      body: {
        identity: { type: 'SystemAssigned' },
        properties: {
          extensionType: 'microsoft.flux',
          autoUpgradeMinorVersion: true,
          releaseTrain: 'Stable',
          scope: { cluster: { releaseNamespace: 'flux-system' } },
          configurationSettings: { 'multiTenancy.enforce': 'false' },
          configurationProtectedSettings: { secret: 'value' },
        },
      },
    });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({
      id: `${ARC}/${KC}/extensions/flux`,
      name: 'flux',
      type: 'Microsoft.KubernetesConfiguration/extensions',
      systemData: { createdAt: expect.any(String), createdBy: expect.any(String) },
      identity: { type: 'SystemAssigned', principalId: expect.any(String) },
      properties: { provisioningState: 'Creating', currentVersion: null, statuses: [] },
    });
    expect(put.body.properties.configurationProtectedSettings).toBeUndefined();
    const opUrl = put.headers['azure-asyncoperation'] as string;
    expect(opUrl).toMatch(new RegExp(`^${emu.base}${ARC}/${KC}/extensions/flux/operations/[0-9a-f-]{36}\\?api-version=2025-03-01$`));
    expect(put.headers['retry-after']).toBe('0');
    const running = await emu.request('GET', opUrl);
    expect(running.body).toEqual({ id: expect.stringContaining('/operations/'), name: expect.any(String), status: 'Creating', properties: {} });
    const done = await waitForOperation(emu, opUrl);
    expect(done.body.status).toBe('Succeeded');
    const get = await emu.request('GET', ext(ARC, 'flux'));
    expect(get.body.properties).toMatchObject({
      extensionType: 'microsoft.flux',
      autoUpgradeMinorVersion: true,
      releaseTrain: 'Stable',
      scope: { cluster: { releaseNamespace: 'flux-system' } },
      configurationSettings: { 'multiTenancy.enforce': 'false' },
      provisioningState: 'Succeeded',
      currentVersion: '1.23.0',
      statuses: [],
    });
    expect(get.body.properties.configurationProtectedSettings).toBeUndefined();
    // PUT again: replace (200, Updating).
    const again = await emu.request('PUT', ext(ARC, 'flux'), { body: { properties: { extensionType: 'microsoft.flux' } } });
    expect(again.status).toBe(200);
    expect(again.body.properties.provisioningState).toBe('Updating');
    expect(again.headers['azure-asyncoperation']).toBeDefined();
  });

  test('PATCH merges settings (null removes a key); nothing to change is 200', async () => {
    const put = await emu.request('PUT', ext(AKS, 'flux'), { body: { properties: { extensionType: 'microsoft.flux', configurationSettings: { a: '1', b: '2' } } } });
    await waitForOperation(emu, put.headers['azure-asyncoperation'] as string);
    const patch = await emu.request('PATCH', ext(AKS, 'flux'), { body: { properties: { configurationSettings: { b: null, c: '3' }, releaseTrain: 'Preview' } } });
    expect(patch.status).toBe(202);
    expect(patch.body.properties).toMatchObject({ provisioningState: 'Updating', configurationSettings: { a: '1', c: '3' }, releaseTrain: 'Preview' });
    await waitForOperation(emu, patch.headers['azure-asyncoperation'] as string);
    const same = await emu.request('PATCH', ext(AKS, 'flux'), { body: { properties: { releaseTrain: 'Preview' } } });
    expect(same.status).toBe(200);
    expect(same.headers['azure-asyncoperation']).toBeUndefined();
    expect(same.body.properties.provisioningState).toBe('Succeeded');
  });

  test('a pinned version needs autoUpgradeMinorVersion false; a second microsoft.flux is refused', async () => {
    const pinned = await emu.request('PUT', ext(AKS, 'flux'), { body: { properties: { extensionType: 'microsoft.flux', version: '1.2.3' } } });
    expect(pinned.status).toBe(400);
    expect(pinned.body.error.code).toBe('ValidationFailed');
    const ok = await emu.request('PUT', ext(AKS, 'flux'), { body: { properties: { extensionType: 'microsoft.flux', version: '1.2.3', autoUpgradeMinorVersion: false } } });
    await waitForOperation(emu, ok.headers['azure-asyncoperation'] as string);
    expect((await emu.request('GET', ext(AKS, 'flux'))).body.properties.currentVersion).toBe('1.2.3');
    const second = await emu.request('PUT', ext(AKS, 'flux2'), { body: { properties: { extensionType: 'Microsoft.Flux' } } });
    expect(second.status).toBe(400);
  });

  test('DELETE: 202 then gone; forceDelete=true removes at once (200); a missing one is 204', async () => {
    await emu.control('POST', 'faults', { extension: { aks1: 'installed', hci1: 'installed' } });
    const del = await emu.request('DELETE', `${AKS}/${KC}/extensions/flux?${EXT_API}&forceDelete=false`);
    expect(del.status).toBe(202);
    expect(del.headers['azure-asyncoperation']).toBeDefined();
    expect((await emu.request('GET', ext(AKS, 'flux'))).body.properties.provisioningState).toBe('Deleting');
    const op = await waitForOperation(emu, del.headers['azure-asyncoperation'] as string);
    expect(op.body.status).toBe('Succeeded');
    const gone = await emu.request('GET', ext(AKS, 'flux'));
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('ResourceNotFound');
    const force = await emu.request('DELETE', `${HCI}/${KC}/extensions/flux?${EXT_API}&forceDelete=true`);
    expect(force.status).toBe(200);
    expect((await emu.request('GET', ext(HCI, 'flux'))).status).toBe(404);
    expect((await emu.request('DELETE', ext(HCI, 'flux'))).status).toBe(204);
  });

  test('LIST pages with nextLink when --page-size is given', async () => {
    for (const name of ['a', 'b', 'c']) {
      expect((await emu.request('PUT', ext(AKS, name), { body: { properties: { extensionType: `vendor.${name}` } } })).status).toBe(201);
    }
    const first = await emu.request('GET', `${AKS}/${KC}/extensions?${EXT_API}`);
    expect(first.body.value.map((e: { name: string }) => e.name)).toEqual(['a', 'b']);
    expect(first.body.nextLink).toMatch(new RegExp(`^${emu.base}/`));
    const second = await emu.request('GET', first.body.nextLink);
    expect(second.body.value.map((e: { name: string }) => e.name)).toEqual(['c']);
    expect(second.body.nextLink).toBeUndefined();
  });
});
