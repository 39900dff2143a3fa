/**
 * The Resource Graph queries of the fleet commands (KQL, built here and nowhere else), one per
 * table, since KubernetesConfigurationResources joins no other table: the clusters from
 * `Resources`, and their Flux extensions and configurations from
 * `KubernetesConfigurationResources`, matched to the clusters by the id each row's own id
 * starts with (lower-cased, as Microsoft's samples match them). Every value a user gives is a
 * string literal escaped by kqlString. Rows come back ordered by id, so pages never overlap.
 */
import { CLUSTER_RP, type ClusterType } from '../model/cluster.js';
import type { Selection } from './selection.js';

/** A KQL string literal: single-quoted, with backslash, quote and line breaks escaped. */
export function kqlString(value: string): string {
  return `'${value.replace(/[\\'\r\n\t]/g, (c) => (c === '\\' ? '\\\\' : c === "'" ? "\\'" : c === '\r' ? '\\r' : c === '\n' ? '\\n' : '\\t'))}'`;
}

const list = (values: readonly string[]): string => `(${values.map(kqlString).join(', ')})`;

export const RESOURCE_TYPE: Record<ClusterType, string> = {
  managedClusters: `${CLUSTER_RP.managedClusters}/managedClusters`.toLowerCase(),
  connectedClusters: `${CLUSTER_RP.connectedClusters}/connectedClusters`.toLowerCase(),
  provisionedClusters: `${CLUSTER_RP.provisionedClusters}/provisionedClusters`.toLowerCase(),
};

export const EXTENSION_TYPE = 'microsoft.kubernetesconfiguration/extensions';
export const FLUX_CONFIGURATION_TYPE = 'microsoft.kubernetesconfiguration/fluxconfigurations';

/** Ids pushed into a query as a list when there are at most this many (Microsoft's advice for `in~` lists). */
export const ID_LIST_LIMIT = 300;

/** The selected clusters: one row each, with what the fleet view shows of them. */
export function clustersQuery(s: Selection): string {
  const lines = ['Resources', `| where type in~ ${list(s.clusterTypes.map((t) => RESOURCE_TYPE[t]))}`];
  if (s.resourceGroups.length > 0) lines.push(`| where resourceGroup in~ ${list(s.resourceGroups)}`);
  for (const [name, values] of s.tags) lines.push(`| where tostring(tags[${kqlString(name)}]) in~ ${list(values)}`);
  if (s.ids && s.ids.size <= ID_LIST_LIMIT) lines.push(`| where tolower(id) in ${list([...s.ids])}`);
  lines.push(
    '| project id, name, type, location, resourceGroup, subscriptionId, tags,',
    '    connectivityStatus = tostring(properties.connectivityStatus),',
    '    lastConnectivityTime = tostring(properties.lastConnectivityTime),',
    '    managedIdentityCertificateExpirationTime = tostring(properties.managedIdentityCertificateExpirationTime)',
    '| order by id asc',
  );
  return lines.join('\n');
}

export interface ConfigurationQueryOptions {
  /** Only the configuration of this name (extensions are always read). */
  name?: string;
  /** Only the Flux extensions, or only the configurations (default: both). */
  kind?: 'extensions' | 'configurations';
  /** Only under these clusters (lower-cased ids); pushed into the query when there are few. */
  clusterIds?: readonly string[];
  /** Configurations with every property (their spec too), not just their status. */
  full?: boolean;
}

/**
 * The Flux extensions and configurations under the selected clusters. Extension properties
 * are PascalCase in Resource Graph (ExtensionType, ProvisioningState), configuration ones as
 * ARM returns them; both spellings are read. A configuration's per-object statuses come only
 * when it is not Compliant (they are most of the bytes, and say nothing new then).
 */
export function configurationsQuery(s: Selection, options: ConfigurationQueryOptions = {}): string {
  const lines = ['KubernetesConfigurationResources'];
  const types = options.kind === 'extensions' ? [EXTENSION_TYPE] : options.kind === 'configurations' ? [FLUX_CONFIGURATION_TYPE] : [EXTENSION_TYPE, FLUX_CONFIGURATION_TYPE];
  lines.push(`| where type in~ ${list(types)}`);
  lines.push('| extend extensionType = tolower(tostring(coalesce(properties.ExtensionType, properties.extensionType)))');
  if (options.kind !== 'configurations') lines.push(`| where type =~ ${kqlString(FLUX_CONFIGURATION_TYPE)} or extensionType == 'microsoft.flux'`);
  if (options.name !== undefined && options.kind !== 'extensions') lines.push(options.kind === 'configurations' ? `| where name =~ ${kqlString(options.name)}` : `| where type =~ ${kqlString(EXTENSION_TYPE)} or name =~ ${kqlString(options.name)}`);
  if (s.resourceGroups.length > 0) lines.push(`| where resourceGroup in~ ${list(s.resourceGroups)}`);
  lines.push("| parse tolower(id) with clusterId '/providers/microsoft.kubernetesconfiguration/' *");
  if (options.clusterIds && options.clusterIds.length <= ID_LIST_LIMIT) lines.push(`| where clusterId in ${list(options.clusterIds)}`);
  if (options.full) {
    lines.push('| project id, name, type, clusterId, subscriptionId, extensionType, properties');
  } else {
    lines.push(
      '| project id, name, type, clusterId, subscriptionId, extensionType,',
      '    provisioningState = tostring(coalesce(properties.ProvisioningState, properties.provisioningState)),',
      '    version = tostring(coalesce(properties.CurrentVersion, properties.currentVersion, properties.Version, properties.version)),',
      '    errorInfo = coalesce(properties.ErrorInfo, properties.errorInfo),',
      '    namespace = tostring(properties.namespace), scope = tostring(properties.scope), sourceKind = tostring(properties.sourceKind),',
      '    complianceState = tostring(properties.complianceState), sourceSyncedCommitId = tostring(properties.sourceSyncedCommitId),',
      '    statusUpdatedAt = tostring(properties.statusUpdatedAt), errorMessage = tostring(properties.errorMessage), suspend = properties.suspend,',
      "    statuses = iff(tostring(properties.complianceState) == 'Compliant', dynamic(null), coalesce(properties.statuses, properties.Statuses))",
    );
  }
  lines.push('| order by id asc');
  return lines.join('\n');
}
