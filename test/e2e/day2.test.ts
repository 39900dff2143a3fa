/**
 * The day-two verbs end to end: the built CLI against the emulator's Azure and its clusters'
 * Kubernetes APIs. `flux config diff` (against Azure, sends nothing, --exit-code, secrets named
 * and never shown, --cluster finding an edit made behind Azure's back), `suspend`/`resume` (one
 * PATCH each, no-ops that send nothing), `reconcile` (returns once the agent handled each
 * request; exit 6 on a failing kustomization, 5 when nothing answers, 2 without a kubeconfig),
 * `tree` (what the tutorial's kustomizations applied) and `events` (the failure message whole,
 * --for, --watch).
 */
import { describe, test, expect, beforeEach, jest } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeTempDir, removeDir, runCliWithEnv } from '../helpers/cli.js';
import { kindPath, kube } from '../emulator/kubeharness.js';
import { useE2E, AKS, ARC, ON_AKS, ON_ARC, errors, fluxConfigUrl, summary, writes, type Run } from './helpers.js';
import { until } from './status-helpers.js';

// One emulator for the file; every PUT and PATCH body it receives is checked against the swagger.
const e2e = useE2E();
// Most tests run the CLI four or five times; on a busy machine each run can take seconds.
jest.setTimeout(120_000);

const NAME = 'cluster-config';
const CONFIG = [...ON_AKS, '-n', NAME];
const FAILURE = 'kustomize build failed: accumulating resources: accumulation err=\'accumulating resources from "./nginx": evalsymlink failure on /tmp/kustomization-2894/infrastructure/nginx\': lstat /tmp/kustomization-2894/infrastructure/nginx: no such file or directory';
const INFRA = `${kindPath('Kustomization', NAME)}/${NAME}-infra`;
const APPS = `${kindPath('Kustomization', NAME)}/${NAME}-apps`;
const SOURCE = `${kindPath('GitRepository', NAME)}/${NAME}`;

/** A fresh world where aks1 has Flux and the tutorial configuration, Compliant. */
async function withTutorial(cluster = AKS): Promise<void> {
  await e2e.reset({ extension: { aks1: 'installed', arc1: 'installed' } });
  await e2e.putTutorial(cluster, { compliant: true });
  await e2e.clearRequests();
}

/** A Flux object straight from a cluster's Kubernetes API. */
async function live(path: string, cluster = 'aks1'): Promise<any> {
  const res = await kube(e2e.emu, cluster, path);
  expect(res.status).toBe(200);
  return res.body;
}

/** Changes an object in the cluster behind Azure's back (a merge patch, as kubectl would). */
async function editInCluster(path: string, patch: unknown): Promise<void> {
  const res = await kube(e2e.emu, 'aks1', path, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify(patch) });
  expect(res.status).toBe(200);
}

const flux = (...args: string[]): string[] => ['flux', 'config', ...args];

/** What a command wrote to the clusters' Kubernetes APIs: `PATCH <path>` with its content type and body. */
async function kubeWrites(): Promise<{ request: string; type: string | undefined; body: unknown }[]> {
  return writes(await e2e.kubeRequests()).map((r) => ({ request: `${r.method} ${r.path.replace(/^\/k8s\/[^/]+/, '')}`, type: r.headers['content-type'], body: r.body }));
}

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A run of the CLI, timed. */
async function timed(args: string[], timeout = 60_000): Promise<Run & { ms: number }> {
  const started = Date.now();
  const run = await e2e.cliAsync(args, { timeout });
  return { ...run, ms: Date.now() - started };
}

/** How late after its deadline a run may end on a busy machine (start-up included); without the deadline holding it would last until the test's own timeout. */
const LATE_MS = 10_000;

describe('flux config diff', () => {
  beforeEach(() => withTutorial());

  test('an unchanged configuration: nothing to change, exit 0, even with --exit-code; only reads are sent', async () => {
    const text = await e2e.cliAsync(flux('diff', ...CONFIG));
    expect({ status: text.status, stdout: text.stdout, errors: errors(text.stderr) }).toEqual({ status: 0, stdout: `No changes: '${NAME}' in Azure is already as asked.\n`, errors: [] });
    const gate = await e2e.cliAsync(flux('diff', ...CONFIG, '--branch', 'main', '-k', 'name=infra', 'prune=true', '--exit-code', '-o', 'json'));
    expect(gate.status).toBe(0);
    expect(gate.json()).toEqual([]);
    const log = await e2e.requests();
    expect(log.length).toBeGreaterThan(0);
    expect(writes(log)).toEqual([]);
    // Without --cluster the cluster is not even read.
    expect(await e2e.kubeRequests()).toEqual([]);
  });

  test('a branch change shows exactly that field; --exit-code makes it exit 7 with the diff and no error', async () => {
    const text = await e2e.cliAsync(flux('diff', ...CONFIG, '--branch', 'release'));
    expect(text.status).toBe(0);
    expect(text.stdout.split('\n').filter((l) => /^\s+[-+~!] /.test(l))).toEqual(['  ~ gitRepository.repositoryRef.branch: "main" → "release"']);
    expect(text.stdout).toContain('1 change in Azure. Nothing was sent.');

    const json = await e2e.cliAsync(flux('diff', ...CONFIG, '--branch', 'release', '-o', 'json', '--exit-code'));
    expect({ status: json.status, errors: errors(json.stderr), stderr: json.stderr }).toEqual({ status: 7, errors: [], stderr: '' });
    expect(json.json()).toEqual([{ target: 'azure', path: 'gitRepository.repositoryRef.branch', change: 'changed', from: 'main', to: 'release' }]);
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('the rest of update’s flags: a kustomization added and one changed', async () => {
    const run = await e2e.cliAsync(flux('diff', ...CONFIG, '-k', 'name=extra', 'path=./extra', '-k', 'name=apps', 'interval=5m', '-o', 'json'));
    expect(run.status).toBe(0);
    expect(run.json()).toEqual([
      { target: 'azure', path: 'kustomizations.apps.syncIntervalInSeconds', change: 'changed', from: 600, to: 300 },
      { target: 'azure', path: 'kustomizations.extra', change: 'added', to: { path: './extra', dependsOn: [], timeoutInSeconds: 600, syncIntervalInSeconds: 600, prune: false, force: false, wait: true } },
    ]);
  });

  test('protected settings are named as (re)sent, never shown', async () => {
    const secret = 'a-very-secret-token-1234';
    const run = await e2e.cliAsync(flux('diff', ...CONFIG, '--https-user', 'git', '--https-key', '-'), { input: secret });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('+ gitRepository.httpsUser: "git"');
    expect(run.stdout).toMatch(/^ {2}! configurationProtectedSettings\.httpsKey: would be \(re\)sent/m);
    const json = await e2e.cliAsync(flux('diff', ...CONFIG, '--https-user', 'git', '--https-key', '-', '-o', 'json'), { input: secret });
    expect(json.json()).toContainEqual({ target: 'azure', path: 'configurationProtectedSettings.httpsKey', change: 'sent' });
    for (const r of [run, json]) {
      expect(r.stdout + r.stderr).not.toContain(secret);
      expect(r.stdout + r.stderr).not.toContain(Buffer.from(secret).toString('base64'));
    }
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('-f takes what show -o yaml prints: unchanged, then one edit; a create-only field is warned about, not counted', async () => {
    const dir = makeTempDir('k8s-gitops-diff-');
    try {
      const file = join(dir, 'c.yaml');
      const show = await e2e.cliAsync(flux('show', ...CONFIG, '-o', 'yaml'));
      writeFileSync(file, show.stdout);
      expect((await e2e.cliAsync(flux('diff', ...CONFIG, '-f', file, '--exit-code'))).status).toBe(0);
      writeFileSync(file, readFileSync(file, 'utf8').replace('path: ./apps/staging', 'path: ./apps/production'));
      const run = await e2e.cliAsync(flux('diff', ...CONFIG, '-f', file, '--exit-code', '-o', 'json'));
      expect(run.status).toBe(7);
      expect(run.json()).toEqual([{ target: 'azure', path: 'kustomizations.apps.path', change: 'changed', from: './apps/staging', to: './apps/production' }]);
      writeFileSync(file, `${show.stdout}waitForReconciliation: true\n`);
      const ignored = await e2e.cliAsync(flux('diff', ...CONFIG, '-f', file, '--exit-code', '-o', 'json'));
      expect({ status: ignored.status, changes: ignored.json() }).toEqual({ status: 0, changes: [] });
      expect(ignored.stderr).toContain('WARNING: waitForReconciliation differs, but can only be set when a configuration is created');
    } finally {
      removeDir(dir);
    }
  });

  test('--cluster: in agreement at first; an object edited behind Azure’s back is found, field by field', async () => {
    const same = await e2e.cliAsync(flux('diff', ...CONFIG, '--cluster', '--exit-code'));
    expect({ status: same.status, errors: errors(same.stderr) }).toEqual({ status: 0, errors: [] });
    expect(same.stdout).toContain("The cluster (context aks1) holds the Flux objects Azure's agent makes from it.");
    // It read the cluster, and wrote nothing there.
    expect((await e2e.kubeRequests()).length).toBeGreaterThan(0);
    expect(await kubeWrites()).toEqual([]);

    // What the controllers and other clients own is no difference: an annotation and a label,
    // and the status the controller rewrites when it handles a reconcile request.
    await editInCluster(INFRA, { metadata: { labels: { team: 'platform' }, annotations: { 'reconcile.fluxcd.io/requestedAt': 'by-hand' } } });
    await until('the controller to handle the request', async () => (await live(INFRA)).status.lastHandledReconcileAt === 'by-hand');
    const owned = await e2e.cliAsync(flux('diff', ...CONFIG, '--cluster', '--exit-code', '-o', 'json'));
    expect({ status: owned.status, changes: owned.json() }).toEqual({ status: 0, changes: [] });

    await editInCluster(APPS, { spec: { path: './apps/production', force: true } });
    const text = await e2e.cliAsync(flux('diff', ...CONFIG, '--cluster'));
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('No changes');
    expect(text.stdout).toContain('  ~ Kustomization cluster-config/cluster-config-apps\n      - spec.force: true\n      ~ spec.path: "./apps/production" → "./apps/staging"\n');
    const json = await e2e.cliAsync(flux('diff', ...CONFIG, '--cluster', '--exit-code', '-o', 'json'));
    expect(json.status).toBe(7);
    expect(json.json()).toEqual([
      { target: 'cluster', object: 'Kustomization/cluster-config/cluster-config-apps', path: 'spec.force', change: 'removed', from: true },
      { target: 'cluster', object: 'Kustomization/cluster-config/cluster-config-apps', path: 'spec.path', change: 'changed', from: './apps/production', to: './apps/staging' },
    ]);
    // A change in Azure shows in both places: what update sends, and what the cluster would become.
    const both = await e2e.cliAsync(flux('diff', ...CONFIG, '--cluster', '--branch', 'release', '-o', 'json'));
    expect(both.json().filter((c: any) => c.path?.endsWith('branch'))).toEqual([
      { target: 'azure', path: 'gitRepository.repositoryRef.branch', change: 'changed', from: 'main', to: 'release' },
      { target: 'cluster', object: 'GitRepository/cluster-config/cluster-config', path: 'spec.ref.branch', change: 'changed', from: 'main', to: 'release' },
    ]);
    expect(writes(await e2e.requests())).toEqual([]);
    expect((await kubeWrites()).map((w) => w.body)).toEqual([{ metadata: { labels: { team: 'platform' }, annotations: { 'reconcile.fluxcd.io/requestedAt': 'by-hand' } } }, { spec: { path: './apps/production', force: true } }]); // the test's own edits only
  });

  test('usage errors (nothing read) and a missing configuration: exit 2 and 3, nothing sent', async () => {
    const bad = await e2e.cliAsync(flux('diff', ...CONFIG, '--interval', '5 minutes'));
    expect(bad.status).toBe(2);
    expect(errors(bad.stderr)[0]).toContain('--interval');
    expect(await e2e.requests()).toEqual([]); // checked before anything is read, as update does
    const missing = await e2e.cliAsync(flux('diff', ...ON_AKS, '-n', 'nope', '--branch', 'x'));
    expect(missing.status).toBe(3);
    expect(writes(await e2e.requests())).toEqual([]);
  });
});

describe('flux config suspend and resume', () => {
  beforeEach(() => withTutorial());

  test('round trip: one PATCH of suspend each, Suspended then Compliant again; again is a no-op that sends nothing', async () => {
    const suspend = await e2e.cliAsync(flux('suspend', ...CONFIG));
    expect({ status: suspend.status, errors: errors(suspend.stderr) }).toEqual({ status: 0, errors: [] });
    expect(suspend.json().suspend).toBe(true);
    let log = await e2e.requests();
    expect(summary(writes(log))).toEqual(['PATCH fluxConfigurations/cluster-config']);
    expect(writes(log)[0]!.body).toEqual({ properties: { suspend: true } });
    await e2e.armUntil(fluxConfigUrl(AKS, NAME), (b) => b.properties.complianceState === 'Suspended');
    expect((await live(INFRA)).spec.suspend).toBe(true);

    await e2e.clearRequests();
    const again = await e2e.cliAsync(flux('suspend', ...CONFIG));
    expect(again.status).toBe(0);
    expect(again.stderr).toBe(`nothing to change: Flux configuration '${NAME}' already is suspended.\n`);
    expect(again.json().suspend).toBe(true);
    expect(writes(await e2e.requests())).toEqual([]);

    const resume = await e2e.cliAsync(flux('resume', ...CONFIG));
    expect(resume.status).toBe(0);
    expect(resume.json().suspend).toBe(false);
    log = await e2e.requests();
    expect(writes(log).map((r) => r.body)).toEqual([{ properties: { suspend: false } }]);
    await e2e.armUntil(fluxConfigUrl(AKS, NAME), (b) => b.properties.complianceState === 'Compliant');

    await e2e.clearRequests();
    const resumedAgain = await e2e.cliAsync(flux('resume', ...CONFIG, '-o', 'none'));
    expect(resumedAgain.status).toBe(0);
    expect(resumedAgain.stderr).toBe(`nothing to change: Flux configuration '${NAME}' is not suspended.\n`);
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('--no-wait returns once Azure accepted it and says how to follow it; a missing configuration is exit 3', async () => {
    const run = await e2e.cliAsync(flux('suspend', ...CONFIG, '--no-wait', '-o', 'none'));
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('Follow it with: k8s-gitops flux config show');
    const missing = await e2e.cliAsync(flux('resume', ...ON_AKS, '-n', 'nope'));
    expect(missing.status).toBe(3);
  });

  test('an operation that ends Failed: exit 6, with what Azure holds and what to run next', async () => {
    await e2e.faults({ failOperation: 'the agent could not apply the change' });
    const run = await e2e.cliAsync(flux('suspend', ...CONFIG));
    expect(run.status).toBe(6);
    expect(errors(run.stderr)[0]).toMatch(/^ERROR: Suspending Flux configuration cluster-config ended Failed: .*the agent could not apply the change/);
    expect(run.stderr).toMatch(/^HINT: /m);
  });

  test('a suspended configuration is not reconciled: exit 2, nothing asked of the cluster, resume named', async () => {
    expect((await e2e.cliAsync(flux('suspend', ...CONFIG, '-o', 'none'))).status).toBe(0);
    await e2e.armUntil(fluxConfigUrl(AKS, NAME), (b) => b.properties.complianceState === 'Suspended');
    const run = await e2e.cliAsync(flux('reconcile', ...CONFIG));
    expect(run.status).toBe(2);
    expect(errors(run.stderr)[0]).toMatch(/^ERROR: 'cluster-config' is suspended \(GitRepository cluster-config, Kustomization cluster-config-infra, Kustomization cluster-config-apps\)/);
    expect(run.stderr).toContain('HINT: Resume it first: k8s-gitops flux config resume');
    expect((await live(SOURCE)).metadata.annotations).toBeUndefined();
  });
});

describe('flux config reconcile', () => {
  beforeEach(() => withTutorial());

  test('the source, then each kustomization in dependency order; returns once the agent handled each request', async () => {
    const run = await e2e.cliAsync(flux('reconcile', ...CONFIG, '-o', 'json'));
    expect({ status: run.status, errors: errors(run.stderr) }).toEqual({ status: 0, errors: [] });
    const rows = run.json();
    expect(rows.map((r: any) => `${r.kind}/${r.name} ${r.ready}`)).toEqual(['GitRepository/cluster-config True', 'Kustomization/cluster-config-infra True', 'Kustomization/cluster-config-apps True']);
    const tokens = rows.map((r: any) => r.requestedAt);
    expect([...tokens].sort()).toEqual(tokens); // asked one after the other
    for (const [path, row] of [[SOURCE, rows[0]], [INFRA, rows[1]], [APPS, rows[2]]] as const) {
      const obj = await live(path);
      expect(obj.metadata.annotations['reconcile.fluxcd.io/requestedAt']).toBe(row.requestedAt);
      expect(obj.status.lastHandledReconcileAt).toBe(row.requestedAt);
      expect(row.handledAt).toBe(row.requestedAt);
    }
    expect(run.stderr).toContain('Reconciling Kustomization cluster-config/cluster-config-apps');
    // Nothing went to Azure; the cluster got one merge patch of the annotation per object, in order.
    expect(await e2e.requests()).toEqual([]);
    expect(await kubeWrites()).toEqual([SOURCE, INFRA, APPS].map((path, i) => ({ request: `PATCH ${path}`, type: 'application/merge-patch+json', body: { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': tokens[i] } } } })));
  });

  test('--with-source=false leaves the source alone; --context works without -g/-c/-t', async () => {
    const before = await live(SOURCE);
    const run = await e2e.cliAsync(flux('reconcile', '--context', 'aks1', '-n', NAME, '--with-source=false', '-o', 'json'));
    expect(run.status).toBe(0);
    expect(run.json().map((r: any) => r.kind)).toEqual(['Kustomization', 'Kustomization']);
    expect((await live(SOURCE)).metadata.annotations).toEqual(before.metadata.annotations);
  });

  test('a failing kustomization: exit 6 with the whole message; its dependents are not asked', async () => {
    await e2e.faults({ failKustomization: { infra: FAILURE } });
    const run = await e2e.cliAsync(flux('reconcile', ...CONFIG));
    expect(run.status).toBe(6);
    expect(errors(run.stderr)).toEqual([`ERROR: Kustomization cluster-config/cluster-config-infra failed: BuildFailed: ${FAILURE}`]);
    expect(run.stdout).toMatch(/^Kustomization\s+cluster-config\s+cluster-config-infra\s+False\s+BuildFailed/m);
    expect((await live(APPS)).metadata.annotations?.['reconcile.fluxcd.io/requestedAt']).toBeUndefined();
  });

  test('nothing answers within --timeout (the Arc cluster went offline): exit 5 with what is known', async () => {
    await withTutorial(ARC);
    await e2e.faults({ arcOffline: ['arc1'] });
    const run = await e2e.cliAsync(flux('reconcile', ...ON_ARC, '-n', NAME, '--timeout', '2s'));
    expect(run.status).toBe(5);
    expect(errors(run.stderr)).toEqual(["ERROR: GitRepository cluster-config/cluster-config was not reconciled within 2s; its controller has not handled the request yet."]);
  });

  test.each([
    ['every request', { count: 10_000, match: '/k8s/aks1/' }, "reading the Flux objects of 'cluster-config'"],
    ['the reconcile request', { count: 10_000, match: '^PATCH /k8s/aks1/' }, 'asking GitRepository cluster-config/cluster-config to reconcile'],
  ])('the cluster does not answer %s: exit 5 at --timeout, saying what it was waiting for', async (_what, hang, doing) => {
    await e2e.faults({ hangKubernetes: hang });
    const run = await timed(flux('reconcile', ...CONFIG, '--timeout', '3s'));
    expect({ status: run.status, early: run.ms < 3000, late: run.ms > 3000 + LATE_MS }).toEqual({ status: 5, early: false, late: false });
    expect(errors(run.stderr)).toEqual([`ERROR: the cluster's Kubernetes API (context aks1) did not answer within 3s while ${doing}.`]);
  });

  test('SIGTERM while waiting for the controller: exit 143, saying the request stays', async () => {
    await withTutorial(ARC);
    await e2e.faults({ arcOffline: ['arc1'] });
    const cli = e2e.start(flux('reconcile', ...ON_ARC, '-n', NAME, '--timeout', '1m'), { timeout: 60_000 });
    await until('the reconcile request', async () => (await kubeWrites()).length === 1);
    cli.child.kill('SIGTERM');
    const run = await cli.result;
    expect(run.status).toBe(143);
    expect(errors(run.stderr)).toEqual(['ERROR: interrupted while waiting for GitRepository cluster-config/cluster-config.']);
    expect(run.stderr).toContain('The reconcile request stays: Flux handles it anyway.');
  });

  test('a cluster that cannot be reached: says so, and what works without cluster access', async () => {
    const dir = makeTempDir('k8s-gitops-kubeconfig-');
    try {
      const closed = await closedPort();
      const file = join(dir, 'config');
      writeFileSync(file, readFileSync(e2e.vars.KUBECONFIG!, 'utf8').replace(/server: https:\/\/127\.0\.0\.1:\d+/g, `server: https://127.0.0.1:${closed}`));
      const run = await e2e.cliAsync(flux('reconcile', ...CONFIG, '--kubeconfig', file));
      expect(run.status).toBe(1);
      expect(errors(run.stderr)[0]).toMatch(/^ERROR: reconcile: the cluster's Kubernetes API \(https:\/\/127\.0\.0\.1:\d+\/k8s\/aks1, context aks1\) cannot be reached: reading \S+ from \S+ failed: fetch failed \(ECONNREFUSED\)$/);
      expect(run.stderr).toContain('az aks get-credentials');
      expect(run.stderr).toContain("Azure's agent applies what Azure holds within its own polling interval");
    } finally {
      removeDir(dir);
    }
  });

  test('without a kubeconfig it says so and what works from Azure (exit 2); a wrong context or name is exit 2 or 3', async () => {
    const vars = { ...e2e.vars };
    delete vars.KUBECONFIG;
    const none = runCliWithEnv(flux('reconcile', ...CONFIG), vars);
    expect(none.status).toBe(2);
    expect(errors(none.stderr)).toEqual(["ERROR: reconcile works through the cluster's Kubernetes API, and there is no kubeconfig (no --kubeconfig, KUBECONFIG or ~/.kube/config)."]);
    expect(none.stderr).toContain("Azure's agent applies what Azure holds within its own polling interval");
    expect(none.stderr).toContain('az aks get-credentials');
    const noContext = await e2e.cliAsync(flux('reconcile', '-g', 'rg', '-c', 'elsewhere', '-t', 'managedClusters', '-n', NAME));
    expect(noContext.status).toBe(2);
    expect(errors(noContext.stderr)[0]).toContain("the kubeconfig has no context named 'elsewhere'");
    const missing = await e2e.cliAsync(flux('reconcile', ...ON_AKS, '-n', 'nope'));
    expect(missing.status).toBe(3);
  });
});

describe('flux config tree', () => {
  beforeEach(() => withTutorial());

  test("lists what the tutorial's kustomizations applied, with the readiness of the Flux objects", async () => {
    const text = await e2e.cliAsync(flux('tree', ...CONFIG));
    expect({ status: text.status, errors: errors(text.stderr) }).toEqual({ status: 0, errors: [] });
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe('Kustomization/cluster-config/cluster-config-infra  Ready');
    expect(lines.slice(1, 9).map((l) => l.replace(/ {2}.*$/, ''))).toEqual([
      '├── Namespace/nginx',
      '├── Namespace/redis',
      expect.stringMatching(/^├── ConfigMap\/cluster-config\/redis-values-[a-z0-9]{10}$/),
      '├── HelmRepository/cluster-config/bitnami',
      '├── HelmRepository/cluster-config/ingress-nginx',
      '├── HelmRepository/cluster-config/podinfo',
      '├── HelmRelease/cluster-config/nginx',
      '└── HelmRelease/cluster-config/redis',
    ]);
    expect(lines[7]).toContain('Ready  release nginx/nginx-ingress-controller v1 (ingress-nginx 4.10.1)');
    expect(text.stdout).toContain('\n\nKustomization/cluster-config/cluster-config-apps  Ready\n├── Namespace/podinfo\n└── HelmRelease/cluster-config/podinfo  Ready');

    const json = await e2e.cliAsync(flux('tree', '--context', 'aks1', '-n', NAME, '-o', 'json'));
    const trees = json.json();
    expect(trees.map((t: any) => t.name)).toEqual(['cluster-config-infra', 'cluster-config-apps']);
    expect(trees[1].children).toEqual([
      { kind: 'Namespace', namespace: '', name: 'podinfo', apiVersion: 'v1', children: [] },
      expect.objectContaining({ kind: 'HelmRelease', namespace: NAME, name: 'podinfo', apiVersion: 'helm.toolkit.fluxcd.io/v2', ready: 'True', state: 'Ready', release: expect.objectContaining({ name: 'podinfo-podinfo', chart: 'podinfo' }) }),
    ]);
  });
});

describe('flux config events', () => {
  beforeEach(() => withTutorial());

  test('newest last, with kind/name and reason; a failure message in full', async () => {
    await e2e.faults({ failKustomization: { infra: FAILURE } });
    expect((await e2e.cliAsync(flux('reconcile', ...CONFIG, '-o', 'none'))).status).toBe(6);
    const text = await e2e.cliAsync(flux('events', ...CONFIG));
    expect({ status: text.status, errors: errors(text.stderr) }).toEqual({ status: 0, errors: [] });
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
    expect(lines[lines.length - 1]).toMatch(new RegExp(`^\\S+\\s+Warning\\s+BuildFailed\\s+Kustomization/cluster-config-infra\\s+${FAILURE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));

    const json = await e2e.cliAsync(flux('events', ...CONFIG, '-o', 'json'));
    const events = json.json();
    const times = events.map((e: any) => Date.parse(e.lastSeen));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(events[events.length - 1]).toMatchObject({ type: 'Warning', reason: 'BuildFailed', message: FAILURE, object: { kind: 'Kustomization', namespace: NAME, name: 'cluster-config-infra' }, source: 'kustomize-controller' });
    const kinds = new Set(events.map((e: any) => e.object.kind));
    for (const kind of ['GitRepository', 'Kustomization', 'HelmRelease', 'HelmRepository', 'HelmChart']) expect(kinds).toContain(kind);

    const only = await e2e.cliAsync(flux('events', ...CONFIG, '--for', 'kustomization/cluster-config-infra', '-o', 'json'));
    expect(new Set(only.json().map((e: any) => `${e.object.kind}/${e.object.name}`))).toEqual(new Set(['Kustomization/cluster-config-infra']));
    const bad = await e2e.cliAsync(flux('events', ...CONFIG, '--for', 'Deployment/x'));
    expect(bad.status).toBe(2);
    expect(errors(bad.stderr)[0]).toContain("--for: 'Deployment' is not a Flux kind.");
    const absent = await e2e.cliAsync(flux('events', ...CONFIG, '--for', 'Kustomization/nope'));
    expect(absent.status).toBe(3);
  });

  test('--watch prints the events as they come; --timeout ends it with exit 0, Ctrl-C with 130', async () => {
    const ended = await e2e.cliAsync(flux('events', ...CONFIG, '--watch', '--timeout', '5s', '-o', 'json'));
    expect(ended.status).toBe(0);
    const initial = ended.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(initial.length).toBeGreaterThan(5);

    const watch = e2e.start(flux('events', ...CONFIG, '--watch', '--for', 'GitRepository/cluster-config', '-o', 'json'), { timeout: 30_000 });
    await until('the watch to print what is there', () => watch.stdout().includes('"reason":"Succeeded"'));
    const before = watch.stdout().trimEnd().split('\n').length;
    await editInCluster(SOURCE, { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'from-a-test' } } });
    await until('the new events', () => watch.stdout().trimEnd().split('\n').filter((l) => l.includes('"count":2')).length >= 2);
    watch.child.kill('SIGINT');
    const result = await watch.result;
    expect(result.status).toBe(130);
    const lines = result.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines.slice(before).map((e: any) => `${e.reason} ${e.count}`)).toEqual(['Progressing 2', 'Succeeded 2']);
    expect(new Set(lines.map((e: any) => e.object.name))).toEqual(new Set([NAME]));
  });

  test('--watch --timeout holds while the cluster does not answer: exit 5 at the deadline', async () => {
    await e2e.faults({ hangKubernetes: { count: 10_000, match: '/k8s/aks1/' } });
    const run = await timed(flux('events', ...CONFIG, '--watch', '--timeout', '3s'));
    expect({ status: run.status, early: run.ms < 3000, late: run.ms > 3000 + LATE_MS }).toEqual({ status: 5, early: false, late: false });
    expect(errors(run.stderr)).toEqual(["ERROR: the cluster's Kubernetes API (context aks1) did not answer within 3s while reading the Flux objects of 'cluster-config'."]);
  });

  test('--watch goes on when its watch expires (410 Gone): it lists again and prints what it had not, once', async () => {
    const watch = e2e.start(flux('events', ...CONFIG, '--watch', '-o', 'json', '--verbose'), { timeout: 90_000 });
    await until('the watch to print what is there', () => watch.stdout().includes('"reason":"InstallSucceeded"'));
    // A history of one change: every step of a reconcile is a burst the watch cannot be fed from.
    expect((await e2e.emu.control('POST', 'faults', { watchHistory: 1 })).status).toBe(200);
    for (const path of [SOURCE, INFRA, APPS]) await editInCluster(path, { metadata: { annotations: { 'reconcile.fluxcd.io/requestedAt': 'after-410' } } });
    const handled = (name: string): boolean => watch.stdout().split('\n').some((l) => l.includes(`"name":"${name}"}`) && /"reason":"(Succeeded|ReconciliationSucceeded)"/.test(l) && l.includes('"count":2'));
    await until('the events of the three objects', () => [NAME, `${NAME}-infra`, `${NAME}-apps`].every(handled), 30_000);
    watch.child.kill('SIGINT');
    const result = await watch.result;
    expect(result.status).toBe(130);
    expect(result.stderr).toContain('events in namespace cluster-config: the watch expired (410 Gone); listing again');
    const lines = result.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    const occurrences = lines.map((e: any) => `${e.namespace}/${e.name}#${e.count}`);
    expect(new Set(occurrences).size).toBe(occurrences.length);
  });
});
