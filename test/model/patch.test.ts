/**
 * The rule `update` (and, later, fleet apply) keeps: a PATCH that would carry nothing is not
 * sent. holdsConfiguration says whether Azure already holds what is asked; checked here with
 * generated single changes of a realistic configuration, each of which must be seen.
 */
import { describe, test, expect } from '@jest/globals';
import { configurationFromResource } from '../../src/model/file.js';
import { fluxConfigurationPatchBody, holdsConfiguration, isEmptyPatch } from '../../src/model/patch.js';
import type { FluxConfiguration } from '../../src/model/types.js';
import { tutorialConfiguration } from '../helpers/configuration.js';

/** The tutorial configuration as Azure returns it (defaults filled in, read-only fields present). */
const RESOURCE = {
  id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/cluster-config',
  name: 'cluster-config',
  properties: {
    scope: 'cluster',
    namespace: 'cluster-config',
    sourceKind: 'GitRepository',
    suspend: false,
    gitRepository: { url: 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', repositoryRef: { branch: 'main', tag: null, semver: null, commit: null }, timeoutInSeconds: 600, syncIntervalInSeconds: 600, httpsUser: null },
    kustomizations: {
      infra: { name: 'infra', path: './infrastructure', dependsOn: [], timeoutInSeconds: 600, syncIntervalInSeconds: 600, retryIntervalInSeconds: null, prune: true, force: false, wait: true },
      apps: { name: 'apps', path: './apps/staging', dependsOn: ['infra'], timeoutInSeconds: 600, syncIntervalInSeconds: 600, retryIntervalInSeconds: null, prune: true, force: false, wait: true },
    },
    provisioningState: 'Succeeded',
    complianceState: 'Compliant',
    statuses: [],
  },
};

const held = (): FluxConfiguration => configurationFromResource('cluster-config', structuredClone(RESOURCE));

/** What a user asks for when they give the tutorial's flags again (Azure's defaults left out). */
const asked = tutorialConfiguration;

describe('asking for what Azure holds', () => {
  test('the same configuration, with Azure defaults written out or left out, is held: the PATCH is empty', () => {
    expect(isEmptyPatch(fluxConfigurationPatchBody(held(), asked()))).toBe(true);
    expect(holdsConfiguration(held(), asked())).toBe(true);
    expect(holdsConfiguration(held(), held())).toBe(true);
  });

  test('protected settings cannot be read back: never held, unless they are left out of the comparison', () => {
    const withKey = { ...asked(), configurationProtectedSettings: { httpsKey: 'dG9rZW4=' } };
    expect(holdsConfiguration(held(), withKey)).toBe(false);
    expect(holdsConfiguration(held(), withKey, { exceptSecrets: true })).toBe(true);
  });

  test('scope and namespace count, though a PATCH cannot carry them', () => {
    expect(holdsConfiguration(held(), { ...asked(), namespace: 'other' })).toBe(false);
    expect(holdsConfiguration(held(), { ...asked(), scope: 'namespace' })).toBe(false);
  });

  test('waitForReconciliation is fixed at creation and does not make a PATCH', () => {
    expect(holdsConfiguration(held(), { ...asked(), waitForReconciliation: true, reconciliationWaitDuration: 'PT5M' })).toBe(true);
  });
});

/** Every single change a user can ask for; each must make a non-empty PATCH. */
const CHANGES: Array<[string, (c: FluxConfiguration) => void]> = [
  ['suspend', (c) => (c.suspend = true)],
  ['url', (c) => (c.gitRepository!.url = 'https://github.com/example/other')],
  ['branch', (c) => (c.gitRepository!.repositoryRef = { branch: 'release' })],
  ['commit', (c) => (c.gitRepository!.repositoryRef = { branch: 'main', commit: '0123456789abcdef0123456789abcdef01234567' })],
  ['source interval', (c) => (c.gitRepository!.syncIntervalInSeconds = 300)],
  ['source timeout', (c) => (c.gitRepository!.timeoutInSeconds = 60)],
  ['local auth ref', (c) => (c.gitRepository!.localAuthRef = 'creds')],
  ['a kustomization path', (c) => (c.kustomizations.get('apps')!.path = './apps/production')],
  ['prune off', (c) => (c.kustomizations.get('infra')!.prune = false)],
  ['force', (c) => (c.kustomizations.get('apps')!.force = true)],
  ['health checks off', (c) => (c.kustomizations.get('apps')!.wait = false)],
  ['retry interval', (c) => (c.kustomizations.get('apps')!.retryIntervalInSeconds = 60)],
  ['dependencies cleared', (c) => (c.kustomizations.get('apps')!.dependsOn = [])],
  ['a substitution', (c) => (c.kustomizations.get('apps')!.postBuild = { substitute: { env: 'prod' } })],
  ['a new kustomization', (c) => c.kustomizations.set('monitoring', { path: './monitoring' })],
  ['a kustomization removed', (c) => c.kustomizations.delete('apps')],
  ['every kustomization removed (a source only)', (c) => c.kustomizations.clear()],
  ['another source kind', (c) => {
    delete c.gitRepository;
    c.sourceKind = 'OCIRepository';
    c.ociRepository = { url: 'oci://ghcr.io/stefanprodan/manifests/podinfo' };
  }],
];

describe('any single change is seen', () => {
  test.each(CHANGES)('%s', (_what, change) => {
    const next = asked();
    change(next);
    expect(holdsConfiguration(held(), next)).toBe(false);
    const patch = fluxConfigurationPatchBody(held(), next);
    expect(isEmptyPatch(patch)).toBe(false);
    // Once Azure holds the change, the same request is empty.
    expect(holdsConfiguration(next, next)).toBe(true);
  });

  test('every pair of changes is seen too', () => {
    for (const [a, first] of CHANGES) {
      for (const [b, second] of CHANGES) {
        const next = asked();
        first(next);
        try {
          second(next);
        } catch {
          continue; // the second change is about something the first removed
        }
        expect({ a, b, held: holdsConfiguration(held(), next) }).toEqual({ a, b, held: false });
      }
    }
  });
});
