/**
 * The rendered Flux objects against live ones: what the API server and Flux fill in (defaults,
 * status, metadata) is no difference; an edit of the spec is, field by field; objects missing on
 * one side are added or removed. Checked on every rendered configuration of the golden inputs.
 */
import { describe, expect, test } from '@jest/globals';
import type { FluxConfiguration } from '../../src/model/types.js';
import { renderClusterObjects } from '../../src/render/flux.js';
import { clusterDrift, specDrift } from '../../src/kube/drift.js';
import { tutorialConfiguration } from '../helpers/configuration.js';

type Obj = { apiVersion?: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any; status?: unknown };

function config(overrides: Partial<FluxConfiguration> = {}): FluxConfiguration {
  return { ...tutorialConfiguration(), ...overrides };
}

const rendered = (c: FluxConfiguration = config()): Obj[] => renderClusterObjects(c).map((r) => r.object as Obj);
const owned = (o: { metadata?: { labels?: Record<string, string> } }): boolean => o.metadata?.labels?.['clusterconfig.azure.com/name'] === 'cluster-config';

/** What a cluster serves for a rendered object: server metadata, status, defaults filled in, key order of its own. */
function asServed(o: Obj): Obj {
  const spec = structuredClone(o.spec ?? {});
  if (o.kind === 'GitRepository') spec.provider ??= 'generic';
  if (o.kind === 'Kustomization') {
    spec.force ??= false;
    if (spec.suspend === false) delete spec.suspend; // false: left out
  }
  const reversed = Object.fromEntries(Object.entries(spec).reverse());
  return { ...o, metadata: { ...o.metadata, uid: 'u', resourceVersion: '42', generation: 3 } as never, spec: reversed, status: { observedGeneration: 3, conditions: [] } };
}

describe('specDrift', () => {
  test('defaults on one side only are no difference; a real value is', () => {
    expect(specDrift('GitRepository', { url: 'u', timeout: '60s', ref: { branch: 'master' }, provider: 'generic' }, { url: 'u' })).toEqual([]);
    expect(specDrift('Kustomization', { path: '', force: false, prune: false, dependsOn: [] }, { path: undefined })).toEqual([]);
    expect(specDrift('GitRepository', { url: 'u', timeout: '2m' }, { url: 'u' })).toEqual([{ path: 'spec.timeout', change: 'removed', from: '2m' }]);
    expect(specDrift('Kustomization', { force: true }, {})).toEqual([{ path: 'spec.force', change: 'removed', from: true }]);
    expect(specDrift('Kustomization', {}, { wait: true })).toEqual([{ path: 'spec.wait', change: 'added', to: true }]);
  });

  test('nested fields by path, lists whole, sorted by field', () => {
    expect(specDrift('Kustomization', { sourceRef: { kind: 'GitRepository', name: 'a' }, dependsOn: [{ name: 'x' }] }, { sourceRef: { kind: 'GitRepository', name: 'b' }, dependsOn: [{ name: 'y' }] })).toEqual([
      { path: 'spec.dependsOn', change: 'changed', from: [{ name: 'x' }], to: [{ name: 'y' }] },
      { path: 'spec.sourceRef.name', change: 'changed', from: 'a', to: 'b' },
    ]);
  });
});

describe('clusterDrift', () => {
  const sources: [string, FluxConfiguration][] = [
    ['git', config()],
    ['git with auth and a suspended source', config({ suspend: true, gitRepository: { url: 'ssh://git@github.com/org/repo', repositoryRef: { tag: 'v1' }, sshKnownHosts: 'k' }, configurationProtectedSettings: { sshPrivateKey: 'x' } })],
    ['bucket', config({ sourceKind: 'Bucket', bucket: { url: 'https://minio.example.com', bucketName: 'b', localAuthRef: 'auth' } })],
    ['oci', config({ sourceKind: 'OCIRepository', ociRepository: { url: 'oci://ghcr.io/org/app' } })],
    ['kustomizations with every field', config({ kustomizations: new Map([['a', { path: './a', retryIntervalInSeconds: 60, timeoutInSeconds: 3600, force: true, wait: false, postBuild: { substitute: { x: 'y' }, substituteFrom: [{ kind: 'ConfigMap', name: 'v' }] } }]]) })],
  ];

  test.each(sources)('%s: a cluster holding what the renderer makes agrees with it', (_label, c) => {
    const objects = rendered(c);
    expect(clusterDrift(objects, objects.map(asServed), owned)).toEqual([]);
  });

  test('Secrets and the FluxConfig are not compared; a missing object is added, an extra one of the configuration removed, another one ignored', () => {
    const objects = rendered(config({ configurationProtectedSettings: { httpsKey: 'eA==' }, gitRepository: { url: 'https://x', httpsUser: 'u' } }));
    expect(objects.map((o) => o.kind)).toEqual(['FluxConfig', 'Secret', 'Secret', 'GitRepository', 'Kustomization', 'Kustomization']);
    const live = objects.filter((o) => o.kind === 'GitRepository' || o.metadata.name.endsWith('-apps')).map(asServed);
    const old = { ...asServed(objects[4]!), metadata: { ...objects[4]!.metadata, name: 'cluster-config-old' } };
    const stranger = { ...old, metadata: { name: 'someone-else', namespace: 'cluster-config', labels: {} } };
    expect(clusterDrift(objects, [...live, old, stranger], owned)).toEqual([
      { kind: 'Kustomization', namespace: 'cluster-config', name: 'cluster-config-infra', change: 'added', fields: [] },
      { kind: 'Kustomization', namespace: 'cluster-config', name: 'cluster-config-old', change: 'removed', fields: [] },
    ]);
  });

  test('an edit behind Azure’s back: each field, from the live value to the rendered one', () => {
    const objects = rendered();
    const live = objects.map(asServed);
    const apps = live.find((o) => o.metadata.name === 'cluster-config-apps')!;
    apps.spec = { ...apps.spec, path: './apps/production', force: true, suspend: true };
    expect(clusterDrift(objects, live, owned)).toEqual([
      {
        kind: 'Kustomization',
        namespace: 'cluster-config',
        name: 'cluster-config-apps',
        change: 'changed',
        fields: [
          { path: 'spec.force', change: 'removed', from: true },
          { path: 'spec.path', change: 'changed', from: './apps/production', to: './apps/staging' },
          { path: 'spec.suspend', change: 'changed', from: true, to: false },
        ],
      },
    ]);
  });
});
