/**
 * Which cluster a command is about: `-g -c -t [--cluster-rp]` as in az, or a full ARM id with
 * `--cluster-id`. The cluster type decides the resource provider segment of every path.
 */
import { echo } from '../core/echo.js';
import { UsageError } from '../core/errors.js';
import { parseClusterName, parseResourceGroup, parseSubscriptionId } from './names.js';
import { parseChoice } from './values.js';

export const CLUSTER_TYPES = ['managedClusters', 'connectedClusters', 'provisionedClusters'] as const;
export type ClusterType = (typeof CLUSTER_TYPES)[number];

export const CLUSTER_RP: Record<ClusterType, string> = {
  managedClusters: 'Microsoft.ContainerService',
  connectedClusters: 'Microsoft.Kubernetes',
  provisionedClusters: 'Microsoft.HybridContainerService',
};

/**
 * An Azure Kubernetes Fleet Manager hub (`Microsoft.ContainerService/fleets`): it takes the
 * microsoft.flux extension (a preview on Azure's side), but no Flux configuration, so only the
 * extension commands accept it.
 */
export const FLEET_HUB = 'fleets';
export type TargetType = ClusterType | typeof FLEET_HUB;
export const TARGET_TYPES: readonly TargetType[] = [...CLUSTER_TYPES, FLEET_HUB];
export const TARGET_RP: Record<TargetType, string> = { ...CLUSTER_RP, fleets: 'Microsoft.ContainerService' };

export interface ClusterRef {
  resourceGroup: string;
  clusterName: string;
  clusterType: TargetType;
  clusterRp: string;
}

export interface ClusterFlags {
  resourceGroup?: string;
  clusterName?: string;
  clusterType?: string;
  clusterResourceProvider?: string;
  clusterId?: string;
  /** Not a flag: set by the commands that also work on a Fleet Manager hub (the extension commands). */
  fleetHub?: boolean;
}

export interface ParsedClusterId extends ClusterRef {
  subscriptionId: string;
}

const ID_FLAG = '--cluster-id';
const ID_SHAPE = '/subscriptions/SUB/resourceGroups/RG/providers/Microsoft.ContainerService/managedClusters/NAME (or Microsoft.Kubernetes/connectedClusters, Microsoft.HybridContainerService/provisionedClusters)';

/**
 * A cluster's ARM id, by ARM's grammar: exactly
 * `/subscriptions/{GUID}/resourceGroups/{group}/providers/{namespace}/{type}/{name}`, fixed words
 * in any letter case, every name checked against its naming rule. Nothing is trimmed or
 * decoded, and nothing may follow the name: a `#`, `?`, `/…`, space or newline is refused, never
 * silently cut off. `fleetHub`: the command also takes a Fleet Manager hub (…/fleets/NAME).
 */
export function parseClusterId(id: string, fleetHub = false): ParsedClusterId {
  const parts = id.split('/');
  const [lead, subscriptions, subscription, resourceGroups, group, providers, namespace, type, name] = parts;
  const shaped =
    parts.length === 9 && lead === '' && subscriptions!.toLowerCase() === 'subscriptions' && resourceGroups!.toLowerCase() === 'resourcegroups' && providers!.toLowerCase() === 'providers';
  if (!shaped) {
    const what = parts.length > 9 ? ` (it goes on after the cluster name: '${echo(parts.slice(9).join('/'))}')` : '';
    throw new UsageError(ID_FLAG, `'${echo(id)}' is not a cluster resource id${what}.`, `Expected ${ID_SHAPE}.`);
  }
  if (type!.toLowerCase() === FLEET_HUB && !fleetHub) throw fleetHubRefused(ID_FLAG);
  const clusterType = (fleetHub ? TARGET_TYPES : CLUSTER_TYPES).find((t) => t.toLowerCase() === type!.toLowerCase());
  if (!clusterType) {
    throw new UsageError(ID_FLAG, `${echo(namespace!)}/${echo(type!)} is not a cluster type k8s-gitops knows.`, `Expected ${ID_SHAPE}.`);
  }
  if (namespace!.toLowerCase() !== TARGET_RP[clusterType].toLowerCase()) {
    throw new UsageError(ID_FLAG, `${echo(namespace!)}/${echo(type!)} is not a cluster type k8s-gitops knows.`, `${clusterType} live under ${TARGET_RP[clusterType]}.`);
  }
  return {
    subscriptionId: parseSubscriptionId(ID_FLAG, subscription!),
    resourceGroup: parseResourceGroup(ID_FLAG, group!),
    clusterRp: TARGET_RP[clusterType],
    clusterType,
    clusterName: parseClusterName(ID_FLAG, name!, clusterType),
  };
}

function fleetHubRefused(flag: string): UsageError {
  return new UsageError(
    flag,
    'fleets (an Azure Kubernetes Fleet Manager hub) takes extensions only, not Flux configurations or their status.',
    `Accepted here: ${CLUSTER_TYPES.join(', ')}. Install Flux on a hub with: k8s-gitops extension create -t fleets … (preview).`,
  );
}

/** A cluster type, or `fleets` where the command takes a Fleet Manager hub. */
function parseTargetType(flag: string, value: string, fleetHub: boolean): TargetType {
  if (value.trim().toLowerCase() === FLEET_HUB && !fleetHub) throw fleetHubRefused(flag);
  return parseChoice(flag, value, fleetHub ? TARGET_TYPES : CLUSTER_TYPES);
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
    const parsed = parseClusterId(flags.clusterId, flags.fleetHub === true);
    if (flags.clusterResourceProvider !== undefined && flags.clusterResourceProvider.toLowerCase() !== parsed.clusterRp.toLowerCase()) {
      throw new UsageError('--cluster-rp', `'${echo(flags.clusterResourceProvider)}' contradicts --cluster-id, which names ${parsed.clusterRp}.`, 'Leave --cluster-rp out.');
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
  const clusterType = parseTargetType('-t/--cluster-type', flags.clusterType!, flags.fleetHub === true);
  const resourceGroup = parseResourceGroup('-g/--resource-group', flags.resourceGroup!);
  const clusterName = parseClusterName('-c/--cluster-name', flags.clusterName!, clusterType);
  const rp = TARGET_RP[clusterType];
  if (flags.clusterResourceProvider !== undefined && flags.clusterResourceProvider.toLowerCase() !== rp.toLowerCase()) {
    throw new UsageError('--cluster-rp', `'${echo(flags.clusterResourceProvider)}' does not host ${clusterType}.`, `${clusterType} live under ${rp}; the flag can be left out.`);
  }
  return { resourceGroup, clusterName, clusterType, clusterRp: rp };
}
