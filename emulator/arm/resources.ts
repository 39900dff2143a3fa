/**
 * The resources around the provider: the subscription, the resource group, the clusters and the
 * resource-provider registrations.
 */
import { CLUSTER_TYPES } from '../clusters.js';
import { API_VERSIONS, KC_NAMESPACE, LOCATION, TENANT_ID } from '../constants.js';
import { isoMs, sha1Hex, type Json } from '../util.js';
import type { World } from '../world.js';
import type { ArmResult } from './context.js';
import { ArmError } from './errors.js';
import type { ClusterState } from './records.js';

export function subscriptionView(world: World, subscriptionId: string = world.subscriptionId): Json {
  return {
    id: `/subscriptions/${subscriptionId}`,
    subscriptionId,
    tenantId: TENANT_ID,
    displayName: 'k8s-gitops emulator',
    state: 'Enabled',
    subscriptionPolicies: { locationPlacementId: 'Public_2014-09-01', quotaId: 'PayAsYouGo_2014-09-01', spendingLimit: 'Off' },
    authorizationSource: 'RoleBased',
  };
}

export function resourceGroupView(world: World, name: string, subscriptionId: string = world.subscriptionId): Json {
  return {
    id: `/subscriptions/${subscriptionId}/resourceGroups/${name}`,
    name,
    type: 'Microsoft.Resources/resourceGroups',
    location: LOCATION,
    properties: { provisioningState: 'Succeeded' },
  };
}

export function clusterView(c: ClusterState): Json {
  const name = c.def.name;
  const base: Json = { id: c.id, name, type: CLUSTER_TYPES[c.def.kind].displayType, location: c.def.location ?? LOCATION, tags: { ...(c.def.tags ?? {}) } };
  const suffix = sha1Hex(c.id).slice(0, 8);
  switch (c.def.kind) {
    case 'aks':
      return {
        ...base,
        sku: { name: 'Base', tier: 'Free' },
        identity: { type: 'SystemAssigned', principalId: c.principalId, tenantId: TENANT_ID },
        properties: {
          provisioningState: 'Succeeded',
          powerState: { code: 'Running' },
          kubernetesVersion: c.def.kubernetesVersion,
          currentKubernetesVersion: c.def.kubernetesVersion,
          dnsPrefix: `${name}-dns`,
          fqdn: `${name}-dns-${suffix}.hcp.${LOCATION}.azmk8s.io`,
          nodeResourceGroup: `MC_${c.resourceGroup}_${name}_${LOCATION}`,
          enableRBAC: true,
          agentPoolProfiles: [{ name: 'nodepool1', count: 3, vmSize: 'Standard_D4ds_v5', mode: 'System', osType: 'Linux', provisioningState: 'Succeeded' }],
          oidcIssuerProfile: { enabled: true, issuerURL: `https://${LOCATION}.oic.prod-aks.azure.com/${TENANT_ID}/${suffix}/` },
        },
      };
    case 'arc':
      return {
        ...base,
        identity: { type: 'SystemAssigned', principalId: c.principalId, tenantId: TENANT_ID },
        properties: {
          provisioningState: 'Succeeded',
          connectivityStatus: c.online ? 'Connected' : 'Offline',
          lastConnectivityTime: isoMs(c.online ? Date.now() : c.lastConnectivityMs),
          kubernetesVersion: c.def.kubernetesVersion,
          totalNodeCount: 3,
          totalCoreCount: 12,
          agentVersion: '1.21.10',
          distribution: 'k3s',
          infrastructure: 'generic',
          offering: null,
          managedIdentityCertificateExpirationTime: isoMs(Date.now() + 60 * 24 * 3600 * 1000),
        },
      };
    case 'fleet':
      return {
        ...base,
        properties: {
          provisioningState: 'Succeeded',
          hubProfile: { dnsPrefix: `${name}-dns`, fqdn: `${name}-dns-${suffix}.hcp.${LOCATION}.azmk8s.io`, kubernetesVersion: c.def.kubernetesVersion },
        },
      };
    case 'hci':
      return {
        ...base,
        extendedLocation: { type: 'CustomLocation', name: `/subscriptions/${c.id.split('/')[2]}/resourceGroups/${c.resourceGroup}/providers/Microsoft.ExtendedLocation/customLocations/${name}-cl` },
        properties: {
          provisioningState: 'Succeeded',
          kubernetesVersion: c.def.kubernetesVersion,
          status: { currentState: 'Succeeded' },
        },
      };
  }
}

const KNOWN_PROVIDERS = ['Microsoft.KubernetesConfiguration', 'Microsoft.Kubernetes', 'Microsoft.ContainerService', 'Microsoft.HybridContainerService', 'Microsoft.ExtendedLocation'];

export function canonicalProvider(namespace: string): string | undefined {
  return KNOWN_PROVIDERS.find((p) => p.toLowerCase() === namespace.toLowerCase());
}

export function providerView(world: World, namespace: string): Json {
  const isKc = namespace === KC_NAMESPACE;
  const view: Json = {
    id: `/subscriptions/${world.subscriptionId}/providers/${namespace}`,
    namespace,
    registrationState: isKc ? world.providerState : 'Registered',
    registrationPolicy: 'RegistrationRequired',
  };
  if (isKc) {
    const locations = ['West Europe', 'North Europe', 'East US', 'West US 2'];
    view.resourceTypes = [
      { resourceType: 'extensions', locations, apiVersions: [...API_VERSIONS.extensions].reverse() },
      { resourceType: 'fluxConfigurations', locations, apiVersions: [...API_VERSIONS.fluxConfigurations] },
      { resourceType: 'sourceControlConfigurations', locations, apiVersions: [...API_VERSIONS.sourceControlConfigurations].reverse() },
      { resourceType: 'operations', locations: [], apiVersions: [...API_VERSIONS.operations].reverse() },
    ];
  }
  return view;
}

/** POST …/providers/{namespace}/register (or unregister): the state moves after --operation-delay. */
export function registerProvider(world: World, namespace: string, action: 'register' | 'unregister'): ArmResult {
  if (namespace === KC_NAMESPACE) {
    if (action === 'register' && world.providerState !== 'Registered') {
      world.providerState = 'Registering';
      world.scheduler.after(world.options.operationDelayMs, () => {
        if (world.providerState === 'Registering') world.providerState = 'Registered';
      });
    } else if (action === 'unregister') {
      if (world.fluxConfigs.size > 0 && [...world.fluxConfigs.values()].some((m) => m.size > 0)) {
        throw new ArmError(409, 'ResourcesExist', `The provider '${namespace}' cannot be unregistered while resources of it exist in the subscription.`);
      }
      world.providerState = 'NotRegistered';
    }
  }
  return { status: 200, body: providerView(world, namespace) };
}
