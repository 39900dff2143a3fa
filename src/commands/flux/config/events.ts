/**
 * `flux config events`: the Kubernetes events of a configuration's Flux objects (its source,
 * its Kustomizations and what they applied: HelmReleases, HelmRepositories, HelmCharts), newest
 * last, with the object, the reason and the whole message — where "why did it fail" is answered
 * in full. `--for KIND[/NAME]` narrows them (through the API server's field selectors);
 * `--watch` goes on printing them as they come (the watch API, listing again on 410 Gone)
 * until Ctrl-C or `--timeout`.
 */
import type { Command } from 'commander';
import type { Context, GlobalOptions } from '../../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../../core/run.js';
import type { FluxEvent } from '../../../kube/events.js';
import { addClusterAccessOptions, type ClusterAccessOptions } from './cluster.js';

type Options = ClusterAccessOptions & GlobalOptions & { name?: string; for?: string; watch?: boolean; timeout?: string };

export function registerFluxConfigEvents(parent: Command): Command {
  const cmd = parent
    .command('events')
    .summary("show the events of a configuration's Flux objects (through the cluster)")
    .description(
      "Show the Kubernetes events of a Flux configuration's objects — its source, its kustomizations and what they applied — newest last, with the object, the reason and the whole message: why a reconciliation failed, in the controller's words. Needs the cluster's Kubernetes API (a kubeconfig). Kubernetes keeps events for about an hour. -g/-c/-t only choose the kubeconfig context named like the cluster.",
    );
  addClusterAccessOptions(cmd);
  cmd
    .optionsGroup('Configuration Arguments:')
    .requiredOption('-n, --name <name>', 'name of the configuration')
    .option('--for <kind/name>', 'only the events of this object (e.g. Kustomization/cluster-config-infra), or of this kind')
    .option('--watch', 'keep printing events as they come, until Ctrl-C or --timeout')
    .option('--timeout <duration>', 'with --watch: stop after this long (exit 0)');
  addGlobalOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  # Why did it fail? The events of the tutorial configuration, newest last
  k8s-gitops flux config events -g rg -c aks1 -t managedClusters -n cluster-config

  # One kustomization's events, as JSON
  k8s-gitops flux config events --context aks1 -n cluster-config --for Kustomization/cluster-config-infra -o json

  # Follow them for a minute
  k8s-gitops flux config events --context aks1 -n cluster-config --watch --timeout 1m`,
  );
  cmd.action(action<Options>(run));
  return cmd;
}

interface ForFilter {
  kind: string;
  name?: string;
}

/** `--for KIND[/NAME]`: the kind matched to a Flux kind in any letter case. */
async function parseFor(value: string): Promise<ForFilter> {
  const [{ FLUX_KINDS }, { UsageError }, { parseObjectName }, { echo }] = await Promise.all([import('../../../kube/kinds.js'), import('../../../core/errors.js'), import('../../../model/values.js'), import('../../../core/echo.js')]);
  const slash = value.indexOf('/');
  const rawKind = (slash < 0 ? value : value.slice(0, slash)).trim();
  const kind = FLUX_KINDS.find((k) => k.kind.toLowerCase() === rawKind.toLowerCase())?.kind;
  if (!kind) throw new UsageError('--for', `'${echo(rawKind)}' is not a Flux kind.`, `Use one of ${FLUX_KINDS.map((k) => k.kind).join(', ')}, e.g. --for Kustomization/NAME.`);
  if (slash < 0) return { kind };
  return { kind, name: parseObjectName('--for', value.slice(slash + 1).trim(), 'object name', 253) };
}

const objectKey = (o: { kind: string; namespace: string; name: string }): string => `${o.kind}/${o.namespace}/${o.name}`;

/** One event as printed (without the bookkeeping fields). */
function view(e: FluxEvent): Record<string, unknown> {
  const { resourceVersion: _rv, ...rest } = e;
  return rest;
}

interface Layout {
  widths: number[];
}

function cells(e: FluxEvent, home: string, now: number, formatAge: (ms: number) => string): string[] {
  const seen = e.lastSeen ? Date.parse(e.lastSeen) : NaN;
  const object = e.object.namespace === home ? `${e.object.kind}/${e.object.name}` : `${e.object.kind}/${e.object.namespace}/${e.object.name}`;
  return [Number.isNaN(seen) ? '' : formatAge(now - seen), e.type, e.reason, object];
}

const HEADER = ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'];

/** A line per event: the columns, then the whole message (its further lines indented under MESSAGE). */
function line(row: string[], message: string, layout: Layout, c: Context['color']['stdout'], type?: string): string {
  const padded = row.map((text, i) => text.padEnd(layout.widths[i]!)).join('   ');
  const indent = ' '.repeat(padded.length + 3);
  const [first = '', ...more] = message.split(/\r?\n/);
  const text = `${padded}   ${first}${more.map((m) => `\n${indent}${m}`).join('')}`;
  return type === 'Warning' ? c.red(text) : text;
}

function layoutOf(rows: string[][]): Layout {
  return { widths: HEADER.slice(0, 4).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length))) };
}

async function run(options: Options, ctx: Context): Promise<CommandOutput | void> {
  const [{ parseObjectName, parseDnsLabel }, { parseDurationMs }, { openCluster, readConfiguration, boundRequests }, { listEvents, watchEvents, sortEvents, occurrence }, { clusterStatus }, { formatAge }, errors, { parseOutputFormat, compileQuery }, { interruptible, stopSignalOf }] =
    await Promise.all([
      import('../../../model/values.js'),
      import('../../../model/duration.js'),
      import('./cluster.js'),
      import('../../../kube/events.js'),
      import('../../../status/cluster.js'),
      import('../../../status/view.js'),
      import('../../../core/errors.js'),
      import('../../../core/output.js'),
      import('../../../core/interrupt.js'),
    ]);
  const name = parseObjectName('-n/--name', options.name ?? '', 'configuration name');
  const namespace = options.namespace !== undefined ? parseDnsLabel('--namespace', options.namespace, 'namespace') : undefined;
  const only = options.for !== undefined ? await parseFor(options.for) : undefined;
  if (options.timeout !== undefined && !options.watch) throw new errors.UsageError('--timeout', 'only applies with --watch.', 'Add --watch, or leave --timeout out.');
  const timeoutMs = options.timeout !== undefined ? parseDurationMs('--timeout', options.timeout) : undefined;
  const format = options.output !== undefined ? parseOutputFormat(options.output) : 'table';
  const session = await openCluster(ctx, options, 'events', (cluster) => `Without cluster access, k8s-gitops status -g RG -c ${cluster} -t TYPE -n ${name} shows each object's last message as Azure reports it.`);
  // With --watch, --timeout bounds the whole, the first reads included; Ctrl-C and SIGTERM stop it as every wait.
  return interruptible(async (stop) => {
    const requests = await boundRequests(session, stop, timeoutMs, options.timeout ?? '');
    try {
      return await show(requests, stop);
    } finally {
      requests.dispose();
    }
  });

  async function show(requests: import('./cluster.js').BoundedRequests, stop: AbortSignal): Promise<CommandOutput | void> {
    // The configuration's objects, grouped as `status` groups them (labels, what applied what).
    const { objects, configuration } = await requests.run(`reading the Flux objects of '${name}'`, () => readConfiguration(session, name, namespace, undefined, requests.signal));
    const members = (list: typeof objects): Set<string> => {
      const status = clusterStatus({ objects: list as never, configuration: { name, namespace: configuration.namespace } }, { now: Date.now() });
      const found = status.configurations.find((c) => c.name === name && (c.namespace ?? configuration.namespace) === configuration.namespace);
      return new Set((found?.objects ?? []).filter((o) => !only || (o.kind === only.kind && (only.name === undefined || o.name === only.name))).map(objectKey));
    };
    let wanted = members(objects);
    if (only?.name !== undefined && wanted.size === 0) {
      throw new errors.NotFoundError(`configuration '${name}' has no ${only.kind} '${only.name}' in the cluster.`, `Its objects: k8s-gitops flux config tree --context ${session.kube.contextName} -n ${name}`);
    }
    const namespaces = [...new Set([configuration.namespace, ...[...wanted].map((k) => k.split('/')[1]!)])].sort();
    const fieldSelector = only ? `involvedObject.kind=${only.kind}${only.name !== undefined ? `,involvedObject.name=${only.name}` : ''}` : undefined;
    const queries = namespaces.map((ns) => ({ namespace: ns, ...(fieldSelector ? { fieldSelector } : {}) }));
    const listed = await requests.run(`listing the events of '${name}'`, () => Promise.all(queries.map((q) => listEvents(session.kube, q, requests.signal))));
    const ours = (e: FluxEvent): boolean => wanted.has(objectKey(e.object));
    const events = sortEvents(listed.flatMap((l) => l.events).filter(ours));
    const c = ctx.color.stdout;
    const table = format === 'table' && options.query === undefined;

    if (!options.watch) {
      if (!table) return { data: events.map(view) };
      if (events.length === 0) {
        ctx.stdout.write(`No events of '${name}'${only ? ` for ${options.for}` : ''} in the cluster (Kubernetes keeps them for about an hour).\n`);
        return;
      }
      const now = Date.now();
      const rows = events.map((e) => cells(e, configuration.namespace, now, formatAge));
      const layout = layoutOf(rows);
      const out = [c.bold(HEADER.map((h, i) => (i < 4 ? h.padEnd(layout.widths[i]!) : h)).join('   ').trimEnd()), ...events.map((e, i) => line(rows[i]!, e.message, layout, c, e.type))];
      return { data: events.map(view), defaultFormat: 'table', table: `${out.join('\n')}\n` };
    }

    // --watch: what is there, then each event as it comes (one JSON document per line unless a table).
    const query = options.query !== undefined ? compileQuery(options.query) : (v: unknown): unknown => v;
    // Columns as wide as what is there, and at least as wide as typical Flux values.
    const layout = { widths: layoutOf([['', '', '', ''], ...events.map((e) => cells(e, configuration.namespace, Date.now(), formatAge))]).widths.map((w, i) => Math.max(w, [9, 7, 23, 30][i]!)) };
    if (table) ctx.stdout.write(`${c.bold(HEADER.map((h, i) => (i < 4 ? h.padEnd(layout.widths[i]!) : h)).join('   ').trimEnd())}\n`);
    const emit = (e: FluxEvent): void => {
      if (format === 'none') return;
      if (!table) ctx.stdout.write(`${JSON.stringify(query(view(e)))}\n`);
      else ctx.stdout.write(`${line(cells(e, configuration.namespace, Date.now(), formatAge), e.message, layout, c, e.type)}\n`);
    };
    for (const e of events) emit(e);
    const seen = new Set(listed.flatMap((l) => l.events).map(occurrence));
    // An event of an object the configuration got meanwhile (a new HelmRelease): look at the objects again, now and then.
    let refreshedAt = Date.now();
    const accept = async (e: FluxEvent): Promise<void> => {
      if (!ours(e) && Date.now() - refreshedAt > 5000 && namespaces.includes(e.object.namespace)) {
        refreshedAt = Date.now();
        wanted = members(await session.kube.list({ namespace: configuration.namespace }, requests.signal).catch(() => objects));
      }
      if (ours(e)) emit(e);
    };
    const expired = (ns: string) => (): void => ctx.log.verbose(`events in namespace ${ns}: the watch expired (410 Gone); listing again`);
    // Until --timeout (its end, exit 0) or Ctrl-C.
    await session.run(() => Promise.all(queries.map((q, i) => watchEvents(session.kube, q, listed[i]!.resourceVersion, seen, (e) => void accept(e), requests.signal, expired(q.namespace)))));
    if (stop.aborted) throw new errors.InterruptedError('interrupted.', undefined, stopSignalOf(stop));
  }
}
