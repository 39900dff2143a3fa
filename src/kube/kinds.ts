/** The Flux kinds k8s-gitops reads from a cluster, at the API versions Azure's Flux and upstream Flux both serve. */
export interface FluxKind {
  kind: string;
  group: string;
  version: string;
  plural: string;
}

export const FLUX_KINDS: readonly FluxKind[] = [
  { kind: 'GitRepository', group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'gitrepositories' },
  { kind: 'OCIRepository', group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'ocirepositories' },
  { kind: 'Bucket', group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'buckets' },
  { kind: 'HelmRepository', group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'helmrepositories' },
  { kind: 'HelmChart', group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'helmcharts' },
  { kind: 'Kustomization', group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' },
  { kind: 'HelmRelease', group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases' },
];
