/**
 * Reading the fleet: the selection from Resource Graph (the clusters, then their Flux extensions
 * and configurations: one query per table, each paged to its end), and single clusters straight
 * from ARM when Resource Graph's lag matters (--verify). Loaded only by the fleet commands.
 */
import type { Clock } from '../../core/clock.js';
import { echo } from '../../core/echo.js';
import type { Context } from '../../core/context.js';
import { CliError, UsageError } from '../../core/errors.js';
import type { ArmClient } from '../../azure/client.js';
import type { ResourceGraph } from '../../azure/graph.js';
import { listAll } from '../../azure/list.js';
import { CLUSTER_API_VERSION, clusterResourcePath, EXTENSION_API_VERSION, extensionsPath, FLUX_API_VERSION, fluxConfigPath, fluxConfigsPath, type ArmResource } from '../../azure/resources.js';
import { resolveSubscription } from '../../azure/subscription.js';
import { CLUSTER_RP, type ClusterRef } from '../../model/cluster.js';
import { azureStatus } from '../../status/azure.js';
import { assembleFleet, fleetCluster, type ClusterRow, type ConfigurationRow, type FleetCluster } from '../../fleet/model.js';
import { clustersQuery, configurationsQuery, ID_LIST_LIMIT } from '../../fleet/query.js';
import { parseSelection, type Selection, type SelectionFlags } from '../../fleet/selection.js';

export function selectionFrom(ctx: Context, flags: SelectionFlags): Selection {
  return parseSelection(flags, ctx.input, (value) => {
    let found: string | undefined;
    try {
      found = resolveSubscription(value, ctx.env)?.id;
    } catch {
      found = undefined;
    }
    if (!found) throw new UsageError('--subscriptions', `'${echo(value)}' is neither a subscription id nor the name of exactly one subscription in the Azure CLI profile.`, 'Give the subscription id (a GUID).');
    return found.toLowerCase();
  });
}

export interface ReadOptions {
  clock: Clock;
  deadline: number;
  signal?: AbortSignal;
  /** Only this configuration (`-n`). */
  name?: string;
  /** Read the Flux extensions only, not the configurations (fleet apply decides those from ARM). */
  extensionsOnly?: boolean;
}

export interface FleetRead {
  clusters: FleetCluster[];
  /** Clock time of the read. */
  readAt: number;
}

/** The selected clusters, as Resource Graph has them. */
export async function readFleet(graph: ResourceGraph, selection: Selection, options: ReadOptions): Promise<FleetRead> {
  const scope = selection.subscriptions ? { subscriptions: selection.subscriptions } : {};
  const query = { clock: options.clock, deadline: options.deadline, ...(options.signal ? { signal: options.signal } : {}) };
  let fromQuery: Set<string> | undefined;
  if (selection.graphQuery) {
    const rows = await graph.query({ query: selection.graphQuery, ...scope }, query);
    if (rows.length > 0 && !rows.every((r) => typeof r.id === 'string')) {
      throw new CliError("the --graph-query result has no id column: it must return the clusters' ARM ids (project id, …).");
    }
    fromQuery = new Set(rows.map((r) => String(r.id).toLowerCase()));
  }
  // Extensions and configurations in queries of their own, so that each is one page per
  // thousand clusters and they go out together.
  const kinds: ('extensions' | 'configurations')[] = options.extensionsOnly ? ['extensions'] : ['extensions', 'configurations'];
  const configurations = async (clusterIds?: string[]): Promise<ConfigurationRow[]> => {
    const pages = await Promise.all(
      kinds.map((kind) =>
        graph.query(
          {
            query: configurationsQuery(selection, { kind, ...(options.name !== undefined ? { name: options.name } : {}), ...(clusterIds ? { clusterIds } : {}) }),
            ...scope,
          },
          query,
        ),
      ),
    );
    return pages.flat() as unknown as ConfigurationRow[];
  };
  // Without a filter that only the cluster rows can apply (tags, ids), every table is read at once.
  const narrowed = selection.tags.length > 0 || selection.ids !== undefined || fromQuery !== undefined;
  const [all, early] = await Promise.all([graph.query({ query: clustersQuery(selection), ...scope }, query) as unknown as Promise<ClusterRow[]>, narrowed ? undefined : configurations()]);
  const clusters = all.filter((c) => (!selection.ids || selection.ids.has(c.id.toLowerCase())) && (!fromQuery || fromQuery.has(c.id.toLowerCase())));
  const readAt = options.clock.now();
  if (clusters.length === 0) return { clusters: [], readAt };
  const ids = clusters.map((c) => c.id.toLowerCase());
  const rows = early ?? (await configurations(ids.length <= ID_LIST_LIMIT ? ids : undefined));
  return { clusters: assembleFleet(clusters, rows, { now: readAt, ...(options.name !== undefined ? { name: options.name } : {}) }), readAt };
}

export function clusterRef(c: FleetCluster): ClusterRef {
  return { resourceGroup: c.resourceGroup, clusterName: c.name, clusterType: c.type, clusterRp: CLUSTER_RP[c.type] };
}

/** One cluster read through ARM itself (what Resource Graph may not show yet). */
export async function verifyThroughArm(arm: ArmClient, c: FleetCluster, name: string | undefined, now: () => number): Promise<FleetCluster> {
  const ref = clusterRef(c);
  const sub = c.subscriptionId;
  const cluster = await arm.request<ArmResource>('GET', clusterResourcePath(sub, ref), { apiVersion: CLUSTER_API_VERSION[c.type], notFound: `cluster '${c.name}'` });
  const extensions = await listAll<ArmResource>(arm, extensionsPath(sub, ref), EXTENSION_API_VERSION);
  let configurations: ArmResource[];
  if (name !== undefined) {
    const one = await arm.request<ArmResource>('GET', fluxConfigPath(sub, ref, name), { apiVersion: FLUX_API_VERSION, allowNotFound: true });
    configurations = one.status === 404 ? [] : [one.body];
  } else {
    const listed = await listAll<ArmResource>(arm, fluxConfigsPath(sub, ref), FLUX_API_VERSION);
    configurations = await Promise.all(listed.map(async (x) => (await arm.request<ArmResource>('GET', fluxConfigPath(sub, ref, x.name ?? ''), { apiVersion: FLUX_API_VERSION })).body));
  }
  const body = cluster.body;
  const row: ClusterRow = {
    id: body.id ?? c.id,
    name: body.name ?? c.name,
    type: body.type ?? c.type,
    resourceGroup: c.resourceGroup,
    subscriptionId: sub,
    ...(typeof body.location === 'string' ? { location: body.location } : {}),
    tags: (body.tags as Record<string, string> | undefined) ?? {},
  };
  const status = azureStatus({ cluster: body, extensions, configurations }, { now: now() });
  return fleetCluster(row, status, 'arm', name);
}
