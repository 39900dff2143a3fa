/**
 * fleet status through the built CLI against a generated fleet (30 clusters in two
 * subscriptions) whose Resource Graph trails ARM by 10 seconds: the table and its order, the
 * summary line, the selection flags, usage errors that send nothing, the fleet gate and its
 * exit codes, --verify through ARM, --watch, and agreement with `status` about single clusters.
 */
import { describe, expect, test, beforeEach } from '@jest/globals';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GeneratedCluster } from '../../emulator/fleet.js';
import { generatedFleet, idOf } from './fleet-helpers.js';
import { tmpdir } from 'node:os';
import { EXT_API, KC, waitForOperation } from '../emulator/harness.js';
import { errors, sleep, tableRows, useE2E } from './helpers.js';

const FLEET = { clusters: 30, subscriptions: 2, seed: 11 };
const LAG_MS = 10_000;
const { args, fleet, subscriptions: SUBS } = generatedFleet(FLEET, ['--graph-lag', String(LAG_MS)]);
const e2e = useE2E(args);
const failing = fleet.clusters.find((c) => c.failing)!;
const offline = fleet.clusters.find((c) => c.offline)!;
const bare = fleet.clusters.find((c) => !c.flux)!;
const healthy = fleet.clusters.filter((c) => c.flux && !c.failing && !c.offline);

function idsFile(clusters: GeneratedCluster[]): string {
  const path = join(tmpdir(), `k8s-gitops-fleet-ids-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(path, clusters.map(idOf).join('\n'));
  return path;
}

beforeEach(async () => {
  await e2e.reset();
});

describe('one look', () => {
  test('one row per cluster, failing first, a summary line; Resource Graph only, at most one request per table page', async () => {
    const run = await e2e.cliAsync(['fleet', 'status', ...SUBS]);
    expect(run.status).toBe(0);
    expect(errors(run.stderr)).toEqual([]);
    const lines = run.stdout.trim().split('\n');
    const summary = lines.pop()!;
    const compliant = healthy.length;
    expect(summary).toBe(`30 clusters: ${compliant} compliant · 1 failing · 0 pending · ${offline ? 1 : 0} offline · 1 no extension`);
    const { header, rows } = tableRows(lines.join('\n'));
    expect(header).toEqual(['Cluster', 'State', 'Type', 'Location', 'Connectivity', 'Flux', 'Configuration', 'Compliance', 'Revision', 'Reported', 'Reason']);
    expect(rows).toHaveLength(30);
    expect(rows[0]!.slice(0, 2)).toEqual([failing.def.name, 'failing']);
    expect(rows[0]![10]).toMatch(/BuildFailed/);
    expect(rows.map((r) => r[1])).toEqual([...rows.map((r) => r[1])].sort((a, b) => ['failing', 'pending', 'offline', 'no extension', 'no configuration', 'compliant'].indexOf(a!) - ['failing', 'pending', 'offline', 'no extension', 'no configuration', 'compliant'].indexOf(b!)));
    expect(rows.find((r) => r[0] === bare.def.name)!.slice(1, 2)).toEqual(['no extension']);
    expect(run.stderr).toMatch(/Read from Azure Resource Graph at .*trails ARM/);
    const log = await e2e.requests();
    // One query per table (the extensions and the configurations apart), each one page here.
    expect(log.map((r) => `${r.method} ${r.path}`)).toEqual(Array(3).fill('POST /providers/Microsoft.ResourceGraph/resources'));
    expect(log.map((r) => r.body.query.split('\n')[0]).sort()).toEqual(['KubernetesConfigurationResources', 'KubernetesConfigurationResources', 'Resources']);
    for (const r of log) expect(r.body.subscriptions).toEqual(fleet.subscriptions);
    expect(log[0]!.body.options).toEqual({ $top: 1000, resultFormat: 'objectArray' });
  });

  test('-o json: one document with every cluster and the summary; --query on it', async () => {
    const doc = (await e2e.cliAsync(['fleet', 'status', ...SUBS, '-n', 'cluster-config', '-o', 'json'])).json();
    expect(doc.source).toBe('Azure Resource Graph');
    expect(doc.summary).toMatchObject({ clusters: 30, failing: 1, 'no-extension': 1 });
    expect(doc.clusters).toHaveLength(30);
    const f = doc.clusters[0];
    expect(f).toMatchObject({ name: failing.def.name, id: idOf(failing), state: 'failing', subscriptionId: failing.subscriptionId, tags: failing.def.tags, source: 'resource-graph' });
    expect(f.configurations[0].failing[0]).toMatchObject({ kind: 'Kustomization', name: 'cluster-config-apps', reason: 'BuildFailed' });
    const names = await e2e.cliAsync(['fleet', 'status', ...SUBS, '-o', 'tsv', '--query', "clusters[?state=='no-extension'].name"]);
    expect(names.stdout.trim()).toBe(bare.def.name);
  });

  test('the selection flags narrow, each as documented', async () => {
    const names = async (args: string[], scope = SUBS): Promise<string[]> => ((await e2e.cliAsync(['fleet', 'status', ...scope, ...args, '-o', 'json'])).json().clusters as { name: string }[]).map((c) => c.name).sort();
    const expected = (p: (c: GeneratedCluster) => boolean): string[] => fleet.clusters.filter(p).map((c) => c.def.name).sort();
    expect(await names(['--where', 'env=prod'])).toEqual(expected((c) => c.def.tags!.env === 'prod'));
    expect(await names(['--where', 'env=prod', 'env=dev', '-t', 'connectedClusters'])).toEqual(expected((c) => c.def.tags!.env !== 'staging' && c.def.kind === 'arc'));
    expect(await names(['-g', 'stores-eastus', '-g', 'stores-westus2'])).toEqual(expected((c) => ['stores-eastus', 'stores-westus2'].includes(c.resourceGroup)));
    expect(await names(['--subscriptions', fleet.subscriptions[0]!], [])).toEqual(expected((c) => c.subscriptionId === fleet.subscriptions[0]));
    const file = idsFile(fleet.clusters.slice(3, 6));
    try {
      expect(await names(['--clusters', file])).toEqual(fleet.clusters.slice(3, 6).map((c) => c.def.name).sort());
    } finally {
      rmSync(file);
    }
    expect(await names(['--graph-query', "Resources | where tags['env'] == 'dev' | project id"])).toEqual(expected((c) => c.def.tags!.env === 'dev'));
  });

  test.each([
    [['--where', 'env'], '--where'],
    [['--subscriptions', 'no-such-subscription'], '--subscriptions'],
    [['-t', 'fleets'], '-t/--cluster-type'],
    [['--watch', '--interval', '1s'], '--interval'],
    [['--max-failing', '2'], '--max-failing'],
    [['--clusters', '/nonexistent/ids.txt'], '--clusters'],
    [['--wait-for', 'ready'], '--wait-for'],
  ])('%j: exit 2 naming %s, nothing sent', async (args, flag) => {
    await e2e.clearRequests();
    const run = await e2e.cliAsync(['fleet', 'status', ...args]);
    expect(run.status).toBe(2);
    expect(errors(run.stderr).join('\n')).toContain(flag);
    expect(await e2e.requests()).toEqual([]);
  });
});

describe('the fleet gate: --wait-for compliant', () => {
  test('reached: exit 0 at once when every selected cluster is compliant', async () => {
    const file = idsFile(healthy.slice(0, 5));
    try {
      const run = await e2e.cliAsync(['fleet', 'status', '--clusters', file, '-n', 'cluster-config', '--wait-for', 'compliant', '--timeout', '1m', '-o', 'none']);
      expect({ status: run.status, errors: errors(run.stderr) }).toEqual({ status: 0, errors: [] });
      expect(run.stderr).toMatch(/compliant: reached \(5 clusters: 5 compliant/);
    } finally {
      rmSync(file);
    }
  });

  test('failed: exit 6 as soon as more clusters fail than --max-failing allows; percentages round down', async () => {
    const ten = [failing, ...healthy.slice(0, 9)];
    const file = idsFile(ten);
    try {
      const over = await e2e.cliAsync(['fleet', 'status', '--clusters', file, '--wait-for', 'compliant', '--timeout', '1m', '--max-failing', '9%', '-o', 'none']);
      expect(over.status).toBe(6);
      expect(errors(over.stderr)[0]).toMatch(/1 cluster is failing, more than --max-failing allows \(0\)/);
      expect(over.stderr).toContain(`- ${failing.def.name}: failing`);
      const within = await e2e.cliAsync(['fleet', 'status', '--clusters', file, '--wait-for', 'compliant', '--timeout', '1m', '--max-failing', '10%', '-o', 'none']);
      expect({ status: within.status, errors: errors(within.stderr) }).toEqual({ status: 0, errors: [] });
    } finally {
      rmSync(file);
    }
  });

  test('timed out: exit 5 when a cluster never becomes compliant (an offline one), naming it', async () => {
    const file = idsFile([offline, healthy[0]!]);
    try {
      const started = Date.now();
      const run = await e2e.cliAsync(['fleet', 'status', '--clusters', file, '--wait-for', 'compliant', '--timeout', '6s', '-o', 'none']);
      expect(run.status).toBe(5);
      expect(Date.now() - started).toBeLessThan(30_000);
      expect(run.stderr).toContain(`- ${offline.def.name}: offline (Arc cluster is Offline`);
    } finally {
      rmSync(file);
    }
  });

  test('SIGTERM ends the wait at once: exit 143, the last state said, nothing changed', async () => {
    const file = idsFile([offline, healthy[0]!]);
    try {
      const started = e2e.start(['fleet', 'status', '--clusters', file, '--wait-for', 'compliant', '--timeout', '5m', '-o', 'none'], { timeout: 60_000 });
      // Once the first read is done (three queries answered), the gate is waiting for the next.
      while ((await e2e.requests()).filter((r) => r.status === 200).length < 3 && started.child.exitCode === null) await sleep(50);
      const at = Date.now();
      started.child.kill('SIGTERM');
      const run = await started.result;
      expect(run.status).toBe(143);
      expect(Date.now() - at).toBeLessThan(10_000);
      expect(errors(run.stderr)[0]).toMatch(/interrupted before the fleet was compliant \(2 clusters: 1 compliant .* 1 offline/);
    } finally {
      rmSync(file);
    }
  });

  test('an empty selection is not a reached gate: exit 3', async () => {
    const run = await e2e.cliAsync(['fleet', 'status', ...SUBS, '--where', 'env=nowhere', '--wait-for', 'compliant', '-o', 'none']);
    expect(run.status).toBe(3);
  });
});

describe('freshness', () => {
  test('--verify reads a cluster through ARM, which Resource Graph trails', async () => {
    // Flux installed through ARM: Resource Graph will not know for LAG_MS.
    const put = await e2e.emu.request('PUT', `${idOf(bare)}/${KC}/extensions/flux?${EXT_API}`, { body: { properties: { extensionType: 'microsoft.flux', scope: { cluster: { releaseNamespace: 'flux-system' } } } } });
    expect(put.status).toBe(201);
    expect((await waitForOperation(e2e.emu, put.headers['azure-asyncoperation'] as string)).body.status).toBe('Succeeded');
    await e2e.clearRequests();
    const run = await e2e.cliAsync(['fleet', 'status', ...SUBS, '-n', 'cluster-config', '--verify', bare.def.name, failing.def.name, '-o', 'json']);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain(`${bare.def.name}: Resource Graph said no-extension, ARM says no-configuration (Resource Graph trails ARM).`);
    expect(run.stderr).toContain(`${failing.def.name}: confirmed through ARM (failing).`);
    const doc = run.json();
    expect(doc.clusters.find((c: { name: string }) => c.name === bare.def.name)).toMatchObject({ state: 'no-configuration', source: 'arm' });
    const armReads = (await e2e.requests()).filter((r) => r.method === 'GET').map((r) => r.path);
    expect(armReads).toContain(idOf(bare));
    expect(armReads).toContain(`${idOf(failing)}/${KC}/fluxConfigurations/cluster-config`);
    const unknown = await e2e.cliAsync(['fleet', 'status', ...SUBS, '--verify', 'store-9999']);
    expect(unknown.status).toBe(3);
  });

  test('--watch prints a line per change as Resource Graph catches up, and ends at --timeout', async () => {
    const started = e2e.start(['fleet', 'status', ...SUBS, '--watch', '--interval', '5s', '--timeout', `${Math.round((LAG_MS + 9000) / 1000)}s`], { timeout: 60_000 });
    while (!started.stdout().includes('clusters:')) await sleep(100);
    // The change happens after the first read; it shows once Resource Graph has it.
    const put = await e2e.emu.request('PUT', `${idOf(bare)}/${KC}/extensions/flux?${EXT_API}`, { body: { properties: { extensionType: 'microsoft.flux', scope: { cluster: { releaseNamespace: 'flux-system' } } } } });
    expect(put.status).toBe(201);
    const run = await started.result;
    expect({ status: run.status, errors: errors(run.stderr) }).toEqual({ status: 0, errors: [] });
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d 30 clusters: .* · 1 no extension$/);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^\\d\\d:\\d\\d:\\d\\d ${bare.def.name}: no extension → (no configuration|pending)`)));
    expect(lines[lines.length - 1]).toMatch(/ · 0 no extension · 1 no configuration$|0 no extension$/);
  });
});

describe('fleet status and status agree about single clusters', () => {
  test.each([
    ['failing', 6],
    ['healthy', 0],
  ] as const)('a %s cluster', async (which, code) => {
    const c = which === 'failing' ? failing : healthy[0]!;
    const file = idsFile([c]);
    const fleetView = (await e2e.cliAsync(['fleet', 'status', '--clusters', file, '-n', 'cluster-config', '-o', 'json'])).json().clusters[0];
    rmSync(file);
    expect(fleetView.state).toBe(which === 'failing' ? 'failing' : 'compliant');
    const single = await e2e.cliAsync(['status', '--cluster-id', idOf(c), '-n', 'cluster-config', '--wait-for', 'compliant', '--fail-fast', '--timeout', '10s', '-o', 'none']);
    expect(single.status).toBe(code);
  });
});
