/**
 * Resource Graph paging through the built CLI: a fleet of 2,100 clusters is more than one page
 * (1,000 rows) of every table, so fleet status has to follow each answer's $skipToken to the
 * end of each query. Asserted on what the emulator received: every page asks for 1,000 rows,
 * each query's pages after the first carry a $skipToken, and every cluster is in the table.
 */
import { describe, expect, test } from '@jest/globals';
import { generatedFleet } from './fleet-helpers.js';
import { errors, useE2E, type LoggedRequest } from './helpers.js';

const FLEET = { clusters: 2100, subscriptions: 2, seed: 5 };
const { args, fleet, subscriptions: SUBS } = generatedFleet(FLEET);
const e2e = useE2E(args);

const graphRequests = (log: LoggedRequest[]): LoggedRequest[] => log.filter((r) => r.path === '/providers/Microsoft.ResourceGraph/resources');

describe('a fleet of more than one page', () => {
  test('fleet status follows $skipToken to the end of each query, 1,000 rows a page', async () => {
    await e2e.clearRequests();
    const run = await e2e.cliAsync(['fleet', 'status', ...SUBS, '-o', 'json'], { timeout: 120_000 });
    expect({ status: run.status, errors: errors(run.stderr) }).toEqual({ status: 0, errors: [] });
    const doc = run.json();
    expect(doc.clusters).toHaveLength(2100);
    expect(new Set(doc.clusters.map((c: { id: string }) => c.id.toLowerCase())).size).toBe(2100);
    expect(doc.summary.clusters).toBe(2100);
    expect(doc.summary['no-extension']).toBe(fleet.clusters.filter((c) => !c.flux).length);

    const all = await e2e.requests();
    const log = graphRequests(all);
    expect(log).toHaveLength(all.length); // nothing but Resource Graph
    const byQuery = new Map<string, LoggedRequest[]>();
    for (const r of log) byQuery.set(r.body.query, [...(byQuery.get(r.body.query) ?? []), r]);
    // The clusters, their extensions and their configurations: three queries of three pages each.
    expect([...byQuery.values()].map((pages) => pages.length)).toEqual([3, 3, 3]);
    for (const pages of byQuery.values()) {
      expect(pages.map((p) => p.body.options.$top)).toEqual([1000, 1000, 1000]);
      expect(pages[0]!.body.options.$skipToken).toBeUndefined();
      for (const p of pages.slice(1)) expect(typeof p.body.options.$skipToken).toBe('string');
      expect(new Set(pages.slice(1).map((p) => p.body.options.$skipToken)).size).toBe(2);
      expect(pages.every((p) => p.status === 200)).toBe(true);
    }
  }, 180_000);
});
