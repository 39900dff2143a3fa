/**
 * `status` while things happen, end to end against an emulator whose agent reconciles slowly
 * enough to watch: the tutorial rollout that Azure reports Non-Compliant while apps waits on
 * infra must pass the strictest gate from both views, a real failure must fail it at once, and
 * the live view must hold up on a real pseudo-terminal at 80×24 and at 0 columns and rows
 * (through `script` from util-linux; those tests are skipped, and say so, without it).
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { Screen } from '../helpers/screen.js';
import { runInPty, SCRIPT } from '../helpers/pty.js';
import { AKS, E2E, ON_AKS, TUTORIAL, errors, fluxConfigUrl } from './helpers.js';
import { configurationOf, jsonLines, readSummary, until } from './status-helpers.js';

let e2e: E2E;

// Three agent steps two seconds apart: the source, then infra, then apps. Between the first
// and the last, apps waits on infra (DependencyNotReady) and Azure reports Non-Compliant.
beforeAll(async () => {
  e2e = await E2E.start(['--operation-delay', '1000', '--reconcile-delay', '6000', '--retry-after', '0', '--quiet']);
});

afterAll(async () => {
  await e2e?.stop();
});

const STATUS = 'status';
const CONFIG = 'cluster-config';
const CREATE_TUTORIAL = ['flux', 'config', 'create', ...ON_AKS, ...TUTORIAL, '-o', 'none'];
const FAILURE = 'kustomize build failed: accumulating resources: accumulation err=accumulating resources from ./infrastructure/nginx: no such file or directory';

if (!SCRIPT) console.warn('script (util-linux) is not on PATH: the pseudo-terminal tests of status are SKIPPED.');
const onPty = SCRIPT ? test : test.skip;
const ptyName = (name: string): string => (SCRIPT ? name : `SKIPPED: script (util-linux) is not on PATH: ${name}`);

const apps = (doc: any): any => configurationOf(doc)?.objects.find((o: { name: string }) => o.name === `${CONFIG}-apps`);

describe('a healthy rollout that Azure reports Non-Compliant on the way', () => {
  test('--wait-for compliant --fail-fast passes from Azure and from the cluster, started before the configuration exists', async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    const GATE = ['-n', CONFIG, '--watch', '--wait-for', 'compliant', '--fail-fast', '-o', 'json', '--timeout', '60s'];
    const fromAzure = e2e.start([STATUS, ...ON_AKS, ...GATE, '--interval', '1s'], { timeout: 70_000 });
    const fromCluster = e2e.start([STATUS, '--context', 'aks1', ...GATE], { timeout: 70_000 });
    const quiet = e2e.start([STATUS, ...ON_AKS, '-n', CONFIG, '--wait-for', 'compliant', '--fail-fast', '--interval', '1s', '--timeout', '60s', '-o', 'none'], { timeout: 70_000 });
    await until('the first documents', () => [fromAzure, fromCluster].every((w) => w.stdout().includes('\n') || w.child.exitCode !== null));

    // What Azure itself says meanwhile, read straight from ARM.
    const azureSaid = new Set<string>();
    const create = e2e.cliAsync(CREATE_TUTORIAL, { timeout: 30_000 });
    await e2e.armUntil(
      fluxConfigUrl(AKS, CONFIG),
      (b) => {
        const a = b.properties.statuses?.find((s: { name: string }) => s.name === `${CONFIG}-apps`);
        if (a) azureSaid.add(`${b.properties.complianceState}/${a.complianceState}/${a.statusConditions?.[0]?.reason}`);
        return b.properties.complianceState === 'Compliant';
      },
      30_000,
    );
    expect((await create).status).toBe(0);
    expect(azureSaid).toContain('Non-Compliant/Non-Compliant/DependencyNotReady');

    const [azure, cluster, gate] = await Promise.all([fromAzure.result, fromCluster.result, quiet.result]);
    for (const run of [azure, cluster, gate]) {
      expect({ status: run.status, errors: errors(run.stderr) }).toEqual({ status: 0, errors: [] });
      expect(readSummary(run.stderr).verdict).toBe('✔ compliant: reached.');
    }
    for (const run of [azure, cluster]) {
      const docs = jsonLines(run.stdout);
      // Seen on the way: Non-Compliant, with apps progressing (not failed) while it waits on infra.
      const rollout = docs.find((d) => configurationOf(d)?.complianceState === 'Non-Compliant');
      expect(rollout).toBeDefined();
      expect(apps(rollout)).toMatchObject({ state: 'Progressing', ready: 'False', reason: 'DependencyNotReady', stalled: false });
      for (const d of docs) for (const o of configurationOf(d)?.objects ?? []) expect(o.state).not.toBe('Failed');
      expect(configurationOf(docs.at(-1))).toMatchObject({ complianceState: 'Compliant' });
    }
  }, 90_000);

  test('a real failure fails the same gate at once, from both views', async () => {
    await e2e.reset({ extension: { aks1: 'installed' }, failKustomization: { infra: FAILURE } });
    const GATE = ['-n', CONFIG, '--wait-for', 'compliant', '--fail-fast', '-o', 'none', '--timeout', '60s'];
    const started = Date.now();
    const fromAzure = e2e.start([STATUS, ...ON_AKS, ...GATE, '--interval', '1s'], { timeout: 70_000 });
    const fromCluster = e2e.start([STATUS, '--context', 'aks1', ...GATE], { timeout: 70_000 });
    expect((await e2e.cliAsync(CREATE_TUTORIAL, { timeout: 30_000 })).status).toBe(0);
    const [azure, cluster] = await Promise.all([fromAzure.result, fromCluster.result]);
    expect(Date.now() - started).toBeLessThan(30_000); // long before --timeout
    for (const run of [azure, cluster]) {
      expect(run.status).toBe(6);
      const summary = readSummary(run.stderr);
      expect(summary.verdict).toBe('✗ compliant: failed.');
      expect(summary.reasons).toEqual([expect.stringMatching(/^configuration 'cluster-config(\/cluster-config)?': Kustomization cluster-config\/cluster-config-infra failed \(BuildFailed\)$/)]);
    }
  }, 90_000);
});

/** The frames a live view wrote, as the terminal shows them after each (colours dropped). */
function replay(output: string, columns: number): { screen: Screen; frames: string[][] } {
  const screen = new Screen(columns);
  const frames: string[][] = [];
  // Each redraw starts by going back up: cut the output there.
  for (const part of output.split(/(?=\r\x1b\[\d+A)/)) {
    screen.write(part);
    frames.push(screen.shown().map((l) => l.replace(/\x1b\[[0-9;]*m/g, '')));
  }
  return { screen, frames };
}

describe('the live view on a real pseudo-terminal', () => {
  onPty(ptyName('80×24: redrawn in place, ages ticking without new reads, failing first with its whole message, widths steady'), async () => {
    await e2e.reset({ extension: { aks1: 'installed' }, failKustomization: { infra: FAILURE } });
    await e2e.putTutorial(AKS);
    await e2e.armUntil(fluxConfigUrl(AKS, CONFIG), (b) => b.properties.statuses.some((s: any) => s.name === `${CONFIG}-infra` && s.statusConditions?.[0]?.reason === 'BuildFailed'), 30_000);
    await e2e.clearRequests();

    const run = await runInPty([STATUS, ...ON_AKS, '--watch', '--interval', '30s', '--timeout', '4s'], e2e.vars, { columns: 80, rows: 24 });
    expect({ status: run.status, killed: run.killed }).toEqual({ status: 0, killed: undefined });
    const { screen, frames } = replay(run.output, 80);

    // In place: several frames, never a full-screen clear, no line reaching the last column.
    expect(frames.length).toBeGreaterThanOrEqual(3);
    expect(screen.clears).toBe(0);
    expect(screen.widest).toBeLessThanOrEqual(79);
    expect(screen.cursorHidden).toBe(false); // shown again at the end

    // The clock ticks on screen (at least every second) while Azure was read once.
    // (Redrawn every half second: over four seconds, even a busy machine shows several ages.)
    const ages = [...new Set([...run.output.matchAll(/\(from Azure, (\d+)s ago\)/g)].map((m) => Number(m[1])))];
    expect(ages[0]).toBe(0);
    expect(ages.length).toBeGreaterThanOrEqual(3);
    expect(ages).toEqual([...ages].sort((a, b) => a - b));
    const reads = (await e2e.requests()).filter((r) => r.method === 'GET' && r.path.endsWith(`/fluxConfigurations/${CONFIG}`));
    expect(reads).toHaveLength(1);

    const last = frames.at(-1)!;
    // The one-line summary of what fails, above the tables.
    expect(last).toContainEqual(expect.stringMatching(/^✗ 1 of \d+ failing: Kustomization cluster-config-infra \(BuildFailed\)/));
    // The failing object first, its message whole (wrapped, not cut).
    const header = last.findIndex((l) => l.startsWith('KIND'));
    expect(last[header + 2]).toMatch(/^Kustomization\s+cluster-config\/cluster-config-infra\s+.*Failed/);
    let message = last[header + 2]!.slice(last[header]!.indexOf('MESSAGE')).trim();
    for (let i = header + 3; /^\s+\S/.test(last[i] ?? ''); i++) message += ` ${last[i]!.trim()}`;
    expect(message.replace(/\s+/g, ' ').trim()).toBe(FAILURE);
    // Widths that do not jump: every frame's headers at the same places.
    const headers = new Set(frames.flatMap((f) => f.filter((l) => /^(KIND|CONFIGURATION)\s/.test(l))).map((l) => l.trimEnd()));
    expect(headers.size).toBe(2);
    expect(run.output).toContain('Stopped watching after 4s (--timeout).');
  }, 60_000);

  onPty(ptyName('0 columns and rows: the watch falls back to plain lines, and a wait with a spinner finishes'), async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    await e2e.putTutorial(AKS);
    const watch = await runInPty([STATUS, ...ON_AKS, '--watch', '--interval', '1s', '--timeout', '3s'], e2e.vars, { columns: 0, rows: 0 });
    expect({ status: watch.status, killed: watch.killed }).toEqual({ status: 0, killed: undefined });
    expect(watch.bytes).toBeLessThan(64 * 1024);
    expect(watch.output).not.toMatch(/\x1b\[\d*[AJ]/); // no redraw
    const lines = watch.output.split('\r\n').filter(Boolean);
    expect(lines).toContainEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT\S+ configuration cluster-config\/cluster-config: provisioning Succeeded/));

    // A create waits for its operation (1 s here): a spinner on a sized terminal, plain lines on this one.
    const create = await runInPty(['flux', 'config', 'create', ...ON_AKS, '-n', 'second', '--namespace', 'second', '-u', 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', '--branch', 'main', '-k', 'name=apps', 'path=./apps', '-o', 'none'], e2e.vars, { columns: 0, rows: 0, timeout: 30_000 });
    expect({ status: create.status, killed: create.killed }).toEqual({ status: 0, killed: undefined });
    expect(create.bytes).toBeLessThan(16 * 1024);
    expect(create.output).toMatch(/^Creating Flux configuration second…\r$/m);
    expect(create.output).toMatch(/^Creating Flux configuration second: done \(\d+s\)\r$/m);

    const sized = await runInPty(['flux', 'config', 'create', ...ON_AKS, '-n', 'third', '--namespace', 'third', '-u', 'https://github.com/Azure/gitops-flux2-kustomize-helm-mt', '--branch', 'main', '-k', 'name=apps', 'path=./apps', '-o', 'none'], e2e.vars, { columns: 80, rows: 24, timeout: 30_000 });
    expect({ status: sized.status, killed: sized.killed }).toEqual({ status: 0, killed: undefined });
    expect(sized.bytes).toBeLessThan(64 * 1024);
    expect(sized.output).toContain('\x1b[?25l'); // the spinner hid the cursor: it ran
  }, 60_000);
});
