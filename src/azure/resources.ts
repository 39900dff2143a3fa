/**
 * Where things live in ARM, and how resources print: `properties` flattened to the top level
 * and `resourceGroup` added, as az prints them, so users' --query expressions keep working.
 *
 * Every request path is built here, and only here, from segments: each name is checked and
 * percent-encoded on its own, so no value can add, remove or cut a segment (`/`, `..`, `#`, `?`,
 * `%2F`, a backslash or a control character never reach the URL as such). Names given by the
 * user were checked against Azure's naming rules when they were parsed (src/model/names.ts);
 * names read back from Azure pass the same path check.
 */
import type { ClusterRef } from '../model/cluster.js';
import { EXTENSION_API_VERSION, FLUX_API_VERSION, PROVIDER_NAMESPACE } from '../model/arm.js';
import { UsageError } from '../core/errors.js';
import { echo } from '../core/echo.js';

export { EXTENSION_API_VERSION, FLUX_API_VERSION };

/** API versions used to read the cluster resources themselves. */
export const CLUSTER_API_VERSION: Record<ClusterRef['clusterType'], string> = {
  managedClusters: '2024-05-01',
  connectedClusters: '2024-01-01',
  provisionedClusters: '2022-05-01-preview',
  fleets: '2025-03-01',
};
/**
 * Extensions on a Fleet Manager hub (preview) are requested at the extensions API version that
 * knows fleets, as az k8s-extension does; on clusters, at EXTENSION_API_VERSION.
 */
export const FLEET_EXTENSION_API_VERSION = '2025-03-01';
export const extensionApiVersion = (c: Pick<ClusterRef, 'clusterType'>): string => (c.clusterType === 'fleets' ? FLEET_EXTENSION_API_VERSION : EXTENSION_API_VERSION);
export const PROVIDER_API_VERSION = '2021-04-01';

/** Stands for the subscription in a dry run that knows none; printed as is. */
export const SUBSCRIPTION_PLACEHOLDER = '{subscriptionId}';

/** Characters no ARM name has, whatever its type: controls, separators and bidi overrides. */
const NEVER_IN_A_NAME = /[\u0000-\u001f\u007f-\u009f/\\?#\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

/** One path segment: a name that cannot change the shape of the path, percent-encoded. */
function segment(value: string, what: string, flag: string): string {
  if (value === '' || value === '.' || value === '..' || value.length > 260 || NEVER_IN_A_NAME.test(value)) {
    throw new UsageError(flag, `'${echo(value)}' cannot be part of a request path as a ${what}.`);
  }
  return encodeURIComponent(value);
}

function subscriptionSegment(subscriptionId: string): string {
  return subscriptionId === SUBSCRIPTION_PLACEHOLDER ? subscriptionId : segment(subscriptionId, 'subscription id', '--subscription');
}

/** `/subscriptions/{sub}/resourceGroups/{rg}/providers/{rp}/{type}/{name}` of a cluster. */
export function clusterResourcePath(subscriptionId: string, c: ClusterRef): string {
  return [
    '',
    'subscriptions',
    subscriptionSegment(subscriptionId),
    'resourceGroups',
    segment(c.resourceGroup, 'resource group name', '-g/--resource-group'),
    'providers',
    segment(c.clusterRp, 'resource provider', '--cluster-resource-provider'),
    segment(c.clusterType, 'cluster type', '-t/--cluster-type'),
    segment(c.clusterName, 'cluster name', '-c/--cluster-name'),
  ].join('/');
}

const collectionPath = (subscriptionId: string, c: ClusterRef, collection: 'fluxConfigurations' | 'extensions'): string =>
  `${clusterResourcePath(subscriptionId, c)}/providers/${PROVIDER_NAMESPACE}/${collection}`;

export const fluxConfigsPath = (subscriptionId: string, c: ClusterRef): string => collectionPath(subscriptionId, c, 'fluxConfigurations');
export const fluxConfigPath = (subscriptionId: string, c: ClusterRef, name: string): string =>
  `${fluxConfigsPath(subscriptionId, c)}/${segment(name, 'Flux configuration name', '-n/--name')}`;
export const extensionsPath = (subscriptionId: string, c: ClusterRef): string => collectionPath(subscriptionId, c, 'extensions');
export const extensionPath = (subscriptionId: string, c: ClusterRef, name: string): string =>
  `${extensionsPath(subscriptionId, c)}/${segment(name, 'extension name', '-n/--name')}`;
export const providerPath = (subscriptionId: string): string => `/subscriptions/${subscriptionSegment(subscriptionId)}/providers/${PROVIDER_NAMESPACE}`;

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
