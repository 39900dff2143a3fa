/**
 * The emulator at fleet scale: the generated fleet (the same for the same seed, with its
 * documented exceptions), Resource Graph (tables, paging with $skipToken, the user quota, the
 * lag behind ARM, the request log), ARM's token buckets (--arm-throttling), several
 * subscriptions, and the Fleet Manager hub fleet1.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { fleetSubscriptionId, generateFleet } from '../../emulator/fleet.js';
import { AKS, EXT_API, FAST, FLUX_API, KC, sleep, startEmulator, SUB, tutorialConfig, waitForOperation, type HttpResult, type RunningEmulator } from './harness.js';

const GRAPH = '/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01';
const FLEET1 = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/fleets/fleet1`;
const FLUX_EXTENSION = { properties: { extensionType: 'microsoft.flux', autoUpgradeMinorVersion: true, scope: { cluster: { releaseNamespace: 'flux-system' } } } };

function graph(emu: RunningEmulator, query: string, extra: Record<string, unknown> = {}, options: Record<string, unknown> = {}): Promise<HttpResult> {
  return emu.request('POST', GRAPH, { body: { query, ...extra, options: { resultFormat: 'objectArray', ...options } } });
}

describe('the generated fleet', () => {
  test('the same numbers give the same fleet, with the documented exceptions', () => {
    const a = generateFleet({ clusters: 1000, subscriptions: 4, seed: 7 });
    expect(generateFleet({ clusters: 1000, subscriptions: 4, seed: 7 })).toEqual(a);
    expect(generateFleet({ clusters: 1000, subscriptions: 4, seed: 8 })).not.toEqual(a);
    expect(a.subscriptions).toEqual([1, 2, 3, 4].map((i) => fleetSubscriptionId(i - 1)));
    for (const s of a.subscriptions) expect(a.clusters.filter((c) => c.subscriptionId === s)).toHaveLength(250);
    const noFlux = a.clusters.filter((c) => !c.flux);
    const offline = a.clusters.filter((c) => c.offline);
    const failing = a.clusters.filter((c) => c.failing);
    expect([noFlux.length, offline.length, failing.length]).toEqual([20, 10, 10]);
    expect(offline.every((c) => c.def.kind === 'arc' && c.flux)).toBe(true);
    expect(failing.every((c) => c.flux && !c.offline)).toBe(true);
    const arc = a.clusters.filter((c) => c.def.kind === 'arc').length;
    expect(arc).toBeGreaterThan(600);
    expect(arc).toBeLessThan(800);
    expect(new Set(a.clusters.map((c) => c.def.name)).size).toBe(1000);
    for (const c of a.clusters) {
      expect(Object.keys(c.def.tags ?? {}).sort()).toEqual(['env', 'region', 'store']);
      expect(c.resourceGroup).toBe(`stores-${c.def.tags!.region}`);
    }
  });

  test('small fleets still have one cluster of each exception', () => {
    const f = generateFleet({ clusters: 20, subscriptions: 2, seed: 1 });
    expect(f.clusters.filter((c) => !c.flux)).toHaveLength(1);
    expect(f.clusters.filter((c) => c.failing)).toHaveLength(1);
    expect(f.clusters.filter((c) => c.offline).length).toBeLessThanOrEqual(1);
  });
});

describe('a running fleet', () => {
  let emu: RunningEmulator;
  const fleet = generateFleet({ clusters: 60, subscriptions: 3, seed: 5 });

  beforeAll(async () => {
    emu = await startEmulator([...FAST, '--clusters', '60', '--subscriptions', '3', '--seed', '5', '--graph-lag', '600']);
  });
  afterAll(async () => {
    await emu?.stop();
  });

  test('ARM serves every subscription of the fleet, and no other', async () => {
    const c = fleet.clusters[7]!;
    const id = `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/${c.def.rp}/${c.def.type}/${c.def.name}`;
    const res = await emu.request('GET', `${id}?api-version=2024-01-01`);
    expect(res.status).toBe(200);
    expect(res.body.tags).toEqual(c.def.tags);
    expect(res.body.location).toBe(c.def.tags!.region);
    const other = fleet.subscriptions.find((s) => s !== c.subscriptionId)!;
    expect((await emu.request('GET', `${id.replace(c.subscriptionId, other)}?api-version=2024-01-01`)).status).toBe(404);
    expect((await emu.request('GET', `/subscriptions/${fleetSubscriptionId(40)}?api-version=2022-12-01`)).body.error.code).toBe('SubscriptionNotFound');
    const config = await emu.request('GET', `${id}/${KC}/fluxConfigurations/cluster-config?${FLUX_API}`);
    if (c.flux) expect(config.body.properties.complianceState).toBe(c.offline ? 'Compliant' : c.failing ? 'Non-Compliant' : 'Compliant');
    else expect(config.status).toBe(404);
  });

  test('Resource Graph: tables, scope, and the generated exceptions as they show there', async () => {
    const res = await graph(emu, "KubernetesConfigurationResources | where type =~ 'microsoft.kubernetesconfiguration/fluxconfigurations' | summarize n = count() by state = tostring(properties.complianceState) | order by state asc");
    expect(res.status).toBe(200);
    const failing = fleet.clusters.filter((c) => c.failing).length;
    const withFlux = fleet.clusters.filter((c) => c.flux).length;
    expect(res.body.data).toEqual([
      { state: 'Compliant', n: withFlux - failing },
      { state: 'Non-Compliant', n: failing },
    ]);
    const scoped = await graph(emu, 'Resources | count', { subscriptions: [fleet.subscriptions[0]] });
    expect(scoped.body.data).toEqual([{ Count: fleet.clusters.filter((c) => c.subscriptionId === fleet.subscriptions[0]).length }]);
    // The default world is in the tenant scope too: its four clusters and the Fleet Manager hub.
    const all = await graph(emu, 'Resources | summarize count() by type | order by type asc');
    expect(all.body.data).toContainEqual({ type: 'microsoft.containerservice/fleets', count_: 1 });
    const ext = await graph(emu, "KubernetesConfigurationResources | where type =~ 'microsoft.kubernetesconfiguration/extensions' | take 1 | project properties");
    expect(ext.body.data[0].properties).toMatchObject({ ExtensionType: 'microsoft.flux', ProvisioningState: 'Succeeded', CurrentVersion: '1.23.0' });
  });

  test('paging: $skipToken pages follow each other without gaps or repeats; table format', async () => {
    const query = 'Resources | project id, name | order by id asc';
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const res = await graph(emu, query, {}, { $top: 17, ...(token ? { $skipToken: token } : {}) });
      expect(res.status).toBe(200);
      expect(res.body.resultTruncated).toBe('false');
      expect(res.body.totalRecords).toBe(65);
      seen.push(...res.body.data.map((r: { id: string }) => r.id));
      token = res.body.$skipToken;
      pages++;
      await sleep(350); // stays inside the user quota
    } while (token);
    expect(pages).toBe(4);
    expect(new Set(seen).size).toBe(65);
    expect([...seen].sort()).toEqual(seen);
    const table = await graph(emu, 'Resources | project name, n = 1 | take 2', {}, { resultFormat: 'table' });
    expect(table.body.data.columns).toEqual([
      { name: 'name', type: 'string' },
      { name: 'n', type: 'integer' },
    ]);
    expect(table.body.data.rows).toHaveLength(2);
    expect(table.body.$skipToken).toBeUndefined();
    const wrong = await graph(emu, 'Resources | project name', {}, { $skipToken: token ?? 'eyJvZmZzZXQiOjEsInF1ZXJ5IjoieCJ9' });
    expect(wrong.status).toBe(400);
  });

  test('a bad query is 400 with the reason; the request is logged with ARM requests', async () => {
    await emu.control('DELETE', 'requests');
    const res = await graph(emu, 'Resources | where nosuchcolumn == 1');
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.body.error.details)).toMatch(/Failed to resolve scalar expression named 'nosuchcolumn'/);
    const log = (await emu.control('GET', 'requests')).body as { method: string; path: string; status: number; body: { query: string } }[];
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ method: 'POST', path: '/providers/Microsoft.ResourceGraph/resources', status: 400, body: { query: 'Resources | where nosuchcolumn == 1' } });
    const text = await emu.request('POST', GRAPH, { body: '{"query":"Resources"}', headers: { 'Content-Type': 'text/plain' } });
    expect(text.status).toBe(500);
  });

  test('the user quota: 15 queries per 5 seconds, announced on every answer, 429 RateLimiting past it', async () => {
    await sleep(5100); // a fresh window
    const remaining: string[] = [];
    let last: HttpResult | undefined;
    for (let i = 0; i < 16; i++) {
      last = await graph(emu, 'Resources | count');
      remaining.push(String(last.headers['x-ms-user-quota-remaining']));
    }
    expect(remaining.slice(0, 15)).toEqual(['14', '13', '12', '11', '10', '9', '8', '7', '6', '5', '4', '3', '2', '1', '0']);
    expect(last!.status).toBe(429);
    expect(last!.body.error.code).toBe('RateLimiting');
    expect(last!.headers['retry-after']).toBeUndefined();
    expect(last!.headers['x-ms-user-quota-resets-after']).toMatch(/^00:00:0[0-5]$/);
    await sleep(5100);
  });

  test('Resource Graph trails ARM by --graph-lag', async () => {
    await emu.control('POST', 'faults', { extension: { aks1: 'installed' } });
    const put = await emu.request('PUT', `${AKS}/${KC}/fluxConfigurations/lagging?${FLUX_API}`, { body: tutorialConfig() });
    expect(put.status).toBe(201);
    const count = async (): Promise<number> => (await graph(emu, "KubernetesConfigurationResources | where name == 'lagging' | count")).body.data[0].Count;
    const started = Date.now();
    expect(await count()).toBe(0);
    let seenAfter = -1;
    while (Date.now() - started < 5000) {
      if ((await count()) === 1) {
        seenAfter = Date.now() - started;
        break;
      }
      await sleep(150);
    }
    expect(seenAfter).toBeGreaterThanOrEqual(500);
    await waitForOperation(emu, put.headers['azure-asyncoperation'] as string);
  });

  test('the Fleet Manager hub fleet1 takes the Flux extension, no other extension and no configuration', async () => {
    const put = await emu.request('PUT', `${FLEET1}/${KC}/extensions/flux?${EXT_API}`, { body: { identity: { type: 'SystemAssigned' }, ...FLUX_EXTENSION } });
    expect(put.status).toBe(201);
    expect((await waitForOperation(emu, put.headers['azure-asyncoperation'] as string)).body.status).toBe('Succeeded');
    const other = await emu.request('PUT', `${FLEET1}/${KC}/extensions/dapr?${EXT_API}`, { body: { properties: { extensionType: 'microsoft.dapr' } } });
    expect(other.status).toBe(400);
    expect(other.body.error.message).toMatch(/microsoft\.flux/);
    const config = await emu.request('PUT', `${FLEET1}/${KC}/fluxConfigurations/c?${FLUX_API}`, { body: tutorialConfig() });
    expect(config.status).toBe(400);
    expect(config.body.error.code).toBe('InvalidResourceType');
    expect((await emu.request('GET', `${FLEET1}?api-version=2025-03-01`)).body.type).toBe('Microsoft.ContainerService/fleets');
  });
});

describe('--arm-throttling', () => {
  let emu: RunningEmulator;
  beforeAll(async () => {
    emu = await startEmulator([...FAST, '--arm-throttling']);
  });
  afterAll(async () => {
    await emu?.stop();
  });

  test('reads and writes have buckets of their own; an empty one answers 429 with Retry-After', async () => {
    const first = await emu.request('GET', `${AKS}?api-version=2024-05-01`);
    expect(Number(first.headers['x-ms-ratelimit-remaining-subscription-reads'])).toBeGreaterThanOrEqual(249);
    expect(first.headers['x-ms-ratelimit-remaining-subscription-writes']).toBe('200');
    // Spend the reads bucket faster than it refills (25 a second), however slow the machine.
    let refused: HttpResult[] = [];
    for (let sent = 0; refused.length === 0 && sent < 3000; sent += 100) {
      const results = await Promise.all(Array.from({ length: 100 }, () => emu.request('GET', `${AKS}?api-version=2024-05-01`)));
      refused = results.filter((r) => r.status === 429);
    }
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]!.body.error.code).toBe('SubscriptionRequestsThrottled');
    expect(Number(refused[0]!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(refused[0]!.headers['x-ms-ratelimit-remaining-subscription-reads']).toBe('0');
    // Writes are counted apart: one still goes through.
    const write = await emu.request('PUT', `${AKS}/${KC}/extensions/flux?${EXT_API}`, { body: FLUX_EXTENSION });
    expect(write.status).toBe(201);
    // 199 left, or 200 again if a tenth of a second passed before the answer (10 come back a second).
    expect(Number(write.headers['x-ms-ratelimit-remaining-subscription-writes'])).toBeGreaterThanOrEqual(199);
    // And the reads come back at ARM's rate.
    await sleep(1200);
    expect((await emu.request('GET', `${AKS}?api-version=2024-05-01`)).status).toBe(200);
  });
});
