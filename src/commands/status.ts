/**
 * `status`: is GitOps working on this cluster, right now? From Azure (-g -c -t), or straight
 * from the cluster (--kubeconfig/--context, or the default kubeconfig when no Azure cluster is
 * named). `--watch` keeps the view live; `--wait-for` makes it a CI gate (exit 0 reached,
 * 6 failed, 5 timed out).
 */
import { Option, type Command } from 'commander';
import type { Context } from '../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../core/run.js';
import type { WaitFor } from '../status/gate.js';
import type { AzureOptions } from './azure.js';
import { addClusterOptions } from './common.js';

type Options = AzureOptions & {
  name?: string;
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  watch?: boolean;
  interval?: string;
  waitFor?: string;
  failFast?: boolean;
  timeout?: string;
};

const EXAMPLES = `
Examples:
  # One screen: extension, configurations, every Flux object, from Azure
  k8s-gitops status -g rg -c aks1 -t managedClusters

  # Live until Ctrl-C (redrawn in place on a terminal; one line per change elsewhere)
  k8s-gitops status -g rg -c aks1 -t managedClusters -n cluster-config --watch

  # Live until everything is ready, even if the configuration is created only later
  k8s-gitops status -g rg -c aks1 -t managedClusters -n cluster-config --watch --wait-for ready

  # A CI gate: exit 0 when compliant, 6 when it fails, 5 after the timeout
  k8s-gitops status -g rg -c aks1 -t managedClusters -n cluster-config --wait-for compliant --timeout 10m

  # Straight from the cluster (any cluster that runs Flux)
  k8s-gitops status --context aks1 --wait-for ready`;

export function registerStatus(parent: Command): Command {
  const cmd = parent
    .command('status')
    .summary('is GitOps working on this cluster, right now?')
    .description(
      'The Flux extension, each Flux configuration (provisioning, compliance, source revision, how fresh the status is) and each Flux object (kind, namespace/name, ready, reason, revision, age, message) — from Azure, or straight from the cluster with --kubeconfig/--context (fresher). Stale status and an offline or expired Arc cluster are flagged, never shown as healthy.',
    );
  addClusterOptions(cmd);
  cmd
    .optionsGroup('Status Arguments:')
    .option('-n, --name <name>', 'only this Flux configuration')
    .option('--kubeconfig <path>', 'read the Flux objects from the cluster with this kubeconfig (default: KUBECONFIG, ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('--namespace <namespace>', 'with the cluster view: only this namespace')
    .option('--watch', 'keep the view live until Ctrl-C or --timeout (with --wait-for: until that state is reached)')
    .option('--interval <duration>', 'with Azure: time between reads (default 5s; longer when Azure asks)')
    .addOption(new Option('--wait-for <state>', 'wait until every configuration is provisioned, compliant or ready').choices(['provisioned', 'compliant', 'ready']))
    .option('--fail-fast', 'with --wait-for: fail at the first real failure instead of waiting for Flux to recover (a rollout in progress is never one)')
    .option('--timeout <duration>', 'how long --watch/--wait-for run (default 10m); a --wait-for not reached by then exits 6 if objects are failing, else 5');
  addGlobalOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput | void> {
  const [
    { parseDurationMs },
    { parseObjectName, parseDnsLabel },
    { UsageError, FailedError, TimeoutError, InterruptedError },
    { systemClock },
    { renderStatus, changeLines, renderJsonChange, renderSummary },
    { watchStatus },
    { parseOutputFormat },
    { LiveView },
    { redrawableSize },
  ] = await Promise.all([
    import('../model/duration.js'),
    import('../model/values.js'),
    import('../core/errors.js'),
    import('../core/clock.js'),
    import('../status/view.js'),
    import('../status/watch.js'),
    import('../core/output.js'),
    import('../status/live.js'),
    import('../core/terminal.js'),
  ]);
  const name = options.name !== undefined ? parseObjectName('-n/--name', options.name, 'configuration name') : undefined;
  const namespace = options.namespace !== undefined ? parseDnsLabel('--namespace', options.namespace, 'namespace') : undefined;
  const intervalMs = options.interval !== undefined ? parseDurationMs('--interval', options.interval) : 5000;
  if (intervalMs < 1000) throw new UsageError('--interval', `'${options.interval}' is too short; the minimum is 1s.`);
  const timeoutMs = options.timeout !== undefined ? parseDurationMs('--timeout', options.timeout) : 10 * 60_000;
  const format = options.output !== undefined ? parseOutputFormat(options.output) : 'table';
  const azureCluster = options.clusterId !== undefined || options.resourceGroup !== undefined || options.clusterName !== undefined || options.clusterType !== undefined;
  const fromCluster = options.kubeconfig !== undefined || options.context !== undefined || !azureCluster;
  if (!fromCluster && namespace !== undefined) throw new UsageError('--namespace', 'only applies to the cluster view (--kubeconfig/--context).');
  if (options.failFast && options.waitFor === undefined) throw new UsageError('--fail-fast', 'only applies to a gate: add --wait-for provisioned|compliant|ready.');
  const clock = systemClock;
  const color = ctx.color.stdout.level > 0;

  const live = options.watch === true;
  const waiting = live || options.waitFor !== undefined;
  const source = fromCluster ? await clusterSource(ctx, options, name, namespace) : await azureSource(ctx, options, name, waiting);

  // One look.
  if (!waiting) {
    const { status } = await source.read();
    source.close();
    return { data: status, defaultFormat: 'table', table: renderStatus(status!, { color }) };
  }

  // Watching or waiting: the loop reads until the gate is reached or fails (with --wait-for),
  // time runs out, or the user interrupts. A plain --watch has no gate: it stays live.
  const waitFor = options.waitFor as WaitFor | undefined;
  const gate = waitFor !== undefined ? { waitFor, ...(options.failFast ? { failFast: true } : {}) } : undefined;
  const { interruptible, stopSignalOf } = await import('../core/interrupt.js');
  let stoppedBy: import('../core/interrupt.js').StopSignal | undefined;
  // In place on a terminal that has a size; plain lines on anything else (a pipe, a file, a
  // terminal that reports 0 columns or rows).
  const screen = live && format === 'table' && options.query === undefined && ctx.stdout.isTTY ? redrawableSize(process.stdout) : undefined;
  const view = screen ? new LiveView({ write: (t) => ctx.stdout.write(t), size: () => redrawableSize(process.stdout) ?? {}, color, clock }) : undefined;
  const ticking = new AbortController();
  if (view) {
    ctx.stdout.write('\u001b[?25l'); // hide the cursor while redrawing
    void view.tick(ticking.signal);
  }
  let result;
  try {
    // Ctrl-C and SIGTERM end the loop like every other wait (src/core/interrupt.ts).
    result = await interruptible((signal) => watchStatus({
      fetch: (c) => source.read(c),
      clock,
      intervalMs: source.blocking ? 0 : intervalMs,
      timeoutMs,
      signal,
      ...(gate ? { gate } : {}),
      onChange: (status, previous) => {
        if (!live) return;
        if (view) view.show(status);
        else if (format === 'json') ctx.stdout.write(renderJsonChange(status));
        else for (const line of changeLines(status, previous)) ctx.stdout.write(`${line}\n`);
      },
    }).finally(() => (stoppedBy = stopSignalOf(signal))));
  } finally {
    ticking.abort();
    if (view) ctx.stdout.write('\u001b[?25h');
    source.close();
  }
  const final = result.status;
  if (!live && final) {
    // --wait-for without --watch: the final state is the data.
    const text = format === 'table' && options.query === undefined ? renderStatus(final, { color }) : undefined;
    if (text !== undefined) ctx.stdout.write(text);
    else {
      const { formatOutput } = await import('../core/output.js');
      ctx.stdout.write(formatOutput(final, { format, ...(options.query !== undefined ? { query: options.query } : {}), color }));
    }
  }
  const timeoutText = options.timeout ?? '10m';
  if (result.gate) ctx.stderr.write(renderSummary(result.gate, { color: ctx.color.stderr.level > 0, outcome: result.outcome, timeout: timeoutText }));
  switch (result.outcome) {
    case 'reached':
      return;
    case 'failed':
      throw new FailedError(`${waitFor}: not reached, and it will not be without a change (see above).`);
    case 'timeout':
      // A plain --watch waits for nothing: its time running out is its end.
      if (waitFor === undefined) {
        ctx.log.info(`Stopped watching after ${timeoutText} (--timeout).`);
        return;
      }
      // Time ran out while something was failing (not merely still in progress): that is a
      // failure for the pipeline, not a slow cluster.
      if (result.gate?.notReady.some((o) => o.state === 'Failed')) {
        throw new FailedError(`${waitFor}: not reached within ${timeoutText}, and objects are failing (see above).`);
      }
      if (!final) throw new TimeoutError(`${waitFor}: not reached within ${timeoutText}, and no status was read: ${fromCluster ? 'the cluster' : 'Azure'} did not answer in time.`);
      throw new TimeoutError(`${waitFor}: not reached within ${timeoutText}; the last state is above.`);
    case 'interrupted':
      throw new InterruptedError('interrupted; nothing was changed.', undefined, stoppedBy);
  }
}

interface StatusSource {
  read(context?: { signal?: AbortSignal; deadline: number }): Promise<{ status?: import('../status/model.js').ClusterStatus; headers?: Record<string, string> }>;
  /** True when read() waits for the next change (a Kubernetes watch) instead of polling. */
  blocking: boolean;
  close(): void;
}

/** An Arc cluster's connectivity is read again after this long (see azureSource). */
const ARC_CLUSTER_REFRESH_MS = 60_000;

/** `waiting`: a watch or a wait, for which a configuration `-n` names that does not exist yet is awaited (a one look says it is missing: exit 3). */
async function azureSource(ctx: Context, options: Options, name: string | undefined, waiting = false): Promise<StatusSource> {
  const [{ prepareRead, getFluxConfiguration, settleInOrder }, { getCluster }, { listAll }, { DeadlineError }, { extensionsPath, fluxConfigsPath, fluxConfigPath, FLUX_API_VERSION, EXTENSION_API_VERSION }, { azureStatus }, { remainingQuota }] = await Promise.all([
    import('./azure.js'),
    import('../azure/session.js'),
    import('../azure/list.js'),
    import('../azure/client.js'),
    import('../azure/resources.js'),
    import('../status/azure.js'),
    import('../status/watch.js'),
  ]);
  const s = await prepareRead(ctx, options);
  // The cluster resource of AKS (and AKS on Azure Local) holds nothing the view shows that
  // changes while watching: it is read once per run. An Arc cluster's connectivity does change
  // (it turns Offline when its agents stop reporting, and Azure learns of it from their
  // heartbeats, minutes apart), so it is read again, at most once a minute.
  const arc = s.cluster.clusterType === 'connectedClusters';
  let cluster: Promise<Record<string, unknown>> | undefined;
  let clusterReadAt = 0;
  return {
    blocking: false,
    close: () => undefined,
    async read(context) {
      const request = { ...(context?.signal ? { signal: context.signal } : {}), ...(context ? { deadline: context.deadline } : {}) };
      // Pacing follows the response that is closest to the rate limit.
      let headers: Record<string, string> | undefined;
      const seen = (res: { headers: Record<string, string> }): void => {
        if (headers === undefined || (remainingQuota(res.headers) ?? Infinity) < (remainingQuota(headers) ?? Infinity) || res.headers['retry-after'] !== undefined) headers = res.headers;
      };
      if (!cluster || (arc && Date.now() - clusterReadAt >= ARC_CLUSTER_REFRESH_MS)) {
        clusterReadAt = Date.now();
        const reading = getCluster(s, request) as Promise<Record<string, unknown>>;
        cluster = reading;
        reading.catch(() => {
          if (cluster === reading) cluster = undefined; // a failed read is tried again next time
        });
      }
      const missing: string[] = [];
      const configurations = async (): Promise<Record<string, unknown>[]> => {
        if (name !== undefined && waiting) {
          // Not there yet is an answer while waiting: the configuration may be created meanwhile.
          const res = await s.arm.request<Record<string, unknown>>('GET', fluxConfigPath(s.subscriptionId, s.cluster, name), { apiVersion: FLUX_API_VERSION, allowNotFound: true, ...request });
          seen(res);
          if (res.status === 404) missing.push(name);
          return res.status === 404 ? [] : [res.body];
        }
        if (name !== undefined) {
          const one = await getFluxConfiguration(s, name, undefined, request);
          seen(one);
          return [one.resource];
        }
        // The list is lighter than a GET (no conditions): read each configuration in full.
        // ArmClient keeps at most a few of these in flight at once, on kept-alive connections.
        const listed = await listAll<{ name?: string }>(s.arm, fluxConfigsPath(s.subscriptionId, s.cluster), FLUX_API_VERSION, { ...request, onPage: seen });
        return Promise.all(
          listed.map(async (c) => {
            const one = await getFluxConfiguration(s, c.name!, undefined, request);
            seen(one);
            return one.resource;
          }),
        );
      };
      try {
        const [clusterResource, extensions, configs] = await settleInOrder<[Record<string, unknown>, Record<string, unknown>[], Record<string, unknown>[]]>([
          cluster,
          listAll<Record<string, unknown>>(s.arm, extensionsPath(s.subscriptionId, s.cluster), EXTENSION_API_VERSION, { ...request, onPage: seen }),
          configurations(),
        ]);
        const status = azureStatus({ cluster: clusterResource, extensions, configurations: configs, missing }, { now: Date.now() });
        return { status, ...(headers ? { headers } : {}) };
      } catch (err) {
        // The deadline passed while Azure had not answered (hung, or asking to come back later):
        // no new status; the loop ends on its deadline with the last one it had.
        if (err instanceof DeadlineError && context) return {};
        throw err;
      }
    },
  };
}

async function clusterSource(ctx: Context, options: Options, name: string | undefined, namespace: string | undefined): Promise<StatusSource> {
  const [{ KubeAccess }, { clusterStatus }] = await Promise.all([import('../kube/access.js'), import('../status/cluster.js')]);
  const kube = await KubeAccess.connect(ctx, { ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}), ...(options.context !== undefined ? { context: options.context } : {}) });
  const selector = namespace !== undefined ? { namespace } : {};
  const view = (objects: import('../kube/access.js').KubeFluxObject[]): import('../status/model.js').ClusterStatus =>
    clusterStatus({ objects: objects as never, context: kube.contextName, ...(name !== undefined ? { configuration: { name, ...(namespace !== undefined ? { namespace } : {}) } } : {}) }, { now: Date.now() });
  // With a watch: snapshots arrive as the API reports changes. read() returns at once when a
  // snapshot came since the last read (none is lost between reads), else waits for the next
  // one, until the loop's deadline.
  let watching: AbortController | undefined;
  let latest: import('../kube/access.js').KubeFluxObject[] | undefined;
  let version = 0;
  let returned = 0;
  let wake: (() => void) | undefined;
  let failure: unknown;
  const changed = (): void => {
    version++;
    wake?.();
  };
  return {
    blocking: true,
    close: () => watching?.abort(),
    async read(context) {
      if (!context) return { status: view(await kube.list(selector)) }; // one look: a plain LIST
      if (!watching) {
        watching = new AbortController();
        context.signal?.addEventListener('abort', () => watching?.abort(), { once: true });
        void kube
          .watch(selector, (objects) => {
            latest = objects;
            changed();
          }, watching.signal)
          .catch((err: unknown) => {
            failure = err;
            changed();
          });
      }
      if (version === returned && failure === undefined) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.max(0, context.deadline - Date.now()));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
          context.signal?.addEventListener('abort', wake, { once: true });
        });
        wake = undefined;
      }
      // Coalesce a burst of events (a re-list emits one per object) into one view.
      if (version !== returned && failure === undefined && returned > 0) await new Promise((r) => setTimeout(r, 50));
      if (failure) throw failure;
      returned = version;
      return latest === undefined ? {} : { status: view(latest) };
    },
  };
}
