/**
 * Ctrl-C and SIGTERM while a command waits: one mechanism for every wait (long-running
 * operations, provider registration, status --watch/--wait-for). The wait runs with an
 * AbortSignal; the first SIGINT or SIGTERM aborts it, so the wait ends through its own path
 * (progress stopped, terminal restored, a message saying what may still be running) and exits
 * 130 after SIGINT, 143 after SIGTERM. A second signal finds no handler and ends the process
 * at once, as a user pressing Ctrl-C twice expects.
 */
export type StopSignal = 'SIGINT' | 'SIGTERM';

const SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM'];

/** The reason a wait's signal carries when a process signal aborted it. */
export class StopRequest {
  constructor(readonly signal: StopSignal) {}
}

/** Runs `body` with SIGINT and SIGTERM turned into an abort of the signal it gets. */
export async function interruptible<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const handlers = SIGNALS.map((name) => [name, (): void => {
    remove();
    controller.abort(new StopRequest(name));
  }] as const);
  const remove = (): void => {
    for (const [name, handler] of handlers) process.removeListener(name, handler);
  };
  for (const [name, handler] of handlers) process.once(name, handler);
  try {
    return await body(controller.signal);
  } finally {
    remove();
  }
}

/** Which process signal aborted `signal`, if one did. */
export function stopSignalOf(signal: AbortSignal | undefined): StopSignal | undefined {
  return signal?.aborted && signal.reason instanceof StopRequest ? signal.reason.signal : undefined;
}
