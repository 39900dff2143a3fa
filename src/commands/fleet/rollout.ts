/**
 * What `fleet apply` and `fleet delete` share: the rollout arguments as typed values, the plan
 * (one ARM GET per cluster: Resource Graph lags, so what exists is decided by ARM), the driver
 * that writes one cluster through the paced ARM client and follows its operation, the wait for
 * compliance through Resource Graph, and the run itself with its progress and its account.
 */
import type { Clock } from '../../core/clock.js';
import type { Context } from '../../core/context.js';
import { echo } from '../../core/echo.js';
import { FailedError, InterruptedError, UsageError } from '../../core/errors.js';
import type { CommandOutput } from '../../core/run.js';
import { MAX_CONCURRENT, type AzureFlags } from '../../azure/client.js';
import type { ResourceGraph } from '../../azure/graph.js';
import { retryAfterMs } from '../../azure/lro.js';
import { describeArmError, type ArmErrorDetail } from '../../azure/errors.js';
import { NotStarted, type PacedArm } from '../../azure/pacing.js';
import { EXTENSION_API_VERSION, extensionPath, extensionsPath, FLUX_API_VERSION, fluxConfigPath, type ArmResource } from '../../azure/resources.js';
import { parseDurationMs } from '../../model/duration.js';
import { buildExtension, extensionPutBody, FLUX_EXTENSION_TYPE } from '../../model/extension.js';
import { configurationFromResource } from '../../model/file.js';
import { fluxConfigurationPatchBody } from '../../model/patch.js';
import type { FluxConfiguration } from '../../model/types.js';
import { azureStatus } from '../../status/azure.js';
import { evaluateGate } from '../../status/gate.js';
import { parseTime } from '../../status/model.js';
import { configurationResource, type ConfigurationRow, type FleetCluster } from '../../fleet/model.js';
import type { PlanItem } from '../../fleet/plan.js';
import { configurationsQuery, FLUX_CONFIGURATION_TYPE, ID_LIST_LIMIT, RESOURCE_TYPE } from '../../fleet/query.js';
import { RolloutProgress } from '../../fleet/progress.js';
import { runRollout, type ClusterResult, type RolloutDriver, type Verdict, type WaveContext, type WriteResult } from '../../fleet/rollout.js';
import type { Selection } from '../../fleet/selection.js';
import { accountText, countOutcomes, OUTCOME_COLUMNS, outcomeEntry, PLAN_COLUMNS, planEntry } from '../../fleet/view.js';
import { budgetFor, cutWaves, parseBudget, parseWaves, parseWaveSize, waveSizes, type Amount } from '../../fleet/waves.js';
import { clusterRef } from './read.js';

export interface RolloutFlags {
  dryRun?: boolean;
  waves?: string;
  waveSize?: string;
  waveTimeout?: string;
  waitFor?: string;
  maxFailures?: string;
  parallel?: string;
  yes?: boolean;
}

export interface RolloutSettings {
  waves: { waves: Amount[] } | { size: number };
  waveTimeoutMs: number;
  budget: Amount;
  budgetText: string;
  parallel: number;
  waitFor: 'provisioned' | 'compliant';
}

export const DEFAULT_WAVES = '1,10%,100%';

export function rolloutSettings(flags: RolloutFlags): RolloutSettings {
  if (flags.waves !== undefined && flags.waveSize !== undefined) throw new UsageError('--wave-size', 'and --waves both say how to cut the waves; give one.');
  const waves = flags.waveSize !== undefined ? { size: parseWaveSize('--wave-size', flags.waveSize) } : { waves: parseWaves('--waves', flags.waves ?? DEFAULT_WAVES) };
  const waveTimeoutMs = flags.waveTimeout !== undefined ? parseDurationMs('--wave-timeout', flags.waveTimeout) : 15 * 60_000;
  if (waveTimeoutMs < 1000) throw new UsageError('--wave-timeout', `'${echo(flags.waveTimeout!)}' is too short; give at least 1s.`);
  const budgetText = flags.maxFailures ?? '0';
  const budget = parseBudget('--max-failures', budgetText);
  let parallel = 8;
  if (flags.parallel !== undefined) {
    if (!/^\d+$/.test(flags.parallel.trim()) || Number(flags.parallel) < 1 || Number(flags.parallel) > MAX_CONCURRENT) {
      throw new UsageError('--parallel', `'${echo(flags.parallel)}' is not a number from 1 to ${MAX_CONCURRENT}.`, `k8s-gitops never has more than ${MAX_CONCURRENT} ARM requests in flight; fewer go easier on a busy subscription.`);
    }
    parallel = Number(flags.parallel);
  }
  return { waves, waveTimeoutMs, budget, budgetText, parallel, waitFor: flags.waitFor === 'compliant' ? 'compliant' : 'provisioned' };
}

/** Refuses, before anything is sent, a rollout that could not ask for its confirmation. */
export function checkConfirmable(ctx: Context, flags: RolloutFlags): void {
  if (flags.dryRun || flags.yes) return;
  if (!process.stdin.isTTY || !ctx.stderr.isTTY) {
    throw new UsageError('-y/--yes', 'a rollout asks for confirmation, and there is no terminal to ask on, so nothing was sent.', 'Add --yes to confirm, or --dry-run to see the plan first.');
  }
}

/** Runs `fn` over `items` with at most `limit` at once; results in the order of items. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

/** The configuration of every cluster, read from ARM (undefined where there is none). */
export async function readConfigurations(paced: PacedArm, clusters: readonly FleetCluster[], name: string, signal?: AbortSignal): Promise<(ArmResource | undefined)[]> {
  return mapLimited(clusters, paced.parallel * 4, async (c) => {
    const res = await paced.request<ArmResource>('GET', fluxConfigPath(c.subscriptionId, clusterRef(c), name), { apiVersion: FLUX_API_VERSION, allowNotFound: true, ...(signal ? { signal } : {}) });
    return res.status === 404 ? undefined : res.body;
  });
}

export interface PlannedRollout {
  plan: PlanItem[];
  graph: ResourceGraph;
  paced: PacedArm;
}

/**
 * What apply and delete do before they write: connect (Resource Graph, and ARM paced to
 * `parallel`), read the selected clusters with their Flux extensions, skip the clusters that
 * must be left alone, read the configuration of every other one from ARM, and plan each.
 */
export async function planRollout(
  ctx: Context,
  flags: AzureFlags,
  selection: Selection,
  settings: RolloutSettings,
  clock: Clock,
  name: string,
  decide: { skip(c: FleetCluster): string | undefined; plan(c: FleetCluster, current: ArmResource | undefined): PlanItem },
): Promise<PlannedRollout> {
  const [{ ResourceGraph }, { ArmClient }, { PacedArm }, { readFleet }] = await Promise.all([import('../../azure/graph.js'), import('../../azure/client.js'), import('../../azure/pacing.js'), import('./read.js')]);
  const graph = await ResourceGraph.create(ctx, flags);
  const paced = new PacedArm(await ArmClient.create(ctx, flags, false), clock, settings.parallel);
  const fleet = await readFleet(graph, selection, { clock, deadline: clock.now() + 5 * 60_000, extensionsOnly: true });
  ctx.log.verbose(`${fleet.clusters.length} clusters selected (${graph.requests} Resource Graph requests)`);
  const skipped = new Map(fleet.clusters.map((c) => [c, decide.skip(c)]));
  const candidates = fleet.clusters.filter((c) => skipped.get(c) === undefined);
  const current = await readConfigurations(paced, candidates, name);
  const plan: PlanItem[] = [
    ...fleet.clusters.filter((c) => skipped.get(c) !== undefined).map((cluster): PlanItem => ({ cluster, action: 'skip', reason: skipped.get(cluster)! })),
    ...candidates.map((c, i) => decide.plan(c, current[i])),
  ];
  return { plan, graph, paced };
}

/** The order clusters are rolled out in: by name, then id (the first wave is the first names). */
export function rolloutOrder(items: readonly PlanItem[]): PlanItem[] {
  return [...items].sort((a, b) => (a.cluster.name < b.cluster.name ? -1 : a.cluster.name > b.cluster.name ? 1 : a.cluster.id < b.cluster.id ? -1 : a.cluster.id > b.cluster.id ? 1 : 0));
}

const CHANGING = new Set<PlanItem['action']>(['create', 'update', 'delete']);

export interface DriverDeps {
  ctx: Context;
  paced: PacedArm;
  graph: ResourceGraph;
  clock: Clock;
  selection: Selection;
  name: string;
  /** fleet apply: what the configuration must be; fleet delete: undefined. */
  desired?: FluxConfiguration;
  waitFor: 'provisioned' | 'compliant';
  waveTimeoutText: string;
  force?: boolean;
}

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'cancelled']);

function failure(err: unknown): WriteResult {
  if (err instanceof NotStarted) return { status: 'not started' };
  return { status: 'failed', reason: err instanceof Error ? err.message : String(err) };
}

export function fleetDriver(deps: DriverDeps): RolloutDriver {
  const { paced, clock, name } = deps;

  /**
   * Follows an accepted write until its operation ends, the wave's deadline, or Ctrl-C. An
   * operation that ends Canceled while Azure holds the change counts as done, with a note (the
   * rule every write follows, src/commands/outcome.ts): `landed` reads what Azure holds.
   */
  async function follow(res: { headers: Record<string, string> }, w: WaveContext, what: string, landed: () => Promise<boolean>): Promise<WriteResult> {
    const date = Date.parse(res.headers.date ?? '');
    const acceptedAt = Number.isNaN(date) ? clock.now() - 2000 : date;
    const url = res.headers['azure-asyncoperation'] ?? res.headers['operation-location'];
    if (!url) return { status: 'done', acceptedAt };
    let delay = retryAfterMs(res.headers, 2000);
    let last = 'Accepted';
    for (;;) {
      if (w.signal.aborted) return { status: 'accepted' };
      const remaining = w.deadline - clock.now();
      if (remaining <= 0) return { status: 'failed', reason: `${what}: not done within --wave-timeout ${deps.waveTimeoutText} (last state: ${last}); it goes on in Azure` };
      try {
        await clock.sleep(Math.min(delay, remaining), w.signal);
      } catch {
        return { status: 'accepted' };
      }
      if (clock.now() >= w.deadline) continue;
      let op;
      try {
        // A poll that hangs must not outlive the wave.
        op = await paced.request<{ status?: string; error?: ArmErrorDetail }>('GET', url, { signal: AbortSignal.timeout(Math.max(1, w.deadline - clock.now())) });
      } catch (err) {
        if (clock.now() >= w.deadline) continue;
        return failure(err);
      }
      last = op.body?.status ?? 'Unknown';
      if (TERMINAL.has(last.toLowerCase())) {
        if (last.toLowerCase() === 'succeeded') return { status: 'done', acceptedAt };
        const why = describeArmError(op.body?.error, 'no reason given');
        if (last.toLowerCase().startsWith('cancel') && (await landed().catch(() => false))) {
          return { status: 'done', acceptedAt, note: `${what} ended ${last} (${why}), but Azure holds the change` };
        }
        return { status: 'failed', reason: `${what} ended ${last}: ${why}` };
      }
      delay = retryAfterMs(op.headers, 2000);
    }
  }

  /** The Flux extension where Resource Graph showed none: found after all, or installed. */
  async function ensureExtension(c: FleetCluster, w: WaveContext): Promise<WriteResult | undefined> {
    const ref = clusterRef(c);
    try {
      let next: string | undefined = extensionsPath(c.subscriptionId, ref);
      let first = true;
      while (next) {
        const page: { body: { value?: ArmResource[]; nextLink?: string } } = await paced.request('GET', next, first ? { apiVersion: EXTENSION_API_VERSION } : {});
        first = false;
        const flux = (page.body?.value ?? []).find((e) => String(e.properties?.extensionType ?? '').toLowerCase() === FLUX_EXTENSION_TYPE);
        if (flux) {
          const state = String(flux.properties?.provisioningState ?? 'Unknown');
          if (state === 'Succeeded') return undefined;
          return { status: 'failed', reason: `the Flux extension '${flux.name}' is ${state}${state === 'Failed' ? `: ${describeArmError(flux.properties?.errorInfo as ArmErrorDetail | undefined, 'no reason given')}` : ''}` };
        }
        next = page.body?.nextLink ?? undefined;
      }
      const { extension } = buildExtension({}, ref.clusterType, deps.ctx.input);
      const path = extensionPath(c.subscriptionId, ref, extension.name);
      const put = await paced.request('PUT', path, { apiVersion: EXTENSION_API_VERSION, body: extensionPutBody(extension), beforeSend: w.canStart });
      const r = await follow(put, w, `installing the ${FLUX_EXTENSION_TYPE} extension`, async () => provisioned(await read(path, EXTENSION_API_VERSION)));
      return r.status === 'done' ? undefined : r;
    } catch (err) {
      return failure(err);
    }
  }

  /** The resource as Azure holds it now; undefined when it does not exist. */
  async function read(path: string, apiVersion: string): Promise<ArmResource | undefined> {
    const res = await paced.request<ArmResource>('GET', path, { apiVersion, allowNotFound: true });
    return res.status === 404 ? undefined : res.body;
  }
  const provisioned = (r: ArmResource | undefined): boolean => r?.properties?.provisioningState === 'Succeeded';

  const driver: RolloutDriver = {
    async write(item, w) {
      const c = item.cluster;
      const path = fluxConfigPath(c.subscriptionId, clusterRef(c), name);
      try {
        if (item.action === 'delete') {
          const res = await paced.request('DELETE', path, { apiVersion: FLUX_API_VERSION, query: { forceDelete: deps.force ? 'true' : 'false' }, beforeSend: w.canStart });
          return res.status === 204 ? { status: 'done', acceptedAt: clock.now() } : follow(res, w, `deleting '${name}'`, async () => (await read(path, FLUX_API_VERSION)) === undefined);
        }
        if (item.installExtension) {
          const r = await ensureExtension(c, w);
          if (r) return r;
        }
        const res = await paced.request(item.action === 'create' ? 'PUT' : 'PATCH', path, { apiVersion: FLUX_API_VERSION, body: item.body, beforeSend: w.canStart });
        return follow(res, w, `${item.action === 'create' ? 'creating' : 'updating'} '${name}'`, async () => {
          const held = await read(path, FLUX_API_VERSION);
          return provisioned(held) && deps.desired !== undefined && !fluxConfigurationPatchBody(configurationFromResource(name, held!), { ...deps.desired, configurationProtectedSettings: {} }).body;
        });
      } catch (err) {
        return failure(err);
      }
    },
  };
  if (deps.waitFor === 'compliant' && deps.desired) driver.settle = (written, w) => settle(deps, written, w);
  return driver;
}

/** A cluster as the status model takes it: the facts of its row (Arc connectivity). */
function clusterResource(c: FleetCluster): ArmResource {
  const conn = c.connectivity;
  return { id: c.id, name: c.name, type: RESOURCE_TYPE[c.type], properties: conn ? { connectivityStatus: conn.status, ...(conn.lastConnectivityTime ? { lastConnectivityTime: conn.lastConnectivityTime } : {}) } : {} };
}

/**
 * --wait-for compliant: reads the wave's configurations from Resource Graph (one query, growing
 * pauses of 1 to 5 seconds) until each cluster has a verdict. A row counts only once Resource
 * Graph shows what was written, provisioned, with a report the agent made after the write
 * (Resource Graph lags: an older row would say nothing about the change).
 */
async function settle(deps: DriverDeps, written: { item: PlanItem; acceptedAt: number }[], w: WaveContext): Promise<Map<PlanItem, Verdict>> {
  const { clock, graph, name } = deps;
  const wanted: FluxConfiguration = { ...deps.desired!, configurationProtectedSettings: {} };
  const pending = new Map(written.map((x) => [x.item.cluster.id.toLowerCase(), { ...x, last: 'no report since the change yet' }]));
  const verdicts = new Map<PlanItem, Verdict>();
  const subscriptions = [...new Set(written.map((x) => x.item.cluster.subscriptionId))];
  let pause = 1000;
  while (pending.size > 0 && !w.signal.aborted && clock.now() < w.deadline) {
    try {
      await clock.sleep(Math.min(pause, Math.max(0, w.deadline - clock.now())), w.signal);
    } catch {
      break;
    }
    pause = Math.min(pause * 2, 5000);
    if (clock.now() >= w.deadline) break;
    const ids = [...pending.keys()];
    let rows: ConfigurationRow[];
    try {
      rows = (await graph.query(
        { query: configurationsQuery(deps.selection, { kind: 'configurations', name, full: true, ...(ids.length <= ID_LIST_LIMIT ? { clusterIds: ids } : {}) }), subscriptions },
        { clock, deadline: w.deadline, signal: w.signal },
      )) as unknown as ConfigurationRow[];
    } catch (err) {
      if (w.signal.aborted || clock.now() >= w.deadline) break;
      for (const p of pending.values()) p.last = `Resource Graph could not be read: ${(err as Error).message}`;
      continue;
    }
    const now = clock.now();
    for (const row of rows) {
      if (row.type.toLowerCase() !== FLUX_CONFIGURATION_TYPE) continue;
      const p = pending.get(row.clusterId.toLowerCase());
      if (!p) continue;
      const resource = configurationResource(row);
      const props = (resource.properties ?? {}) as Record<string, unknown>;
      if (props.provisioningState !== 'Succeeded') {
        p.last = `provisioning ${String(props.provisioningState ?? 'Unknown')}`;
        continue;
      }
      if (fluxConfigurationPatchBody(configurationFromResource(name, resource), wanted).body) {
        p.last = 'Resource Graph does not show the change yet';
        continue;
      }
      const reported = parseTime(typeof props.statusUpdatedAt === 'string' ? props.statusUpdatedAt : undefined);
      if (reported === undefined || reported < p.acceptedAt) {
        p.last = 'no report since the change yet';
        continue;
      }
      const gate = evaluateGate(azureStatus({ cluster: clusterResource(p.item.cluster), configurations: [resource] }, { now }), { waitFor: 'compliant', failFast: true });
      if (gate.outcome === 'reached') verdicts.set(p.item, { ok: true });
      else if (gate.outcome === 'failed') verdicts.set(p.item, { ok: false, reason: gate.failures[0] ?? 'failed' });
      else {
        p.last = gate.pending[0] ?? 'pending';
        continue;
      }
      pending.delete(row.clusterId.toLowerCase());
    }
  }
  if (!w.signal.aborted) {
    for (const p of pending.values()) verdicts.set(p.item, { ok: false, reason: `not Compliant within --wave-timeout ${deps.waveTimeoutText} (last: ${p.last})` });
  }
  return verdicts;
}

/** Outcome → how many clusters, in a fixed order. */
function outcomeSummary(results: readonly ClusterResult[]): Record<string, number> {
  return countOutcomes(results) as Record<string, number>;
}

export interface ExecuteOptions {
  verb: 'apply' | 'delete';
  name: string;
  plan: PlanItem[];
  settings: RolloutSettings;
  flags: RolloutFlags & { output?: string; query?: string };
  driver: () => RolloutDriver;
  clock: Clock;
  /** The question to confirm, given the sizes of the waves. */
  question: (changing: PlanItem[], sizes: number[]) => string;
}

/** Plans the waves, prints the plan (--dry-run) or confirms and runs it, prints what happened. */
export async function executeRollout(ctx: Context, o: ExecuteOptions): Promise<CommandOutput | void> {
  const [{ formatOutput, parseOutputFormat }, { confirm }] = await Promise.all([import('../../core/output.js'), import('../../core/prompt.js')]);
  const ordered = rolloutOrder(o.plan);
  const changing = ordered.filter((i) => CHANGING.has(i.action));
  const sizes = waveSizes(changing.length, o.settings.waves);
  const waves = cutWaves(changing, sizes);
  const waveOf = new Map<PlanItem, number>();
  waves.forEach((items, i) => items.forEach((item) => waveOf.set(item, i + 1)));
  const maxFailures = budgetFor(o.settings.budget, changing.length);
  const counts = (action: PlanItem['action']): number => ordered.filter((i) => i.action === action).length;
  const planSummary = `${ordered.length} cluster${ordered.length === 1 ? '' : 's'}: ${(['create', 'update', 'delete', 'unchanged', 'absent', 'skip'] as const)
    .filter((a) => counts(a) > 0)
    .map((a) => `${counts(a)} ${a === 'skip' ? 'skipped' : a}`)
    .join(' · ') || 'nothing selected'}; waves of ${sizes.length ? sizes.join(', ') : '0'}; up to ${maxFailures} failure${maxFailures === 1 ? '' : 's'} tolerated.`;

  if (o.flags.dryRun) {
    ctx.log.info(`Plan for '${o.name}' (nothing was sent): ${planSummary}`);
    const entries = ordered.map((i) => planEntry(i, waveOf.get(i)));
    return { data: { configuration: o.name, dryRun: true, waves: sizes, maxFailures, clusters: entries }, rows: entries, columns: PLAN_COLUMNS, defaultFormat: 'table' };
  }
  const format = o.flags.output !== undefined ? parseOutputFormat(o.flags.output) : 'table';
  const color = ctx.color.stdout.level > 0;
  const print = (results: ClusterResult[], extra: Record<string, unknown>): void => {
    const entries = rolloutOrder(results.map((r) => r.item)).map((item) => outcomeEntry(results.find((r) => r.item === item)!));
    const data = { configuration: o.name, waves: sizes, maxFailures, ...extra, clusters: entries };
    ctx.stdout.write(formatOutput(format === 'table' && o.flags.query === undefined ? entries : data, { format, ...(o.flags.query !== undefined ? { query: o.flags.query } : {}), columns: OUTCOME_COLUMNS, color }));
  };
  const untouchedResults = ordered.filter((i) => !CHANGING.has(i.action)).map((item): ClusterResult => ({ item, outcome: item.action === 'skip' ? 'skipped' : item.action === 'absent' ? 'absent' : 'unchanged', ...(item.reason ? { reason: item.reason } : {}) }));

  if (changing.length === 0) {
    ctx.log.info(`Nothing to ${o.verb === 'apply' ? 'change' : 'delete'}: ${planSummary}`);
    print(untouchedResults, { summary: outcomeSummary(untouchedResults) });
    return;
  }
  ctx.log.info(`Plan for '${o.name}': ${planSummary}`);
  if (!(await confirm(ctx, o.question(changing, sizes), o.flags.yes))) {
    ctx.log.info('Nothing was sent.');
    return;
  }

  const { interruptible, stopSignalOf } = await import('../../core/interrupt.js');
  const quiet = Boolean(ctx.options.onlyShowErrors);
  const progress = new RolloutProgress(ctx.stderr, quiet ? 'quiet' : ctx.stderr.isTTY && !ctx.env.CI ? 'terminal' : 'lines', ctx.color.stderr, o.clock);
  let stop: AbortSignal | undefined;
  let result;
  try {
    // Ctrl-C or SIGTERM: no new write starts, writes already sent finish; a second one quits at once.
    result = await interruptible((signal) => {
      stop = signal;
      signal.addEventListener('abort', () => ctx.log.warn('stopping: no new write starts; writes already sent finish (Ctrl-C again quits at once).'), { once: true });
      return runRollout(o.driver(), { waves, maxFailures, waveTimeoutMs: o.settings.waveTimeoutMs, clock: o.clock, stop: signal, onEvent: (e) => progress.onEvent(e) });
    });
  } finally {
    progress.stop();
  }
  // Operations that ended Canceled with their change in Azure: done, and said so.
  for (const r of result.results) if (r.reason && ['created', 'updated', 'deleted'].includes(r.outcome)) ctx.log.warn(`${r.item.cluster.name}: ${r.reason}.`);
  const all = [...result.results, ...untouchedResults];
  ctx.stderr.write(accountText(result, all, { verb: o.verb, configuration: o.name, waves: waves.length, maxFailures, maxFailuresText: o.settings.budgetText }));
  print(all, { summary: outcomeSummary(all), ...(result.stopped ? { stopped: result.stopped } : {}) });
  if (result.stopped?.why === 'budget') throw new FailedError(`the rollout stopped after wave ${result.stopped.wave}: ${result.failures} failure${result.failures === 1 ? '' : 's'}, more than --max-failures allows (${maxFailures}).`, 'Fix the failing clusters (the account above says why), then run the same command again: clusters already as asked are left alone.');
  if (result.stopped?.why === 'interrupted') {
    throw new InterruptedError('interrupted; the account above says which clusters changed.', 'Run the same command again to finish: clusters already as asked are left alone.', stopSignalOf(stop));
  }
  if (result.failures > 0) ctx.log.warn(`${result.failures} cluster${result.failures === 1 ? '' : 's'} failed, within --max-failures (${maxFailures}).`);
}
