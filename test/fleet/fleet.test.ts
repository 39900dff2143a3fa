/**
 * The pure parts of the fleet commands: selection flags, waves and failure budgets (with
 * generated sizes), the plan of one cluster (the no-op rule of update), the rows of Resource
 * Graph turned into fleet states by status' own rules, the fleet gate, and the rollout engine
 * driven with a fake driver and an injected clock (budget, Ctrl-C, wave order).
 */
import { describe, expect, test } from '@jest/globals';
import { UsageError } from '../../src/core/errors.js';
import type { Clock } from '../../src/core/clock.js';
import { buildFluxConfiguration } from '../../src/model/flux-config.js';
import { fluxConfigurationPutBody } from '../../src/model/arm.js';
import { azureStatus } from '../../src/status/azure.js';
import { evaluateGate } from '../../src/status/gate.js';
import { assembleFleet, configurationResource, fleetGate, sortFleet, summarize, summaryLine, type ClusterRow, type ConfigurationRow, type FleetCluster } from '../../src/fleet/model.js';
import { planApply, skipReason, type PlanItem } from '../../src/fleet/plan.js';
import { clustersQuery, configurationsQuery } from '../../src/fleet/query.js';
import { runRollout, type RolloutDriver } from '../../src/fleet/rollout.js';
import { parseSelection } from '../../src/fleet/selection.js';
import { budgetFor, cutWaves, parseBudget, parseWaves, waveSizes } from '../../src/fleet/waves.js';
import { RESOURCE_GROUP_RULE } from '../../src/model/names.js';
import { hostileStrings, SEED, UNSAFE_ON_A_TERMINAL } from '../helpers/hostile.js';

const input = { readFile: (path: string): string => (path === 'ids.txt' ? IDS : ''), readStdin: () => '', warn: () => undefined };
const SUB = '00000000-0000-0000-0000-000000000001';
const ARC_ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/store-0001`;
const AKS_ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/store-0002`;
const IDS = `# stores\n${ARC_ID}\n\n${AKS_ID}  # the second\n`;
const noSubscriptionNames = (v: string): string => {
  throw new UsageError('--subscriptions', `unknown ${v}`);
};

describe('selection', () => {
  test('every flag narrows; tags named twice take either value; ids come lower-cased', () => {
    const s = parseSelection(
      { subscriptions: [[SUB.toUpperCase()], [`${SUB},${SUB}`]], resourceGroup: ['rg', 'RG'], where: [['env=prod', 'region=eu'], ['env=staging']], clusterType: ['connectedClusters,managedclusters'], clusters: 'ids.txt' },
      input,
      noSubscriptionNames,
    );
    expect(s.subscriptions).toEqual([SUB]);
    expect(s.resourceGroups).toEqual(['rg']);
    expect(s.tags).toEqual([
      ['env', ['prod', 'staging']],
      ['region', ['eu']],
    ]);
    expect(s.clusterTypes).toEqual(['connectedClusters', 'managedClusters']);
    expect([...s.ids!]).toEqual([ARC_ID.toLowerCase(), AKS_ID.toLowerCase()]);
    const q = clustersQuery(s);
    expect(q).toContain("where tostring(tags['env']) in~ ('prod', 'staging')");
    expect(q).toContain("where resourceGroup in~ ('rg')");
    expect(q).toContain(`where tolower(id) in ('${ARC_ID.toLowerCase()}'`);
  });

  test.each([
    [{ where: [['env']] }, '--where'],
    [{ where: [['a/b=c']] }, '--where'],
    [{ where: [['env=a\u0007']] }, '--where'],
    [{ resourceGroup: ['bad/rg'] }, '-g/--resource-group'],
    [{ clusterType: ['fleets'] }, '-t/--cluster-type'],
    [{ subscriptions: [['not-a-subscription']] }, '--subscriptions'],
    [{ clusters: 'ids.txt', where: [] }, undefined],
    [{ graphQuery: '   ' }, '--graph-query'],
  ])('%j → a usage error naming %s', (flags, flag) => {
    if (flag === undefined) return expect(() => parseSelection(flags, input, noSubscriptionNames)).not.toThrow();
    try {
      parseSelection(flags, input, noSubscriptionNames);
      throw new Error('no error');
    } catch (err) {
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).flag).toBe(flag);
    }
  });

  test('a bad line of the --clusters file is named with its number', () => {
    const bad = { ...input, readFile: () => `${ARC_ID}\n/subscriptions/x/resourceGroups/rg/providers/Microsoft.Web/sites/a\n` };
    expect(() => parseSelection({ clusters: 'f.txt' }, bad, noSubscriptionNames)).toThrow(/f\.txt line 2/);
  });

  test(`generated resource groups, cluster ids and wave sizes (seed ${SEED}): Azure's rules, the flag named, the value shown safely`, () => {
    const refused = (flags: Parameters<typeof parseSelection>[0], reader = input): UsageError | undefined => {
      try {
        parseSelection(flags, reader, noSubscriptionNames);
        return undefined;
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        const e = err as UsageError;
        expect(e.message).not.toMatch(UNSAFE_ON_A_TERMINAL);
        expect(e.message.length).toBeLessThan(400);
        return e;
      }
    };
    for (const rg of hostileStrings({ base: 'rg-stores', count: 150 })) {
      // Commas and blanks separate values; what is left of each must pass the resource group rule.
      const parts = rg.split(',').map((v) => v.trim()).filter((v) => v !== '');
      const e = refused({ resourceGroup: [rg] });
      if (parts.every((v) => RESOURCE_GROUP_RULE.test(v))) expect(e).toBeUndefined();
      else expect(e?.flag).toBe('-g/--resource-group');
    }
    for (const name of hostileStrings({ base: 'store-0001', count: 150 })) {
      const line = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/${name}`;
      if (name.includes('#') || name.includes('\n') || name.includes('\r') || name.trim() !== name) continue; // comments, line breaks and blanks are the file's syntax
      const e = refused({ clusters: 'f.txt' }, { ...input, readFile: () => `${line}\n` });
      if (/^[a-zA-Z0-9](?:[-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/.test(name)) expect(e).toBeUndefined();
      else expect(e?.flag).toBe('--clusters');
    }
    for (const text of hostileStrings({ base: '1,10%,100%', count: 100 })) {
      try {
        parseWaves('--waves', text);
      } catch (err) {
        expect((err as UsageError).flag).toBe('--waves');
        expect((err as Error).message).not.toMatch(UNSAFE_ON_A_TERMINAL);
      }
    }
  });

  test('the name filter of the configurations query is a literal, whatever it holds', () => {
    const q = configurationsQuery(parseSelection({}, input, noSubscriptionNames), { name: "x' or 1==1 //" });
    expect(q).toContain("name =~ 'x\\' or 1==1 //'");
  });
});

describe('waves and budgets', () => {
  test('cumulative sizes: counts and percentages (rounded up), the rest as one more wave', () => {
    const waves = parseWaves('--waves', '1,10%,100%');
    expect(waveSizes(1000, { waves })).toEqual([1, 99, 900]);
    expect(waveSizes(5, { waves })).toEqual([1, 4]);
    expect(waveSizes(3, { waves: parseWaves('--waves', '1,50%') })).toEqual([1, 1, 1]);
    expect(waveSizes(10, { size: 4 })).toEqual([4, 4, 2]);
    expect(waveSizes(0, { waves })).toEqual([]);
  });

  test('generated: every wave is non-empty and they add up to the whole', () => {
    let seed = 7;
    const next = (n: number): number => (seed = (seed * 48271) % 2147483647) % n;
    for (let i = 0; i < 300; i++) {
      const total = next(2000);
      const spec = Array.from({ length: 1 + next(5) }, () => (next(2) ? `${1 + next(100)}%` : String(1 + next(300)))).join(',');
      const sizes = waveSizes(total, { waves: parseWaves('--waves', spec) });
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(total);
      expect(sizes.every((s) => s > 0)).toBe(true);
      const items = Array.from({ length: total }, (_, k) => k);
      expect(cutWaves(items, sizes).flat()).toEqual(items);
    }
  });

  test('budgets: a count, or a percentage rounded down', () => {
    expect(budgetFor(parseBudget('--max-failures', '2'), 1000)).toBe(2);
    expect(budgetFor(parseBudget('--max-failures', '10%'), 15)).toBe(1);
    expect(budgetFor(parseBudget('--max-failures', '9%'), 10)).toBe(0);
    expect(budgetFor(parseBudget('--max-failures', '0'), 10)).toBe(0);
  });

  test.each(['0', '0%', '101%', '1,,2', 'ten', '-1', '5%%'])('--waves %j is refused', (text) => {
    expect(() => parseWaves('--waves', text)).toThrow(UsageError);
  });
});

const NOW = Date.parse('2026-05-01T12:00:00Z');
const at = (minutesAgo: number): string => new Date(NOW - minutesAgo * 60_000).toISOString();

function clusterRow(name: string, type: 'arc' | 'aks', connectivity = 'Connected'): ClusterRow {
  const id = type === 'arc' ? `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/${name}` : `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/${name}`;
  return { id, name, type: type === 'arc' ? 'microsoft.kubernetes/connectedclusters' : 'microsoft.containerservice/managedclusters', resourceGroup: 'rg', subscriptionId: SUB, location: 'westeurope', tags: {}, ...(type === 'arc' ? { connectivityStatus: connectivity, lastConnectivityTime: at(1) } : {}) };
}

function extensionRow(cluster: ClusterRow, state = 'Succeeded'): ConfigurationRow {
  return { id: `${cluster.id}/providers/Microsoft.KubernetesConfiguration/extensions/flux`, name: 'flux', type: 'microsoft.kubernetesconfiguration/extensions', clusterId: cluster.id.toLowerCase(), extensionType: 'microsoft.flux', provisioningState: state, version: '1.23.0', errorInfo: state === 'Failed' ? { code: 'X', message: 'helm install failed' } : null };
}

function configRow(cluster: ClusterRow, compliance: string, statuses: unknown[] | null = null): ConfigurationRow {
  return { id: `${cluster.id}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/cluster-config`, name: 'cluster-config', type: 'microsoft.kubernetesconfiguration/fluxconfigurations', clusterId: cluster.id.toLowerCase(), namespace: 'cluster-config', scope: 'cluster', sourceKind: 'GitRepository', provisioningState: 'Succeeded', complianceState: compliance, sourceSyncedCommitId: 'main/0123456789012345678901234567890123456789', statusUpdatedAt: at(2), suspend: false, statuses };
}

const kustomization = (name: string, ready: string, reason: string, compliance: string): unknown => ({
  kind: 'Kustomization',
  name,
  namespace: 'cluster-config',
  complianceState: compliance,
  statusConditions: [{ type: 'Ready', status: ready, reason, message: `${reason} message`, lastTransitionTime: at(3) }],
});

describe('fleet states, by the rules of status', () => {
  const ok = clusterRow('ok', 'aks');
  const failing = clusterRow('failing', 'arc');
  const waiting = clusterRow('waiting', 'arc');
  const offline = clusterRow('offline', 'arc', 'Offline');
  const bare = clusterRow('bare', 'aks');
  const broken = clusterRow('broken', 'aks');
  const empty = clusterRow('empty', 'aks');
  const rows: ConfigurationRow[] = [
    extensionRow(ok),
    configRow(ok, 'Compliant'),
    extensionRow(failing),
    configRow(failing, 'Non-Compliant', [kustomization('cluster-config-apps', 'False', 'BuildFailed', 'Non-Compliant')]),
    extensionRow(waiting),
    configRow(waiting, 'Pending', [kustomization('cluster-config-apps', 'False', 'DependencyNotReady', 'Pending')]),
    extensionRow(offline),
    configRow(offline, 'Compliant'),
    extensionRow(broken, 'Failed'),
    extensionRow(empty),
  ];
  const fleet = assembleFleet([ok, failing, waiting, offline, bare, broken, empty], rows, { now: NOW, name: 'cluster-config' });
  const state = (name: string): FleetCluster => fleet.find((c) => c.name === name)!;

  test('each cluster gets the state its facts give', () => {
    expect(Object.fromEntries(fleet.map((c) => [c.name, c.state]))).toEqual({
      ok: 'compliant',
      failing: 'failing',
      waiting: 'pending',
      offline: 'offline',
      bare: 'no-extension',
      broken: 'failing',
      empty: 'no-configuration',
    });
    expect(state('failing').reason).toMatch(/BuildFailed/);
    expect(state('broken').reason).toMatch(/helm install failed/);
    expect(state('offline').reason).toMatch(/Offline/);
    expect(state('failing').configurations[0]!.failing).toEqual([{ kind: 'Kustomization', namespace: 'cluster-config', name: 'cluster-config-apps', reason: 'BuildFailed', message: 'BuildFailed message' }]);
  });

  test('a cluster is failing exactly when status fails it at the first failure (waiting reasons included)', () => {
    // The rule is status' own (src/status/azure.ts and gate.ts): whatever it says of an object
    // waiting for a dependency, which Azure reports Non-Compliant, fleet status says the same.
    const cases: [string, unknown[]][] = [
      ['build-failed', [kustomization('cluster-config-apps', 'False', 'BuildFailed', 'Non-Compliant')]],
      ['waiting', [kustomization('cluster-config-apps', 'False', 'DependencyNotReady', 'Non-Compliant')]],
      ['progressing', [kustomization('cluster-config-apps', 'Unknown', 'Progressing', 'Pending')]],
      ['ready', [kustomization('cluster-config-apps', 'True', 'ReconciliationSucceeded', 'Compliant')]],
    ];
    for (const [name, statuses] of cases) {
      const c = clusterRow(name, 'aks');
      const compliance = (statuses[0] as { complianceState: string }).complianceState;
      const config = configRow(c, compliance, statuses);
      const [x] = assembleFleet([c], [extensionRow(c), config], { now: NOW });
      const gate = evaluateGate(azureStatus({ cluster: { id: c.id, name: c.name, type: c.type, properties: {} }, extensions: [configurationResource(extensionRow(c))], configurations: [configurationResource(config)] }, { now: NOW }), { waitFor: 'compliant', failFast: true });
      expect({ name, failing: x!.state === 'failing', compliant: x!.state === 'compliant' }).toEqual({ name, failing: gate.outcome === 'failed', compliant: gate.outcome === 'reached' });
      // Issue 6's rule, as status applies it: a waiting reason is pending, not failing.
      if (name === 'waiting') expect(x!.state).toBe('pending');
      if (name === 'build-failed') expect(x!.state).toBe('failing');
    }
  });

  test('the table order puts failing first; the summary line counts every state', () => {
    expect(sortFleet(fleet).map((c) => c.name)).toEqual(['broken', 'failing', 'waiting', 'offline', 'bare', 'empty', 'ok']);
    expect(summaryLine(summarize(fleet))).toBe('1 compliant · 2 failing · 1 pending · 1 offline · 1 no extension · 1 no configuration');
  });

  test('the fleet gate: failing beyond the budget fails; everything else compliant reaches', () => {
    const s = (compliant: number, failing: number, pending = 0): ReturnType<typeof summarize> => ({ clusters: compliant + failing + pending, compliant, failing, pending, offline: 0, 'no-extension': 0, 'no-configuration': 0 });
    expect(fleetGate(s(10, 0), 0)).toBe('reached');
    expect(fleetGate(s(9, 1), 0)).toBe('failed');
    expect(fleetGate(s(9, 1), 1)).toBe('reached');
    expect(fleetGate(s(8, 1, 1), 1)).toBe('pending');
    expect(fleetGate({ ...s(9, 0), offline: 1, clusters: 10 }, 0)).toBe('pending');
  });
});

describe('the plan of one cluster', () => {
  const tutorial = ['name=infra', 'path=./infrastructure', 'prune=true'];
  const desired = buildFluxConfiguration({ name: 'cluster-config', namespace: 'cluster-config', url: 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', branch: 'main', kustomization: [tutorial] }, input).config;
  const cluster = assembleFleet([clusterRow('c', 'aks')], [extensionRow(clusterRow('c', 'aks'))], { now: NOW })[0]!;
  const asInAzure = (props: Record<string, unknown>): unknown => ({ name: 'cluster-config', properties: { ...props, provisioningState: 'Succeeded', complianceState: 'Compliant' } });

  test('absent → create; the same → unchanged (nothing to send); different → update with its fields', () => {
    expect(planApply(cluster, desired, undefined)).toMatchObject({ action: 'create', body: fluxConfigurationPutBody(desired) });
    expect(planApply(cluster, desired, asInAzure(fluxConfigurationPutBody(desired).properties)).action).toBe('unchanged');
    const other = buildFluxConfiguration({ name: 'cluster-config', namespace: 'cluster-config', url: 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', branch: 'release', kustomization: [tutorial, ['name=apps', 'path=./apps']] }, input).config;
    const plan = planApply(cluster, desired, asInAzure(fluxConfigurationPutBody(other).properties));
    expect(plan.action).toBe('update');
    expect(plan.fields).toEqual(['gitRepository.repositoryRef.branch', 'kustomizations.apps (removed)']);
  });

  test('a namespace of its own is a skip with the reason, not a change', () => {
    const props = { ...fluxConfigurationPutBody(desired).properties, namespace: 'elsewhere' };
    expect(planApply(cluster, desired, asInAzure(props))).toMatchObject({ action: 'skip', reason: expect.stringMatching(/namespace is 'elsewhere'/) });
  });

  test('offline and broken clusters are skipped before any read', () => {
    const [offline, broken] = assembleFleet([clusterRow('o', 'arc', 'Offline'), clusterRow('b', 'aks')], [extensionRow(clusterRow('b', 'aks'), 'Failed')], { now: NOW });
    expect(skipReason(offline!)).toMatch(/offline Arc cluster/);
    expect(skipReason(offline!, { allowOffline: true })).toBeUndefined();
    expect(skipReason(broken!)).toMatch(/is Failed: helm install failed/);
    expect(skipReason(broken!, { forDelete: true })).toBeUndefined();
  });
});

describe('the rollout engine', () => {
  function fakeClock(): Clock & { t: number } {
    const c = {
      t: 0,
      now: () => c.t,
      sleep: async (ms: number) => {
        c.t += ms;
      },
    };
    return c;
  }
  const items = (n: number): PlanItem[] => Array.from({ length: n }, (_, i) => ({ cluster: { name: `c${i}` } as FleetCluster, action: 'update' as const }));

  test('waves one after the other; a wave over budget stops the rollout; the rest is never touched', async () => {
    const all = items(10);
    const written: string[] = [];
    const driver: RolloutDriver = {
      async write(item, w) {
        if (!w.canStart()) return { status: 'not started' };
        written.push(item.cluster.name);
        return item.cluster.name === 'c2' ? { status: 'failed', reason: 'boom' } : { status: 'done', acceptedAt: 0 };
      },
    };
    const result = await runRollout(driver, { waves: cutWaves(all, [1, 4, 5]), maxFailures: 0, waveTimeoutMs: 1000, clock: fakeClock(), stop: new AbortController().signal });
    expect(result.stopped).toEqual({ why: 'budget', wave: 2 });
    expect(written.slice(0, 1)).toEqual(['c0']);
    expect(written).not.toContain('c5');
    const outcome = Object.fromEntries(result.results.map((r) => [r.item.cluster.name, r.outcome]));
    expect(outcome).toMatchObject({ c0: 'updated', c2: 'failed', c5: 'not started', c9: 'not started' });
    expect(result.results.find((r) => r.item.cluster.name === 'c2')).toMatchObject({ reason: 'boom', wave: 2 });
  });

  test('within budget it completes; settle decides compliance per cluster', async () => {
    const all = items(4);
    const driver: RolloutDriver = {
      write: async () => ({ status: 'done', acceptedAt: 0 }),
      settle: async (written) => new Map(written.map((x) => [x.item, x.item.cluster.name === 'c3' ? { ok: false, reason: 'BuildFailed' } : { ok: true }])),
    };
    const result = await runRollout(driver, { waves: cutWaves(all, [1, 3]), maxFailures: 1, waveTimeoutMs: 1000, clock: fakeClock(), stop: new AbortController().signal });
    expect(result.stopped).toBeUndefined();
    expect(result.results.map((r) => `${r.item.cluster.name}:${r.outcome}`)).toEqual(['c0:updated', 'c1:updated', 'c2:updated', 'c3:failed']);
  });

  test('Ctrl-C: writes in flight finish, nothing new starts, later waves are not touched', async () => {
    const stop = new AbortController();
    const all = items(6);
    const driver: RolloutDriver = {
      async write(item, w) {
        if (item.cluster.name === 'c1') stop.abort(); // interrupted while c1 is being written
        if (!w.canStart() && item.cluster.name !== 'c1') return { status: 'not started' };
        return { status: 'done', acceptedAt: 0 };
      },
    };
    const result = await runRollout(driver, { waves: cutWaves(all, [1, 2, 3]), maxFailures: 0, waveTimeoutMs: 1000, clock: fakeClock(), stop: stop.signal });
    expect(result.stopped).toEqual({ why: 'interrupted', wave: 2 });
    expect(result.results.map((r) => `${r.item.cluster.name}:${r.outcome}`).sort()).toEqual(['c0:updated', 'c1:updated', 'c2:not started', 'c3:not started', 'c4:not started', 'c5:not started']);
  });
});
