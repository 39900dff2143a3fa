/**
 * `--dry-run=arm` on the commands that change what exists — flux config update, flux
 * kustomization create|update|delete, extension update — against the emulator: the live
 * resource is read, the exact PATCH that would be sent is printed, nothing is written; and the
 * same command without --dry-run sends exactly that PATCH.
 */
import { describe, test, expect, beforeEach, jest } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir, removeDir } from '../helpers/cli.js';
import { useE2E, AKS, ARC_OFFLINE, EXTENSION_API_VERSION, FLUX_API_VERSION, ON_AKS, SUB, errors, shortPath, writes } from './helpers.js';

// One emulator for the file; every PUT and PATCH body it receives is checked against the swagger.
const e2e = useE2E();

// Several whole CLI runs per test: generous, so that a loaded machine does not fail them.
jest.setTimeout(120_000);

beforeEach(async () => {
  await e2e.reset({ extension: { aks1: 'installed' } });
  await e2e.putTutorial(AKS);
  await e2e.clearRequests();
});

const CONFIG = [...ON_AKS, '-n', 'cluster-config'];
const CONFIG_PATH = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1/providers/Microsoft.KubernetesConfiguration/fluxConfigurations/cluster-config`;
const EXTENSION_PATH = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks1/providers/Microsoft.KubernetesConfiguration/extensions/flux`;

/**
 * Runs `args --dry-run=arm`, checks it read and wrote nothing, then runs `args` for real and
 * checks it sent exactly the printed request (`real` adds flags to the real run only).
 */
async function dryRunThenReal(args: string[], expected: { path: string; apiVersion: string; body: unknown }, real: string[] = []): Promise<void> {
  const dry = e2e.cli([...args, '--dry-run=arm']);
  expect({ status: dry.status, errors: errors(dry.stderr) }).toEqual({ status: 0, errors: [] });
  expect(dry.json()).toEqual({ method: 'PATCH', ...expected });
  const read = await e2e.requests();
  expect(writes(read)).toEqual([]);
  expect(read.length).toBeGreaterThan(0);
  await e2e.clearRequests();

  const run = e2e.cli([...args, ...real, '-o', 'none']);
  expect({ status: run.status, errors: errors(run.stderr) }).toEqual({ status: 0, errors: [] });
  const sent = writes(await e2e.requests());
  expect(sent.map((r) => ({ method: r.method, path: r.path, apiVersion: r.query['api-version'], body: r.body }))).toEqual([{ method: 'PATCH', ...expected }]);
}

describe('--dry-run=arm prints the PATCH that would be sent, and sends nothing', () => {
  test('flux config update', async () => {
    await dryRunThenReal(['flux', 'config', 'update', ...CONFIG, '--branch', 'release', '-k', 'name=apps', 'prune=false'], {
      path: CONFIG_PATH,
      apiVersion: FLUX_API_VERSION,
      body: { properties: { gitRepository: { repositoryRef: { branch: 'release' } }, kustomizations: { apps: { prune: false } } } },
    });
  });

  test('flux kustomization create', async () => {
    await dryRunThenReal(['flux', 'kustomization', 'create', ...CONFIG, '-k', 'monitoring', '--path', './monitoring', '--depends-on', 'infra'], {
      path: CONFIG_PATH,
      apiVersion: FLUX_API_VERSION,
      body: { properties: { kustomizations: { monitoring: { path: './monitoring', dependsOn: ['infra'] } } } },
    });
  });

  test('flux kustomization update', async () => {
    await dryRunThenReal(['flux', 'kustomization', 'update', ...CONFIG, '-k', 'apps', '--interval', '2m', '--depends-on', ''], {
      path: CONFIG_PATH,
      apiVersion: FLUX_API_VERSION,
      body: { properties: { kustomizations: { apps: { syncIntervalInSeconds: 120, dependsOn: null } } } },
    });
  });

  test('flux kustomization delete: no question asked for the dry run; the real one needs --yes', async () => {
    await dryRunThenReal(['flux', 'kustomization', 'delete', ...CONFIG, '-k', 'apps'], { path: CONFIG_PATH, apiVersion: FLUX_API_VERSION, body: { properties: { kustomizations: { apps: null } } } }, ['--yes']);
  });

  test('extension update', async () => {
    await dryRunThenReal(['extension', 'update', ...ON_AKS, '--version', '1.22.0', '--config', 'helm-controller.detectDrift=true'], {
      path: EXTENSION_PATH,
      apiVersion: EXTENSION_API_VERSION,
      body: { properties: { version: '1.22.0', autoUpgradeMinorVersion: false, configurationSettings: { 'helm-controller.detectDrift': 'true' } } },
    }, ['--yes']);
  });

  test('secrets in the printed PATCH are redacted', async () => {
    const dir = makeTempDir();
    try {
      writeFileSync(join(dir, 'token'), 'dry-run-token-never-printed\n');
      const run = e2e.cli(['flux', 'config', 'update', ...CONFIG, '--https-user', 'git', '--https-key', `@${join(dir, 'token')}`, '--dry-run=arm']);
      expect(run.status).toBe(0);
      expect(run.stdout).not.toContain('dry-run-token-never-printed');
      expect(run.stdout).not.toContain(Buffer.from('dry-run-token-never-printed').toString('base64'));
      expect(run.json().body.properties).toMatchObject({ gitRepository: { httpsUser: 'git' }, configurationProtectedSettings: { httpsKey: '[REDACTED]' } });
      expect(writes(await e2e.requests())).toEqual([]);
    } finally {
      removeDir(dir);
    }
  });

  test('nothing to change: no request printed, exit 0, "nothing to change" on stderr', async () => {
    const run = e2e.cli(['flux', 'config', 'update', ...CONFIG, '--branch', 'main', '--dry-run=arm']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe("nothing to change: Flux configuration 'cluster-config' already is as asked; no request would be sent.\n");
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('a missing kustomization or configuration is exit 3 even in a dry run', async () => {
    const run = e2e.cli(['flux', 'kustomization', 'update', ...CONFIG, '-k', 'nope', '--prune', '--dry-run=arm']);
    expect(run.status).toBe(3);
    const missing = e2e.cli(['flux', 'config', 'update', ...ON_AKS, '-n', 'nope', '--suspend', '--dry-run=arm']);
    expect(missing.status).toBe(3);
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('an Arc cluster that is offline does not stop a dry run (nothing would be sent to it)', async () => {
    await e2e.reset({ extension: { 'arc-offline': 'installed' } });
    await e2e.putTutorial(ARC_OFFLINE);
    await e2e.clearRequests();
    const run = e2e.cli(['flux', 'config', 'update', '-g', 'rg', '-c', 'arc-offline', '-t', 'connectedClusters', '-n', 'cluster-config', '--suspend', '--dry-run=arm']);
    expect(run.status).toBe(0);
    expect(shortPath(run.json().path)).toBe('fluxConfigurations/cluster-config');
    expect(writes(await e2e.requests())).toEqual([]);
  });
});
