/** Flux configurations the model tests start from. */
import type { FluxConfiguration, KustomizationDef } from '../../src/model/types.js';

/** Microsoft's tutorial configuration as its flags give it (Azure's defaults left out). */
export function tutorialConfiguration(): FluxConfiguration {
  return {
    name: 'cluster-config',
    scope: 'cluster',
    namespace: 'cluster-config',
    sourceKind: 'GitRepository',
    suspend: false,
    gitRepository: { url: 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', repositoryRef: { branch: 'main' } },
    kustomizations: new Map<string, KustomizationDef>([
      ['infra', { path: './infrastructure', prune: true }],
      ['apps', { path: './apps/staging', prune: true, dependsOn: ['infra'] }],
    ]),
    configurationProtectedSettings: {},
  };
}
