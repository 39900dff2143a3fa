/** Time, injectable: waits and timeouts take a clock so tests need not sleep. */
import { InterruptedError } from './errors.js';

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with InterruptedError when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new InterruptedError('interrupted'));
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(new InterruptedError('interrupted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};
