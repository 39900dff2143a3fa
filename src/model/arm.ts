/**
 * ARM request bodies. Commands never build JSON for ARM by hand: they call these. The bodies
 * carry only properties the swagger names and no read-only property (checked in the tests
 * against the official swagger).
 */
import type { FluxConfiguration, KustomizationDef } from './types.js';
import { SOURCE_PROPERTY } from './types.js';
import { setOwn } from './values.js';

export const FLUX_API_VERSION = '2025-04-01';
export const EXTENSION_API_VERSION = '2023-05-01';
export const PROVIDER_NAMESPACE = 'Microsoft.KubernetesConfiguration';

/** Drops undefined members recursively; keeps key order. */
export function prune<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => prune(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) setOwn(out, k, prune(v));
    return out as T;
  }
  return value;
}

export function kustomizationsBody(map: Map<string, KustomizationDef>): Record<string, KustomizationDef> {
  const out: Record<string, KustomizationDef> = {};
  for (const [name, def] of map) out[name] = prune(def);
  return out;
}

/** The body of `PUT …/fluxConfigurations/{name}`. */
export function fluxConfigurationPutBody(c: FluxConfiguration): { properties: Record<string, unknown> } {
  const source = SOURCE_PROPERTY[c.sourceKind];
  const properties: Record<string, unknown> = {
    scope: c.scope,
    namespace: c.namespace,
    sourceKind: c.sourceKind,
    suspend: c.suspend,
    [source]: c[source],
    kustomizations: kustomizationsBody(c.kustomizations),
    waitForReconciliation: c.waitForReconciliation,
    reconciliationWaitDuration: c.reconciliationWaitDuration,
  };
  if (Object.keys(c.configurationProtectedSettings).length > 0) {
    properties.configurationProtectedSettings = { ...c.configurationProtectedSettings };
  }
  return { properties: prune(properties) };
}
