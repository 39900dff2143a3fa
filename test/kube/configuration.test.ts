/**
 * A configuration among a cluster's Flux objects: found by Azure's labels, its Kustomizations in
 * dependency order (chains, diamonds, cycles, dependencies outside it), its source through their
 * sourceRef, and a name found in two namespaces refused without --namespace.
 */
import { describe, expect, test } from '@jest/globals';
import type { KubeFluxObject } from '../../src/kube/access.js';
import { dependencyOrder, findConfiguration } from '../../src/kube/configuration.js';
import { UsageError } from '../../src/core/errors.js';

function obj(kind: string, name: string, namespace = 'cfg', extra: { deps?: string[]; config?: string; sourceRef?: unknown } = {}): KubeFluxObject {
  const labels = extra.config ? { 'clusterconfig.azure.com/name': extra.config, 'clusterconfig.azure.com/namespace': namespace } : undefined;
  return {
    kind,
    metadata: { name, namespace, ...(labels ? { labels } : {}) },
    spec: { ...(extra.deps ? { dependsOn: extra.deps.map((d) => ({ name: d })) } : {}), ...(extra.sourceRef ? { sourceRef: extra.sourceRef } : {}) },
  };
}

const names = (list: KubeFluxObject[]): string[] => list.map((o) => o.metadata.name);

describe('dependencyOrder', () => {
  test('dependencies first, ties by name; unknown dependencies ignored; a cycle last', () => {
    expect(names(dependencyOrder([obj('Kustomization', 'apps', 'cfg', { deps: ['infra'] }), obj('Kustomization', 'infra')]))).toEqual(['infra', 'apps']);
    const diamond = [obj('Kustomization', 'd', 'cfg', { deps: ['b', 'c'] }), obj('Kustomization', 'c', 'cfg', { deps: ['a'] }), obj('Kustomization', 'b', 'cfg', { deps: ['a', 'elsewhere'] }), obj('Kustomization', 'a')];
    expect(names(dependencyOrder(diamond))).toEqual(['a', 'b', 'c', 'd']);
    const cycle = [obj('Kustomization', 'x', 'cfg', { deps: ['y'] }), obj('Kustomization', 'y', 'cfg', { deps: ['x'] }), obj('Kustomization', 'z')];
    expect(names(dependencyOrder(cycle))).toEqual(['z', 'x', 'y']);
  });

  test('generated chains come out in order whatever order they go in', () => {
    for (let n = 1; n <= 8; n++) {
      const chain = Array.from({ length: n }, (_, i) => obj('Kustomization', `k${i}`, 'cfg', i > 0 ? { deps: [`k${i - 1}`] } : {}));
      const shuffled = [...chain].sort((a, b) => (a.metadata.name.charCodeAt(1) * 7919) % 13 - (b.metadata.name.charCodeAt(1) * 7919) % 13);
      expect(names(dependencyOrder(shuffled))).toEqual(names(chain));
    }
  });
});

describe('findConfiguration', () => {
  const sourceRef = { kind: 'GitRepository', name: 'cluster-config', namespace: 'cluster-config' };
  const objects = [
    obj('GitRepository', 'cluster-config', 'cluster-config'),
    obj('Kustomization', 'cluster-config-apps', 'cluster-config', { config: 'cluster-config', deps: ['cluster-config-infra'], sourceRef }),
    obj('Kustomization', 'cluster-config-infra', 'cluster-config', { config: 'cluster-config', sourceRef }),
    obj('HelmRelease', 'podinfo', 'cluster-config'),
  ];

  test('its Kustomizations in order and its source (found by sourceRef, labelled or not)', () => {
    const found = findConfiguration(objects, 'cluster-config')!;
    expect(found.namespace).toBe('cluster-config');
    expect(names(found.kustomizations)).toEqual(['cluster-config-infra', 'cluster-config-apps']);
    expect(found.source?.kind).toBe('GitRepository');
    expect(findConfiguration(objects, 'other')).toBeUndefined();
    expect(findConfiguration(objects, 'cluster-config', 'elsewhere')).toBeUndefined();
  });

  test('the same name in two namespaces: a usage error naming them, unless --namespace picks one', () => {
    const twice = [...objects, obj('Kustomization', 'cluster-config-x', 'team-b', { config: 'cluster-config' })];
    expect(() => findConfiguration(twice, 'cluster-config')).toThrow(UsageError);
    expect(() => findConfiguration(twice, 'cluster-config')).toThrow("--namespace: the cluster has a configuration 'cluster-config' in the namespaces cluster-config, team-b.");
    expect(names(findConfiguration(twice, 'cluster-config', 'team-b')!.kustomizations)).toEqual(['cluster-config-x']);
  });
});
