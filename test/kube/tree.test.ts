/**
 * Inventories and trees: ids as kustomize-controller writes them (generated round trips, RBAC
 * names with ':'), nested Kustomizations expanded (and never twice round a cycle), HelmReleases
 * expanded from their inventory or described by their release, readiness on Flux kinds, and the
 * drawing `flux tree` makes.
 */
import { describe, expect, test } from '@jest/globals';
import type { KubeFluxObject } from '../../src/kube/access.js';
import { drawTree, kustomizationTree, parseInventoryEntry } from '../../src/kube/tree.js';

const entry = (ns: string, name: string, group: string, kind: string, v = 'v1'): { id: string; v: string } => ({
  id: `${ns}_${['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding'].includes(kind) ? name.replace(/:/g, '__') : name}_${group}_${kind}`,
  v,
});

const ready = { conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'Applied revision: main@sha1:abc', observedGeneration: 1 }], observedGeneration: 1 };
const failed = { conditions: [{ type: 'Ready', status: 'False', reason: 'BuildFailed', message: 'boom', observedGeneration: 1 }], observedGeneration: 1 };

function ks(name: string, entries: { id: string; v: string }[] | undefined, extra: Partial<KubeFluxObject> = {}, status: Record<string, unknown> = ready): KubeFluxObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: 'flux', generation: 1 },
    spec: { path: './x', ...(extra.spec ?? {}) },
    status: { ...status, ...(entries ? { inventory: { entries } } : {}) },
  };
}

function hr(name: string, status: Record<string, unknown>): KubeFluxObject {
  return { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name, namespace: 'flux', generation: 1 }, spec: {}, status: { ...ready, ...status } };
}

function lookupOf(objects: KubeFluxObject[]): (kind: string, ns: string, name: string) => KubeFluxObject | undefined {
  return (kind, ns, name) => objects.find((o) => o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name);
}

describe('parseInventoryEntry', () => {
  test('examples from kustomize-controller: cluster-scoped, core group, Flux kinds, RBAC names', () => {
    expect(parseInventoryEntry('_nginx__Namespace', 'v1')).toEqual({ kind: 'Namespace', group: '', version: 'v1', namespace: '', name: 'nginx' });
    expect(parseInventoryEntry('cluster-config_redis-values-t6g27h2d4h__ConfigMap', 'v1')).toEqual({ kind: 'ConfigMap', group: '', version: 'v1', namespace: 'cluster-config', name: 'redis-values-t6g27h2d4h' });
    expect(parseInventoryEntry('flux_podinfo_helm.toolkit.fluxcd.io_HelmRelease', 'v2')).toEqual({ kind: 'HelmRelease', group: 'helm.toolkit.fluxcd.io', version: 'v2', namespace: 'flux', name: 'podinfo' });
    expect(parseInventoryEntry('_system__aggregate-to-admin_rbac.authorization.k8s.io_ClusterRole', 'v1')?.name).toBe('system:aggregate-to-admin');
    for (const bad of ['', 'nounderscore', '_only', 'ns__Kind']) expect(parseInventoryEntry(bad, 'v1')).toBeUndefined();
  });

  test('generated ids parse back to what made them', () => {
    const names = ['a', 'app-1', 'x.y.z', 'system:controller:job', 'very-long-name-'.repeat(4) + 'end'];
    const groups = ['', 'apps', 'rbac.authorization.k8s.io', 'kustomize.toolkit.fluxcd.io'];
    const kinds = ['Deployment', 'ClusterRole', 'RoleBinding', 'Kustomization', 'Namespace'];
    for (const ns of ['', 'default', 'cluster-config']) {
      for (const name of names) {
        for (const group of groups) {
          for (const kind of kinds) {
            if (name.includes(':') && !['ClusterRole', 'RoleBinding'].includes(kind)) continue;
            const e = entry(ns, name, group, kind);
            expect(parseInventoryEntry(e.id, e.v)).toEqual({ kind, group, version: 'v1', namespace: ns, name });
          }
        }
      }
    }
  });
});

describe('kustomizationTree', () => {
  test('nested Kustomizations expand; a HelmRelease with an inventory expands, one without is described by its release', () => {
    const infra = ks('infra', [
      entry('', 'nginx', '', 'Namespace'),
      entry('flux', 'infra', 'kustomize.toolkit.fluxcd.io', 'Kustomization'), // its own entry: skipped
      entry('flux', 'nested', 'kustomize.toolkit.fluxcd.io', 'Kustomization'),
      entry('flux', 'nginx', 'helm.toolkit.fluxcd.io', 'HelmRelease', 'v2'),
    ]);
    const nested = ks('nested', [entry('flux', 'redis', 'helm.toolkit.fluxcd.io', 'HelmRelease', 'v2'), entry('flux', 'gone', 'source.toolkit.fluxcd.io', 'HelmRepository')], {}, failed);
    const nginx = hr('nginx', { inventory: { entries: [entry('nginx', 'ingress', 'apps', 'Deployment'), entry('nginx', 'ingress', '', 'Service')] } });
    const redis = hr('redis', { history: [{ name: 'redis-redis', namespace: 'redis', version: 3, chartName: 'redis', chartVersion: '17.17.1', status: 'deployed' }] });
    const tree = kustomizationTree(infra, lookupOf([infra, nested, nginx, redis]));
    expect(drawTree(tree, (n) => [n.state, n.reason && n.state !== 'Ready' ? n.reason : '', n.release ? `release ${n.release.namespace}/${n.release.name} v${n.release.revision}` : '', n.note ? `[${n.note}]` : ''].filter(Boolean).join(' '))).toEqual([
      'Kustomization/flux/infra  Ready',
      '├── Namespace/nginx',
      '├── Kustomization/flux/nested  Failed BuildFailed',
      '│   ├── HelmRelease/flux/redis  Ready release redis/redis-redis v3 [no inventory: installed as a Helm release]',
      '│   └── HelmRepository/flux/gone  [not found in the cluster]',
      '└── HelmRelease/flux/nginx  Ready',
      '    ├── Deployment/nginx/ingress',
      '    └── Service/nginx/ingress',
    ]);
    expect(tree.children[1]).toMatchObject({ kind: 'Kustomization', apiVersion: 'kustomize.toolkit.fluxcd.io/v1', ready: 'False', state: 'Failed', reason: 'BuildFailed' });
    expect(tree.children[0]).toEqual({ kind: 'Namespace', namespace: '', name: 'nginx', apiVersion: 'v1', children: [] });
  });

  test('a cycle of Kustomizations is drawn once round; one applying to another cluster is not looked up here; nothing applied is said', () => {
    const a = ks('a', [entry('flux', 'b', 'kustomize.toolkit.fluxcd.io', 'Kustomization')]);
    const b = ks('b', [entry('flux', 'a', 'kustomize.toolkit.fluxcd.io', 'Kustomization')]);
    const tree = kustomizationTree(a, lookupOf([a, b]));
    expect(tree.children[0]!.children[0]!.children).toEqual([]); // a again, not expanded

    const remote = ks('remote', [entry('flux', 'b', 'kustomize.toolkit.fluxcd.io', 'Kustomization')], { spec: { kubeConfig: { secretRef: { name: 'kc' } } } });
    expect(kustomizationTree(remote, lookupOf([remote, b])).children[0]).toMatchObject({ name: 'b', note: 'in the cluster its Kustomization applies to' });

    expect(kustomizationTree(ks('empty', []), lookupOf([])).note).toBe('applied nothing');
    expect(kustomizationTree(ks('new', undefined, {}, {}), lookupOf([])).note).toBe('nothing applied yet');
  });
});
