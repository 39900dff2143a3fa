/**
 * `init` through the built CLI, and the templates it writes. Every template, with the default
 * values and with generated unusual ones, must give a repository where each Flux object
 * validates against its CRD, each clusters/*.yaml renders with `flux config create -f
 * --dry-run` into valid Flux objects and a valid ARM body, and each kustomization builds into
 * valid Flux objects. And init refuses, with exit 2 and nothing written, what it should.
 */
import { describe, test, expect, beforeEach, afterEach } from '@jest/globals';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { findKustomize } from '../../src/build/kustomize.js';
import { PLACEHOLDER_URL } from '../../src/commands/init.js';
import { listTemplates } from '../../src/scaffold/templates.js';
import { FAKE_SUBSCRIPTION, makeTempDir, removeDir, runCli, type CliResult } from '../helpers/cli.js';
import { validateArmRequest, validateKubeObject } from '../helpers/schema.js';

let dir: string;
beforeEach(() => {
  dir = makeTempDir('k8s-gitops-init-');
});
afterEach(() => removeDir(dir));

function files(root: string, rel = ''): string[] {
  return readdirSync(join(root, rel)).flatMap((e) => {
    const p = rel ? `${rel}/${e}` : e;
    return statSync(join(root, p)).isDirectory() ? files(root, p) : [p];
  }).sort();
}

const isFlux = (o: { apiVersion?: unknown }): boolean => typeof o.apiVersion === 'string' && /\.toolkit\.fluxcd\.io\//.test(o.apiVersion);

/** Patch files that kustomization files of the repository apply (partial objects, checked after the build). */
function patchFiles(root: string): Set<string> {
  const out = new Set<string>();
  for (const f of files(root).filter((p) => /(^|\/)kustomization\.ya?ml$/.test(p))) {
    const k = parseYaml(readFileSync(join(root, f), 'utf8')) as { patches?: Array<{ path?: string }> };
    const base = f.split('/').slice(0, -1).join('/');
    for (const p of k.patches ?? []) if (p.path) out.add(join(base, p.path));
  }
  return out;
}

function ok(r: CliResult, what: string): void {
  expect({ what, status: r.status, errors: r.stderr.split('\n').filter((l) => l.startsWith('ERROR')) }).toEqual({ what, status: 0, errors: [] });
}

interface Values {
  name: string;
  namespace: string;
  url: string;
  branch: string;
}

const DEFAULTS: Values = { name: 'cluster-config', namespace: 'cluster-config', url: PLACEHOLDER_URL, branch: 'main' };

/** Unusual but valid values: dots in names, long names, URLs of every git form, branches YAML must quote. */
function generatedValues(seed: number): Values[] {
  let s = seed;
  const rand = (n: number): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
  const label = (max: number): string => {
    const chars = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const len = 1 + rand(max);
    let out = chars[rand(26)]!;
    while (out.length < len) out += rand(5) === 0 && out.length < len - 1 ? '-' : chars[rand(36)]!;
    return out;
  };
  const urls = ['https://dev.azure.com/org/project/_git/gitops', 'ssh://git@github.com/contoso/gitops.git', 'git@github.com:contoso/gitops.git', 'http://gitea.local:3000/a/b'];
  const branches = ['release/2.0', 'yes', 'on', '#hash', 'feature/a:b', '0777', 'null', "it's"];
  return Array.from({ length: 4 }, (_, i) => ({
    name: i === 0 ? 'a'.repeat(57) : `${label(20)}.${label(20)}`,
    namespace: i === 1 ? 'n'.repeat(63) : label(30),
    url: urls[i % urls.length]!,
    branch: branches[rand(branches.length)]!,
  }));
}

async function checkTemplate(template: string, v: Values, root: string): Promise<void> {
  const args = ['init', root, '--template', template, '-n', v.name, '--namespace', v.namespace, '--branch', v.branch, ...(v.url === PLACEHOLDER_URL ? [] : ['-u', v.url])];
  ok(runCli(args), args.join(' '));

  // Every Flux object of the repository against its CRD; everything in the configuration's namespace.
  const patches = patchFiles(root);
  for (const file of files(root).filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('clusters/'))) {
    for (const doc of parseAllDocuments(readFileSync(join(root, file), 'utf8'))) {
      const o = doc.toJS() as { apiVersion?: string; metadata?: { namespace?: string } } | null;
      if (!o || !isFlux(o)) continue;
      expect({ file, namespace: o.metadata?.namespace }).toEqual({ file, namespace: v.namespace });
      if (!patches.has(file)) expect({ file, problems: validateKubeObject(o) }).toEqual({ file, problems: [] });
    }
  }

  const kustomize = (await findKustomize(process.env)) !== undefined;
  for (const config of files(root).filter((f) => f.startsWith('clusters/'))) {
    // The file as written holds the values given, whatever YAML needed to quote.
    const parsed = parseYaml(readFileSync(join(root, config), 'utf8')) as { name: string; properties: { namespace: string; gitRepository: { url: string; repositoryRef: { branch: string } } } };
    expect([parsed.name, parsed.properties.namespace, parsed.properties.gitRepository.url, parsed.properties.gitRepository.repositoryRef.branch]).toEqual([v.name, v.namespace, v.url, v.branch]);

    const dryRun = runCli(['flux', 'config', 'create', '-f', config, '--dry-run', '-o', 'json'], { cwd: root });
    ok(dryRun, `create -f ${config} --dry-run`);
    const items = (JSON.parse(dryRun.stdout) as { items: Array<{ kind: string; apiVersion: string }> }).items;
    expect(items.map((o) => o.kind)).toEqual(expect.arrayContaining(['GitRepository', 'Kustomization']));
    for (const o of items.filter(isFlux)) expect({ config, kind: o.kind, problems: validateKubeObject(o) }).toEqual({ config, kind: o.kind, problems: [] });

    const arm = runCli(['flux', 'config', 'create', '-g', 'rg', '-c', 'aks1', '-t', 'managedClusters', '-f', config, '--dry-run=arm', '--subscription', FAKE_SUBSCRIPTION], { cwd: root });
    ok(arm, `create -f ${config} --dry-run=arm`);
    expect(validateArmRequest('2025-04-01', 'FluxConfiguration', (JSON.parse(arm.stdout) as { body: unknown }).body)).toEqual([]);

    // What each kustomization applies: valid Flux objects, each labelled with its Kustomization.
    const kustomizations = Object.keys((parsed.properties as unknown as { kustomizations: Record<string, unknown> }).kustomizations);
    for (const k of kustomizations) {
      const build = runCli(['flux', 'config', 'build', '-f', config, '--source', '.', '-k', k, '-o', 'json'], { cwd: root });
      if (build.status === 2 && /needs kustomize/.test(build.stderr) && !kustomize) {
        console.warn(`skipped: neither kustomize nor kubectl is on PATH, so ${config}'s kustomization ${k} is not built here`);
        continue;
      }
      ok(build, `build -f ${config} -k ${k}`);
      const built = (JSON.parse(build.stdout) as { items: Array<{ apiVersion: string; kind: string; metadata: { labels: Record<string, string> } }> }).items;
      expect(built.length).toBeGreaterThan(0);
      for (const o of built) {
        expect(o.metadata.labels['kustomize.toolkit.fluxcd.io/name']).toBe(`${v.name}-${k}`);
        if (isFlux(o)) expect({ config, k, kind: o.kind, problems: validateKubeObject(o) }).toEqual({ config, k, kind: o.kind, problems: [] });
      }
    }
  }
}

describe('every template gives a valid repository', () => {
  test('the templates are multi-env and minimal', () => {
    expect(listTemplates()).toEqual(['minimal', 'multi-env']);
  });

  test.each(listTemplates())('%s, with the default values', async (template) => {
    await checkTemplate(template, DEFAULTS, join(dir, 'repo'));
  }, 120_000);

  test.each(listTemplates())('%s, with generated unusual values', async (template) => {
    for (const [i, v] of generatedValues(template.length).entries()) await checkTemplate(template, v, join(dir, `repo-${i}`));
  }, 240_000);
});

describe('what init writes and says', () => {
  test('multi-env: the tutorial layout, a README, and the next commands', () => {
    const r = runCli(['init', join(dir, 'repo')]);
    ok(r, 'init');
    expect(files(join(dir, 'repo'))).toEqual([
      '.sourceignore', 'README.md',
      'apps/base/podinfo/kustomization.yaml', 'apps/base/podinfo/namespace.yaml', 'apps/base/podinfo/release.yaml',
      'apps/production/kustomization.yaml', 'apps/production/podinfo-values.yaml',
      'apps/staging/kustomization.yaml', 'apps/staging/podinfo-values.yaml',
      'clusters/production.yaml', 'clusters/staging.yaml',
      'infrastructure/ingress-nginx/release.yaml', 'infrastructure/namespaces.yaml', 'infrastructure/sources/helm-repositories.yaml',
    ]);
    expect(r.stdout).toMatch(/^Action +File\n/);
    expect(r.stdout).toMatch(/^created +clusters\/staging\.yaml$/m);
    expect(r.stderr).toMatch(/WARNING: clusters\/production\.yaml and clusters\/staging\.yaml point at a placeholder URL/);
    expect(r.stderr).toContain('k8s-gitops flux config build -f clusters/staging.yaml --source .');
    expect(r.stderr).toContain('k8s-gitops flux config create -g RESOURCE_GROUP -c CLUSTER -t managedClusters -f clusters/staging.yaml');
    const readme = readFileSync(join(dir, 'repo', 'README.md'), 'utf8');
    for (const part of ['infrastructure/', 'apps/base/', 'apps/staging/', 'clusters/staging.yaml', 'k8s-gitops flux config build', 'k8s-gitops flux config create']) expect(readme).toContain(part);
  });

  test('minimal: one plain-YAML app and clusters/default.yaml; -o json lists what was written', () => {
    const r = runCli(['init', join(dir, 'repo'), '--template', 'minimal', '-u', 'https://github.com/contoso/app', '-o', 'json']);
    ok(r, 'init minimal');
    const out = JSON.parse(r.stdout) as { template: string; files: Array<{ file: string; action: string }> };
    expect(out.template).toBe('minimal');
    expect(out.files.map((f) => f.file)).toEqual(['.sourceignore', 'README.md', 'apps/hello/deployment.yaml', 'apps/hello/namespace.yaml', 'apps/hello/service.yaml', 'clusters/default.yaml']);
    expect(out.files.every((f) => f.action === 'created')).toBe(true);
    expect(r.stderr).not.toMatch(/placeholder/);
  });

  test('a directory that is not empty is refused, with nothing written; a .git folder alone is fine', () => {
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, '.git'), { recursive: true });
    ok(runCli(['init', repo, '--template', 'minimal']), 'init next to .git');
    const other = join(dir, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'mine');
    const r = runCli(['init', other]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/ERROR: '.*other' is not empty \(1 entry\)/);
    expect(r.stderr).toMatch(/--force/);
    expect(readdirSync(other)).toEqual(['notes.txt']);
  });

  test('--force overwrites what differs, lists it, and leaves the rest alone', () => {
    const repo = join(dir, 'repo');
    ok(runCli(['init', repo]), 'first init');
    writeFileSync(join(repo, 'README.md'), 'changed');
    writeFileSync(join(repo, 'mine.txt'), 'kept');
    const r = runCli(['init', repo, '--force', '-u', 'https://github.com/contoso/gitops']);
    ok(r, 'init --force');
    const actions = Object.fromEntries(r.stdout.trim().split('\n').slice(2).map((l) => l.trim().split(/\s+/).reverse()));
    expect(actions['README.md']).toBe('overwritten');
    expect(actions['clusters/staging.yaml']).toBe('overwritten'); // the URL changed
    expect(actions['apps/base/podinfo/release.yaml']).toBe('unchanged');
    expect(readFileSync(join(repo, 'mine.txt'), 'utf8')).toBe('kept');
    expect(readFileSync(join(repo, 'clusters', 'staging.yaml'), 'utf8')).toContain('url: https://github.com/contoso/gitops');
  });

  test('--force never writes through a symbolic link', () => {
    const repo = join(dir, 'repo');
    const outside = join(dir, 'outside');
    mkdirSync(repo);
    mkdirSync(outside);
    symlinkSync(outside, join(repo, 'clusters'));
    const r = runCli(['init', repo, '--force']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/clusters .* is a symbolic link/);
    expect(readdirSync(outside)).toEqual([]);
    expect(existsSync(join(repo, 'README.md'))).toBe(false);
  });

  test.each([
    [['--name', 'Not_Valid'], /-n\/--name: 'Not_Valid' is not a valid configuration name/],
    [['--namespace', 'a.b'], /--namespace: 'a.b' is not a valid namespace/],
    [['-u', 'ftp://example.com/repo'], /-u\/--url: 'ftp:\/\/example.com\/repo' is not a URL --kind git can use/],
    [['--branch', 'two words'], /--branch: a branch name has no spaces/],
    [['--template', 'nope'], /--template: 'nope' is not one of the accepted values/],
    [['--name', 'x'.repeat(60)], /-n\/--name: the Flux Kustomization for 'infra' would be named .* \(66 characters\); Kubernetes allows 63/],
  ])('%j is refused before anything is written', (flags, message) => {
    const repo = join(dir, 'repo');
    const r = runCli(['init', repo, ...flags]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(repo)).toBe(false);
  });
});
