/**
 * What Microsoft's tutorial repository (Azure/gitops-flux2-kustomize-helm-mt) deploys, as far as
 * Flux objects go: `./infrastructure` builds the HelmRepositories bitnami, ingress-nginx and
 * podinfo and the HelmReleases nginx and redis; `./apps/staging` (and `./apps/production`) the
 * HelmRelease podinfo. All land in the configuration's namespace. The Namespaces and the
 * ConfigMap the same builds contain are not Flux objects: they appear only in the Kustomizations'
 * inventories (`tutorialInventory`).
 */
import type { Json } from '../util.js';
import { sha256Hex } from '../util.js';
import { HELM_API, SOURCE_API, type InventoryEntry } from './objects.js';

export const TUTORIAL_REPOSITORY = 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt';

export function isTutorialRepository(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  const norm = url.trim().toLowerCase().replace(/\/+$/, '').replace(/\.git$/, '');
  return norm === TUTORIAL_REPOSITORY.toLowerCase();
}

export interface AppliedObjectSpec {
  apiVersion: string;
  kind: 'HelmRepository' | 'HelmRelease';
  name: string;
  spec: Json;
  /** HelmRepository: the stored index revision. */
  artifactRevision?: string;
  /** HelmRelease: what the install resolves to. */
  helm?: { chartName: string; chartVersion: string; releaseName: string; targetNamespace: string; repository: string };
}

function helmRepository(name: string, url: string, interval: string): AppliedObjectSpec {
  return {
    apiVersion: SOURCE_API,
    kind: 'HelmRepository',
    name,
    spec: { url, interval },
    artifactRevision: `sha256:${sha256Hex(`index.yaml of ${url}`)}`,
  };
}

function helmRelease(
  name: string,
  namespace: string,
  chart: { name: string; version: string; resolved: string; repository: string },
  targetNamespace: string,
  releaseName?: string,
): AppliedObjectSpec {
  const spec: Json = {
    interval: '1h0m0s',
    targetNamespace,
    chart: { spec: { chart: chart.name, version: chart.version, sourceRef: { kind: 'HelmRepository', name: chart.repository, namespace } } },
  };
  if (releaseName) spec.releaseName = releaseName;
  return {
    apiVersion: HELM_API,
    kind: 'HelmRelease',
    name,
    spec,
    helm: {
      chartName: chart.name,
      chartVersion: chart.resolved,
      // Helm's release name defaults to <targetNamespace>-<name> when a target namespace is set.
      releaseName: releaseName ?? `${targetNamespace}-${name}`,
      targetNamespace,
      repository: chart.repository,
    },
  };
}

function normalPath(path: unknown): string {
  return String(path ?? '')
    .trim()
    .replace(/^\.?\/+/, '')
    .replace(/\/+$/, '');
}

/** The Flux objects a kustomization with this path applies from the tutorial repository. */
export function tutorialObjects(path: unknown, namespace: string): AppliedObjectSpec[] {
  const p = normalPath(path);
  switch (p) {
    case 'infrastructure':
      return [
        helmRepository('bitnami', 'https://charts.bitnami.com/bitnami', '30m0s'),
        helmRepository('ingress-nginx', 'https://kubernetes.github.io/ingress-nginx', '30m0s'),
        helmRepository('podinfo', 'https://stefanprodan.github.io/podinfo', '5m0s'),
        helmRelease('nginx', namespace, { name: 'ingress-nginx', version: '4.10.1', resolved: '4.10.1', repository: 'ingress-nginx' }, 'nginx', 'nginx-ingress-controller'),
        helmRelease('redis', namespace, { name: 'redis', version: '17.x', resolved: '17.17.1', repository: 'bitnami' }, 'redis'),
      ];
    case 'apps/staging':
    case 'apps/production':
      return [helmRelease('podinfo', namespace, { name: 'podinfo', version: p === 'apps/staging' ? '>=1.0.0-alpha' : '>=1.0.0', resolved: '6.7.1', repository: 'podinfo' }, 'podinfo')];
    default:
      return [];
  }
}

/** An inventory id as kustomize-controller writes it: `<namespace>_<name>_<group>_<kind>` (empty namespace and group where there is none). */
export function inventoryEntry(namespace: string, name: string, apiVersion: string, kind: string): InventoryEntry {
  const slash = apiVersion.lastIndexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  return { id: `${namespace}_${name}_${group}_${kind}`, v: slash < 0 ? apiVersion : apiVersion.slice(slash + 1) };
}

/** kustomize's name suffix for generated ConfigMaps: ten characters of a content hash, from its alphabet. */
function nameHash(text: string): string {
  const alphabet = 'bcdfghkmt2456789';
  return [...sha256Hex(text).slice(0, 10)].map((c) => alphabet[parseInt(c, 16)]).join('');
}

/**
 * Everything a kustomization with this path applies from the tutorial repository, in the order
 * kustomize-controller's inventory lists it: cluster-scoped objects (Namespaces) first, then the
 * namespaced ones. Empty for any other path.
 */
export function tutorialInventory(path: unknown, namespace: string): InventoryEntry[] {
  const flux = tutorialObjects(path, namespace);
  if (flux.length === 0) return [];
  const p = normalPath(path);
  const namespaces = p === 'infrastructure' ? ['nginx', 'redis'] : ['podinfo'];
  const entries = namespaces.map((ns) => inventoryEntry('', ns, 'v1', 'Namespace'));
  if (p === 'infrastructure') entries.push(inventoryEntry(namespace, `redis-values-${nameHash('redis values of the tutorial')}`, 'v1', 'ConfigMap'));
  for (const o of flux) entries.push(inventoryEntry(namespace, o.name, o.apiVersion, o.kind));
  return entries;
}
