/**
 * What the `flux config` commands that work through the cluster share (reconcile, tree, events,
 * and diff --cluster): the kubeconfig and context (as `status --context` takes them), the
 * cluster arguments that pick the context named like the cluster, and a plain statement of the
 * options when there is no cluster access.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Context } from '../../../core/context.js';
import type { ClusterFlags } from '../../../model/cluster.js';
import { defaultKubeconfigs } from '../../../kube/access.js';
import { addClusterOptions } from '../../common.js';

export interface KubeFlags {
  kubeconfig?: string;
  context?: string;
}

export type ClusterAccessOptions = KubeFlags & ClusterFlags & { namespace?: string };

/**
 * The cluster arguments every command takes (here they only name the kubeconfig context, the one
 * named like the cluster, so that az-style command lines work as they are), `--kubeconfig`,
 * `--context` and `--namespace`.
 */
export function addClusterAccessOptions(cmd: Command): Command {
  addClusterOptions(cmd);
  return cmd
    .optionsGroup('Kubernetes Arguments:')
    .option('--kubeconfig <path>', 'kubeconfig to use (default: KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use (default: the one named like the cluster of -c, else the current one)')
    .option('--namespace <namespace>', "the configuration's namespace, when its name is not unique in the cluster");
}

/** `--kubeconfig` / `--context` for commands that talk to Azure and may look at the cluster too. */
export function addKubeOptions(cmd: Command): Command {
  return cmd
    .option('--kubeconfig <path>', 'kubeconfig for the cluster (default: KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context of the cluster (default: the one named like the cluster, -c)');
}

/** Whether any kubeconfig can be read: --kubeconfig, KUBECONFIG, or ~/.kube/config. */
function hasKubeconfig(ctx: Context, flags: KubeFlags): boolean {
  if (flags.kubeconfig !== undefined) return true;
  const { files, fromEnv } = defaultKubeconfigs(ctx.env);
  return fromEnv || files.some((file) => existsSync(file));
}

/** A connection failure: no route to the API server, refused, unknown host, TLS. */
function unreachable(err: unknown): boolean {
  const text = `${(err as { code?: unknown })?.code ?? ''} ${(err as Error)?.message ?? ''}`;
  return /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|ECONNRESET|EAI_AGAIN|certificate|self[- ]signed|socket hang up/i.test(text);
}

export interface ClusterSession {
  kube: import('../../../kube/access.js').KubeAccess;
  /** Runs the work against the cluster; failing to reach it becomes an explanation of the options. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * Connects to the cluster for `what` (e.g. "reconcile"), or explains what to do without access;
 * `remedy` says what works from Azure alone. Without any kubeconfig: exit 2, nothing was sent.
 */
export async function connectCluster(ctx: Context, flags: KubeFlags, clusterName: string | undefined, what: string, remedy: string): Promise<ClusterSession> {
  const [{ KubeAccess }, { UsageError, CliError }, { shellWord }] = await Promise.all([import('../../../kube/access.js'), import('../../../core/errors.js'), import('../../../core/echo.js')]);
  const cluster = clusterName !== undefined ? shellWord(clusterName) : 'CLUSTER';
  const access = `Get access with az aks get-credentials -g RG -n ${cluster} (AKS) or az connectedk8s proxy -g RG -n ${cluster} (Arc), or give --kubeconfig/--context.`;
  if (!hasKubeconfig(ctx, flags)) {
    throw new UsageError(undefined, `${what} works through the cluster's Kubernetes API, and there is no kubeconfig (no --kubeconfig, KUBECONFIG or ~/.kube/config).`, `${access} ${remedy}`);
  }
  const kube = await KubeAccess.connect(ctx, { ...flags, ...(clusterName !== undefined ? { clusterName } : {}) });
  // run() inside run() explains once.
  const explained = new WeakSet<object>();
  return {
    kube,
    async run(work) {
      try {
        return await work();
      } catch (err) {
        if (explained.has(err as object) || !unreachable(err)) throw err;
        const e = new CliError(`${what}: the cluster's Kubernetes API (${kube.server}, context ${kube.contextName}) cannot be reached: ${String((err as Error).message).split('\n')[0]}`, `${access} ${remedy}`);
        explained.add(e);
        throw e;
      }
    },
  };
}

/** A command's deadline over its cluster requests (see boundRequests). */
export interface BoundedRequests {
  /** Ends the requests in flight: aborted when the deadline passes or the command is stopped. */
  signal: AbortSignal;
  /** Aborted once the deadline has passed. */
  expired: AbortSignal;
  /**
   * session.run() for a request given `signal`: one cut short by the deadline is a TimeoutError
   * (`what` did not answer within `timeoutText`), by Ctrl-C or SIGTERM the interruption it is.
   */
  run<T>(what: string, work: () => Promise<T>): Promise<T>;
  dispose(): void;
}

/**
 * Holds every request of a command that works through the cluster to its deadline (`ms` from
 * now; none when undefined) and to `stop` (Ctrl-C, SIGTERM: see core/interrupt.ts), so that a
 * cluster that stops answering cannot keep the command past either.
 */
export async function boundRequests(session: ClusterSession, stop: AbortSignal, ms: number | undefined, timeoutText: string): Promise<BoundedRequests> {
  const [{ TimeoutError, InterruptedError }, { stopSignalOf }] = await Promise.all([import('../../../core/errors.js'), import('../../../core/interrupt.js')]);
  const expiry = new AbortController();
  const timer = ms !== undefined ? setTimeout(() => expiry.abort(), ms) : undefined;
  return {
    signal: AbortSignal.any([stop, expiry.signal]),
    expired: expiry.signal,
    async run(what, work) {
      try {
        return await session.run(work);
      } catch (err) {
        if (stop.aborted) throw new InterruptedError(`interrupted while ${what}.`, undefined, stopSignalOf(stop));
        if (expiry.signal.aborted) {
          throw new TimeoutError(`the cluster's Kubernetes API (context ${session.kube.contextName}) did not answer within ${timeoutText} while ${what}.`, 'Check that the cluster is reachable, or give a longer --timeout.');
        }
        throw err;
      }
    },
    dispose: () => clearTimeout(timer),
  };
}

/** `--kubeconfig` and `--context` as given. */
export function kubeFlags(options: KubeFlags): KubeFlags {
  return { ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}), ...(options.context !== undefined ? { context: options.context } : {}) };
}

/**
 * Connects for a command that works through the cluster only: the context from --context, else
 * the one named like the cluster of -g/-c/-t (checked as everywhere), else the current one.
 * `remedy` says, for that cluster, what works without cluster access.
 */
export async function openCluster(ctx: Context, options: ClusterAccessOptions, what: string, remedy: (cluster: string) => string): Promise<ClusterSession> {
  const [{ parseClusterFlags }, { shellWord }] = await Promise.all([import('../../../model/cluster.js'), import('../../../core/echo.js')]);
  const clusterName = parseClusterFlags(options, false)?.clusterName;
  return connectCluster(ctx, kubeFlags(options), clusterName, what, remedy(clusterName !== undefined ? shellWord(clusterName) : 'CLUSTER'));
}

/**
 * The Flux objects of the cluster (in `namespace`, or everywhere) and configuration `name` among
 * them: exit 3 when the cluster has none of its objects.
 */
export async function readConfiguration(
  session: ClusterSession,
  name: string,
  namespace: string | undefined,
  labelSelector?: string,
  signal?: AbortSignal,
): Promise<{ objects: import('../../../kube/access.js').KubeFluxObject[]; configuration: import('../../../kube/configuration.js').ConfigurationInCluster }> {
  const [{ findConfiguration }, { NotFoundError }] = await Promise.all([import('../../../kube/configuration.js'), import('../../../core/errors.js')]);
  const objects = await session.run(() => session.kube.list({ ...(namespace !== undefined ? { namespace } : {}), ...(labelSelector !== undefined ? { labelSelector } : {}) }, signal));
  const configuration = findConfiguration(objects, name, namespace);
  if (!configuration) {
    throw new NotFoundError(
      `the cluster (context ${session.kube.contextName}) has no Flux objects of a configuration '${name}'${namespace !== undefined ? ` in namespace '${namespace}'` : ''}.`,
      `List what it has with: k8s-gitops status --context ${session.kube.contextName}`,
    );
  }
  return { objects, configuration };
}
