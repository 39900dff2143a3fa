/**
 * ARM requests paced for many clusters at once: at most `parallel` in flight, and each
 * subscription's reads, writes and deletes kept within ARM's documented request limits, so that
 * a rollout to a thousand clusters is never throttled into failure.
 *
 * ARM's limits are token buckets per subscription and principal: 250 reads refilled at 25 a
 * second, 200 writes and 200 deletes refilled at 10 a second. The pacer keeps its own copy of
 * each bucket, starting full and refilling at those rates, and never lets it be fuller than
 * what ARM last said was left (`x-ms-ratelimit-remaining-subscription-{reads,writes,deletes}`,
 * which also covers other clients of the same principal). A request waits for a token; one
 * token is kept in reserve for the requests ARM has not answered yet. A 429 that gets through
 * anyway is retried by the ARM client after its Retry-After, and empties the pacer's bucket.
 */
import type { Clock } from '../core/clock.js';
import { CliError } from '../core/errors.js';
import type { ArmClient, ArmResponse, RequestOptions } from './client.js';

export type RequestKind = 'reads' | 'writes' | 'deletes';

export const ARM_LIMITS: Readonly<Record<RequestKind, { size: number; perSecond: number }>> = {
  reads: { size: 250, perSecond: 25 },
  writes: { size: 200, perSecond: 10 },
  deletes: { size: 200, perSecond: 10 },
};

/** Tokens never spent, for requests ARM has received but not answered yet. */
const RESERVE = 1;

export class NotStarted extends Error {
  constructor() {
    super('not started');
    this.name = 'NotStarted';
  }
}

export interface PacedRequestOptions extends RequestOptions {
  /** Asked once the request has its turn; false → it is not sent (NotStarted). */
  beforeSend?: () => boolean;
}

export interface PacingStats {
  requests: number;
  byKind: Record<RequestKind, number>;
  /** Requests that waited for a token, and for how long in all. */
  paced: number;
  pacedMs: number;
  /** Answers of 429 that reached the pacer (after the SDK's own retries). */
  throttled: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function requestKind(method: string): RequestKind {
  return method === 'GET' || method === 'HEAD' ? 'reads' : method === 'DELETE' ? 'deletes' : 'writes';
}

export function subscriptionOfPath(path: string): string {
  return /\/subscriptions\/([^/?]+)/i.exec(path)?.[1]?.toLowerCase() ?? '';
}

export class PacedArm {
  readonly stats: PacingStats = { requests: 0, byKind: { reads: 0, writes: 0, deletes: 0 }, paced: 0, pacedMs: 0, throttled: 0 };
  private readonly buckets = new Map<string, Bucket>();
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly arm: ArmClient,
    private readonly clock: Clock,
    readonly parallel: number,
  ) {}

  private bucket(subscription: string, kind: RequestKind): Bucket {
    const key = `${subscription}|${kind}`;
    const now = this.clock.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: ARM_LIMITS[kind].size, at: now };
      this.buckets.set(key, b);
    } else {
      b.tokens = Math.min(ARM_LIMITS[kind].size, b.tokens + ((now - b.at) / 1000) * ARM_LIMITS[kind].perSecond);
      b.at = now;
    }
    return b;
  }

  /** Waits until the subscription's bucket has a token to spend, and spends it. */
  private async token(subscription: string, kind: RequestKind, signal?: AbortSignal): Promise<void> {
    let waited = 0;
    for (;;) {
      const b = this.bucket(subscription, kind);
      if (b.tokens >= 1 + RESERVE) {
        b.tokens -= 1;
        if (waited > 0) {
          this.stats.paced++;
          this.stats.pacedMs += waited;
        }
        return;
      }
      const ms = Math.max(10, Math.ceil(((1 + RESERVE - b.tokens) / ARM_LIMITS[kind].perSecond) * 1000));
      await this.clock.sleep(ms, signal);
      waited += ms;
    }
  }

  private async slot(): Promise<void> {
    if (this.inFlight < this.parallel) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  /** What ARM says is left: the pacer's bucket is never fuller. */
  private observe(subscription: string, kind: RequestKind, headers: Record<string, string>): void {
    const remaining = Number(headers[`x-ms-ratelimit-remaining-subscription-${kind}`]);
    if (headers[`x-ms-ratelimit-remaining-subscription-${kind}`] === undefined || !Number.isFinite(remaining)) return;
    const b = this.bucket(subscription, kind);
    b.tokens = Math.min(b.tokens, remaining);
  }

  async request<T = unknown>(method: 'GET' | 'PUT' | 'PATCH' | 'DELETE' | 'POST', path: string, options: PacedRequestOptions = {}): Promise<ArmResponse<T>> {
    const kind = requestKind(method);
    const subscription = subscriptionOfPath(path);
    await this.token(subscription, kind, options.signal);
    await this.slot();
    try {
      if (options.beforeSend && !options.beforeSend()) throw new NotStarted();
      this.stats.requests++;
      this.stats.byKind[kind]++;
      const { beforeSend: _b, ...rest } = options;
      const res = await this.arm.request<T>(method, path, rest);
      this.observe(subscription, kind, res.headers);
      return res;
    } catch (err) {
      if (err instanceof CliError && / 429: |is throttling/.test(err.message)) {
        this.stats.throttled++;
        this.bucket(subscription, kind).tokens = 0;
      }
      throw err;
    } finally {
      this.release();
    }
  }
}
