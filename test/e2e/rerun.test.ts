/**
 * Re-runs pass: an update (flags or -f) that asks for what Azure already holds sends nothing,
 * says "nothing to change" on stderr and exits 0 — flux config update, suspend and resume,
 * flux kustomization update and extension update alike — and the README's CI example, run exactly as written,
 * passes twice on the same commit with no write the second time.
 */
import { describe, test, expect, beforeEach, jest } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, makeTempDir, removeDir, shellWords } from '../helpers/cli.js';
import { useE2E, AKS, ARC, ON_AKS, errors, expectValidArmBodies, fluxConfigUrl, summary, writes, type Run } from './helpers.js';

// One emulator for the file; every PUT and PATCH body it receives is checked against the swagger.
const e2e = useE2E();

// Several whole CLI runs per test: generous, so that a loaded machine does not fail them.
jest.setTimeout(120_000);

const CONFIG = [...ON_AKS, '-n', 'cluster-config'];

describe('an update that asks for what Azure holds', () => {
  beforeEach(async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    await e2e.putTutorial(AKS);
    await e2e.clearRequests();
  });

  test('flux config update with flags: the first run sends the change, the second nothing (exit 0 both)', async () => {
    const args = ['flux', 'config', 'update', ...CONFIG, '--branch', 'release', '-k', 'name=apps', 'interval=5m', '-o', 'none'];
    const first = e2e.cli(args);
    expect(first.status).toBe(0);
    expect(summary(writes(await e2e.requests()))).toEqual(['PATCH fluxConfigurations/cluster-config']);
    await e2e.clearRequests();
    const second = e2e.cli(args);
    expect(second.status).toBe(0);
    expect(second.stdout).toBe('');
    expect(errors(second.stderr)).toEqual([]);
    expect(second.stderr).toBe("nothing to change: Flux configuration 'cluster-config' already is as asked.\n");
    const log = await e2e.requests();
    expect(writes(log)).toEqual([]);
    // It read the configuration to know.
    expect(log.some((r) => r.method === 'GET' && r.path.endsWith('/fluxConfigurations/cluster-config'))).toBe(true);
  });

  test('flux config update -f with the file show printed: nothing to change', async () => {
    const dir = makeTempDir();
    try {
      const shown = e2e.cli(['flux', 'config', 'show', ...CONFIG, '-o', 'yaml']);
      writeFileSync(join(dir, 'c.yaml'), shown.stdout);
      await e2e.clearRequests();
      const run = e2e.cli(['flux', 'config', 'update', ...CONFIG, '-f', join(dir, 'c.yaml'), '-o', 'none']);
      expect(run.status).toBe(0);
      expect(run.stderr).toContain('nothing to change');
      expect(writes(await e2e.requests())).toEqual([]);
    } finally {
      removeDir(dir);
    }
  });

  test('flux kustomization update: a value it already has is nothing to change (exit 0)', async () => {
    const run = e2e.cli(['flux', 'kustomization', 'update', ...CONFIG, '-k', 'infra', '--prune', 'true', '--path', './infrastructure']);
    expect(run.status).toBe(0);
    expect(errors(run.stderr)).toEqual([]);
    expect(run.stderr).toContain("nothing to change: kustomization 'infra' of 'cluster-config' already is as asked.");
    expect(run.json().kustomizations.infra).toMatchObject({ prune: true, path: './infrastructure' });
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('extension update: a release train it already follows is nothing to change (exit 0)', async () => {
    const run = e2e.cli(['extension', 'update', ...ON_AKS, '--release-train', 'stable', '--auto-upgrade-minor-version', 'true', '-o', 'none']);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("nothing to change: extension 'flux' already is as asked.");
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('a Failed configuration that already holds what is asked: nothing to send, but it says the configuration is Failed', async () => {
    await e2e.faults({ failOperation: 'the agent could not apply it' });
    const failed = e2e.cli(['flux', 'config', 'update', ...CONFIG, '--branch', 'release']);
    expect(failed.status).toBe(6);
    const again = e2e.cli(['flux', 'config', 'update', ...CONFIG, '--branch', 'release', '-o', 'none']);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('nothing to change');
    expect(again.stderr).toMatch(/^WARNING: Flux configuration 'cluster-config' is Failed all the same: see why with k8s-gitops flux config show /m);
  });

  test('suspend and resume follow the same rule as update --suspend: what one set, the other finds already so', async () => {
    const flux = (...args: string[]): Run => e2e.cli(['flux', 'config', ...args, ...CONFIG, '-o', 'none']);
    expect(flux('suspend').status).toBe(0);
    await e2e.clearRequests();
    const update = flux('update', '--suspend', 'true');
    expect({ status: update.status, stderr: update.stderr }).toEqual({ status: 0, stderr: "nothing to change: Flux configuration 'cluster-config' already is as asked.\n" });
    expect(flux('update', '--suspend', 'false').status).toBe(0);
    await e2e.clearRequests();
    const resume = flux('resume');
    expect({ status: resume.status, stderr: resume.stderr }).toEqual({ status: 0, stderr: "nothing to change: Flux configuration 'cluster-config' is not suspended.\n" });
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('a Failed configuration already suspended: nothing to send, but suspend says it is Failed', async () => {
    await e2e.faults({ failOperation: 'the agent could not apply it' });
    expect(e2e.cli(['flux', 'config', 'suspend', ...CONFIG]).status).toBe(6);
    await e2e.clearRequests();
    const again = e2e.cli(['flux', 'config', 'suspend', ...CONFIG, '-o', 'none']);
    expect(again.status).toBe(0);
    expect(again.stderr).toContain("nothing to change: Flux configuration 'cluster-config' already is suspended.");
    expect(again.stderr).toMatch(/^WARNING: Flux configuration 'cluster-config' is Failed all the same: see why with k8s-gitops flux config show /m);
    expect(writes(await e2e.requests())).toEqual([]);
  });
});

/** The commands of the README's CI example (the `run: |` block after "A pipeline step"), one per line. */
function readmeCiCommands(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const at = readme.indexOf('A pipeline step');
  expect(at).toBeGreaterThan(0);
  const block = /```yaml\n([\s\S]*?)```/.exec(readme.slice(at))![1]!;
  const run = block.slice(block.indexOf('run: |') + 'run: |'.length);
  const commands: string[] = [];
  let current = '';
  for (const raw of run.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    current += `${current ? ' ' : ''}${line.replace(/\\$/, '').trim()}`;
    if (!line.endsWith('\\')) {
      commands.push(current);
      current = '';
    }
  }
  return commands;
}

/** A command line of the README with the pipeline's variables filled in, as a shell would. */
function expand(line: string, vars: Record<string, string>): string[] {
  const words = shellWords(line.replace(/\$\{?([A-Z_]+)\}?/g, (_m, name: string) => {
    expect(vars).toHaveProperty(name);
    return vars[name]!;
  }));
  expect(words[0]).toBe('k8s-gitops');
  return words.slice(1);
}

describe("the README's CI example, twice on the same commit", () => {
  test('passes both times; the second run writes nothing', async () => {
    // The world the pipeline deploys to: the tutorial configuration on an Arc cluster with Flux.
    await e2e.reset({ extension: { arc1: 'installed' } });
    await e2e.putTutorial(ARC, { compliant: true });
    const commands = readmeCiCommands();
    expect(commands.map((c) => shellWords(c).slice(0, c.includes(' flux ') ? 4 : 2).join(' '))).toEqual(['k8s-gitops flux config update', 'k8s-gitops status']);
    const vars = { RG: 'rg', CLUSTER: 'arc1', GITHUB_SHA: '3f2a9c1d4b5e6f708192a3b4c5d6e7f8091a2b3c' };

    for (const round of [1, 2]) {
      await e2e.clearRequests();
      for (const command of commands) {
        const run = await e2e.cliAsync(expand(command, vars), { timeout: 60_000 });
        expect({ round, command, status: run.status, errors: errors(run.stderr) }).toEqual({ round, command, status: 0, errors: [] });
        if (round === 2 && command.includes('flux config update')) expect(run.stderr).toContain('nothing to change');
      }
      const log = await e2e.requests();
      expectValidArmBodies(log);
      if (round === 1) {
        expect(writes(log).map((r) => r.body)).toEqual([{ properties: { gitRepository: { repositoryRef: { commit: vars.GITHUB_SHA } } } }]);
      } else {
        expect(writes(log)).toEqual([]);
      }
    }
    await e2e.armUntil(fluxConfigUrl(ARC, 'cluster-config'), (b) => b.properties.sourceSyncedCommitId === `main/${vars.GITHUB_SHA}` && b.properties.complianceState === 'Compliant');
  }, 120_000);
});
