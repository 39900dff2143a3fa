/**
 * Commands that behave like their az counterparts, against the emulator: extension types other
 * than microsoft.flux with their own defaults; extension update's confirmation (on a real
 * pseudo-terminal, with --yes, and refused without either); the automatic Flux extension
 * install honouring FLUX_EXTENSION_VERSION / FLUX_EXTENSION_RELEASETRAIN and the flags of
 * flux config create; a source-only configuration from a file; az's command names under flux.
 */
import { describe, test, expect, beforeEach, jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, exactEnv, makeTempDir, removeDir } from '../helpers/cli.js';
import { useE2E, AKS, ON_AKS, ON_ARC, errors, fluxConfigUrl, summary, writes } from './helpers.js';

// One emulator for the file; every PUT and PATCH body it receives is checked against the swagger.
const e2e = useE2E();

// Several whole CLI runs per test: generous, so that a loaded machine does not fail them.
jest.setTimeout(120_000);

beforeEach(async () => {
  await e2e.reset();
});

const SMALL = ['-n', 'small', '-u', 'https://github.com/example/fleet', '--branch', 'main', '-k', 'name=apps', 'path=./apps'];

describe('extension create of another type uses that type’s defaults', () => {
  test('microsoft.dapr on Arc: no flux-system, no identity; Azure picks the namespace', async () => {
    const run = e2e.cli(['extension', 'create', ...ON_ARC, '-n', 'dapr', '--extension-type', 'microsoft.dapr']);
    expect(run.status).toBe(0);
    expect(errors(run.stderr)).toEqual([]);
    const [put] = writes(await e2e.requests());
    expect(put!.body).toEqual({ properties: { extensionType: 'microsoft.dapr', configurationSettings: {} } });
    expect(run.json()).toMatchObject({ name: 'dapr', extensionType: 'microsoft.dapr', provisioningState: 'Succeeded' });
    expect(run.json().scope.cluster.releaseNamespace).not.toBe('flux-system');
  });

  test('a type that needs an identity gets one on Arc; --identity asks for one on any type', async () => {
    const monitor = e2e.cli(['extension', 'create', ...ON_ARC, '-n', 'monitor', '--extension-type', 'microsoft.azuremonitor.containers', '-o', 'none']);
    expect(monitor.status).toBe(0);
    const asked = e2e.cli(['extension', 'create', ...ON_AKS, '-n', 'dapr', '--extension-type', 'microsoft.dapr', '--identity', 'SystemAssigned', '--scope', 'cluster', '-o', 'none']);
    expect(asked.status).toBe(0);
    const puts = writes(await e2e.requests());
    expect(puts.map((r) => [r.body.identity, r.body.properties.scope])).toEqual([
      [{ type: 'SystemAssigned' }, undefined],
      [{ type: 'SystemAssigned' }, { cluster: {} }],
    ]);
  });

  test('microsoft.flux keeps flux-system and, on Arc, its identity', async () => {
    const run = e2e.cli(['extension', 'create', ...ON_ARC, '-o', 'none']);
    expect(run.status).toBe(0);
    expect(writes(await e2e.requests())[0]!.body).toEqual({ identity: { type: 'SystemAssigned' }, properties: { extensionType: 'microsoft.flux', scope: { cluster: { releaseNamespace: 'flux-system' } }, configurationSettings: {} } });
  });
});

/** Runs the CLI on a pseudo-terminal (util-linux `script`), answering the prompt with `answer`. */
function onTerminal(args: string[], vars: Record<string, string>, answer: string): { status: number | null; output: string } {
  const home = makeTempDir();
  try {
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const run = spawnSync('script', ['-qec', `stty cols 120 rows 30; ${quoted}`, '/dev/null'], { env: exactEnv(home, vars), input: answer, encoding: 'utf8', timeout: 30_000 });
    return { status: run.status, output: run.stdout };
  } finally {
    removeDir(home);
  }
}

const scriptAvailable = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

describe('extension update asks before changing settings, as az does', () => {
  beforeEach(async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
  });

  const UPDATE = ['extension', 'update', ...ON_AKS, '--config', 'helm-controller.detectDrift=true'];

  test('without a terminal and without --yes: refused, exit 2, no PATCH', async () => {
    const run = e2e.cli(UPDATE);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual([expect.stringMatching(/^ERROR: -y\/--yes: Change the settings of extension 'flux' on cluster 'aks1'\? .*: there is no terminal to ask on, so nothing was done\.$/)]);
    expect(run.stderr).toContain('HINT: Add --yes to confirm.');
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('-y and --yes send it', async () => {
    for (const yes of ['-y', '--yes']) {
      await e2e.reset({ extension: { aks1: 'installed' } });
      const run = e2e.cli([...UPDATE, yes, '-o', 'none']);
      expect(run.status).toBe(0);
      expect(summary(writes(await e2e.requests()))).toEqual(['PATCH extensions/flux']);
    }
  });

  test('a version change asks nothing (az asks only about settings)', async () => {
    const run = e2e.cli(['extension', 'update', ...ON_AKS, '--version', '1.22.0', '-o', 'none']);
    expect(run.status).toBe(0);
    expect(summary(writes(await e2e.requests()))).toEqual(['PATCH extensions/flux']);
  });

  (scriptAvailable ? test : test.skip)(`on a terminal: "n" sends nothing, "y" sends the PATCH${scriptAvailable ? '' : ' (SKIPPED: script is not on PATH)'}`, async () => {
    const no = onTerminal([...UPDATE, '-o', 'none'], e2e.vars, 'n\n');
    expect(no.status).toBe(0);
    expect(no.output).toContain("Change the settings of extension 'flux' on cluster 'aks1'?");
    expect(no.output).toContain('Nothing was changed.');
    expect(writes(await e2e.requests())).toEqual([]);
    const yes = onTerminal([...UPDATE, '-o', 'none'], e2e.vars, 'y\n');
    expect(yes.status).toBe(0);
    expect(yes.output).toContain('Updating extension flux: done');
    expect(summary(writes(await e2e.requests()))).toEqual(['PATCH extensions/flux']);
  });
});

describe('the automatic Flux extension install: FLUX_EXTENSION_VERSION and FLUX_EXTENSION_RELEASETRAIN', () => {
  test('FLUX_EXTENSION_VERSION pins the version, with minor auto-upgrades off', async () => {
    const run = e2e.cli(['flux', 'config', 'create', ...ON_AKS, ...SMALL, '-o', 'none'], { env: { FLUX_EXTENSION_VERSION: '1.14.1' } });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("installing microsoft.flux as 'flux' (version 1.14.1 from FLUX_EXTENSION_VERSION) first");
    const [extension, configuration] = writes(await e2e.requests());
    expect(extension!.body.properties).toEqual({ extensionType: 'microsoft.flux', autoUpgradeMinorVersion: false, version: '1.14.1', scope: { cluster: { releaseNamespace: 'flux-system' } }, configurationSettings: {} });
    expect(summary([configuration!])).toEqual(['PUT fluxConfigurations/small']);
    expect(e2e.cli(['extension', 'show', ...ON_AKS, '--query', 'currentVersion', '-o', 'tsv']).stdout).toBe('1.14.1\n');
  });

  test('FLUX_EXTENSION_RELEASETRAIN chooses the train; the flags of flux config create win over the variables', async () => {
    const env = { FLUX_EXTENSION_RELEASETRAIN: 'Preview', FLUX_EXTENSION_VERSION: '1.14.1' };
    const run = e2e.cli(['flux', 'config', 'create', ...ON_AKS, ...SMALL, '--extension-version', '1.15.0', '-o', 'none'], { env });
    expect(run.status).toBe(0);
    expect(writes(await e2e.requests())[0]!.body.properties).toMatchObject({ version: '1.15.0', autoUpgradeMinorVersion: false, releaseTrain: 'Preview' });
  });

  test('a bad value is refused before anything is sent (exit 2), naming the variable', async () => {
    const run = e2e.cli(['flux', 'config', 'create', ...ON_AKS, ...SMALL], { env: { FLUX_EXTENSION_VERSION: 'latest' } });
    expect(run.status).toBe(2);
    expect(errors(run.stderr)).toEqual(["ERROR: FLUX_EXTENSION_VERSION: 'latest' is not a version."]);
    expect(await e2e.requests()).toEqual([]);
  });

  test('when Flux is installed already, a different pinned version is not applied, and it says how to apply it', async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    const run = e2e.cli(['flux', 'config', 'create', ...ON_AKS, ...SMALL, '--extension-version', '1.15.0', '-o', 'none']);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/^WARNING: the Flux extension is already installed \(1\.23\.0\); version 1\.15\.0 from --extension-version applies only to a new install\. Change it with: k8s-gitops extension update -g rg -c aks1 -t managedClusters -n flux --version 1\.15\.0$/m);
    expect(summary(writes(await e2e.requests()))).toEqual(['PUT fluxConfigurations/small']);
  });
});

describe('a configuration with no kustomizations (a source only)', () => {
  test('is created from a file that says kustomizations: {}', async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    const dir = makeTempDir();
    try {
      const file = join(dir, 'source-only.yaml');
      writeFileSync(file, 'name: sources\nproperties:\n  namespace: flux-sources\n  gitRepository:\n    url: https://github.com/example/charts\n    repositoryRef:\n      branch: main\n  kustomizations: {}\n');
      const run = e2e.cli(['flux', 'config', 'create', ...ON_AKS, '-f', file]);
      expect(run.status).toBe(0);
      expect(run.stderr).not.toContain('kustomization-1');
      expect(run.json()).toMatchObject({ name: 'sources', kustomizations: {} });
      expect(writes(await e2e.requests())[0]!.body.properties.kustomizations).toEqual({});
      await e2e.armUntil(fluxConfigUrl(AKS, 'sources'), (b) => b.properties.complianceState === 'Compliant');
    } finally {
      removeDir(dir);
    }
  });
});

describe("az's command names under flux", () => {
  test('flux create, show, list, update and delete work as the flux config commands', async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    expect(e2e.cli(['flux', 'create', ...ON_AKS, ...SMALL, '-o', 'none']).status).toBe(0);
    expect(e2e.cli(['flux', 'show', ...ON_AKS, '-n', 'small', '--query', 'name', '-o', 'tsv']).stdout).toBe('small\n');
    expect(e2e.cli(['flux', 'list', ...ON_AKS, '--query', '[].name', '-o', 'tsv']).stdout).toBe('small\n');
    expect(e2e.cli(['flux', 'update', ...ON_AKS, '-n', 'small', '--suspend', '-o', 'none']).status).toBe(0);
    expect(e2e.cli(['flux', 'delete', ...ON_AKS, '-n', 'small', '--yes']).status).toBe(0);
    expect(summary(writes(await e2e.requests()))).toEqual(['PUT fluxConfigurations/small', 'PATCH fluxConfigurations/small', 'DELETE fluxConfigurations/small']);
  });
});
