/**
 * The examples of the fleet commands' --help run against a generated fleet (40 clusters in two
 * subscriptions, seed 4: one staging AKS cluster without the Flux extension, one production
 * cluster failing, one offline) in the order a user would: reads and plans, the rollout, the
 * gate after it, the delete. The files they name (cluster-config.yaml, stores.txt) are the
 * user's own: the test writes them.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateFleet } from '../../emulator/fleet.js';
import { makeTempDir, removeDir, shellWords } from '../helpers/cli.js';
import { errors, useE2E, writes } from './helpers.js';

const FLEET = { clusters: 40, subscriptions: 2, seed: 4 };
const e2e = useE2E(['--operation-delay', '0', '--reconcile-delay', '400', '--retry-after', '0', '--quiet', '--graph-lag', '200', '--clusters', String(FLEET.clusters), '--subscriptions', String(FLEET.subscriptions), '--seed', String(FLEET.seed)]);
const fleet = generateFleet(FLEET);
let cwd: string;

/** `k8s-gitops …` lines after "Examples:", continuations joined. */
function examples(help: string): string[][] {
  const section = help.slice(help.indexOf('\nExamples:\n'));
  const joined = section.replace(/\\\n\s*/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('k8s-gitops fleet '))
    .map((l) => shellWords(l).slice(1));
}

const stage = (args: string[]): number => (args[1] === 'delete' && !args.includes('--dry-run') ? 3 : args.includes('--wait-for') && args[1] === 'status' ? 2 : args[1] === 'apply' && !args.includes('--dry-run') ? 1 : 0);

beforeAll(() => {
  cwd = makeTempDir('k8s-gitops-fleet-help-');
  writeFileSync(
    join(cwd, 'cluster-config.yaml'),
    ['name: cluster-config', 'properties:', '  scope: cluster', '  namespace: cluster-config', '  sourceKind: GitRepository', '  gitRepository:', '    url: https://github.com/Azure/gitops-flux2-kustomize-helm-mt', '    repositoryRef: {branch: main}', '  kustomizations:', '    infra: {path: ./infrastructure, prune: true}', '    apps: {path: ./apps/staging, prune: true, dependsOn: [infra]}', ''].join('\n'),
  );
  const ids = fleet.clusters.slice(0, 3).map((c) => `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/${c.def.rp}/${c.def.type}/${c.def.name}`);
  writeFileSync(join(cwd, 'stores.txt'), `# three stores\n${ids.join('\n')}\n`);
});

afterAll(() => {
  if (cwd) removeDir(cwd);
});

describe('the fleet examples against a generated fleet', () => {
  test('each runs, in the order of the story, and exits 0', async () => {
    const all: string[][] = [];
    for (const command of ['status', 'apply', 'delete']) {
      const help = await e2e.cliAsync(['fleet', command, '--help']);
      expect(help.status).toBe(0);
      const found = examples(help.stdout);
      expect(found.length).toBeGreaterThan(1);
      all.push(...found);
    }
    const story = all.map((args, i) => ({ args, i })).sort((a, b) => stage(a.args) - stage(b.args) || a.i - b.i);
    for (const { args } of story) {
      await e2e.clearRequests();
      const run = await e2e.cliAsync(args, { cwd, timeout: 120_000 });
      expect({ example: args.join(' '), status: run.status, errors: errors(run.stderr) }).toEqual({ example: args.join(' '), status: 0, errors: [] });
      const log = await e2e.requests();
      expect(log.filter((r) => r.status >= 400 && r.status !== 404).map((r) => `${r.status} ${r.method} ${r.path}`)).toEqual([]);
      const sent = writes(log).filter((r) => !r.path.startsWith('/providers/Microsoft.ResourceGraph'));
      if (stage(args) === 0 || stage(args) === 2) expect({ example: args.join(' '), writes: sent.length }).toEqual({ example: args.join(' '), writes: 0 });
      if (args.includes('--query')) expect(run.json()).toEqual([{ name: fleet.clusters.find((c) => c.failing)!.def.name, reason: expect.stringMatching(/BuildFailed/) }]);
    }
  }, 10 * 60_000);
});
