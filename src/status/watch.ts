/**
 * The `status --watch` / `--wait-for` loop: read, compare, report changes, ask the gate, wait,
 * again — until the gate is reached or failed, `--timeout` passes, or the user interrupts.
 * Everything time-related goes through the injected Clock, so tests run it instantly.
 *
 * Pacing (ARM has no watch API, so Azure status is polled):
 *   - every `intervalMs` normally;
 *   - `Retry-After` (seconds or an HTTP date; also `retry-after-ms` / `x-ms-retry-after-ms`)
 *     is obeyed in full: ARM does not process a request sent earlier;
 *   - `x-ms-ratelimit-remaining-*` (reads / resource-requests; the lowest counts) stretches the
 *     interval as the quota falls: below 100 left ×2, below 50 ×4, below 20 ×8, at 0 ×16,
 *     back to ×1 as soon as the quota recovers;
 *   - a read that brought no status (throttled without Retry-After) doubles the pause each
 *     time, from the interval up to maxIntervalMs.
 *   All stretched pauses stop at maxIntervalMs (default max(60 s, interval)); Retry-After does
 *   not. No pause runs past the deadline, and nothing is read after it.
 * A push-driven fetch (a Kubernetes watch that returns at the next change) uses intervalMs 0;
 * it must then block until something changes or the deadline passes.
 */
import type { Clock } from '../core/clock.js';
import { retryAfterFrom } from '../core/retry-after.js';
import { evaluateGate, exitCodeFor, type FinalOutcome, type GateOptions, type GateResult } from './gate.js';
import type { ClusterStatus, ConfigurationStatus, ObjectStatus } from './model.js';

/** Response headers: a plain record (any letter case) or a Headers-like object. */
export type HeaderBag = Record<string, string | string[] | number | undefined | null> | { get(name: string): string | null | undefined };

export interface FetchResult {
  /** Absent when the read brought no status (e.g. throttled): the last one stays shown. */
  status?: ClusterStatus;
  headers?: HeaderBag;
}

export interface FetchContext {
  signal?: AbortSignal;
  /** Clock time after which the loop ends; a blocking fetch should return by then. */
  deadline: number;
}

export interface PollInfo {
  /** The latest status (this read's, or the last one when this read brought none). */
  status?: ClusterStatus;
  changed: boolean;
  gate?: GateResult;
  /** The pause before the next read. */
  delayMs: number;
  /** Why the pause is longer than the interval, in words for the user. */
  backoff?: string;
}

export interface WatchOptions {
  fetch(context: FetchContext): Promise<FetchResult>;
  clock: Clock;
  /** Pause between reads (`--interval`); 0 when fetch itself waits for a change. */
  intervalMs: number;
  /** `--timeout`. */
  timeoutMs: number;
  maxIntervalMs?: number;
  signal?: AbortSignal;
  /** `--wait-for` and `--fail-fast`. Without it the loop ends only at the timeout or on interrupt. */
  gate?: GateOptions;
  /** Called with the first status and with every status that differs (statusFingerprint) from the one before. */
  onChange(status: ClusterStatus, previous: ClusterStatus | undefined): void | Promise<void>;
  /** Called after every read that does not end the loop, changed or not (a TTY redraws ages and the next-refresh line). */
  onPoll?(poll: PollInfo): void | Promise<void>;
}

export interface WatchResult {
  outcome: FinalOutcome;
  exitCode: number;
  /** The last status read. */
  status?: ClusterStatus;
  /** The gate's verdict on the last status (with the not-ready summary). */
  gate?: GateResult;
  polls: number;
  elapsedMs: number;
}

export async function watchStatus(options: WatchOptions): Promise<WatchResult> {
  const { clock, signal } = options;
  const start = clock.now();
  const deadline = start + Math.max(0, options.timeoutMs);
  const maxIntervalMs = options.maxIntervalMs ?? Math.max(60_000, options.intervalMs);
  let latest: ClusterStatus | undefined;
  let latestPrint: string | undefined;
  let gate: GateResult | undefined;
  let polls = 0;
  let throttled = 0;

  const end = (outcome: FinalOutcome): WatchResult => ({
    outcome,
    exitCode: exitCodeFor(outcome),
    ...(latest ? { status: latest } : {}),
    ...(gate ? { gate } : {}),
    polls,
    elapsedMs: clock.now() - start,
  });

  for (;;) {
    if (signal?.aborted) return end('interrupted');
    let result: FetchResult;
    try {
      result = await options.fetch({ ...(signal ? { signal } : {}), deadline });
    } catch (err) {
      if (signal?.aborted) return end('interrupted');
      throw err;
    }
    polls++;

    let changed = false;
    if (result.status) {
      throttled = 0;
      const print = statusFingerprint(result.status);
      changed = print !== latestPrint;
      const previous = latest;
      latest = result.status;
      latestPrint = print;
      if (changed) await options.onChange(result.status, previous);
      if (options.gate) {
        gate = evaluateGate(result.status, options.gate);
        if (gate.outcome === 'reached' || gate.outcome === 'failed') return end(gate.outcome);
      }
    } else {
      throttled++;
    }

    const now = clock.now();
    if (now >= deadline) return end('timeout');
    const pace = nextDelay({ intervalMs: options.intervalMs, maxIntervalMs, headers: result.headers, now, throttled });
    const delayMs = Math.min(pace.delayMs, deadline - now);
    await options.onPoll?.({ ...(latest ? { status: latest } : {}), changed, ...(gate ? { gate } : {}), delayMs, ...(pace.reason ? { backoff: pace.reason } : {}) });
    try {
      if (delayMs > 0) await clock.sleep(delayMs, signal);
    } catch (err) {
      if (signal?.aborted) return end('interrupted');
      throw err;
    }
    if (clock.now() >= deadline) return end('timeout');
  }
}

// ---------------------------------------------------------------------------------------------
// Change detection

/**
 * What counts as a change: everything a user acts on, nothing that only moves with time.
 * Left out: observedAt, statusUpdatedAt, sourceUpdatedAt, updatedAt, lastConnectivityTime,
 * staleReason and warnings (their facts — stale, offline, expired, the extension — are in).
 */
export function statusFingerprint(status: ClusterStatus): string {
  const object = (o: ObjectStatus): unknown[] => [o.kind, o.namespace, o.name, o.ready, o.state, o.stalled, o.reason ?? null, o.message ?? null, o.revision ?? null];
  const configuration = (c: ConfigurationStatus): unknown[] => [
    c.namespace ?? null,
    c.name,
    c.provisioningState ?? null,
    c.complianceState ?? null,
    c.sourceRevision ?? null,
    c.error ?? null,
    c.suspended,
    c.stale,
    c.objects.map(object),
  ];
  const conn = status.cluster.connectivity;
  const ext = status.extension;
  return JSON.stringify([
    status.source,
    status.cluster.name,
    conn ? [conn.status, conn.offline, conn.expired] : null,
    ext ? [ext.name, ext.provisioningState, ext.version ?? null, ext.state ?? null, ext.errors] : null,
    status.configurations.map(configuration),
    status.otherObjects.map(object),
  ]);
}

// ---------------------------------------------------------------------------------------------
// Pacing

export interface DelayInput {
  intervalMs: number;
  maxIntervalMs: number;
  headers?: HeaderBag;
  /** Clock time, to read an HTTP-date Retry-After. */
  now: number;
  /** Reads in a row that brought no status. */
  throttled?: number;
}

/** Quota left → multiplier of the interval. The first row whose floor the quota reaches wins. */
export const RATE_LIMIT_STEPS: ReadonlyArray<readonly [floor: number, factor: number]> = [
  [100, 1],
  [50, 2],
  [20, 4],
  [1, 8],
  [0, 16],
];

export function nextDelay(input: DelayInput): { delayMs: number; reason?: string } {
  const { intervalMs, maxIntervalMs } = input;
  const throttled = input.throttled ?? 0;
  const retryAfter = parseRetryAfter(input.headers, input.now);
  const remaining = remainingQuota(input.headers);
  let factor = 1;
  let reason: string | undefined;
  if (remaining !== undefined) {
    factor = RATE_LIMIT_STEPS.find(([floor]) => remaining >= floor)?.[1] ?? 16;
    if (factor > 1) reason = `slowing down: ${remaining} reads left in the Azure Resource Manager quota`;
  }
  if (throttled > 0 && retryAfter === undefined) {
    const backoff = 2 ** Math.min(throttled, 10);
    if (backoff > factor) {
      factor = backoff;
      reason = `slowing down: Azure is throttling (${throttled} read${throttled === 1 ? '' : 's'} refused)`;
    }
  }
  // A push-driven fetch (interval 0) still pauses when throttled: from 1 s, doubling.
  const unit = intervalMs > 0 ? intervalMs : factor > 1 ? 500 : 0;
  const base = Math.min(unit * factor, Math.max(maxIntervalMs, intervalMs));
  if (retryAfter !== undefined && retryAfter > base) {
    return { delayMs: retryAfter, reason: `Azure asked to wait ${Math.ceil(retryAfter / 1000)}s (Retry-After)` };
  }
  return reason && base > intervalMs ? { delayMs: base, reason } : { delayMs: base };
}

function header(headers: HeaderBag | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const v = (headers as { get(name: string): string | null | undefined }).get(name);
    return v ?? undefined;
  }
  const record = headers as Record<string, unknown>;
  for (const [k, v] of Object.entries(record)) {
    if (k.toLowerCase() !== name) continue;
    if (Array.isArray(v)) return v.length ? String(v[0]) : undefined;
    return v === undefined || v === null ? undefined : String(v);
  }
  return undefined;
}

function headerNames(headers: HeaderBag): string[] {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    const entries = (headers as unknown as { keys?: () => Iterable<string> }).keys;
    return typeof entries === 'function' ? [...entries.call(headers)].map((k) => k.toLowerCase()) : [];
  }
  return Object.keys(headers).map((k) => k.toLowerCase());
}

/** Milliseconds to wait, from `retry-after-ms`, `x-ms-retry-after-ms` or `Retry-After` (seconds or HTTP date). */
export function parseRetryAfter(headers: HeaderBag | undefined, now: number): number | undefined {
  return headers === undefined ? undefined : retryAfterFrom((name) => header(headers, name), now);
}

/** The lowest `x-ms-ratelimit-remaining-*` count of the read quotas, if any was sent. */
export function remainingQuota(headers: HeaderBag | undefined): number | undefined {
  if (!headers) return undefined;
  let lowest: number | undefined;
  for (const name of headerNames(headers)) {
    if (!name.startsWith('x-ms-ratelimit-remaining-') || /writes|deletes/.test(name)) continue;
    // Plain counts (`11999`), or `policy;count` pairs as some providers send (`HighCostGet;107,LowCostGet;3900`).
    for (const part of (header(headers, name) ?? '').split(',')) {
      const text = part.includes(';') ? part.slice(part.lastIndexOf(';') + 1) : part;
      const n = text.trim() === '' ? NaN : Number(text.trim());
      if (Number.isFinite(n) && n >= 0) lowest = lowest === undefined ? n : Math.min(lowest, n);
    }
  }
  return lowest;
}
