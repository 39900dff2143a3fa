/**
 * Paths that send nothing to Azure load no SDK: help,
 * version, a usage error and every dry run must not load @azure/*, @kubernetes/*, ora or
 * inquirer. Proven with a Node --import preload that records every module the process resolves
 * (test/helpers/trace-imports.mjs), with a positive control showing the preload does see an
 * @azure/* package when one is loaded, by import() and by require().
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FAKE_SUBSCRIPTION, ROOT, makeTempDir, removeDir, runCli, type CliResult } from '../helpers/cli.js';

const HOOK = pathToFileURL(join(ROOT, 'test', 'helpers', 'trace-imports.mjs')).href;

interface TraceEntry {
  via: 'preload' | 'import' | 'require';
  specifier?: string;
  url: string;
  parent?: string | null;
}

/** Modules that must stay out of the offline paths, by resolved URL. */
const HEAVY_URL = /\/node_modules\/(@azure\/|@kubernetes\/|ora\/|inquirer\/|@inquirer\/)/;
/** The same, by the specifier asked for (in case resolution went elsewhere). */
const HEAVY_SPECIFIER = /^(@azure\/|@kubernetes\/|ora$|ora\/|inquirer$|inquirer\/|@inquirer\/)/;

let dir: string;
let counter = 0;

beforeAll(() => {
  dir = makeTempDir();
});

afterAll(() => {
  removeDir(dir);
});

function traced(args: string[], options: { script?: string | null; nodeArgs?: string[]; cwd?: string } = {}): { result: CliResult; trace: TraceEntry[] } {
  const file = join(dir, `trace-${++counter}.jsonl`);
  const result = runCli(args, {
    nodeArgs: ['--import', HOOK, ...(options.nodeArgs ?? [])],
    env: { K8S_GITOPS_TRACE_FILE: file },
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

function heavy(trace: TraceEntry[]): string[] {
  return trace.filter((e) => HEAVY_URL.test(e.url) || (e.specifier !== undefined && HEAVY_SPECIFIER.test(e.specifier))).map((e) => `${e.via} ${e.specifier ?? ''} -> ${e.url}`);
}

const TUTORIAL = [
  'flux', 'config', 'create', '-g', 'rg', '-c', 'aks1', '-t', 'managedClusters', '-n', 'cluster-config', '--namespace', 'cluster-config',
  '--scope', 'cluster', '-u', 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', '--branch', 'main',
  '-k', 'name=infra', 'path=./infrastructure', 'prune=true', '-k', 'name=apps', 'path=./apps/staging', 'prune=true', 'depends_on=infra',
];

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
];

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

describe('offline paths load no SDK, no spinner, no prompt library', () => {
  test.each(OFFLINE_RUNS)('%s', (_label, args, status) => {
    const { result, trace } = traced(args);
    expect(result.status).toBe(status);
    // The preload was active and saw the CLI's own modules being loaded.
    expect(trace.some((e) => e.via === 'preload')).toBe(true);
    expect(trace.some((e) => /\/dist\/main\.js$/.test(e.url))).toBe(true);
    expect(heavy(trace)).toEqual([]);
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
