#!/usr/bin/env node
// Start-up benchmark: times whole processes of the built CLI beside bare `node -e ''`, in the
// same run, interleaved, and prints medians and ratios against the targets.
//   npm run bench                  # 15 rounds
//   npm run bench -- --runs 30     # more rounds
//   npm run bench -- --check       # exit 1 when a target is missed
//   npm run bench -- --offline     # without the emulator cases
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

function time(spec) {
  const argv = typeof spec === 'function' ? spec() : spec;
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, argv, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** Times every case `runs` times, interleaved so that drift in machine load touches all alike. */
function measure(list) {
  const samples = list.map(() => []);
  for (const c of list) time(c.argv); // warm the page cache
  for (let i = 0; i < runs; i++) list.forEach((c, j) => samples[j].push(time(c.argv)));
  return samples;
}

// Offline cases first, with nothing else running; then the Azure path against the emulator.
const samples = measure(cases);
// With the emulator built, the Azure path too: a create (--no-wait: start-up, credential and
// the checks before the PUT) and a status, over real HTTPS to a local emulator.
let emulator;
const onlineCases = [];
if (existsSync(join(root, 'dist-emulator', 'main.js')) && !args.includes('--offline')) {
  const exportFile = join(home, 'emulator.env');
  emulator = spawn(process.execPath, [join(root, 'dist-emulator', 'main.js'), '--quiet', '--operation-delay', '0', '--retry-after', '0', '--extension', 'aks1=installed', '--export-file', exportFile], { stdio: 'ignore' });
  const deadline = Date.now() + 15_000;
  while (!existsSync(exportFile) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const line of readFileSync(exportFile, 'utf8').split('\n')) {
    const m = /^export ([A-Z_]+)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2];
  }
  let n = 0;
  const cluster = ['-g', 'rg', '-c', 'aks1', '-t', 'managedClusters'];
  onlineCases.push(
    { name: 'flux config create --no-wait (emulator)', argv: () => [bin, 'flux', 'config', 'create', ...cluster, '-n', `bench-${n++}`, '-u', 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', '--branch', 'main', '-k', 'name=infra', 'path=./infrastructure', '--no-wait', '-o', 'none'] },
    { name: 'status (emulator)', argv: [bin, 'status', ...cluster, '-o', 'none'] },
  );
}

if (onlineCases.length > 0) {
  samples.push(...measure(onlineCases));
  cases.push(...onlineCases);
}
emulator?.kill('SIGTERM');
rmSync(home, { recursive: true, force: true });

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const base = median(samples[0]);
let missed = 0;
console.log(`Node ${process.versions.node}, ${runs} interleaved runs each, median wall-clock time per process\n`);
console.log(`${'case'.padEnd(42)}${'median'.padStart(10)}${'ratio'.padStart(8)}${'target'.padStart(8)}  result`);
cases.forEach((c, j) => {
  const m = median(samples[j]);
  const ratio = m / base;
  const ok = c.target === undefined || ratio <= c.target;
  if (!ok) missed++;
  console.log(
    `${c.name.padEnd(42)}${`${m.toFixed(1)} ms`.padStart(10)}${`${ratio.toFixed(2)}x`.padStart(8)}${(c.target ? `${c.target}x` : '').padStart(8)}  ${c.target ? (ok ? 'ok' : 'MISSED') : j === 0 ? 'baseline' : ''}`,
  );
});
if (check && missed > 0) process.exit(1);
