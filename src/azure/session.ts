/**
 * What every Azure command does before writing anything: resolve the subscription and the
 * credential (lazily, once), check that the cluster exists, that the resource provider is
 * registered, and that an Arc cluster is connected.
 */
import type { Clock } from '../core/clock.js';
import type { Context } from '../core/context.js';
import { CliError, NotFoundError, TimeoutError } from '../core/errors.js';
import { parseClusterFlags, type ClusterFlags, type ClusterRef } from '../model/cluster.js';
import { PROVIDER_NAMESPACE } from '../model/arm.js';
import { ArmClient, type AzureFlags } from './client.js';
import { CLUSTER_API_VERSION, clusterResourcePath, providerPath, PROVIDER_API_VERSION, type ArmResource } from './resources.js';

export interface Session {
  arm: ArmClient;
  cluster: ClusterRef;
  subscriptionId: string;
  /** `-g … -c … -t …` as the user would type it again, for follow-up commands. */
  clusterArgs: string;
}

export async function connect(ctx: Context, flags: ClusterFlags & AzureFlags): Promise<Session> {
  const cluster = parseClusterFlags(flags, true)!;
  const arm = await ArmClient.create(ctx, { ...flags, ...(cluster.subscriptionId && !flags.subscription ? { subscription: cluster.subscriptionId } : {}) });
  const clusterArgs = `-g ${cluster.resourceGroup} -c ${cluster.clusterName} -t ${cluster.clusterType}`;
  return { arm, cluster, subscriptionId: arm.subscriptionId, clusterArgs };
}

/** GETs the cluster resource; a missing cluster is exit 3 with what to check. */
export async function getCluster(s: Session): Promise<ArmResource> {
  const res = await s.arm.request<ArmResource>('GET', clusterResourcePath(s.subscriptionId, s.cluster), {
    apiVersion: CLUSTER_API_VERSION[s.cluster.clusterType],
    allowNotFound: true,
  });
  if (res.status === 404) {
    throw new NotFoundError(
      `cluster '${s.cluster.clusterName}' (${s.cluster.clusterRp}/${s.cluster.clusterType}) does not exist in resource group '${s.cluster.resourceGroup}' of subscription ${s.subscriptionId}.`,
      'Check -g, -c and -t (an Arc cluster is connectedClusters, AKS is managedClusters) and --subscription.',
    );
  }
  return res.body;
}

export interface ProviderOptions {
  register?: boolean;
  clock: Clock;
  timeoutMs: number;
}

/** The Microsoft.KubernetesConfiguration provider must be registered in the subscription. */
export async function ensureProviderRegistered(ctx: Context, s: Session, options: ProviderOptions): Promise<void> {
  const path = providerPath(s.subscriptionId);
  const state = async (): Promise<string> => (await s.arm.request<{ registrationState?: string }>('GET', path, { apiVersion: PROVIDER_API_VERSION })).body?.registrationState ?? 'Unknown';
  let current = await state();
  if (current === 'Registered') return;
  if (!options.register) {
    throw new CliError(
      `the resource provider ${PROVIDER_NAMESPACE} is ${current} in subscription ${s.subscriptionId}; Flux configurations and extensions need it registered.`,
      `Run: az provider register --namespace ${PROVIDER_NAMESPACE} --wait (or add --register-provider to this command).`,
    );
  }
  ctx.log.info(`Registering the resource provider ${PROVIDER_NAMESPACE}…`);
  await s.arm.request('POST', `${path}/register`, { apiVersion: PROVIDER_API_VERSION });
  const deadline = options.clock.now() + options.timeoutMs;
  while (current !== 'Registered') {
    if (options.clock.now() > deadline) throw new TimeoutError(`the provider ${PROVIDER_NAMESPACE} is still ${current}.`, 'Registration goes on in Azure; try again in a few minutes.');
    await options.clock.sleep(2000);
    current = await state();
  }
  ctx.log.info(`Registered ${PROVIDER_NAMESPACE}.`);
}

const DAY = 24 * 3600 * 1000;

/**
 * An Arc cluster must be connected for its agents to pick a change up. Azure keeps a pending
 * change (and its protected settings) for 48 hours; after that the change times out.
 */
export function checkConnectivity(cluster: ArmResource, s: Session, allowOffline: boolean, now: number): string | undefined {
  if (s.cluster.clusterType !== 'connectedClusters') return undefined;
  const props = cluster.properties ?? {};
  const status = String(props.connectivityStatus ?? 'Unknown');
  if (status === 'Connected') return undefined;
  const last = typeof props.lastConnectivityTime === 'string' ? Date.parse(props.lastConnectivityTime) : NaN;
  const since = Number.isNaN(last) ? 'an unknown time' : `${Math.max(0, Math.round((now - last) / (3600 * 1000)))} hours`;
  const expired = status === 'Expired' || (!Number.isNaN(last) && now - last > 2 * DAY);
  const message = `Arc cluster '${s.cluster.clusterName}' is ${status} (last heard from ${since} ago).${
    expired ? ' Its agents have been away longer than the 48 hours Azure keeps a pending change, so the change would time out.' : ' Its agents pick a change up only when it reconnects, and Azure keeps a pending change (and its protected settings) for 48 hours.'
  }`;
  if (!allowOffline) throw new CliError(message, 'Reconnect the cluster (az connectedk8s troubleshoot), or add --allow-offline to send the change anyway.');
  return message;
}
