/**
 * `status` end to end: the built CLI against the emulator, from Azure (-g -c -t) and straight
 * from the cluster (--context with the emulator's kubeconfig). One look (table and JSON),
 * `--watch` (one JSON document or one line per change when stdout is not a terminal), the
 * `--wait-for` gate and its exit codes (0 reached, 6 failed, 5 timed out while progressing),
 * an Arc cluster that goes offline, the cluster view agreeing with Azure's, and usage errors.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { AKS, ARC, E2E, ON_AKS, ON_ARC, TUTORIAL, errors, fluxConfigUrl, sleep, writes } from './helpers.js';
import { configurationOf, jsonLines, keyOf, readScreen, readSummary, until, withoutTimes, type Row } from './status-helpers.js';

let e2e: E2E;

beforeAll(async () => {
  e2e = await E2E.start(['--operation-delay', '100', '--reconcile-delay', '1500', '--retry-after', '0', '--quiet']);
});

afterAll(async () => {
  await e2e?.stop();
});

const STATUS = 'status';
const CONFIG = 'cluster-config';
const CREATE_TUTORIAL = ['flux', 'config', 'create', ...ON_AKS, ...TUTORIAL, '-o', 'none'];
const FAILURE = 'kustomize build failed: accumulating resources: ./infrastructure/nginx: no such file or directory';
const SHA1_REVISION = /^main@sha1:[0-9a-f]{40}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** The configuration as ARM holds it, read straight from the emulator (not through the CLI). */
async function armConfiguration(cluster = AKS): Promise<any> {
  const res = await e2e.emu.request('GET', fluxConfigUrl(cluster, CONFIG));
  expect(res.status).toBe(200);
  return res.body.properties;
}

const compliantInArm = (cluster = AKS): Promise<void> =>
  e2e.armUntil(fluxConfigUrl(cluster, CONFIG), (b) => b.properties.complianceState === 'Compliant' && b.properties.statuses.length > 0);

/** Open Kubernetes watches on a cluster of the emulator. */
async function openWatches(cluster: string): Promise<number> {
  const state = await e2e.state();
  return state.clusters.find((c: { name: string }) => c.name === cluster).kubernetes.watches;
}

const byKey = (rows: Row[]): string[] => rows.map((r) => `${r.KIND}/${r['NAMESPACE/NAME']}`).sort();

describe('status from Azure, one look', () => {
  test('before anything is installed: the missing Flux extension is flagged, no configuration, nothing written', async () => {
    await e2e.reset();
    const [table, json] = await Promise.all([e2e.cliAsync([STATUS, ...ON_AKS]), e2e.cliAsync([STATUS, ...ON_AKS, '-o', 'json'])]);

    expect(table.status).toBe(0);
    expect(errors(table.stderr)).toEqual([]);
    const screen = readScreen(table.stdout);
    expect(screen.head.Cluster).toBe('aks1 (managedClusters, resource group rg)');
    expect(screen.head).not.toHaveProperty('Extension');
    expect(screen.head.Observed).toMatch(/ \(from Azure\)$/);
    expect(screen.warnings).toEqual([expect.stringContaining('the microsoft.flux extension is not installed on this cluster')]);
    expect(screen.noConfigurations).toBe('No Flux configurations on this cluster.');

    expect(json.status).toBe(0);
    const doc = json.json();
    expect(doc).toEqual({
      cluster: { name: 'aks1', type: 'managedClusters', resourceGroup: 'rg', id: AKS },
      configurations: [],
      otherObjects: [],
      observedAt: expect.stringMatching(ISO),
      source: 'azure',
      warnings: [expect.stringContaining('the microsoft.flux extension is not installed')],
    });
    expect(writes(await e2e.requests())).toEqual([]);
  });

  test('after the tutorial configuration: the extension, the configuration and every object Azure reports', async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    const create = await e2e.cliAsync(CREATE_TUTORIAL);
    expect(create.status).toBe(0);
    expect(create.stdout).toBe('');
    await compliantInArm();
    const arm = await armConfiguration();
    const armObjects = arm.statuses.map((s: { kind: string; namespace?: string; name: string }) => `${s.kind}/${s.namespace ?? CONFIG}/${s.name}`).sort();
    const revision = arm.sourceSyncedCommitId.replace('/', '@sha1:');
    expect(revision).toMatch(SHA1_REVISION);

    const before = Date.now();
    const [table, json, query] = await Promise.all([
      e2e.cliAsync([STATUS, ...ON_AKS]),
      e2e.cliAsync([STATUS, ...ON_AKS, '-o', 'json']),
      e2e.cliAsync([STATUS, ...ON_AKS, '--query', 'configurations[0].complianceState', '-o', 'tsv']),
    ]);
    const after = Date.now();

    // The table.
    expect(table.status).toBe(0);
    expect(errors(table.stderr)).toEqual([]);
    const screen = readScreen(table.stdout);
    expect(screen.head.Cluster).toBe('aks1 (managedClusters, resource group rg)');
    expect(screen.head.Extension).toMatch(/^flux \(microsoft\.flux \d+\.\d+\.\d+\)\s+Succeeded$/);
    expect(screen.warnings).toEqual([]);
    expect(screen.configurations).toEqual([
      { CONFIGURATION: CONFIG, NAMESPACE: CONFIG, PROVISIONING: 'Succeeded', COMPLIANCE: 'Compliant', REVISION: revision.slice(0, 'main@sha1:'.length + 8), REPORTED: expect.stringMatching(/^\d+s ago$/) },
    ]);
    expect([...screen.objects.keys()]).toEqual(['cluster-config/cluster-config (GitRepository)']);
    const rows = screen.objects.get('cluster-config/cluster-config (GitRepository)')!;
    expect(Object.keys(rows[0]!)).toEqual(['KIND', 'NAMESPACE/NAME', 'READY', 'STATE', 'REASON', 'REVISION', 'AGE', 'MESSAGE']);
    expect(byKey(rows)).toEqual(armObjects);
    expect(byKey(rows)).toEqual(expect.arrayContaining(['GitRepository/cluster-config/cluster-config', 'Kustomization/cluster-config/cluster-config-infra', 'Kustomization/cluster-config/cluster-config-apps']));
    expect(rows.filter((r) => r.KIND === 'HelmRelease').length).toBeGreaterThan(0);
    for (const r of rows) {
      expect({ object: r['NAMESPACE/NAME'], READY: r.READY, STATE: r.STATE, revision: r.REVISION !== '', age: r.AGE }).toEqual({
        object: r['NAMESPACE/NAME'], READY: 'True', STATE: 'Ready', revision: true, age: expect.stringMatching(/^\d+s$/),
      });
    }
    const kustomizations = rows.filter((r) => r.KIND === 'Kustomization');
    expect(kustomizations.map((r) => [r.REASON, r.REVISION])).toEqual(kustomizations.map(() => ['ReconciliationSucceeded', screen.configurations![0]!.REVISION]));

    // One JSON document with the same facts.
    expect(json.status).toBe(0);
    const doc = json.json();
    expect(Object.keys(doc).sort()).toEqual(['cluster', 'configurations', 'extension', 'observedAt', 'otherObjects', 'source', 'warnings']);
    expect(doc.cluster).toEqual({ name: 'aks1', type: 'managedClusters', resourceGroup: 'rg', id: AKS });
    expect(doc.extension).toMatchObject({ name: 'flux', type: 'microsoft.flux', provisioningState: 'Succeeded', installed: true, errors: [] });
    expect(doc.source).toBe('azure');
    expect(doc.warnings).toEqual([]);
    expect(doc.observedAt).toMatch(ISO);
    expect(Date.parse(doc.observedAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(doc.observedAt)).toBeLessThanOrEqual(after + 1000);
    expect(doc.configurations).toHaveLength(1);
    const config = doc.configurations[0];
    expect(config).toMatchObject({ name: CONFIG, namespace: CONFIG, scope: 'cluster', sourceKind: 'GitRepository', provisioningState: 'Succeeded', complianceState: 'Compliant', sourceRevision: revision, suspended: false, stale: false });
    expect(config.objects.map(keyOf).sort()).toEqual(armObjects);
    for (const o of config.objects) expect({ key: keyOf(o), ready: o.ready, state: o.state, stalled: o.stalled }).toEqual({ key: keyOf(o), ready: 'True', state: 'Ready', stalled: false });
    expect(config.objects.find((o: { kind: string }) => o.kind === 'GitRepository').revision).toBe(revision);

    // --query works on the same document.
    expect(query.status).toBe(0);
    expect(query.stdout).toBe('Compliant\n');
    expect(writes(await e2e.requests()).length).toBe(1); // the create's PUT; status wrote nothing
  });
});

describe('status --watch', () => {
  test('-o json --wait-for ready: one JSON document per change, the new configuration going from Pending to Compliant', async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    const watch = e2e.start([STATUS, ...ON_AKS, '--watch', '--wait-for', 'ready', '-o', 'json', '--interval', '1s', '--timeout', '25s'], { timeout: 30_000 });
    // The first document is out before the configuration exists.
    await until('the first JSON document', () => watch.stdout().includes('\n') || watch.child.exitCode !== null);
    const create = await e2e.cliAsync(CREATE_TUTORIAL);
    expect(create.status).toBe(0);
    const run = await watch.result;

    expect(run.status).toBe(0);
    expect(run.stderr).toContain('✔ ready: reached.');
    const docs = jsonLines(run.stdout);
    expect(docs.length).toBeGreaterThanOrEqual(3);
    for (const d of docs) expect(d).toMatchObject({ source: 'azure', cluster: { name: 'aks1' }, observedAt: expect.stringMatching(ISO) });
    expect(docs[0].configurations).toEqual([]);
    // Only changes are printed: no two documents in a row say the same.
    for (let i = 1; i < docs.length; i++) expect(withoutTimes(docs[i])).not.toEqual(withoutTimes(docs[i - 1]));
    for (let i = 1; i < docs.length; i++) expect(Date.parse(docs[i].observedAt)).toBeGreaterThan(Date.parse(docs[i - 1].observedAt));

    const states = docs.map((d) => configurationOf(d)).filter((c) => c !== undefined);
    expect(states.length).toBeGreaterThanOrEqual(2);
    // Pending, or already Non-Compliant as Azure reports the rollout while apps waits on infra
    // (a read a second apart may land on either): never a failed object on the way.
    expect(['Pending', 'Non-Compliant']).toContain(states[0].complianceState);
    for (const c of states) for (const o of c.objects) expect(o.state).not.toBe('Failed');
    const last = states.at(-1);
    expect(last).toBe(configurationOf(docs.at(-1)));
    expect(last).toMatchObject({ provisioningState: 'Succeeded', complianceState: 'Compliant', sourceRevision: expect.stringMatching(SHA1_REVISION), stale: false });
    expect(last.objects.length).toBeGreaterThan(2);
    expect(last.objects.every((o: { ready: string; state: string }) => o.ready === 'True' && o.state === 'Ready')).toBe(true);
    // Compliance never went back once reached.
    const firstCompliant = states.findIndex((c) => c.complianceState === 'Compliant');
    expect(states.slice(firstCompliant).every((c) => c.complianceState === 'Compliant')).toBe(true);
  });

  test('without a terminal: one line per change, each stamped with the time of the read', async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    const watch = e2e.start([STATUS, ...ON_AKS, '--watch', '--wait-for', 'ready', '--interval', '1s', '--timeout', '25s'], { timeout: 30_000 });
    await until('the first line', () => watch.stdout().includes('\n') || watch.child.exitCode !== null);
    const create = await e2e.cliAsync(CREATE_TUTORIAL);
    expect(create.status).toBe(0);
    const run = await watch.result;

    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain('\u001b'); // no cursor movement, no colour
    expect(run.stdout).not.toMatch(/^KIND /m); // no table
    const lines = run.stdout.replace(/\n$/, '').split('\n');
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z \S.*\S$/);
    expect(new Set(lines).size).toBe(lines.length);
    const text = lines.map((l) => l.slice(l.indexOf(' ') + 1));
    expect(text[0]).toMatch(/^extension flux \(microsoft\.flux [\d.]+\): Succeeded$/);
    const configLines = text.filter((t) => t.startsWith('configuration cluster-config/cluster-config: '));
    expect(configLines[0]).toMatch(/compliance (Pending|Non-Compliant \(progressing\))/); // a read a second apart may land on either
    // Azure reports the rollout Non-Compliant while apps waits on infra: shown as progress, never bare.
    expect(configLines.at(-1)).toMatch(/compliance (Pending|Non-Compliant \(progressing\)) -> Compliant/);
    for (const line of configLines) expect(line).not.toMatch(/Non-Compliant(?! \(progressing\))/);
    // Each Kustomization ends Ready: with its transition when a read saw it on its way (reads
    // are a second apart, the agent's steps half a second: the first sight may be Ready).
    expect(text).toContainEqual(expect.stringMatching(/^Kustomization cluster-config\/cluster-config-infra: (Progressing -> )?Ready, ready True, ReconciliationSucceeded, at main@sha1:[0-9a-f]{8}: Applied revision: main@sha1:[0-9a-f]{8}$/));
    expect(text).toContainEqual(expect.stringMatching(/^Kustomization cluster-config\/cluster-config-apps: (Progressing -> )?Ready, ready True, ReconciliationSucceeded/));
    // Every object Azure reports got a line.
    const arm = await armConfiguration();
    for (const s of arm.statuses) expect(text).toContainEqual(expect.stringContaining(`${s.kind} ${s.namespace ?? CONFIG}/${s.name}: `));
    // Lines are in time order.
    const times = lines.map((l) => Date.parse(l.slice(0, l.indexOf(' '))));
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(run.stderr).toContain('✔ ready: reached.');
  });
});

describe('status --watch without --wait-for stays live', () => {
  test('-o json: it does not stop when everything is ready, only at --timeout (exit 0, no gate verdict)', async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    await e2e.putTutorial(AKS, { compliant: true });
    const started = Date.now();
    const run = await e2e.cliAsync([STATUS, ...ON_AKS, '--watch', '-o', 'json', '--interval', '1s', '--timeout', '4s'], { timeout: 30_000 });
    const elapsed = Date.now() - started;
    expect(run.status).toBe(0);
    expect(elapsed).toBeGreaterThanOrEqual(4000); // everything was ready from the first read, and it kept watching
    expect(run.stderr).not.toMatch(/reached|failed/);
    expect(run.stderr).toContain('Stopped watching after 4s (--timeout).');
    const docs = jsonLines(run.stdout);
    expect(docs).toHaveLength(1); // nothing changed: one document
    expect(configurationOf(docs[0])).toMatchObject({ complianceState: 'Compliant' });
    // It kept reading at --interval all along.
    const reads = (await e2e.requests()).filter((r) => r.method === 'GET' && r.path.endsWith('/fluxConfigurations'));
    expect(reads.length).toBeGreaterThanOrEqual(3);
  });
});

describe('a configuration that does not exist yet is waited for', () => {
  test('from Azure: -n NAME --wait-for started before the create passes once it is created; a one look says it is missing (exit 3)', async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    const once = await e2e.cliAsync([STATUS, ...ON_AKS, '-n', CONFIG]);
    expect(once.status).toBe(3);
    expect(errors(once.stderr)).toEqual([expect.stringContaining("Flux configuration 'cluster-config' does not exist")]);

    const gate = e2e.start([STATUS, ...ON_AKS, '-n', CONFIG, '--wait-for', 'ready', '--interval', '1s', '--timeout', '30s', '-o', 'json'], { timeout: 40_000 });
    const watch = e2e.start([STATUS, ...ON_AKS, '-n', CONFIG, '--watch', '--wait-for', 'ready', '--interval', '1s', '--timeout', '30s', '-o', 'json'], { timeout: 40_000 });
    await until('the first document of the watch', () => watch.stdout().includes('\n') || watch.child.exitCode !== null);
    // A few reads of "not there yet" later, both are still waiting.
    await until('three reads of the missing configuration', async () => (await e2e.requests()).filter((r) => r.status === 404 && r.path.endsWith(`/fluxConfigurations/${CONFIG}`)).length >= 6);
    expect([gate.child.exitCode, watch.child.exitCode]).toEqual([null, null]);
    await e2e.putTutorial(AKS);
    const [g, w] = await Promise.all([gate.result, watch.result]);

    for (const run of [g, w]) {
      expect({ status: run.status, errors: errors(run.stderr) }).toEqual({ status: 0, errors: [] });
      expect(readSummary(run.stderr).verdict).toBe('✔ ready: reached.');
    }
    const docs = jsonLines(w.stdout);
    expect(docs[0]).toMatchObject({ configurations: [], warnings: ["Flux configuration 'cluster-config' does not exist on this cluster yet; waiting for it to be created."] });
    expect(configurationOf(docs.at(-1))).toMatchObject({ provisioningState: 'Succeeded', complianceState: 'Compliant' });
    expect(JSON.parse(g.stdout).configurations[0]).toMatchObject({ name: CONFIG, complianceState: 'Compliant' });
  });

  test('from the cluster: --context -n NAME --wait-for started before the create passes once its objects are ready', async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    const gate = e2e.start([STATUS, '--context', 'aks1', '-n', CONFIG, '--watch', '--wait-for', 'ready', '-o', 'json', '--timeout', '30s'], { timeout: 40_000 });
    await until('open watches on aks1', async () => (await openWatches('aks1')) > 0 || gate.child.exitCode !== null);
    await sleep(1500);
    expect(gate.child.exitCode).toBeNull();
    await e2e.putTutorial(AKS);
    const run = await gate.result;
    expect({ status: run.status, errors: errors(run.stderr) }).toEqual({ status: 0, errors: [] });
    const docs = jsonLines(run.stdout);
    expect(docs[0]).toMatchObject({ configurations: [{ name: CONFIG, objects: [] }] });
    expect(configurationOf(docs.at(-1))).toMatchObject({ complianceState: 'Compliant' });
  });
});

describe('status --context … --wait-for exits with its verdict', () => {
  test('already ready: the verdict and the exit come together, every time (no watch connection left open)', async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    await e2e.putTutorial(AKS, { compliant: true });
    for (const args of [['--wait-for', 'ready'], ['-n', CONFIG, '--wait-for', 'compliant'], ['--watch', '--wait-for', 'ready', '-o', 'json']]) {
      const runs = await Promise.all([1, 2, 3].map(() => e2e.cliAsync([STATUS, '--context', 'aks1', ...args, '--timeout', '60s'], { timeout: 30_000 })));
      for (const run of runs) {
        // Killed by the harness (status null) if it hung after its verdict.
        expect({ args, status: run.status, signal: run.signal }).toEqual({ args, status: 0, signal: null });
        expect(run.stderr).toMatch(/✔ (ready|compliant): reached\./);
      }
    }
    await until('no watch left open on aks1', async () => (await openWatches('aks1')) === 0, 5000);
  });
});

describe('a Failed extension', () => {
  test("shows Azure's reason (statuses[] with level null) in the table and in -o json", async () => {
    await e2e.reset({ extension: { aks1: 'failed' } });
    const arm = (await e2e.emu.request('GET', `${AKS}/providers/Microsoft.KubernetesConfiguration/extensions/flux?api-version=2023-05-01`)).body.properties;
    expect(arm.statuses[0]).toMatchObject({ code: 'InstallationFailed', level: null });
    const reason: string = arm.statuses[0].message;
    const [table, json, gate] = await Promise.all([
      e2e.cliAsync([STATUS, ...ON_AKS]),
      e2e.cliAsync([STATUS, ...ON_AKS, '-o', 'json']),
      e2e.cliAsync([STATUS, ...ON_AKS, '--wait-for', 'compliant', '--timeout', '10s', '-o', 'none']),
    ]);
    expect(table.status).toBe(0);
    const screen = readScreen(table.stdout);
    expect(screen.head.Extension).toMatch(/^flux \(microsoft\.flux\)\s+Failed$/);
    expect(screen.warnings).toEqual([`the flux extension (microsoft.flux) is Failed: ${reason}; Flux configurations are not reconciled until it is installed.`]);
    expect(json.json().extension).toMatchObject({ provisioningState: 'Failed', installed: false, errors: [reason] });
    expect(gate.status).toBe(6);
    expect(readSummary(gate.stderr).reasons).toEqual([`the flux extension (microsoft.flux) is Failed: ${reason}`]);
  });
});

describe('status --wait-for (a CI gate)', () => {
  test('compliant: exit 0 once the configuration is Compliant; the final state is the output', async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    await e2e.putTutorial(AKS);
    const run = await e2e.cliAsync([STATUS, ...ON_AKS, '-n', CONFIG, '--wait-for', 'compliant', '--interval', '1s', '--timeout', '20s', '-o', 'json']);
    expect(run.status).toBe(0);
    expect(errors(run.stderr)).toEqual([]);
    expect(readSummary(run.stderr).verdict).toBe('✔ compliant: reached.');
    const doc = run.json(); // one document: the state that passed the gate
    expect(doc.configurations).toHaveLength(1);
    expect(doc.configurations[0]).toMatchObject({ name: CONFIG, provisioningState: 'Succeeded', complianceState: 'Compliant', stale: false });
  });

  test('a failing kustomization with --fail-fast: exit 6 as soon as it fails, with the failure in the summary', async () => {
    await e2e.reset({ extension: { aks1: 'installed' }, failKustomization: { infra: FAILURE } });
    await e2e.putTutorial(AKS);
    const started = Date.now();
    const run = await e2e.cliAsync([STATUS, ...ON_AKS, '-n', CONFIG, '--wait-for', 'compliant', '--fail-fast', '--interval', '1s', '--timeout', '30s', '-o', 'none']);
    expect(run.status).toBe(6);
    expect(Date.now() - started).toBeLessThan(10_000); // long before --timeout
    expect(run.stdout).toBe('');
    const summary = readSummary(run.stderr);
    expect(summary.verdict).toBe('✗ compliant: failed.');
    expect(summary.reasons).toEqual(["configuration 'cluster-config/cluster-config': Kustomization cluster-config/cluster-config-infra failed (BuildFailed)"]);
    expect(summary.notReady).toContainEqual({ KIND: 'Kustomization', 'NAMESPACE/NAME': 'cluster-config/cluster-config-infra', READY: 'False', STATE: 'Failed', REASON: 'BuildFailed', MESSAGE: FAILURE });
    expect(summary.errors).toEqual([expect.stringMatching(/^ERROR: compliant: not reached/)]);
  });

  test('a failing kustomization without --fail-fast: waits until --timeout, then exit 6 because objects are failing', async () => {
    await e2e.reset({ extension: { aks1: 'installed' }, failKustomization: { infra: FAILURE } });
    await e2e.putTutorial(AKS);
    await e2e.armUntil(fluxConfigUrl(AKS, CONFIG), (b) => b.properties.complianceState === 'Non-Compliant');
    const started = Date.now();
    const run = await e2e.cliAsync([STATUS, ...ON_AKS, '-n', CONFIG, '--wait-for', 'compliant', '--interval', '1s', '--timeout', '2s']);
    const elapsed = Date.now() - started;
    expect(run.status).toBe(6);
    expect(elapsed).toBeGreaterThanOrEqual(2000); // it waited for a recovery
    expect(elapsed).toBeLessThan(10_000);
    // The last state is printed.
    const screen = readScreen(run.stdout);
    expect(screen.configurations).toEqual([expect.objectContaining({ CONFIGURATION: CONFIG, COMPLIANCE: 'Non-Compliant' })]);
    const summary = readSummary(run.stderr);
    expect(summary.verdict).toBe('✗ compliant: not reached within 2s (timed out).');
    expect(summary.reasons).toEqual(["still waiting: configuration 'cluster-config/cluster-config' is Non-Compliant"]);
    expect(summary.notReady).toContainEqual({ KIND: 'Kustomization', 'NAMESPACE/NAME': 'cluster-config/cluster-config-infra', READY: 'False', STATE: 'Failed', REASON: 'BuildFailed', MESSAGE: FAILURE });
    expect(summary.notReady).toContainEqual(expect.objectContaining({ 'NAMESPACE/NAME': 'cluster-config/cluster-config-apps', STATE: 'Progressing', REASON: 'DependencyNotReady' }));
    expect(summary.errors).toEqual(['ERROR: compliant: not reached within 2s, and objects are failing (see above).']);
  });

  test('a configuration still waiting (extension still installing): provisioned exits 0, ready and compliant time out with exit 5', async () => {
    await e2e.reset({ extension: { aks1: 'installing' } });
    await e2e.putTutorial(AKS); // accepted by ARM; the agent does not run until the extension is installed
    const [provisioned, ready, compliantFast] = await Promise.all([
      e2e.cliAsync([STATUS, ...ON_AKS, '-n', CONFIG, '--wait-for', 'provisioned', '--timeout', '5s', '-o', 'json']),
      e2e.cliAsync([STATUS, ...ON_AKS, '-n', CONFIG, '--wait-for', 'ready', '--timeout', '1s']),
      e2e.cliAsync([STATUS, ...ON_AKS, '-n', CONFIG, '--wait-for', 'compliant', '--fail-fast', '--timeout', '1s', '-o', 'none']),
    ]);

    // provisioned: ARM accepted it, whatever the compliance.
    expect(provisioned.status).toBe(0);
    expect(readSummary(provisioned.stderr).verdict).toBe('✔ provisioned: reached.');
    const doc = provisioned.json();
    expect(doc.extension).toMatchObject({ provisioningState: 'Creating', installed: false });
    expect(doc.configurations[0]).toMatchObject({ name: CONFIG, provisioningState: 'Succeeded', complianceState: 'Pending' });

    // ready: still Pending when --timeout runs out, and nothing failing: 5.
    expect(ready.status).toBe(5);
    expect(readScreen(ready.stdout).configurations).toEqual([expect.objectContaining({ PROVISIONING: 'Succeeded', COMPLIANCE: 'Pending' })]);
    const summary = readSummary(ready.stderr);
    expect(summary.verdict).toBe('✗ ready: not reached within 1s (timed out).');
    expect(summary.reasons).toEqual(["still waiting: configuration 'cluster-config/cluster-config' is Pending"]);
    expect(summary.notReady).toEqual([]);
    // Nothing reported is never "every object reported is ready": it says why.
    expect(ready.stderr).not.toContain('Every object reported is ready');
    expect(ready.stderr).toMatch(/^Nothing has been reported yet: the flux extension is Creating: Flux is still installing\.$/m);
    expect(summary.errors).toEqual(['ERROR: ready: not reached within 1s; the last state is above.']);

    // --fail-fast does not turn waiting into failing.
    expect(compliantFast.status).toBe(5);
    expect(compliantFast.stdout).toBe('');
    expect(readSummary(compliantFast.stderr).verdict).toBe('✗ compliant: not reached within 1s (timed out).');
  });
});

describe('an Arc cluster that goes offline', () => {
  test('its last report is flagged stale and never passes the gate (exit 5: stale facts decide nothing)', async () => {
    await e2e.reset({ extension: { arc1: 'installed' } });
    await e2e.putTutorial(ARC, { compliant: true });
    const online = await e2e.cliAsync([STATUS, ...ON_ARC, '--wait-for', 'compliant', '--timeout', '5s', '-o', 'none']);
    expect(online.status).toBe(0);

    await e2e.faults({ arcOffline: ['arc1'] });
    const [table, json, compliant, readyFast] = await Promise.all([
      e2e.cliAsync([STATUS, ...ON_ARC]),
      e2e.cliAsync([STATUS, ...ON_ARC, '-o', 'json']),
      e2e.cliAsync([STATUS, ...ON_ARC, '--wait-for', 'compliant', '--timeout', '1s', '-o', 'none']),
      e2e.cliAsync([STATUS, ...ON_ARC, '--wait-for', 'ready', '--fail-fast', '--timeout', '1s', '-o', 'none']),
    ]);

    expect(table.status).toBe(0);
    const screen = readScreen(table.stdout);
    expect(screen.head.Cluster).toMatch(/^arc1 \(connectedClusters, resource group rg\)\s+Offline, last heartbeat \S+ ago$/);
    expect(screen.warnings).toEqual([expect.stringMatching(/^Arc cluster 'arc1' is Offline \(last heartbeat [^)]+\): the status below is what it last reported, not what runs now\./)]);
    expect(screen.configurations).toEqual([expect.objectContaining({ CONFIGURATION: CONFIG, COMPLIANCE: 'Compliant (stale)' })]);

    const doc = json.json();
    expect(doc.cluster.connectivity).toMatchObject({ status: 'Offline', offline: true, expired: false });
    expect(doc.configurations[0]).toMatchObject({ name: CONFIG, stale: true, staleReason: expect.stringContaining('Offline') });
    expect(doc.warnings).toEqual([expect.stringContaining("Arc cluster 'arc1' is Offline")]);

    for (const [run, waitFor] of [[compliant, 'compliant'], [readyFast, 'ready']] as const) {
      expect(run.status).toBe(5);
      const summary = readSummary(run.stderr);
      expect(summary.verdict).toBe(`✗ ${waitFor}: not reached within 1s (timed out).`);
      expect(summary.reasons).toEqual(["still waiting: configuration 'cluster-config/cluster-config': status is stale (the Arc cluster is Offline)"]);
      expect(run.stderr).not.toContain('reached.\n');
    }
  });
});

describe('status from the cluster (--context, the emulator kubeconfig)', () => {
  test('--watch --wait-for ready -o json follows the configuration to Ready through the Kubernetes watch API', async () => {
    await e2e.reset({ extension: { aks1: 'installed' } });
    await e2e.clearRequests();
    const watch = e2e.start([STATUS, '--context', 'aks1', '--watch', '--wait-for', 'ready', '-o', 'json', '--timeout', '25s'], { timeout: 30_000 });
    await until('the first JSON document', () => watch.stdout().includes('\n') || watch.child.exitCode !== null);
    // Watching, not polling: the CLI holds watches open on the cluster's API.
    await until('open watches on aks1', async () => (await openWatches('aks1')) > 0 || watch.child.exitCode !== null);
    expect(watch.child.exitCode).toBeNull();
    expect(await e2e.requests()).toEqual([]); // the cluster view asks nothing of Azure
    await e2e.putTutorial(AKS);
    const run = await watch.result;

    expect(run.status).toBe(0);
    expect(run.stderr).toContain('✔ ready: reached.');
    const docs = jsonLines(run.stdout);
    for (const d of docs) expect(d).toMatchObject({ source: 'cluster', cluster: { name: 'aks1', type: 'kubernetes', context: 'aks1' } });
    expect(docs[0]).toMatchObject({ configurations: [], otherObjects: [], warnings: ['no Flux objects found in the cluster.'] });
    for (let i = 1; i < docs.length; i++) expect(withoutTimes(docs[i])).not.toEqual(withoutTimes(docs[i - 1]));
    const states = docs.map((d) => configurationOf(d)).filter((c) => c !== undefined);
    expect(states.length).toBeGreaterThanOrEqual(3); // each step of the agent, as it happens
    expect(states[0].complianceState).toBe('Pending');
    const last = configurationOf(docs.at(-1));
    expect(last).toMatchObject({ complianceState: 'Compliant', sourceRevision: expect.stringMatching(SHA1_REVISION) });
    expect(last.objects.every((o: { ready: string; state: string }) => o.ready === 'True' && o.state === 'Ready')).toBe(true);
    expect(last.objects.map(keyOf)).toEqual(expect.arrayContaining(['Kustomization/cluster-config/cluster-config-infra', 'Kustomization/cluster-config/cluster-config-apps']));
    expect(docs.at(-1).otherObjects).toEqual([]);
  });

  describe("the cluster view matches Azure's view", () => {
    /** Both views of the same moment; fails if the cluster view asked Azure anything. */
    async function bothViews(): Promise<{ azure: any; cluster: any; clusterTable: string }> {
      await e2e.clearRequests();
      const [cluster, clusterTable] = await Promise.all([e2e.cliAsync([STATUS, '--context', 'aks1', '-o', 'json']), e2e.cliAsync([STATUS, '--context', 'aks1'])]);
      expect(await e2e.requests()).toEqual([]);
      const azure = await e2e.cliAsync([STATUS, ...ON_AKS, '-o', 'json']);
      for (const run of [cluster, clusterTable, azure]) expect({ status: run.status, errors: errors(run.stderr) }).toEqual({ status: 0, errors: [] });
      return { azure: azure.json(), cluster: cluster.json(), clusterTable: clusterTable.stdout };
    }

    /** Same configuration, same objects where both report them, same readiness and normalized revisions. */
    function expectAgreement(azure: any, cluster: any): void {
      expect(cluster.source).toBe('cluster');
      expect(cluster.configurations.map((c: { namespace: string; name: string }) => `${c.namespace}/${c.name}`)).toEqual(azure.configurations.map((c: { namespace: string; name: string }) => `${c.namespace}/${c.name}`));
      expect(cluster.otherObjects).toEqual([]);
      const a = configurationOf(azure);
      const k = configurationOf(cluster);
      expect({ complianceState: k.complianceState, sourceRevision: k.sourceRevision, sourceKind: k.sourceKind }).toEqual({ complianceState: a.complianceState, sourceRevision: a.sourceRevision, sourceKind: a.sourceKind });

      const fromCluster = new Map<string, any>(k.objects.map((o: any) => [keyOf(o), o]));
      const fromAzure = new Map<string, any>(a.objects.map((o: any) => [keyOf(o), o]));
      // Every object Azure reports is in the cluster; the cluster's extras are the HelmCharts helm-controller makes.
      expect([...fromAzure.keys()].filter((key) => !fromCluster.has(key))).toEqual([]);
      const extras = [...fromCluster.keys()].filter((key) => !fromAzure.has(key));
      expect(extras.filter((key) => !key.startsWith('HelmChart/'))).toEqual([]);
      const facts = (o: any): unknown => ({ ready: o.ready, state: o.state, stalled: o.stalled, reason: o.reason, revision: o.revision });
      for (const [key, o] of fromAzure) expect({ key, ...(facts(fromCluster.get(key)) as object) }).toEqual({ key, ...(facts(o) as object) });
    }

    test('Compliant: same objects, readiness and revisions (plus the HelmCharts Azure does not report)', async () => {
      await e2e.reset({ extension: { aks1: 'installed' } });
      await e2e.putTutorial(AKS, { compliant: true });
      const { azure, cluster, clusterTable } = await bothViews();
      expectAgreement(azure, cluster);
      const k = configurationOf(cluster);
      expect(k.complianceState).toBe('Compliant');
      const releases = k.objects.filter((o: { kind: string }) => o.kind === 'HelmRelease');
      const charts = k.objects.filter((o: { kind: string }) => o.kind === 'HelmChart');
      expect(releases.length).toBeGreaterThan(0);
      expect(charts.length).toBe(releases.length);
      expect(configurationOf(azure).objects.some((o: { kind: string }) => o.kind === 'HelmChart')).toBe(false);
      // Revisions are present and in one form on both sides (Azure's main/<sha> becomes main@sha1:<sha>).
      for (const o of k.objects) expect({ key: keyOf(o), revision: typeof o.revision }).toEqual({ key: keyOf(o), revision: 'string' });
      expect(k.sourceRevision).toMatch(SHA1_REVISION);
      expect((await armConfiguration()).sourceSyncedCommitId).toBe(k.sourceRevision.replace('@sha1:', '/'));

      // The table from the cluster: no Azure-only columns, the HelmCharts included.
      const screen = readScreen(clusterTable);
      expect(screen.head.Cluster).toBe('aks1 (context aks1)');
      expect(screen.head.Observed).toMatch(/ \(from the cluster\)$/);
      expect(screen.head).not.toHaveProperty('Extension');
      expect(screen.configurations).toEqual([{ CONFIGURATION: CONFIG, NAMESPACE: CONFIG, COMPLIANCE: 'Compliant', REVISION: expect.stringMatching(/^main@sha1:[0-9a-f]{8}$/) }]);
      const rows = screen.objects.get('cluster-config/cluster-config (GitRepository)')!;
      expect(byKey(rows)).toEqual(k.objects.map(keyOf).sort());
      expect(rows.every((r) => r.READY === 'True' && r.STATE === 'Ready')).toBe(true);
    });

    test('Non-Compliant: the failing and the waiting kustomizations read the same on both sides', async () => {
      await e2e.reset({ extension: { aks1: 'installed' }, failKustomization: { infra: FAILURE } });
      await e2e.putTutorial(AKS);
      // The last step of the agent: apps waits on infra, which failed. (apps reports
      // DependencyNotReady, and Azure Non-Compliant, from the first step on, while infra is still
      // in progress: wait for infra's failure too.)
      const reason = (b: any, name: string): string | undefined => b.properties.statuses.find((s: any) => s.name === name)?.statusConditions?.[0]?.reason;
      await e2e.armUntil(fluxConfigUrl(AKS, CONFIG), (b) => b.properties.complianceState === 'Non-Compliant' && reason(b, 'cluster-config-apps') === 'DependencyNotReady' && reason(b, 'cluster-config-infra') === 'BuildFailed');
      const { azure, cluster } = await bothViews();
      expectAgreement(azure, cluster);
      const k = configurationOf(cluster);
      expect(k.complianceState).toBe('Non-Compliant');
      const byName = new Map<string, any>(k.objects.map((o: any) => [o.name, o]));
      expect(byName.get('cluster-config-infra')).toMatchObject({ ready: 'False', state: 'Failed', reason: 'BuildFailed', message: FAILURE });
      expect(byName.get('cluster-config-apps')).toMatchObject({ ready: 'False', state: 'Progressing', reason: 'DependencyNotReady' });
      expect(byName.get(CONFIG)).toMatchObject({ kind: 'GitRepository', ready: 'True', state: 'Ready' });
    });
  });
});

describe('usage errors: exit 2, nothing on stdout, nothing sent', () => {
  const CASES: Array<[string, string[], RegExp]> = [
    ['an unknown --wait-for state', ['--wait-for', 'soon'], /--wait-for/],
    ['--interval without a unit', ['--watch', '--interval', '5'], /^ERROR: --interval: '5' is not a Go duration\.$/m],
    ['--interval below 1s', ['--watch', '--interval', '500ms'], /^ERROR: --interval: '500ms' is too short/m],
    ['--timeout that is not a duration', ['--wait-for', 'ready', '--timeout', 'ten'], /^ERROR: --timeout: 'ten' is not a Go duration\.$/m],
    ['--timeout with a bad unit', ['--wait-for', 'ready', '--timeout', '1h2x'], /^ERROR: --timeout: '1h2x' is not a Go duration\.$/m],
    ['--namespace with the Azure view', ['--namespace', 'cluster-config'], /^ERROR: --namespace: only applies to the cluster view/m],
    ['--fail-fast without a gate', ['--watch', '--fail-fast'], /^ERROR: --fail-fast: only applies to a gate: add --wait-for/m],
  ];

  test.each(CASES)('%s', async (_what, args, message) => {
    await e2e.reset();
    const run = await e2e.cliAsync([STATUS, ...ON_AKS, ...args]);
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 2, stdout: '' });
    expect(run.stderr).toMatch(message);
    expect(errors(run.stderr)).toHaveLength(1);
    expect(await e2e.requests()).toEqual([]);
  });
});
