/**
 * Long-running ARM operations, followed the way ARM documents them: poll the
 * Azure-AsyncOperation URL, sleeping as Retry-After says, until Succeeded, Failed or Canceled.
 * Every wait is bounded (--wait-timeout, exit 5 with the last state), shows its progress, and
 * stops cleanly on Ctrl-C or SIGTERM (exit 130/143) saying what may still be running in Azure.
 */
import type { Clock } from '../core/clock.js';
import type { Context } from '../core/context.js';
import { InterruptedError, OperationEndedError, TimeoutError } from '../core/errors.js';
import { interruptible, stopSignalOf } from '../core/interrupt.js';
import { startProgress } from '../core/progress.js';
import type { ArmClient, ArmResponse } from './client.js';
import { describeArmError, type ArmErrorDetail } from './errors.js';

export interface WaitOptions {
  /** What is being waited for, e.g. "Creating Flux configuration cluster-config". */
  phase: string;
  /** Printed when the wait ends early: how to follow the operation from here. */
  followUp: string;
  timeoutMs: number;
  clock: Clock;
  /** Poll interval when the service gives no Retry-After. */
  defaultIntervalMs?: number;
}

interface OperationStatus {
  status?: string;
  error?: ArmErrorDetail;
}

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'cancelled']);

/** Never poll faster than this, whatever Retry-After says (0 is allowed by ARM). */
const MIN_POLL_MS = 250;

export function retryAfterMs(headers: Record<string, string>, fallback: number): number {
  const raw = headers['retry-after'];
  if (raw === undefined) return fallback;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(MIN_POLL_MS, Math.min(seconds * 1000, 60_000));
  const date = Date.parse(raw);
  return Number.isNaN(date) ? fallback : Math.max(MIN_POLL_MS, Math.min(date - Date.now(), 60_000));
}

/**
 * Waits for the operation started by `initial`. Returns when it succeeded; throws FailedError
 * (6), TimeoutError (5) or InterruptedError (130).
 */
export async function waitForOperation(ctx: Context, arm: ArmClient, initial: ArmResponse, options: WaitOptions): Promise<void> {
  const url = initial.headers['azure-asyncoperation'] ?? initial.headers['operation-location'];
  if (!url) return; // completed synchronously (200/204)
  const progress = await startProgress(ctx, options.phase);
  const deadline = options.clock.now() + options.timeoutMs;
  let delay = retryAfterMs(initial.headers, options.defaultIntervalMs ?? 2000);
  let last = 'Accepted';
  progress.state(last);
  let waiting: AbortSignal | undefined;
  try {
    await interruptible(async (signal) => {
      waiting = signal;
      for (;;) {
        const remaining = deadline - options.clock.now();
        if (remaining <= 0) {
          throw new TimeoutError(`timed out after ${Math.round(options.timeoutMs / 1000)}s waiting: ${options.phase}; last state: ${last}.`, `The operation goes on in Azure. ${options.followUp}`);
        }
        await options.clock.sleep(Math.min(delay, remaining), signal);
        const res = await arm.request<OperationStatus>('GET', url, { signal });
        const status = res.body?.status ?? 'Unknown';
        last = status;
        progress.state(status);
        if (TERMINAL.has(status.toLowerCase())) {
          if (status.toLowerCase() === 'succeeded') return;
          throw new OperationEndedError(status, `${options.phase} ended ${status}: ${describeArmError(res.body?.error, 'no reason given')}`);
        }
        delay = retryAfterMs(res.headers, options.defaultIntervalMs ?? 2000);
      }
    });
  } catch (err) {
    if (err instanceof InterruptedError || (err as Error).name === 'AbortError' || (err as Error).message === 'interrupted') {
      progress.stop();
      throw new InterruptedError(`interrupted while waiting: ${options.phase} (last state: ${last}).`, `The operation goes on in Azure. ${options.followUp}`, stopSignalOf(waiting));
    }
    progress.fail(`${options.phase}: ${err instanceof TimeoutError ? 'timed out' : last}`);
    throw err;
  }
  progress.succeed(`${options.phase}: done`);
}
