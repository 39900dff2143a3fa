/** The clusters of the default world (resource group `rg`), and the Fleet Manager hub beside them. */

/** `fleet`: an Azure Kubernetes Fleet Manager hub, which takes cluster extensions but is no cluster. */
export type ClusterKind = 'aks' | 'arc' | 'hci' | 'fleet';

export interface ClusterDefinition {
  name: string;
  kind: ClusterKind;
  /** Resource provider namespace, as ARM spells it. */
  rp: string;
  /** Resource type within the provider, as ARM spells it. */
  type: string;
  kubernetesVersion: string;
  /** Arc only: whether the cluster starts Offline. */
  offline?: boolean;
  /** Default: the world's location (westeurope). */
  location?: string;
  tags?: Record<string, string>;
}

export const CLUSTER_TYPES: Record<ClusterKind, { rp: string; type: string; displayType: string }> = {
  aks: { rp: 'Microsoft.ContainerService', type: 'managedClusters', displayType: 'Microsoft.ContainerService/ManagedClusters' },
  arc: { rp: 'Microsoft.Kubernetes', type: 'connectedClusters', displayType: 'Microsoft.Kubernetes/connectedClusters' },
  hci: { rp: 'Microsoft.HybridContainerService', type: 'provisionedClusters', displayType: 'Microsoft.HybridContainerService/provisionedClusters' },
  fleet: { rp: 'Microsoft.ContainerService', type: 'fleets', displayType: 'Microsoft.ContainerService/fleets' },
};

export const DEFAULT_CLUSTERS: readonly ClusterDefinition[] = [
  { name: 'aks1', kind: 'aks', ...pair('aks'), kubernetesVersion: '1.31.5' },
  { name: 'arc1', kind: 'arc', ...pair('arc'), kubernetesVersion: '1.30.4' },
  { name: 'arc-offline', kind: 'arc', ...pair('arc'), kubernetesVersion: '1.29.7', offline: true },
  { name: 'hci1', kind: 'hci', ...pair('hci'), kubernetesVersion: '1.29.4' },
];

/** Fleet Manager hubs of the default world (resource group `rg`); they have no Kubernetes API here. */
export const FLEET_HUBS: readonly ClusterDefinition[] = [{ name: 'fleet1', kind: 'fleet', ...pair('fleet'), kubernetesVersion: '1.31.5' }];

function pair(kind: ClusterKind): { rp: string; type: string } {
  return { rp: CLUSTER_TYPES[kind].rp, type: CLUSTER_TYPES[kind].type };
}

/** The cluster kind served at `{rp}/{type}` (compared without regard to case), if any. */
export function kindOf(rp: string, type: string): ClusterKind | undefined {
  for (const [kind, t] of Object.entries(CLUSTER_TYPES) as [ClusterKind, (typeof CLUSTER_TYPES)[ClusterKind]][]) {
    if (t.rp.toLowerCase() === rp.toLowerCase() && t.type.toLowerCase() === type.toLowerCase()) return kind;
  }
  return undefined;
}
