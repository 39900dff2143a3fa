import { describe, expect, test } from '@jest/globals';
import { azureStatus } from '../../src/status/azure.js';
import type { ClusterStatus } from '../../src/status/model.js';
import { nextDelay, parseRetryAfter, remainingQuota, statusFingerprint, watchStatus, type FetchResult, type HeaderBag, type WatchOptions } from '../../src/status/watch.js';
import { arcCluster, compliantStatuses, fakeClock, fluxConfig, iso, MIN, NOW, type ConfigShape, type FakeClock } from './fixtures.js';

const SEC = 1000;

const pendingStatuses = compliantStatuses().map((s) => (s.kind === 'GitRepository' ? s : { ...s, complianceState: 'Pending', ready: ['Unknown', 'Progressing', 'Reconciliation in progress'] as [string, string, string] }));
const failingStatuses = compliantStatuses().map((s) => (s.kind === 'HelmRelease' ? { ...s, complianceState: 'Non-Compliant', ready: ['False', 'InstallFailed', 'install failed'] as [string, string, string] } : s));

const PHASES: Record<string, ConfigShape> = {
  creating: { provisioningState: 'Creating', complianceState: 'Pending', syncedCommit: null, statuses: [] },
  pending: { complianceState: 'Pending', statuses: pendingStatuses },
  compliant: {},
  failing: { complianceState: 'Non-Compliant', statuses: failingStatuses },
};

/** A fetch that plays a script, one step per read (the last step repeats); each status is stamped with the clock time, as a real read is. */
function script(clock: FakeClock, steps: { phase?: keyof typeof PHASES; headers?: HeaderBag }[]): { fetch: WatchOptions['fetch']; reads: number[] } {
  const reads: number[] = [];
  let i = 0;
  return {
    reads,
    fetch: async (): Promise<FetchResult> => {
      const step = steps[Math.min(i++, steps.length - 1)]!;
      const now = clock.now();
      reads.push(now - NOW);
      if (!step.phase) return { ...(step.headers ? { headers: step.headers } : {}) };
      // The agent reports just before each read: statusUpdatedAt and the heartbeat move with time.
      const status = azureStatus({ cluster: arcCluster('Connected', iso(now - SEC)), configurations: [fluxConfig({ ...PHASES[step.phase], statusUpdatedAt: iso(now - SEC) })] }, { now });
      return { status, ...(step.headers ? { headers: step.headers } : {}) };
    },
  };
}

function recorder() {
  const changes: { compliance: string | undefined; previous: string | undefined }[] = [];
  return {
    changes,
    onChange: (s: ClusterStatus, p: ClusterStatus | undefined) => {
      changes.push({ compliance: s.configurations[0]?.complianceState, previous: p?.configurations[0]?.complianceState });
    },
  };
}

describe('watch: changes, gate and timeout with a fake clock', () => {
  test('Creating → Pending → (same) → Compliant: three changes, reached, exit 0', async () => {
    const clock = fakeClock();
    const { fetch, reads } = script(clock, [{ phase: 'creating' }, { phase: 'pending' }, { phase: 'pending' }, { phase: 'compliant' }]);
    const rec = recorder();
    const result = await watchStatus({ fetch, clock, intervalMs: 5 * SEC, timeoutMs: 10 * MIN, gate: { waitFor: 'compliant' }, onChange: rec.onChange });
    expect(rec.changes).toEqual([
      { compliance: 'Pending', previous: undefined },
      { compliance: 'Pending', previous: 'Pending' }, // provisioning Creating → Succeeded, objects appear
      { compliance: 'Compliant', previous: 'Pending' },
    ]);
    expect(reads).toEqual([0, 5 * SEC, 10 * SEC, 15 * SEC]);
    expect(clock.sleeps).toEqual([5 * SEC, 5 * SEC, 5 * SEC]);
    expect(result).toMatchObject({ outcome: 'reached', exitCode: 0, polls: 4, elapsedMs: 15 * SEC });
    expect(result.status?.configurations[0]?.complianceState).toBe('Compliant');
    expect(result.gate?.outcome).toBe('reached');
  });

  test('never compliant: timeout at exactly --timeout, exit 5, nothing read after it, the not-ready summary kept', async () => {
    const clock = fakeClock();
    const { fetch, reads } = script(clock, [{ phase: 'pending' }]);
    const rec = recorder();
    const result = await watchStatus({ fetch, clock, intervalMs: 5 * SEC, timeoutMs: 12 * SEC, gate: { waitFor: 'compliant' }, onChange: rec.onChange });
    expect(result).toMatchObject({ outcome: 'timeout', exitCode: 5, polls: 3, elapsedMs: 12 * SEC });
    expect(reads).toEqual([0, 5 * SEC, 10 * SEC]);
    expect(clock.sleeps).toEqual([5 * SEC, 5 * SEC, 2 * SEC]);
    expect(rec.changes).toHaveLength(1); // ages and report times moved on every read; nothing else did
    expect(result.gate?.outcome).toBe('pending');
    expect(result.gate?.notReady.map((o) => `${o.kind}/${o.name}`)).toEqual(['Kustomization/cfg-apps', 'HelmRelease/podinfo']);
  });

  test('--fail-fast: Non-Compliant ends at the first read, exit 6', async () => {
    const clock = fakeClock();
    const { fetch } = script(clock, [{ phase: 'pending' }, { phase: 'failing' }, { phase: 'compliant' }]);
    const rec = recorder();
    const result = await watchStatus({ fetch, clock, intervalMs: 5 * SEC, timeoutMs: 10 * MIN, gate: { waitFor: 'compliant', failFast: true }, onChange: rec.onChange });
    expect(result).toMatchObject({ outcome: 'failed', exitCode: 6, polls: 2 });
    expect(rec.changes.map((c) => c.compliance)).toEqual(['Pending', 'Non-Compliant']); // the failing state was shown before ending
    expect(result.gate?.failures).toEqual(["configuration 'cfg-ns/cfg': HelmRelease cfg-ns/podinfo failed (InstallFailed)"]);
  });

  test('without --fail-fast the same Non-Compliant is waited out and recovers', async () => {
    const clock = fakeClock();
    const { fetch } = script(clock, [{ phase: 'pending' }, { phase: 'failing' }, { phase: 'compliant' }]);
    const result = await watchStatus({ fetch, clock, intervalMs: 5 * SEC, timeoutMs: 10 * MIN, gate: { waitFor: 'compliant' }, onChange: () => undefined });
    expect(result).toMatchObject({ outcome: 'reached', exitCode: 0, polls: 3 });
  });

  test('without --wait-for the loop ends only at the timeout', async () => {
    const clock = fakeClock();
    const { fetch } = script(clock, [{ phase: 'compliant' }]);
    const result = await watchStatus({ fetch, clock, intervalMs: 10 * SEC, timeoutMs: 30 * SEC, onChange: () => undefined });
    expect(result).toMatchObject({ outcome: 'timeout', exitCode: 5, polls: 3 });
    expect(result.gate).toBeUndefined();
  });

  test('onPoll sees every read, changed or not, with the pause to come', async () => {
    const clock = fakeClock();
    const { fetch } = script(clock, [{ phase: 'pending' }, { phase: 'pending' }, { phase: 'compliant' }]);
    const polls: [boolean, number][] = [];
    await watchStatus({ fetch, clock, intervalMs: 5 * SEC, timeoutMs: MIN, gate: { waitFor: 'ready' }, onChange: () => undefined, onPoll: (p) => void polls.push([p.changed, p.delayMs]) });
    expect(polls).toEqual([
      [true, 5 * SEC],
      [false, 5 * SEC],
    ]);
  });
});

describe('watch: backing off', () => {
  test('Retry-After is obeyed in full, then the interval returns', async () => {
    const clock = fakeClock();
    const { fetch, reads } = script(clock, [{ phase: 'pending', headers: { 'Retry-After': '30' } }, { phase: 'pending' }, { phase: 'compliant' }]);
    const backoffs: (string | undefined)[] = [];
    await watchStatus({ fetch, clock, intervalMs: 5 * SEC, timeoutMs: 10 * MIN, gate: { waitFor: 'compliant' }, onChange: () => undefined, onPoll: (p) => void backoffs.push(p.backoff) });
    expect(reads).toEqual([0, 30 * SEC, 35 * SEC]);
    expect(backoffs).toEqual(['Azure asked to wait 30s (Retry-After)', undefined]);
  });

  test('a Retry-After past the deadline: wait to the deadline and stop without another read', async () => {
    const clock = fakeClock();
    const { fetch, reads } = script(clock, [{ phase: 'pending', headers: { 'retry-after': '1200' } }]);
    const result = await watchStatus({ fetch, clock, intervalMs: 5 * SEC, timeoutMs: MIN, gate: { waitFor: 'compliant' }, onChange: () => undefined });
    expect(reads).toEqual([0]);
    expect(clock.sleeps).toEqual([MIN]);
    expect(result).toMatchObject({ outcome: 'timeout', exitCode: 5 });
  });

  test('a falling x-ms-ratelimit-remaining slows the polling down, and a recovered one speeds it up again', async () => {
    const clock = fakeClock();
    const quota = (n: number): HeaderBag => ({ 'x-ms-ratelimit-remaining-subscription-reads': String(n) });
    const { fetch, reads } = script(clock, [
      { phase: 'pending', headers: quota(11999) },
      { phase: 'pending', headers: quota(90) },
      { phase: 'pending', headers: quota(45) },
      { phase: 'pending', headers: quota(10) },
      { phase: 'pending', headers: quota(0) },
      { phase: 'pending', headers: quota(240) },
      { phase: 'compliant' },
    ]);
    await watchStatus({ fetch, clock, intervalMs: 5 * SEC, timeoutMs: 10 * MIN, gate: { waitFor: 'compliant' }, onChange: () => undefined });
    expect(clock.sleeps).toEqual([5 * SEC, 10 * SEC, 20 * SEC, 40 * SEC, 60 * SEC, 5 * SEC]);
    expect(reads).toHaveLength(7);
  });

  test('reads that bring no status (throttled, no Retry-After) double the pause up to the maximum; the last status stays', async () => {
    const clock = fakeClock();
    const { fetch } = script(clock, [{ phase: 'pending' }, {}, {}, {}, {}, {}, { phase: 'compliant' }]);
    const seen: (string | undefined)[] = [];
    const result = await watchStatus({
      fetch,
      clock,
      intervalMs: 5 * SEC,
      maxIntervalMs: 30 * SEC,
      timeoutMs: 10 * MIN,
      gate: { waitFor: 'compliant' },
      onChange: () => undefined,
      onPoll: (p) => void seen.push(p.status?.configurations[0]?.complianceState),
    });
    expect(clock.sleeps).toEqual([5 * SEC, 10 * SEC, 20 * SEC, 30 * SEC, 30 * SEC, 30 * SEC]);
    expect(seen).toEqual(['Pending', 'Pending', 'Pending', 'Pending', 'Pending', 'Pending']);
    expect(result.outcome).toBe('reached');
  });

  test.each([
    ['nothing', undefined, 5 * SEC],
    ['Retry-After seconds', { 'Retry-After': '7' }, 7 * SEC],
    ['Retry-After shorter than the interval', { 'Retry-After': '2' }, 5 * SEC],
    ['Retry-After as an HTTP date', { 'retry-after': new Date(NOW + 45 * SEC).toUTCString() }, 45 * SEC],
    ['retry-after-ms', { 'retry-after-ms': '12500' }, 12500],
    ['x-ms-retry-after-ms', { 'x-ms-retry-after-ms': '8000' }, 8 * SEC],
    ['quota 100 left: no slowdown', { 'x-ms-ratelimit-remaining-subscription-reads': '100' }, 5 * SEC],
    ['quota 99 left', { 'x-ms-ratelimit-remaining-subscription-reads': '99' }, 10 * SEC],
    ['the lowest quota counts', { 'x-ms-ratelimit-remaining-subscription-reads': '11000', 'x-ms-ratelimit-remaining-tenant-reads': '30' }, 20 * SEC],
    ['writes quotas do not count', { 'x-ms-ratelimit-remaining-subscription-writes': '1' }, 5 * SEC],
    ['policy;count pairs', { 'x-ms-ratelimit-remaining-resource': 'Microsoft.X/HighCostGet;15,Microsoft.X/LowCostGet;900' }, 40 * SEC],
    ['a Headers object', new Headers({ 'X-MS-RateLimit-Remaining-Subscription-Reads': '45' }), 20 * SEC],
    ['the slowdown stops at the maximum', { 'x-ms-ratelimit-remaining-subscription-reads': '0' }, 60 * SEC],
    ['Retry-After is not capped', { 'Retry-After': '300' }, 300 * SEC],
  ] as [string, HeaderBag | undefined, number][])('nextDelay: %s', (_name, headers, delay) => {
    expect(nextDelay({ intervalMs: 5 * SEC, maxIntervalMs: 60 * SEC, headers, now: NOW }).delayMs).toBe(delay);
  });

  test('header parsing', () => {
    expect(parseRetryAfter({ 'Retry-After': 'soon' }, NOW)).toBeUndefined();
    expect(parseRetryAfter({ 'Retry-After': new Date(NOW - SEC).toUTCString() }, NOW)).toBe(0);
    expect(remainingQuota({})).toBeUndefined();
    expect(remainingQuota({ 'x-ms-ratelimit-remaining-subscription-reads': ['12', '99'] })).toBe(12);
  });

  test('a push-driven fetch (interval 0) reads again at once, but still pauses when throttled', () => {
    expect(nextDelay({ intervalMs: 0, maxIntervalMs: 60 * SEC, now: NOW }).delayMs).toBe(0);
    expect(nextDelay({ intervalMs: 0, maxIntervalMs: 60 * SEC, now: NOW, throttled: 1 }).delayMs).toBe(SEC);
    expect(nextDelay({ intervalMs: 0, maxIntervalMs: 60 * SEC, now: NOW, headers: { 'Retry-After': '3' } }).delayMs).toBe(3 * SEC);
  });
});

describe('watch: interrupts and errors', () => {
  test('Ctrl-C while waiting: interrupted, exit 130, the last status kept', async () => {
    const clock = fakeClock();
    const { fetch } = script(clock, [{ phase: 'pending' }]);
    const controller = new AbortController();
    const result = await watchStatus({
      fetch,
      clock,
      intervalMs: 5 * SEC,
      timeoutMs: 10 * MIN,
      signal: controller.signal,
      gate: { waitFor: 'compliant' },
      onChange: () => undefined,
      onPoll: () => controller.abort(),
    });
    expect(result).toMatchObject({ outcome: 'interrupted', exitCode: 130, polls: 1 });
    expect(result.status?.configurations[0]?.complianceState).toBe('Pending');
  });

  test('Ctrl-C during a read: interrupted', async () => {
    const clock = fakeClock();
    const controller = new AbortController();
    const result = await watchStatus({
      fetch: async ({ signal }) => {
        controller.abort();
        throw Object.assign(new Error('aborted'), { name: 'AbortError', signal });
      },
      clock,
      intervalMs: 5 * SEC,
      timeoutMs: MIN,
      signal: controller.signal,
      onChange: () => undefined,
    });
    expect(result).toMatchObject({ outcome: 'interrupted', exitCode: 130, polls: 0 });
  });

  test('any other read error ends the loop with that error', async () => {
    const clock = fakeClock();
    await expect(watchStatus({ fetch: async () => Promise.reject(new Error('HTTP 500')), clock, intervalMs: SEC, timeoutMs: MIN, onChange: () => undefined })).rejects.toThrow('HTTP 500');
  });

  test('the deadline is handed to the fetch', async () => {
    const clock = fakeClock();
    const reads: [number, number][] = [];
    // Reads without status double the pause: 20 s, then (40 s, cut) the 25 s left.
    await watchStatus({ fetch: async ({ deadline }) => (reads.push([clock.now() - NOW, deadline]), {}), clock, intervalMs: 10 * SEC, timeoutMs: 45 * SEC, onChange: () => undefined });
    expect(reads).toEqual([
      [0, NOW + 45 * SEC],
      [20 * SEC, NOW + 45 * SEC],
    ]);
    expect(clock.sleeps).toEqual([20 * SEC, 25 * SEC]);
  });
});

describe('change detection ignores ages and report times', () => {
  const at = (now: number, shape: ConfigShape = {}, cluster = arcCluster('Connected', iso(now - SEC))) =>
    azureStatus({ cluster, configurations: [fluxConfig({ ...shape, statusUpdatedAt: iso(now - SEC) })] }, { now });

  test('the same state read later is the same', () => {
    expect(statusFingerprint(at(NOW))).toBe(statusFingerprint(at(NOW + 5 * MIN)));
  });

  test.each([
    ['compliance', { complianceState: 'Pending' }],
    ['provisioning', { provisioningState: 'Updating' }],
    ['source revision', { syncedCommit: `main/${'1'.repeat(40)}` }],
    ['suspension', { suspend: true }],
    ['an object message', { statuses: compliantStatuses().map((s) => (s.kind === 'HelmRelease' ? { ...s, ready: ['True', 'UpgradeSucceeded', 'upgraded'] as [string, string, string] } : s)) }],
    ['an object gone', { statuses: compliantStatuses().slice(0, 2) }],
  ] as [string, ConfigShape][])('%s is a change', (_name, shape) => {
    expect(statusFingerprint(at(NOW, shape))).not.toBe(statusFingerprint(at(NOW)));
  });

  test('going offline (and so stale) is a change', () => {
    expect(statusFingerprint(at(NOW, {}, arcCluster('Offline', iso(NOW - 20 * MIN))))).not.toBe(statusFingerprint(at(NOW)));
  });
});
