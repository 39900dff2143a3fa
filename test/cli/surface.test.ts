/**
 * The command surface a user pastes into, through the built CLI (offline): az's command names
 * under `flux`, `help COMMAND`, choice flags that name the nearest accepted value, and help that
 * marks required arguments, lists a choice flag's values and wraps to the terminal's width
 * (checked on a real pseudo-terminal made by `script`).
 */
import { describe, test, expect } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { BIN, FAKE_SUBSCRIPTION, cleanEnv, makeTempDir, removeDir, runCli } from '../helpers/cli.js';

const CLUSTER = ['-g', 'rg', '-c', 'aks1', '-t', 'managedClusters'];
const TUTORIAL = [
  ...CLUSTER, '-n', 'cluster-config', '--namespace', 'cluster-config', '-u', 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', '--branch', 'main',
  '-k', 'name=infra', 'path=./infrastructure', '-k', 'name=apps', 'path=./apps/staging', 'depends_on=infra',
];

describe("az's command names under flux", () => {
  test.each(['create', 'update', 'show', 'list', 'delete'])('flux %s is the flux config command of that name (same help)', (verb) => {
    const az = runCli(['flux', verb, '--help']);
    const ours = runCli(['flux', 'config', verb, '--help']);
    expect(az.status).toBe(0);
    expect(az.stdout).toBe(ours.stdout);
    expect(az.stdout).toMatch(new RegExp(`^Usage: k8s-gitops flux config ${verb} `));
  });

  test('flux create runs flux config create: the same dry run, byte for byte', () => {
    const az = runCli(['flux', 'create', ...TUTORIAL, '--dry-run=arm', '--subscription', FAKE_SUBSCRIPTION]);
    const ours = runCli(['flux', 'config', 'create', ...TUTORIAL, '--dry-run=arm', '--subscription', FAKE_SUBSCRIPTION]);
    expect(az.status).toBe(0);
    expect(az.stderr).toBe('');
    expect(az.stdout).toBe(ours.stdout);
    expect(JSON.parse(az.stdout)).toMatchObject({ method: 'PUT', path: expect.stringContaining('/fluxConfigurations/cluster-config') });
  });

  test('the flux group says so in its help', () => {
    expect(runCli(['flux', '--help']).stdout).toContain('flux create, update, show, list and delete are flux config create');
  });

  test('a mistyped verb is answered with the nearest command', () => {
    const run = runCli(['flux', 'config', 'crate', ...TUTORIAL, '--dry-run']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/unknown command 'crate'.*\n.*Did you mean create\?|unknown command 'crate'[^\n]*\(Did you mean create\?\)/);
  });
});

describe('help COMMAND', () => {
  test.each([
    [['help', 'flux', 'config', 'create'], ['flux', 'config', 'create', '--help']],
    [['flux', 'help', 'config', 'create'], ['flux', 'config', 'create', '--help']],
    [['help', 'extension', 'update'], ['extension', 'update', '--help']],
    [['help', 'flux', 'create'], ['flux', 'config', 'create', '--help']],
    [['help'], ['--help']],
  ])('%j shows the help of %j', (asked, same) => {
    const run = runCli(asked);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(runCli(same).stdout);
  });
});

describe('choice flags name the nearest accepted value (exit 2, nothing sent)', () => {
  const extension = ['extension', 'create', ...CLUSTER, '--subscription', FAKE_SUBSCRIPTION];
  test.each([
    ['-t managedCluster', ['extension', 'create', '-g', 'rg', '-c', 'aks1', '-t', 'managedCluster', '--dry-run'], '-t/--cluster-type', 'managedClusters'],
    ['-t conectedclusters', ['extension', 'create', '-g', 'rg', '-c', 'aks1', '-t', 'conectedclusters', '--dry-run'], '-t/--cluster-type', 'connectedClusters'],
    ['-o jsn', [...extension, '--dry-run', '-o', 'jsn'], '-o/--output', 'json'],
    ['-o yml', [...extension, '--dry-run', '-o', 'yml'], '-o/--output', 'yaml'],
    ['-o tabel', [...extension, '--dry-run', '-o', 'tabel'], '-o/--output', 'table'],
    ['--dry-run=am', [...extension, '--dry-run=am'], '--dry-run', 'arm'],
    ['--dry-run=clsuter', ['flux', 'config', 'create', ...TUTORIAL, '--dry-run=clsuter'], '--dry-run', 'cluster'],
    ['--kind gti', ['flux', 'config', 'create', ...TUTORIAL, '--kind', 'gti', '--dry-run'], '--kind', 'git'],
    ['--scope namespaces', ['flux', 'config', 'create', ...TUTORIAL, '--scope', 'namespaces', '--dry-run'], '--scope', 'namespace'],
    ['--provider githb', ['flux', 'config', 'create', ...TUTORIAL, '--provider', 'githb', '--dry-run'], '--provider', 'GitHub'],
    ['--identity systemasigned', [...extension, '--extension-type', 'microsoft.dapr', '--identity', 'systemasigned', '--dry-run'], '--identity', 'SystemAssigned'],
    ['--wait-for complaint', ['status', ...CLUSTER, '--wait-for', 'complaint'], '--wait-for', 'compliant'],
  ])('%s', (_label, args, flag, nearest) => {
    const run = runCli(args);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe('');
    const [error, hint] = run.stderr.split('\n');
    expect(error).toMatch(new RegExp(`^ERROR: ${flag.replace(/[-/]/g, '\\$&')}: '[^']+' is not one of the accepted values\\.$`));
    expect(hint).toContain(`Did you mean '${nearest}'?`);
    expect(hint).toMatch(/Accepted: /);
  });

  test('a value far from every choice gets the list, without a guess', () => {
    const run = runCli(['extension', 'create', ...CLUSTER, '--dry-run', '-o', 'spreadsheet']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Accepted: json, jsonc, yaml, yamlc, table, tsv, none.');
    expect(run.stderr).not.toContain('Did you mean');
  });

  test('any letter case is accepted and spelled canonically', () => {
    const run = runCli(['extension', 'create', '-g', 'rg', '-c', 'aks1', '-t', 'MANAGEDCLUSTERS', '--dry-run=ARM', '-o', 'JSON', '--subscription', FAKE_SUBSCRIPTION]);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout).path).toContain('/Microsoft.ContainerService/managedClusters/aks1/');
  });
});

/** The option lines of a help text: from the first options heading up to the examples. */
function optionBlock(help: string): string[] {
  const lines = help.split('\n');
  const from = lines.findIndex((l) => /Arguments:$|^Options:$/.test(l));
  const to = lines.findIndex((l) => l === 'Examples:');
  return lines.slice(from, to < 0 ? undefined : to);
}

describe('help marks required arguments and lists choices', () => {
  test('mandatory options and the cluster are marked required', () => {
    const help = runCli(['flux', 'config', 'update', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/-n, --name <name> \[required\] name of the configuration/);
    expect(help).toMatch(/-g, --resource-group <name> \[required unless --cluster-id\]/);
    expect(help).toMatch(/-t, --cluster-type <type> \[required unless --cluster-id\]/);
    // An optional flag is not.
    expect(help).toMatch(/--branch <branch> branch to follow/);
  });

  test('create, which renders without a cluster, does not mark the cluster required', () => {
    const help = runCli(['flux', 'config', 'create', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toMatch(/-g, --resource-group <name> resource group of the cluster/);
    expect(help).toMatch(/-n, --name <name> \[required unless -f names it\] name of the configuration/);
  });

  test('choice flags list their values', () => {
    const help = runCli(['extension', 'create', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('-o, --output <format> output format (choices: "json", "jsonc", "yaml", "yamlc", "table", "tsv", "none")');
    expect(help).toContain('(choices: "SystemAssigned", "None")');
    expect(help).toMatch(/--dry-run \[target\] .*\(choices: "arm"/);
    expect(help).toMatch(/-t, --cluster-type <type> .*managedClusters \(AKS\), connectedClusters \(Arc\) or provisionedClusters/);
  });
});

/** Lines wider than `columns`, except a single word that cannot be broken (a long name). */
function tooWide(lines: string[], columns: number): string[] {
  return lines.filter((l) => l.length > columns && /\s/.test(l.trim()));
}

const scriptAvailable = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
const onPty = scriptAvailable ? describe : describe.skip;

/** Runs the CLI on a pseudo-terminal of `columns` columns (util-linux `script`); returns what it printed. */
function helpOnTerminal(args: string[], columns: number): string {
  const home = makeTempDir();
  try {
    const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const run = spawnSync('script', ['-qec', `stty cols ${columns} rows 40; ${quoted}`, '/dev/null'], { env: cleanEnv(home), encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(0);
    return run.stdout.replace(/\r\n/g, '\n');
  } finally {
    removeDir(home);
  }
}

onPty(`help wraps to the terminal's width${scriptAvailable ? '' : ' (SKIPPED: script is not on PATH)'}`, () => {
  test.each([60, 80, 132])('at %i columns no option line is wider than the terminal', (columns) => {
    const help = helpOnTerminal(['flux', 'config', 'create', '--help'], columns);
    const lines = optionBlock(help);
    expect(lines.length).toBeGreaterThan(50);
    expect(tooWide(lines, columns)).toEqual([]);
    // The whole width is used, not a fixed 80 columns.
    if (columns > 80) expect(Math.max(...lines.map((l) => l.length))).toBeGreaterThan(80);
  });

  test('a terminal that reports 0 columns gets 80', () => {
    const help = helpOnTerminal(['flux', 'config', 'update', '--help'], 0);
    const lines = optionBlock(help);
    expect(tooWide(lines, 80)).toEqual([]);
    expect(Math.max(...lines.map((l) => l.length))).toBeGreaterThan(60);
  });

  test('without a terminal, help is wrapped to 80 columns', () => {
    const lines = optionBlock(runCli(['flux', 'config', 'create', '--help']).stdout);
    expect(tooWide(lines, 80)).toEqual([]);
  });
});
