/** What a dry run prints about an ARM request: the resource path and the body with secrets masked. */
import { resolveSubscription } from '../azure/subscription.js';
import type { Context } from '../core/context.js';
import { redactor } from '../core/redact.js';
import { extensionPath, fluxConfigPath, SUBSCRIPTION_PLACEHOLDER } from '../azure/resources.js';
import type { ClusterRef } from '../model/cluster.js';

/** The ARM path of a resource under the cluster (built where every path is); the subscription is resolved offline. */
export function resourcePath(ctx: Context, cluster: ClusterRef & { subscriptionId?: string }, collection: 'fluxConfigurations' | 'extensions', name: string): string {
  let subscriptionId = cluster.subscriptionId;
  if (!subscriptionId) {
    const resolved = resolveSubscription(ctx.options.subscription, ctx.env);
    if (resolved) {
      ctx.log.verbose(`subscription ${resolved.id} (from ${resolved.source})`);
      subscriptionId = resolved.id;
    } else {
      ctx.log.warn('no subscription found (--subscription, AZURE_SUBSCRIPTION_ID or the Azure CLI profile); the path shows {subscriptionId}.');
      subscriptionId = SUBSCRIPTION_PLACEHOLDER;
    }
  }
  return collection === 'fluxConfigurations' ? fluxConfigPath(subscriptionId, cluster, name) : extensionPath(subscriptionId, cluster, name);
}

/**
 * The request with its secret properties masked by structure (x-ms-secret in the swagger, and
 * protected settings), so a printed request never carries a secret even before it is printed.
 */
export function maskSecrets<T>(value: T): T {
  return redactor.redactData(value);
}
