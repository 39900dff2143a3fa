#!/usr/bin/env node
// Start-up benchmark: times whole processes of the built CLI beside bare `node -e ''`, in the
// same run, interleaved, and prints medians and ratios against the targets.
//   npm run bench                  # 15 rounds
//   npm run bench -- --runs 30     # more rounds
//   npm run bench -- --check       # exit 1 when a target is missed
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'k8s-gitops');
if (!existsSync(join(root, 'dist', 'main.js'))) {
  console.error('dist/main.js is missing: run npm run build first.');
  process.exit(2);
}

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 15;
const check = args.includes('--check');

const tutorial = [
  'flux', 'config', 'create', '-g', 'rg', '-c', 'aks1', '-t', 'managedClusters', '-n', 'cluster-config',
  '--namespace', 'cluster-config', '--scope', 'cluster',
  '-u', 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', '--branch', 'main',
  '-k', 'name=infra', 'path=./infrastructure', 'prune=true',
  '-k', 'name=apps', 'path=./apps/staging', 'prune=true', 'depends_on=infra',
];

const cases = [
  { name: "node -e ''", argv: ['-e', ''] },
  { name: 'k8s-gitops --help', argv: [bin, '--help'], target: 1.5 },
  { name: 'k8s-gitops --version', argv: [bin, '--version'], target: 1.5 },
  { name: 'flux config create --dry-run', argv: [bin, ...tutorial, '--dry-run'], target: 2 },
  { name: 'flux config create --dry-run=arm', argv: [bin, ...tutorial, '--dry-run=arm', '--subscription', '00000000-0000-0000-0000-000000000000'], target: 2 },
];

// An empty Azure profile, so the dry run reads nothing of the developer's.
const home = mkdtempSync(join(tmpdir(), 'k8s-gitops-bench-'));
const env = { ...process.env, AZURE_CONFIG_DIR: home, NO_COLOR: '1' };
delete env.AZURE_SUBSCRIPTION_ID;

function time(argv) {
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const samples = cases.map(() => []);
for (const c of cases) time(c.argv); // warm the page cache
for (let i = 0; i < runs; i++) {
  // Interleaved, so drift in machine load touches every case alike.
  cases.forEach((c, j) => samples[j].push(time(c.argv)));
}
rmSync(home, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = median(samples[0]);
let missed = 0;
console.log(`Node ${process.versions.node}, ${runs} interleaved runs each, median wall-clock time per process\n`);
console.log(`${'case'.padEnd(36)}${'median'.padStart(10)}${'ratio'.padStart(8)}${'target'.padStart(8)}  result`);
cases.forEach((c, j) => {
  const m = median(samples[j]);
  const ratio = m / base;
  const ok = c.target === undefined || ratio <= c.target;
  if (!ok) missed++;
  console.log(
    `${c.name.padEnd(36)}${`${m.toFixed(1)} ms`.padStart(10)}${`${ratio.toFixed(2)}x`.padStart(8)}${(c.target ? `${c.target}x` : '').padStart(8)}  ${c.target ? (ok ? 'ok' : 'MISSED') : 'baseline'}`,
  );
});
if (check && missed > 0) process.exit(1);
