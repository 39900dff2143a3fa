/**
 * What a Kustomization applied, as `flux tree kustomization` shows it: the entries of its
 * `status.inventory` in order (ids `<namespace>_<name>_<group>_<kind>`, versions apart), nested
 * Kustomizations expanded to what they applied, HelmReleases expanded to what they installed
 * where their own inventory says so (helm-controller 1.5 and later), otherwise described by
 * their latest release. Flux objects carry their readiness. Pure: the caller passes the live
 * objects it listed.
 */
import type { KubeFluxObject } from './access.js';
import { readiness, type ConditionStatus, type KubeObject, type ObjectState } from './readiness.js';

export interface InventoryRef {
  kind: string;
  group: string;
  version: string;
  namespace: string;
  name: string;
}

/** Kinds whose names may hold ':' (stored as '__' in inventory ids). */
const RBAC_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

/** One inventory entry; undefined when the id is not of the form kustomize-controller writes. */
export function parseInventoryEntry(id: string, version: string): InventoryRef | undefined {
  const first = id.indexOf('_');
  const last = id.lastIndexOf('_');
  if (first < 0 || last <= first) return undefined;
  const kind = id.slice(last + 1);
  const rest = id.slice(first + 1, last);
  const split = rest.lastIndexOf('_');
  if (split < 0 || !kind) return undefined;
  const rawName = rest.slice(0, split);
  if (!rawName) return undefined;
  const group = rest.slice(split + 1);
  return { kind, group, version, namespace: id.slice(0, first), name: RBAC_KINDS.has(kind) ? rawName.replace(/__/g, ':') : rawName };
}

export interface TreeNode {
  kind: string;
  namespace: string;
  name: string;
  /** `group/version`, or the version of the core group. */
  apiVersion?: string;
  /** Flux kinds: their readiness. */
  ready?: ConditionStatus;
  state?: ObjectState;
  reason?: string;
  /** A HelmRelease without an inventory: its latest release. */
  release?: { name: string; namespace: string; revision?: number; chart?: string; chartVersion?: string; status?: string };
  /** Why the node has no children where it could have some. */
  note?: string;
  children: TreeNode[];
}

type Lookup = (kind: string, namespace: string, name: string) => KubeFluxObject | undefined;

const FLUX_GROUP = /\.toolkit\.fluxcd\.io$/;

function entriesOf(obj: KubeFluxObject): InventoryRef[] | undefined {
  const inventory = obj.status?.inventory as { entries?: unknown } | undefined;
  if (!inventory || !Array.isArray(inventory.entries)) return undefined;
  const out: InventoryRef[] = [];
  for (const e of inventory.entries as { id?: unknown; v?: unknown }[]) {
    const ref = typeof e?.id === 'string' ? parseInventoryEntry(e.id, typeof e.v === 'string' ? e.v : '') : undefined;
    if (ref) out.push(ref);
  }
  return out;
}

function latestRelease(obj: KubeFluxObject): TreeNode['release'] | undefined {
  const history = obj.status?.history;
  const h = Array.isArray(history) ? (history[0] as Record<string, unknown> | undefined) : undefined;
  if (!h || typeof h.name !== 'string') return undefined;
  return {
    name: h.name,
    namespace: typeof h.namespace === 'string' ? h.namespace : (obj.metadata.namespace ?? ''),
    ...(typeof h.version === 'number' ? { revision: h.version } : {}),
    ...(typeof h.chartName === 'string' ? { chart: h.chartName } : {}),
    ...(typeof h.chartVersion === 'string' ? { chartVersion: h.chartVersion } : {}),
    ...(typeof h.status === 'string' ? { status: h.status } : {}),
  };
}

function node(ref: InventoryRef, live: KubeFluxObject | undefined, lookup: Lookup, visiting: Set<string>, remoteCluster: boolean): TreeNode {
  const out: TreeNode = { kind: ref.kind, namespace: ref.namespace, name: ref.name, apiVersion: ref.group ? `${ref.group}/${ref.version}` : ref.version, children: [] };
  if (!FLUX_GROUP.test(ref.group)) return out;
  if (!live) {
    out.note = remoteCluster ? 'in the cluster its Kustomization applies to' : 'not found in the cluster';
    return out;
  }
  const r = readiness(live as KubeObject);
  out.ready = r.ready;
  out.state = r.state;
  if (r.reason) out.reason = r.reason;
  const key = `${ref.kind}/${ref.namespace}/${ref.name}`;
  if (ref.kind === 'Kustomization' || ref.kind === 'HelmRelease') {
    const entries = entriesOf(live);
    if (entries && !visiting.has(key)) {
      visiting.add(key);
      // A Kustomization with a kubeConfig applies to another cluster: its objects are not here.
      out.children = children(key, entries, lookup, visiting, ref.kind === 'Kustomization' && live.spec?.kubeConfig !== undefined);
      visiting.delete(key);
      if (out.children.length === 0) out.note = 'applied nothing';
    } else if (ref.kind === 'HelmRelease') {
      const release = latestRelease(live);
      if (release) out.release = release;
      out.note = release ? 'no inventory: installed as a Helm release' : 'not installed yet';
    } else if (!entries) {
      out.note = 'nothing applied yet';
    }
  }
  return out;
}

function children(self: string, entries: readonly InventoryRef[], lookup: Lookup, visiting: Set<string>, remoteCluster: boolean): TreeNode[] {
  return entries
    .filter((e) => `${e.kind}/${e.namespace}/${e.name}` !== self)
    .map((e) => node(e, !remoteCluster && FLUX_GROUP.test(e.group) ? lookup(e.kind, e.namespace, e.name) : undefined, lookup, visiting, remoteCluster));
}

/** The tree under one Kustomization (read live), its own readiness at the root. */
export function kustomizationTree(root: KubeFluxObject, lookup: Lookup): TreeNode {
  const ref: InventoryRef = { kind: root.kind, group: 'kustomize.toolkit.fluxcd.io', version: (root.apiVersion ?? '').split('/')[1] ?? 'v1', namespace: root.metadata.namespace ?? '', name: root.metadata.name };
  return node(ref, root, lookup, new Set(), false);
}

/** The tree as `flux tree` draws it: `├──`, `│`, `└──`; `describe` adds text after each object. */
export function drawTree(root: TreeNode, describe: (n: TreeNode) => string): string[] {
  const label = (n: TreeNode): string => {
    const id = n.namespace ? `${n.kind}/${n.namespace}/${n.name}` : `${n.kind}/${n.name}`;
    const extra = describe(n);
    return extra ? `${id}  ${extra}` : id;
  };
  const lines = [label(root)];
  const walk = (nodes: TreeNode[], prefix: string): void => {
    nodes.forEach((n, i) => {
      const last = i === nodes.length - 1;
      lines.push(`${prefix}${last ? '└── ' : '├── '}${label(n)}`);
      walk(n.children, `${prefix}${last ? '    ' : '│   '}`);
    });
  };
  walk(root.children, '');
  return lines;
}
