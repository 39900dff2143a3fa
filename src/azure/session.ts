/**
 * What every Azure command does before it reads or writes: resolve the subscription and the
 * credential (lazily, once), know the cluster, and handle an unregistered resource provider
 * when Azure says so (409 MissingSubscriptionRegistration: register it with
 * --register-provider, or explain), and check that an Arc cluster is connected.
 */
import type { Clock } from '../core/clock.js';
import type { Context } from '../core/context.js';
import { shellWord } from '../core/echo.js';
import { CliError, InterruptedError, NotFoundError, TimeoutError } from '../core/errors.js';
import { interruptible, stopSignalOf } from '../core/interrupt.js';
import { CLUSTER_RP, CLUSTER_TYPES, parseClusterFlags, type ClusterFlags, type ClusterRef } from '../model/cluster.js';
import { PROVIDER_NAMESPACE } from '../model/arm.js';
import { ArmClient, DeadlineError, type AzureFlags, type RequestOptions } from './client.js';
import { CLUSTER_API_VERSION, clusterResourcePath, providerPath, PROVIDER_API_VERSION, type ArmResource } from './resources.js';

export interface Session {
  arm: ArmClient;
  cluster: ClusterRef;
  subscriptionId: string;
  /** `-g … -c … -t …` as the user would type it again, for follow-up commands. */
  clusterArgs: string;
}

export interface ConnectOptions {
  /** --register-provider: register Microsoft.KubernetesConfiguration if Azure says it is not. */
  registerProvider?: boolean;
  clock: Clock;
  /** Longest wait for a registration (within the client's deadline). */
  registrationTimeoutMs?: number;
}

export async function connect(ctx: Context, flags: ClusterFlags & AzureFlags, options?: ConnectOptions): Promise<Session> {
  const cluster = parseClusterFlags(flags, true)!;
  const arm = await ArmClient.create(ctx, { ...flags, ...(cluster.subscriptionId && !flags.subscription ? { subscription: cluster.subscriptionId } : {}) });
  const clusterArgs = ['-g', cluster.resourceGroup, '-c', cluster.clusterName, '-t', cluster.clusterType].map(shellWord).join(' ');
  const s = { arm, cluster, subscriptionId: arm.subscriptionId, clusterArgs };
  if (options) {
    arm.onMissingRegistration = () =>
      ensureProviderRegistered(ctx, s, { ...(options.registerProvider ? { register: true } : {}), clock: options.clock, timeoutMs: options.registrationTimeoutMs ?? 5 * 60_000 });
  }
  return s;
}

const TYPE_NAMES: Record<ClusterRef['clusterType'], string> = {
  managedClusters: 'an AKS cluster (managedClusters)',
  connectedClusters: 'an Arc-enabled cluster (connectedClusters)',
  provisionedClusters: 'an AKS on Azure Local cluster (provisionedClusters)',
  fleets: 'an Azure Kubernetes Fleet Manager hub (fleets)',
};

/**
 * GETs the cluster resource. A missing resource group is reported as such (ARM says
 * ResourceGroupNotFound); a missing cluster is exit 3, and when a cluster of that name exists
 * under another type, the error says which (-t was wrong).
 */
export async function getCluster(s: Session, request: Pick<RequestOptions, 'signal' | 'deadline'> = {}): Promise<ArmResource> {
  const res = await s.arm.request<ArmResource>('GET', clusterResourcePath(s.subscriptionId, s.cluster), {
    apiVersion: CLUSTER_API_VERSION[s.cluster.clusterType],
    allowNotFound: true,
    ...request,
  });
  if (res.status !== 404) return res.body;
  const { clusterName, clusterType, clusterRp, resourceGroup } = s.cluster;
  const others = CLUSTER_TYPES.filter((t) => t !== clusterType);
  const found = await Promise.all(
    others.map(async (t) => {
      const other = { ...s.cluster, clusterType: t, clusterRp: CLUSTER_RP[t] };
      const r = await s.arm.request('GET', clusterResourcePath(s.subscriptionId, other), { apiVersion: CLUSTER_API_VERSION[t], allowNotFound: true, ...request }).catch(() => undefined);
      return r?.status === 200 ? t : undefined;
    }),
  );
  const actual = found.find((t) => t !== undefined);
  if (actual) {
    throw new NotFoundError(
      `cluster '${clusterName}' in resource group '${resourceGroup}' is ${TYPE_NAMES[actual]}, not ${clusterType}.`,
      `Use -t ${actual} (or --cluster-id with its id).`,
    );
  }
  throw new NotFoundError(
    `cluster '${clusterName}' (${clusterRp}/${clusterType}) does not exist in resource group '${resourceGroup}' of subscription ${s.subscriptionId}.`,
    'Check -g, -c and -t (an Arc cluster is connectedClusters, AKS is managedClusters) and --subscription.',
  );
}

export interface ProviderOptions {
  register?: boolean;
  clock: Clock;
  timeoutMs: number;
}

/**
 * Azure said Microsoft.KubernetesConfiguration is not registered in the subscription: with
 * `register`, register it and wait until it is (bounded, interruptible); otherwise explain.
 */
export async function ensureProviderRegistered(ctx: Context, s: Session, options: ProviderOptions): Promise<void> {
  const path = providerPath(s.subscriptionId);
  const deadline = Math.min(options.clock.now() + options.timeoutMs, s.arm.deadline ?? Infinity);
  let current = 'Unknown';
  const timedOut = (why?: string): TimeoutError =>
    new TimeoutError(
      `timed out waiting for the registration of ${PROVIDER_NAMESPACE}; last state: ${current}${why ? ` (${why})` : ''}.`,
      `Registration goes on in Azure; see it with: az provider show --namespace ${PROVIDER_NAMESPACE} --query registrationState`,
    );
  const state = async (signal?: AbortSignal): Promise<string> => {
    try {
      const res = await s.arm.request<{ registrationState?: string }>('GET', path, { apiVersion: PROVIDER_API_VERSION, deadline, ...(signal ? { signal } : {}) });
      return (current = res.body?.registrationState ?? 'Unknown');
    } catch (err) {
      if (err instanceof DeadlineError) throw timedOut(`no answer: ${err.why}`);
      throw err;
    }
  };
  current = await state();
  if (current === 'Registered') return; // registered meanwhile: the request is sent again
  if (!options.register) {
    throw new CliError(
      `the resource provider ${PROVIDER_NAMESPACE} is ${current} in subscription ${s.subscriptionId}; Flux configurations and extensions need it registered.`,
      `Run: az provider register --namespace ${PROVIDER_NAMESPACE} --wait (or add --register-provider to this command).`,
    );
  }
  ctx.log.info(`Registering the resource provider ${PROVIDER_NAMESPACE}…`);
  let waiting: AbortSignal | undefined;
  try {
    await interruptible(async (signal) => {
      waiting = signal;
      await s.arm.request('POST', `${path}/register`, { apiVersion: PROVIDER_API_VERSION, deadline, signal }).catch((err: unknown) => {
        throw err instanceof DeadlineError ? timedOut(`no answer to the registration: ${err.why}`) : err;
      });
      while (current !== 'Registered') {
        const left = deadline - options.clock.now();
        if (left <= 0) throw timedOut();
        await options.clock.sleep(Math.min(2000, left), signal);
        if (options.clock.now() >= deadline) throw timedOut();
        await state(signal);
      }
    });
  } catch (err) {
    if (err instanceof InterruptedError || (err as Error).name === 'AbortError') {
      throw new InterruptedError(`interrupted while waiting for the registration of ${PROVIDER_NAMESPACE} (last state: ${current}).`, 'Registration goes on in Azure.', stopSignalOf(waiting));
    }
    throw err;
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
