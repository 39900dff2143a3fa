/**
 * `extension create|update|show|list|delete` against the emulator: what the built CLI prints,
 * how it exits, and exactly what Azure Resource Manager received.
 */
import { describe, test, expect, beforeEach } from '@jest/globals';
import {
  useE2E, AKS, ARC, EXTENSION_API_VERSION, ON_AKS, ON_ARC, ON_HCI, SUB, errors, expectValidArmBodies, extensionUrl, shortPath, summary, tableRows, writes,
} from './helpers.js';

// One emulator for the file; every PUT and PATCH body it receives is checked against the swagger.
const e2e = useE2E();

beforeEach(async () => {
  await e2e.reset();
});

const FLUX_EXTENSION_BODY = { properties: { extensionType: 'microsoft.flux', scope: { cluster: { releaseNamespace: 'flux-system' } }, configurationSettings: {} } };

describe('extension create', () => {
  const CLUSTERS = [
    { label: 'aks1', args: ON_AKS, path: 'Microsoft.ContainerService/managedClusters/aks1', identity: undefined },
    { label: 'arc1', args: ON_ARC, path: 'Microsoft.Kubernetes/connectedClusters/arc1', identity: { type: 'SystemAssigned' } },
    { label: 'hci1', args: ON_HCI, path: 'Microsoft.HybridContainerService/provisionedClusters/hci1', identity: { type: 'SystemAssigned' } },
  ];

  test('installs microsoft.flux: no identity on AKS, SystemAssigned on Arc and on Azure Local', async () => {
    // Three clusters at once: each run's requests are told apart by the cluster in their path.
    const runs = await Promise.all(CLUSTERS.map((c) => e2e.cliAsync(['extension', 'create', ...c.args])));
    const log = await e2e.requests();
    expect(expectValidArmBodies(log)).toBe(3);
    CLUSTERS.forEach((c, i) => {
      const run = runs[i]!;
      const extensionId = `/subscriptions/${SUB}/resourceGroups/rg/providers/${c.path}/providers/Microsoft.KubernetesConfiguration/extensions/flux`;
      expect({ cluster: c.label, status: run.status, errors: errors(run.stderr) }).toEqual({ cluster: c.label, status: 0, errors: [] });
      const ext = run.json();
      // az's shape: properties flattened, resourceGroup added.
      expect(ext).not.toHaveProperty('properties');
      expect(ext).toMatchObject({ id: extensionId, name: 'flux', extensionType: 'microsoft.flux', provisioningState: 'Succeeded', resourceGroup: 'rg' });
      expect(run.stderr).toContain('Installing extension flux (microsoft.flux)');

      const mine = log.filter((r) => r.path.includes(`/${c.path}/`) || r.path.endsWith(`/${c.path}`));
      const put = writes(mine);
      expect(put.map((r) => `${r.method} ${r.path}`)).toEqual([`PUT ${extensionId}`]);
      expect(put[0]!.query['api-version']).toBe(EXTENSION_API_VERSION);
      expect(put[0]!.body).toEqual(c.identity ? { identity: c.identity, ...FLUX_EXTENSION_BODY } : FLUX_EXTENSION_BODY);
      // The operation was followed to its end, after the PUT.
      const poll = mine.findIndex((r) => r.method === 'GET' && /^extensions\/flux\/operations\//.test(shortPath(r.path)));
      expect(poll).toBeGreaterThan(mine.indexOf(put[0]!));
    });
  });

  test('--dry-run prints the ARM request and sends nothing', async () => {
    const run = e2e.cli(['extension', 'create', ...ON_ARC, '--dry-run']);
    expect(run.status).toBe(0);
    const request = run.json();
    expect(request).toEqual({
      method: 'PUT',
      path: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Kubernetes/connectedClusters/arc1/providers/Microsoft.KubernetesConfiguration/extensions/flux`,
      apiVersion: EXTENSION_API_VERSION,
      body: { identity: { type: 'SystemAssigned' }, ...FLUX_EXTENSION_BODY },
    });
    expect(await e2e.requests()).toEqual([]);
  });

  test('refuses to replace an extension that exists and differs (exit 1, no PUT)', async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    const run = e2e.cli(['extension', 'create', ...ON_AKS, '--config', 'multiTenancy.enforce=false']);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual(["ERROR: extension 'flux' is already installed on cluster 'aks1' (Succeeded) and differs from what was asked; create does not replace it."]);
    expect(run.stderr).toContain('k8s-gitops extension update -g rg -c aks1 -t managedClusters -n flux');
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('a re-run on an extension installed as asked changes nothing and succeeds', async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    const run = e2e.cli(['extension', 'create', ...ON_AKS]);
    expect(run.status).toBe(0);
    expect(errors(run.stderr)).toEqual([]);
    expect(run.stderr).toContain("nothing to change: extension 'flux' is already installed on cluster 'aks1' as asked (Succeeded).");
    expect(run.json()).toMatchObject({ name: 'flux', extensionType: 'microsoft.flux', provisioningState: 'Succeeded' });
    expect(writes(await e2e.requests())).toEqual([]);
  });
});

describe('extension create on an Arc cluster that goes offline', () => {
  test('is refused; --allow-offline sends it, --wait-timeout gives up (exit 5); back online, it completes', async () => {
    await e2e.faults({ arcOffline: ['arc1'] });
    const refused = e2e.cli(['extension', 'create', ...ON_ARC]);
    expect(refused.status).toBe(1);
    expect(errors(refused.stderr)).toEqual([expect.stringMatching(/^ERROR: Arc cluster 'arc1' is Offline/)]);
    expect(refused.stderr).toContain('--allow-offline');
    expect(writes(await e2e.requests())).toEqual([]);

    // The extension's operation needs the cluster's agents: it waits in Azure until they are back.
    const sent = e2e.cli(['extension', 'create', ...ON_ARC, '--allow-offline', '--wait-timeout', '1s']);
    expect(sent.status).toBe(5);
    expect(sent.stdout).toBe('');
    expect(errors(sent.stderr)).toEqual(['ERROR: timed out after 1s waiting: Installing extension flux (microsoft.flux); last state: Creating.']);
    expect(sent.stderr).toContain('The operation goes on in Azure. Follow it with: k8s-gitops extension show -g rg -c arc1 -t connectedClusters -n flux');
    const log = await e2e.requests();
    expect(summary(writes(log))).toEqual(['PUT extensions/flux']);
    expect(expectValidArmBodies(log)).toBe(1);

    await e2e.faults({ arcOnline: ['arc1'] });
    await e2e.armUntil(extensionUrl(ARC, 'flux'), (body) => body.properties.provisioningState === 'Succeeded');
    const shown = e2e.cli(['extension', 'show', ...ON_ARC, '--query', 'provisioningState', '-o', 'tsv']);
    expect(shown.stdout).toBe('Succeeded\n');
  });
});

describe('extension update', () => {
  beforeEach(async () => {
    await e2e.reset({ extension: { aks1: 'installed', arc1: 'installed' } });
  });

  test('sends a PATCH with only the changed settings', async () => {
    const run = e2e.cli(['extension', 'update', ...ON_AKS, '--config', 'helm-controller.detectDrift=true', '--yes']);
    expect(run.status).toBe(0);
    expect(run.json()).toMatchObject({ name: 'flux', provisioningState: 'Succeeded', configurationSettings: { 'helm-controller.detectDrift': 'true' }, resourceGroup: 'rg' });
    const log = await e2e.requests();
    expect(summary(writes(log))).toEqual(['PATCH extensions/flux']);
    const patch = writes(log)[0]!;
    expect(patch.query['api-version']).toBe(EXTENSION_API_VERSION);
    expect(patch.body).toEqual({ properties: { configurationSettings: { 'helm-controller.detectDrift': 'true' } } });
    expect(expectValidArmBodies(log)).toBe(1);
  });

  test('--version pins the version and turns minor auto-upgrade off', async () => {
    const run = e2e.cli(['extension', 'update', ...ON_ARC, '--version', '1.23.0']);
    expect(run.status).toBe(0);
    expect(run.json()).toMatchObject({ version: '1.23.0', autoUpgradeMinorVersion: false });
    expect(run.stderr).toMatch(/^WARNING: .*pins the extension/m);
    const log = await e2e.requests();
    expect(writes(log).map((r) => r.body)).toEqual([{ properties: { version: '1.23.0', autoUpgradeMinorVersion: false } }]);
    expect(expectValidArmBodies(log)).toBe(1);
  });

  test('refuses an empty change (exit 2) and sends nothing', async () => {
    const run = e2e.cli(['extension', 'update', ...ON_AKS]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual(['ERROR: nothing to change.']);
    expect(await e2e.requests()).toEqual([]);
  });

  test('a setting that already has the value asked for is no change (exit 0, no PATCH, no question)', async () => {
    const first = e2e.cli(['extension', 'update', ...ON_AKS, '--config', 'helm-controller.detectDrift=true', '--yes']);
    expect(first.status).toBe(0);
    await e2e.clearRequests();
    // No --yes and no terminal: nothing would be changed, so nothing needs confirming.
    const again = e2e.cli(['extension', 'update', ...ON_AKS, '--config', 'helm-controller.detectDrift=true']);
    expect(again.status).toBe(0);
    expect(errors(again.stderr)).toEqual([]);
    expect(again.stderr).toContain("nothing to change: extension 'flux' already is as asked.");
    expect(again.json()).toMatchObject({ name: 'flux', configurationSettings: { 'helm-controller.detectDrift': 'true' } });
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('of a missing extension exits 3 without writing', async () => {
    const run = e2e.cli(['extension', 'update', ...ON_AKS, '-n', 'nope', '--config', 'a=b']);
    expect(run.status).toBe(3);
    expect(errors(run.stderr)).toEqual([expect.stringContaining("extension 'nope' does not exist on cluster 'aks1'")]);
    expect(writes(await e2e.requests())).toEqual([]);
  });
});

describe('extension show and list', () => {
  beforeEach(async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
  });

  test('show prints the flattened extension; -o table has the az columns; --query -o tsv', async () => {
    const [json, table, tsv] = await Promise.all([
      e2e.cliAsync(['extension', 'show', ...ON_AKS]),
      e2e.cliAsync(['extension', 'show', ...ON_AKS, '-o', 'table']),
      e2e.cliAsync(['extension', 'show', ...ON_AKS, '-n', 'flux', '--query', 'provisioningState', '-o', 'tsv']),
    ]);
    expect(json.status).toBe(0);
    expect(json.json()).toMatchObject({ name: 'flux', extensionType: 'microsoft.flux', currentVersion: '1.23.0', provisioningState: 'Succeeded', resourceGroup: 'rg' });
    expect(json.json()).not.toHaveProperty('properties');

    expect(table.status).toBe(0);
    const { header, rows } = tableRows(table.stdout);
    expect(header).toEqual(['Name', 'ExtensionType', 'Version', 'ProvisioningState', 'LastModifiedAt', 'IsSystemExtension']);
    expect(rows).toEqual([['flux', 'microsoft.flux', '1.23.0', 'Succeeded', expect.stringMatching(/^\d{4}-\d\d-\d\dT/), 'False']]);

    expect(tsv.status).toBe(0);
    expect(tsv.stdout).toBe('Succeeded\n');

    const log = await e2e.requests();
    expect(writes(log)).toEqual([]);
    expect(log.filter((r) => shortPath(r.path) === 'extensions/flux').every((r) => r.query['api-version'] === EXTENSION_API_VERSION)).toBe(true);
  });

  test('list prints an array, a table, and answers --query', async () => {
    const [json, table, query, empty] = await Promise.all([
      e2e.cliAsync(['extension', 'list', ...ON_AKS]),
      e2e.cliAsync(['extension', 'list', ...ON_AKS, '-o', 'table']),
      e2e.cliAsync(['extension', 'list', ...ON_AKS, '--query', '[].{n: name, s: provisioningState}']),
      e2e.cliAsync(['extension', 'list', ...ON_ARC]),
    ]);
    expect(json.status).toBe(0);
    expect(json.json()).toEqual([expect.objectContaining({ name: 'flux', extensionType: 'microsoft.flux', resourceGroup: 'rg' })]);

    expect(table.status).toBe(0);
    const { header, rows } = tableRows(table.stdout);
    expect(header).toEqual(['Name', 'ExtensionType', 'Version', 'ProvisioningState', 'LastModifiedAt', 'IsSystemExtension']);
    expect(rows.map((r) => r[0])).toEqual(['flux']);

    expect(query.status).toBe(0);
    expect(query.json()).toEqual([{ n: 'flux', s: 'Succeeded' }]);

    expect(empty.status).toBe(0);
    expect(empty.json()).toEqual([]);

    const log = await e2e.requests();
    expect(writes(log)).toEqual([]);
    expect(log.some((r) => r.method === 'GET' && shortPath(r.path) === 'extensions' && r.query['api-version'] === EXTENSION_API_VERSION)).toBe(true);
  });

  test('show of a missing extension exits 3 naming it', async () => {
    const run = e2e.cli(['extension', 'show', ...ON_AKS, '-n', 'nope']);
    expect(run.status).toBe(3);
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual([expect.stringContaining("extension 'nope' does not exist on cluster 'aks1'")]);
  });
});

describe('extension delete', () => {
  beforeEach(async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
  });

  test('without a terminal and without --yes refuses (exit 2) and sends no DELETE', async () => {
    const run = e2e.cli(['extension', 'delete', ...ON_AKS]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual([expect.stringMatching(/no terminal to ask on, so nothing was done/)]);
    expect(run.stderr).toContain('--yes');
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('--yes uninstalls it and waits for the operation', async () => {
    const run = e2e.cli(['extension', 'delete', ...ON_AKS, '-n', 'flux', '--yes']);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("Uninstalled extension 'flux'.");
    const log = await e2e.requests();
    const deletes = writes(log);
    expect(summary(deletes)).toEqual(['DELETE extensions/flux']);
    expect(deletes[0]!.query['api-version']).toBe(EXTENSION_API_VERSION);
    expect(deletes[0]!.query.forceDelete).not.toBe('true');
    expect(log.some((r) => /^extensions\/flux\/operations\//.test(shortPath(r.path)))).toBe(true);
    expect(await e2e.armStatus(extensionUrl(AKS, 'flux'))).toBe(404);
  });

  test('--force sends forceDelete=true', async () => {
    const run = e2e.cli(['extension', 'delete', ...ON_AKS, '--yes', '--force']);
    expect(run.status).toBe(0);
    const deletes = writes(await e2e.requests());
    expect(summary(deletes)).toEqual(['DELETE extensions/flux']);
    expect(deletes[0]!.query).toEqual({ 'api-version': EXTENSION_API_VERSION, forceDelete: 'true' });
    expect(deletes[0]!.status).toBe(200);
  });

  test('of a missing extension exits 3 and deletes nothing', async () => {
    const run = e2e.cli(['extension', 'delete', ...ON_AKS, '-n', 'nope', '--yes']);
    expect(run.status).toBe(3);
    expect(errors(run.stderr)).toEqual([expect.stringContaining("extension 'nope' does not exist")]);
    expect(writes(await e2e.requests())).toEqual([]);
  });
});
