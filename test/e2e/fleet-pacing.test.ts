/**
 * Pacing through the built CLI: a rollout to 230 clusters of one subscription, against an
 * emulator that throttles as ARM documents (--arm-throttling: 200 writes refilled at 10 a
 * second, 250 reads at 25). Every cluster changes, no request is answered 429, and the writes
 * beyond the first 200 are spread at ARM's rate instead of being refused.
 */
import { describe, expect, test } from '@jest/globals';
import { generateFleet } from '../../emulator/fleet.js';
import { errors, TUTORIAL_URL, useE2E, writes } from './helpers.js';

const FLEET = { clusters: 230, subscriptions: 1, seed: 3 };
const e2e = useE2E(['--operation-delay', '0', '--reconcile-delay', '400', '--retry-after', '1', '--quiet', '--graph-lag', '200', '--arm-throttling', '--clusters', '230', '--subscriptions', '1', '--seed', '3']);
const fleet = generateFleet(FLEET);

describe('writes paced to the subscription’s ARM budget', () => {
  test('no 429, every cluster changed, the writes after the first 200 at 10 a second', async () => {
    await e2e.reset();
    const run = await e2e.cliAsync(
      ['fleet', 'apply', '--subscriptions', fleet.subscriptions[0]!, '-n', 'cluster-config', '--namespace', 'cluster-config', '-u', TUTORIAL_URL, '--branch', 'main',
        '-k', 'name=infra', 'path=./infrastructure', 'prune=true', '-k', 'name=apps', 'path=./apps/production', 'prune=true', 'depends_on=infra',
        '--waves', '100%', '--yes', '-o', 'json', '--debug'],
      { timeout: 240_000 },
    );
    expect({ status: run.status, errors: errors(run.stderr) }).toEqual({ status: 0, errors: [] });
    const outcomes = run.json().summary;
    const offline = fleet.clusters.filter((c) => c.offline).length;
    const bare = fleet.clusters.filter((c) => !c.flux).length;
    expect(outcomes).toEqual({ created: bare, updated: 230 - offline - bare, skipped: offline });

    const log = await e2e.requests();
    expect(log.filter((r) => r.status === 429).map((r) => `${r.method} ${r.path}`)).toEqual([]);
    const written = writes(log).filter((r) => r.method !== 'POST').map((r) => Date.parse(r.time)).sort((a, b) => a - b);
    expect(written.length).toBeGreaterThan(220);
    // 200 at once at most, then 10 a second: the last write cannot come sooner than this.
    const floorMs = ((written.length - 200) / 10) * 1000;
    expect(written[written.length - 1]! - written[0]!).toBeGreaterThanOrEqual(floorMs - 1000);
    const stats = /DEBUG: ARM: (\d+) requests .* (\d+) paced for (\d+) ms, (\d+) throttled/.exec(run.stderr);
    expect(stats).not.toBeNull();
    expect(Number(stats![2])).toBeGreaterThan(0);
    expect(Number(stats![4])).toBe(0);
  }, 300_000);
});
