/**
 * Which cluster a command is about: `-g -c -t [--cluster-rp]` as in az, or a full ARM id with
 * `--cluster-id`. The cluster type decides the resource provider segment of every path.
 */
import { UsageError } from '../core/errors.js';
import { parseChoice } from './values.js';

export const CLUSTER_TYPES = ['managedClusters', 'connectedClusters', 'provisionedClusters'] as const;
export type ClusterType = (typeof CLUSTER_TYPES)[number];

export const CLUSTER_RP: Record<ClusterType, string> = {
  managedClusters: 'Microsoft.ContainerService',
  connectedClusters: 'Microsoft.Kubernetes',
  provisionedClusters: 'Microsoft.HybridContainerService',
};

export interface ClusterRef {
  resourceGroup: string;
  clusterName: string;
  clusterType: ClusterType;
  clusterRp: string;
}

export interface ClusterFlags {
  resourceGroup?: string;
  clusterName?: string;
  clusterType?: string;
  clusterResourceProvider?: string;
  clusterId?: string;
}

const ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)\/?$/i;

export interface ParsedClusterId extends ClusterRef {
  subscriptionId: string;
}

export function parseClusterId(id: string): ParsedClusterId {
  const m = ID.exec(id.trim());
  if (!m) {
    throw new UsageError('--cluster-id', `'${id}' is not a cluster resource id.`, 'Expected /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/NAME (or Microsoft.Kubernetes/connectedClusters, Microsoft.HybridContainerService/provisionedClusters).');
  }
  const clusterType = parseChoice('--cluster-id', m[4]!, CLUSTER_TYPES);
  if (m[3]!.toLowerCase() !== CLUSTER_RP[clusterType].toLowerCase()) {
    throw new UsageError('--cluster-id', `${m[3]}/${m[4]} is not a cluster type k8s-gitops knows.`, `${clusterType} live under ${CLUSTER_RP[clusterType]}.`);
  }
  return { subscriptionId: m[1]!, resourceGroup: m[2]!, clusterRp: CLUSTER_RP[clusterType], clusterType, clusterName: m[5]! };
}

/**
 * Resolves the cluster from flags. Returns undefined when nothing was given and `required` is
 * false (an offline render needs no cluster).
 */
export function parseClusterFlags(flags: ClusterFlags, required: boolean): (ClusterRef & { subscriptionId?: string }) | undefined {
  const parts = [flags.resourceGroup, flags.clusterName, flags.clusterType];
  if (flags.clusterId !== undefined) {
    if (parts.some((p) => p !== undefined)) {
      throw new UsageError('--cluster-id', 'replaces -g/--resource-group, -c/--cluster-name and -t/--cluster-type; give one or the other.');
    }
    const parsed = parseClusterId(flags.clusterId);
    if (flags.clusterResourceProvider !== undefined && flags.clusterResourceProvider.toLowerCase() !== parsed.clusterRp.toLowerCase()) {
      throw new UsageError('--cluster-rp', `'${flags.clusterResourceProvider}' contradicts --cluster-id, which names ${parsed.clusterRp}.`, 'Leave --cluster-rp out.');
    }
    return parsed;
  }
  if (!required && parts.every((p) => p === undefined)) return undefined;
  const missing = [
    flags.resourceGroup === undefined && '-g/--resource-group',
    flags.clusterName === undefined && '-c/--cluster-name',
    flags.clusterType === undefined && '-t/--cluster-type',
  ].filter((x): x is string => Boolean(x));
  if (missing.length > 0) {
    throw new UsageError(missing[0], `the cluster is not fully named: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing.`, 'Give -g RESOURCE_GROUP -c CLUSTER -t managedClusters|connectedClusters|provisionedClusters, or --cluster-id.');
  }
  const clusterType = parseChoice('-t/--cluster-type', flags.clusterType!, CLUSTER_TYPES);
  if (!/^[-\w.()]{1,90}$/.test(flags.resourceGroup!) || flags.resourceGroup!.endsWith('.')) {
    throw new UsageError('-g/--resource-group', `'${flags.resourceGroup}' is not a valid resource group name.`, 'Resource group names have 1-90 letters, digits, underscores, hyphens, periods and parentheses, and do not end in a period.');
  }
  if (!/^[^/?#]{1,253}$/.test(flags.clusterName!)) {
    throw new UsageError('-c/--cluster-name', `'${flags.clusterName}' is not a valid cluster name.`);
  }
  const rp = CLUSTER_RP[clusterType];
  if (flags.clusterResourceProvider !== undefined && flags.clusterResourceProvider.toLowerCase() !== rp.toLowerCase()) {
    throw new UsageError('--cluster-rp', `'${flags.clusterResourceProvider}' does not host ${clusterType}.`, `${clusterType} live under ${rp}; the flag can be left out.`);
  }
  return { resourceGroup: flags.resourceGroup!, clusterName: flags.clusterName!, clusterType, clusterRp: rp };
}

export function clusterPath(subscriptionId: string, c: ClusterRef): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${c.resourceGroup}/providers/${c.clusterRp}/${c.clusterType}/${c.clusterName}`;
}
