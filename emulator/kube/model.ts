/**
 * What an emulated cluster's Kubernetes API holds: its namespaces, the Flux objects of the
 * simulated agent (the same objects the agent reports to Azure, in their Kubernetes form) and
 * the events their controllers record. The Flux kinds exist only while the microsoft.flux
 * extension is installed (it brings the CRDs).
 */
import { toKubeObject, type FluxObject } from '../agent/objects.js';
import type { ClusterState } from '../arm/records.js';
import { isoSeconds, uuid, type Json } from '../util.js';
import type { World } from '../world.js';
import { eventLogOf } from './events.js';
import type { KubeStore } from './store.js';

/** The namespaces every cluster has from the start. */
export const BUILT_IN_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];
/** Where the microsoft.flux extension runs the Flux controllers. */
export const FLUX_NAMESPACE = 'flux-system';
/** Type keys of the core group (`/Namespace`, `/Event`) start with this. */
const CORE_TYPE_KEY_PREFIX = '/';

/** Whether the cluster has the Flux CRDs: a microsoft.flux extension that has been installed. */
export function fluxInstalled(world: World, cluster: ClusterState): boolean {
  const ext = world.fluxExtension(cluster);
  return ext !== undefined && ext.currentVersion !== null;
}

function namespaceObject(name: string, info: { uid: string; createdMs: number }): Json {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      uid: info.uid,
      creationTimestamp: isoSeconds(info.createdMs),
      labels: { 'kubernetes.io/metadata.name': name },
    },
    spec: { finalizers: ['kubernetes'] },
    status: { phase: 'Active' },
  };
}

/** Namespaces a Kustomization applied (inventory ids `_<name>__Namespace`). */
function appliedNamespaces(objects: readonly FluxObject[]): string[] {
  return objects.flatMap((o) => (o.inventory ?? []).map((e) => /^_([^_]+)__Namespace$/.exec(e.id)?.[1]).filter((n): n is string => n !== undefined));
}

/** The cluster's desired object set: namespaces first (by name), then the agent's Flux objects, then events. */
export function clusterObjects(world: World, cluster: ClusterState, store: KubeStore): Json[] {
  const flux = fluxInstalled(world, cluster);
  const objects = flux ? world.agent.objects(cluster).all() : [];
  const events = eventLogOf(store);
  events.observe(objects);
  const wanted = [...BUILT_IN_NAMESPACES, ...(flux ? [FLUX_NAMESPACE] : []), ...objects.map((o) => o.namespace), ...appliedNamespaces(objects)];
  if (!flux) store.namespaces.delete(FLUX_NAMESPACE);
  for (const name of wanted) {
    if (!store.namespaces.has(name)) {
      store.namespaces.set(name, { uid: uuid(), createdMs: BUILT_IN_NAMESPACES.includes(name) ? cluster.createdMs : Date.now() });
    }
  }
  const namespaces = [...store.namespaces.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, info]) => namespaceObject(name, info));
  return [...namespaces, ...objects.map(toKubeObject), ...events.all()];
}

/** Brings the cluster's API up to date with the world (called after every change the agent makes). */
export function commitCluster(world: World, cluster: ClusterState, store: KubeStore): void {
  store.sync(clusterObjects(world, cluster, store));
  // Without the CRDs, watches of Flux kinds end, as the API server ends them when a CRD is
  // deleted; watches of core kinds (namespaces, events) go on.
  if (!fluxInstalled(world, cluster)) store.closeWatches((typeKey) => !typeKey.startsWith(CORE_TYPE_KEY_PREFIX));
}
