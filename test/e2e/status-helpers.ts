/**
 * Readers of what `k8s-gitops status` prints, for the end-to-end tests in status.test.ts: the
 * sections of its table, the gate's closing summary on stderr, a JSON document per line
 * (`--watch -o json`), and a way to wait for a running CLI or the emulator to get somewhere.
 */
import { expect } from '@jest/globals';
import { sleep, tableRows } from './helpers.js';

/** One table as header → cell, per row. */
export type Row = Record<string, string>;

function asRows(lines: readonly string[]): Row[] {
  const { header, rows } = tableRows(lines.join('\n'));
  return rows.map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i] ?? ''])));
}

export interface StatusScreen {
  /** `Cluster`, `Extension`, `Observed` → the rest of their line. */
  head: Record<string, string>;
  /** Lines starting with `⚠`, without it. */
  warnings: string[];
  /** The configuration table, or undefined when the screen says there is none. */
  configurations?: Row[];
  /** What stands where the configuration table would be when there is none. */
  noConfigurations?: string;
  /** Per section title (e.g. `cluster-config/cluster-config (GitRepository)`): its object rows. */
  objects: Map<string, Row[]>;
}

/**
 * The table `status` prints: the head (cluster, extension, observed, warnings), a blank line,
 * the configuration table, then one titled object table per configuration, blank-line separated.
 */
export function readScreen(stdout: string): StatusScreen {
  const blocks = stdout
    .replace(/\n+$/, '')
    .split(/\n\n/)
    .map((b) => b.split('\n'));
  const [head = [], configs = [], ...sections] = blocks;
  const screen: StatusScreen = { head: {}, warnings: [], objects: new Map() };
  for (const line of head) {
    if (line.startsWith('⚠ ')) screen.warnings.push(line.slice(2));
    else {
      const m = /^(\S+)\s+(.*)$/.exec(line);
      expect(m).not.toBeNull();
      screen.head[m![1]!] = m![2]!;
    }
  }
  if (configs.length === 1) screen.noConfigurations = configs[0];
  else if (configs.length > 0) screen.configurations = asRows(configs);
  for (const [title, ...table] of sections) {
    screen.objects.set(title!, table.length === 1 && table[0]!.trim() === 'no objects reported yet' ? [] : asRows(table));
  }
  return screen;
}

export interface GateSummary {
  /** The first line: `✔ ready: reached.`, `✗ compliant: failed.`, … */
  verdict: string;
  /** The `  - …` lines under it, without the dash. */
  reasons: string[];
  /** The `Not ready (N):` table; empty when every object is ready. */
  notReady: Row[];
  /** `ERROR:` lines. */
  errors: string[];
}

/** The closing summary of `--wait-for` / `--watch` on stderr. */
export function readSummary(stderr: string): GateSummary {
  const lines = stderr.split('\n');
  const start = lines.findIndex((l) => /^[✔✗] (provisioned|compliant|ready): /.test(l));
  expect({ stderr, hasVerdict: start >= 0 }).toEqual({ stderr, hasVerdict: true });
  const rest = lines.slice(start + 1);
  const reasons: string[] = [];
  let i = 0;
  for (; i < rest.length && rest[i]!.startsWith('  - '); i++) reasons.push(rest[i]!.slice(4));
  let notReady: Row[] = [];
  const count = /^Not ready \((\d+)\):$/.exec(rest[i] ?? '');
  if (count) {
    const table: string[] = [];
    for (i++; i < rest.length && rest[i] !== '' && !/^(ERROR|HINT|WARNING):/.test(rest[i]!); i++) table.push(rest[i]!);
    notReady = asRows(table);
    expect(notReady).toHaveLength(Number(count[1]));
  }
  return { verdict: lines[start]!, reasons, notReady, errors: lines.filter((l) => l.startsWith('ERROR:')) };
}

/** Every line of `stdout` parsed as one JSON document (it must end with a newline and hold no blank line). */
export function jsonLines(stdout: string): any[] {
  expect(stdout.endsWith('\n')).toBe(true);
  return stdout
    .slice(0, -1)
    .split('\n')
    .map((line, i) => {
      try {
        return JSON.parse(line);
      } catch {
        throw new Error(`line ${i + 1} of the watch is not a JSON document: ${line.slice(0, 300)}`);
      }
    });
}

/** A status document without the fields that only move with time: what a change is about. */
export function withoutTimes(doc: unknown): unknown {
  return JSON.parse(JSON.stringify(doc), (key, value) =>
    ['observedAt', 'statusUpdatedAt', 'sourceUpdatedAt', 'updatedAt', 'lastConnectivityTime'].includes(key) ? undefined : value,
  );
}

/** Waits until `predicate` holds (checked every 25 ms), or fails naming `what`. */
export async function until(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`still waiting after ${timeoutMs} ms for: ${what}`);
    await sleep(25);
  }
}

/** `Kind/namespace/name` of an object of a status document. */
export const keyOf = (o: { kind: string; namespace: string; name: string }): string => `${o.kind}/${o.namespace}/${o.name}`;

/** The configuration `name` of a status document, if it is there. */
export function configurationOf(doc: any, name = 'cluster-config'): any {
  return doc.configurations.find((c: { name: string }) => c.name === name);
}
