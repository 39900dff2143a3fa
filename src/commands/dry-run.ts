/** What a dry run prints about an ARM request: the resource path and the body with secrets masked. */
import { resolveSubscription } from '../azure/subscription.js';
import type { Context } from '../core/context.js';
import { REDACTED } from '../core/redact.js';
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
 * Replaces the values of secret properties (x-ms-secret in the swagger, and protected settings)
 * with the redaction marker, so a printed request never carries a secret even before the
 * redactor sees it.
 */
export function maskSecrets(value: unknown, path: string[] = []): unknown {
  const SECRET_KEYS = new Set(['accountKey', 'sasToken', 'clientSecret', 'clientCertificate', 'clientCertificatePassword', 'privateKey']);
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, path));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (path[path.length - 1] === 'configurationProtectedSettings' || (SECRET_KEYS.has(k) && typeof v === 'string')) out[k] = REDACTED;
      else out[k] = maskSecrets(v, [...path, k]);
    }
    return out;
  }
  return value;
}
