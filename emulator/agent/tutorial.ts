/**
 * What Microsoft's tutorial repository (Azure/gitops-flux2-kustomize-helm-mt) deploys, as far as
 * Flux objects go: `./infrastructure` builds the HelmRepositories bitnami, ingress-nginx and
 * podinfo and the HelmReleases nginx and redis; `./apps/staging` (and `./apps/production`) the
 * HelmRelease podinfo. All land in the configuration's namespace. Namespaces and ConfigMaps that
 * the same builds contain are not Flux objects and are not modelled.
 */
import type { Json } from '../util.js';
import { sha256Hex } from '../util.js';
import { HELM_API, SOURCE_API } from './objects.js';

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

/** The Flux objects a kustomization with this path applies from the tutorial repository. */
export function tutorialObjects(path: unknown, namespace: string): AppliedObjectSpec[] {
  const p = String(path ?? '')
    .trim()
    .replace(/^\.?\/+/, '')
    .replace(/\/+$/, '');
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
