/**
 * The fleet at the scale it is built for, through the built CLI: 1,000 clusters in four
 * subscriptions, 50 ms of latency on every round trip, ARM throttling as documented. fleet
 * status reads the whole fleet in at most six Resource Graph requests; fleet apply rolls a
 * change out in waves 1, 10 %, 100 % without a single 429, stops at the first wave over
 * --max-failures, and a second run sends no write. Time limits are generous: the timings
 * themselves are the benchmark's business (npm run bench).
 */
import { describe, expect, test } from '@jest/globals';
import { generateFleet, type GeneratedCluster } from '../../emulator/fleet.js';
import { errors, TUTORIAL_URL, useE2E, writes, type LoggedRequest } from './helpers.js';

const FLEET = { clusters: 1000, subscriptions: 4, seed: 7 };
const e2e = useE2E(['--clusters', '1000', '--subscriptions', '4', '--seed', '7', '--latency', '50', '--arm-throttling', '--graph-lag', '1000', '--operation-delay', '500', '--reconcile-delay', '1000', '--retry-after', '1', '--quiet']);
const fleet = generateFleet(FLEET);
const SUBS = ['--subscriptions', ...fleet.subscriptions];
const APPLY = [
  'fleet', 'apply', ...SUBS, '-n', 'cluster-config', '--namespace', 'cluster-config', '--scope', 'cluster', '-u', TUTORIAL_URL, '--branch', 'main',
  '-k', 'name=infra', 'path=./infrastructure', 'prune=true', '-k', 'name=apps', 'path=./apps/production', 'prune=true', 'depends_on=infra',
  '--waves', '1,10%,100%', '--wait-for', 'compliant', '--yes', '-o', 'json',
];
const MINUTES = 60_000;
const graphRequests = (log: LoggedRequest[]): number => log.filter((r) => r.path === '/providers/Microsoft.ResourceGraph/resources').length;
const configWrites = (log: LoggedRequest[]): LoggedRequest[] => writes(log).filter((r) => r.method !== 'POST');

describe('1,000 clusters in 4 subscriptions, 50 ms latency, ARM throttling', () => {
  test('fleet status: every cluster, in at most 6 Resource Graph requests', async () => {
    await e2e.clearRequests();
    const started = Date.now();
    const run = await e2e.cliAsync(['fleet', 'status', ...SUBS], { timeout: 2 * MINUTES });
    const ms = Date.now() - started;
    expect({ status: run.status, errors: errors(run.stderr) }).toEqual({ status: 0, errors: [] });
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(2 + 1000 + 1);
    expect(lines[lines.length - 1]).toBe('1000 clusters: 960 compliant · 10 failing · 0 pending · 10 offline · 20 no extension');
    const log = await e2e.requests();
    expect(graphRequests(log)).toBeLessThanOrEqual(6);
    for (const r of log) expect(r.body.options).toMatchObject({ $top: 1000 }); // paged at 1,000 rows (fleet-paging.test.ts follows $skipToken)
    expect(log.length).toBe(graphRequests(log)); // nothing but Resource Graph
    process.stderr.write(`fleet status of 1000 clusters: ${ms} ms, ${graphRequests(log)} Resource Graph requests\n`);
  }, 3 * MINUTES);

  test('fleet apply in waves 1,10%,100% completes within its budget without a 429; a second run sends no write', async () => {
    await e2e.reset();
    const run = await e2e.cliAsync([...APPLY, '--max-failures', '2%'], { timeout: 8 * MINUTES });
    expect({ status: run.status, errors: errors(run.stderr) }).toEqual({ status: 0, errors: [] });
    const doc = run.json();
    expect(doc.waves).toEqual([1, 98, 891]); // 10 % of the 990 clusters it changes is 99, so 98 after the first
    expect(doc.summary).toEqual({ created: 20, updated: 960, failed: 10, skipped: 10 });
    const failed = doc.clusters.filter((c: { outcome: string }) => c.outcome === 'failed').map((c: { cluster: string }) => c.cluster).sort();
    expect(failed).toEqual(fleet.clusters.filter((c) => c.failing).map((c) => c.def.name).sort());
    const log = await e2e.requests();
    expect(log.filter((r) => r.status === 429)).toEqual([]);
    expect(configWrites(log).length).toBe(1010); // 970 updates, and 20 extensions with their 20 configurations

    await e2e.clearRequests();
    const again = await e2e.cliAsync([...APPLY, '--max-failures', '2%'], { timeout: 5 * MINUTES });
    expect({ status: again.status, errors: errors(again.stderr) }).toEqual({ status: 0, errors: [] });
    expect(configWrites(await e2e.requests())).toEqual([]);
  }, 15 * MINUTES);

  test('fleet apply stops at the first wave over --max-failures; later waves get no write', async () => {
    await e2e.reset();
    const order = fleet.clusters.filter((c) => !c.offline).sort((a, b) => (a.def.name < b.def.name ? -1 : 1));
    const waveOf = (c: GeneratedCluster): number => {
      const i = order.indexOf(c);
      return i < 1 ? 1 : i < 99 ? 2 : 3;
    };
    const first = Math.min(...fleet.clusters.filter((c) => c.failing).map(waveOf));
    expect(first).toBeLessThan(3);
    const run = await e2e.cliAsync([...APPLY, '--max-failures', '0'], { timeout: 8 * MINUTES });
    expect(run.status).toBe(6);
    const doc = run.json();
    expect(doc.stopped).toEqual({ why: 'budget', wave: first });
    const later = new Set(order.filter((c) => waveOf(c) > first).map((c) => `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/${c.def.rp}/${c.def.type}/${c.def.name}`.toLowerCase()));
    const log = await e2e.requests();
    expect(configWrites(log).filter((r) => [...later].some((id) => r.path.toLowerCase().startsWith(`${id}/`)))).toEqual([]);
    expect(log.filter((r) => r.status === 429)).toEqual([]);
  }, 10 * MINUTES);
});
