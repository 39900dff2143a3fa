/**
 * One emulated Azure world: the subscription, its resource group and clusters, the provider
 * registration, the stored extensions and Flux configurations, their operations, the simulated
 * agent, each cluster's Kubernetes API store and the injected faults. A reset throws the whole
 * object away and builds a new one (the clusters' resourceVersions keep counting upwards).
 */
import { Agent } from './agent/agent.js';
import type { ClusterState, ExtensionRecord, FluxRecord, SystemData } from './arm/records.js';
import { installationFailed } from './arm/extensions.js';
import { Operations } from './arm/lro.js';
import { DEFAULT_CLUSTERS, FLEET_HUBS, type ClusterDefinition } from './clusters.js';
import { FLUX_EXTENSION_VERSION, MANAGED_IDENTITY_CLIENT_ID, RATE_LIMIT_READS, RATE_LIMIT_WRITES, RESOURCE_GROUP, SUBSCRIPTION_ID } from './constants.js';
import { Faults } from './faults.js';
import { generateFleet, populateFleet } from './fleet.js';
import { GraphQuota } from './graph/endpoint.js';
import { GraphIndex } from './graph/tables.js';
import { commitCluster } from './kube/model.js';
import { KubeStore } from './kube/store.js';
import type { EmulatorOptions, ExtensionScenario } from './options.js';
import { Scheduler } from './scheduler.js';
import { ArmThrottle } from './throttling.js';
import { isoMs, uuid } from './util.js';

export type RegistrationState = 'Registered' | 'NotRegistered' | 'Registering';

const THREE_DAYS_MS = 3 * 24 * 3600 * 1000;

export class World {
  readonly scheduler = new Scheduler();
  readonly faults: Faults;
  readonly operations: Operations;
  readonly agent: Agent;
  readonly subscriptionId = SUBSCRIPTION_ID;
  /** Every subscription: the default one first, then those of the generated fleet. */
  readonly subscriptions: string[];
  /** Resource groups by subscription id. */
  readonly resourceGroups = new Map<string, string[]>([[SUBSCRIPTION_ID, [RESOURCE_GROUP]]]);
  readonly clusters: ClusterState[];
  private readonly clustersByKey = new Map<string, ClusterState>();
  providerState: RegistrationState;
  readonly extensions = new Map<string, Map<string, ExtensionRecord>>();
  readonly fluxConfigs = new Map<string, Map<string, FluxRecord>>();
  readonly rateLimit = { reads: RATE_LIMIT_READS, writes: RATE_LIMIT_WRITES };
  /** Each cluster's Kubernetes API store, by cluster key. */
  readonly kube = new Map<string, KubeStore>();
  /** ARM's token buckets per subscription (with --arm-throttling). */
  readonly throttle = new ArmThrottle();
  /** What Azure Resource Graph has indexed, --graph-lag behind ARM. */
  readonly graph: GraphIndex = new GraphIndex(this);
  /** Resource Graph's per-user query quota. */
  readonly graphQuota = new GraphQuota();
  private seq = 0;

  constructor(
    readonly options: EmulatorOptions,
    /** https://127.0.0.1:PORT */
    readonly baseUrl: string,
    /** The world this one replaces (reset): its clusters' resourceVersions are continued. */
    previous?: World,
  ) {
    this.faults = new Faults(options);
    this.operations = new Operations(this);
    this.agent = new Agent(this);
    const now = Date.now();
    const fleet = options.fleet ? generateFleet(options.fleet) : undefined;
    this.subscriptions = [SUBSCRIPTION_ID, ...(fleet?.subscriptions ?? [])];
    for (const [subscription, groups] of fleet?.resourceGroups ?? []) this.resourceGroups.set(subscription, groups);
    const placed: { def: ClusterDefinition; subscriptionId: string; resourceGroup: string }[] = [
      ...[...DEFAULT_CLUSTERS, ...FLEET_HUBS].map((def) => ({ def, subscriptionId: SUBSCRIPTION_ID, resourceGroup: RESOURCE_GROUP })),
      ...(fleet?.clusters ?? []),
    ];
    this.clusters = placed.map(({ def, subscriptionId, resourceGroup }) => {
      const id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${def.rp}/${def.type}/${def.name}`;
      const offline = def.offline === true || options.arcOffline.includes(def.name);
      return {
        def,
        subscriptionId,
        resourceGroup,
        id,
        key: id.toLowerCase(),
        online: !offline,
        lastConnectivityMs: offline ? now - THREE_DAYS_MS : now,
        principalId: uuid(),
        createdMs: now - 30 * 24 * 3600 * 1000,
        parked: [],
      };
    });
    for (const c of this.clusters) this.clustersByKey.set(c.key, c);
    // After a reset, every resourceVersion of the old world is expired (its objects vanished without events).
    for (const c of this.clusters) {
      const before = previous?.kube.get(c.key)?.resourceVersion;
      this.kube.set(c.key, new KubeStore(options.watchHistory, before === undefined ? 0 : before + 1));
    }
    this.providerState = options.providerUnregistered ? 'NotRegistered' : 'Registered';
    for (const [name, state] of Object.entries(options.extensions)) this.setExtensionScenario(name, state);
    for (const c of this.clusters) this.commitKube(c);
    if (fleet) populateFleet(this, fleet);
    this.graph.indexAll();
  }

  kubeStore(cluster: ClusterState): KubeStore {
    return this.kube.get(cluster.key)!;
  }

  /** Brings the cluster's Kubernetes API up to date with the agent's objects and the extension. */
  commitKube(cluster: ClusterState): void {
    const store = this.kube.get(cluster.key);
    if (store) commitCluster(this, cluster, store);
    this.graph.touch(cluster.key);
  }

  /** Resizes every cluster's watch history (start-up option or control endpoint). */
  setWatchHistory(n: number): void {
    for (const store of this.kube.values()) store.historyLimit = n;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  /** The subscription as the world spells it, if it exists (any letter case). */
  findSubscription(id: string): string | undefined {
    return this.subscriptions.find((s) => s === id.toLowerCase());
  }

  findResourceGroup(name: string, subscriptionId: string = this.subscriptionId): string | undefined {
    return this.resourceGroups.get(subscriptionId)?.find((rg) => rg.toLowerCase() === name.toLowerCase());
  }

  clusterByName(name: string): ClusterState | undefined {
    return this.clusters.find((c) => c.def.name === name);
  }

  clusterByKey(key: string): ClusterState | undefined {
    return this.clustersByKey.get(key);
  }

  extensionsOf(cluster: ClusterState): Map<string, ExtensionRecord> {
    let map = this.extensions.get(cluster.key);
    if (!map) this.extensions.set(cluster.key, (map = new Map()));
    return map;
  }

  fluxConfigsOf(cluster: ClusterState): Map<string, FluxRecord> {
    let map = this.fluxConfigs.get(cluster.key);
    if (!map) this.fluxConfigs.set(cluster.key, (map = new Map()));
    return map;
  }

  /** The microsoft.flux extension of the cluster, whatever its state. */
  fluxExtension(cluster: ClusterState): ExtensionRecord | undefined {
    for (const ext of this.extensionsOf(cluster).values()) {
      if (String(ext.props.extensionType).toLowerCase() === 'microsoft.flux') return ext;
    }
    return undefined;
  }

  /** The agent reports only from a reachable cluster with an installed Flux extension. */
  agentRunning(cluster: ClusterState): boolean {
    const ext = this.fluxExtension(cluster);
    return cluster.online && ext !== undefined && ext.currentVersion !== null && ext.provisioningState !== 'Deleting';
  }

  /** Runs `work` now when the cluster is reachable, or parks it until the cluster is back online. */
  whenOnline(cluster: ClusterState, work: () => void): void {
    if (cluster.online) work();
    else cluster.parked.push(work);
  }

  setOnline(cluster: ClusterState, online: boolean): void {
    if (cluster.def.kind !== 'arc' || cluster.online === online) return;
    cluster.online = online;
    this.graph.touch(cluster.key);
    if (!online) {
      cluster.lastConnectivityMs = Date.now() - THREE_DAYS_MS;
      return;
    }
    cluster.lastConnectivityMs = Date.now();
    const parked = cluster.parked.splice(0);
    for (const work of parked) this.scheduler.after(this.options.operationDelayMs, work);
    this.agent.start(cluster);
  }

  systemData(createdMs = Date.now()): SystemData {
    const at = isoMs(createdMs);
    return {
      createdBy: MANAGED_IDENTITY_CLIENT_ID,
      createdByType: 'Application',
      createdAt: at,
      lastModifiedBy: MANAGED_IDENTITY_CLIENT_ID,
      lastModifiedByType: 'Application',
      lastModifiedAt: at,
    };
  }

  /** Puts the cluster's Flux extension into a scenario state (start-up option or control endpoint). */
  setExtensionScenario(clusterName: string, state: ExtensionScenario): void {
    const cluster = this.clusterByName(clusterName);
    if (!cluster) return;
    const map = this.extensionsOf(cluster);
    const existing = this.fluxExtension(cluster);
    if (existing) map.delete(existing.name.toLowerCase());
    if (state === 'absent') {
      this.agent.stop(cluster);
      return;
    }
    const record: ExtensionRecord = {
      cluster,
      name: existing?.name ?? 'flux',
      seq: this.nextSeq(),
      props: {
        extensionType: 'microsoft.flux',
        autoUpgradeMinorVersion: true,
        releaseTrain: 'Stable',
        version: null,
        scope: { cluster: { releaseNamespace: 'flux-system' } },
        configurationSettings: {},
        autoUpgradeMode: 'compatible',
      },
      protectedSettings: {},
      provisioningState: state === 'installed' ? 'Succeeded' : state === 'installing' ? 'Creating' : 'Failed',
      currentVersion: state === 'installed' ? FLUX_EXTENSION_VERSION : null,
      errorInfo:
        state === 'failed'
          ? {
              code: 'ExtensionOperationFailed',
              message:
                'The extension operation failed with the following error: Helm installation failed: timed out waiting for the condition: Deployment flux-system/fluxconfig-agent is not ready (0 of 1 expected pods are ready).',
            }
          : null,
      statuses:
        state === 'failed'
          ? [installationFailed('Helm installation failed : InnerError [release flux failed, and has been uninstalled due to atomic being set: context deadline exceeded]', 'create')]
          : [],
      systemData: this.systemData(),
    };
    if (cluster.def.kind === 'arc') record.identity = { type: 'SystemAssigned', principalId: uuid() };
    map.set(record.name.toLowerCase(), record);
    if (state === 'installed') this.agent.start(cluster);
    else this.agent.stop(cluster);
  }

  shutdown(): void {
    this.scheduler.stop();
    for (const store of this.kube.values()) store.close();
  }
}
