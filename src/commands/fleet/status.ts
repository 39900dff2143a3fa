/**
 * `fleet status`: the whole fleet in one screen, from Azure Resource Graph (one query per table,
 * paged to the end): one row per cluster, failing first, and a summary line. `--watch` keeps it
 * live, `--wait-for compliant` is the fleet-wide CI gate (0 reached, 6 failed, 5 timed out), and
 * `--verify NAME…` reads chosen clusters through ARM itself, which Resource Graph trails.
 */
import { Option, type Command } from 'commander';
import { collectGroup } from '../../core/argv.js';
import type { Context } from '../../core/context.js';
import { echo } from '../../core/echo.js';
import { action, addGlobalOptions, type CommandOutput } from '../../core/run.js';
import { addSelectionOptions, type FleetOptions } from './options.js';

type Options = FleetOptions & {
  name?: string;
  watch?: boolean;
  interval?: string;
  waitFor?: string;
  timeout?: string;
  maxFailing?: string;
  verify?: string[][];
};

const EXAMPLES = `
Examples:
  # Every cluster you can read, failing first, with a summary line
  k8s-gitops fleet status

  # The production clusters of two subscriptions, one configuration
  k8s-gitops fleet status --subscriptions 00000000-0000-0000-0000-000000000001 \\
    00000000-0000-0000-0000-000000000002 --where env=prod -n cluster-config

  # A CI gate after a rollout: every staging AKS cluster compliant within 15 minutes
  k8s-gitops fleet status --where env=staging -t managedClusters -n cluster-config \\
    --wait-for compliant --timeout 15m --max-failing 10% -o none

  # Confirm two clusters through ARM (Resource Graph trails it)
  k8s-gitops fleet status -n cluster-config --verify store-0001 store-0002

  # The failing clusters, and why, as JSON
  k8s-gitops fleet status -o json --query "clusters[?state=='failing'].{name: name, reason: reason}"`;

export function registerFleetStatus(parent: Command): Command {
  const cmd = parent
    .command('status')
    .summary('every cluster of the fleet in one screen, from Azure Resource Graph')
    .description(
      'One row per cluster — type, location, Arc connectivity, the Flux extension, and its configuration (compliance, revision, age of the last report) — failing clusters first, then a summary line. Read from Azure Resource Graph in one query per table, which trails ARM by seconds to minutes; --verify reads chosen clusters through ARM. A cluster is failing when its Flux extension failed or a configuration fails (a waiting reason such as DependencyNotReady is pending); an offline Arc cluster is offline, never compliant.',
    );
  addSelectionOptions(cmd);
  cmd
    .optionsGroup('Status Arguments:')
    .option('-n, --name <name>', 'only this Flux configuration')
    .option('--verify <name...>', 'read these clusters (names or ARM ids) through ARM instead of Resource Graph (repeatable)', collectGroup)
    .option('--watch', 'keep the view live until Ctrl-C or --timeout (with --wait-for: until the gate decides)')
    .option('--interval <duration>', 'with --watch or --wait-for: time between reads (default 10s, at least 5s)')
    .addOption(new Option('--wait-for <state>', 'wait until every selected cluster is compliant (exit 0), more fail than --max-failing allows (6), or --timeout passes (5)').choices(['compliant']))
    .option('--max-failing <n|p%>', 'with --wait-for: failing clusters tolerated (default 0; a percentage rounds down)')
    .option('--timeout <duration>', 'how long --watch/--wait-for go on (default 10m)');
  addGlobalOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput | void> {
  const [{ parseDurationMs }, { parseObjectName }, { UsageError, NotFoundError, FailedError, TimeoutError, InterruptedError }, { systemClock }, { parseOutputFormat, formatOutput }, { parseBudget, budgetFor }, view, { fleetGate }, { renderFrame }, read] =
    await Promise.all([
      import('../../model/duration.js'),
      import('../../model/values.js'),
      import('../../core/errors.js'),
      import('../../core/clock.js'),
      import('../../core/output.js'),
      import('../../fleet/waves.js'),
      import('../../fleet/view.js'),
      import('../../fleet/model.js'),
      import('../../status/view.js'),
      import('./read.js'),
    ]);
  // Everything the command line says is checked before anything is sent.
  const name = options.name !== undefined ? parseObjectName('-n/--name', options.name, 'configuration name') : undefined;
  const selection = read.selectionFrom(ctx, options);
  const intervalMs = options.interval !== undefined ? parseDurationMs('--interval', options.interval) : 10_000;
  if (intervalMs < 5000) throw new UsageError('--interval', `'${echo(options.interval!)}' is too short; the minimum is 5s (Resource Graph allows 15 queries in 5 seconds).`);
  const timeoutMs = options.timeout !== undefined ? parseDurationMs('--timeout', options.timeout) : 10 * 60_000;
  if (options.maxFailing !== undefined && options.waitFor === undefined) throw new UsageError('--max-failing', 'only applies with --wait-for compliant.');
  const budget = options.maxFailing !== undefined ? parseBudget('--max-failing', options.maxFailing) : { kind: 'count' as const, n: 0 };
  const format = options.output !== undefined ? parseOutputFormat(options.output) : 'table';
  const verify = (options.verify ?? []).flat().map((v) => v.trim()).filter((v) => v !== '');
  const color = ctx.color.stdout.level > 0;

  const [{ ResourceGraph }, { ArmClient }] = await Promise.all([import('../../azure/graph.js'), import('../../azure/client.js')]);
  const graph = await ResourceGraph.create(ctx, options);
  const arm = verify.length > 0 ? await ArmClient.create(ctx, options, false) : undefined;
  const clock = systemClock;
  /** Aborted by Ctrl-C or SIGTERM while watching or waiting. */
  let stop: AbortSignal | undefined;
  const start = clock.now();
  const deadline = start + timeoutMs;

  const looked = new Map<string, string>();
  const readOnce = async (): Promise<import('../../fleet/view.js').FleetDocument> => {
    const got = await read.readFleet(graph, selection, { clock, deadline, ...(stop ? { signal: stop } : {}), ...(name !== undefined ? { name } : {}) });
    let clusters = got.clusters;
    if (arm) {
      clusters = [...clusters];
      for (const wanted of verify) {
        const at = clusters.findIndex((c) => c.name === wanted || c.id.toLowerCase() === wanted.toLowerCase());
        if (at < 0) throw new NotFoundError(`no cluster '${echo(wanted)}' in the selection (${clusters.length} cluster${clusters.length === 1 ? '' : 's'}).`, 'Give the name of a selected cluster (or its ARM id) to --verify.');
        const graphView = clusters[at]!;
        const armView = await read.verifyThroughArm(arm, graphView, name, () => clock.now());
        clusters[at] = armView;
        const note = armView.state === graphView.state ? `${armView.name}: confirmed through ARM (${armView.state}).` : `${armView.name}: Resource Graph said ${graphView.state}, ARM says ${armView.state} (Resource Graph trails ARM).`;
        if (looked.get(armView.id) !== note) ctx.log.info(note);
        looked.set(armView.id, note);
      }
    }
    ctx.log.debug(`Resource Graph: ${graph.requests} request${graph.requests === 1 ? '' : 's'} so far`);
    return view.fleetDocument(clusters, got.readAt);
  };
  const tableOf = (doc: import('../../fleet/view.js').FleetDocument, summaryFirst = false): string => {
    const rows = doc.clusters.map((c) => view.fleetRow(c, clock.now()));
    const table = rows.length > 0 ? formatOutput(rows, { format: 'table', columns: view.FLEET_COLUMNS, color }) : '';
    const summary = `${view.fleetSummaryText(doc)}\n`;
    return summaryFirst ? summary + table : table + summary;
  };

  // One look.
  if (!options.watch && options.waitFor === undefined) {
    const doc = await readOnce();
    ctx.log.info(view.freshnessText(doc, clock.now()));
    return { data: doc, defaultFormat: 'table', table: tableOf(doc) };
  }

  // Watching, or waiting for the gate.
  const live = options.watch === true;
  const tty = live && ctx.stdout.isTTY && format === 'table' && options.query === undefined;
  const { interruptible, stopSignalOf } = await import('../../core/interrupt.js');
  let previous: import('../../fleet/view.js').FleetDocument | undefined;
  let lines = 0;
  let wait = intervalMs;
  const outcome = await interruptible(async (signal) => {
    stop = signal;
    let outcome: 'reached' | 'failed' | 'timeout' | 'interrupted' | 'watched' = 'watched';
    for (;;) {
      let doc;
      try {
        doc = await readOnce();
      } catch (err) {
        if (signal.aborted) {
          outcome = 'interrupted';
          break;
        }
        // Time ran out during a read: the last state read is the answer (none read: the error is).
        if (err instanceof TimeoutError && previous && clock.now() >= deadline) {
          outcome = options.waitFor !== undefined ? 'timeout' : 'watched';
          break;
        }
        throw err;
      }
      if (options.waitFor !== undefined && doc.summary.clusters === 0) throw new NotFoundError('no cluster matches the selection, so there is nothing to wait for.', 'Check --subscriptions, -g, --where and -t.');
      if (live) {
        if (tty) {
          const frame = renderFrame(tableOf(doc, true), lines, { columns: process.stdout.columns, rows: process.stdout.rows });
          lines = frame.lines;
          ctx.stdout.write(frame.text);
        } else if (format === 'table' && options.query === undefined) {
          for (const line of view.fleetChangeLines(doc, previous)) ctx.stdout.write(`${line}\n`);
        } else {
          ctx.stdout.write(formatOutput(doc, { format: format === 'table' ? 'json' : format, ...(options.query !== undefined ? { query: options.query } : {}), color }));
        }
      }
      previous = doc;
      if (options.waitFor !== undefined) {
        const verdict = fleetGate(doc.summary, budgetFor(budget, doc.summary.clusters));
        if (verdict !== 'pending') {
          outcome = verdict;
          break;
        }
      }
      const now = clock.now();
      if (now >= deadline) {
        outcome = options.waitFor !== undefined ? 'timeout' : 'watched';
        break;
      }
      try {
        await clock.sleep(Math.min(wait, deadline - now), signal);
      } catch {
        outcome = 'interrupted';
        break;
      }
      if (clock.now() >= deadline) {
        outcome = options.waitFor !== undefined ? 'timeout' : 'watched';
        break;
      }
      wait = intervalMs;
    }
    return outcome;
  });

  const last = previous;
  if (!live && last) {
    const text = format === 'table' && options.query === undefined ? tableOf(last) : formatOutput(last, { format, ...(options.query !== undefined ? { query: options.query } : {}), color });
    ctx.stdout.write(text);
  }
  if (options.waitFor === undefined) {
    if (outcome === 'interrupted') throw new InterruptedError('interrupted; nothing was changed.', undefined, stopSignalOf(stop));
    return;
  }
  const allowed = last ? budgetFor(budget, last.summary.clusters) : 0;
  const notCompliant = last ? last.clusters.filter((c) => c.state !== 'compliant') : [];
  const listed = notCompliant.slice(0, 20).map((c) => `  - ${c.name}: ${view.fleetRow(c, clock.now()).state}${c.reason ? ` (${c.reason.replace(/\s*\n\s*/g, ' ')})` : ''}`);
  if (notCompliant.length > 20) listed.push(`  … and ${notCompliant.length - 20} more (the table lists them all)`);
  const summary = last ? view.fleetSummaryText(last) : 'nothing was read';
  switch (outcome) {
    case 'reached':
      ctx.log.info(`compliant: reached (${summary}; ${last?.summary.failing ?? 0} failing of ${allowed} tolerated).`);
      return;
    case 'failed':
      ctx.stderr.write(`${listed.join('\n')}\n`);
      throw new FailedError(`compliant: not reached: ${last?.summary.failing} cluster${last?.summary.failing === 1 ? ' is' : 's are'} failing, more than --max-failing allows (${allowed}). ${summary}.`);
    case 'timeout':
      ctx.stderr.write(`${listed.join('\n')}\n`);
      throw new TimeoutError(`compliant: not reached within ${options.timeout ?? '10m'}. ${summary}.`, 'Offline clusters and clusters without the extension never become compliant: narrow the selection, or wait longer (--timeout).');
    default:
      throw new InterruptedError(`interrupted before the fleet was compliant (${summary}); nothing was changed.`, undefined, stopSignalOf(stop));
  }
}
