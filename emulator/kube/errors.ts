/** The Kubernetes API's error answers: a `Status` object with the HTTP code, a reason and details. */
import type { Json } from '../util.js';

export function statusObject(code: number, reason: string, message: string, details?: Json): Json {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export class KubeError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Json,
  ) {
    super(message);
  }

  body(): Json {
    return statusObject(this.code, this.reason, this.message, this.details);
  }
}

export const notFound = (message = 'the server could not find the requested resource', details: Json = {}): KubeError => new KubeError(404, 'NotFound', message, details);
export const badRequest = (message: string): KubeError => new KubeError(400, 'BadRequest', message);

/** A resourceVersion older than the kept history. */
export const expired = (message: string): KubeError => new KubeError(410, 'Expired', message);

/** A resourceVersion newer than anything the cluster has written. */
export const tooLarge = (requested: number, current: number): KubeError =>
  new KubeError(504, 'Timeout', `Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: 1,
  });
