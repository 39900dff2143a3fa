/**
 * `flux config reconcile`: make Flux sync a configuration now, through the cluster, the way
 * `flux reconcile … --with-source` does: the source first (so the newest commit is fetched),
 * then each Kustomization in dependency order, each by setting `reconcile.fluxcd.io/requestedAt`
 * and waiting until the controller has handled that request and the object is Ready. The first
 * failure stops it (exit 6, with the controller's whole message); `--timeout` bounds the whole
 * (exit 5). Azure has no such request: without cluster access the command says what works.
 */
import { Option, type Command } from 'commander';
import type { Context, GlobalOptions } from '../../../core/context.js';
import type { Column } from '../../../core/output.js';
import { action, addGlobalOptions, type CommandOutput } from '../../../core/run.js';
import { addClusterAccessOptions, type ClusterAccessOptions } from './cluster.js';

type Options = ClusterAccessOptions & GlobalOptions & { name?: string; withSource?: string | boolean; timeout?: string };

const DEFAULT_TIMEOUT = '5m';
/** The controller usually answers within a second: look soon, then less often (as flux reconcile, every 2s). */
const FIRST_POLL_MS = 250;
const POLL_MS = 2000;

const COLUMNS: Column[] = [
  { header: 'Kind', value: (r) => r.kind },
  { header: 'Namespace', value: (r) => r.namespace },
  { header: 'Name', value: (r) => r.name },
  { header: 'Ready', value: (r) => r.ready },
  { header: 'Reason', value: (r) => r.reason },
  { header: 'Revision', value: (r) => r.revision },
];

export function registerFluxConfigReconcile(parent: Command): Command {
  const cmd = parent
    .command('reconcile')
    .summary('make Flux sync a configuration now (through the cluster)')
    .description(
      "Make Flux sync a Flux configuration now: its source first (the newest commit is fetched), then each kustomization in dependency order, each asked with Flux's reconcile.fluxcd.io/requestedAt annotation and waited for until its controller has handled the request and it is ready. Stops at the first failure (exit 6). Needs the cluster's Kubernetes API (a kubeconfig); without it, Azure's agent applies what Azure holds within its own polling interval. -g/-c/-t only choose the kubeconfig context named like the cluster.",
    );
  addClusterAccessOptions(cmd);
  cmd
    .optionsGroup('Configuration Arguments:')
    .requiredOption('-n, --name <name>', 'name of the configuration')
    .addOption(new Option('--with-source [bool]', 'reconcile the source first, so the newest commit is fetched (default true)').preset(true))
    .option('--timeout <duration>', `how long to wait for the whole (default ${DEFAULT_TIMEOUT}; exit 5)`);
  addGlobalOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  # Sync the tutorial configuration now, on the cluster of the kubeconfig context aks1
  k8s-gitops flux config reconcile -g rg -c aks1 -t managedClusters -n cluster-config

  # The kustomizations only (the source keeps its last artifact), waiting at most 2 minutes
  k8s-gitops flux config reconcile --context aks1 -n cluster-config --with-source=false --timeout 2m`,
  );
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput> {
  const [{ parseObjectName, parseDnsLabel, parseBoolean }, { parseDurationMs }, { openCluster, readConfiguration, boundRequests }, errors, { systemClock }, { startProgress }, objects, { waitForReconcile, handledToken }, { revisionOf }, { formatOutput }, { interruptible, stopSignalOf }] =
    await Promise.all([
      import('../../../model/values.js'),
      import('../../../model/duration.js'),
      import('./cluster.js'),
      import('../../../core/errors.js'),
      import('../../../core/clock.js'),
      import('../../../core/progress.js'),
      import('../../../kube/objects.js'),
      import('../../../kube/reconcile.js'),
      import('../../../status/cluster.js'),
      import('../../../core/output.js'),
      import('../../../core/interrupt.js'),
    ]);
  const { UsageError, FailedError, TimeoutError, NotFoundError, InterruptedError, CliError } = errors;
  const name = parseObjectName('-n/--name', options.name ?? '', 'configuration name');
  const namespace = options.namespace !== undefined ? parseDnsLabel('--namespace', options.namespace, 'namespace') : undefined;
  const withSource = options.withSource === undefined ? true : parseBoolean('--with-source', options.withSource);
  const timeoutText = options.timeout ?? DEFAULT_TIMEOUT;
  const timeoutMs = parseDurationMs('--timeout', timeoutText);
  const clock = systemClock;
  const deadline = clock.now() + timeoutMs;
  let follow = '';
  const session = await openCluster(ctx, options, 'reconcile', (cluster) => {
    follow = `-g RG -c ${cluster} -t TYPE -n ${name}`;
    return `Without cluster access, Azure's agent applies what Azure holds within its own polling interval: change the configuration with k8s-gitops flux config update, then wait for it with k8s-gitops status ${follow} --wait-for compliant.`;
  });
  const { kube } = session;

  // --timeout bounds the whole, every request included; Ctrl-C and SIGTERM stop it as every wait.
  return interruptible(async (stop) => {
    const requests = await boundRequests(session, stop, Math.max(0, deadline - clock.now()), timeoutText);
    try {
      const { configuration } = await requests.run(`reading the Flux objects of '${name}'`, () => readConfiguration(session, name, namespace, undefined, requests.signal));
      const targets = [...(withSource && configuration.source ? [configuration.source] : []), ...configuration.kustomizations];
      if (withSource && !configuration.source) ctx.log.warn(`the source of '${name}' was not found in the cluster; only its kustomizations are reconciled.`);
      const suspended = targets.filter((o) => o.spec?.suspend === true);
      if (suspended.length > 0) {
        throw new UsageError(undefined, `'${name}' is suspended (${suspended.map((o) => `${o.kind} ${o.metadata.name}`).join(', ')}): Flux would only note the request; nothing was sent.`, `Resume it first: k8s-gitops flux config resume ${follow}`);
      }
      return await reconcileInOrder(targets);
    } finally {
      requests.dispose();
    }

    async function reconcileInOrder(targets: import('../../../kube/access.js').KubeFluxObject[]): Promise<CommandOutput> {
      const rows: Record<string, unknown>[] = [];
      const format = options.output;
      /** Prints what was reconciled so far (stdout), before a failure ends the command. */
      const printSoFar = (): void => {
        if (rows.length === 0) return;
        ctx.stdout.write(formatOutput(rows, { format: (format ?? 'table') as never, ...(options.query !== undefined ? { query: options.query } : {}), columns: COLUMNS, color: ctx.color.stdout.level > 0 }));
      };
      for (const target of targets) {
        const id = `${target.kind} ${target.metadata.namespace}/${target.metadata.name}`;
        const before = handledToken(target);
        const token = new Date(clock.now()).toISOString();
        const progress = await startProgress(ctx, `Reconciling ${id}`);
        let result;
        try {
          await requests.run(`asking ${id} to reconcile`, () => objects.requestReconcile(kube, target, token, requests.signal));
          progress.state('requested');
          result = await requests.run(`waiting for ${id}`, () =>
            waitForReconcile({
              read: () => objects.getFluxObject(kube, target.kind, target.metadata.namespace ?? '', target.metadata.name, requests.signal),
              clock,
              deadline,
              intervalMs: FIRST_POLL_MS,
              maxIntervalMs: POLL_MS,
              before,
              signal: stop,
              expired: requests.expired,
              onState: (r, handled) => progress.state(handled ? `${r.state}${r.reason ? ` (${r.reason})` : ''}` : 'waiting for the controller'),
            }),
          );
        } catch (err) {
          progress.stop();
          printSoFar();
          if (err instanceof InterruptedError) throw new InterruptedError(`interrupted while waiting for ${id}.`, 'The reconcile request stays: Flux handles it anyway.', stopSignalOf(stop));
          throw err;
        }
        if (result.outcome === 'gone') {
          progress.fail(`${id}: gone`);
          throw new NotFoundError(`${id} was deleted while it was being reconciled.`);
        }
        const obj = result.object;
        const r = result.readiness;
        if (obj && r) {
          const revision = revisionOf(obj as never);
          rows.push({
            kind: target.kind,
            namespace: target.metadata.namespace ?? '',
            name: target.metadata.name,
            ready: r.ready,
            state: r.state,
            ...(r.reason ? { reason: r.reason } : {}),
            ...(revision ? { revision } : {}),
            ...(r.message ? { message: r.message } : {}),
            requestedAt: token,
            ...(handledToken(obj) ? { handledAt: handledToken(obj) } : {}),
          });
        }
        switch (result.outcome) {
          case 'ready':
            progress.succeed(`${id} reconciled${r?.message ? `: ${r.message}` : ''}`);
            break;
          case 'failed':
            progress.fail(`${id} failed`);
            printSoFar();
            throw new FailedError(`${id} failed: ${r?.reason ? `${r.reason}: ` : ''}${r?.message ?? 'no reason given'}`, `See its events: k8s-gitops flux config events --context ${kube.contextName} -n ${name} --for ${target.kind}/${target.metadata.name}`);
          case 'suspended':
            progress.fail(`${id} was suspended meanwhile`);
            printSoFar();
            throw new CliError(`${id} was suspended while it was being reconciled.`);
          case 'timeout': {
            progress.fail(`${id}: not reconciled within ${timeoutText}`);
            printSoFar();
            const last = result.handled && r ? `last state: ${r.state}${r.reason ? ` (${r.reason})` : ''}${r.message ? `: ${r.message}` : ''}` : 'its controller has not handled the request yet';
            throw new TimeoutError(`${id} was not reconciled within ${timeoutText}; ${last}.`, 'The request stays: Flux handles it when it can. Give a longer --timeout, or follow it with k8s-gitops status --context ' + kube.contextName + ` -n ${name} --watch`);
          }
        }
      }
      return { data: rows, defaultFormat: 'table', columns: COLUMNS };
    }
  });
}
