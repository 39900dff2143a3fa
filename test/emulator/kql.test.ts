/**
 * The Kusto subset of the emulated Resource Graph, run on small tables: each operator and
 * function the fleet queries and Microsoft's samples use, Kusto's naming of projected columns,
 * and the errors for what is unknown or unsupported.
 */
import { describe, expect, test } from '@jest/globals';
import { KqlError, parseQuery, runQuery, type Row, type Table } from '../../emulator/graph/kql.js';
import { kqlString } from '../../src/fleet/query.js';

const clusters: Row[] = [
  { id: '/subscriptions/s1/resourceGroups/RG/providers/Microsoft.Kubernetes/connectedClusters/a', name: 'a', type: 'microsoft.kubernetes/connectedclusters', resourceGroup: 'rg', subscriptionId: 's1', tags: { env: 'prod' }, properties: { connectivityStatus: 'Connected' } },
  { id: '/subscriptions/s1/resourceGroups/RG/providers/Microsoft.Kubernetes/connectedClusters/b', name: 'b', type: 'microsoft.kubernetes/connectedclusters', resourceGroup: 'rg', subscriptionId: 's1', tags: { env: 'dev' }, properties: { connectivityStatus: 'Offline' } },
  { id: '/subscriptions/s2/resourceGroups/other/providers/Microsoft.ContainerService/managedClusters/c', name: 'c', type: 'microsoft.containerservice/managedclusters', resourceGroup: 'other', subscriptionId: 's2', tags: {}, properties: {} },
];
const kcr: Row[] = [
  { id: `${clusters[0]!.id}/providers/Microsoft.KubernetesConfiguration/extensions/flux`, name: 'flux', type: 'microsoft.kubernetesconfiguration/extensions', resourceGroup: 'rg', subscriptionId: 's1', properties: { ExtensionType: 'microsoft.flux', ProvisioningState: 'Succeeded' } },
  { id: `${clusters[0]!.id}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/cfg`, name: 'cfg', type: 'microsoft.kubernetesconfiguration/fluxconfigurations', resourceGroup: 'rg', subscriptionId: 's1', properties: { complianceState: 'Compliant' } },
  { id: `${clusters[2]!.id}/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/cfg`, name: 'cfg', type: 'microsoft.kubernetesconfiguration/fluxconfigurations', resourceGroup: 'other', subscriptionId: 's2', properties: { complianceState: 'Non-Compliant' } },
];
const COLUMNS = ['id', 'name', 'type', 'resourceGroup', 'subscriptionId', 'tags', 'properties'];

function source(name: string): Table {
  const key = name.toLowerCase();
  if (key === 'resources') return { columns: COLUMNS, rows: clusters };
  if (key === 'kubernetesconfigurationresources') return { columns: COLUMNS, rows: kcr };
  throw new KqlError(`no table ${name}`, 0);
}

const run = (q: string): Row[] => runQuery(parseQuery(q), source).rows;

describe('operators', () => {
  test('where with ==, =~, in~, !in, and/or, and member and index access', () => {
    expect(run("Resources | where type =~ 'Microsoft.Kubernetes/connectedClusters' | project name").map((r) => r.name)).toEqual(['a', 'b']);
    expect(run("Resources | where tostring(tags['env']) in~ ('PROD', 'staging') | project name")).toEqual([{ name: 'a' }]);
    expect(run("Resources | where name !in ('a', 'b') | project name")).toEqual([{ name: 'c' }]);
    expect(run("Resources | where properties.connectivityStatus == 'Offline' or name == 'c' | project name").map((r) => r.name)).toEqual(['b', 'c']);
    expect(run("Resources | where tags.env == 'prod' and resourceGroup == 'rg' | count")).toEqual([{ Count: 1 }]);
  });

  test('comparisons with null are false; isempty and coalesce see missing properties', () => {
    expect(run("Resources | where properties.connectivityStatus != 'Connected' | project name")).toEqual([{ name: 'b' }]);
    expect(run('Resources | where isempty(properties.connectivityStatus) | project name')).toEqual([{ name: 'c' }]);
    expect(run("Resources | extend s = coalesce(properties.connectivityStatus, 'n/a') | project name, s").map((r) => r.s)).toEqual(['Connected', 'Offline', 'n/a']);
  });

  test('project names paths as Kusto does; extend adds; project-away removes; order by and take', () => {
    expect(run('Resources | project name, properties.connectivityStatus | take 1')).toEqual([{ name: 'a', properties_connectivityStatus: 'Connected' }]);
    expect(run('Resources | extend n = strlen(name) | project-away tags, properties, id, type, resourceGroup, subscriptionId | order by name desc')).toEqual([
      { name: 'c', n: 1 },
      { name: 'b', n: 1 },
      { name: 'a', n: 1 },
    ]);
    expect(run('Resources | order by name asc | project name').map((r) => r.name)).toEqual(['a', 'b', 'c']);
    expect(parseQuery('Resources | take 2').limited).toBe(true);
  });

  test('summarize count() by an expression, countif, dcount, make_set', () => {
    expect(run('Resources | summarize count() by tostring(properties.connectivityStatus) | order by properties_connectivityStatus asc')).toEqual([
      { properties_connectivityStatus: '', count_: 1 },
      { properties_connectivityStatus: 'Connected', count_: 1 },
      { properties_connectivityStatus: 'Offline', count_: 1 },
    ]);
    expect(run("Resources | summarize n = count(), arc = countif(type has 'connectedclusters'), groups = dcount(resourceGroup), subs = make_set(subscriptionId)")).toEqual([{ n: 3, arc: 2, groups: 2, subs: ['s1', 's2'] }]);
  });

  test("parse extracts the cluster id of a child resource, as Microsoft's samples do", () => {
    const rows = run("KubernetesConfigurationResources | parse tolower(id) with clusterId '/providers/microsoft.kubernetesconfiguration/' * | project clusterId");
    expect(rows[0]!.clusterId).toBe(String(clusters[0]!.id).toLowerCase());
  });

  test('join leftouter keeps every left row; inner only matches; innerunique takes each left key once', () => {
    const right = "(KubernetesConfigurationResources | where type =~ 'microsoft.kubernetesconfiguration/fluxconfigurations' | parse tolower(id) with clusterId '/providers/microsoft.kubernetesconfiguration/' * | project clusterId, state = tostring(properties.complianceState))";
    const left = 'Resources | extend clusterId = tolower(id)';
    expect(run(`${left} | join kind=leftouter ${right} on clusterId | project name, state`)).toEqual([
      { name: 'a', state: 'Compliant' },
      { name: 'b', state: null },
      { name: 'c', state: 'Non-Compliant' },
    ]);
    expect(run(`${left} | join kind=inner ${right} on clusterId | project name`).map((r) => r.name)).toEqual(['a', 'c']);
    expect(run(`${left} | join kind=leftanti ${right} on $left.clusterId == $right.clusterId | project name`)).toEqual([{ name: 'b' }]);
    expect(run(`${left} | join ${right} on clusterId | project name, clusterId1`).map((r) => r.name)).toEqual(['a', 'c']);
  });

  test('iff and dynamic(null)', () => {
    expect(run("KubernetesConfigurationResources | where name == 'cfg' | project s = iff(tostring(properties.complianceState) == 'Compliant', dynamic(null), properties.complianceState)").map((r) => r.s)).toEqual([null, 'Non-Compliant']);
  });
});

describe('errors say what is wrong', () => {
  test.each([
    ['an unknown column', 'Resources | where nmae == "a"', /Failed to resolve scalar expression named 'nmae'/],
    ['an unsupported operator', 'Resources | mv-expand tags', /operator 'mv' is not supported/],
    ['an unsupported function', 'Resources | where now() > 1', /function 'now' is not supported/],
    ['an unterminated string', "Resources | where name == 'a", /unterminated string/],
    ['a missing pipe', 'Resources where name == 1', /unexpected 'where'/],
    ['an unknown join kind', 'Resources | join kind=fullouter (Resources) on id', /join kind 'fullouter' is not supported/],
  ])('%s', (_label, query, message) => {
    expect(() => run(query)).toThrow(KqlError);
    expect(() => run(query)).toThrow(message);
  });
});

describe('string literals made by the CLI survive the tokenizer', () => {
  // Every character a tag value may hold, quotes and backslashes included.
  const samples = ["o'brien", 'back\\slash', 'both \\\'', "'", '\\', 'tab\there', 'ünïcödé', 'a"b', '', 'x'.repeat(256)];
  test.each(samples)('%j', (value) => {
    const rows = runQuery(parseQuery(`Resources | take 1 | project v = ${kqlString(value)}`), source).rows;
    expect(rows).toEqual([{ v: value }]);
  });

  test('generated values', () => {
    let seed = 42;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 200; i++) {
      const value = Array.from({ length: next() % 20 }, () => String.fromCharCode(32 + (next() % 95))).join('');
      expect(runQuery(parseQuery(`Resources | take 1 | project v = ${kqlString(value)}`), source).rows).toEqual([{ v: value }]);
    }
  });
});
