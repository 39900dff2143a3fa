/**
 * Building kustomizations from a checkout as kustomize-controller does: the artifact Flux sees
 * (default exclusions, .sourceignore), the kustomization Flux generates for a plain directory
 * (which files, in which order, what fails), Azure's managed-source patch, the owner labels,
 * and — where kustomize is on this machine — the same objects from kustomize itself, a checkout
 * left untouched, and remote bases refused. Tests that need kustomize say so when they skip.
 */
import { describe, test, expect, beforeEach, afterEach } from '@jest/globals';
import { mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readArtifact } from '../../src/build/artifact.js';
import { artifactPath, buildKustomizations, type BuiltKustomization } from '../../src/build/build.js';
import { errorMessage, findKustomize } from '../../src/build/kustomize.js';
import { CliError, UsageError } from '../../src/core/errors.js';
import { buildFluxConfiguration } from '../../src/model/flux-config.js';
import type { KubeObject } from '../../src/render/kube.js';
import { makeTempDir, removeDir } from '../helpers/cli.js';
import { fakeInput } from '../helpers/input.js';

let root: string;
beforeEach(() => {
  root = makeTempDir('k8s-gitops-checkout-');
});
afterEach(() => removeDir(root));

function tree(files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
}

const cm = (name: string, extra = ''): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: apps${extra}\ndata:\n  a: "1"\n`;

async function build(kustomizations: string[][], options: { kind?: string; only?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<BuiltKustomization[]> {
  const flags = options.kind === 'oci'
    ? { name: 'cfg', namespace: 'cfg-ns', kind: 'oci', url: 'oci://example.com/manifests', kustomization: kustomizations }
    : { name: 'cfg', namespace: 'cfg-ns', url: 'https://example.com/repo', branch: 'main', kustomization: kustomizations };
  const { config } = buildFluxConfiguration(flags, fakeInput());
  return buildKustomizations({ config, source: root, ...(options.only ? { only: options.only } : {}), variables: new Map(), strict: false, env: options.env ?? process.env, verbose: () => undefined });
}

const names = (objects: readonly KubeObject[]): string[] => objects.map((o) => `${o.kind}/${o.metadata.name}`);

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p, `${rel}${e}/`);
      else out[`${rel}${e}`] = readFileSync(p, 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

describe('the artifact Flux sees', () => {
  test('default exclusions and .sourceignore files (each for its own directory) leave files out', () => {
    tree({
      'a.yaml': cm('a'),
      '.github/workflows/ci.yaml': 'x',
      'logo.png': 'x',
      'deep/.sops.yaml': 'x',
      '.sourceignore': '*.tmp.yaml\n/secret/\n',
      'x.tmp.yaml': 'x',
      'secret/s.yaml': 'x',
      'sub/.sourceignore': 'local.yaml\n!keep.tmp.yaml\n',
      'sub/local.yaml': 'x',
      'local.yaml': cm('local'),
      'sub/keep.tmp.yaml': 'x',
    });
    expect(readArtifact(root).files).toEqual(['.sourceignore', 'a.yaml', 'local.yaml', 'sub/.sourceignore', 'sub/keep.tmp.yaml']);
  });

  test('symbolic links are not followed', () => {
    tree({ 'a.yaml': cm('a') });
    symlinkSync(join(root, 'a.yaml'), join(root, 'link.yaml'));
    expect(readArtifact(root).files).toEqual(['a.yaml']);
  });

  test('limits are enforced', () => {
    tree({ 'a.yaml': cm('a'), 'b.yaml': cm('b') });
    expect(() => readArtifact(root, { maxFiles: 1, maxBytes: 1e6 })).toThrow(UsageError);
    expect(() => readArtifact(root, { maxFiles: 10, maxBytes: 10 })).toThrow(UsageError);
  });

  test('a kustomization path never leaves the checkout', () => {
    for (const [given, inside] of [['./apps/staging', 'apps/staging'], ['apps/', 'apps'], ['../../etc', 'etc'], ['./', ''], [undefined, ''], ['a/../../b', 'b']] as const) {
      expect(artifactPath(given)).toBe(inside);
    }
  });
});

describe("a plain directory: Flux's generated kustomization, built without kustomize", () => {
  test('every .yaml/.yml file below the path, in walk order, documents in file order', async () => {
    tree({
      'apps/b.yaml': `${cm('b1')}---\n${cm('b2')}`,
      'apps/a.yml': cm('a'),
      'apps/sub/c.yaml': cm('c'),
      'apps/notes.txt': 'not a manifest',
      'apps/d.yaml.bak': 'ignored',
      'apps/empty.yaml': '---\n# nothing\n',
    });
    const [k] = await build([['name=apps', 'path=./apps']], { env: { PATH: '' } });
    expect(names(k!.objects)).toEqual(['ConfigMap/a', 'ConfigMap/b1', 'ConfigMap/b2', 'ConfigMap/c']);
    expect(k!.builtWith).toMatch(/without kustomize/);
  });

  test('Flux stamps its owner labels on every object', async () => {
    tree({ 'apps/a.yaml': cm('a') });
    const [k] = await build([['name=apps', 'path=./apps']]);
    expect(k!.name).toBe('cfg-apps');
    expect(k!.objects[0]!.metadata.labels).toEqual({ 'kustomize.toolkit.fluxcd.io/name': 'cfg-apps', 'kustomize.toolkit.fluxcd.io/namespace': 'cfg-ns' });
  });

  test('List kinds are unrolled; local-config objects are dropped; an empty directory builds to nothing', async () => {
    tree({
      'apps/list.yaml': `apiVersion: v1\nkind: List\nitems:\n- ${cm('i1').replace(/\n/g, '\n  ').trimEnd()}\n- ${cm('i2').replace(/\n/g, '\n  ').trimEnd()}\n`,
      'apps/local.yaml': cm('local', '\n  annotations:\n    config.kubernetes.io/local-config: "true"'),
      'empty/.keep': '',
    });
    const [apps, empty] = await build([['name=apps', 'path=./apps'], ['name=empty', 'path=./empty']]);
    expect(names(apps!.objects)).toEqual(['ConfigMap/i1', 'ConfigMap/i2']);
    expect(empty!.objects).toEqual([]);
  });

  test('a YAML file that is not a Kubernetes object fails the build, naming it', async () => {
    tree({ 'apps/a.yaml': cm('a'), 'apps/values.yaml': 'replicas: 2\n' });
    await expect(build([['name=apps', 'path=./apps']])).rejects.toThrow(/kustomization 'apps' \(\.\/apps\): failed to decode Kubernetes YAML from apps\/values.yaml: missing kind/);
  });

  test('the same object twice fails the build', async () => {
    tree({ 'apps/a.yaml': cm('same'), 'apps/b.yaml': cm('same') });
    await expect(build([['name=apps', 'path=./apps']])).rejects.toThrow(/ConfigMap apps\/same is defined twice: in apps\/a.yaml and in apps\/b.yaml/);
  });

  test('a path that is not a directory of the checkout (or is excluded) is an input error', async () => {
    tree({ 'apps/a.yaml': cm('a'), '.sourceignore': '/hidden/\n', 'hidden/a.yaml': cm('h') });
    for (const path of ['./nope', './apps/a.yaml', './hidden']) {
      await expect(build([['name=apps', `path=${path}`]])).rejects.toThrow(/is not a directory of/);
    }
  });

  test("Azure's managed-source patch points annotated HelmReleases at the configuration's GitRepository", async () => {
    const release = (name: string, annotated: boolean): string =>
      `apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: ${name}\n  namespace: cfg-ns\n${annotated ? '  annotations:\n    clusterconfig.azure.com/use-managed-source: "true"\n' : ''}spec:\n  interval: 5m\n  chart:\n    spec:\n      chart: ./charts/${name}\n`;
    tree({ 'apps/a.yaml': release('managed', true), 'apps/b.yaml': release('plain', false) });
    const [k] = await build([['name=apps', 'path=./apps']]);
    const [managed, plain] = k!.objects as Array<KubeObject & { spec: { chart: { spec: Record<string, unknown> } } }>;
    expect(managed!.spec.chart.spec.sourceRef).toEqual({ kind: 'GitRepository', name: 'cfg', namespace: 'cfg-ns' });
    expect(plain!.spec.chart.spec.sourceRef).toBeUndefined();
    // An OCI source gets no such patch.
    const [oci] = await build([['name=apps', 'path=./apps']], { kind: 'oci' });
    expect((oci!.objects[0] as typeof managed).spec.chart.spec.sourceRef).toBeUndefined();
  });

  test('the managed-source patch fails, as in kustomize, on a HelmRelease without chart.spec', async () => {
    tree({ 'apps/a.yaml': 'apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: x\n  annotations:\n    clusterconfig.azure.com/use-managed-source: "true"\nspec:\n  interval: 5m\n' });
    await expect(build([['name=apps', 'path=./apps']])).rejects.toThrow(/the patch for HelmRelease x \(apps\/a.yaml\) failed: doc is missing path/);
  });

  test('a directory with a kustomization file needs kustomize: without one it is an input error', async () => {
    tree({ 'apps/kustomization.yaml': 'resources: [a.yaml]\n', 'apps/a.yaml': cm('a'), 'plain/sub/kustomization.yaml': 'resources: []\n', 'other/a.yaml': cm('o') });
    const env = { PATH: '' };
    await expect(build([['name=apps', 'path=./apps']], { env })).rejects.toThrow(/needs kustomize \(it has a kustomization file\), and neither kustomize nor kubectl is on PATH/);
    await expect(build([['name=plain', 'path=./plain']], { env })).rejects.toThrow(/holds directories with kustomization files/);
    // The plain one alone still builds.
    const built = await build([['name=apps', 'path=./apps'], ['name=other', 'path=./other']], { env, only: ['other'] });
    expect(built.map((b) => b.key)).toEqual(['other']);
  });
});

describe('how kustomize is run', () => {
  /** A stand-in `kustomize` on PATH that reports how it was called (or hangs). */
  function fakeKustomize(): NodeJS.ProcessEnv {
    const bin = join(root, '..', `${root.split('/').pop()}-bin`);
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'kustomize'), [
      '#!/bin/sh',
      'if [ "$1" = version ]; then echo v5.4.3; exit 0; fi',
      'if [ -n "$FAKE_SLEEP" ]; then sleep "$FAKE_SLEEP"; fi',
      'k=$(base64 < "$4/kustomization.yaml" | tr -d "\\n")',
      'printf \'apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: fake\\ndata:\\n  args: "%s"\\n  kustomization: "%s"\\n  proxy: "%s"\\n\' "$*" "$k" "$HTTPS_PROXY"',
      '',
    ].join('\n'), { mode: 0o755 });
    return { PATH: `${bin}:/usr/bin:/bin` }; // kustomize is looked up before kubectl
  }

  test('kustomize build, load restrictions off, the overlay written into a copy, the network closed', async () => {
    tree({ 'app/kustomization.yaml': 'resources: [cm.yaml]\n', 'app/cm.yaml': cm('x') });
    const [k] = await build([['name=app', 'path=./app']], { env: fakeKustomize() });
    expect(k!.builtWith).toBe('kustomize v5.4.3');
    const data = (k!.objects[0] as KubeObject & { data: Record<string, string> }).data;
    expect(data.args).toMatch(/^build --load-restrictor LoadRestrictionsNone \/.*k8s-gitops-build-[^/]+\/app$/);
    const written = Buffer.from(data.kustomization!, 'base64').toString('utf8');
    expect(written).toMatch(/resources: \[ ?cm\.yaml ?\]/);
    expect(written).toMatch(/patches:[\s\S]*use-managed-source=true/); // Azure's patch, laid over the user's file
    expect(written).not.toContain('sortOptions'); // kustomize keeps the order as it is; only kubectl needs telling
    expect(data.proxy).toBe('http://127.0.0.1:9');
    expect(readFileSync(join(root, 'app', 'kustomization.yaml'), 'utf8')).toBe('resources: [cm.yaml]\n');
  });

  test('a kustomize that does not finish is stopped at the deadline: an error, not an input problem', async () => {
    tree({ 'app/kustomization.yaml': 'resources: [cm.yaml]\n', 'app/cm.yaml': cm('x') });
    const { config } = buildFluxConfiguration({ name: 'cfg', url: 'https://example.com/repo', branch: 'main', kustomization: [['name=app', 'path=./app']] }, fakeInput());
    const started = Date.now();
    const err = await buildKustomizations({ config, source: root, variables: new Map(), strict: false, env: { ...fakeKustomize(), FAKE_SLEEP: '30' }, verbose: () => undefined, timeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(err).toBeInstanceOf(CliError);
    expect(err).not.toBeInstanceOf(UsageError);
    expect((err as Error).message).toMatch(/kustomization 'app' \(\.\/app\): kustomize build did not finish within 0s/);
  });
});

describe('with kustomize', () => {
  let available = false;
  beforeEach(async () => {
    available = (await findKustomize(process.env)) !== undefined;
    if (!available) console.warn('skipped: neither kustomize nor kubectl is on PATH, so the kustomize builds are not checked here');
  });

  test('a plain directory gives the same objects from kustomize as from the built-in generator', async () => {
    if (!available) return;
    const files = {
      'b.yaml': `${cm('b1')}---\n${cm('b2', '\n  labels:\n    tier: "on"')}`,
      'a.yml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: apps\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: "nginx:1.27"}]\n',
      'sub/c.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: apps\n',
      'sub/list.yaml': `apiVersion: v1\nkind: List\nitems:\n- ${cm('i1').replace(/\n/g, '\n  ').trimEnd()}\n`,
    };
    tree(Object.fromEntries(Object.entries(files).map(([p, c]) => [`plain/${p}`, c])));
    // The same files through a kustomization file listing them in Flux's order.
    tree(Object.fromEntries(Object.entries(files).map(([p, c]) => [`wrapped/${p}`, c])));
    tree({ 'wrapped/kustomization.yaml': 'resources:\n  - ./a.yml\n  - ./b.yaml\n  - ./sub/c.yaml\n  - ./sub/list.yaml\n' });
    const [plain, wrapped] = await build([['name=plain', 'path=./plain'], ['name=wrapped', 'path=./wrapped']]);
    expect(plain!.builtWith).toMatch(/without kustomize/);
    expect(wrapped!.builtWith).toMatch(/kustomize v\d/);
    const unlabelled = (objects: KubeObject[]) => objects.map((o) => ({ ...o, metadata: { ...o.metadata, labels: Object.fromEntries(Object.entries(o.metadata.labels ?? {}).filter(([k]) => !k.startsWith('kustomize.toolkit'))) } }));
    expect(unlabelled(wrapped!.objects)).toEqual(unlabelled(plain!.objects));
    // kustomize's own order (Namespace first) is not Flux's: the resources' order is kept.
    expect(names(wrapped!.objects)[0]).toBe('Deployment/web');
  });

  test('overlays, patches and sub-directories build; the checkout is never written to', async () => {
    if (!available) return;
    tree({
      'base/kustomization.yaml': 'resources: [cm.yaml]\n',
      'base/cm.yaml': cm('settings'),
      'overlay/kustomization.yaml': 'resources: [../base]\npatches:\n  - patch: |\n      - op: replace\n        path: /data/a\n        value: "2"\n    target: {kind: ConfigMap}\n',
      'mixed/own.yaml': cm('own'),
      'mixed/base/kustomization.yaml': 'resources: [../../base]\nnamePrefix: mixed-\n',
    });
    const before = snapshot(root);
    const [overlay, mixed] = await build([['name=overlay', 'path=./overlay'], ['name=mixed', 'path=./mixed']]);
    expect((overlay!.objects[0] as KubeObject & { data: Record<string, string> }).data).toEqual({ a: '2' });
    expect(names(mixed!.objects)).toEqual(['ConfigMap/mixed-settings', 'ConfigMap/own']);
    expect(snapshot(root)).toEqual(before);
  });

  test('a kustomize error names the kustomization and the checkout, not a temporary copy', async () => {
    if (!available) return;
    tree({ 'broken/kustomization.yaml': 'resources: [missing.yaml]\n' });
    const err = (await build([['name=broken', 'path=./broken']]).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toMatch(/^kustomization 'broken' \(\.\/broken\): accumulating resources/);
    expect(err.message).toContain(join(root, 'broken', 'missing.yaml'));
    expect(err.message).not.toMatch(/k8s-gitops-build-|command failed/);
  });

  test('files outside the checkout are refused, never read (Flux cannot load them either)', async () => {
    if (!available) return;
    tree({
      'app/kustomization.yaml': 'resources: [../base]\n',
      'base/kustomization.yaml': 'resources: [cm.yaml]\nconfigMapGenerator:\n  - name: leak\n    files: [secret=../../outside.txt]\n',
      'base/cm.yaml': cm('x'),
      'abs/kustomization.yaml': 'patches:\n  - path: /etc/hostname\n',
    });
    await expect(build([['name=app', 'path=./app']])).rejects.toThrow(/refers to files outside the checkout, which Flux cannot load either: \.\.\/\.\.\/outside\.txt \(in base\/kustomization\.yaml\)/);
    await expect(build([['name=abs', 'path=./abs']])).rejects.toThrow(/outside the checkout.*\/etc\/hostname/);
  });

  test('remote bases are refused, never fetched', async () => {
    if (!available) return;
    tree({ 'remote/kustomization.yaml': 'resources:\n  - https://github.com/kubernetes-sigs/kustomize//examples/multibases?ref=v5.0.0\n' });
    await expect(build([['name=remote', 'path=./remote']])).rejects.toThrow(/uses remote bases, which a build never fetches/);
  });
});

test("kustomize's messages lose their decoration and control characters", () => {
  expect(errorMessage('Error: accumulating resources: x\n')).toBe('accumulating resources: x');
  expect(errorMessage('E1206 09:38:18.653927 9105 run.go:72] "command failed" err="accumulating resources: \\"a\\" \\u001b[31mred"\n')).toBe('accumulating resources: "a" [31mred');
  expect(errorMessage(`Error: ${'x'.repeat(10_000)}`).length).toBeLessThan(4100);
});
