/**
 * Names that become request path segments, with generated hostile input: every value is either
 * refused (a UsageError naming the flag, quoting the value safely) or valid by Azure's naming
 * rule for its type, and every path is built from whole, percent-encoded segments, so that no
 * value can add, remove or cut a segment.
 */
import { describe, test, expect } from '@jest/globals';
import { clusterResourcePath, extensionPath, fluxConfigPath, providerPath, SUBSCRIPTION_PLACEHOLDER } from '../../src/azure/resources.js';
import { UsageError } from '../../src/core/errors.js';
import { parseClusterFlags, parseClusterId, type ClusterRef, type ClusterType } from '../../src/model/cluster.js';
import { parseClusterName, parseExtensionName, parseResourceGroup, parseSubscriptionId } from '../../src/model/names.js';
import { parseObjectName } from '../../src/model/values.js';
import { hostileStrings, label, SEED, UNSAFE_ON_A_TERMINAL } from '../helpers/hostile.js';

const SUB = '00000000-0000-0000-0000-000000000000';

/** The rules as the README states them, written out again as the oracle. */
const RULES = {
  resourceGroup: (v: string) => [...v].length >= 1 && [...v].length <= 90 && /^[\p{L}\p{Mn}\p{Nd}_\-.()]+$/u.test(v) && !v.endsWith('.'),
  managedClusters: (v: string) => /^[a-zA-Z0-9]([-_a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/.test(v),
  connectedClusters: (v: string) => /^[a-zA-Z0-9]([-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/.test(v),
  provisionedClusters: (v: string) => /^[a-zA-Z0-9]([-_.a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$/.test(v),
  extension: (v: string) => /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/i.test(v),
  configuration: (v: string) => v.length <= 63 && v.split('.').every((l) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(l)),
};

/** Runs `fn`; returns the UsageError it throws (checked for a safe message), or undefined when it accepts. */
function refusal(fn: () => unknown, flag: string): UsageError | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    const e = err as UsageError;
    expect(e.flag).toBe(flag);
    // A quoted value is made visible and shortened: the message is one bounded line.
    expect(e.message).not.toMatch(UNSAFE_ON_A_TERMINAL);
    expect(e.message).not.toContain('\n');
    expect(e.message.length).toBeLessThan(400);
    return e;
  }
}

/** The segments of a path, decoded. */
const segments = (path: string): string[] => path.split('/').slice(1).map(decodeURIComponent);

const N = 60;

describe(`generated names (seed ${SEED})`, () => {
  const ref = (over: Partial<ClusterRef> = {}): ClusterRef => ({ resourceGroup: 'rg', clusterName: 'aks1', clusterType: 'managedClusters', clusterRp: 'Microsoft.ContainerService', ...over });

  test.each(hostileStrings({ base: 'rg-1', count: N }).map((v) => [label(v), v]))('-g %s', (_l, value) => {
    const err = refusal(() => parseResourceGroup('-g/--resource-group', value), '-g/--resource-group');
    expect(err === undefined).toBe(RULES.resourceGroup(value));
    if (!err) {
      const path = clusterResourcePath(SUB, ref({ resourceGroup: value }));
      expect(segments(path)).toEqual(['subscriptions', SUB, 'resourceGroups', value, 'providers', 'Microsoft.ContainerService', 'managedClusters', 'aks1']);
    }
  });

  test.each(
    (['managedClusters', 'connectedClusters', 'provisionedClusters'] as ClusterType[]).flatMap((type) =>
      hostileStrings({ base: 'cluster-1', count: N / 3, seed: SEED + type.length }).map((v) => [type, label(v), v] as const),
    ),
  )('-t %s -c %s', (type, _l, value) => {
    const err = refusal(() => parseClusterName('-c/--cluster-name', value, type), '-c/--cluster-name');
    expect(err === undefined).toBe(RULES[type](value));
    const flags = { resourceGroup: 'rg', clusterName: value, clusterType: type };
    if (err) refusal(() => parseClusterFlags(flags, true), '-c/--cluster-name');
    else expect(segments(clusterResourcePath(SUB, parseClusterFlags(flags, true)!)).at(-1)).toBe(value);
  });

  test.each(hostileStrings({ base: 'cluster-config', count: N }).map((v) => [label(v), v]))('configuration -n %s', (_l, value) => {
    const err = refusal(() => parseObjectName('-n/--name', value, 'configuration name'), '-n/--name');
    expect(err === undefined).toBe(RULES.configuration(value));
    if (!err) expect(segments(fluxConfigPath(SUB, ref(), value)).at(-1)).toBe(value);
  });

  test.each(hostileStrings({ base: 'flux', count: N }).map((v) => [label(v), v]))('extension -n %s', (_l, value) => {
    const err = refusal(() => parseExtensionName('-n/--name', value), '-n/--name');
    expect(err === undefined).toBe(RULES.extension(value));
    if (!err) expect(segments(extensionPath(SUB, ref(), value))).toHaveLength(12);
  });

  test.each(hostileStrings({ base: SUB, count: N / 2 }).map((v) => [label(v), v]))('--subscription %s', (_l, value) => {
    const err = refusal(() => parseSubscriptionId('--subscription', value), '--subscription');
    expect(err === undefined).toBe(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value));
  });
});

describe(`generated --cluster-id (seed ${SEED})`, () => {
  const ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1`;

  test.each(hostileStrings({ base: ID, count: N }).map((v) => [label(v), v]))('%s', (_l, value) => {
    const err = refusal(() => parseClusterId(value), '--cluster-id');
    if (err) return;
    // An id that is accepted names exactly one cluster, and its path is that id again.
    const parsed = parseClusterId(value);
    expect(clusterResourcePath(parsed.subscriptionId, parsed).toLowerCase()).toBe(value.toLowerCase());
  });

  test('the example of the issue: a # after an AKS id never reaches the path', () => {
    const err = refusal(() => parseClusterId(`${ID}#`), '--cluster-id')!;
    expect(err.message).toContain("'aks1#'");
  });
});

describe('the path builder itself', () => {
  const c: ClusterRef = { resourceGroup: 'rg', clusterName: 'aks1', clusterType: 'managedClusters', clusterRp: 'Microsoft.ContainerService' };

  test.each(['a/b', 'a?b', 'a#b', 'a\\b', '..', '.', '', 'a\nb', 'a\u202eb'])('refuses a segment %j whatever its source', (name) => {
    expect(() => fluxConfigPath(SUB, c, name)).toThrow(UsageError);
    expect(() => extensionPath(SUB, c, name)).toThrow(UsageError);
  });

  test('encodes each segment on its own', () => {
    expect(clusterResourcePath(SUB, { ...c, resourceGroup: 'rg (prod) é' })).toBe(
      `/subscriptions/${SUB}/resourceGroups/rg%20(prod)%20%C3%A9/providers/Microsoft.ContainerService/managedClusters/aks1`,
    );
  });

  test('a dry run without a subscription shows the placeholder as is', () => {
    expect(providerPath(SUBSCRIPTION_PLACEHOLDER)).toBe('/subscriptions/{subscriptionId}/providers/Microsoft.KubernetesConfiguration');
  });
});
