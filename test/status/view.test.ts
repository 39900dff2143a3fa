import { describe, expect, test } from '@jest/globals';
import { azureStatus } from '../../src/status/azure.js';
import { clusterStatus } from '../../src/status/cluster.js';
import { evaluateGate } from '../../src/status/gate.js';
import { changeLines, formatAge, renderFrame, renderJsonChange, renderStatus, renderSummary, truncateLine, visibleWidth } from '../../src/status/view.js';
import { Screen } from '../helpers/screen.js';
import { aksCluster, arcCluster, compliantObjects, compliantStatuses, fluxConfig, fluxExtension, iso, kube, MIN, NOW, SHA, type ConfigShape } from './fixtures.js';

const HOUR = 60 * MIN;
const ESC = '\x1b';

/** As shown: the commit id in it shortened to 8 characters. */
const FAILED_MESSAGE = 'Helm install failed for release cfg-ns/podinfo with chart podinfo@6.0.3: image 0ba6f0d3 not found';
const failing = compliantStatuses().map((s) =>
  s.kind === 'HelmRelease' ? { ...s, complianceState: 'Non-Compliant', ready: ['False', 'InstallFailed', `Helm install failed for release cfg-ns/podinfo with chart podinfo@6.0.3: image ${SHA} not found`] as [string, string, string] } : s,
);
const pending = compliantStatuses().map((s) => (s.kind === 'GitRepository' ? s : { ...s, complianceState: 'Pending', ready: ['Unknown', 'Progressing', 'Reconciliation in progress'] as [string, string, string] }));

const at = (now: number, shape: ConfigShape = {}, cluster = arcCluster('Connected', iso(now - MIN))) =>
  azureStatus({ cluster, extensions: [fluxExtension()], configurations: [fluxConfig({ statusUpdatedAt: iso(now - MIN), ...shape })] }, { now });

describe('the status table', () => {
  test('Azure: cluster, extension, warnings, configurations, then objects with the message last', () => {
    const status = azureStatus(
      {
        cluster: arcCluster('Offline', iso(NOW - 3 * HOUR)),
        extensions: [fluxExtension()],
        configurations: [fluxConfig({ complianceState: 'Non-Compliant', statuses: failing }), fluxConfig({ name: 'web', provisioningState: 'Failed', errorMessage: 'source unreachable', complianceState: 'Pending', statuses: [] })],
      },
      { now: NOW },
    );
    expect(renderStatus(status, { color: false })).toBe(
      [
        'Cluster    arc1 (connectedClusters, resource group rg1)  Offline, last heartbeat 3h ago',
        'Extension  flux (microsoft.flux 1.15.1)  Succeeded',
        'Observed   2024-05-01T10:00:00Z (from Azure)',
        "⚠ Arc cluster 'arc1' is Offline (last heartbeat 2024-05-01T07:00:00Z): the status below is what it last reported, not what runs now.",
        '',
        'CONFIGURATION  NAMESPACE  PROVISIONING  COMPLIANCE             REVISION            REPORTED',
        '-------------  ---------  ------------  ---------------------  ------------------  --------',
        'cfg            cfg-ns     Succeeded     Non-Compliant (stale)  main@sha1:0ba6f0d3  60s ago',
        'web            cfg-ns     Failed        Pending (stale)        main@sha1:0ba6f0d3  60s ago',
        '✗ cfg-ns/web: source unreachable',
        '',
        'cfg-ns/cfg (GitRepository)',
        'KIND           NAMESPACE/NAME   READY  STATE   REASON                   REVISION            AGE  MESSAGE',
        `-------------  ---------------  -----  ------  -----------------------  ------------------  ---  ${'-'.repeat(FAILED_MESSAGE.length)}`,
        "GitRepository  cfg-ns/cfg       True   Ready   Succeeded                main@sha1:0ba6f0d3  5m   stored artifact for revision 'main@sha1:0ba6f0d3'",
        'Kustomization  cfg-ns/cfg-apps  True   Ready   ReconciliationSucceeded  main@sha1:0ba6f0d3  5m   Applied revision: main/0ba6f0d3',
        'HelmRelease    cfg-ns/podinfo   False  Failed  InstallFailed                                5m   Helm install failed for release cfg-ns/podinfo with chart podinfo@6.0.3: image 0ba6f0d3 not found',
        '',
        'cfg-ns/web (GitRepository)',
        '  no objects reported yet',
        '',
      ].join('\n'),
    );
  });

  test('cluster view: no provisioning or report age; Flux objects outside any configuration get their own table', () => {
    const objects = [...compliantObjects(), kube({ kind: 'Kustomization', name: 'flux-system', namespace: 'flux-system', ready: ['True', 'ReconciliationSucceeded', 'ok'] })];
    const text = renderStatus(clusterStatus({ objects, context: 'kind-dev' }, { now: NOW }), { color: false });
    expect(text).toContain('Cluster   kind-dev (context kind-dev)\n');
    expect(text).toContain('CONFIGURATION  NAMESPACE  COMPLIANCE  REVISION\n');
    expect(text).not.toContain('PROVISIONING');
    expect(text).toContain('HelmRelease    cfg-ns/podinfo   True   Ready  InstallSucceeded         6.0.3               5m   Helm install succeeded');
    expect(text).toMatch(/\nFlux objects outside any configuration\nKIND .*\n-+.*\nKustomization  flux-system\/flux-system  True/);
  });

  test('stalled objects are marked, stale report ages shown', () => {
    const s = at(NOW, { statusUpdatedAt: iso(NOW - 2 * HOUR), statuses: compliantStatuses().map((e) => (e.kind === 'HelmRelease' ? { ...e, complianceState: 'Non-Compliant', ready: ['False', 'RetriesExceeded', 'gave up'] as [string, string, string] } : e)) }, aksCluster());
    const text = renderStatus(s, { color: false });
    expect(text).toContain('Compliant (stale)  main@sha1:0ba6f0d3  120m ago');
    expect(text).toContain('False  Failed (stalled)  RetriesExceeded');
    expect(text).toContain("⚠ status of configuration 'cfg-ns/cfg' is stale");
  });

  test('ages follow the clock given, not the read', () => {
    const s = at(NOW);
    expect(renderStatus(s, { color: false, now: NOW + 10 * MIN })).toContain('11m ago');
  });

  test('with colour: ANSI added, columns still aligned', () => {
    const s = at(NOW, { complianceState: 'Non-Compliant', statuses: failing });
    const plain = renderStatus(s, { color: false });
    const colored = renderStatus(s, { color: true });
    expect(colored).not.toBe(plain);
    expect(colored).toContain(`${ESC}[31mFailed${ESC}[39m`);
    expect(colored.replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain);
  });

  test.each([
    [0, '0s'],
    [45 * 1000, '45s'],
    [119 * 1000, '119s'],
    [4 * MIN + 10 * 1000, '4m10s'],
    [5 * MIN, '5m'],
    [37 * MIN, '37m'],
    [5 * HOUR + 12 * MIN, '5h12m'],
    [20 * HOUR, '20h'],
    [76 * HOUR, '3d4h'],
    [12 * 24 * HOUR, '12d'],
    [-5000, '0s'],
  ])('age of %d ms → %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});

describe('TTY redraw in place', () => {
  test('the first frame just draws; each later one moves up exactly the previous frame, overwrites and erases the leftovers', () => {
    const screen = new Screen();
    screen.write('$ k8s-gitops status --watch\n');
    const f1 = renderFrame('one\ntwo long line\nthree\n', 0);
    expect(f1).toEqual({ text: `one${ESC}[K\ntwo long line${ESC}[K\nthree${ESC}[K\n`, lines: 3 });
    screen.write(f1.text);
    const f2 = renderFrame('ONE\ntwo\n', f1.lines);
    expect(f2.text.startsWith(`\r${ESC}[3A`)).toBe(true);
    expect(f2.text.endsWith(`${ESC}[J`)).toBe(true); // shorter: the third line is erased
    screen.write(f2.text);
    expect(screen.shown()).toEqual(['$ k8s-gitops status --watch', 'ONE', 'two']);
    expect(screen.lines.slice(screen.row).every((l) => l === '')).toBe(true);
    const f3 = renderFrame('a\nb\nc\nd\n', f2.lines);
    expect(f3.text.startsWith(`\r${ESC}[2A`)).toBe(true);
    expect(f3.text).not.toContain(`${ESC}[J`); // taller: nothing below to erase
    screen.write(f3.text);
    expect(screen.shown()).toEqual(['$ k8s-gitops status --watch', 'a', 'b', 'c', 'd']);
  });

  test('never a full-screen clear or a jump home (the flicker makers)', () => {
    const frames = ['a\nb\n', 'a\n', 'a\nb\nc\n', ''];
    let previous = 0;
    for (const body of frames) {
      const f = renderFrame(body, previous, { columns: 80, rows: 24 });
      expect(f.text).not.toMatch(/\x1b\[2J|\x1b\[H|\x1b\[\d*;\d*H|\x1bc/);
      previous = f.lines;
    }
  });

  test('lines are cut to the terminal width so none wraps (the line count stays exact), colours closed', () => {
    const long = `${'x'.repeat(30)}${ESC}[31m${'y'.repeat(30)}${ESC}[39m`;
    const f = renderFrame(`${long}\nshort\n`, 0, { columns: 40 });
    const [first] = f.text.split('\n');
    expect(visibleWidth(first!.replace(`${ESC}[K`, ''))).toBe(39);
    expect(first).toContain('…');
    expect(first!.endsWith(`${ESC}[0m${ESC}[K`)).toBe(true);
    expect(f.lines).toBe(2);
    expect(truncateLine('short', 40)).toBe('short');
    expect(truncateLine('ab', 0)).toBe('');
  });

  test('a frame taller than the terminal is cut with a note, so moving up never leaves the screen', () => {
    const body = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n');
    const f = renderFrame(body, 0, { rows: 10 });
    expect(f.lines).toBe(9);
    expect(f.text.split('\n').slice(0, 9).at(-1)).toBe(`… 22 more lines (a taller terminal shows them)${ESC}[K`);
    expect(renderFrame('x', f.lines, { rows: 10 }).text.startsWith(`\r${ESC}[9A`)).toBe(true);
  });

  test('a real status frame redrawn over the previous one leaves exactly the new table', () => {
    const screen = new Screen();
    const first = renderFrame(renderStatus(at(NOW, { complianceState: 'Pending', statuses: pending }), { color: true }), 0, { columns: 200, rows: 50 });
    screen.write(first.text);
    const body = renderStatus(at(NOW + 5000), { color: true });
    screen.write(renderFrame(body, first.lines, { columns: 200, rows: 50 }).text);
    expect(screen.shown().map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''))).toEqual(body.replace(/\x1b\[[0-9;]*m/g, '').replace(/\n$/, '').split('\n'));
    expect(screen.clears).toBe(0);
  });
});

describe('not a TTY: one line per change', () => {
  test('the first read: one line per thing', () => {
    expect(changeLines(at(NOW, { complianceState: 'Pending', statuses: pending }), undefined)).toEqual([
      '2024-05-01T10:00:00Z cluster arc1: Connected',
      '2024-05-01T10:00:00Z extension flux (microsoft.flux 1.15.1): Succeeded',
      '2024-05-01T10:00:00Z configuration cfg-ns/cfg: provisioning Succeeded, compliance Pending, revision main@sha1:0ba6f0d3',
      "2024-05-01T10:00:00Z GitRepository cfg-ns/cfg: Ready, ready True, Succeeded, at main@sha1:0ba6f0d3: stored artifact for revision 'main@sha1:0ba6f0d3'",
      '2024-05-01T10:00:00Z Kustomization cfg-ns/cfg-apps: Progressing, ready Unknown, Progressing: Reconciliation in progress',
      '2024-05-01T10:00:00Z HelmRelease cfg-ns/podinfo: Progressing, ready Unknown, Progressing: Reconciliation in progress',
    ]);
  });

  test('Pending → Compliant: only what changed, with the transition', () => {
    const before = at(NOW, { complianceState: 'Pending', statuses: pending });
    const after = at(NOW + 5000);
    expect(changeLines(after, before)).toEqual([
      '2024-05-01T10:00:05Z configuration cfg-ns/cfg: compliance Pending -> Compliant',
      '2024-05-01T10:00:05Z Kustomization cfg-ns/cfg-apps: Progressing -> Ready, ready True, ReconciliationSucceeded, at main@sha1:0ba6f0d3: Applied revision: main/0ba6f0d3',
      '2024-05-01T10:00:05Z HelmRelease cfg-ns/podinfo: Progressing -> Ready, ready True, InstallSucceeded, at 6.0.3: Helm install succeeded for release cfg-ns/podinfo.v1 with chart podinfo@6.0.3',
    ]);
  });

  test('nothing but time moved: no line', () => {
    expect(changeLines(at(NOW + 5 * MIN), at(NOW))).toEqual([]);
  });

  test('going offline, objects removed, a new warning', () => {
    const before = at(NOW);
    const after = at(NOW + 20 * MIN, { statuses: compliantStatuses().slice(0, 2) }, arcCluster('Offline', iso(NOW + 2 * MIN)));
    expect(changeLines(after, before)).toEqual([
      '2024-05-01T10:20:00Z cluster arc1: Connected -> Offline',
      "2024-05-01T10:20:00Z warning: Arc cluster 'arc1' is Offline (last heartbeat 2024-05-01T10:02:00Z): the status below is what it last reported, not what runs now.",
      '2024-05-01T10:20:00Z configuration cfg-ns/cfg: stale - -> yes (the Arc cluster is Offline)',
      '2024-05-01T10:20:00Z HelmRelease cfg-ns/podinfo: removed',
    ]);
  });
});

describe('-o json per change', () => {
  test('one document per change, on one line, equal to the status', () => {
    const s = at(NOW);
    const text = renderJsonChange(s);
    expect(text.endsWith('\n')).toBe(true);
    expect(text.trimEnd().includes('\n')).toBe(false);
    const doc = JSON.parse(text);
    expect(doc).toEqual(s);
    expect(Object.keys(doc)).toEqual(['cluster', 'extension', 'configurations', 'otherObjects', 'observedAt', 'source', 'warnings']);
    expect(Object.keys(doc.configurations[0])).toEqual([
      'name',
      'namespace',
      'scope',
      'sourceKind',
      'provisioningState',
      'complianceState',
      'sourceRevision',
      'sourceUpdatedAt',
      'statusUpdatedAt',
      'suspended',
      'stale',
      'objects',
    ]);
  });
});

describe('the gate summary', () => {
  test('failed: the verdict, why, and every object that is not ready with reason and message', () => {
    const s = at(NOW, { complianceState: 'Non-Compliant', statuses: failing });
    const gate = evaluateGate(s, { waitFor: 'compliant', failFast: true });
    expect(renderSummary(gate, { color: false, outcome: 'failed' })).toBe(
      [
        '✗ compliant: failed.',
        "  - configuration 'cfg-ns/cfg': HelmRelease cfg-ns/podinfo failed (InstallFailed)",
        'Not ready (1):',
        'KIND         NAMESPACE/NAME  READY  STATE   REASON         MESSAGE',
        `-----------  --------------  -----  ------  -------------  ${'-'.repeat(FAILED_MESSAGE.length)}`,
        'HelmRelease  cfg-ns/podinfo  False  Failed  InstallFailed  Helm install failed for release cfg-ns/podinfo with chart podinfo@6.0.3: image 0ba6f0d3 not found',
        '',
      ].join('\n'),
    );
  });

  test('timed out: what was still awaited, with a configuration column when several configurations have unready objects', () => {
    const s = azureStatus(
      { cluster: aksCluster(), configurations: [fluxConfig({ complianceState: 'Pending', statuses: pending }), fluxConfig({ name: 'web', complianceState: 'Non-Compliant', statuses: failing })] },
      { now: NOW },
    );
    const text = renderSummary(evaluateGate(s, { waitFor: 'ready' }), { color: false, outcome: 'timeout', timeout: '10m0s' });
    expect(text).toContain('✗ ready: not reached within 10m0s (timed out).\n');
    expect(text).toContain("  - still waiting: configuration 'cfg-ns/cfg' is Pending\n");
    expect(text).toContain("  - still waiting: configuration 'cfg-ns/web' is Non-Compliant\n");
    expect(text).toContain('Not ready (3):\nCONFIGURATION  KIND ');
    expect(text).toMatch(/cfg-ns\/web\s+HelmRelease\s+cfg-ns\/podinfo\s+False\s+Failed\s+InstallFailed\s+Helm install failed/);
  });

  test('reached: one line', () => {
    expect(renderSummary(evaluateGate(at(NOW), { waitFor: 'ready' }), { color: false, outcome: 'reached' })).toBe('✔ ready: reached.\n');
  });
});
