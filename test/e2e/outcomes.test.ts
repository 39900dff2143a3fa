/**
 * Writes whose long-running operation does not simply succeed, against the emulator: an
 * operation that ends Canceled while Azure shows the change (the change is done: a warning, exit
 * 0), one that ends Failed and leaves a Failed resource (exit 6, what Azure holds, what to run
 * next — and that advice works), one canceled by another write (exit 6, without the change),
 * and re-runs of create after each.
 */
import { describe, test, expect, beforeEach, jest } from '@jest/globals';
import { useE2E, AKS, ARC_OFFLINE, ON_AKS, ON_ARC_OFFLINE, TUTORIAL, errors, extensionUrl, fluxConfigUrl, sleep, summary, writes } from './helpers.js';

// One emulator for the file; every PUT and PATCH body it receives is checked against the swagger.
const e2e = useE2E();

// Several whole CLI runs per test: generous, so that a loaded machine does not fail them.
jest.setTimeout(120_000);

beforeEach(async () => {
  await e2e.reset({ extension: { aks1: 'installed' } });
});

const SMALL = ['-n', 'small', '-u', 'https://github.com/example/fleet', '--branch', 'main', '-k', 'name=apps', 'path=./apps'];
const CANCELED = 'canceled by the platform during a regional failover';
const CAUSE = "the namespace 'small' is being terminated";
const warnings = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('WARNING:'));
const hints = (stderr: string): string[] => stderr.split('\n').filter((l) => l.startsWith('HINT:'));

describe('an operation that ends Canceled while Azure shows the change', () => {
  test('flux config create: the configuration is there, Succeeded; a warning says so; exit 0; a re-run has nothing to do', async () => {
    await e2e.faults({ cancelOperation: CANCELED });
    const run = e2e.cli(['flux', 'config', 'create', ...ON_AKS, ...SMALL]);
    expect(run.status).toBe(0);
    expect(errors(run.stderr)).toEqual([]);
    expect(warnings(run.stderr)).toEqual([
      `WARNING: Creating Flux configuration small ended Canceled: ${CANCELED} (OperationCanceled); but the change is in Azure: Flux configuration 'small' is Succeeded and holds the change.`,
    ]);
    expect(run.stderr).toContain('Watch it reconcile with: k8s-gitops status -g rg -c aks1 -t managedClusters -n small --watch');
    expect(run.json()).toMatchObject({ name: 'small', provisioningState: 'Succeeded', gitRepository: { url: 'https://github.com/example/fleet' } });
    expect(summary(writes(await e2e.requests()))).toEqual(['PUT fluxConfigurations/small']);

    await e2e.clearRequests();
    const again = e2e.cli(['flux', 'config', 'create', ...ON_AKS, ...SMALL, '-o', 'none']);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain("nothing to change: Flux configuration 'small' already exists on cluster 'aks1' as asked (Succeeded).");
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('flux config update, kustomization update and delete: done, with a warning each', async () => {
    await e2e.putTutorial(AKS);
    await e2e.faults({ cancelOperation: true });
    const update = e2e.cli(['flux', 'config', 'update', ...ON_AKS, '-n', 'cluster-config', '--branch', 'release', '-o', 'none']);
    expect(update.status).toBe(0);
    expect(warnings(update.stderr)).toEqual([expect.stringMatching(/^WARNING: Updating Flux configuration cluster-config ended Canceled: .*; but the change is in Azure: Flux configuration 'cluster-config' is Succeeded and holds the change\.$/)]);

    await e2e.faults({ cancelOperation: true });
    const kustomization = e2e.cli(['flux', 'kustomization', 'update', ...ON_AKS, '-n', 'cluster-config', '-k', 'apps', '--interval', '5m']);
    expect(kustomization.status).toBe(0);
    expect(warnings(kustomization.stderr)).toEqual([expect.stringContaining("but the change is in Azure: Flux configuration 'cluster-config' is Succeeded and holds the change.")]);
    expect(kustomization.json().kustomizations.apps.syncIntervalInSeconds).toBe(300);

    await e2e.faults({ cancelOperation: true });
    const del = e2e.cli(['flux', 'config', 'delete', ...ON_AKS, '-n', 'cluster-config', '--yes']);
    expect(del.status).toBe(0);
    expect(warnings(del.stderr).filter((w) => w.includes('Canceled'))).toEqual([expect.stringContaining("but the change is in Azure: Flux configuration 'cluster-config' is gone, as asked.")]);
    expect(del.stderr).toContain("Deleted Flux configuration 'cluster-config'.");
    expect(await e2e.armStatus(fluxConfigUrl(AKS, 'cluster-config'))).toBe(404);
  });

  test('the automatic install of the Flux extension: installed after all, so the configuration is created', async () => {
    await e2e.reset({ cancelOperation: true });
    const run = e2e.cli(['flux', 'config', 'create', ...ON_AKS, ...SMALL, '-o', 'none']);
    expect(run.status).toBe(0);
    expect(warnings(run.stderr)).toContainEqual(expect.stringMatching(/^WARNING: Installing the microsoft\.flux extension ended Canceled: .*; but the change is in Azure: the Flux extension 'flux' is Succeeded and holds the change\.$/));
    expect(summary(writes(await e2e.requests()))).toEqual(['PUT extensions/flux', 'PUT fluxConfigurations/small']);
  });

  test('extension create and update', async () => {
    await e2e.reset({ cancelOperation: true });
    const create = e2e.cli(['extension', 'create', ...ON_AKS]);
    expect(create.status).toBe(0);
    expect(create.json()).toMatchObject({ name: 'flux', provisioningState: 'Succeeded' });
    expect(warnings(create.stderr)).toEqual([expect.stringContaining("but the change is in Azure: extension 'flux' is Succeeded and holds the change.")]);
    await e2e.faults({ cancelOperation: true });
    const update = e2e.cli(['extension', 'update', ...ON_AKS, '--release-train', 'Preview']);
    expect(update.status).toBe(0);
    expect(update.json()).toMatchObject({ releaseTrain: 'Preview' });
    expect(warnings(update.stderr)).toEqual([expect.stringContaining("but the change is in Azure: extension 'flux' is Succeeded and holds the change.")]);
  });
});

describe('an operation that ends Failed and leaves a Failed resource', () => {
  test('flux config create: exit 6, what Azure holds and what to run next; the advice works', async () => {
    await e2e.faults({ failOperation: CAUSE });
    const run = e2e.cli(['flux', 'config', 'create', ...ON_AKS, ...SMALL]);
    expect(run.status).toBe(6);
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual([`ERROR: Creating Flux configuration small ended Failed: ${CAUSE}`]);
    expect(run.stderr).toContain(`Azure now holds Flux configuration 'small' in state Failed: ${CAUSE}.`);
    const show = 'k8s-gitops flux config show -g rg -c aks1 -t managedClusters -n small';
    const del = 'k8s-gitops flux config delete -g rg -c aks1 -t managedClusters -n small --yes';
    expect(hints(run.stderr)).toEqual([`HINT: See why with: ${show}; once the cause is fixed, delete it (${del}) and run this create again.`]);
    // What Azure holds comes after the operation's own error, the hint last.
    expect(run.stderr.indexOf('Azure now holds')).toBeGreaterThan(run.stderr.indexOf('ended Failed'));
    expect(run.stderr.indexOf('HINT:')).toBeGreaterThan(run.stderr.indexOf('Azure now holds'));

    // A re-run of create says the same, not just "already exists", and writes nothing.
    await e2e.clearRequests();
    const again = e2e.cli(['flux', 'config', 'create', ...ON_AKS, ...SMALL]);
    expect(again.status).toBe(6);
    expect(errors(again.stderr)).toEqual([`ERROR: Flux configuration 'small' already exists on cluster 'aks1', in state Failed: ${CAUSE}; create does not replace it.`]);
    expect(hints(again.stderr)).toEqual([`HINT: See why with: ${show}; once the cause is fixed, delete it (${del}) and run this create again.`]);
    expect(writes(await e2e.requests())).toEqual([]);

    // Following the hint: delete, then create again.
    const deleted = e2e.cli(['flux', 'config', 'delete', ...ON_AKS, '-n', 'small', '--yes']);
    expect(deleted.status).toBe(0);
    const created = e2e.cli(['flux', 'config', 'create', ...ON_AKS, ...SMALL, '-o', 'none']);
    expect(created.status).toBe(0);
    expect(errors(created.stderr)).toEqual([]);
  });

  test('kustomization update: exit 6, the configuration is Failed, and how to go on', async () => {
    await e2e.putTutorial(AKS);
    await e2e.faults({ failOperation: CAUSE });
    const run = e2e.cli(['flux', 'kustomization', 'update', ...ON_AKS, '-n', 'cluster-config', '-k', 'apps', '--path', './apps/production']);
    expect(run.status).toBe(6);
    expect(errors(run.stderr)).toEqual([`ERROR: Updating kustomization apps of cluster-config ended Failed: ${CAUSE}`]);
    expect(run.stderr).toContain(`Azure now holds Flux configuration 'cluster-config' in state Failed: ${CAUSE}.`);
    expect(hints(run.stderr)).toEqual(['HINT: See why with: k8s-gitops flux config show -g rg -c aks1 -t managedClusters -n cluster-config; once the cause is fixed, run this update again.']);
  });

  test('extension create: exit 6, the extension is Failed with its reason; a re-run says so too', async () => {
    await e2e.reset({ failOperation: 'Helm installation failed: timed out waiting for the condition' });
    const run = e2e.cli(['extension', 'create', ...ON_AKS]);
    expect(run.status).toBe(6);
    expect(run.stderr).toContain("Azure now holds extension 'flux' in state Failed: The extension operation failed with the following error: Helm installation failed: timed out waiting for the condition.");
    const recover = 'once the cause is fixed, remove it (k8s-gitops extension delete -g rg -c aks1 -t managedClusters -n flux --yes) and run this create again.';
    expect(hints(run.stderr)).toEqual([`HINT: See why with: k8s-gitops extension show -g rg -c aks1 -t managedClusters -n flux; ${recover}`]);
    await e2e.clearRequests();
    const again = e2e.cli(['extension', 'create', ...ON_AKS]);
    expect(again.status).toBe(6);
    expect(errors(again.stderr)).toEqual([expect.stringMatching(/^ERROR: extension 'flux' is already installed on cluster 'aks1', in state Failed: The extension operation failed/)]);
    expect(hints(again.stderr)).toEqual([expect.stringContaining(recover)]);
    expect(writes(await e2e.requests())).toEqual([]);
  });
});

describe('an operation canceled by another write', () => {
  test('extension update: exit 6, Azure holds the other change, and the update can be run again', async () => {
    await e2e.reset({ extension: { 'arc-offline': 'installed' } });
    // On an offline cluster the extension's operation waits for the cluster's agents.
    const cli = e2e.start(['extension', 'update', ...ON_ARC_OFFLINE, '--version', '1.20.0', '--allow-offline']);
    const deadline = Date.now() + 10_000;
    while (!(await e2e.requests()).some((r) => r.method === 'PATCH') && Date.now() < deadline) await sleep(50);
    // Someone else changes the extension meanwhile: Azure cancels the first operation.
    const other = await e2e.emu.request('PATCH', extensionUrl(ARC_OFFLINE, 'flux'), { body: { properties: { version: '1.21.0', autoUpgradeMinorVersion: false } } });
    expect(other.status).toBe(202);
    const run = await cli.result;
    expect(run.status).toBe(6);
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual([expect.stringMatching(/^ERROR: Updating extension flux ended Canceled: The operation was canceled: a later operation on the same resource replaced it\./)]);
    expect(run.stderr).toContain("Azure now holds extension 'flux' in state Updating, without this change.");
    expect(hints(run.stderr)).toEqual(['HINT: Run this update again.']);
  });
});

describe('the hint after flux config create', () => {
  test('comes after the data, and points at status --watch and the gate', async () => {
    const merged = e2e.cliMerged(['flux', 'config', 'create', ...ON_AKS, ...TUTORIAL]);
    expect(merged.status).toBe(0);
    const text = merged.output;
    const dataEnd = text.lastIndexOf('}\n');
    const watch = text.indexOf('Watch it reconcile with: k8s-gitops status -g rg -c aks1 -t managedClusters -n cluster-config --watch');
    const gate = text.indexOf('Or wait for it in a pipeline: k8s-gitops status -g rg -c aks1 -t managedClusters -n cluster-config --wait-for compliant --timeout 15m');
    expect(dataEnd).toBeGreaterThan(0);
    expect(watch).toBeGreaterThan(dataEnd);
    expect(gate).toBeGreaterThan(watch);
    // The progress of the write itself comes before the data.
    expect(text.indexOf('Creating Flux configuration cluster-config: done')).toBeLessThan(text.indexOf('{'));
  });
});
