/**
 * `flux config update|show|list|delete` against the emulator: minimal PATCHes, refusals that send
 * nothing, the `show -o yaml` → edit → `update -f` round trip, and deletes that confirm first.
 */
import { describe, test, expect, beforeAll, afterAll, beforeEach } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { makeTempDir, removeDir } from '../helpers/cli.js';
import { useE2E, AKS, FLUX_API_VERSION, ON_AKS, errors, expectValidArmBodies, fluxConfigUrl, shortPath, summary, tableRows, writes } from './helpers.js';

// One emulator for the file; every PUT and PATCH body it receives is checked against the swagger.
const e2e = useE2E();
let dir: string;

beforeAll(() => {
  dir = makeTempDir('k8s-gitops-e2e-');
});

afterAll(() => {
  if (dir) removeDir(dir);
});

/** A fresh world where aks1 has Flux and the tutorial configuration (put through ARM). */
async function withTutorial(): Promise<void> {
  await e2e.reset({ extension: { aks1: 'installed' } });
  await e2e.putTutorial();
  await e2e.clearRequests();
}

const CONFIG = [...ON_AKS, '-n', 'cluster-config'];

describe('flux config update', () => {
  beforeEach(withTutorial);

  test('sends only what changed: --branch release -k name=apps prune=false', async () => {
    const run = e2e.cli(['flux', 'config', 'update', ...CONFIG, '--branch', 'release', '-k', 'name=apps', 'prune=false']);
    expect(run.status).toBe(0);
    expect(errors(run.stderr)).toEqual([]);
    const config = run.json();
    expect(config).toMatchObject({ name: 'cluster-config', resourceGroup: 'rg', provisioningState: 'Succeeded' });
    expect(config.gitRepository.repositoryRef.branch).toBe('release');
    // What the user did not touch is kept.
    expect(config.kustomizations.apps).toMatchObject({ path: './apps/staging', prune: false, dependsOn: ['infra'] });
    expect(config.kustomizations.infra).toMatchObject({ path: './infrastructure', prune: true });

    const log = await e2e.requests();
    const w = writes(log);
    expect(summary(w)).toEqual(['PATCH fluxConfigurations/cluster-config']);
    expect(w[0]!.query['api-version']).toBe(FLUX_API_VERSION);
    expect(w[0]!.body).toEqual({ properties: { gitRepository: { repositoryRef: { branch: 'release' } }, kustomizations: { apps: { prune: false } } } });
    expect(expectValidArmBodies(log)).toBe(1);
  });

  test('--suspend sends suspend alone and the configuration reports Suspended', async () => {
    const run = e2e.cli(['flux', 'config', 'update', ...CONFIG, '--suspend']);
    expect(run.status).toBe(0);
    expect(run.json().suspend).toBe(true);
    const log = await e2e.requests();
    expect(writes(log).map((r) => r.body)).toEqual([{ properties: { suspend: true } }]);
    expect(expectValidArmBodies(log)).toBe(1);
    await e2e.armUntil(fluxConfigUrl(AKS, 'cluster-config'), (body) => body.properties.complianceState === 'Suspended');
    const show = e2e.cli(['flux', 'config', 'show', ...CONFIG, '--query', 'complianceState', '-o', 'tsv']);
    expect(show.stdout).toBe('Suspended\n');
  });

  test('asking for nothing new sends no PATCH and succeeds, saying so on stderr', async () => {
    const run = e2e.cli(['flux', 'config', 'update', ...CONFIG]);
    expect(run.status).toBe(0);
    expect(errors(run.stderr)).toEqual([]);
    expect(run.stderr).toContain("nothing to change: Flux configuration 'cluster-config' already is as asked.");
    // The configuration as Azure holds it, as any update prints it.
    expect(run.json()).toMatchObject({ name: 'cluster-config', provisioningState: 'Succeeded' });
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('a value equal to the current one is no change either (exit 0, no PATCH)', async () => {
    const run = e2e.cli(['flux', 'config', 'update', ...CONFIG, '--branch', 'main', '-k', 'name=infra', 'prune=true', '-o', 'none']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('nothing to change');
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('show -o yaml, edit one field, update -f: a PATCH of just that field', async () => {
    const shown = e2e.cli(['flux', 'config', 'show', ...CONFIG, '-o', 'yaml']);
    expect(shown.status).toBe(0);
    const file = join(dir, 'cluster-config.yaml');

    // The unedited file changes nothing.
    writeFileSync(file, shown.stdout);
    const unchanged = e2e.cli(['flux', 'config', 'update', ...CONFIG, '-f', file]);
    expect(unchanged.status).toBe(0);
    expect(unchanged.stderr).toContain('nothing to change');
    expect(writes(await e2e.requests())).toEqual([]);

    const doc = parse(readFileSync(file, 'utf8'));
    expect(doc.kustomizations.apps.path).toBe('./apps/staging');
    doc.kustomizations.apps.path = './apps/production';
    writeFileSync(file, stringify(doc));
    const run = e2e.cli(['flux', 'config', 'update', ...CONFIG, '-f', file]);
    expect(run.status).toBe(0);
    expect(run.json().kustomizations.apps.path).toBe('./apps/production');
    const log = await e2e.requests();
    expect(writes(log).map((r) => `${r.method} ${shortPath(r.path)} ${JSON.stringify(r.body)}`)).toEqual([
      `PATCH fluxConfigurations/cluster-config ${JSON.stringify({ properties: { kustomizations: { apps: { path: './apps/production' } } } })}`,
    ]);
    expect(expectValidArmBodies(log)).toBe(1);
  });

  test('flags given with -f override the file', async () => {
    const shown = e2e.cli(['flux', 'config', 'show', ...CONFIG, '-o', 'yaml']);
    expect(shown.status).toBe(0);
    const file = join(dir, 'override.yaml');
    const doc = parse(shown.stdout);
    doc.gitRepository.repositoryRef.branch = 'from-file';
    writeFileSync(file, stringify(doc));
    const run = e2e.cli(['flux', 'config', 'update', ...CONFIG, '-f', file, '--branch', 'from-flag', '-o', 'none']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    const log = await e2e.requests();
    expect(writes(log).map((r) => r.body)).toEqual([{ properties: { gitRepository: { repositoryRef: { branch: 'from-flag' } } } }]);
    expect(expectValidArmBodies(log)).toBe(1);
  });

  test('a change of source kind asks first: refused without a terminal (exit 2, no PATCH)', async () => {
    const run = e2e.cli(['flux', 'config', 'update', ...CONFIG, '--kind', 'bucket', '-u', 'https://s3.example.com', '--bucket-name', 'fleet', '--bucket-access-key', 'AKIDEXAMPLE', '--bucket-secret-key', '-'], { input: 'e2e-bucket-secret-9Qw\n' });
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual([expect.stringMatching(/from GitRepository to Bucket\?.*no terminal to ask on, so nothing was done/)]);
    expect(run.stderr).toContain('--yes');
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('with --yes, a change of source kind sends the new block and sourceKind, valid for the swagger', async () => {
    const run = e2e.cli(['flux', 'config', 'update', ...CONFIG, '--kind', 'bucket', '-u', 'https://s3.example.com', '--bucket-name', 'fleet', '--local-auth-ref', 'bucket-creds', '--yes']);
    expect(errors(run.stderr)).toEqual([]);
    expect(run.status).toBe(0);
    expect(run.json()).toMatchObject({ sourceKind: 'Bucket', bucket: { url: 'https://s3.example.com', bucketName: 'fleet' } });
    const log = await e2e.requests();
    const [patch] = writes(log);
    expect(patch!.body.properties).toMatchObject({ sourceKind: 'Bucket', bucket: { url: 'https://s3.example.com', bucketName: 'fleet', localAuthRef: 'bucket-creds', insecure: false } });
    expect(patch!.body.properties).not.toHaveProperty('gitRepository');
    expect(expectValidArmBodies(log)).toBe(1);
  });

  test('update -f with the ARM-shape file it was created from is no change (defaults left out of the file are not removed)', async () => {
    const file = join(dir, 'arm-shape.json');
    writeFileSync(file, JSON.stringify({ properties: { scope: 'cluster', namespace: 'cluster-config', sourceKind: 'GitRepository', gitRepository: { url: 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', repositoryRef: { branch: 'main' } }, kustomizations: { infra: { path: './infrastructure', prune: true }, apps: { path: './apps/staging', prune: true, dependsOn: ['infra'] } } } }));
    const same = e2e.cli(['flux', 'config', 'update', ...CONFIG, '-f', file]);
    expect(same.status).toBe(0);
    expect(errors(same.stderr)).toEqual([]);
    expect(same.stderr).toMatch(/nothing to change/);
    expect(writes(await e2e.requests())).toEqual([]);
    // Leaving a non-default value out of the file resets it to Azure's default, explicitly.
    const edited = JSON.parse(readFileSync(file, 'utf8'));
    delete edited.properties.kustomizations.apps.dependsOn;
    writeFileSync(file, JSON.stringify(edited));
    const changed = e2e.cli(['flux', 'config', 'update', ...CONFIG, '-f', file]);
    expect(changed.status).toBe(0);
    const log = await e2e.requests();
    expect(writes(log).map((r) => r.body)).toEqual([{ properties: { kustomizations: { apps: { dependsOn: [] } } } }]);
    expect(expectValidArmBodies(log)).toBe(1);
  });

  test('of a missing configuration exits 3 and writes nothing', async () => {
    const run = e2e.cli(['flux', 'config', 'update', ...ON_AKS, '-n', 'nope', '--branch', 'release']);
    expect(run.status).toBe(3);
    expect(errors(run.stderr)).toEqual(["ERROR: Flux configuration 'nope' does not exist on cluster 'aks1' (managedClusters, resource group 'rg')."]);
    expect(writes(await e2e.requests())).toEqual([]);
  });
});

describe('flux config show and list', () => {
  beforeAll(async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    await e2e.putTutorial(undefined, { compliant: true });
  });

  // The three tests only read: they share the world, each with an empty request log.
  beforeEach(async () => {
    await e2e.clearRequests();
  });

  test('show: the flattened configuration, a table, --query -o tsv', async () => {
    const [compliant, json, table] = await Promise.all([
      e2e.cliAsync(['flux', 'config', 'show', ...CONFIG, '--query', 'complianceState', '-o', 'tsv']),
      e2e.cliAsync(['flux', 'config', 'show', ...CONFIG]),
      e2e.cliAsync(['flux', 'config', 'show', ...CONFIG, '-o', 'table']),
    ]);
    expect(compliant.status).toBe(0);
    expect(compliant.stdout).toBe('Compliant\n');

    expect(json.status).toBe(0);
    expect(json.json()).not.toHaveProperty('properties');
    expect(json.json()).toMatchObject({ name: 'cluster-config', resourceGroup: 'rg', namespace: 'cluster-config', complianceState: 'Compliant' });

    expect(table.status).toBe(0);
    const { header, rows } = tableRows(table.stdout);
    expect(header).toEqual(['Namespace', 'Name', 'Scope', 'ProvisioningState', 'ComplianceState', 'StatusUpdatedAt', 'SourceUpdatedAt']);
    expect(rows).toEqual([['cluster-config', 'cluster-config', 'cluster', 'Succeeded', 'Compliant', expect.any(String), expect.any(String)]]);

    const log = await e2e.requests();
    expect(writes(log)).toEqual([]);
    expect(log.every((r) => !r.path.includes('fluxConfigurations') || r.query['api-version'] === FLUX_API_VERSION)).toBe(true);
  });

  test('list: an array, a table, and --query', async () => {
    const [json, table, names] = await Promise.all([
      e2e.cliAsync(['flux', 'config', 'list', ...ON_AKS]),
      e2e.cliAsync(['flux', 'config', 'list', ...ON_AKS, '-o', 'table']),
      e2e.cliAsync(['flux', 'config', 'list', ...ON_AKS, '--query', "[?complianceState!='Compliant'].name"]),
    ]);
    expect(json.status).toBe(0);
    expect(json.json()).toEqual([expect.objectContaining({ name: 'cluster-config', resourceGroup: 'rg', complianceState: 'Compliant' })]);

    expect(table.status).toBe(0);
    const { header, rows } = tableRows(table.stdout);
    expect(header).toEqual(['Namespace', 'Name', 'Scope', 'ProvisioningState', 'ComplianceState', 'StatusUpdatedAt', 'SourceUpdatedAt']);
    expect(rows.map((r) => r[1])).toEqual(['cluster-config']);

    expect(names.status).toBe(0);
    expect(names.json()).toEqual([]);
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('show of a missing configuration exits 3', async () => {
    const run = e2e.cli(['flux', 'config', 'show', ...ON_AKS, '-n', 'nope']);
    expect(run.status).toBe(3);
    expect(run.stdout).toBe('');
    expect(errors(run.stderr)).toEqual(["ERROR: Flux configuration 'nope' does not exist on cluster 'aks1' (managedClusters, resource group 'rg')."]);
  });
});

describe('flux config delete', () => {
  beforeEach(withTutorial);

  test('warns about pruning and, without a terminal and without --yes, refuses (exit 2, no DELETE)', async () => {
    const run = e2e.cli(['flux', 'config', 'delete', ...CONFIG]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^WARNING: kustomizations infra, apps of 'cluster-config' prune: the objects they deployed will be deleted from the cluster\.$/m);
    expect(errors(run.stderr)).toEqual([expect.stringMatching(/no terminal to ask on, so nothing was done/)]);
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('--yes deletes it, following the operation', async () => {
    const run = e2e.cli(['flux', 'config', 'delete', ...CONFIG, '--yes']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^WARNING: kustomizations infra, apps of 'cluster-config' prune/m);
    expect(run.stderr).toContain("Deleted Flux configuration 'cluster-config'.");
    const log = await e2e.requests();
    const w = writes(log);
    expect(summary(w)).toEqual(['DELETE fluxConfigurations/cluster-config']);
    expect(w[0]!.query['api-version']).toBe(FLUX_API_VERSION);
    expect(w[0]!.query.forceDelete).not.toBe('true');
    expect(log.some((r) => /^fluxConfigurations\/cluster-config\/operations\//.test(shortPath(r.path)))).toBe(true);
    expect(await e2e.armStatus(fluxConfigUrl(AKS, 'cluster-config'))).toBe(404);
  });

  test('--force sends forceDelete=true', async () => {
    const run = e2e.cli(['flux', 'config', 'delete', ...CONFIG, '--yes', '--force']);
    expect(run.status).toBe(0);
    const w = writes(await e2e.requests());
    expect(summary(w)).toEqual(['DELETE fluxConfigurations/cluster-config']);
    expect(w[0]!.query).toEqual({ 'api-version': FLUX_API_VERSION, forceDelete: 'true' });
  });

  test('of a missing configuration exits 3 and deletes nothing', async () => {
    const run = e2e.cli(['flux', 'config', 'delete', ...ON_AKS, '-n', 'nope', '--yes']);
    expect(run.status).toBe(3);
    expect(errors(run.stderr)).toEqual(["ERROR: Flux configuration 'nope' does not exist on cluster 'aks1' (managedClusters, resource group 'rg')."]);
    expect(writes(await e2e.requests())).toEqual([]);
  });
});
