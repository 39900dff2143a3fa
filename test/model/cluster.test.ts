import { describe, test, expect } from '@jest/globals';
import { clusterResourcePath } from '../../src/azure/resources.js';
import { CLUSTER_RP, parseClusterFlags, parseClusterId, type ClusterFlags } from '../../src/model/cluster.js';
import { expectUsageError } from '../helpers/input.js';

const SUB = '00000000-0000-0000-0000-000000000000';

describe('-g -c -t', () => {
  test.each([
    ['managedClusters', 'managedClusters', 'Microsoft.ContainerService'],
    ['MANAGEDCLUSTERS', 'managedClusters', 'Microsoft.ContainerService'],
    ['connectedclusters', 'connectedClusters', 'Microsoft.Kubernetes'],
    ['ConnectedClusters', 'connectedClusters', 'Microsoft.Kubernetes'],
    ['provisionedClusters', 'provisionedClusters', 'Microsoft.HybridContainerService'],
    ['PROVISIONEDclusters', 'provisionedClusters', 'Microsoft.HybridContainerService'],
  ])('-t %s → %s under %s', (type, clusterType, clusterRp) => {
    expect(parseClusterFlags({ resourceGroup: 'rg-aks', clusterName: 'aks1', clusterType: type }, true)).toEqual({
      resourceGroup: 'rg-aks',
      clusterName: 'aks1',
      clusterType,
      clusterRp,
    });
  });

  test.each([
    ['managedClusters', 'Microsoft.ContainerService'],
    ['managedClusters', 'microsoft.containerservice'],
    ['connectedClusters', 'Microsoft.Kubernetes'],
    ['provisionedClusters', 'Microsoft.HybridContainerService'],
    ['provisionedClusters', 'microsoft.hybridcontainerservice'],
  ])('-t %s with the matching --cluster-rp %s', (clusterType, rp) => {
    const ref = parseClusterFlags({ resourceGroup: 'rg', clusterName: 'c', clusterType, clusterResourceProvider: rp }, true);
    expect(ref?.clusterRp).toBe(CLUSTER_RP[clusterType as keyof typeof CLUSTER_RP]);
  });

  test.each([
    ['managedClusters', 'Microsoft.Kubernetes'],
    ['connectedClusters', 'Microsoft.ContainerService'],
    ['provisionedClusters', 'Microsoft.Kubernetes'],
    ['managedClusters', 'Microsoft.Bogus'],
  ])('-t %s with --cluster-rp %s is rejected', (clusterType, rp) => {
    const err = expectUsageError(() => parseClusterFlags({ resourceGroup: 'rg', clusterName: 'c', clusterType, clusterResourceProvider: rp }, true));
    expect(err.flag).toBe('--cluster-rp');
    expect(err.message).toContain(rp);
    expect(err.remedy).toContain(CLUSTER_RP[clusterType as keyof typeof CLUSTER_RP]);
  });

  test.each([
    [{ clusterName: 'c', clusterType: 'managedClusters' }, '-g/--resource-group', ['-g/--resource-group']],
    [{ resourceGroup: 'rg', clusterType: 'managedClusters' }, '-c/--cluster-name', ['-c/--cluster-name']],
    [{ resourceGroup: 'rg', clusterName: 'c' }, '-t/--cluster-type', ['-t/--cluster-type']],
    [{ resourceGroup: 'rg' }, '-c/--cluster-name', ['-c/--cluster-name', '-t/--cluster-type']],
    [{}, '-g/--resource-group', ['-g/--resource-group', '-c/--cluster-name', '-t/--cluster-type']],
  ])('%j: every missing part is named', (flags, first, missing) => {
    const err = expectUsageError(() => parseClusterFlags(flags as ClusterFlags, true));
    expect(err.flag).toBe(first);
    for (const m of missing) expect(err.message).toContain(m);
    expect(err.remedy).toContain('--cluster-id');
  });

  test('a partly named cluster is an error even where no cluster is required', () => {
    const err = expectUsageError(() => parseClusterFlags({ clusterName: 'c' }, false));
    expect(err.message).toContain('-g/--resource-group');
    expect(err.message).toContain('-t/--cluster-type');
  });

  test('nothing given where no cluster is required gives no cluster', () => {
    expect(parseClusterFlags({}, false)).toBeUndefined();
  });

  test.each([
    ['an unknown cluster type', { resourceGroup: 'rg', clusterName: 'c', clusterType: 'appliances' }, '-t/--cluster-type', 'appliances'],
    ['a resource group with a slash', { resourceGroup: 'rg/x', clusterName: 'c', clusterType: 'managedClusters' }, '-g/--resource-group', 'rg/x'],
    ['a resource group ending in a period', { resourceGroup: 'rg.', clusterName: 'c', clusterType: 'managedClusters' }, '-g/--resource-group', 'rg.'],
    ['a resource group of 91 characters (quoted shortened)', { resourceGroup: 'r'.repeat(91), clusterName: 'c', clusterType: 'managedClusters' }, '-g/--resource-group', `${'r'.repeat(80)}…(11 more characters)`],
    ['a cluster name with a slash', { resourceGroup: 'rg', clusterName: 'a/b', clusterType: 'managedClusters' }, '-c/--cluster-name', 'a/b'],
    ['a cluster name with a question mark', { resourceGroup: 'rg', clusterName: 'a?b', clusterType: 'managedClusters' }, '-c/--cluster-name', 'a?b'],
  ])('%s is rejected', (_why, flags, flag, value) => {
    const err = expectUsageError(() => parseClusterFlags(flags, true));
    expect(err.flag).toBe(flag);
    expect(err.message).toContain(value);
  });

  test('an unknown cluster type is answered with the known ones', () => {
    const err = expectUsageError(() => parseClusterFlags({ resourceGroup: 'rg', clusterName: 'c', clusterType: 'fleets' }, true));
    expect(err.remedy).toContain('managedClusters');
    expect(err.remedy).toContain('connectedClusters');
    expect(err.remedy).toContain('provisionedClusters');
  });

  test('resource group names may hold periods, parentheses, underscores and hyphens', () => {
    expect(parseClusterFlags({ resourceGroup: 'My_RG-(1).x', clusterName: 'c', clusterType: 'managedClusters' }, true)?.resourceGroup).toBe('My_RG-(1).x');
  });
});

describe('--cluster-id', () => {
  test.each([
    ['Microsoft.ContainerService', 'managedClusters'],
    ['Microsoft.Kubernetes', 'connectedClusters'],
    ['Microsoft.HybridContainerService', 'provisionedClusters'],
  ])('%s/%s', (rp, type) => {
    const id = `/subscriptions/${SUB}/resourceGroups/rg-1/providers/${rp}/${type}/cluster-1`;
    const expected = { subscriptionId: SUB, resourceGroup: 'rg-1', clusterName: 'cluster-1', clusterType: type, clusterRp: rp };
    expect(parseClusterId(id)).toEqual(expected);
    expect(parseClusterFlags({ clusterId: id }, true)).toEqual(expected);
    expect(parseClusterFlags({ clusterId: id }, false)).toEqual(expected);
  });

  test('fixed words in any letter case', () => {
    expect(parseClusterId(`/SUBSCRIPTIONS/${SUB}/resourcegroups/RG/PROVIDERS/microsoft.kubernetes/CONNECTEDCLUSTERS/Arc1`)).toEqual({
      subscriptionId: SUB,
      resourceGroup: 'RG',
      clusterName: 'Arc1',
      clusterType: 'connectedClusters',
      clusterRp: 'Microsoft.Kubernetes',
    });
  });

  test.each([
    ['Microsoft.Kubernetes', 'managedClusters'],
    ['Microsoft.ContainerService', 'connectedClusters'],
    ['Microsoft.ContainerService', 'provisionedClusters'],
  ])('a mismatched resource provider %s/%s is rejected', (rp, type) => {
    const err = expectUsageError(() => parseClusterId(`/subscriptions/${SUB}/resourceGroups/rg/providers/${rp}/${type}/c`));
    expect(err.flag).toBe('--cluster-id');
    expect(err.message).toContain(`${rp}/${type}`);
  });

  test.each([
    ['an unknown type', `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ResourceConnector/appliances/c`, 'appliances'],
    ['a resource group id', `/subscriptions/${SUB}/resourceGroups/rg`, 'rg'],
    ['a child resource id', `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c/providers/Microsoft.KubernetesConfiguration/extensions/flux`, 'extensions/flux'],
    ['a bare name', 'aks1', 'aks1'],
    ['an id without a leading slash', `subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c`, 'subscriptions/'],
    ['a trailing slash', `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c/`, 'goes on after the cluster name'],
    ['surrounding spaces', ` /subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c `, 'not a cluster resource id'],
    ['a trailing newline', `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c\n`, 'c\\n'],
    ['a fragment after the name', `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c#`, "'c#'"],
    ['a query after the name', `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c?x=1`, "'c?x=1'"],
    ['a subscription that is not a GUID', `/subscriptions/my-sub/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c`, 'my-sub'],
    ['a resource group ending in a period', `/subscriptions/${SUB}/resourceGroups/rg./providers/Microsoft.ContainerService/managedClusters/c`, 'rg.'],
    ['a percent-escape', `/subscriptions/${SUB}/resourceGroups/rg%2Fx/providers/Microsoft.ContainerService/managedClusters/c`, 'rg%2Fx'],
    ['a dot-dot segment', `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/..`, "'..'"],
  ])('%s is rejected', (_why, id, mentions) => {
    const err = expectUsageError(() => parseClusterId(id));
    expect(err.flag).toBe('--cluster-id');
    expect(err.message).toContain(mentions);
  });

  test.each([
    [{ resourceGroup: 'rg' }],
    [{ clusterName: 'c' }],
    [{ clusterType: 'managedClusters' }],
    [{ resourceGroup: 'rg', clusterName: 'c', clusterType: 'managedClusters' }],
  ])('--cluster-id with %j is rejected', (flags) => {
    const id = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c`;
    const err = expectUsageError(() => parseClusterFlags({ clusterId: id, ...flags }, true));
    expect(err.flag).toBe('--cluster-id');
    expect(err.message).toContain('-g/--resource-group');
  });
});

describe('clusterResourcePath', () => {
  test.each([
    ['managedClusters', 'Microsoft.ContainerService'],
    ['connectedClusters', 'Microsoft.Kubernetes'],
    ['provisionedClusters', 'Microsoft.HybridContainerService'],
  ])('%s', (type, rp) => {
    const ref = parseClusterFlags({ resourceGroup: 'rg', clusterName: 'c1', clusterType: type }, true)!;
    const path = clusterResourcePath(SUB, ref);
    expect(path).toBe(`/subscriptions/${SUB}/resourceGroups/rg/providers/${rp}/${type}/c1`);
    expect(parseClusterId(path)).toEqual({ ...ref, subscriptionId: SUB });
  });
});
