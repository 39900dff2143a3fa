/**
 * Paths that send nothing to Azure load no SDK and build no credential: help, version, a usage
 * error and every dry run must not load the bundles that hold @azure/*, @kubernetes/*, ora or
 * inquirer (dist/bundles.json says which those are), must not resolve any of them from
 * node_modules either, and must not read the variables an Azure credential reads when it is
 * constructed. Proven with a Node --import preload (test/helpers/trace-imports.mjs) that records
 * module resolutions, the files the loader reads and those variable reads, with positive
 * controls: the preload sees an @azure/* package loaded by import() and by require(), and an
 * Azure command of the built CLI, against the emulator, loads the Azure bundle and builds its
 * credential.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FAKE_SUBSCRIPTION, ROOT, makeTempDir, removeDir, runCli, type CliResult } from '../helpers/cli.js';
import { FAST, startEmulator, type RunningEmulator } from '../emulator/harness.js';
import { ON_AKS, TUTORIAL as TUTORIAL_FLAGS } from '../e2e/helpers.js';

const HOOK = pathToFileURL(join(ROOT, 'test', 'helpers', 'trace-imports.mjs')).href;

interface TraceEntry {
  via: 'preload' | 'import' | 'require' | 'read' | 'env';
  specifier?: string;
  url: string;
  parent?: string | null;
}

interface BuildManifest {
  bundles: Record<string, string[]>;
  vendors: Record<string, string>;
}

/** Packages that must stay out of the offline paths. */
const HEAVY_PACKAGE = /^(@azure\/|@kubernetes\/|ora$|inquirer$|@inquirer\/)/;
/** The same, by resolved URL and by the specifier asked for (in case resolution went elsewhere). */
const HEAVY_URL = /\/node_modules\/(@azure\/|@kubernetes\/|ora\/|inquirer\/|@inquirer\/)/;
const HEAVY_SPECIFIER = /^(@azure\/|@kubernetes\/|ora$|ora\/|inquirer$|inquirer\/|@inquirer\/)/;

let dir: string;
let counter = 0;
let manifest: BuildManifest;
/** dist/ bundles holding one of the heavy packages, by file URL. */
let heavyBundles: Map<string, string[]>;

beforeAll(() => {
  dir = makeTempDir();
  manifest = JSON.parse(readFileSync(join(ROOT, 'dist', 'bundles.json'), 'utf8')) as BuildManifest;
  heavyBundles = new Map(
    Object.entries(manifest.bundles)
      .filter(([, packages]) => packages.some((p) => HEAVY_PACKAGE.test(p)))
      .map(([name, packages]) => [pathToFileURL(join(ROOT, 'dist', name)).href, packages.filter((p) => HEAVY_PACKAGE.test(p))]),
  );
});

afterAll(() => {
  removeDir(dir);
});

function traced(args: string[], options: { script?: string | null; nodeArgs?: string[]; cwd?: string; env?: Record<string, string> } = {}): { result: CliResult; trace: TraceEntry[] } {
  const file = join(dir, `trace-${++counter}.jsonl`);
  const result = runCli(args, {
    nodeArgs: ['--import', HOOK, ...(options.nodeArgs ?? [])],
    env: { K8S_GITOPS_TRACE_FILE: file, ...options.env },
    ...(options.script !== undefined ? { script: options.script } : {}),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  });
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // no trace at all: the assertions below report it
  }
  const trace = text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as TraceEntry);
  return { result, trace };
}

/** Heavy modules resolved from node_modules, and heavy bundles read. */
function heavy(trace: TraceEntry[]): string[] {
  return trace
    .filter((e) => (e.via !== 'env' && (HEAVY_URL.test(e.url) || (e.specifier !== undefined && HEAVY_SPECIFIER.test(e.specifier)))) || (e.via === 'read' && heavyBundles.has(e.url)))
    .map((e) => `${e.via} ${e.specifier ?? ''} -> ${e.url}${heavyBundles.has(e.url) ? ` (${heavyBundles.get(e.url)!.join(', ')})` : ''}`);
}

/** Variables a credential reads when it is built. */
function credentialReads(trace: TraceEntry[]): string[] {
  return [...new Set(trace.filter((e) => e.via === 'env').map((e) => e.specifier!))].sort();
}

/** Microsoft's tutorial configuration, as in the README's quickstart. */
const TUTORIAL = ['flux', 'config', 'create', ...ON_AKS, ...TUTORIAL_FLAGS];

const OFFLINE_RUNS: Array<[string, string[], number]> = [
  ['--help', ['--help'], 0],
  ['--version', ['--version'], 0],
  ['flux config create --help', ['flux', 'config', 'create', '--help'], 0],
  ['a usage error', [...TUTORIAL, '--dry-run', '-o', 'xml'], 2],
  ['flux config create … --dry-run', [...TUTORIAL, '--dry-run'], 0],
  ['flux config create … --dry-run -o json --query', [...TUTORIAL, '--dry-run', '-o', 'json', '--query', 'items[].metadata.name'], 0],
  ['flux config create … --dry-run=arm', [...TUTORIAL, '--dry-run=arm', '--subscription', FAKE_SUBSCRIPTION], 0],
  ['extension create … --dry-run=arm', ['extension', 'create', '-g', 'rg', '-c', 'arc1', '-t', 'connectedClusters', '--dry-run=arm', '--subscription', FAKE_SUBSCRIPTION], 0],
  ['help flux config create', ['help', 'flux', 'config', 'create'], 0],
  ["az's flux create … --dry-run", ['flux', 'create', ...TUTORIAL.slice(3), '--dry-run'], 0],
  ['a mistyped choice (-t managedCluster)', ['extension', 'create', '-g', 'rg', '-c', 'aks1', '-t', 'managedCluster', '--dry-run'], 2],
  ['a bad FLUX_EXTENSION_VERSION-style flag', [...TUTORIAL, '--extension-version', 'latest'], 2],
  ...['diff', 'suspend', 'resume', 'reconcile', 'tree', 'events'].map((verb): [string, string[], number] => [`flux config ${verb} --help`, ['flux', 'config', verb, '--help'], 0]),
  ['a usage error of diff', ['flux', 'config', 'diff', ...ON_AKS, '-n', 'cluster-config', '--interval', '5 minutes'], 2],
  ['a usage error of suspend', ['flux', 'config', 'suspend', ...ON_AKS, '-n', 'Cluster_Config'], 2],
  ['a usage error of resume', ['flux', 'config', 'resume', ...ON_AKS, '-n', 'cluster-config', '--wait-timeout', 'soon'], 2],
  ['a usage error of reconcile', ['flux', 'config', 'reconcile', '--context', 'aks1', '-n', 'cluster-config', '--timeout', '5'], 2],
  ['a usage error of tree', ['flux', 'config', 'tree', '--context', 'aks1', '-n', 'cluster-config', '--namespace', 'Not_A_Namespace'], 2],
  ['a usage error of events', ['flux', 'config', 'events', '--context', 'aks1', '-n', 'cluster-config', '--for', 'Deployment/web'], 2],
  ['fleet apply --help', ['fleet', 'apply', '--help'], 0],
  ['a fleet usage error', ['fleet', 'apply', '-n', 'cluster-config', '-u', 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', '--waves', '0', '--yes'], 2],
  ['a fleet status usage error', ['fleet', 'status', '--where', 'env', 'region=eu'], 2],
  ['fleet --help', ['fleet', '--help'], 0],
  ['fleet status --help', ['fleet', 'status', '--help'], 0],
  ['help fleet delete', ['help', 'fleet', 'delete'], 0],
  ['a fleet delete usage error', ['fleet', 'delete', '-n', 'cluster-config', '--max-failures', 'some', '--yes'], 2],
  ['fleet apply without a terminal and without --yes', ['fleet', 'apply', '-n', 'cluster-config', '-u', 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt'], 2],
];

describe('the build keeps the SDKs out of the CLI bundle', () => {
  test('dist/cli.js holds none of the heavy packages; each of them is in a bundle of its own', () => {
    expect(manifest.bundles['cli.js']).toBeDefined();
    expect(manifest.bundles['cli.js']!.filter((p) => HEAVY_PACKAGE.test(p))).toEqual([]);
    for (const name of ['@azure/identity', '@azure/arm-kubernetesconfiguration', '@azure/arm-resourcegraph', '@kubernetes/client-node', 'ora', 'inquirer']) {
      const bundle = manifest.vendors[name];
      expect(bundle).toBeDefined();
      expect(heavyBundles.get(pathToFileURL(join(ROOT, 'dist', `${bundle}.js`)).href)).toContain(name);
    }
  });
});

describe('the trace preload works', () => {
  test('import() of @azure/identity is recorded as loading @azure/', () => {
    const { result, trace } = traced([], { script: null, nodeArgs: ['--input-type=module', '--eval', "await import('@azure/identity');"] });
    expect(result.status).toBe(0);
    expect(trace.some((e) => e.via === 'preload')).toBe(true);
    expect(trace.some((e) => e.via === 'import' && /\/node_modules\/@azure\/identity\//.test(e.url))).toBe(true);
    expect(heavy(trace).length).toBeGreaterThan(0);
  });

  test('require() of @azure/identity is recorded as loading @azure/', () => {
    const { result, trace } = traced([], { script: null, nodeArgs: ['--eval', "require('@azure/identity');"] });
    expect(result.status).toBe(0);
    expect(trace.some((e) => e.via === 'require' && /\/node_modules\/@azure\/identity\//.test(e.url))).toBe(true);
    expect(heavy(trace).length).toBeGreaterThan(0);
  });
});

describe('the trace sees the CLI load the Azure bundle and build a credential', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator(FAST);
  });

  afterAll(async () => {
    await emulator.stop();
  });

  test('flux config show against the emulator', () => {
    const { result, trace } = traced(['flux', 'config', 'show', '-g', 'rg', '-c', 'aks1', '-t', 'managedClusters', '-n', 'absent'], { env: emulator.env });
    expect(result.status).toBe(3); // not found: the credential was built and its token used
    const azure = pathToFileURL(join(ROOT, 'dist', `${manifest.vendors['@azure/identity']}.js`)).href;
    expect(trace.some((e) => e.via === 'read' && e.url === azure)).toBe(true);
    expect(heavy(trace).length).toBeGreaterThan(0);
    expect(credentialReads(trace)).toEqual(expect.arrayContaining(['AZURE_CLIENT_ID', 'IDENTITY_ENDPOINT']));
  });
});

describe('offline paths load no SDK, no spinner, no prompt library, and build no credential', () => {
  test.each(OFFLINE_RUNS)('%s', (_label, args, status) => {
    const { result, trace } = traced(args);
    expect(result.status).toBe(status);
    // The preload was active and saw the CLI's loader read its own bundle.
    expect(trace.some((e) => e.via === 'preload')).toBe(true);
    expect(trace.some((e) => /\/dist\/main\.js$/.test(e.url))).toBe(true);
    expect(trace.some((e) => e.via === 'read' && e.url === pathToFileURL(join(ROOT, 'dist', 'cli.js')).href)).toBe(true);
    expect(heavy(trace)).toEqual([]);
    expect(credentialReads(trace)).toEqual([]);
    // Nothing at all comes from node_modules: everything the CLI runs is in dist/.
    expect(trace.filter((e) => e.via !== 'env' && e.url.includes('/node_modules/')).map((e) => fileURLToPath(e.url))).toEqual([]);
  });
});

describe('the repository commands load no SDK either', () => {
  // Each runs in a directory of its own; init writes the repository the builds read.
  const RUNS: Array<[string, string[], number]> = [
    ['init', ['init', '--template', 'minimal'], 0],
    ['flux config build', ['flux', 'config', 'build', '-f', 'clusters/default.yaml', '--source', '.'], 0],
    ['flux config build, a usage error', ['flux', 'config', 'build', '-f', 'clusters/default.yaml', '-k', 'nope'], 2],
    ['completion bash', ['completion', 'bash'], 0],
    ['__complete (the whole command tree)', ['__complete', 'flux', 'config', 'cr'], 0],
  ];
  let repo: string;
  beforeAll(() => {
    repo = join(dir, 'repo');
    mkdirSync(repo);
  });

  test.each(RUNS)('%s', (_label, args, status) => {
    const { result, trace } = traced(args, { cwd: repo });
    expect(result.status).toBe(status);
    expect(trace.some((e) => /\/dist\/main\.js$/.test(e.url))).toBe(true);
    expect(heavy(trace)).toEqual([]);
  });
});
