/**
 * Waiting for a reconcile request with a fake clock: done once the controller has handled the
 * request (lastHandledReconcileAt changed) and the object is ready; failed at once when it
 * failed; not fooled by a stale Ready before the request is handled; bounded by the deadline,
 * also while a read hangs.
 */
import { describe, expect, test } from '@jest/globals';
import type { KubeFluxObject } from '../../src/kube/access.js';
import { waitForReconcile, type ReconcileWait } from '../../src/kube/reconcile.js';
import { fakeClock } from '../status/fixtures.js';

const SEC = 1000;

function ks(handled: string | undefined, ready: 'True' | 'False' | 'Unknown', reason = 'ReconciliationSucceeded', message = 'Applied revision: main@sha1:abc'): KubeFluxObject {
  return {
    kind: 'Kustomization',
    metadata: { name: 'apps', namespace: 'cfg', generation: 2 },
    spec: {},
    status: {
      observedGeneration: 2,
      ...(handled !== undefined ? { lastHandledReconcileAt: handled } : {}),
      conditions: [{ type: 'Ready', status: ready, reason, message, observedGeneration: 2 }],
    },
  };
}

function waitOn(steps: (KubeFluxObject | undefined)[], options: Partial<ReconcileWait> = {}): { wait: ReconcileWait; reads: () => number; clock: ReturnType<typeof fakeClock> } {
  const clock = fakeClock();
  let i = 0;
  return {
    clock,
    reads: () => i,
    wait: {
      read: async () => steps[Math.min(i++, steps.length - 1)],
      clock,
      deadline: clock.now() + 60 * SEC,
      intervalMs: 250,
      maxIntervalMs: 2 * SEC,
      before: 'old',
      ...options,
    },
  };
}

describe('waitForReconcile', () => {
  test('a Ready left from before the request does not count; the handled and ready object does; reads back off up to the maximum', async () => {
    const { wait, clock } = waitOn([ks('old', 'True'), ks('old', 'True'), ks('new', 'Unknown', 'Progressing'), ks('new', 'Unknown', 'Progressing'), ks('new', 'True')]);
    const result = await waitForReconcile(wait);
    expect(result.outcome).toBe('ready');
    expect(clock.sleeps).toEqual([250, 500, 1000, 2000]);
  });

  test('handled and failed: at once, with the reason and message; waiting on a dependency is still progress', async () => {
    const failed = await waitForReconcile(waitOn([ks('old', 'True'), ks('new', 'False', 'BuildFailed', 'kustomize build failed: the whole message')]).wait);
    expect(failed).toMatchObject({ outcome: 'failed', readiness: { state: 'Failed', reason: 'BuildFailed', message: 'kustomize build failed: the whole message' } });
    const waiting = await waitForReconcile(waitOn([ks('new', 'False', 'DependencyNotReady', 'dependency not ready'), ks('new', 'True')]).wait);
    expect(waiting.outcome).toBe('ready');
    // First reconcile of an object that never had one: undefined before, a token after.
    expect((await waitForReconcile(waitOn([ks(undefined, 'True'), ks('t1', 'True')], { before: undefined }).wait)).outcome).toBe('ready');
  });

  test('the deadline: never handled → timeout, not handled; still progressing → timeout with the last state; the last sleep is cut to the deadline', async () => {
    const never = waitOn([ks('old', 'True')], { deadline: 0 });
    never.wait.deadline = never.clock.now() + 3 * SEC;
    const a = await waitForReconcile(never.wait);
    expect(a).toMatchObject({ outcome: 'timeout', handled: false });
    expect(never.clock.sleeps).toEqual([250, 500, 1000, 1250]);

    const slow = waitOn([ks('new', 'Unknown', 'Progressing', 'Reconciliation in progress')]);
    slow.wait.deadline = slow.clock.now() + 5 * SEC;
    expect(await waitForReconcile(slow.wait)).toMatchObject({ outcome: 'timeout', handled: true, readiness: { state: 'Progressing', reason: 'Progressing' } });
  });

  test('a read that hangs is bounded by the deadline; an object that is gone ends the wait', async () => {
    const clock = fakeClock();
    const started = Date.now();
    const hung = await waitForReconcile({ read: () => new Promise(() => undefined), clock, deadline: clock.now() + 200, intervalMs: 250, before: 'old' });
    expect(hung).toEqual({ outcome: 'timeout', handled: false });
    expect(Date.now() - started).toBeLessThan(10 * SEC);
    expect(await waitForReconcile(waitOn([undefined]).wait)).toEqual({ outcome: 'gone' });
  });

  test('a read cut short by the deadline is the timeout; before the deadline a failed read is the error it is', async () => {
    const expired = new AbortController();
    const { wait } = waitOn([ks('old', 'True')], { expired: expired.signal });
    let first = true;
    wait.read = async () => {
      if (first) {
        first = false;
        return ks('old', 'True');
      }
      expired.abort();
      throw new Error('This operation was aborted');
    };
    expect(await waitForReconcile(wait)).toMatchObject({ outcome: 'timeout', handled: false, readiness: { state: 'Ready' } });
    const failing = waitOn([ks('old', 'True')], { expired: new AbortController().signal });
    failing.wait.read = async () => {
      throw new Error('connection reset');
    };
    await expect(waitForReconcile(failing.wait)).rejects.toThrow('connection reset');
  });

  test('Ctrl-C stops the wait between reads', async () => {
    const controller = new AbortController();
    const { wait } = waitOn([ks('old', 'True')], { signal: controller.signal });
    controller.abort();
    await expect(waitForReconcile(wait)).rejects.toThrow('interrupted');
  });
});
