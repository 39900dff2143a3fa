/**
 * What the commands that talk to Azure share: their arguments (cloud, waiting, pre-flight
 * switches) and the steps around a write (pre-flight checks, following the long-running
 * operation, --no-wait). Loaded only by commands that run against Azure.
 */
import type { ClusterFlags } from '../model/cluster.js';
import type { AzureFlags } from '../azure/client.js';
import type { Context, GlobalOptions } from '../core/context.js';
import { systemClock, type Clock } from '../core/clock.js';
import { NotFoundError } from '../core/errors.js';
import { parseDurationMs } from '../model/duration.js';
import { parseObjectName } from '../model/values.js';
import { waitForOperation } from '../azure/lro.js';
import type { ArmResponse, RequestOptions } from '../azure/client.js';
import { fluxConfigPath, FLUX_API_VERSION, type ArmResource } from '../azure/resources.js';
import { checkConnectivity, connect, getCluster, type Session } from '../azure/session.js';

export interface AzureOptions extends ClusterFlags, AzureFlags, GlobalOptions {
  /** false with --no-wait */
  wait?: boolean;
  waitTimeout?: string;
  registerProvider?: boolean;
  allowOffline?: boolean;
  yes?: boolean;
}

export const clock: Clock = systemClock;

export function waitTimeoutMs(options: AzureOptions, defaultMs: number): number {
  return options.waitTimeout === undefined ? defaultMs : parseDurationMs('--wait-timeout', options.waitTimeout);
}

/**
 * Connects (no request yet). With --wait-timeout the whole command, not only its wait, ends
 * by then: every request gets that deadline, so a hung service cannot hold it longer.
 */
async function connectFor(ctx: Context, options: AzureOptions): Promise<Session> {
  const budgetMs = options.waitTimeout !== undefined ? waitTimeoutMs(options, 0) : undefined; // a bad value is refused before anything is sent
  const s = await connect(ctx, options, { ...(options.registerProvider ? { registerProvider: true } : {}), clock });
  if (budgetMs !== undefined) {
    s.arm.deadline = clock.now() + budgetMs;
    s.arm.deadlineSource = `--wait-timeout ${options.waitTimeout}`;
  }
  return s;
}

/** What bounds a read inside a wait: its abort signal and deadline. */
export type ReadOptions = Pick<RequestOptions, 'signal' | 'deadline'>;

/** The resource a write changes, read together with the checks. */
export interface ReadTarget {
  path(s: Session): string;
  apiVersion: string;
  /**
   * The command changes an existing resource (update): when it exists it proves the cluster
   * does, so the cluster itself is read only where its state matters (an Arc cluster's
   * connectivity) or when the resource is missing (to say which of the two is).
   */
  existing?: boolean;
}

export interface PreparedWrite<T> extends Session {
  /** The target's GET (200, or 404 when it does not exist); absent without a target. */
  target?: ArmResponse<ArmResource>;
  /** What `alongside` read. */
  alongside: T;
}

/**
 * Waits for all of `steps`; if any failed, throws the error of the first in the list, so that
 * the most basic problem is reported (a missing cluster before a missing configuration).
 */
export async function settleInOrder<T extends unknown[]>(steps: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(steps);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as T;
}

/**
 * Connects and runs the checks every write needs, with the reads that do not depend on each
 * other in parallel: the cluster (exists; an Arc cluster is connected), the target resource,
 * and `alongside` (e.g. the extension list before a create). The provider registration is
 * handled when Azure reports it missing (see connect). A target that turns out missing is
 * the caller's to report (notFound tells a missing cluster from a missing resource).
 */
export async function prepareWrite<T = undefined>(ctx: Context, options: AzureOptions, target?: ReadTarget, alongside?: (s: Session) => Promise<T>): Promise<PreparedWrite<T>> {
  const s = await connectFor(ctx, options);
  const arc = s.cluster.clusterType === 'connectedClusters';
  const readCluster = !target?.existing || arc;
  const [cluster, found, extra] = await settleInOrder<[ArmResource | undefined, ArmResponse<ArmResource> | undefined, T | undefined]>([
    readCluster ? getCluster(s) : Promise.resolve(undefined),
    target ? s.arm.request<ArmResource>('GET', target.path(s), { apiVersion: target.apiVersion, allowNotFound: true }) : Promise.resolve(undefined),
    alongside ? alongside(s) : Promise.resolve(undefined),
  ]);
  if (cluster) {
    const note = checkConnectivity(cluster, s, Boolean(options.allowOffline), clock.now());
    if (note) ctx.log.warn(`${note} Sending anyway (--allow-offline).`);
  }
  return { ...s, ...(found ? { target: found } : {}), alongside: extra as T };
}

/**
 * For the commands that change a Flux configuration (update, kustomization create/update/
 * delete): the write's checks and the configuration, in one round trip where the cluster's
 * state does not matter. With --dry-run=arm only the configuration is read (nothing is checked
 * that only a write needs). A missing configuration (or cluster) is a clean exit 3.
 */
export async function prepareConfigurationWrite(ctx: Context, options: AzureOptions & { dryRun?: string }, name: string, remedy?: (s: Session) => string): Promise<{ s: Session; path: string; resource: ArmResource }> {
  if (options.dryRun === 'arm') {
    const s = await prepareRead(ctx, options);
    const { path, resource } = await getFluxConfiguration(s, name, remedy?.(s));
    return { s, path, resource };
  }
  const target = { path: (s: Session) => fluxConfigPath(s.subscriptionId, s.cluster, name), apiVersion: FLUX_API_VERSION, existing: true };
  const prepared = await prepareWrite(ctx, options, target);
  const { target: found, alongside: _, ...s } = prepared;
  if (found!.status === 404) await notFound(s, `Flux configuration '${name}'`, remedy?.(s) ?? `List them with: k8s-gitops flux config list ${s.clusterArgs}`);
  return { s, path: target.path(s), resource: found!.body };
}

/** Connects for a read; a 404 later is explained by checking the cluster first. */
export async function prepareRead(ctx: Context, options: AzureOptions): Promise<Session> {
  return connectFor(ctx, options);
}

/** Turns a 404 of something under the cluster into the right not-found: the cluster, or the thing. */
export async function notFound(s: Session, what: string, remedy: string, request: ReadOptions = {}): Promise<never> {
  await getCluster(s, request); // throws when the cluster itself is missing
  throw new NotFoundError(`${what} does not exist on cluster '${s.cluster.clusterName}' (${s.cluster.clusterType}, resource group '${s.cluster.resourceGroup}').`, remedy);
}

/** GETs a Flux configuration; a missing one (or missing cluster) is a clean exit 3. */
export async function getFluxConfiguration(s: Session, name: string, remedy?: string, request: ReadOptions = {}): Promise<{ path: string; resource: ArmResource; headers: Record<string, string> }> {
  const path = fluxConfigPath(s.subscriptionId, s.cluster, name);
  const res = await s.arm.request<ArmResource>('GET', path, { apiVersion: FLUX_API_VERSION, allowNotFound: true, ...request });
  if (res.status === 404) await notFound(s, `Flux configuration '${name}'`, remedy ?? `List them with: k8s-gitops flux config list ${s.clusterArgs}`, request);
  return { path, resource: res.body, headers: res.headers };
}

/** The configuration `-n` names, for commands that only read it. */
export async function readNamedConfiguration(ctx: Context, options: AzureOptions & { name?: string }): Promise<{ s: Session; name: string; resource: ArmResource }> {
  const name = parseObjectName('-n/--name', options.name ?? '', 'configuration name');
  const s = await prepareRead(ctx, options);
  return { s, name, ...(await getFluxConfiguration(s, name)) };
}

/**
 * Follows an accepted write to its end, or with --no-wait says how to follow it. Returns
 * true when the operation has finished.
 */
export async function follow(ctx: Context, s: Session, accepted: ArmResponse, options: AzureOptions, phase: string, followUp: string, defaultTimeoutMs: number): Promise<boolean> {
  if (options.wait === false) {
    if (accepted.headers['azure-asyncoperation'] || accepted.headers['operation-location']) {
      ctx.log.info(`Accepted; Azure goes on with it. Follow it with: ${followUp}`);
    }
    return false;
  }
  await waitForOperation(ctx, s.arm, accepted, { phase, followUp: `Follow it with: ${followUp}`, timeoutMs: waitTimeoutMs(options, defaultTimeoutMs), clock });
  return true;
}
