/**
 * The live view of `status --watch` on a terminal: ages tick with the clock between reads,
 * failing objects come first with a one-line summary above the tables, a failing message is
 * seen whole however narrow the terminal, and column widths never jump between frames.
 */
import { describe, expect, test } from '@jest/globals';
import { redrawableSize } from '../../src/core/terminal.js';
import { azureStatus } from '../../src/status/azure.js';
import { LiveView } from '../../src/status/live.js';
import type { ClusterStatus } from '../../src/status/model.js';
import { LayoutMemory, liveOrder, liveSummary, renderStatus, wrapText } from '../../src/status/view.js';
import { Screen } from '../helpers/screen.js';
import { arcCluster, compliantStatuses, fakeClock, fluxConfig, fluxExtension, iso, MIN, NOW, type ConfigShape } from './fixtures.js';

const LONG_FAILURE =
  'Helm install failed for release cfg-ns/podinfo with chart podinfo@6.0.3: failed pre-install: timed out waiting for the condition; pod podinfo-test-connection is Pending: 0/3 nodes are available: 3 Insufficient memory';
const failing = compliantStatuses().map((s) => (s.kind === 'HelmRelease' ? { ...s, complianceState: 'Non-Compliant', ready: ['False', 'InstallFailed', LONG_FAILURE] as [string, string, string] } : s));
const progressing = compliantStatuses().map((s) => (s.kind === 'Kustomization' ? { ...s, complianceState: 'Non-Compliant', ready: ['False', 'DependencyNotReady', "dependency 'cfg-ns/cfg-infra' is not ready"] as [string, string, string] } : s));

/** A status read at `readAt` (the agent reported a minute before). */
const read = (readAt: number, shape: ConfigShape = {}): ClusterStatus =>
  azureStatus({ cluster: arcCluster('Connected', iso(readAt - MIN)), extensions: [fluxExtension()], configurations: [fluxConfig({ statusUpdatedAt: iso(readAt - MIN), ...shape })] }, { now: readAt });

/** A live view on a Screen of the given size, with a fake clock. */
function liveOn(columns: number, rows = 60) {
  const screen = new Screen(columns);
  const clock = fakeClock();
  const writes: string[] = [];
  const view = new LiveView({
    write: (t) => {
      writes.push(t);
      screen.write(t);
    },
    size: () => ({ columns, rows }),
    color: true,
    clock,
  });
  const plain = (): string[] => screen.shown().map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''));
  return { screen, clock, writes, view, plain };
}

describe('ages tick between reads, without reading again', () => {
  test('the clock moves: the same status is redrawn with older ages; nothing moves: nothing is written', () => {
    const { clock, writes, view, plain } = liveOn(200);
    view.show(read(NOW));
    expect(plain().find((l) => l.startsWith('Observed'))).toMatch(/\(from Azure, 0s ago\)$/);
    const reported = (): string => plain().find((l) => l.startsWith('cfg '))!;
    expect(reported()).toMatch(/ 60s ago$/);
    view.draw();
    expect(writes).toHaveLength(1); // same second: the screen would not change
    clock.advance(1000);
    view.draw();
    expect(writes).toHaveLength(2);
    expect(plain().find((l) => l.startsWith('Observed'))).toMatch(/\(from Azure, 1s ago\)$/);
    clock.advance(60_000);
    view.draw();
    expect(plain().find((l) => l.startsWith('Observed'))).toMatch(/\(from Azure, 61s ago\)$/);
    expect(reported()).toMatch(/2m1s ago$/);
  });

  test('tick() redraws every half second until stopped, from the clock alone', async () => {
    const { clock, writes, view } = liveOn(200);
    view.show(read(NOW));
    const stop = new AbortController();
    let sleeps = 0;
    const sleep = clock.sleep;
    clock.sleep = async (ms, signal) => {
      if (++sleeps === 6) stop.abort();
      return sleep(ms, signal);
    };
    await view.tick(stop.signal);
    expect(clock.sleeps.every((ms) => ms === 500)).toBe(true);
    expect(clock.now() - NOW).toBe(2500); // five ticks drawn, the sixth interrupted
    expect(writes.length).toBe(3); // one frame per second that changed the ages: 0s, 1s, 2s
  });
});

describe('failing first, with a summary of what fails', () => {
  test('objects: failed (stalled first), progressing, then the rest; stable otherwise', () => {
    const s = read(NOW, {
      complianceState: 'Non-Compliant',
      statuses: [
        { name: 'a', kind: 'GitRepository', complianceState: 'Compliant', ready: ['True', 'Succeeded', 'ok'] },
        { name: 'b', kind: 'Kustomization', namespace: 'cfg-ns', complianceState: 'Pending', ready: ['Unknown', 'Progressing', 'x'] },
        { name: 'c', kind: 'Kustomization', namespace: 'cfg-ns', complianceState: 'Non-Compliant', ready: ['False', 'BuildFailed', 'x'] },
        { name: 'd', kind: 'HelmRelease', namespace: 'cfg-ns', complianceState: 'Non-Compliant', ready: ['False', 'RetriesExceeded', 'x'] },
        { name: 'e', kind: 'HelmRelease', namespace: 'cfg-ns', complianceState: 'Compliant', ready: ['True', 'InstallSucceeded', 'ok'] },
      ],
    });
    expect(liveOrder(s.configurations[0]!.objects).map((o) => o.name)).toEqual(['d', 'c', 'b', 'a', 'e']);
    expect(liveSummary(s)).toBe('✗ 2 of 5 failing: HelmRelease d (RetriesExceeded), Kustomization c (BuildFailed); 1 progressing, 2 ready');
  });

  test.each<[string, ConfigShape, string]>([
    ['all ready', {}, '✔ all 3 ready'],
    ['a rollout', { complianceState: 'Non-Compliant', statuses: progressing }, '… 1 of 3 not ready yet (1 progressing)'],
    ['nothing reported', { complianceState: 'Pending', statuses: [] }, "… Nothing reported yet: the cluster's Flux agent has not reported yet; it reports after its first reconciliation."],
  ])('%s', (_name, shape, line) => {
    expect(liveSummary(read(NOW, shape))).toBe(line);
  });

  test('the summary sits above the tables, and the failing row comes first in its table', () => {
    const { view, plain } = liveOn(200);
    view.show(read(NOW, { complianceState: 'Non-Compliant', statuses: failing }));
    const lines = plain();
    expect(lines[3]).toMatch(/^✗ 1 of 3 failing: HelmRelease podinfo \(InstallFailed\); 2 ready$/);
    const header = lines.findIndex((l) => l.startsWith('KIND'));
    expect(lines[header + 2]).toMatch(/^HelmRelease\s+cfg-ns\/podinfo\s+False\s+Failed/);
  });
});

describe('a failing message is seen whole, at any width', () => {
  /** The failing message as the screen shows it: its row's cell and the lines it continues on, joined. */
  function shownMessage(lines: string[]): string {
    const row = lines.findIndex((l) => l.startsWith('HelmRelease'));
    const at = lines.find((l) => l.startsWith('KIND'))!.indexOf('MESSAGE');
    const words = [at < 0 ? '' : lines[row]!.slice(at).trim()];
    for (let i = row + 1; i < lines.length && /^\s/.test(lines[i]!); i++) words.push(lines[i]!.trim());
    return words.filter(Boolean).join(' ');
  }

  const WIDTHS = [40, 52, 64, 80, 100, 120, 160, 240];

  test.each(WIDTHS)('%d columns: no line wraps, the message is all there, the less important columns go first', (columns) => {
    const { screen, view, plain } = liveOn(columns);
    view.show(read(NOW, { complianceState: 'Non-Compliant', statuses: failing }));
    expect(screen.widest).toBeLessThanOrEqual(columns - 1);
    expect(screen.shown().length).toBe(screen.lines.length - 1); // no wrap: the redraw's line count is exact
    const lines = plain();
    expect(shownMessage(lines)).toBe(LONG_FAILURE);
    const header = lines.find((l) => l.startsWith('KIND'))!.split(/\s+/);
    // The identity, the state and the message always stay; what goes, goes in this order.
    expect(header).toEqual(expect.arrayContaining(['KIND', 'NAMESPACE/NAME', 'STATE']));
    if (columns > 40) expect(header).toContain('MESSAGE'); // at 40, only the failing message is shown, under its row
    const order = ['REVISION', 'AGE', 'READY', 'REASON'];
    const gone = order.filter((h) => !header.includes(h));
    expect(gone).toEqual(order.slice(0, gone.length));
    if (columns >= 240) expect(gone).toEqual([]);
    if (columns <= 80) expect(gone.length).toBeGreaterThan(0);
  });

  test('without a failure nothing is dropped for messages: they are cut at the edge', () => {
    const { view, plain } = liveOn(120);
    view.show(read(NOW));
    expect(plain().find((l) => l.startsWith('KIND'))!.split(/\s+/)).toEqual(['KIND', 'NAMESPACE/NAME', 'READY', 'STATE', 'REASON', 'REVISION', 'AGE', 'MESSAGE']);
  });

  test.each([
    ['words', 'aa bb cc dd', 5, ['aa bb', 'cc dd']],
    ['a word longer than a line', 'abcdefghij k', 4, ['abcd', 'efgh', 'ij k']],
    ['exact fit', 'abc', 3, ['abc']],
  ] as const)('wrapText: %s', (_name, text, width, lines) => {
    expect(wrapText(text, width)).toEqual(lines);
  });

  test('wrapText keeps every character, for any text and width', () => {
    for (let width = 1; width <= 30; width++) {
      for (const text of [LONG_FAILURE, 'x'.repeat(70), 'a b  c', ' lead and trail ']) {
        const lines = wrapText(text, width);
        expect(lines.every((l) => [...l].length <= width)).toBe(true);
        expect(lines.join(' ').replace(/\s+/g, '')).toBe(text.replace(/\s+/g, ''));
      }
    }
  });
});

describe('column widths never jump between frames', () => {
  /** Where each header starts, per table. */
  const columnsOf = (lines: string[]): number[][] =>
    lines.filter((l) => /^(KIND|CONFIGURATION)\s/.test(l)).map((l) => [...l.matchAll(/\S+/g)].map((m) => m.index!));

  test('an age gaining a digit, a failure that clears, a shorter name: every column stays where it was', () => {
    const { clock, view, plain } = liveOn(240);
    view.show(read(NOW, { complianceState: 'Non-Compliant', statuses: failing }));
    const first = columnsOf(plain());
    clock.advance(9 * MIN);
    view.show(read(NOW + 9 * MIN)); // the failure cleared, ages went from 0s to 9m
    expect(columnsOf(plain())).toEqual(first);
    clock.advance(2 * 60 * MIN);
    view.draw(); // reported 2h10m ago: a wider cell than any before, the column grows
    const later = columnsOf(plain());
    for (const [t, table] of later.entries()) for (const [c, at] of table.entries()) expect(at).toBeGreaterThanOrEqual(first[t]![c]!);
  });

  test('a narrow terminal that dropped columns for a failure keeps them dropped once it clears; a resize starts afresh', () => {
    const memory = new LayoutMemory();
    const render = (status: ClusterStatus, columns: number) => renderStatus(status, { color: false, now: NOW, live: { columns, memory } });
    const header = (text: string) => text.split('\n').find((l) => l.startsWith('KIND'))!.split(/\s+/);
    expect(header(render(read(NOW, { complianceState: 'Non-Compliant', statuses: failing }), 100))).not.toContain('REVISION');
    expect(header(render(read(NOW), 100))).not.toContain('REVISION');
    expect(header(render(read(NOW), 240))).toContain('REVISION');
  });
});

describe('which terminals are redrawn in place', () => {
  test.each([
    [{ isTTY: true, columns: 80, rows: 24 }, { columns: 80, rows: 24 }],
    [{ isTTY: true, columns: 0, rows: 0 }, undefined],
    [{ isTTY: true, columns: 80, rows: 0 }, undefined],
    [{ isTTY: true, columns: 0, rows: 24 }, undefined],
    [{ isTTY: true, columns: 1, rows: 24 }, undefined],
    [{ isTTY: true }, undefined],
    [{ isTTY: true, columns: Number.NaN, rows: 24 }, undefined],
    [{ isTTY: false, columns: 80, rows: 24 }, undefined],
  ])('%j → %j', (stream, size) => {
    expect(redrawableSize(stream)).toEqual(size);
  });
});
