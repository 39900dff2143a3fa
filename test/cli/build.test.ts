/**
 * `flux config build` through the built CLI: from an empty directory, `init` then
 * `flux config create -f clusters/staging.yaml --dry-run` and `flux config build -f
 * clusters/staging.yaml --source .` work with nothing installed but kustomize (for the
 * overlay); the output formats; choosing kustomizations; substitution with variables from
 * files (secrets never printed); and the errors, each exit 2 with the reason.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { findKustomize, type KustomizeTool } from '../../src/build/kustomize.js';
import { makeTempDir, removeDir, runCli, type CliResult } from '../helpers/cli.js';

let dir: string;
let repo: string;
let tool: KustomizeTool | undefined;
/** A PATH with nothing on it but kustomize (or kubectl). */
let onlyKustomize: string;

beforeAll(async () => {
  dir = makeTempDir('k8s-gitops-buildcli-');
  repo = join(dir, 'repo');
  mkdirSync(repo);
  tool = await findKustomize(process.env);
  onlyKustomize = join(dir, 'bin');
  mkdirSync(onlyKustomize);
  if (tool) symlinkSync(tool.path, join(onlyKustomize, tool.kind));
  else console.warn('skipped: neither kustomize nor kubectl is on PATH, so the overlay builds are not checked here');
});

afterAll(() => removeDir(dir));

const inRepo = (args: string[], env: Record<string, string | undefined> = {}): CliResult => runCli(args, { cwd: repo, env });
type Item = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; data?: Record<string, unknown>; spec?: Record<string, any> };
const items = (r: CliResult): Item[] => (JSON.parse(r.stdout) as { apiVersion: string; kind: string; items: Item[] }).items;

describe('from an empty directory', () => {
  test('init, then create -f --dry-run, then build -f --source . with only kustomize installed', () => {
    expect(inRepo(['init', '-u', 'https://github.com/contoso/gitops']).status).toBe(0);

    const dryRun = inRepo(['flux', 'config', 'create', '-f', 'clusters/staging.yaml', '--dry-run'], { PATH: onlyKustomize });
    expect(dryRun.status).toBe(0);
    const rendered = parseAllDocuments(dryRun.stdout).map((d) => d.toJS() as Item);
    expect(rendered.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['FluxConfig/cluster-config', 'GitRepository/cluster-config', 'Kustomization/cluster-config-infra', 'Kustomization/cluster-config-apps']);

    if (!tool) return;
    const build = inRepo(['flux', 'config', 'build', '-f', 'clusters/staging.yaml', '--source', '.', '--verbose'], { PATH: onlyKustomize });
    expect(build.stderr).not.toMatch(/ERROR/);
    expect(build.status).toBe(0);
    // One YAML stream per kustomization, each introduced by a comment that names it.
    expect(build.stdout).toMatch(/^---\n# Kustomization cluster-config\/cluster-config-infra \(infra\): \.\/infrastructure, 4 objects\n/);
    expect(build.stdout).toMatch(/\n---\n# Kustomization cluster-config\/cluster-config-apps \(apps\): \.\/apps\/staging, 2 objects\n/);
    const objects = parseAllDocuments(build.stdout).map((d) => d.toJS() as Item);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'HelmRelease/ingress-nginx', 'Namespace/ingress-nginx', 'HelmRepository/ingress-nginx', 'HelmRepository/podinfo', 'Namespace/podinfo', 'HelmRelease/podinfo',
    ]);
    const podinfo = objects.find((o) => o.kind === 'HelmRelease' && o.metadata.name === 'podinfo')!;
    expect(podinfo.spec!.values.ui.message).toBe('Staging'); // the overlay's patch
    // --verbose says which kustomize, and its version; the plain directory needed none.
    expect(build.stderr).toMatch(new RegExp(`INFO: kustomize: ${tool.kind} v\\S+.* \\(${join(onlyKustomize, tool.kind).replace(/[/.]/g, '\\$&')}\\)`));
    expect(build.stderr).toMatch(/INFO: cluster-config-infra: \.\/infrastructure, a plain directory, built without kustomize: 4 objects/);
  });
});

describe('output and selection', () => {
  beforeAll(() => {
    removeDir(repo);
    mkdirSync(repo);
    expect(inRepo(['init']).status).toBe(0);
  });

  test('-o json is one v1 List; each object carries its Kustomization in its labels', () => {
    const r = inRepo(['flux', 'config', 'build', '-f', 'clusters/production.yaml', '--source', '.', '-k', 'infra', '-o', 'json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    expect(items(r).map((o) => o.metadata.labels!['kustomize.toolkit.fluxcd.io/name'])).toEqual(Array(4).fill('cluster-config-infra'));
  });

  test('-k NAME builds that kustomization only; an unknown one is a usage error', () => {
    const r = inRepo(['flux', 'config', 'build', '-f', 'clusters/staging.yaml', '-k', 'infra', '-o', 'table'], { PATH: '' });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^Kustomization +Kind +Namespace +Name/);
    expect(r.stdout).not.toMatch(/^apps /m);
    const bad = inRepo(['flux', 'config', 'build', '-f', 'clusters/staging.yaml', '-k', 'nope']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/-k\/--kustomization: the configuration has no kustomization 'nope'/);
    expect(bad.stderr).toMatch(/Its kustomizations: infra, apps/);
  });

  test('without kustomize, an overlay is refused with exit 2; the plain directory still builds', () => {
    const r = inRepo(['flux', 'config', 'build', '-f', 'clusters/staging.yaml'], { PATH: '' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/ERROR: kustomization 'apps' \(\.\/apps\/staging\) needs kustomize \(it has a kustomization file\), and neither kustomize nor kubectl is on PATH/);
    expect(inRepo(['flux', 'config', 'build', '-f', 'clusters/staging.yaml', '-k', 'infra'], { PATH: '' }).status).toBe(0);
  });

  test('a create command line works as it is, cluster arguments included', () => {
    const r = inRepo(['flux', 'config', 'build', '-g', 'rg', '-c', 'aks1', '-t', 'managedClusters', '-n', 'cfg', '--namespace', 'team-a',
      '-u', 'https://github.com/contoso/gitops', '--branch', 'main', '-k', 'name=infra', 'path=./infrastructure', 'prune=true', '--source', '.', '-o', 'json']);
    expect(r.status).toBe(0);
    expect(items(r)[0]!.metadata.labels).toMatchObject({ 'kustomize.toolkit.fluxcd.io/name': 'cfg-infra', 'kustomize.toolkit.fluxcd.io/namespace': 'team-a' });
  });

  test('--source must be a directory', () => {
    const r = inRepo(['flux', 'config', 'build', '-f', 'clusters/staging.yaml', '--source', 'README.md']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--source: 'README.md' is not a directory/);
  });
});

describe('substitution', () => {
  let app: string;
  beforeAll(() => {
    app = join(dir, 'app');
    mkdirSync(join(app, 'manifests'), { recursive: true });
    writeFileSync(join(app, 'manifests', 'settings.yaml'), [
      'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: settings', '  namespace: apps', 'data:',
      '  region: ${region}', '  token: ${token}', '  replicas: "${replicas:=2}"', '  mode: "on"', '',
    ].join('\n'));
    writeFileSync(join(app, 'vars.yaml'), [
      'apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: cluster-vars}', 'data: {region: westeurope}', '---',
      'apiVersion: v1', 'kind: Secret', 'metadata: {name: cluster-secrets}', `data: {token: ${Buffer.from('tok-123456789').toString('base64')}}`, '',
    ].join('\n'));
  });

  const build = (extra: string[]): CliResult =>
    runCli(['flux', 'config', 'build', '-n', 'app', '-u', 'https://github.com/contoso/app', '--branch', 'main',
      '-k', 'name=manifests', 'path=./manifests', 'substitute_from=ConfigMap/cluster-vars', 'substitute_from=Secret/cluster-secrets', ...extra], { cwd: app });

  test('variables from ConfigMaps and Secrets in files; a secret value never reaches the output', () => {
    const r = build(['--substitute-from-file', 'vars.yaml', '--source', '.']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('region: westeurope');
    expect(r.stdout).toContain('token: "[REDACTED]"');
    expect(r.stdout).not.toContain('tok-123456789');
    expect(r.stdout).toContain('replicas: "2"');
    // Output for YAML 1.1 readers: a string that would read as a boolean stays quoted.
    expect(r.stdout).toContain('mode: "on"');
  });

  test('a Secret or ConfigMap substitute_from names and nobody gives is an error, exit 2', () => {
    const r = build(['--source', '.']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/ERROR: kustomization 'manifests' \(\.\/manifests\): substitute from 'ConfigMap\/cluster-vars' error: not found/);
  });

  test('--strict-substitute refuses a variable without value or default', () => {
    writeFileSync(join(app, 'partial.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cluster-vars}\ndata: {region: x}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: cluster-secrets}\ndata: {}\n');
    expect(build(['--substitute-from-file', 'partial.yaml']).status).toBe(0);
    const r = build(['--substitute-from-file', 'partial.yaml', '--strict-substitute']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/ConfigMap apps\/settings \(manifests\/settings.yaml\): variable substitution failed: variable not set \(strict mode\): "token"/);
  });
});
