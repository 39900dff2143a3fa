/**
 * How status looks: the table (`-o table`, and each frame of a TTY watch), the in-place
 * redraw of a TTY watch as a pure frame function, one line per change when not on a TTY, one
 * JSON document per change, and the gate's closing summary. Pure: text in, text out; the
 * caller writes it (through the redactor) to the right stream.
 */
import { Chalk } from 'chalk';
import type { Column } from '../core/output.js';
import { whyNothingReported, type FinalOutcome, type GateResult, type NotReadyObject } from './gate.js';
import {
  allObjects,
  configurationKey,
  displayRevision,
  rolloutInProgress,
  objectKey,
  parseTime,
  shortenHex,
  type ClusterStatus,
  type ConfigurationStatus,
  type ObjectState,
  type ObjectStatus,
} from './model.js';

export interface ViewOptions {
  /** Colour (ANSI) or plain text. */
  color: boolean;
  /** Clock time the ages are computed against; default: the status' observedAt. */
  now?: number;
  /**
   * A live view (`--watch` on a terminal): a summary line of what fails above the tables,
   * failing and progressing objects first, and tables fitted to the terminal with widths that
   * never shrink between frames.
   */
  live?: LiveLayout;
}

export interface LiveLayout {
  /** Terminal width; without it nothing is dropped or wrapped. */
  columns?: number;
  /** What one live view keeps from frame to frame. */
  memory: LayoutMemory;
}

/**
 * Column widths and dropped columns of a live view, per table, kept from frame to frame so
 * that nothing jumps when an age gains a digit or a failure clears: widths only grow and a
 * dropped column stays dropped, until the terminal is resized.
 */
export class LayoutMemory {
  private columns?: number;
  private readonly widths = new Map<string, number>();
  private readonly dropped = new Map<string, Set<string>>();

  /** Starts afresh when the terminal width changed. */
  forWidth(columns: number | undefined): this {
    if (columns !== this.columns) {
      this.columns = columns;
      this.widths.clear();
      this.dropped.clear();
    }
    return this;
  }

  width(table: string, header: string, atLeast: number): number {
    const key = `${table}\u0000${header}`;
    const width = Math.max(atLeast, this.widths.get(key) ?? 0);
    this.widths.set(key, width);
    return width;
  }

  droppedIn(table: string): Set<string> {
    let set = this.dropped.get(table);
    if (!set) this.dropped.set(table, (set = new Set()));
    return set;
  }
}

interface Paint {
  bold(s: string): string;
  dim(s: string): string;
  good(s: string): string;
  bad(s: string): string;
  warn(s: string): string;
}

function paint(color: boolean): Paint {
  const c = new Chalk({ level: color ? 1 : 0 });
  return { bold: (s) => c.bold(s), dim: (s) => c.dim(s), good: (s) => c.green(s), bad: (s) => c.red(s), warn: (s) => c.yellow(s) };
}

// ---------------------------------------------------------------------------------------------
// Ages and text

/** An age the way kubectl shows one: `45s`, `4m10s`, `37m`, `5h12m`, `20h`, `3d4h`, `12d`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  return `${d}d`;
}

function ageOf(time: string | undefined, now: number): string {
  const t = parseTime(time);
  return t === undefined ? '' : formatAge(now - t);
}

/** A message on one line, hex runs shortened as the Flux CLI does. */
function oneLine(text: string | undefined): string {
  return text ? shortenHex(text.replace(/\s*\r?\n\s*/g, ' ').trim()) : '';
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Width on screen: ANSI sequences take none; a code point takes one. */
export function visibleWidth(text: string): number {
  return [...text.replace(ANSI, '')].length;
}

/** Cuts a line to `width` visible characters (ANSI kept, closed), ending in `…` when cut. */
export function truncateLine(line: string, width: number): string {
  if (width <= 0) return '';
  if (visibleWidth(line) <= width) return line;
  let out = '';
  let used = 0;
  let styled = false;
  for (let i = 0; i < line.length; ) {
    const m = line.charCodeAt(i) === 0x1b ? /^\x1b\[[0-9;?]*[A-Za-z]/.exec(line.slice(i)) : null;
    if (m) {
      out += m[0];
      styled = true;
      i += m[0].length;
      continue;
    }
    if (used === width - 1) break;
    const ch = String.fromCodePoint(line.codePointAt(i)!);
    out += ch;
    used++;
    i += ch.length;
  }
  return `${out}…${styled ? '\x1b[0m' : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Tables

/** A column of the status tables: output.ts's Column plus an optional style for the cell text. */
export interface ViewColumn extends Column {
  style?: (text: string, row: Record<string, unknown>) => string;
}

function cell(value: unknown): string {
  return value === undefined || value === null ? '' : String(value);
}

/** How a live view fits one table to the terminal. */
interface TableFit {
  /** Names the table in the layout memory (stable between frames). */
  key: string;
  layout: LiveLayout;
  /** Rows whose last cell (the message) must be seen whole: wrapped, never cut. */
  whole?: (row: Record<string, unknown>) => boolean;
}

/**
 * Columns a narrow terminal gives up, least important first, to make room for the message of
 * a failing object. KIND, NAMESPACE/NAME, STATE and MESSAGE always stay.
 */
const DROP_ORDER = ['REVISION', 'AGE', 'READY', 'REASON'];

/** The least room a message is given beside the other columns before it goes under its row. */
const MESSAGE_ROOM = 24;

/** Indent of a message shown under its row. */
const BELOW_INDENT = 4;

/** Where a table's cells go: the width of each column, the columns shown, the message's room. */
interface TableLayout {
  widths: number[];
  /** Indexes of the columns shown, in order. */
  kept: number[];
  /** Width left for the last column (the message) beside the others; undefined: unbounded. */
  room?: number;
  /** Width of a message shown under its row, when there is too little room beside it. */
  below?: number;
}

/** The width of the columns before the last one, with their two-space gaps. */
function widthBefore(layout: Pick<TableLayout, 'widths' | 'kept'>, last: number): number {
  return layout.kept.filter((i) => i !== last).reduce((sum, i) => sum + layout.widths[i]! + 2, 0);
}

/**
 * A live view's layout of one table: widths from the layout memory (never narrower than
 * before), then, on a terminal too narrow for a `whole` message (enough room for the longest to
 * take at most two lines), columns dropped in DROP_ORDER. With too little room left, such a
 * message goes under its row; with hardly any, the message column goes altogether.
 */
function fitTable(columns: ViewColumn[], rows: Record<string, unknown>[], texts: string[][], natural: number[], fit: TableFit): TableLayout {
  const last = columns.length - 1;
  const memory = fit.layout.memory;
  const dropped = memory.droppedIn(fit.key);
  const layout: TableLayout = {
    widths: natural.map((w, i) => (i === last ? w : memory.width(fit.key, columns[i]!.header, w))),
    kept: [],
  };
  const keep = (): void => {
    layout.kept = columns.map((_, i) => i).filter((i) => !dropped.has(columns[i]!.header));
  };
  keep();
  const total = fit.layout.columns !== undefined && fit.layout.columns > 1 ? fit.layout.columns - 1 : undefined;
  if (total === undefined) return layout;
  // Room is made only for messages that must be seen whole (failures); other messages are
  // cut at the edge, as kubectl does.
  const longest = Math.max(0, ...rows.flatMap((row, r) => (fit.whole?.(row) ? [visibleWidth(texts[r]![last]!)] : [])));
  const wanted = longest > 0 ? Math.min(longest, Math.max(MESSAGE_ROOM, Math.ceil(longest / 2))) : 0;
  for (const header of DROP_ORDER) {
    if (widthBefore(layout, last) + wanted <= total) break;
    const i = columns.findIndex((c) => c.header === header);
    if (i >= 0 && i !== last) {
      dropped.add(header);
      keep();
    }
  }
  layout.room = total - widthBefore(layout, last);
  if (layout.room < MESSAGE_ROOM) layout.below = Math.max(MESSAGE_ROOM, total - BELOW_INDENT);
  if (layout.room < MESSAGE_ROOM / 3) layout.kept = layout.kept.filter((i) => i !== last);
  return layout;
}

/**
 * az's table layout (header, dashes, two spaces between columns), widths measured without ANSI.
 * With `fit` (a live view) the layout is fitTable's, and the message of a `whole` row that
 * does not fit its room is wrapped (beside its row, or under it) rather than cut.
 */
function table(columns: ViewColumn[], rows: Record<string, unknown>[], p: Paint, fit?: TableFit): string[] {
  const texts = rows.map((row) => columns.map((c) => cell(c.value(row))));
  const natural = columns.map((c, i) => Math.max(visibleWidth(c.header), ...texts.map((t) => visibleWidth(t[i]!))));
  const last = columns.length - 1;
  const layout: TableLayout = fit ? fitTable(columns, rows, texts, natural, fit) : { widths: natural, kept: columns.map((_, i) => i) };
  const { widths, kept, room, below } = layout;
  const line = (cells: string[], style: (text: string, i: number) => string): string =>
    kept
      .map((i) => {
        const text = cells[i]!;
        const shown = text ? style(text, i) : text;
        return i === last ? shown : shown + ' '.repeat(widths[i]! - visibleWidth(text));
      })
      .join('  ')
      .trimEnd();
  const out = [
    line(
      columns.map((c) => c.header),
      (t) => p.bold(t),
    ),
    line(
      widths.map((w, i) => '-'.repeat(i === last && room !== undefined ? Math.max(0, Math.min(w, room)) : w)),
      (t) => t,
    ),
  ];
  texts.forEach((t, r) => {
    const message = t[last]!;
    const styled = (cells: string[]): string => line(cells, (text, i) => columns[i]!.style?.(text, rows[r]!) ?? text);
    if (room === undefined || !fit?.whole?.(rows[r]!) || visibleWidth(message) <= room) {
      out.push(styled(t));
    } else if (below !== undefined) {
      out.push(styled([...t.slice(0, last), '']));
      for (const part of wrapText(message, below)) out.push(`${' '.repeat(BELOW_INDENT)}${part}`);
    } else {
      const [first, ...rest] = wrapText(message, room);
      out.push(styled([...t.slice(0, last), first!]));
      const indent = ' '.repeat(widthBefore(layout, last));
      for (const more of rest) out.push(`${indent}${more}`);
    }
  });
  return out;
}

/** Words onto lines of at most `width` characters; a word longer than a line is split. */
export function wrapText(text: string, width: number): string[] {
  const chars = (s: string): string[] => [...s];
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    let rest = word;
    while (chars(rest).length > width) {
      if (current) {
        lines.push(current);
        current = '';
      }
      lines.push(chars(rest).slice(0, width).join(''));
      rest = chars(rest).slice(width).join('');
    }
    if (!current) current = rest;
    else if (chars(current).length + 1 + chars(rest).length <= width) current += ` ${rest}`;
    else {
      lines.push(current);
      current = rest;
    }
  }
  lines.push(current);
  return lines;
}

/** Colours a STATE cell by its first word (`Failed (stalled)` is a failure). */
function stateStyle(p: Paint): (text: string) => string {
  return (text) => {
    switch (text.split(' ')[0] as ObjectState) {
      case 'Ready':
        return p.good(text);
      case 'Failed':
        return p.bad(text);
      case 'Progressing':
        return p.warn(text);
      default:
        return p.dim(text);
    }
  };
}

function complianceStyle(p: Paint, text: string): string {
  if (text.includes('(stale)') || text.includes('(progressing)')) return p.warn(text);
  if (text.startsWith('Compliant')) return p.good(text);
  if (text.startsWith('Non-Compliant')) return p.bad(text);
  return p.warn(text);
}

/** A row of the object table; also what `objectColumns` read, so they work with output.ts's formatOutput too. */
export function objectRow(o: ObjectStatus, now: number): Record<string, unknown> {
  return {
    kind: o.kind,
    object: `${o.namespace}/${o.name}`,
    ready: o.ready,
    state: o.stalled ? 'Failed (stalled)' : o.state,
    reason: o.reason ?? '',
    revision: displayRevision(o.revision),
    age: ageOf(o.updatedAt, now),
    message: oneLine(o.message),
  };
}

export function objectColumns(color = false): ViewColumn[] {
  const p = paint(color);
  const state = stateStyle(p);
  return [
    { header: 'KIND', value: (r) => r.kind },
    { header: 'NAMESPACE/NAME', value: (r) => r.object },
    { header: 'READY', value: (r) => r.ready, style: (t) => (t === 'True' ? p.good(t) : t === 'False' ? p.bad(t) : p.warn(t)) },
    { header: 'STATE', value: (r) => r.state, style: state },
    { header: 'REASON', value: (r) => r.reason },
    { header: 'REVISION', value: (r) => r.revision },
    { header: 'AGE', value: (r) => r.age },
    { header: 'MESSAGE', value: (r) => r.message },
  ];
}

/**
 * A configuration's compliance as shown: Azure's word, qualified where it would mislead —
 * `(suspended)`, `(progressing)` for a Non-Compliant rollout in which nothing failed, `(stale)`.
 */
export function complianceText(c: ConfigurationStatus): string {
  const state = c.complianceState ?? 'Unknown';
  const qualifiers: string[] = [];
  if (c.suspended && state !== 'Suspended') qualifiers.push('suspended');
  else if (rolloutInProgress(c)) qualifiers.push('progressing');
  if (c.stale) qualifiers.push('stale');
  return [state, ...qualifiers.map((q) => `(${q})`)].join(' ');
}

function configurationRow(c: ConfigurationStatus, now: number): Record<string, unknown> {
  const reported = ageOf(c.statusUpdatedAt, now);
  return {
    name: c.name,
    namespace: c.namespace ?? '',
    provisioning: c.provisioningState ?? '',
    compliance: complianceText(c),
    revision: displayRevision(c.sourceRevision),
    reported: reported ? `${reported} ago` : c.stale ? 'never' : '',
  };
}

function configurationColumns(source: ClusterStatus['source'], p: Paint): ViewColumn[] {
  const columns: ViewColumn[] = [
    { header: 'CONFIGURATION', value: (r) => r.name },
    { header: 'NAMESPACE', value: (r) => r.namespace },
  ];
  if (source === 'azure') {
    columns.push({ header: 'PROVISIONING', value: (r) => r.provisioning, style: (t) => (t === 'Succeeded' ? p.good(t) : t === 'Failed' || t === 'Canceled' ? p.bad(t) : p.warn(t)) });
  }
  columns.push({ header: 'COMPLIANCE', value: (r) => r.compliance, style: (t) => complianceStyle(p, t) });
  columns.push({ header: 'REVISION', value: (r) => r.revision });
  if (source === 'azure') columns.push({ header: 'REPORTED', value: (r) => r.reported, style: (t, r) => (String(r.compliance).includes('stale') ? p.warn(t) : t) });
  return columns;
}

// ---------------------------------------------------------------------------------------------
// The status table

/** The whole status as text, ending in a newline: cluster, extension, warnings, configurations, then each configuration's objects. */
export function renderStatus(status: ClusterStatus, options: ViewOptions): string {
  const p = paint(options.color);
  const now = options.now ?? parseTime(status.observedAt) ?? 0;
  const lines: string[] = [];

  const head: [string, string][] = [];
  const cl = status.cluster;
  const where = [cl.type === 'kubernetes' ? (cl.context ? `context ${cl.context}` : 'kubeconfig') : cl.type, cl.resourceGroup ? `resource group ${cl.resourceGroup}` : undefined]
    .filter(Boolean)
    .join(', ');
  let clusterText = `${p.bold(cl.name)} (${where})`;
  if (cl.connectivity) {
    const c = cl.connectivity;
    const heard = c.lastConnectivityTime ? `, last heartbeat ${ageOf(c.lastConnectivityTime, now)} ago` : '';
    const text = `${c.status}${heard}`;
    clusterText += `  ${c.offline || c.expired ? p.bad(text) : p.good(text)}`;
  }
  head.push(['Cluster', clusterText]);
  if (status.extension) {
    const e = status.extension;
    const state = e.installed ? p.good(e.provisioningState) : ['Failed', 'Canceled'].includes(e.provisioningState) ? p.bad(e.provisioningState) : p.warn(e.provisioningState);
    head.push(['Extension', `${e.name} (${e.type}${e.version ? ` ${e.version}` : ''})  ${state}${e.state && e.state !== e.provisioningState ? `, ${e.state}` : ''}`]);
  }
  const from = status.source === 'azure' ? 'Azure' : 'the cluster';
  head.push(['Observed', options.live ? `${status.observedAt} (from ${from}, ${ageOf(status.observedAt, now)} ago)` : `${status.observedAt} (from ${from})`]);
  const keyWidth = Math.max(...head.map(([k]) => k.length));
  for (const [k, v] of head) lines.push(`${k.padEnd(keyWidth)}  ${v}`);
  for (const w of status.warnings) lines.push(p.warn(`⚠ ${w}`));
  const live = options.live;
  if (live) {
    live.memory.forWidth(live.columns);
    lines.push(liveSummary(status, p));
  }
  const fit = (key: string, whole?: TableFit['whole']): TableFit | undefined => (live ? { key, layout: live, ...(whole ? { whole } : {}) } : undefined);

  if (status.configurations.length > 0) {
    lines.push('');
    lines.push(...table(configurationColumns(status.source, p), status.configurations.map((c) => configurationRow(c, now)), p, fit('configurations')));
    for (const c of status.configurations) if (c.error) lines.push(p.bad(`✗ ${configurationKey(c)}: ${oneLine(c.error)}`));
  } else if (status.otherObjects.length === 0) {
    lines.push('');
    lines.push(status.source === 'azure' ? 'No Flux configurations on this cluster.' : 'No Flux objects found.');
  }

  const columns = objectColumns(options.color);
  const failing = (row: Record<string, unknown>): boolean => String(row.state).startsWith('Failed');
  const section = (title: string, objects: ObjectStatus[]): void => {
    lines.push('');
    lines.push(p.bold(title));
    if (objects.length === 0) lines.push(p.dim('  no objects reported yet'));
    else lines.push(...table(columns, (live ? liveOrder(objects) : objects).map((o) => objectRow(o, now)), p, fit(`objects ${title}`, failing)));
  };
  for (const c of status.configurations) section(`${configurationKey(c)}${c.sourceKind ? ` (${c.sourceKind})` : ''}`, c.objects);
  if (status.otherObjects.length > 0) section('Flux objects outside any configuration', status.otherObjects);
  return `${lines.join('\n')}\n`;
}

/** Failing objects first (stalled before retried), then progressing, then the rest; otherwise as given. */
const LIVE_RANK = (o: ObjectStatus): number => (o.state === 'Failed' ? (o.stalled ? 0 : 1) : o.state === 'Progressing' ? 2 : o.state === 'Ready' ? 4 : 3);

export function liveOrder(objects: readonly ObjectStatus[]): ObjectStatus[] {
  return [...objects].sort((a, b) => LIVE_RANK(a) - LIVE_RANK(b));
}

/** One line above the tables of a live view: what fails, what is still on its way, or that all is ready. */
export function liveSummary(status: ClusterStatus, p: Paint = paint(false)): string {
  const all = allObjects(status).map(({ object }) => object);
  if (all.length === 0) return p.warn(`… Nothing reported yet: ${whyNothingReported(status).join('; ')}.`);
  const count = (state: ObjectState): number => all.filter((o) => o.state === state).length;
  const failed = all.filter((o) => o.state === 'Failed');
  const progressing = count('Progressing');
  const ready = count('Ready');
  const others = all.length - failed.length - progressing - ready;
  const rest = [progressing ? `${progressing} progressing` : '', `${ready} ready`, others ? `${others} suspended or terminating` : ''].filter(Boolean).join(', ');
  if (failed.length > 0) {
    // Kind and name only: the namespace is in the table, and the line must stay one line.
    const names = liveOrder(failed).map((o) => `${o.kind} ${o.name}${o.reason ? ` (${o.reason})` : ''}`);
    return `${p.bad(`✗ ${failed.length} of ${all.length} failing:`)} ${names.join(', ')}; ${rest}`;
  }
  if (progressing > 0 || others > 0) {
    const waiting = [progressing ? `${progressing} progressing` : '', others ? `${others} suspended or terminating` : ''].filter(Boolean).join(', ');
    return p.warn(`… ${progressing + others} of ${all.length} not ready yet (${waiting})`);
  }
  return p.good(`✔ all ${all.length} ready`);
}

// ---------------------------------------------------------------------------------------------
// TTY: in-place redraw

export interface Frame {
  /** What to write: cursor movement over the previous frame, then this frame. */
  text: string;
  /** Screen lines this frame occupies; pass it back as `previousLines` for the next frame. */
  lines: number;
}

export interface ScreenSize {
  columns?: number;
  rows?: number;
}

/**
 * One redraw of a live view, without flicker: the cursor goes back to the first line of the
 * previous frame (`ESC[nA` after a carriage return), each line is overwritten and its tail
 * erased (`ESC[K`), and only when the new frame is shorter is the rest below erased
 * (`ESC[J`). The screen is never cleared as a whole, so nothing blanks between frames.
 * Lines are cut to the terminal width (so none wraps and the count stays exact), and a frame
 * taller than the terminal is cut with a last line saying how many lines are hidden (the
 * cursor cannot move above the top of the screen).
 */
export function renderFrame(body: string, previousLines: number, size: ScreenSize = {}): Frame {
  let lines = body.replace(/\n$/, '').split('\n');
  if (body === '') lines = [];
  // One column short of the width: some terminals wrap at once on the last column.
  if (size.columns !== undefined && size.columns > 1) lines = lines.map((l) => truncateLine(l, size.columns! - 1));
  if (size.rows !== undefined && size.rows > 1 && lines.length > size.rows - 1) {
    const keep = size.rows - 2;
    const hidden = lines.length - keep;
    lines = [...lines.slice(0, keep), `… ${hidden} more line${hidden === 1 ? '' : 's'} (a taller terminal shows them)`];
  }
  const up = previousLines > 0 ? `\r\x1b[${previousLines}A` : '';
  const drawn = lines.map((l) => `${l}\x1b[K\n`).join('');
  const tail = previousLines > lines.length ? '\x1b[J' : '';
  return { text: up + drawn + tail, lines: lines.length };
}

// ---------------------------------------------------------------------------------------------
// Not a TTY: one line per change

const objectFacts = (o: ObjectStatus): string => JSON.stringify([o.ready, o.state, o.stalled, o.reason, o.message, o.revision]);

function describeObject(o: ObjectStatus, from?: ObjectStatus): string {
  const state = o.stalled ? 'Failed (stalled)' : o.state;
  const was = from ? (from.stalled ? 'Failed (stalled)' : from.state) : undefined;
  const transition = was !== undefined && was !== state ? `${was} -> ${state}` : state;
  const parts = [`${o.kind} ${o.namespace}/${o.name}: ${transition}`, `ready ${o.ready}`];
  if (o.reason) parts.push(o.reason);
  if (o.revision) parts.push(`at ${displayRevision(o.revision)}`);
  return `${parts.join(', ')}${o.message ? `: ${oneLine(o.message)}` : ''}`;
}

function configurationFacts(c: ConfigurationStatus): [string, string][] {
  const facts: [string, string][] = [];
  if (c.provisioningState !== undefined) facts.push(['provisioning', c.provisioningState]);
  facts.push(['compliance', complianceText({ ...c, stale: false, suspended: false })]);
  facts.push(['revision', displayRevision(c.sourceRevision) || '-']);
  if (c.suspended) facts.push(['suspended', 'yes']);
  if (c.stale) facts.push(['stale', c.staleReason ? `yes (${c.staleReason})` : 'yes']);
  if (c.error) facts.push(['error', oneLine(c.error)]);
  return facts;
}

/**
 * What changed between two reads, one line each, prefixed with the time of the read. The
 * first read (no previous) gives one line per configuration and object. Unchanged things
 * give no line; ages never count as a change.
 */
export function changeLines(status: ClusterStatus, previous: ClusterStatus | undefined): string[] {
  const at = status.observedAt;
  const out: string[] = [];
  const cl = status.cluster.connectivity;
  const was = previous?.cluster.connectivity;
  if (cl && (!previous || was?.status !== cl.status || was?.expired !== cl.expired)) {
    out.push(`${at} cluster ${status.cluster.name}: ${was && was.status !== cl.status ? `${was.status} -> ` : ''}${cl.status}`);
  }
  const ext = status.extension;
  const wasExt = previous?.extension;
  if (ext && (!wasExt || wasExt.provisioningState !== ext.provisioningState || wasExt.version !== ext.version || wasExt.state !== ext.state)) {
    const from = wasExt && wasExt.provisioningState !== ext.provisioningState ? `${wasExt.provisioningState} -> ` : '';
    out.push(`${at} extension ${ext.name} (${ext.type}${ext.version ? ` ${ext.version}` : ''}): ${from}${ext.provisioningState}${ext.errors.length ? `: ${ext.errors.join('; ')}` : ''}`);
  } else if (!ext && wasExt) {
    out.push(`${at} extension ${wasExt.name}: removed`);
  }
  for (const w of status.warnings) if (!previous?.warnings.includes(w)) out.push(`${at} warning: ${w}`);

  const before = new Map((previous?.configurations ?? []).map((c) => [configurationKey(c), c]));
  const seen = new Set<string>();
  const objectLines = (objects: ObjectStatus[], old: ObjectStatus[] | undefined): void => {
    const prior = new Map((old ?? []).map((o) => [objectKey(o), o]));
    for (const o of objects) {
      const p = prior.get(objectKey(o));
      prior.delete(objectKey(o));
      if (!p || objectFacts(p) !== objectFacts(o)) out.push(`${at} ${describeObject(o, p)}`);
    }
    for (const gone of prior.values()) out.push(`${at} ${gone.kind} ${gone.namespace}/${gone.name}: removed`);
  };
  for (const c of status.configurations) {
    const key = configurationKey(c);
    seen.add(key);
    const p = before.get(key);
    const facts = configurationFacts(c);
    if (!p) out.push(`${at} configuration ${key}: ${facts.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    else {
      const old = new Map(configurationFacts(p));
      const changed = facts.filter(([k, v]) => old.get(k) !== v).map(([k, v]) => `${k} ${old.get(k) ?? '-'} -> ${v}`);
      for (const k of old.keys()) if (!facts.some(([f]) => f === k)) changed.push(`${k} ${old.get(k)} -> -`);
      if (changed.length) out.push(`${at} configuration ${key}: ${changed.join(', ')}`);
    }
    objectLines(c.objects, p?.objects);
  }
  for (const key of before.keys()) if (!seen.has(key)) out.push(`${at} configuration ${key}: removed`);
  objectLines(status.otherObjects, previous?.otherObjects);
  return out;
}

/** `-o json --watch`: one document per change, on one line (a stream `jq` and line readers both take). */
export function renderJsonChange(status: ClusterStatus): string {
  return `${JSON.stringify(status)}\n`;
}

// ---------------------------------------------------------------------------------------------
// The gate's summary

export interface SummaryOptions extends ViewOptions {
  outcome: FinalOutcome;
  /** For the timeout line, e.g. `10m0s`. */
  timeout?: string;
}

/** The closing words of `--wait-for`: the verdict, why, and every object that is not ready with its reason and message. */
export function renderSummary(gate: GateResult, options: SummaryOptions): string {
  const p = paint(options.color);
  const lines: string[] = [];
  switch (options.outcome) {
    case 'reached':
      lines.push(p.good(`✔ ${gate.waitFor}: reached.`));
      break;
    case 'failed':
      lines.push(p.bad(`✗ ${gate.waitFor}: failed.`));
      for (const f of gate.failures) lines.push(`  - ${oneLine(f)}`);
      break;
    case 'timeout':
      lines.push(p.bad(`✗ ${gate.waitFor}: not reached${options.timeout ? ` within ${options.timeout}` : ''} (timed out).`));
      for (const f of gate.pending) lines.push(`  - still waiting: ${oneLine(f)}`);
      break;
    case 'interrupted':
      lines.push(p.warn(`${gate.waitFor}: interrupted before it was reached.`));
      for (const f of gate.pending) lines.push(`  - still waiting: ${oneLine(f)}`);
      break;
  }
  if (gate.notReady.length > 0) {
    lines.push(`Not ready (${gate.notReady.length}):`);
    const byConfig = new Set(gate.notReady.map((o) => o.configuration ?? '')).size > 1;
    const columns: ViewColumn[] = [
      ...(byConfig ? [{ header: 'CONFIGURATION', value: (r: Record<string, unknown>) => r.configuration }] : []),
      ...objectColumns(options.color).filter((c) => ['KIND', 'NAMESPACE/NAME', 'READY', 'STATE', 'REASON', 'MESSAGE'].includes(c.header)),
    ];
    lines.push(...table(columns, gate.notReady.map(notReadyRow), p));
  } else if (gate.reported === 0) {
    if (options.outcome !== 'reached') lines.push(`Nothing has been reported yet: ${gate.unreported.map(oneLine).join('; ')}.`);
  } else if (options.outcome !== 'reached') {
    lines.push('Every object reported is ready.');
  }
  return `${lines.join('\n')}\n`;
}

function notReadyRow(o: NotReadyObject): Record<string, unknown> {
  return {
    configuration: o.configuration ?? '-',
    kind: o.kind,
    object: `${o.namespace}/${o.name}`,
    ready: o.ready,
    state: o.stalled ? 'Failed (stalled)' : o.state,
    reason: o.reason ?? '',
    message: oneLine(o.message),
  };
}
