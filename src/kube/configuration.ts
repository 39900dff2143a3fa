/**
 * A Flux configuration as the cluster holds it: the source and the Kustomizations Azure's agent
 * made for it (labelled `clusterconfig.azure.com/name` and `…/namespace`), found among the Flux
 * objects a list returned, with the Kustomizations in dependency order. Pure.
 */
import { UsageError } from '../core/errors.js';
import type { KubeFluxObject } from './access.js';

export const CONFIG_NAME_LABEL = 'clusterconfig.azure.com/name';
export const CONFIG_NAMESPACE_LABEL = 'clusterconfig.azure.com/namespace';

export interface ConfigurationInCluster {
  name: string;
  namespace: string;
  /** The source the Kustomizations follow (GitRepository, OCIRepository or Bucket). */
  source?: KubeFluxObject;
  /** Dependencies first; otherwise by name. */
  kustomizations: KubeFluxObject[];
}

const SOURCE_KINDS = new Set(['GitRepository', 'OCIRepository', 'Bucket']);

function belongsTo(o: KubeFluxObject, name: string, namespace: string | undefined): boolean {
  const labels = o.metadata.labels ?? {};
  if (labels[CONFIG_NAME_LABEL] !== name) return false;
  const ns = labels[CONFIG_NAMESPACE_LABEL] ?? o.metadata.namespace;
  return namespace === undefined || ns === namespace;
}

/** `dependsOn` of a Kustomization as `namespace/name` keys (the namespace defaults to its own). */
function dependencies(k: KubeFluxObject): string[] {
  const raw = k.spec?.dependsOn;
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((d): d is { name: string; namespace?: string } => typeof (d as { name?: unknown })?.name === 'string')
    .map((d) => `${d.namespace ?? k.metadata.namespace ?? ''}/${d.name}`);
}

const keyOf = (k: KubeFluxObject): string => `${k.metadata.namespace ?? ''}/${k.metadata.name}`;

/**
 * Dependencies before their dependents (Kahn's order, ties by name); a dependency outside the set
 * is ignored; the members of a cycle come last, by name.
 */
export function dependencyOrder(kustomizations: readonly KubeFluxObject[]): KubeFluxObject[] {
  const byKey = new Map(kustomizations.map((k) => [keyOf(k), k]));
  const pending = new Map(kustomizations.map((k) => [keyOf(k), new Set(dependencies(k).filter((d) => byKey.has(d) && d !== keyOf(k)))]));
  const out: KubeFluxObject[] = [];
  for (;;) {
    const ready = [...pending].filter(([, deps]) => deps.size === 0).map(([key]) => key).sort();
    if (ready.length === 0) break;
    const next = ready[0]!;
    out.push(byKey.get(next)!);
    pending.delete(next);
    for (const deps of pending.values()) deps.delete(next);
  }
  return [...out, ...[...pending.keys()].sort().map((key) => byKey.get(key)!)];
}

/**
 * The configuration `name` (in `namespace`, when known) among `objects`; undefined when the
 * cluster has none of its objects. Found in several namespaces without `namespace`: a usage
 * error naming them.
 */
export function findConfiguration(objects: readonly KubeFluxObject[], name: string, namespace?: string): ConfigurationInCluster | undefined {
  const members = objects.filter((o) => belongsTo(o, name, namespace) && (o.kind === 'Kustomization' || SOURCE_KINDS.has(o.kind)));
  if (members.length === 0) return undefined;
  const namespaces = [...new Set(members.map((o) => o.metadata.labels?.[CONFIG_NAMESPACE_LABEL] ?? o.metadata.namespace ?? ''))].sort();
  if (namespaces.length > 1) {
    throw new UsageError('--namespace', `the cluster has a configuration '${name}' in the namespaces ${namespaces.join(', ')}.`, `Say which with --namespace ${namespaces[0]}.`);
  }
  const ns = namespaces[0]!;
  const kustomizations = dependencyOrder(members.filter((o) => o.kind === 'Kustomization'));
  const ref = kustomizations[0]?.spec?.sourceRef as { kind?: string; name?: string; namespace?: string } | undefined;
  const source =
    (ref && objects.find((o) => o.kind === ref.kind && o.metadata.name === ref.name && (o.metadata.namespace ?? '') === (ref.namespace ?? kustomizations[0]!.metadata.namespace))) ??
    members.find((o) => SOURCE_KINDS.has(o.kind));
  return { name, namespace: ns, ...(source ? { source } : {}), kustomizations };
}
