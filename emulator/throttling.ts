/**
 * ARM's request limits (--arm-throttling), as Microsoft documents the token-bucket model: per
 * subscription, one bucket for reads (250 requests, refilled at 25 a second), one for writes
 * (200, 10 a second) and one for deletes (200, 10 a second). Every ARM request under a
 * subscription takes a token from its bucket; an empty bucket answers 429
 * SubscriptionRequestsThrottled with Retry-After (whole seconds until a token is back), and the
 * request is not processed. Responses carry `x-ms-ratelimit-remaining-subscription-{reads,
 * writes,deletes}`: the whole tokens left. Without the option the emulator counts down from
 * 12000 reads and 1200 writes per world instead, and never refuses.
 */
import { ArmError } from './arm/errors.js';

export type RequestKind = 'reads' | 'writes' | 'deletes';

export const ARM_BUCKETS: Readonly<Record<RequestKind, { size: number; perSecond: number }>> = {
  reads: { size: 250, perSecond: 25 },
  writes: { size: 200, perSecond: 10 },
  deletes: { size: 200, perSecond: 10 },
};

export function requestKind(method: string): RequestKind {
  if (method === 'GET' || method === 'HEAD') return 'reads';
  return method === 'DELETE' ? 'deletes' : 'writes';
}

/** `/subscriptions/{id}/…` → the id (lower case); tenant-level paths → undefined. */
export function subscriptionOf(path: string): string | undefined {
  const m = /^\/subscriptions\/([^/]+)/i.exec(path);
  return m ? decodeURIComponent(m[1]!).toLowerCase() : undefined;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class ArmThrottle {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly now: () => number = Date.now) {}

  private bucket(subscriptionId: string, kind: RequestKind): Bucket {
    const key = `${subscriptionId}|${kind}`;
    let b = this.buckets.get(key);
    const now = this.now();
    if (!b) {
      b = { tokens: ARM_BUCKETS[kind].size, at: now };
      this.buckets.set(key, b);
    } else {
      const { size, perSecond } = ARM_BUCKETS[kind];
      b.tokens = Math.min(size, b.tokens + ((now - b.at) / 1000) * perSecond);
      b.at = now;
    }
    return b;
  }

  /** Whole tokens left in a bucket (after refilling). */
  remaining(subscriptionId: string, kind: RequestKind): number {
    return Math.floor(this.bucket(subscriptionId, kind).tokens);
  }

  /** Takes a token for a request, or throws ARM's 429 when the bucket is empty. */
  take(subscriptionId: string, kind: RequestKind): void {
    const b = this.bucket(subscriptionId, kind);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return;
    }
    const seconds = Math.max(1, Math.ceil((1 - b.tokens) / ARM_BUCKETS[kind].perSecond));
    const refusal = throttled(kind === 'reads' ? 'read' : kind === 'writes' ? 'write' : 'delete', subscriptionId, seconds);
    // The buckets as they were when the request was refused, not as they have refilled by the
    // time the answer goes out (the empty one says 0, whatever the machine's speed).
    Object.assign(refusal.headers, this.headers(subscriptionId));
    throw refusal;
  }

  /** The remaining-quota headers of a response to a request in `subscriptionId`. */
  headers(subscriptionId: string): Record<string, string> {
    return {
      'x-ms-ratelimit-remaining-subscription-reads': String(this.remaining(subscriptionId, 'reads')),
      'x-ms-ratelimit-remaining-subscription-writes': String(this.remaining(subscriptionId, 'writes')),
      'x-ms-ratelimit-remaining-subscription-deletes': String(this.remaining(subscriptionId, 'deletes')),
    };
  }
}

/** ARM's 429 for a subscription whose bucket of `kind` requests is empty, in ARM's words. */
export function throttled(kind: 'read' | 'write' | 'delete', subscriptionId: string, seconds: number): ArmError {
  return new ArmError(
    429,
    'SubscriptionRequestsThrottled',
    `Number of '${kind}' requests for subscription '${subscriptionId}' exceeded the limit. Please try again after '${seconds}' seconds.`,
    undefined,
    { 'Retry-After': String(seconds) },
  );
}
