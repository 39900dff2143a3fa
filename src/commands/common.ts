/** Arguments shared by the commands that address a cluster, and dry-run helpers. */
import { Option, type Command } from 'commander';
import { resolveSubscription } from '../azure/subscription.js';
import type { Context } from '../core/context.js';
import { REDACTED } from '../core/redact.js';
import { clusterPath, type ClusterFlags, type ClusterRef } from '../model/cluster.js';

export function addClusterOptions(cmd: Command): Command {
  return cmd
    .optionsGroup('Cluster Arguments:')
    .option('-g, --resource-group <name>', 'resource group of the cluster')
    .option('-c, --cluster-name <name>', 'name of the cluster')
    .addOption(new Option('-t, --cluster-type <type>', 'managedClusters (AKS), connectedClusters (Arc) or provisionedClusters (AKS on Azure Local); case-insensitive'))
    .option('--cluster-resource-provider <rp>', 'resource provider of the cluster; derived from --cluster-type (alias: --cluster-rp)')
    .option('--cluster-id <id>', 'full ARM id of the cluster, instead of -g, -c and -t')
    .option('--subscription <id-or-name>', 'subscription (default: AZURE_SUBSCRIPTION_ID, then the Azure CLI default)');
}

export function addDryRunOption(cmd: Command, what: string): Command {
  return cmd
    .optionsGroup('Dry Run:')
    .addOption(
      new Option('--dry-run [target]', `send nothing; print ${what} (default, YAML stream; -o json gives a v1 List) or, with --dry-run=arm, the ARM request`)
        .choices(['cluster', 'arm'])
        .preset('cluster'),
    );
}

export interface DryRunRequest {
  method: 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  apiVersion: string;
  body: unknown;
}

/** The ARM path of a resource under the cluster; the subscription is resolved offline. */
export function resourcePath(ctx: Context, cluster: ClusterRef & { subscriptionId?: string }, collection: string, name: string): string {
  let subscriptionId = cluster.subscriptionId;
  if (!subscriptionId) {
    const resolved = resolveSubscription(ctx.options.subscription, ctx.env);
    if (resolved) {
      ctx.log.verbose(`subscription ${resolved.id} (from ${resolved.source})`);
      subscriptionId = resolved.id;
    } else {
      ctx.log.warn('no subscription found (--subscription, AZURE_SUBSCRIPTION_ID or the Azure CLI profile); the path shows {subscriptionId}.');
      subscriptionId = '{subscriptionId}';
    }
  }
  return `${clusterPath(subscriptionId, cluster)}/providers/Microsoft.KubernetesConfiguration/${collection}/${name}`;
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

export type ClusterOptions = ClusterFlags;
