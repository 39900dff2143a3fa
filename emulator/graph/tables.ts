/**
 * What the emulated Azure Resource Graph has indexed: the rows of its tables, built from the
 * world's ARM resources and kept `--graph-lag` behind them. Each change of a cluster (an ARM
 * write under it, an operation ending, the agent reporting, the cluster going on- or offline)
 * has the cluster's rows captured once the change is complete, and those rows become what
 * queries see `--graph-lag` milliseconds later, as Resource Graph's index follows ARM. With a
 * lag of 0 a change shows at the next turn of the event loop. At start-up (and after a reset)
 * the whole world is indexed at once, as if it had existed for long.
 *
 * Tables and their rows, in the shape Resource Graph gives them:
 *   Resources                          the clusters and Fleet Manager hubs: id, name, type (lower
 *                                      case), tenantId, kind, location, resourceGroup,
 *                                      subscriptionId, managedBy, sku, plan, properties, tags,
 *                                      identity, zones, extendedLocation
 *   KubernetesConfigurationResources   extensions (properties with PascalCase names, as Resource
 *                                      Graph shows them: ExtensionType, ProvisioningState, …) and
 *                                      fluxConfigurations (properties as a GET returns them)
 *   ResourceContainers                 the subscriptions and resource groups
 */
import { CLUSTER_TYPES } from '../clusters.js';
import { KC_NAMESPACE, TENANT_ID } from '../constants.js';
import { extensionView } from '../arm/extensions.js';
import { fluxView } from '../arm/flux.js';
import { clusterView, resourceGroupView, subscriptionView } from '../arm/resources.js';
import type { ClusterState } from '../arm/records.js';
import { isObject, type Json } from '../util.js';
import type { World } from '../world.js';
import { KqlError, type Row, type Table } from './kql.js';

/** The newest stable api-version of each provider, which is what Resource Graph indexes with. */
const INDEXED_EXTENSION_API = '2025-03-01';

export const TABLE_COLUMNS = {
  resources: ['id', 'name', 'type', 'tenantId', 'kind', 'location', 'resourceGroup', 'subscriptionId', 'managedBy', 'sku', 'plan', 'properties', 'tags', 'identity', 'zones', 'extendedLocation'],
  kubernetesconfigurationresources: ['id', 'name', 'type', 'tenantId', 'kind', 'location', 'resourceGroup', 'subscriptionId', 'managedBy', 'sku', 'plan', 'properties', 'tags', 'identity', 'zones', 'extendedLocation'],
  resourcecontainers: ['id', 'name', 'type', 'tenantId', 'kind', 'location', 'resourceGroup', 'subscriptionId', 'managedBy', 'sku', 'plan', 'properties', 'tags', 'identity', 'zones', 'extendedLocation'],
} as const;

export const TABLE_NAMES: Record<keyof typeof TABLE_COLUMNS, string> = {
  resources: 'Resources',
  kubernetesconfigurationresources: 'KubernetesConfigurationResources',
  resourcecontainers: 'ResourceContainers',
};

interface ClusterRows {
  resources: Row[];
  configuration: Row[];
}

function row(table: keyof typeof TABLE_COLUMNS, values: Json): Row {
  return Object.fromEntries(TABLE_COLUMNS[table].map((c) => [c, values[c] ?? (c === 'tenantId' ? TENANT_ID : c === 'kind' || c === 'managedBy' ? '' : null)]));
}

const pascal = (key: string): string => key.charAt(0).toUpperCase() + key.slice(1);

function clusterRows(world: World, cluster: ClusterState): ClusterRows {
  const view = clusterView(cluster);
  const base = { resourceGroup: cluster.resourceGroup.toLowerCase(), subscriptionId: cluster.subscriptionId };
  const resources = [
    row('resources', {
      ...view,
      ...base,
      type: CLUSTER_TYPES[cluster.def.kind].displayType.toLowerCase(),
    }),
  ];
  const configuration: Row[] = [];
  for (const ext of world.extensionsOf(cluster).values()) {
    const v = extensionView(ext, INDEXED_EXTENSION_API);
    const props = isObject(v.properties) ? v.properties : {};
    configuration.push(
      row('kubernetesconfigurationresources', {
        ...v,
        ...base,
        type: `${KC_NAMESPACE}/extensions`.toLowerCase(),
        properties: Object.fromEntries(Object.entries(props).map(([k, val]) => [pascal(k), val])),
      }),
    );
  }
  for (const record of world.fluxConfigsOf(cluster).values()) {
    const v = fluxView(record);
    configuration.push(row('kubernetesconfigurationresources', { ...v, ...base, type: `${KC_NAMESPACE}/fluxConfigurations`.toLowerCase() }));
  }
  return { resources, configuration };
}

export class GraphIndex {
  private readonly visible = new Map<string, ClusterRows>();
  private readonly pending = new Set<string>();
  private flushQueued = false;
  private ready = false;

  constructor(private readonly world: World) {}

  /** Indexes the whole world at once (start-up). */
  indexAll(): void {
    for (const c of this.world.clusters) this.visible.set(c.key, clusterRows(this.world, c));
    this.ready = true;
  }

  /** Something about the cluster changed in ARM: it reaches the index --graph-lag later. */
  touch(clusterKey: string): void {
    if (!this.ready) return;
    this.pending.add(clusterKey);
    if (this.flushQueued) return;
    this.flushQueued = true;
    // Captured once the change is complete (a handler or an agent step may change more after it touched).
    setImmediate(() => this.flush());
  }

  /** A write under a cluster's ARM path touches the cluster. */
  touchPath(path: string): void {
    const m = /^(\/subscriptions\/[^/]+\/resourcegroups\/[^/]+\/providers\/[^/]+\/[^/]+\/[^/]+)/i.exec(path);
    if (m) this.touch(decodeURIComponent(m[1]!).toLowerCase());
  }

  private flush(): void {
    this.flushQueued = false;
    const keys = [...this.pending];
    this.pending.clear();
    const lag = this.world.options.graphLagMs;
    for (const key of keys) {
      const cluster = this.world.clusterByKey(key);
      if (!cluster) continue;
      const rows = clusterRows(this.world, cluster);
      if (lag <= 0) this.visible.set(key, rows);
      else this.world.scheduler.after(lag, () => this.visible.set(key, rows));
    }
  }

  /** A table's rows in the subscriptions of the scope (all when undefined). */
  table(name: string, scope: ReadonlySet<string> | undefined, pos: number): Table {
    const key = name.toLowerCase() as keyof typeof TABLE_COLUMNS;
    if (!(key in TABLE_COLUMNS)) {
      throw new KqlError(`Table '${name}' is not one this emulator serves (${Object.values(TABLE_NAMES).join(', ')}).`, pos);
    }
    const inScope = (subscriptionId: unknown): boolean => scope === undefined || scope.has(String(subscriptionId));
    let rows: Row[];
    if (key === 'resourcecontainers') {
      rows = [];
      for (const subscription of this.world.subscriptions) {
        if (!inScope(subscription)) continue;
        rows.push(row('resourcecontainers', { ...subscriptionView(this.world, subscription), name: subscription, type: 'microsoft.resources/subscriptions', subscriptionId: subscription, properties: { state: 'Enabled' } }));
        for (const group of this.world.resourceGroups.get(subscription) ?? []) {
          rows.push(row('resourcecontainers', { ...resourceGroupView(this.world, group, subscription), type: 'microsoft.resources/subscriptions/resourcegroups', resourceGroup: group.toLowerCase(), subscriptionId: subscription }));
        }
      }
    } else {
      rows = [];
      for (const r of this.visible.values()) {
        for (const x of key === 'resources' ? r.resources : r.configuration) if (inScope(x.subscriptionId)) rows.push(x);
      }
    }
    return { columns: [...TABLE_COLUMNS[key]], rows };
  }
}
