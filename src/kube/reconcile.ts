/**
 * Waiting for a controller to answer a reconcile request, as `flux reconcile` does: the request
 * is handled once `status.lastHandledReconcileAt` differs from what it was before the request
 * (a change, not equality with our token, so another writer asking too cannot make the wait
 * hang); then the object is done when Ready, failed when its readiness says Failed, and waited
 * for while it is still progressing. Every read is bounded by the deadline, so a hung request
 * cannot outlive it. Time comes from the injected clock.
 */
import type { Clock } from '../core/clock.js';
import type { KubeFluxObject } from './access.js';
import { readiness, type KubeObject, type Readiness } from './readiness.js';

export interface ReconcileWait {
  /** Reads the object afresh; undefined when it is gone. */
  read(): Promise<KubeFluxObject | undefined>;
  clock: Clock;
  /** When to give up (clock time, ms). */
  deadline: number;
  /** Time before the second read; it doubles after each read, up to maxIntervalMs. */
  intervalMs: number;
  maxIntervalMs?: number;
  /** `status.lastHandledReconcileAt` before the request. */
  before: string | undefined;
  /** Each state seen, for progress. */
  onState?(r: Readiness, handled: boolean): void;
  /** Ctrl-C: ends the wait between reads. */
  signal?: AbortSignal;
  /** Aborted once the deadline has passed: a read that fails then was cut short by it, and the wait has timed out. */
  expired?: AbortSignal;
}

export type ReconcileResult =
  | { outcome: 'ready' | 'failed' | 'suspended'; object: KubeFluxObject; readiness: Readiness }
  | { outcome: 'timeout'; object?: KubeFluxObject; readiness?: Readiness; handled: boolean }
  | { outcome: 'gone' };

export function handledToken(obj: KubeFluxObject): string | undefined {
  const v = obj.status?.lastHandledReconcileAt;
  return typeof v === 'string' ? v : undefined;
}

const TIMED_OUT = Symbol('timed out');

/** `work`, or TIMED_OUT once the deadline passes while it is still in flight. */
async function bounded<T>(work: Promise<T>, clock: Clock, deadline: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, deadline - clock.now()));
    timer.unref?.();
  });
  try {
    return await Promise.race([work, expiry]);
  } finally {
    clearTimeout(timer);
  }
}

export async function waitForReconcile(w: ReconcileWait): Promise<ReconcileResult> {
  let last: KubeFluxObject | undefined;
  let lastReadiness: Readiness | undefined;
  let handled = false;
  let interval = w.intervalMs;
  for (;;) {
    if (w.clock.now() >= w.deadline) return { outcome: 'timeout', ...(last ? { object: last } : {}), ...(lastReadiness ? { readiness: lastReadiness } : {}), handled };
    const read = await bounded(w.read(), w.clock, w.deadline).catch((err: unknown): typeof TIMED_OUT => {
      if (w.expired?.aborted) return TIMED_OUT;
      throw err;
    });
    if (read === TIMED_OUT) return { outcome: 'timeout', ...(last ? { object: last } : {}), ...(lastReadiness ? { readiness: lastReadiness } : {}), handled };
    if (!read) return { outcome: 'gone' };
    last = read;
    lastReadiness = readiness(read as KubeObject);
    handled = handledToken(read) !== w.before;
    w.onState?.(lastReadiness, handled);
    if (handled) {
      if (lastReadiness.state === 'Ready') return { outcome: 'ready', object: read, readiness: lastReadiness };
      if (lastReadiness.state === 'Failed') return { outcome: 'failed', object: read, readiness: lastReadiness };
      if (lastReadiness.state === 'Suspended') return { outcome: 'suspended', object: read, readiness: lastReadiness };
    }
    const pause = Math.min(interval, Math.max(0, w.deadline - w.clock.now()));
    interval = Math.min(interval * 2, w.maxIntervalMs ?? w.intervalMs);
    await w.clock.sleep(pause, w.signal);
  }
}
