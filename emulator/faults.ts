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

export interface FaultState {
  throttle: number;
  serverErrors: number;
  failOperation: boolean | string;
  cancelOperation: boolean | string;
  failKustomization: Record<string, string | null>;
}

export class Faults {
  throttle: number;
  serverErrors: number;
  failOperation: boolean | string;
  cancelOperation: boolean | string;
  readonly failKustomization: Map<string, string | null>;

  constructor(options: EmulatorOptions) {
    this.throttle = options.throttle;
    this.serverErrors = options.serverErrors;
    this.failOperation = options.failOperation;
    this.cancelOperation = options.cancelOperation;
    this.failKustomization = new Map(Object.entries(options.failKustomizations));
  }

  /** True when this request is to be throttled (consumes one). */
  takeThrottle(): boolean {
    if (this.throttle <= 0) return false;
    this.throttle--;
    return true;
  }

  takeServerError(): boolean {
    if (this.serverErrors <= 0) return false;
    this.serverErrors--;
    return true;
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

  /** The failure message for a kustomization (by key or by object name), if it is to fail. */
  kustomizationFailure(key: string, objectName: string, path: string): string | undefined {
    for (const name of [key, objectName]) {
      if (this.failKustomization.has(name)) return this.failKustomization.get(name) ?? defaultKustomizationFailure(path);
    }
    return undefined;
  }

  snapshot(): FaultState {
    return {
      throttle: this.throttle,
      serverErrors: this.serverErrors,
      failOperation: this.failOperation,
      cancelOperation: this.cancelOperation,
      failKustomization: Object.fromEntries(this.failKustomization),
    };
  }
}
