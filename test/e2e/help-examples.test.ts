/**
 * Every example printed by any `--help` that talks to Azure (the dry runs are run offline by
 * test/cli/help.test.ts) runs successfully against the emulator. The world they assume — the
 * tutorial configuration `cluster-config` on aks1, arc1 and arc-offline, with the Flux
 * extension — is first made through the CLI itself; the examples then run in the order a user
 * would: reads, updates, kustomization changes, deletes.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { waitFor } from '../emulator/harness.js';
import { makeTempDir, removeDir, shellWords } from '../helpers/cli.js';
import {
  useE2E, AKS, FLUX_API_VERSION, KC, ON_AKS, ON_ARC, ON_ARC_OFFLINE, TUTORIAL, errors, expectValidArmBodies, inParallel, writes, type LoggedRequest, type Run,
} from './helpers.js';

// One emulator for the file; every PUT and PATCH body it receives is checked against the swagger.
const e2e = useE2E();
let cwd: string;

/** Command paths that have subcommands (read from "Commands:" of their help). */
function subcommandsOf(help: string): string[] {
  const lines = help.split('\n');
  const at = lines.findIndex((l) => l.trim() === 'Commands:');
  if (at < 0) return [];
  const names: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (line.trim() === '') break;
    const m = /^ {2}([a-z][a-z-]*)\b/.exec(line);
    if (m && m[1] !== 'help') names.push(m[1]!);
  }
  return names;
}

/** The example command lines of one help text, with backslash continuations joined. */
function examplesOf(help: string): string[] {
  const at = help.split('\n').findIndex((l) => l.trim() === 'Examples:');
  if (at < 0) return [];
  const found: string[] = [];
  let current: string | undefined;
  for (const line of help.split('\n').slice(at + 1)) {
    if (current === undefined && line !== '' && !line.startsWith(' ')) break; // the next section
    const text = line.trim();
    if (current !== undefined) current += ` ${text}`;
    else if (text.startsWith('k8s-gitops ')) current = text;
    else continue;
    if (current.endsWith('\\')) current = current.slice(0, -1).trimEnd();
    else {
      found.push(current);
      current = undefined;
    }
  }
  return found;
}

interface Example {
  where: string;
  line: string;
  args: string[];
  /** `> FILE` at the end of the line. */
  redirect?: string;
}

/** The command words of an example, e.g. "flux config show". */
function commandOf(e: Example): string {
  const firstFlag = e.args.findIndex((a) => a.startsWith('-'));
  return (firstFlag < 0 ? e.args : e.args.slice(0, firstFlag)).join(' ');
}

/** Commands whose output is a view of their own (a table or a diff), not JSON. */
const DAY_TWO_VIEWS = ['flux config diff', 'flux config reconcile', 'flux config tree', 'flux config events'];

/** Where an example belongs in the story the examples tell, from what it does. */
function stageOf(e: Example): number {
  const command = commandOf(e);
  const is = (prefix: string): boolean => command.startsWith(prefix);
  if (e.redirect && is('flux config show')) return 1; // the first half of "edit as a file"
  if (is('status') || e.args.some((a) => a.startsWith('--dry-run'))) return 0; // reads, and dry runs that read
  if (['extension show', 'extension list', 'flux config show', 'flux config list', 'flux kustomization show', 'flux kustomization list', 'flux deployed-object'].some(is)) return 0;
  // Day two: diff sends nothing; reconcile, tree and events go to the cluster, not to Azure.
  if (DAY_TWO_VIEWS.some(is)) return 0;
  if (is('extension update') || is('flux config update') || is('flux config suspend') || is('flux config resume')) return 1;
  if (is('flux kustomization delete')) return 2;
  if (is('flux kustomization create')) return 3;
  if (is('flux kustomization update')) return 4;
  if (is('flux config delete')) return 5;
  if (is('extension delete')) return 6;
  throw new Error(`no place in the story for the help example: ${e.line} (add it to stageOf)`);
}

/** Reads every help text by walking the command tree from the root. */
async function allExamples(): Promise<Example[]> {
  const examples: Example[] = [];
  let level: string[][] = [[]];
  while (level.length > 0) {
    const helps = await Promise.all(level.map((path) => e2e.cliAsync([...path, '--help'])));
    const next: string[][] = [];
    helps.forEach((help, i) => {
      const path = level[i]!;
      expect({ path, status: help.status }).toEqual({ path, status: 0 });
      for (const line of examplesOf(help.stdout)) {
        const words = shellWords(line);
        const gt = words.indexOf('>');
        examples.push({ where: path.join(' ') || '(root)', line, args: (gt < 0 ? words : words.slice(0, gt)).slice(1), redirect: gt < 0 ? undefined : words[gt + 1] });
      }
      for (const child of subcommandsOf(help.stdout)) next.push([...path, child]);
    });
    level = next;
  }
  return examples;
}

let live: Example[] = [];

/** Each example is a whole CLI run: the time of these tests grows with the examples and with the machine's load. */
const EXAMPLES_TIMEOUT_MS = 180_000;

/**
 * Flags of examples that read a cluster's Kubernetes API through a kubeconfig: the emulator
 * serves Azure only, so those cannot run here.
 */
const NEEDS_KUBERNETES = ['--context', '--kubeconfig'];

/** Commands whose dry run sends nothing at all, not even a read. */
const OFFLINE_DRY_RUNS = ['flux config create', 'extension create'];

/** Commands that never talk to Azure: their examples run offline (test/cli/help.test.ts). */
const OFFLINE_COMMANDS = ['init', 'completion', 'flux config build'];

beforeAll(async () => {
  cwd = makeTempDir('k8s-gitops-e2e-');
  // Dry runs of create render offline (test/cli/help.test.ts runs those); the others read Azure.
  const offline = (e: Example): boolean =>
    OFFLINE_COMMANDS.some((c) => commandOf(e) === c || commandOf(e).startsWith(`${c} `)) ||
    (e.args.some((a) => a === '--dry-run' || a.startsWith('--dry-run=')) && OFFLINE_DRY_RUNS.some((c) => commandOf(e) === c));
  // The fleet commands' examples need a fleet: test/e2e/fleet-help.test.ts runs them against a generated one.
  live = (await allExamples()).filter((e) => !offline(e) && !e.args.some((a) => NEEDS_KUBERNETES.includes(a)) && e.args[0] !== 'fleet');
  live = live.map((e, i) => ({ e, i, stage: stageOf(e) })).sort((a, b) => a.stage - b.stage || a.i - b.i).map((x) => x.e);

  // The world of the examples, made through the CLI: the tutorial configuration on aks1 and
  // arc1 (each installs the Flux extension first) and on arc-offline, whose extension cannot
  // finish installing while the cluster is away, so the emulator starts it installed there.
  await e2e.reset({ extension: { 'arc-offline': 'installed' } });
  const made = await Promise.all([
    e2e.cliAsync(['flux', 'config', 'create', ...ON_AKS, ...TUTORIAL, '-o', 'none']),
    e2e.cliAsync(['flux', 'config', 'create', ...ON_ARC, ...TUTORIAL, '-o', 'none']),
    e2e.cliAsync(['flux', 'config', 'create', ...ON_ARC_OFFLINE, ...TUTORIAL, '--allow-offline', '-o', 'none']),
  ]);
  for (const run of made) expect({ status: run.status, errors: errors(run.stderr) }).toEqual({ status: 0, errors: [] });
  // Let the agent report, so the reads show a reconciled configuration.
  await waitFor(e2e.emu, `${AKS}/${KC}/fluxConfigurations/cluster-config?api-version=${FLUX_API_VERSION}`, (b) => b.properties.complianceState === 'Compliant');
}, EXAMPLES_TIMEOUT_MS);

afterAll(() => {
  if (cwd) removeDir(cwd);
});

describe('the examples of every --help against the emulator', () => {
  test('there are examples that talk to Azure in the help of every command kind', () => {
    const commands = new Set(live.map((e) => e.where));
    for (const command of ['extension update', 'extension show', 'extension list', 'extension delete', 'flux config update', 'flux config show', 'flux config list', 'flux config delete',
      'flux kustomization create', 'flux kustomization update', 'flux kustomization show', 'flux kustomization list', 'flux kustomization delete', 'flux deployed-object list', 'flux deployed-object show',
      'flux config diff', 'flux config suspend', 'flux config resume', 'flux config reconcile', 'flux config tree', 'flux config events']) {
      expect(commands).toContain(command);
    }
  });

  /** What every example must show: exit 0, no error, and data on stdout when it prints data. */
  function expectSuccess(example: Example, run: Run): void {
    expect({ example: example.line, status: run.status, errors: errors(run.stderr) }).toEqual({ example: example.line, status: 0, errors: [] });
    const output = example.args.includes('-o') ? example.args[example.args.indexOf('-o') + 1] : undefined;
    if (commandOf(example).endsWith(' delete') || output === 'none') return;
    expect({ example: example.line, stdout: run.stdout.trim().length > 0 }).toEqual({ example: example.line, stdout: true });
    if (output === undefined && !commandOf(example).startsWith('status') && !DAY_TWO_VIEWS.some((c) => commandOf(example).startsWith(c))) expect(() => run.json()).not.toThrow();
  }

  /** What the emulator received for one or more examples: something, all of it valid and accepted. */
  function expectAccepted(what: string, log: LoggedRequest[]): void {
    expect({ what, requests: log.length > 0 }).toEqual({ what, requests: true });
    expect(log.filter((r) => r.status >= 400 && r.status !== 404).map((r) => `${r.status} ${r.method} ${r.path}`)).toEqual([]);
    expectValidArmBodies(log);
  }

  test('the reads run successfully and write nothing', async () => {
    const reads = live.filter((e) => stageOf(e) === 0);
    expect(reads.length).toBeGreaterThan(10);
    await e2e.clearRequests();
    // A live watch runs until Ctrl-C: here it runs for a second, its --timeout (exit 0).
    const endless = (e: Example): boolean => e.args.includes('--watch') && !e.args.includes('--wait-for') && !e.args.includes('--timeout');
    const runs = await inParallel(reads, 3, (e) => e2e.cliAsync(endless(e) ? [...e.args, '--timeout', '1s'] : e.args, { cwd }));
    reads.forEach((e, i) => expectSuccess(e, runs[i]!));
    const log = await e2e.requests();
    expectAccepted('the reads', log);
    expect(writes(log)).toEqual([]);
  }, EXAMPLES_TIMEOUT_MS);

  test('the changes run successfully, one after the other, and send only valid requests', async () => {
    const changes = live.filter((e) => stageOf(e) > 0);
    expect(changes.length).toBeGreaterThan(10);
    const written = new Set<string>();
    for (const example of changes) {
      // The "edit" of "edit the whole configuration as a file": resume what --suspend stopped.
      const at = example.args.indexOf('-f');
      const file = at < 0 ? undefined : example.args[at + 1];
      if (file && written.has(file)) {
        const doc = parse(readFileSync(join(cwd, file), 'utf8'));
        expect(doc.suspend).toBe(true);
        doc.suspend = false;
        writeFileSync(join(cwd, file), stringify(doc));
      }
      await e2e.clearRequests();
      const run = e2e.cli(example.args, { cwd });
      expectSuccess(example, run);
      const log = await e2e.requests();
      expectAccepted(example.line, log);
      if (!example.redirect) expect({ example: example.line, writes: writes(log).length > 0 }).toEqual({ example: example.line, writes: true });
      if (example.redirect) {
        writeFileSync(join(cwd, example.redirect), run.stdout);
        written.add(example.redirect);
      }
    }
    expect(written.size).toBeGreaterThan(0);
    expect(existsSync(join(cwd, [...written][0]!))).toBe(true);
  }, EXAMPLES_TIMEOUT_MS);
});
