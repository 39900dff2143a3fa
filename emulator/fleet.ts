/**
 * The generated fleet (`--clusters N --subscriptions K --seed S`): N clusters beside the default
 * world, spread over K subscriptions of their own and a resource group per region in each, the
 * same for the same three numbers. Every cluster has tags `env`, `region` and `store`, the
 * microsoft.flux extension and Microsoft's tutorial configuration `cluster-config`, already
 * reconciled when the emulator starts — except for a few, chosen by the seed:
 *   ceil(2 % of N) have no Flux extension (and so no configuration);
 *   ceil(1 % of N) Arc clusters are Offline, last heard from three days ago (their last report
 *     is as old);
 *   ceil(1 % of N) have a kustomization `apps` that fails to build, on this cluster only, in
 *     any configuration, for as long as the emulator runs.
 * The three groups are disjoint. Kinds: about 70 % Arc-enabled Kubernetes, the rest AKS.
 */
import type { ClusterDefinition, ClusterKind } from './clusters.js';
import { CLUSTER_TYPES } from './clusters.js';
import { normalizeFluxSpec } from './arm/flux.js';
import type { ClusterState, FluxRecord } from './arm/records.js';
import type { FleetOptions } from './options.js';
import { seededRandom } from './util.js';
import type { World } from './world.js';

export const REGIONS = ['westeurope', 'northeurope', 'eastus', 'westus2', 'southeastasia'] as const;
const ENVIRONMENTS: ReadonlyArray<readonly [string, number]> = [
  ['prod', 0.7],
  ['staging', 0.2],
  ['dev', 0.1],
];
const ARC_SHARE = 0.7;
const KUBERNETES_VERSIONS = ['1.29.7', '1.30.4', '1.31.5'];
/** The kustomization that fails on the clusters chosen to fail (the tutorial's second one). */
export const FAILING_KUSTOMIZATION = 'apps';
const THREE_DAYS_MS = 3 * 24 * 3600 * 1000;

export interface GeneratedCluster {
  def: ClusterDefinition;
  subscriptionId: string;
  resourceGroup: string;
  /** Has the microsoft.flux extension (installed) and the tutorial configuration. */
  flux: boolean;
  /** Arc only: Offline since three days. */
  offline: boolean;
  /** Its kustomization `apps` fails to build. */
  failing: boolean;
}

export interface GeneratedFleet {
  subscriptions: string[];
  /** Resource groups per subscription. */
  resourceGroups: Map<string, string[]>;
  clusters: GeneratedCluster[];
}

/** Subscription ids of the generated fleet: …-000000000001 to …-00000000000K (hex). */
export function fleetSubscriptionId(index: number): string {
  return `00000000-0000-0000-0000-${(index + 1).toString(16).padStart(12, '0')}`;
}

function pick<T>(next: () => number, weighted: ReadonlyArray<readonly [T, number]>): T {
  let r = next();
  for (const [value, weight] of weighted) {
    if (r < weight) return value;
    r -= weight;
  }
  return weighted[weighted.length - 1]![0];
}

/** Fisher–Yates with the seeded generator. */
function shuffled<T>(items: readonly T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function generateFleet(options: FleetOptions): GeneratedFleet {
  const { clusters: n, subscriptions: k } = options;
  const next = seededRandom(options.seed);
  const subscriptions = Array.from({ length: k }, (_, i) => fleetSubscriptionId(i));
  const resourceGroups = new Map<string, string[]>(subscriptions.map((s) => [s, []]));
  const width = Math.max(4, String(n).length);
  const clusters: GeneratedCluster[] = [];
  for (let i = 0; i < n; i++) {
    const number = String(i + 1).padStart(width, '0');
    const kind: ClusterKind = next() < ARC_SHARE ? 'arc' : 'aks';
    const region = REGIONS[Math.floor(next() * REGIONS.length)]!;
    const env = pick(next, ENVIRONMENTS);
    const kubernetesVersion = KUBERNETES_VERSIONS[Math.floor(next() * KUBERNETES_VERSIONS.length)]!;
    const subscriptionId = subscriptions[i % k]!;
    const resourceGroup = `stores-${region}`;
    const groups = resourceGroups.get(subscriptionId)!;
    if (!groups.includes(resourceGroup)) groups.push(resourceGroup);
    clusters.push({
      def: { name: `store-${number}`, kind, rp: CLUSTER_TYPES[kind].rp, type: CLUSTER_TYPES[kind].type, kubernetesVersion, location: region, tags: { env, region, store: number } },
      subscriptionId,
      resourceGroup,
      flux: true,
      offline: false,
      failing: false,
    });
  }
  for (const groups of resourceGroups.values()) groups.sort();
  // The exceptions: disjoint groups of exact sizes, chosen by the seed.
  const share = (p: number): number => (n === 0 ? 0 : Math.ceil(n * p));
  const order = shuffled(clusters, next);
  const noFlux = order.slice(0, share(0.02));
  for (const c of noFlux) c.flux = false;
  const rest = order.slice(noFlux.length);
  const offline = rest.filter((c) => c.def.kind === 'arc').slice(0, share(0.01));
  for (const c of offline) c.offline = true;
  for (const c of rest.filter((c) => !c.offline).slice(0, share(0.01))) c.failing = true;
  return { subscriptions, resourceGroups, clusters };
}

/** Microsoft's tutorial configuration, as the generated clusters carry it. */
export function tutorialProperties(): Record<string, unknown> {
  return {
    scope: 'cluster',
    namespace: 'cluster-config',
    sourceKind: 'GitRepository',
    gitRepository: { url: 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', repositoryRef: { branch: 'main' } },
    kustomizations: {
      infra: { path: './infrastructure', prune: true },
      apps: { path: './apps/staging', prune: true, dependsOn: ['infra'] },
    },
  };
}

/**
 * Gives the generated clusters of a new world their extension and configuration, reconciled at
 * once (the agent's steps run without waiting), then takes the offline ones offline.
 */
export function populateFleet(world: World, fleet: GeneratedFleet): void {
  const now = Date.now();
  world.scheduler.settle(() => {
    for (const g of fleet.clusters) {
      const cluster = world.clusterByKey(`/subscriptions/${g.subscriptionId}/resourcegroups/${g.resourceGroup}/providers/${g.def.rp}/${g.def.type}/${g.def.name}`.toLowerCase());
      if (!cluster) continue;
      if (g.failing) world.faults.failingClusters.set(cluster.key, FAILING_KUSTOMIZATION);
      if (!g.flux) continue;
      world.setExtensionScenario(cluster.def.name, 'installed');
      const record = tutorialRecord(world, cluster, now);
      world.fluxConfigsOf(cluster).set(record.name, record);
      world.agent.sync(record);
      if (g.offline) {
        cluster.online = false;
        cluster.lastConnectivityMs = now - THREE_DAYS_MS;
        const then = new Date(cluster.lastConnectivityMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
        record.reported = { ...record.reported, statusUpdatedAt: then, sourceUpdatedAt: then };
      }
    }
  });
}

function tutorialRecord(world: World, cluster: ClusterState, now: number): FluxRecord {
  return {
    cluster,
    name: 'cluster-config',
    seq: world.nextSeq(),
    spec: normalizeFluxSpec(tutorialProperties()),
    protectedSettings: {},
    systemData: world.systemData(now - 24 * 3600 * 1000),
    provisioningState: 'Succeeded',
    errorMessage: '',
    generation: 1,
    deliveredGeneration: 1,
    reported: { statuses: [], complianceState: 'Pending', sourceSyncedCommitId: null, sourceUpdatedAt: null, statusUpdatedAt: null, repositoryPublicKey: null },
  };
}
