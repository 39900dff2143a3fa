/**
 * `status`: is GitOps working on this cluster, right now? From Azure (-g -c -t), or straight
 * from the cluster (--kubeconfig/--context, or the default kubeconfig when no Azure cluster is
 * named). `--watch` keeps the view live; `--wait-for` makes it a CI gate (exit 0 reached,
 * 6 failed, 5 timed out).
 */
import { Option, type Command } from 'commander';
import type { Context } from '../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../core/run.js';
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

  # Live, until everything is ready (redrawn in place on a terminal)
  k8s-gitops status -g rg -c aks1 -t managedClusters -n cluster-config --watch

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
    .option('--watch', 'keep the view live until --wait-for is reached (default ready) or --timeout')
    .option('--interval <duration>', 'with Azure: time between reads (default 5s; longer when Azure asks)')
    .addOption(new Option('--wait-for <state>', 'wait until every configuration is provisioned, compliant or ready').choices(['provisioned', 'compliant', 'ready']))
    .option('--fail-fast', 'stop at the first failure instead of waiting for it to recover')
    .option('--timeout <duration>', 'how long --watch/--wait-for wait (default 10m); then exit 6 if objects are failing, else 5');
  addGlobalOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput | void> {
  const [{ parseDurationMs }, { parseObjectName, parseDnsLabel }, { UsageError, FailedError, TimeoutError, InterruptedError }, { systemClock }, { renderStatus, renderFrame, changeLines, renderJsonChange, renderSummary }, { watchStatus }, { parseOutputFormat }] =
    await Promise.all([
      import('../model/duration.js'),
      import('../model/values.js'),
      import('../core/errors.js'),
      import('../core/clock.js'),
      import('../status/view.js'),
      import('../status/watch.js'),
      import('../core/output.js'),
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
  const clock = systemClock;
  const color = ctx.color.stdout.level > 0;

  const source = fromCluster ? await clusterSource(ctx, options, name, namespace) : await azureSource(ctx, options, name);

  // One look.
  if (!options.watch && options.waitFor === undefined) {
    const { status } = await source.read();
    source.close();
    return { data: status, defaultFormat: 'table', table: renderStatus(status!, { color }) };
  }

  // Watching or waiting: the loop reads until the gate is reached, fails, or time runs out.
  const waitFor = (options.waitFor ?? 'ready') as 'provisioned' | 'compliant' | 'ready';
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  const live = options.watch === true;
  const tty = live && ctx.stdout.isTTY && format === 'table' && options.query === undefined;
  let previousLines = 0;
  if (tty) process.stdout.write('\u001b[?25l'); // hide the cursor while redrawing
  const restore = (): void => {
    if (tty) process.stdout.write('\u001b[?25h');
  };
  let result;
  try {
    result = await watchStatus({
      fetch: (c) => source.read(c),
      clock,
      intervalMs: source.blocking ? 0 : intervalMs,
      timeoutMs,
      signal: controller.signal,
      gate: { waitFor, ...(options.failFast ? { failFast: true } : {}) },
      onChange: (status, previous) => {
        if (!live) return;
        if (tty) {
          const frame = renderFrame(renderStatus(status, { color, now: clock.now() }), previousLines, { columns: process.stdout.columns, rows: process.stdout.rows });
          previousLines = frame.lines;
          ctx.stdout.write(frame.text);
        } else if (format === 'json') {
          ctx.stdout.write(renderJsonChange(status));
        } else {
          for (const line of changeLines(status, previous)) ctx.stdout.write(`${line}\n`);
        }
      },
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
    restore();
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
  if (result.gate) ctx.stderr.write(renderSummary(result.gate, { color: ctx.color.stderr.level > 0, outcome: result.outcome, timeout: options.timeout ?? '10m' }));
  switch (result.outcome) {
    case 'reached':
      return;
    case 'failed':
      throw new FailedError(`${waitFor}: not reached, and it will not be without a change (see above).`);
    case 'timeout':
      // Time ran out while something was failing (not merely still in progress): that is a
      // failure for the pipeline, not a slow cluster.
      if (result.gate?.notReady.some((o) => o.state === 'Failed')) {
        throw new FailedError(`${waitFor}: not reached within ${options.timeout ?? '10m'}, and objects are failing (see above).`);
      }
      throw new TimeoutError(`${waitFor}: not reached within ${options.timeout ?? '10m'}; the last state is above.`);
    case 'interrupted':
      throw new InterruptedError('interrupted; nothing was changed.');
  }
}

interface StatusSource {
  read(context?: { signal?: AbortSignal; deadline: number }): Promise<{ status?: import('../status/model.js').ClusterStatus; headers?: Record<string, string> }>;
  /** True when read() waits for the next change (a Kubernetes watch) instead of polling. */
  blocking: boolean;
  close(): void;
}

async function azureSource(ctx: Context, options: Options, name: string | undefined): Promise<StatusSource> {
  const [{ prepareRead, getFluxConfiguration }, { getCluster }, { listAll }, { extensionsPath, fluxConfigsPath, FLUX_API_VERSION, EXTENSION_API_VERSION }, { azureStatus }] = await Promise.all([
    import('./azure.js'),
    import('../azure/session.js'),
    import('../azure/list.js'),
    import('../azure/resources.js'),
    import('../status/azure.js'),
  ]);
  const s = await prepareRead(ctx, options);
  return {
    blocking: false,
    close: () => undefined,
    async read() {
      const [cluster, extensions] = await Promise.all([getCluster(s), listAll<Record<string, unknown>>(s.arm, extensionsPath(s.subscriptionId, s.cluster), EXTENSION_API_VERSION)]);
      let configurations;
      if (name !== undefined) {
        configurations = [(await getFluxConfiguration(s, name)).resource];
      } else {
        // The list is lighter than a GET (no conditions): read each configuration in full.
        const listed = await listAll<{ name?: string }>(s.arm, fluxConfigsPath(s.subscriptionId, s.cluster), FLUX_API_VERSION);
        configurations = await Promise.all(listed.map(async (c) => (await getFluxConfiguration(s, c.name!)).resource));
      }
      const headers = s.arm.lastHeaders;
      const status = azureStatus({ cluster: cluster as Record<string, unknown>, extensions: extensions as Record<string, unknown>[], configurations: configurations as Record<string, unknown>[] }, { now: Date.now() });
      return { status, headers };
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
