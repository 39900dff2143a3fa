/**
 * Help and version, through the built CLI: every group and command answers --help on stdout
 * with exit 0, command help speaks az's flag names, and every example printed in any help text
 * is extracted and actually run (help with runnable examples).
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT, makeTempDir, removeDir, runCli, shellWords, type CliResult } from '../helpers/cli.js';

const PACKAGE_VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** The groups of the command tree; some have no subcommands yet. */
const GROUPS = ['', 'extension', 'flux', 'flux config', 'flux kustomization', 'flux deployed-object', 'status', 'fleet'];

/** Commands this release must have, whatever else the tree grows. */
const REQUIRED_COMMANDS = ['extension create', 'flux config create'];

/** Commands that address no cluster: the repository's own (init, build) and the shell's (completion). */
const NO_CLUSTER = new Set(['init', 'completion', 'flux config build']);
/** Commands that print no data, so have no output arguments. */
const NO_DATA = new Set(['completion']);

/** Flags (as help prints them: short and long form) that every command addressing a cluster lists. */
const CLUSTER_FLAGS = ['-g, --resource-group', '-c, --cluster-name', '-t, --cluster-type', '--cluster-resource-provider', '--subscription'];
/** The fleet commands address a selection of clusters instead of one. */
const FLEET_FLAGS = ['--subscriptions', '-g, --resource-group', '--where', '-t, --cluster-type', '--clusters', '--graph-query'];
const GLOBAL_FLAGS = ['-o, --output', '--query', '--debug', '--verbose', '--only-show-errors', '-h, --help'];

/** az flag names each known command must list, beyond the cluster and global ones. */
const COMMAND_FLAGS: Record<string, string[]> = {
  'extension create': [
    '-n, --name',
    '--extension-type',
    '--scope',
    '--release-namespace',
    '--target-namespace',
    '--version',
    '--release-train',
    '--auto-upgrade-minor-version',
    '--config',
    '--config-protected',
    '--config-file',
    '--config-protected-file',
    '--dry-run',
  ],
  'flux config create': [
    '-n, --name',
    '-u, --url',
    '-k, --kustomization',
    '-f, --file',
    '--kind',
    '--scope',
    '--namespace',
    '--interval',
    '--timeout',
    '--suspend',
    '--local-auth-ref',
    '--branch',
    '--tag',
    '--semver',
    '--commit',
    '--ssh-private-key',
    '--ssh-private-key-file',
    '--https-user',
    '--https-key',
    '--https-ca-cert',
    '--https-ca-cert-file',
    '--known-hosts',
    '--known-hosts-file',
    '--bucket-name',
    '--bucket-access-key',
    '--bucket-secret-key',
    '--bucket-insecure',
    '--container-name',
    '--account-key',
    '--sas-token',
    '--sp-client-id',
    '--sp-tenant-id',
    '--sp-client-secret',
    '--sp-client-cert',
    '--mi-client-id',
    '--dry-run',
  ],
};

/** az's alternative spellings, named in the help so a pasted az command is understood. */
const COMMAND_ALIASES: Record<string, string[]> = {
  'extension create': ['--auto-upgrade', '--configuration-settings', '--config-protected-settings', '--cluster-rp'],
  'flux config create': ['--cluster-rp', '--ns', '--sync-interval', '--local-ref', '--service-principal-client-id', '--managed-identity-client-id'],
};

function helpOf(path: string): CliResult {
  return runCli([...(path ? path.split(' ') : []), '--help']);
}

/** Names listed under "Commands:" in a help text (commander's own `help` command left out). */
function subcommands(help: string): string[] {
  const lines = help.split('\n');
  const start = lines.findIndex((l) => /^Commands:\s*$/.test(l));
  if (start < 0) return [];
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break;
    if (!/^ {2}\S/.test(line)) continue; // wrapped description
    const name = line.trim().split(/\s+/)[0]!;
    if (name !== 'help') names.push(name);
  }
  return names;
}

/** The example command lines of a help text: `k8s-gitops …` lines after "Examples:", continuations joined. */
function examples(help: string): string[] {
  const lines = help.split('\n');
  const out: string[] = [];
  let inExamples = false;
  let pending: string | undefined;
  for (const line of lines) {
    if (/^Examples:\s*$/.test(line)) {
      inExamples = true;
      continue;
    }
    if (!inExamples) continue;
    if (pending !== undefined) {
      pending += ` ${line.trim()}`;
    } else if (line.trim() === '' || line.trim().startsWith('#')) {
      continue;
    } else if (!/^\s/.test(line)) {
      inExamples = false; // the next section of the help
      continue;
    } else if (line.trim().startsWith('k8s-gitops ')) {
      pending = line.trim();
    } else {
      continue;
    }
    if (pending.endsWith('\\')) {
      pending = pending.slice(0, -1).trimEnd();
    } else {
      out.push(pending);
      pending = undefined;
    }
  }
  if (pending !== undefined) throw new Error(`example ends with a line continuation: ${pending}`);
  return out;
}

/** Walks the command tree from the root help. */
function discoverTree(): { helps: Map<string, CliResult>; commands: string[] } {
  const helps = new Map<string, CliResult>();
  const commands: string[] = [];
  const queue = [''];
  while (queue.length > 0) {
    const path = queue.shift()!;
    const result = helpOf(path);
    helps.set(path, result);
    const children = subcommands(result.stdout);
    for (const child of children) queue.push(path ? `${path} ${child}` : child);
    if (children.length === 0 && !GROUPS.includes(path)) commands.push(path);
  }
  return { helps, commands };
}

const tree = discoverTree();

/** A FluxConfiguration in the ARM shape: what a user keeps in cluster-config.yaml for `-f`. */
const CLUSTER_CONFIG_FILE = `name: cluster-config
properties:
  scope: cluster
  namespace: cluster-config
  sourceKind: GitRepository
  gitRepository:
    url: https://github.com/Azure/gitops-flux2-kustomize-helm-mt
    repositoryRef:
      branch: main
  kustomizations:
    infra:
      path: ./infrastructure
      prune: true
    apps:
      path: ./apps/staging
      prune: true
      dependsOn:
        - infra
`;

describe('--help on every group', () => {
  test('the tree has every group and command', () => {
    for (const group of GROUPS) expect(tree.helps.has(group)).toBe(true);
    for (const command of REQUIRED_COMMANDS) expect(tree.commands).toContain(command);
  });

  test.each(GROUPS.map((g) => [g || '(root)', g]))('%s --help exits 0 with usage on stdout', (_label, group) => {
    const result = tree.helps.get(group)!;
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(new RegExp(`^Usage: k8s-gitops${group ? ` ${group}` : ''} \\[options\\]`));
    expect(result.stdout).toMatch(/^ {2}-h, --help\b/m);
  });

  test('root help lists the top-level groups and the exit codes', () => {
    const help = tree.helps.get('')!.stdout;
    expect(subcommands(help)).toEqual(expect.arrayContaining(['extension', 'flux', 'status']));
    expect(help).toMatch(/Exit codes:/);
    for (const code of ['0 ok', '1 error', '2 invalid input', '3 not found', '4 not authorised', '5 timed out', '6 failed', '7 differences (diff --exit-code)', '130 interrupted']) {
      expect(help).toContain(code);
    }
  });

  test("every exit code the CLI has is in the README's table and the root help, and no other", async () => {
    const { ExitCode } = await import('../../src/core/errors.js');
    const codes = [...new Set(Object.values(ExitCode))].sort((a, b) => a - b);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('### Exit codes'));
    const rows = [...table.slice(0, table.indexOf('\n\n', table.indexOf('| Code |'))).matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
    expect(rows).toEqual(codes);
    const help = tree.helps.get('')!.stdout;
    const listed = [...help.slice(help.indexOf('Exit codes:')).matchAll(/\b(\d+) [a-z]/g)].map((m) => Number(m[1]));
    // 143 (SIGTERM) is what shells report anyway; the help names the rest.
    expect(listed).toEqual(codes.filter((c) => c !== ExitCode.terminated));
    expect(table).toMatch(/^\| 7 \| `flux config diff --exit-code` found differences/m);
  });

  test('-h is the same as --help', () => {
    const short = runCli(['-h']);
    expect(short.status).toBe(0);
    expect(short.stdout).toBe(tree.helps.get('')!.stdout);
  });
});

describe('--help on every command', () => {
  test.each(tree.commands.map((c) => [c]))('%s --help: usage, az flag names, examples', (command) => {
    const result = tree.helps.get(command)!;
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(new RegExp(`^Usage: k8s-gitops ${command} \\[options\\]`));
    const help = result.stdout;
    const wanted = [...(command.startsWith('fleet ') ? FLEET_FLAGS : NO_CLUSTER.has(command) ? [] : CLUSTER_FLAGS), ...(NO_DATA.has(command) ? ['-h, --help'] : GLOBAL_FLAGS), ...(COMMAND_FLAGS[command] ?? [])];
    for (const flag of wanted) {
      // Each flag starts an option line of the help.
      expect({ flag, listed: new RegExp(`^ {2}${flag.replace(/[-]/g, '\\-')}\\b`, 'm').test(help) }).toEqual({ flag, listed: true });
    }
    for (const alias of COMMAND_ALIASES[command] ?? []) {
      expect({ alias, named: help.includes(alias) }).toEqual({ alias, named: true });
    }
    expect(help).toMatch(/^Examples:$/m);
    expect(examples(help).length).toBeGreaterThan(0);
  });

  test('the cluster type flag names the three cluster types', () => {
    for (const command of tree.commands.filter((c) => !NO_CLUSTER.has(c))) {
      const help = tree.helps.get(command)!.stdout;
      for (const type of ['managedClusters', 'connectedClusters', 'provisionedClusters']) expect(help).toContain(type);
    }
  });
});


/** Checks that a dry run printed what it promises: the ARM request, or the cluster objects. */
function expectDryRunOutput(args: string[], stdout: string): void {
  const output = args.find((a, i) => args[i - 1] === '-o' || args[i - 1] === '--output') ?? args.find((a) => a.startsWith('--output='))?.slice('--output='.length);
  if (args.includes('--query') || (output !== undefined && output !== 'json' && output !== 'yaml')) return;
  if (args.includes('--dry-run=arm') || (args[0] === 'extension' && args.includes('--dry-run'))) {
    const request = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(request).sort()).toEqual(['apiVersion', 'body', 'method', 'path']);
    expect(request.method).toBe('PUT');
    return;
  }
  const objects = output === 'json' ? ((JSON.parse(stdout) as { items: unknown[] }).items) : parseAllDocuments(stdout as string).map((d) => d.toJS() as unknown);
  expect(objects.length).toBeGreaterThan(1);
  for (const o of objects as Array<{ apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } }>) {
    expect(typeof o.apiVersion).toBe('string');
    expect(typeof o.kind).toBe('string');
    expect(typeof o.metadata?.name).toBe('string');
  }
}

/**
 * Commands whose dry run is offline. The others (update, kustomization changes) read the live
 * resource to print the PATCH, so their dry runs run against the emulator in test/e2e.
 */
const OFFLINE_DRY_RUNS = ['flux config create', 'extension create'];

describe('every dry-run example in every help text runs offline', () => {
  const all: Array<[string, string]> = [];
  for (const [path, result] of tree.helps) {
    for (const example of examples(result.stdout)) {
      // Examples that talk to Azure run against the emulator in test/e2e; here only offline dry runs.
      if (!/--dry-run\b/.test(example) || !OFFLINE_DRY_RUNS.some((c) => example.startsWith(`k8s-gitops ${c} `))) continue;
      all.push([path || '(root)', example]);
    }
  }

  let cwd: string;
  beforeAll(() => {
    cwd = makeTempDir();
  });
  afterAll(() => {
    removeDir(cwd);
  });

  test('there are dry-run examples to run offline', () => {
    expect(all.length).toBeGreaterThanOrEqual(4);
  });

  test.each(all)('from %s help: %s', (_where, example) => {
    const words = shellWords(example);
    expect(words[0]).toBe('k8s-gitops');
    const args = words.slice(1);
    // An example that reads a configuration file refers to the user's own file: provide one.
    for (let i = 0; i < args.length - 1; i++) {
      if (args[i] === '-f' || args[i] === '--file') {
        const file = args[i + 1]!;
        const path = isAbsolute(file) ? file : join(cwd, file);
        if (!existsSync(path)) writeFileSync(path, CLUSTER_CONFIG_FILE);
      }
    }
    const result = runCli(args, { cwd });
    expect({ example, status: result.status, stderr: result.stderr }).toEqual({ example, status: 0, stderr: expect.not.stringMatching(/^ERROR:/m) });
    expect(result.stdout.trim().length).toBeGreaterThan(0);
    expectDryRunOutput(args, result.stdout);
  });
});

describe('the examples of init, flux config build and completion run offline', () => {
  /** The arguments of each example of a command's help (after `k8s-gitops`). */
  const of = (command: string): string[][] => examples(tree.helps.get(command)?.stdout ?? '').map((e) => shellWords(e).slice(1));

  test('each init example writes a repository into an empty directory', () => {
    expect(of('init').length).toBeGreaterThanOrEqual(2);
    for (const args of of('init')) {
      const example = args.join(' ');
      const cwd = makeTempDir();
      try {
        const r = runCli(args, { cwd });
        expect({ example, status: r.status, stderr: r.stderr }).toEqual({ example, status: 0, stderr: expect.not.stringMatching(/^ERROR:/m) });
        expect(r.stdout).toMatch(/created +clusters\//);
      } finally {
        removeDir(cwd);
      }
    }
  });

  test('each build example builds the repository init writes', () => {
    expect(of('flux config build').length).toBeGreaterThanOrEqual(2);
    const cwd = makeTempDir();
    try {
      expect(runCli(['init'], { cwd }).status).toBe(0);
      for (const args of of('flux config build')) {
        const example = args.join(' ');
        const r = runCli(args, { cwd });
        expect({ example, status: r.status, stderr: r.stderr }).toEqual({ example, status: 0, stderr: expect.not.stringMatching(/^ERROR:/m) });
        expect(r.stdout.trim().length).toBeGreaterThan(0);
      }
    } finally {
      removeDir(cwd);
    }
  });

  test('each completion example prints a script', () => {
    expect(of('completion').length).toBeGreaterThanOrEqual(1);
    for (const args of of('completion')) {
      const example = args.join(' ');
      const r = runCli(args);
      expect({ example, status: r.status }).toEqual({ example, status: 0 });
      expect(r.stdout).toContain('__complete');
    }
  });
});

describe('--version', () => {
  test('prints the tool version and the ARM API versions it speaks', () => {
    const result = runCli(['--version']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`k8s-gitops ${PACKAGE_VERSION}`);
    expect(result.stdout).toContain('2025-04-01'); // fluxConfigurations
    expect(result.stdout).toContain('2023-05-01'); // extensions
    expect(result.stdout).toMatch(/fluxConfigurations\s+2025-04-01/);
    expect(result.stdout).toMatch(/extensions\s+2023-05-01/);
  });
});
