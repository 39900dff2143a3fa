/**
 * fleet apply and fleet delete through the built CLI against a generated fleet (30 clusters in
 * two subscriptions, 20 ms of network latency): the plan and the dry run that sends no write,
 * the refusal without a terminal, waves, the extension installed where missing, convergence
 * (a second run sends nothing), the failure budget that stops a rollout, and Ctrl-C, each
 * checked against what the emulator received.
 */
import { beforeEach, describe, expect, test } from '@jest/globals';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GeneratedCluster } from '../../emulator/fleet.js';
import { generatedFleet, idOf } from './fleet-helpers.js';
import { KC } from '../emulator/harness.js';
import { runInPty, SCRIPT } from '../helpers/pty.js';
import { errors, sleep, TUTORIAL_URL, useE2E, writes, type LoggedRequest } from './helpers.js';

const FLEET = { clusters: 30, subscriptions: 2, seed: 11 };
const { args, fleet, subscriptions: SUBS } = generatedFleet(FLEET, ['--latency', '20', '--graph-lag', '200']);
const e2e = useE2E(args);
const failing = fleet.clusters.find((c) => c.failing)!;
const offline = fleet.clusters.find((c) => c.offline)!;
const bare = fleet.clusters.find((c) => !c.flux)!;
/** The clusters a rollout changes (the offline one is skipped), in rollout order (by name). */
const changing = fleet.clusters.filter((c) => !c.offline).sort((a, b) => (a.def.name < b.def.name ? -1 : 1));

const config = (apps: string): string[] => [
  '-n', 'cluster-config', '--namespace', 'cluster-config', '--scope', 'cluster', '-u', TUTORIAL_URL, '--branch', 'main',
  '-k', 'name=infra', 'path=./infrastructure', 'prune=true', '-k', 'name=apps', `path=${apps}`, 'prune=true', 'depends_on=infra',
];
const TUTORIAL = config('./apps/staging');
const PRODUCTION = config('./apps/production');

/** Writes to Flux configurations (and extensions), by the cluster they went to. */
function writesByCluster(log: LoggedRequest[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of writes(log)) {
    if (!r.path.includes(`/${KC}/`)) continue;
    const cluster = r.path.slice(0, r.path.indexOf(`/${KC}/`)).toLowerCase();
    out.set(cluster, [...(out.get(cluster) ?? []), `${r.method} ${r.path.slice(r.path.indexOf(KC) + KC.length + 1)}`]);
  }
  return out;
}

beforeEach(async () => {
  await e2e.reset();
});

describe('the plan', () => {
  test('--dry-run: create (with the extension), update with its fields, unchanged, skipped and why; no write', async () => {
    const run = await e2e.cliAsync(['fleet', 'apply', ...SUBS, ...PRODUCTION, '--dry-run', '-o', 'json']);
    expect({ status: run.status, errors: errors(run.stderr) }).toEqual({ status: 0, errors: [] });
    const plan = run.json();
    expect(plan).toMatchObject({ configuration: 'cluster-config', dryRun: true, waves: [1, 2, 26], maxFailures: 0 });
    const byName = new Map<string, any>(plan.clusters.map((c: { cluster: string }) => [c.cluster, c]));
    expect(byName.get(bare.def.name)).toMatchObject({ action: 'create', installExtension: true });
    expect(byName.get(offline.def.name)).toMatchObject({ action: 'skip', reason: expect.stringMatching(/^offline Arc cluster/) });
    expect(byName.get(failing.def.name)).toMatchObject({ action: 'update', fields: ['kustomizations.apps.path'] });
    expect(byName.get(changing[0]!.def.name)).toMatchObject({ wave: 1 });
    expect(run.stderr).toMatch(/Plan for 'cluster-config' \(nothing was sent\): 30 clusters: 1 create · 28 update · 1 skipped; waves of 1, 2, 26/);
    const log = await e2e.requests();
    expect(writes(log).filter((r) => !r.path.startsWith('/providers/Microsoft.ResourceGraph'))).toEqual([]);
    // One GET of the configuration per cluster that is not skipped: "unchanged" is decided by ARM.
    expect(log.filter((r) => r.method === 'GET' && r.path.endsWith('/fluxConfigurations/cluster-config'))).toHaveLength(29);

    const same = await e2e.cliAsync(['fleet', 'apply', ...SUBS, ...TUTORIAL, '--dry-run']);
    expect(same.stderr).toMatch(/1 create · 28 unchanged · 1 skipped/);
    expect(same.stdout).toMatch(new RegExp(`${failing.def.name} +\\S+ +unchanged`));
  });

  test('without a terminal and without --yes: exit 2 before anything is sent', async () => {
    const run = await e2e.cliAsync(['fleet', 'apply', ...SUBS, ...PRODUCTION]);
    expect(run.status).toBe(2);
    expect(errors(run.stderr)[0]).toMatch(/-y\/--yes: a rollout asks for confirmation, and there is no terminal/);
    expect(await e2e.requests()).toEqual([]);
    const del = await e2e.cliAsync(['fleet', 'delete', ...SUBS, '-n', 'cluster-config']);
    expect(del.status).toBe(2);
    expect(await e2e.requests()).toEqual([]);
  });

  const onPty = SCRIPT ? test : test.skip;
  if (!SCRIPT) console.warn('script (util-linux) is not on PATH: the confirmation of fleet apply on a terminal is SKIPPED.');
  onPty('on a terminal it asks first: no sends nothing; yes rolls out', async () => {
    const QUESTION = /Apply 'cluster-config' to 29 clusters in 3 waves \(1, 2, 26\), each provisioned before the next\?/;
    const declined = await runInPty(['fleet', 'apply', ...SUBS, ...PRODUCTION], e2e.vars, { columns: 120, rows: 30, type: { after: QUESTION, text: 'n\r' } });
    expect({ status: declined.status, killed: declined.killed }).toEqual({ status: 0, killed: undefined });
    expect(declined.output).toMatch(QUESTION);
    expect(declined.output).toContain('Nothing was sent.');
    expect(writesByCluster(await e2e.requests()).size).toBe(0);

    const confirmed = await runInPty(['fleet', 'apply', ...SUBS, ...PRODUCTION, '--waves', '1,100%'], e2e.vars, { columns: 120, rows: 30, timeout: 120_000, type: { after: /each provisioned before the next\?/, text: 'y\r' } });
    expect({ status: confirmed.status, killed: confirmed.killed }).toEqual({ status: 0, killed: undefined });
    expect(confirmed.output).toMatch(/Applied 'cluster-config' in 2 waves: 1 created · 28 updated · 1 skipped\./);
    expect(writesByCluster(await e2e.requests()).size).toBe(29);
  });

  test.each([
    [['--waves', '1,0'], '--waves'],
    [['--waves', '1', '--wave-size', '2'], '--wave-size'],
    [['--max-failures', 'many'], '--max-failures'],
    [['--parallel', '0'], '--parallel'],
    [['--wave-timeout', '10'], '--wave-timeout'],
    [['--wait-for', 'ready'], '--wait-for'],
    [['-k', 'name=apps', 'path=./apps', 'depends_on=nothing'], '-k/--kustomization'],
  ])('%j: exit 2 naming %s, nothing sent', async (args, flag) => {
    const run = await e2e.cliAsync(['fleet', 'apply', ...SUBS, ...TUTORIAL, ...args, '--yes']);
    expect(run.status).toBe(2);
    expect(errors(run.stderr).join('\n')).toContain(flag);
    expect(await e2e.requests()).toEqual([]);
  });
});

describe('a rollout', () => {
  test('in waves; the extension installed first where missing; a second run sends no write', async () => {
    const run = await e2e.cliAsync(['fleet', 'apply', ...SUBS, ...PRODUCTION, '--yes', '-o', 'json'], { timeout: 120_000 });
    expect({ status: run.status, errors: errors(run.stderr) }).toEqual({ status: 0, errors: [] });
    const outcome = new Map<string, string>(run.json().clusters.map((c: { cluster: string; outcome: string }) => [c.cluster, c.outcome]));
    for (const c of fleet.clusters) expect([c.def.name, outcome.get(c.def.name)]).toEqual([c.def.name, c.offline ? 'skipped' : c.flux ? 'updated' : 'created']);
    expect(run.stderr).toMatch(/^Wave 1 of 3: 1 cluster$/m);
    expect(run.stderr).toMatch(/^Wave 3 of 3: 26 clusters$/m);
    expect(run.stderr).toMatch(new RegExp(`^  ${failing.def.name} \\(${failing.resourceGroup}\\): updated in \\d+\\.\\ds$`, 'm'));
    expect(run.stderr).toMatch(/Applied 'cluster-config' in 3 waves: 1 created · 28 updated · 1 skipped\./);

    const sent = writesByCluster(await e2e.requests());
    expect(sent.size).toBe(29);
    expect(sent.get(idOf(offline).toLowerCase())).toBeUndefined();
    expect(sent.get(idOf(bare).toLowerCase())).toEqual(['PUT extensions/flux', 'PUT fluxConfigurations/cluster-config']);
    expect(sent.get(idOf(failing).toLowerCase())).toEqual(['PATCH fluxConfigurations/cluster-config']);

    await e2e.clearRequests();
    const again = await e2e.cliAsync(['fleet', 'apply', ...SUBS, ...PRODUCTION, '--yes']);
    expect({ status: again.status, errors: errors(again.stderr) }).toEqual({ status: 0, errors: [] });
    expect(again.stderr).toMatch(/Nothing to change: 30 clusters: 29 unchanged · 1 skipped/);
    expect(writesByCluster(await e2e.requests()).size).toBe(0);
  });

  test('--wait-for compliant: the first wave over --max-failures stops it (exit 6); later waves are never touched', async () => {
    // Waves cut so that the failing cluster is in the second of three (the first if it comes first).
    const position = changing.findIndex((c) => c === failing);
    expect(position).toBeLessThan(changing.length - 1);
    const cut = Math.max(2, position + 1);
    const sizes = [1, cut - 1, changing.length - cut];
    const stopWave = position < 1 ? 1 : 2;
    const run = await e2e.cliAsync(['fleet', 'apply', ...SUBS, ...PRODUCTION, '--waves', `1,${cut},100%`, '--wait-for', 'compliant', '--yes', '-o', 'json'], { timeout: 120_000 });
    expect(run.status).toBe(6);
    const doc = run.json();
    expect(doc.waves).toEqual(sizes);
    const outcome = new Map<string, any>(doc.clusters.map((c: { cluster: string }) => [c.cluster, c]));
    expect(outcome.get(failing.def.name)).toMatchObject({ outcome: 'failed', wave: stopWave, detail: expect.stringMatching(/cluster-config-apps failed \(BuildFailed\)/) });
    const untouched = changing.slice(sizes.slice(0, stopWave).reduce((a, b) => a + b, 0));
    expect(doc.stopped).toEqual({ why: 'budget', wave: stopWave });
    expect(run.stderr).toMatch(new RegExp(`Stopped after wave ${stopWave} of 3: 1 cluster failed, more than --max-failures 0 allows \\(0\\)\\.`));
    expect(run.stderr).toContain(`never touched (${untouched.length}):`);
    expect(untouched.length).toBeGreaterThan(0);
    const sent = writesByCluster(await e2e.requests());
    for (const c of untouched) {
      expect(outcome.get(c.def.name).outcome).toBe('not started');
      expect(sent.get(idOf(c).toLowerCase())).toBeUndefined();
    }
    expect(errors(run.stderr)[0]).toMatch(/the rollout stopped after wave|1 failure/);
  });

  test.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)('%s: no new write starts, writes in flight finish, and the account says which is which (exit %i)', async (signal, code) => {
    const started = e2e.start(['fleet', 'apply', ...SUBS, ...PRODUCTION, '--waves', '1,100%', '--parallel', '1', '--yes', '-o', 'json'], { timeout: 120_000 });
    while (!/^Wave 2 of 2/m.test(started.stderr())) {
      if (started.child.exitCode !== null) break;
      await sleep(20);
    }
    await sleep(150); // a write or two under way
    started.child.kill(signal);
    const run = await started.result;
    expect(run.status).toBe(code);
    expect(run.stderr).toMatch(/Interrupted in wave 2 of 2: no new write was started; writes already sent went on\./);
    const doc = JSON.parse(run.stdout);
    expect(doc.stopped).toEqual({ why: 'interrupted', wave: 2 });
    const sent = writesByCluster(await e2e.requests());
    const counts = { changed: 0, notStarted: 0 };
    for (const c of doc.clusters as { cluster: string; id: string; outcome: string }[]) {
      const written = sent.get(c.id.toLowerCase()) ?? [];
      if (c.outcome === 'not started') {
        counts.notStarted++;
        expect({ cluster: c.cluster, written }).toEqual({ cluster: c.cluster, written: [] });
      } else if (['updated', 'created', 'accepted'].includes(c.outcome)) {
        counts.changed++;
        expect({ cluster: c.cluster, written: written.filter((w) => w.includes('fluxConfigurations')).length }).toEqual({ cluster: c.cluster, written: 1 });
      }
    }
    expect(counts.changed).toBeGreaterThanOrEqual(1);
    expect(counts.notStarted).toBeGreaterThan(0);
    expect(run.stderr).toContain(`never touched (${counts.notStarted}):`);
  });

  test('an operation that ends Canceled while Azure holds the change counts as done, with a warning', async () => {
    const file = join(tmpdir(), `k8s-gitops-canceled-${process.pid}.txt`);
    writeFileSync(file, `${idOf(failing)}\n`);
    try {
      await e2e.faults({ cancelOperation: 'canceled by the platform during a regional failover' });
      const run = await e2e.cliAsync(['fleet', 'apply', '--clusters', file, ...PRODUCTION, '--yes', '-o', 'json']);
      expect({ status: run.status, errors: errors(run.stderr) }).toEqual({ status: 0, errors: [] });
      expect(run.json().clusters).toEqual([
        expect.objectContaining({ cluster: failing.def.name, outcome: 'updated', detail: expect.stringMatching(/^updating 'cluster-config' ended Canceled \(canceled by the platform during a regional failover.*\), but Azure holds the change$/) }),
      ]);
      expect(run.stderr).toContain(`WARNING: ${failing.def.name}: updating 'cluster-config' ended Canceled`);
      expect(writesByCluster(await e2e.requests()).get(idOf(failing).toLowerCase())).toEqual(['PATCH fluxConfigurations/cluster-config']);
    } finally {
      rmSync(file);
    }
  });

  test('--allow-offline writes to the offline cluster too', async () => {
    const file = join(tmpdir(), `k8s-gitops-offline-${process.pid}.txt`);
    writeFileSync(file, `${idOf(offline)}\n`);
    try {
      const run = await e2e.cliAsync(['fleet', 'apply', '--clusters', file, ...PRODUCTION, '--allow-offline', '--yes', '-o', 'json']);
      expect({ status: run.status, errors: errors(run.stderr) }).toEqual({ status: 0, errors: [] });
      expect(run.json().clusters).toEqual([expect.objectContaining({ cluster: offline.def.name, outcome: 'updated' })]);
    } finally {
      rmSync(file);
    }
  });
});

describe('fleet delete', () => {
  test('plan, waves, and a second run that finds nothing to delete', async () => {
    const plan = (await e2e.cliAsync(['fleet', 'delete', ...SUBS, '-n', 'cluster-config', '--dry-run', '-o', 'json'])).json();
    const action = new Map<string, string>(plan.clusters.map((c: { cluster: string; action: string }) => [c.cluster, c.action]));
    expect(action.get(bare.def.name)).toBe('absent');
    expect(action.get(offline.def.name)).toBe('skip');
    expect(action.get(failing.def.name)).toBe('delete');
    expect(writesByCluster(await e2e.requests()).size).toBe(0);

    const run = await e2e.cliAsync(['fleet', 'delete', ...SUBS, '-n', 'cluster-config', '--wave-size', '10', '--yes'], { timeout: 120_000 });
    expect({ status: run.status, errors: errors(run.stderr) }).toEqual({ status: 0, errors: [] });
    expect(run.stderr).toMatch(/Deleted 'cluster-config' in 3 waves: 28 deleted · 1 absent · 1 skipped\./);
    const sent = writesByCluster(await e2e.requests());
    expect(sent.size).toBe(28);
    expect(sent.get(idOf(failing).toLowerCase())).toEqual(['DELETE fluxConfigurations/cluster-config']);

    const again = await e2e.cliAsync(['fleet', 'delete', ...SUBS, '-n', 'cluster-config', '--yes']);
    expect(again.status).toBe(0);
    expect(again.stderr).toMatch(/Nothing to delete: 30 clusters: 29 absent · 1 skipped/);
  });
});
