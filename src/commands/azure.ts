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
import type { ArmResponse } from '../azure/client.js';
import { fluxConfigPath, FLUX_API_VERSION, type ArmResource } from '../azure/resources.js';
import { checkConnectivity, connect, ensureProviderRegistered, getCluster, type Session } from '../azure/session.js';

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

/** Connects and runs the checks every write needs. Returns the session. */
export async function prepareWrite(ctx: Context, options: AzureOptions): Promise<Session> {
  if (options.waitTimeout !== undefined) waitTimeoutMs(options, 0); // refuse a bad value before anything is sent
  const s = await connect(ctx, options);
  const cluster = await getCluster(s);
  await ensureProviderRegistered(ctx, s, { ...(options.registerProvider ? { register: true } : {}), clock, timeoutMs: 5 * 60_000 });
  const note = checkConnectivity(cluster, s, Boolean(options.allowOffline), clock.now());
  if (note) ctx.log.warn(`${note} Sending anyway (--allow-offline).`);
  return s;
}

/** Connects for a read; a 404 later is explained by checking the cluster first. */
export async function prepareRead(ctx: Context, options: AzureOptions): Promise<Session> {
  return connect(ctx, options);
}

/** Turns a 404 of something under the cluster into the right not-found: the cluster, or the thing. */
export async function notFound(s: Session, what: string, remedy: string): Promise<never> {
  await getCluster(s); // throws when the cluster itself is missing
  throw new NotFoundError(`${what} does not exist on cluster '${s.cluster.clusterName}' (${s.cluster.clusterType}, resource group '${s.cluster.resourceGroup}').`, remedy);
}

/** GETs a Flux configuration; a missing one (or missing cluster) is a clean exit 3. */
export async function getFluxConfiguration(s: Session, name: string, remedy?: string): Promise<{ path: string; resource: ArmResource }> {
  const path = fluxConfigPath(s.subscriptionId, s.cluster, name);
  const res = await s.arm.request<ArmResource>('GET', path, { apiVersion: FLUX_API_VERSION, allowNotFound: true });
  if (res.status === 404) await notFound(s, `Flux configuration '${name}'`, remedy ?? `List them with: k8s-gitops flux config list ${s.clusterArgs}`);
  return { path, resource: res.body };
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
