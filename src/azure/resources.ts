/**
 * Where things live in ARM, and how resources print: `properties` flattened to the top level
 * and `resourceGroup` added, as az prints them, so users' --query expressions keep working.
 */
import { clusterPath, type ClusterRef } from '../model/cluster.js';
import { EXTENSION_API_VERSION, FLUX_API_VERSION, PROVIDER_NAMESPACE } from '../model/arm.js';

export { EXTENSION_API_VERSION, FLUX_API_VERSION };

/** API versions used to read the cluster resources themselves. */
export const CLUSTER_API_VERSION: Record<ClusterRef['clusterType'], string> = {
  managedClusters: '2024-05-01',
  connectedClusters: '2024-01-01',
  provisionedClusters: '2022-05-01-preview',
};
export const PROVIDER_API_VERSION = '2021-04-01';

export const clusterResourcePath = (subscriptionId: string, c: ClusterRef): string => clusterPath(subscriptionId, c);
export const fluxConfigsPath = (subscriptionId: string, c: ClusterRef): string => `${clusterPath(subscriptionId, c)}/providers/${PROVIDER_NAMESPACE}/fluxConfigurations`;
export const fluxConfigPath = (subscriptionId: string, c: ClusterRef, name: string): string => `${fluxConfigsPath(subscriptionId, c)}/${encodeURIComponent(name)}`;
export const extensionsPath = (subscriptionId: string, c: ClusterRef): string => `${clusterPath(subscriptionId, c)}/providers/${PROVIDER_NAMESPACE}/extensions`;
export const extensionPath = (subscriptionId: string, c: ClusterRef, name: string): string => `${extensionsPath(subscriptionId, c)}/${encodeURIComponent(name)}`;
export const providerPath = (subscriptionId: string): string => `/subscriptions/${subscriptionId}/providers/${PROVIDER_NAMESPACE}`;

export interface ArmResource {
  id?: string;
  name?: string;
  type?: string;
  systemData?: unknown;
  identity?: unknown;
  plan?: unknown;
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}

export function resourceGroupOf(id: string | undefined): string | undefined {
  return id ? /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] : undefined;
}

/** az's shape: envelope fields, then the flattened properties, then resourceGroup. */
export function flatten(resource: ArmResource): Record<string, unknown> {
  const { properties, ...envelope } = resource;
  const out: Record<string, unknown> = { ...envelope, ...(properties ?? {}) };
  const rg = resourceGroupOf(resource.id);
  if (rg !== undefined) out.resourceGroup = rg;
  return out;
}
