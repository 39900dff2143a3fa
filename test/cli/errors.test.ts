/**
 * Usage errors, through the built CLI: exit code 2, nothing on stdout, and one
 * `ERROR:` line on stderr that names the flag and the value that is wrong. No stack traces.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { linesStartingWith, makeTempDir, removeDir, runCli } from '../helpers/cli.js';

const TUTORIAL_URL = 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt';

/** A valid git configuration; each case adds or replaces what makes it wrong. */
const CLUSTER = ['-g', 'rg', '-c', 'aks1', '-t', 'managedClusters'];
const VALID = ['flux', 'config', 'create', ...CLUSTER, '-n', 'cluster-config', '-u', TUTORIAL_URL, '--branch', 'main', '-k', 'name=infra', 'path=./infrastructure'];

let dir: string;
let unknownFieldFile: string;

beforeAll(() => {
  dir = makeTempDir();
  unknownFieldFile = join(dir, 'cluster-config.yaml');
  writeFileSync(
    unknownFieldFile,
    ['name: cluster-config', 'properties:', '  scope: cluster', '  sourceKind: GitRepository', '  colour: blue', ''].join('\n'),
  );
});

afterAll(() => {
  removeDir(dir);
});

interface Case {
  name: string;
  args: () => string[];
  /** Each must appear in the ERROR line. */
  mentions: () => string[];
}

const CASES: Case[] = [
  { name: 'unknown option', args: () => [...VALID, '--dry-run', '--bogus-flag'], mentions: () => ['--bogus-flag'] },
  { name: 'bad -o value', args: () => [...VALID, '--dry-run', '-o', 'xml'], mentions: () => ['--output', 'xml'] },
  { name: 'bad --query JMESPath', args: () => [...VALID, '--dry-run', '--query', 'items[.'], mentions: () => ['--query', 'items[.'] },
  { name: 'bad -t', args: () => ['flux', 'config', 'create', '-g', 'rg', '-c', 'aks1', '-t', 'fooClusters', '-n', 'cfg', '-u', TUTORIAL_URL, '--branch', 'main', '-k', 'name=a', '--dry-run=arm'], mentions: () => ['--cluster-type', 'fooClusters'] },
  { name: 'bad duration (az would read 5m30 as 5m)', args: () => [...VALID, '--dry-run', '--interval', '5m30'], mentions: () => ['--interval', '5m30'] },
  { name: 'bad boolean in -k prune=maybe', args: () => [...VALID, '-k', 'name=apps', 'prune=maybe', '--dry-run'], mentions: () => ['--kustomization', 'prune', 'maybe'] },
  { name: 'unknown -k key', args: () => [...VALID, '-k', 'name=apps', 'colour=blue', '--dry-run'], mentions: () => ['--kustomization', 'colour'] },
  { name: 'duplicate kustomization', args: () => [...VALID, '-k', 'name=infra', 'path=./other', '--dry-run'], mentions: () => ['--kustomization', 'infra'] },
  { name: 'kustomization without a name', args: () => [...VALID, '-k', 'path=./apps/staging', '--dry-run'], mentions: () => ['--kustomization', 'name'] },
  {
    name: 'missing configuration name',
    args: () => ['flux', 'config', 'create', ...CLUSTER, '-u', TUTORIAL_URL, '--branch', 'main', '-k', 'name=infra', '--dry-run'],
    mentions: () => ['--name'],
  },
  { name: 'foreign flag (--bucket-name with git)', args: () => [...VALID, '--bucket-name', 'my-bucket', '--dry-run'], mentions: () => ['--bucket-name', 'git'] },
  { name: '-f file that does not exist', args: () => [...VALID, '-f', join(dir, 'missing.yaml'), '--dry-run'], mentions: () => ['--file', 'missing.yaml'] },
  { name: '-f file with an unknown field', args: () => ['flux', 'config', 'create', ...CLUSTER, '-f', unknownFieldFile, '--dry-run'], mentions: () => ['--file', 'colour'] },
  { name: 'bad --dry-run target', args: () => [...VALID, '--dry-run=plan'], mentions: () => ['--dry-run', 'plan'] },
  { name: 'bad -o value on extension create', args: () => ['extension', 'create', ...CLUSTER, '--dry-run=arm', '-o', 'xml'], mentions: () => ['--output', 'xml'] },
  { name: 'bad -t on extension create', args: () => ['extension', 'create', '-g', 'rg', '-c', 'aks1', '-t', 'fooClusters', '--dry-run=arm'], mentions: () => ['--cluster-type', 'fooClusters'] },
];

describe('usage errors exit 2 with one ERROR line naming the flag and the value', () => {
  test.each(CASES.map((c): [string, Case] => [c.name, c]))('%s', (_name, c) => {
    const result = runCli(c.args());
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    const errors = linesStartingWith(result.stderr, 'ERROR:');
    expect(errors).toHaveLength(1);
    for (const word of c.mentions()) expect({ word, in: errors[0] }).toEqual({ word, in: expect.stringContaining(word) });
    // The message is one line: anything else on stderr is a hint or a warning.
    for (const line of result.stderr.split('\n').filter((l) => l !== '')) expect(line).toMatch(/^(ERROR|HINT|WARNING):/);
    // No stack trace, no internal error.
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stderr).not.toMatch(/unexpected error/i);
  });
});

describe('without a subscription, commands that talk to Azure stop before sending anything', () => {
  test.each([
    ['flux config create', VALID],
    ['extension create', ['extension', 'create', ...CLUSTER]],
    ['flux config list', ['flux', 'config', 'list', ...CLUSTER]],
  ])('%s exits 4 and says how to sign in', (_name, args) => {
    const result = runCli(args as string[]);
    expect(result.status).toBe(4);
    expect(result.stdout).toBe('');
    expect(linesStartingWith(result.stderr, 'ERROR:')).toHaveLength(1);
    expect(result.stderr).toMatch(/--subscription|AZURE_SUBSCRIPTION_ID|az login/);
  });
});
