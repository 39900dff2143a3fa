/**
 * How `flux config diff` shows a difference: a list of changes for `-o json|yaml|…` (one entry
 * per field, Azure's first, then the cluster's), and for people a text in the manner of a
 * unified diff (`+` added, `-` removed, `~` changed, `!` sent without a value), coloured on a
 * terminal. Pure.
 */
import type { ChalkInstance } from 'chalk';
import type { ConfigurationDiff, FieldChange } from '../../../model/config-diff.js';
import type { ObjectDrift } from '../../../kube/drift.js';

export interface DiffReport {
  /** The configuration. */
  name: string;
  /** The Azure cluster it is on. */
  clusterName: string;
  azure: ConfigurationDiff;
  /** With --cluster: the rendered objects against the live ones. */
  live?: { context: string; objects: ObjectDrift[] };
}

export interface Change {
  /** Where the difference is: in Azure (what update would PATCH), or in the cluster. */
  target: 'azure' | 'cluster';
  /** In the cluster: `Kind/namespace/name`. */
  object?: string;
  /** Under the resource's `properties` (azure) or the object (cluster: `spec.…`); absent for a whole object. */
  path?: string;
  change: FieldChange['change'];
  from?: unknown;
  to?: unknown;
}

export function changeList(report: DiffReport): Change[] {
  const out: Change[] = report.azure.changes.map((c) => ({ target: 'azure', ...c }));
  for (const o of report.live?.objects ?? []) {
    const object = `${o.kind}/${o.namespace}/${o.name}`;
    if (o.change !== 'changed') out.push({ target: 'cluster', object, change: o.change });
    else for (const f of o.fields) out.push({ target: 'cluster', object, ...f });
  }
  return out;
}

export function differs(report: DiffReport): boolean {
  return report.azure.changes.length > 0 || (report.live?.objects.length ?? 0) > 0;
}

const show = (v: unknown): string => JSON.stringify(v) ?? 'null';

function fieldLine(f: FieldChange, c: ChalkInstance, indent: string): string {
  switch (f.change) {
    case 'added':
      return c.green(`${indent}+ ${f.path}: ${show(f.to)}`);
    case 'removed':
      return c.red(`${indent}- ${f.path}: ${show(f.from)}`);
    case 'changed':
      return c.yellow(`${indent}~ ${f.path}: ${show(f.from)} → ${show(f.to)}`);
    case 'sent':
      return c.cyan(`${indent}! ${f.path}: would be (re)sent; Azure never returns it, so it is not compared (value not shown)`);
  }
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function renderDiff(report: DiffReport, c: ChalkInstance): string {
  const lines: string[] = [];
  const { changes } = report.azure;
  if (changes.length === 0) {
    lines.push(`No changes: '${report.name}' in Azure is already as asked.`);
  } else {
    lines.push(c.bold(`Flux configuration '${report.name}' on ${report.clusterName}, in Azure (what flux config update would send):`));
    for (const f of changes) lines.push(fieldLine(f, c, '  '));
  }
  if (report.live) {
    lines.push('');
    const { objects, context } = report.live;
    if (objects.length === 0) {
      lines.push(`The cluster (context ${context}) holds the Flux objects Azure's agent makes from it.`);
    } else {
      lines.push(c.bold(`In the cluster (context ${context}), live → as Azure's agent makes them:`));
      for (const o of objects) {
        const id = `${o.kind} ${o.namespace}/${o.name}`;
        if (o.change === 'added') lines.push(c.green(`  + ${id} (not in the cluster)`));
        else if (o.change === 'removed') lines.push(c.red(`  - ${id} (in the cluster, no longer part of the configuration)`));
        else {
          lines.push(c.yellow(`  ~ ${id}`));
          for (const f of o.fields) lines.push(fieldLine(f, c, '      '));
        }
      }
    }
  }
  if (differs(report)) {
    const parts = [plural(changes.length, 'change') + ' in Azure'];
    if (report.live) parts.push(`${plural(report.live.objects.length, 'object')} differing in the cluster`);
    lines.push('', `${parts.join(', ')}. Nothing was sent.`);
  }
  return `${lines.join('\n')}\n`;
}
