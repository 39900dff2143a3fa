/**
 * Injected faults that are counters or flags (throttling, server errors, a failing operation, failing
 * kustomizations). Faults that change the world itself (extension state, an offline cluster, an
 * unregistered provider) are applied to the World directly.
 */
import type { EmulatorOptions } from './options.js';

export const DEFAULT_OPERATION_FAILURE = {
  extensions:
    "Helm installation failed: timed out waiting for the condition: Deployment flux-system/fluxconfig-agent is not ready (0 of 1 expected pods are ready). Recommendation: check the cluster's nodes and the pods in the flux-system namespace.",
  fluxConfigurations:
    "The fluxconfig-agent could not apply the configuration: admission webhook 'fluxconfigs.clusterconfig.azure.com' denied the request: the namespace is being terminated.",
} as const;

/** Why an operation whose change was applied ended Canceled anyway (ARM's own wording varies). */
export const DEFAULT_OPERATION_CANCEL = 'The operation was canceled by the platform after the resource provider had applied the change.';

export function defaultKustomizationFailure(path: string): string {
  const p = path.replace(/^\.?\/+/, '');
  return `kustomize build failed: accumulating resources: accumulation err='accumulating resources from '${p || '.'}': open /tmp/kustomization-2714/${p}: no such file or directory'`;
}

/**
 * A fault that answers (or holds) the next `count` requests, or only the next `count` whose
 * "METHOD /path" matches `match` (a regular expression), so that a test can pick one phase of a
 * command (e.g. only the polls of an operation) and let the rest through.
 */
export class CountedFault {
  private regex?: RegExp;
  private text?: string;

  constructor(
    public count = 0,
    match?: string,
  ) {
    this.match = match;
  }

  /** The regular expression, as given (checked by the caller). */
  get match(): string | undefined {
    return this.text;
  }

  set match(text: string | undefined) {
    this.text = text;
    this.regex = text === undefined ? undefined : new RegExp(text);
  }

  /** True when this request is one the fault applies to (consumes one). */
  take(method: string, path: string): boolean {
    if (this.count <= 0) return false;
    if (this.regex && !this.regex.test(`${method} ${path}`)) return false;
    this.count--;
    return true;
  }

  view(): { count: number; match: string | null } {
    return { count: this.count, match: this.text ?? null };
  }
}

/** An unexpected answer: this HTTP status with an empty body (3xx: a Location elsewhere). */
export interface RespondFault {
  status: number;
  fault: CountedFault;
}

export interface FaultState {
  throttle: number;
  throttleRetryAfter: number;
  throttleMatch: string | null;
  serverErrors: number;
  hang: { count: number; match: string | null };
  hangKubernetes: { count: number; match: string | null };
  respond: { status: number; count: number; match: string | null } | null;
  failOperation: boolean | string;
  cancelOperation: boolean | string;
  failKustomization: Record<string, string | null>;
}

export class Faults {
  /** Throttled requests to come (and which: see CountedFault). */
  readonly throttling: CountedFault;
  /** Retry-After (seconds) of a throttled answer. */
  throttleRetryAfter: number;
  serverErrors: number;
  /** ARM requests received and never answered (the connection stays open). */
  readonly hang: CountedFault;
  /** Kubernetes API requests received and never answered. */
  readonly hangKubernetes: CountedFault;
  respond?: RespondFault;
  failOperation: boolean | string;
  cancelOperation: boolean | string;
  readonly failKustomization: Map<string, string | null>;
  /** Cluster key → the kustomization key that fails there (the generated fleet's failing clusters). */
  readonly failingClusters = new Map<string, string>();

  constructor(options: EmulatorOptions) {
    this.throttling = new CountedFault(options.throttle);
    this.throttleRetryAfter = options.throttleRetryAfterSeconds;
    this.serverErrors = options.serverErrors;
    this.hang = new CountedFault(options.hang);
    this.hangKubernetes = new CountedFault(options.hangKubernetes);
    if (options.respondStatus !== undefined) this.respond = { status: options.respondStatus, fault: new CountedFault(1) };
    this.failOperation = options.failOperation;
    this.cancelOperation = options.cancelOperation;
    this.failKustomization = new Map(Object.entries(options.failKustomizations));
  }

  /** True when this request is to be throttled (consumes one). */
  takeThrottle(method: string, path: string): boolean {
    return this.throttling.take(method, path);
  }

  takeServerError(): boolean {
    if (this.serverErrors <= 0) return false;
    this.serverErrors--;
    return true;
  }

  /** The status to answer this request with instead of handling it, if any (consumes one). */
  takeRespond(method: string, path: string): number | undefined {
    return this.respond?.fault.take(method, path) ? this.respond.status : undefined;
  }

  /** The failure message for the operation being started, if it is to fail (consumes the fault). */
  takeOperationFailure(collection: keyof typeof DEFAULT_OPERATION_FAILURE): string | undefined {
    const fault = this.failOperation;
    if (fault === false) return undefined;
    this.failOperation = false;
    return typeof fault === 'string' ? fault : DEFAULT_OPERATION_FAILURE[collection];
  }

  /** For the operation being started: the message it is to end Canceled with, its change applied (consumes the fault). */
  takeOperationCancel(): string | undefined {
    const fault = this.cancelOperation;
    if (fault === false) return undefined;
    this.cancelOperation = false;
    return typeof fault === 'string' ? fault : DEFAULT_OPERATION_CANCEL;
  }

  /** The failure message for a kustomization (by key or by object name; on `clusterKey` only, or everywhere), if it is to fail. */
  kustomizationFailure(key: string, objectName: string, path: string, clusterKey?: string): string | undefined {
    if (clusterKey !== undefined && this.failingClusters.get(clusterKey) === key) return defaultKustomizationFailure(path);
    for (const name of [key, objectName]) {
      if (this.failKustomization.has(name)) return this.failKustomization.get(name) ?? defaultKustomizationFailure(path);
    }
    return undefined;
  }

  snapshot(): FaultState {
    return {
      throttle: this.throttling.count,
      throttleRetryAfter: this.throttleRetryAfter,
      throttleMatch: this.throttling.match ?? null,
      serverErrors: this.serverErrors,
      hang: this.hang.view(),
      hangKubernetes: this.hangKubernetes.view(),
      respond: this.respond && this.respond.fault.count > 0 ? { status: this.respond.status, ...this.respond.fault.view() } : null,
      failOperation: this.failOperation,
      cancelOperation: this.cancelOperation,
      failKustomization: Object.fromEntries(this.failKustomization),
    };
  }
}
