/**
 * `flux kustomization create|update|show|list|delete` (each a PATCH of the parent configuration)
 * and `flux deployed-object list|show` (the objects the configuration reports), against the
 * emulator, including a kustomization that fails to build.
 */
import { describe, test, expect, beforeAll, beforeEach } from '@jest/globals';
import { useE2E, AKS, FLUX_API_VERSION, ON_AKS, errors, expectValidArmBodies, fluxConfigUrl, summary, tableRows, writes } from './helpers.js';

// One emulator for the file; every PUT and PATCH body it receives is checked against the swagger.
const e2e = useE2E();

const CONFIG = [...ON_AKS, '-n', 'cluster-config'];
const KUSTOMIZATION = ['flux', 'kustomization'];
const DEPLOYED = ['flux', 'deployed-object'];

async function withTutorial(compliant = false): Promise<void> {
  await e2e.reset({ extension: { aks1: 'installed' } });
  await e2e.putTutorial(undefined, { compliant });
  await e2e.clearRequests();
}

/** The one PATCH the command sent, checked against the swagger. */
async function onePatch(): Promise<unknown> {
  const log = await e2e.requests();
  const w = writes(log);
  expect(summary(w)).toEqual(['PATCH fluxConfigurations/cluster-config']);
  expect(w[0]!.query['api-version']).toBe(FLUX_API_VERSION);
  expect(expectValidArmBodies(log)).toBe(1);
  return w[0]!.body;
}

describe('flux kustomization create', () => {
  beforeEach(() => withTutorial());

  test('adds one kustomization with a PATCH of just that kustomization', async () => {
    const run = e2e.cli([...KUSTOMIZATION, 'create', ...CONFIG, '-k', 'monitoring', '--path', './monitoring', '--depends-on', 'infra', '--interval', '5m', '--prune',
      '--substitute', 'cluster_env=prod', '--substitute-from', 'ConfigMap/cluster-vars']);
    expect(run.status).toBe(0);
    expect(errors(run.stderr)).toEqual([]);
    expect(run.stderr).toContain("Added kustomization 'monitoring'");
    const config = run.json();
    expect(config).toMatchObject({ name: 'cluster-config', resourceGroup: 'rg' });
    expect(Object.keys(config.kustomizations).sort()).toEqual(['apps', 'infra', 'monitoring']);
    expect(config.kustomizations.monitoring).toMatchObject({ path: './monitoring', dependsOn: ['infra'], syncIntervalInSeconds: 300, prune: true });
    expect(await onePatch()).toEqual({
      properties: {
        kustomizations: {
          monitoring: {
            path: './monitoring',
            dependsOn: ['infra'],
            syncIntervalInSeconds: 300,
            prune: true,
            postBuild: { substitute: { cluster_env: 'prod' }, substituteFrom: [{ kind: 'ConfigMap', name: 'cluster-vars' }] },
          },
        },
      },
    });
  });

  test('refuses a name that exists (exit 1, no PATCH)', async () => {
    const run = e2e.cli([...KUSTOMIZATION, 'create', ...CONFIG, '-k', 'apps', '--path', './elsewhere']);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual(["ERROR: kustomization 'apps' already exists in Flux configuration 'cluster-config'; create does not change it."]);
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('in a missing configuration exits 3', async () => {
    const run = e2e.cli([...KUSTOMIZATION, 'create', ...ON_AKS, '-n', 'nope', '-k', 'apps', '--path', './apps']);
    expect(run.status).toBe(3);
    expect(errors(run.stderr)).toEqual([expect.stringContaining("Flux configuration 'nope' does not exist on cluster 'aks1'")]);
    expect(writes(await e2e.requests())).toEqual([]);
  });
});

describe('flux kustomization update', () => {
  beforeEach(() => withTutorial());

  test('sends only the changed fields', async () => {
    const run = e2e.cli([...KUSTOMIZATION, 'update', ...CONFIG, '-k', 'apps', '--path', './apps/production', '--interval', '5m']);
    expect(run.status).toBe(0);
    expect(run.json().kustomizations.apps).toMatchObject({ path: './apps/production', syncIntervalInSeconds: 300, prune: true, dependsOn: ['infra'] });
    expect(await onePatch()).toEqual({ properties: { kustomizations: { apps: { path: './apps/production', syncIntervalInSeconds: 300 } } } });
  });

  test("--prune false --depends-on '' turn pruning off and drop the dependencies", async () => {
    const run = e2e.cli([...KUSTOMIZATION, 'update', ...CONFIG, '-k', 'apps', '--prune', 'false', '--depends-on', '']);
    expect(run.status).toBe(0);
    expect(run.json().kustomizations.apps).toMatchObject({ prune: false, dependsOn: [] });
    expect(await onePatch()).toEqual({ properties: { kustomizations: { apps: { prune: false, dependsOn: null } } } });
  });

  test('--disable-health-check sends wait: false', async () => {
    const run = e2e.cli([...KUSTOMIZATION, 'update', ...CONFIG, '-k', 'infra', '--disable-health-check', '-o', 'none']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(await onePatch()).toEqual({ properties: { kustomizations: { infra: { wait: false } } } });
  });

  test('refuses an empty change (exit 2, no PATCH)', async () => {
    const run = e2e.cli([...KUSTOMIZATION, 'update', ...CONFIG, '-k', 'infra']);
    expect(run.status).toBe(2);
    expect(errors(run.stderr)).toEqual(["ERROR: nothing to change: no field of kustomization 'infra' was given."]);
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('of a missing kustomization exits 3 and lists the ones there are', async () => {
    const run = e2e.cli([...KUSTOMIZATION, 'update', ...CONFIG, '-k', 'nope', '--path', './x']);
    expect(run.status).toBe(3);
    expect(errors(run.stderr)).toEqual(["ERROR: kustomization 'nope' does not exist in Flux configuration 'cluster-config' on cluster 'aks1' (it has: infra, apps)."]);
    expect(writes(await e2e.requests())).toEqual([]);
  });
});

describe('flux kustomization show, list and delete', () => {
  beforeEach(() => withTutorial());

  test('show and list: JSON keyed by name, a table; a missing one exits 3', async () => {
    // The --query forms are the help examples, run by help-examples.test.ts.
    const [show, list, table, missing] = await Promise.all([
      e2e.cliAsync([...KUSTOMIZATION, 'show', ...CONFIG, '-k', 'apps']),
      e2e.cliAsync([...KUSTOMIZATION, 'list', ...CONFIG]),
      e2e.cliAsync([...KUSTOMIZATION, 'list', ...CONFIG, '-o', 'table']),
      e2e.cliAsync([...KUSTOMIZATION, 'show', ...CONFIG, '-k', 'nope']),
    ]);
    expect(show.status).toBe(0);
    expect(show.json()).toEqual({ apps: expect.objectContaining({ name: 'apps', path: './apps/staging', dependsOn: ['infra'], prune: true }) });
    expect(list.status).toBe(0);
    expect(Object.keys(list.json())).toEqual(['infra', 'apps']);
    expect(list.json().infra).toMatchObject({ path: './infrastructure', prune: true, dependsOn: [] });
    const { header, rows } = tableRows(table.stdout);
    expect(header).toEqual(['Name', 'Path', 'DependsOn', 'SyncInterval', 'Timeout', 'Prune', 'Force']);
    expect(rows).toEqual([
      ['infra', './infrastructure', '', '10m0s', '10m0s', 'True', 'False'],
      ['apps', './apps/staging', 'infra', '10m0s', '10m0s', 'True', 'False'],
    ]);
    expect(missing.status).toBe(3);
    expect(missing.stdout).toBe('');
    expect(errors(missing.stderr)).toEqual([expect.stringContaining("kustomization 'nope' does not exist in Flux configuration 'cluster-config'")]);
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('delete needs --yes without a terminal (exit 2, no PATCH)', async () => {
    const run = e2e.cli([...KUSTOMIZATION, 'delete', ...CONFIG, '-k', 'apps']);
    expect(run.status).toBe(2);
    expect(errors(run.stderr)).toEqual([expect.stringMatching(/no terminal to ask on, so nothing was done/)]);
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('delete --yes removes it with a PATCH setting it to null', async () => {
    const run = e2e.cli([...KUSTOMIZATION, 'delete', ...CONFIG, '-k', 'apps', '--yes']);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("Deleted kustomization 'apps' of 'cluster-config'.");
    expect(await onePatch()).toEqual({ properties: { kustomizations: { apps: null } } });
    const list = e2e.cli([...KUSTOMIZATION, 'list', ...CONFIG, '--query', 'keys(@)']);
    expect(list.json()).toEqual(['infra']);
  });

  test('delete of a kustomization another depends on is refused (exit 2, no PATCH)', async () => {
    const run = e2e.cli([...KUSTOMIZATION, 'delete', ...CONFIG, '-k', 'infra', '--yes']);
    expect(run.status).toBe(2);
    expect(errors(run.stderr)).toEqual([expect.stringContaining("kustomization 'apps' of 'cluster-config' depends on 'infra'; nothing was deleted.")]);
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('delete of a missing kustomization exits 3', async () => {
    const run = e2e.cli([...KUSTOMIZATION, 'delete', ...CONFIG, '-k', 'nope', '--yes']);
    expect(run.status).toBe(3);
    expect(writes(await e2e.requests())).toEqual([]);
  });
});

describe('flux deployed-object', () => {
  beforeAll(() => withTutorial(true));

  test('list and show what the configuration reports', async () => {
    const [list, table, source, missingObject, missingConfig] = await Promise.all([
      e2e.cliAsync([...DEPLOYED, 'list', ...CONFIG]),
      e2e.cliAsync([...DEPLOYED, 'list', ...CONFIG, '-o', 'table']),
      e2e.cliAsync([...DEPLOYED, 'show', ...CONFIG, '--object-kind', 'GitRepository', '--object-namespace', 'cluster-config', '--object-name', 'cluster-config']),
      e2e.cliAsync([...DEPLOYED, 'show', ...CONFIG, '--object-kind', 'Kustomization', '--object-namespace', 'cluster-config', '--object-name', 'nope']),
      e2e.cliAsync([...DEPLOYED, 'list', ...ON_AKS, '-n', 'nope']),
    ]);
    expect(list.status).toBe(0);
    const objects = (list.json() as Array<{ kind: string; name: string; complianceState: string }>).map((o) => `${o.kind}/${o.name}`);
    expect(objects).toEqual(expect.arrayContaining(['GitRepository/cluster-config', 'Kustomization/cluster-config-infra', 'Kustomization/cluster-config-apps', 'HelmRelease/podinfo']));

    const { header, rows } = tableRows(table.stdout);
    expect(header).toEqual(['Kind', 'Namespace', 'Name', 'ComplianceState', 'Message']);
    expect(rows.length).toBe(objects.length);
    expect(rows).toContainEqual(['Kustomization', 'cluster-config', 'cluster-config-apps', 'Compliant', expect.stringMatching(/^Applied revision: main@sha1:/)]);

    expect((list.json() as Array<{ complianceState: string }>).every((o) => o.complianceState === 'Compliant')).toBe(true);
    expect(source.status).toBe(0);
    expect(source.json()).toMatchObject({ kind: 'GitRepository', name: 'cluster-config', namespace: 'cluster-config', complianceState: 'Compliant' });
    expect(source.json().statusConditions[0].message).toMatch(/^stored artifact for revision 'main@sha1:[0-9a-f]{40}'$/);
    expect(missingObject.status).toBe(3);
    expect(errors(missingObject.stderr)).toEqual(["ERROR: Flux configuration 'cluster-config' on cluster 'aks1' reports no Kustomization 'nope' in namespace 'cluster-config'."]);
    expect(missingConfig.status).toBe(3);
    const log = await e2e.requests();
    expect(writes(log)).toEqual([]);
    expect(log.filter((r) => r.path.includes('/fluxConfigurations/')).every((r) => r.query['api-version'] === FLUX_API_VERSION)).toBe(true);
  });
});

describe('a kustomization that fails to build', () => {
  const MESSAGE = 'kustomize build failed: accumulating resources: missing file apps/staging/extra.yaml';

  test('shows up as Non-Compliant with its message in deployed-object list and flux config show', async () => {
    await e2e.reset({ extension: { aks1: 'installed' }, failKustomization: { apps: MESSAGE } });
    await e2e.putTutorial();
    // Azure says Non-Compliant already while apps waits for infra (DependencyNotReady): wait for
    // the build failure itself.
    const buildFailed = (body: any): boolean =>
      (body.properties.statuses ?? []).some((s: any) => s.name === 'cluster-config-apps' && (s.statusConditions ?? []).some((c: any) => c.reason === 'BuildFailed'));
    await e2e.armUntil(fluxConfigUrl(AKS, 'cluster-config'), (body) => body.properties.complianceState === 'Non-Compliant' && buildFailed(body));

    const show = e2e.cli(['flux', 'config', 'show', ...CONFIG]);
    const config = show.json();
    expect(config.complianceState).toBe('Non-Compliant');
    const failing = (config.statuses as Array<{ kind: string; name: string; complianceState: string; statusConditions: Array<{ type: string; status: string; reason: string; message: string }> }>)
      .filter((s) => s.complianceState === 'Non-Compliant');
    expect(failing.map((s) => `${s.kind}/${s.name}`)).toEqual(['Kustomization/cluster-config-apps']);
    expect(failing[0]!.statusConditions).toContainEqual(expect.objectContaining({ type: 'Ready', status: 'False', reason: 'BuildFailed', message: MESSAGE }));

    const [table, query] = await Promise.all([
      e2e.cliAsync([...DEPLOYED, 'list', ...CONFIG, '-o', 'table']),
      e2e.cliAsync([...DEPLOYED, 'list', ...CONFIG, '--query', "[?complianceState!='Compliant'].{kind: kind, name: name}"]),
    ]);
    expect(table.status).toBe(0);
    expect(tableRows(table.stdout).rows).toContainEqual(['Kustomization', 'cluster-config', 'cluster-config-apps', 'Non-Compliant', MESSAGE]);
    expect(tableRows(table.stdout).rows).toContainEqual(['Kustomization', 'cluster-config', 'cluster-config-infra', 'Compliant', expect.any(String)]);
    expect(query.json()).toEqual([{ kind: 'Kustomization', name: 'cluster-config-apps' }]);
  });
});
