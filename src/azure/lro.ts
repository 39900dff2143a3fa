/**
 * Long-running ARM operations, followed the way ARM documents them: poll the
 * Azure-AsyncOperation URL, sleeping as Retry-After says, until Succeeded, Failed or Canceled.
 * Every wait is bounded (--wait-timeout, exit 5 with the last state) while a poll is in flight
 * too, shows its progress, and stops cleanly on Ctrl-C or SIGTERM (exit 130/143) saying what
 * may still be running in Azure. When Azure stops answering after it accepted the write, the
 * user is told that the write was accepted and may still complete, and how to follow it.
 */
import type { Clock } from '../core/clock.js';
import type { Context } from '../core/context.js';
import { CliError, InterruptedError, OperationEndedError, TimeoutError } from '../core/errors.js';
import { interruptible, stopSignalOf } from '../core/interrupt.js';
import { startProgress } from '../core/progress.js';
import { DeadlineError, retryAfterOf, type ArmClient, type ArmResponse } from './client.js';
import { describeArmError, type ArmErrorDetail } from './errors.js';

export interface WaitOptions {
  /** What is being waited for, e.g. "Creating Flux configuration cluster-config". */
  phase: string;
  /** Printed when the wait ends early: how to follow the operation from here. */
  followUp: string;
  /** How long to wait (--wait-timeout or the command's default), from now. */
  timeoutMs: number;
  /** An earlier end the whole command must keep (the client's deadline is kept too). */
  deadline?: number;
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
/** Nor slower than this: a long Retry-After on a running operation is a hint, not a promise. */
const MAX_POLL_MS = 60_000;

export function retryAfterMs(headers: Record<string, string>, fallback: number): number {
  const asked = retryAfterOf(headers);
  return asked === undefined ? fallback : Math.max(MIN_POLL_MS, Math.min(asked, MAX_POLL_MS));
}

/** The end of a wait of `timeoutMs` from now, kept within the command's own deadline. */
export function waitDeadline(clock: Clock, timeoutMs: number, ...others: (number | undefined)[]): number {
  return Math.min(clock.now() + timeoutMs, ...others.filter((d): d is number => d !== undefined));
}

const seconds = (ms: number): string => `${Math.round(ms / 1000)}s`;

/**
 * Waits for the operation started by `initial`. Returns when it succeeded; throws FailedError
 * (6), TimeoutError (5), InterruptedError (130/143), or CliError when Azure stopped answering.
 */
export async function waitForOperation(ctx: Context, arm: ArmClient, initial: ArmResponse, options: WaitOptions): Promise<void> {
  const url = initial.headers['azure-asyncoperation'] ?? initial.headers['operation-location'];
  if (!url) return; // completed synchronously (200/204)
  const progress = await startProgress(ctx, options.phase);
  const deadline = waitDeadline(options.clock, options.timeoutMs, options.deadline, arm.deadline);
  let delay = retryAfterMs(initial.headers, options.defaultIntervalMs ?? 2000);
  let last = 'Accepted';
  /** Why the last poll brought no state, if it did not. */
  let silent: string | undefined;
  const timedOut = (): TimeoutError =>
    new TimeoutError(
      `timed out after ${seconds(options.timeoutMs)} waiting: ${options.phase}; last state: ${last}.`,
      `${silent ? `Azure accepted the request; the last poll went unanswered (${silent}), so its state since is unknown. ` : ''}The operation goes on in Azure. ${options.followUp}`,
    );
  progress.state(last);
  let waiting: AbortSignal | undefined;
  try {
    await interruptible(async (signal) => {
      waiting = signal;
      for (;;) {
        const remaining = deadline - options.clock.now();
        if (remaining <= 0) throw timedOut();
        await options.clock.sleep(Math.min(delay, remaining), signal);
        if (options.clock.now() >= deadline) throw timedOut();
        let res: ArmResponse<OperationStatus>;
        try {
          res = await arm.request<OperationStatus>('GET', url, { signal, deadline });
        } catch (err) {
          if (err instanceof DeadlineError) {
            silent = err.why;
            throw timedOut();
          }
          if (err instanceof InterruptedError || signal.aborted) throw err;
          throw new CliError(
            `lost contact with Azure while waiting: ${options.phase} (last state: ${last}): ${(err as Error).message}`,
            `Azure accepted the request; it may still complete. ${options.followUp}`,
          );
        }
        silent = undefined;
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
    if (err instanceof InterruptedError || (err as Error).name === 'AbortError') {
      progress.stop();
      throw new InterruptedError(`interrupted while waiting: ${options.phase} (last state: ${last}).`, `The operation goes on in Azure. ${options.followUp}`, stopSignalOf(waiting));
    }
    progress.fail(`${options.phase}: ${err instanceof TimeoutError ? 'timed out' : last}`);
    throw err;
  }
  progress.succeed(`${options.phase}: done`);
}
