/** `flux config delete`: confirm, warn about pruning, delete (or force-delete). */
import type { Command } from 'commander';
import type { Context } from '../../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../../core/run.js';
import type { AzureOptions } from '../../azure.js';
import { addClusterOptions } from '../../common.js';
import { addWaitOptions, addYesOption } from '../../options.js';

type Options = AzureOptions & { name?: string; force?: boolean; timeout?: string };

export function registerFluxConfigDelete(parent: Command): Command {
  const cmd = parent
    .command('delete')
    .summary('delete a Flux configuration')
    .description('Delete a Flux configuration. Kustomizations with prune=true delete the objects they deployed. Asks first on a terminal; without one, --yes is required.');
  addClusterOptions(cmd, { required: true });
  cmd
    .optionsGroup('Configuration Arguments:')
    .requiredOption('-n, --name <name>', 'name of the configuration')
    .option('--force', 'delete the Azure resource at once, even if the cluster cannot clean up (objects may stay on the cluster)');
  addYesOption(cmd);
  addWaitOptions(cmd, { timeoutAlias: true, defaultText: '10m' });
  addGlobalOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  k8s-gitops flux config delete -g rg -c aks1 -t managedClusters -n cluster-config --yes
  k8s-gitops flux config delete -g rg -c arc-offline -t connectedClusters -n cluster-config --force --yes`,
  );
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput | void> {
  const [{ FLUX_API_VERSION }, { prepareRead, getFluxConfiguration }, { parseObjectName }, { confirm }, { followWrite }] = await Promise.all([
    import('../../../azure/resources.js'),
    import('../../azure.js'),
    import('../../../model/values.js'),
    import('../../../core/prompt.js'),
    import('../../outcome.js'),
  ]);
  if (options.timeout !== undefined && options.waitTimeout === undefined) options.waitTimeout = options.timeout;
  const name = parseObjectName('-n/--name', options.name!, 'configuration name');
  const s = await prepareRead(ctx, options);
  const { path, resource } = await getFluxConfiguration(s, name);
  const pruning = Object.entries(resource.properties?.kustomizations ?? {}).filter(([, k]) => k?.prune).map(([k]) => k);
  if (pruning.length > 0) {
    ctx.log.warn(`kustomization${pruning.length > 1 ? 's' : ''} ${pruning.join(', ')} of '${name}' prune: the objects ${pruning.length > 1 ? 'they' : 'it'} deployed will be deleted from the cluster.`);
  }
  if (options.force) ctx.log.warn('--force removes the Azure resource at once; the Flux objects and what they deployed may stay on the cluster.');
  if (!(await confirm(ctx, `Delete Flux configuration '${name}' from cluster '${s.cluster.clusterName}'?`, options.yes))) {
    ctx.log.info('Nothing was deleted.');
    return;
  }
  const accepted = await s.arm.request('DELETE', path, { apiVersion: FLUX_API_VERSION, query: { forceDelete: options.force ? 'true' : 'false' } });
  const show = `k8s-gitops flux config show ${s.clusterArgs} -n ${name}`;
  const { done } = await followWrite(ctx, s, accepted, options, { phase: `Deleting Flux configuration ${name}`, followUp: show, defaultTimeoutMs: 10 * 60_000 }, {
    what: `Flux configuration '${name}'`,
    path,
    apiVersion: FLUX_API_VERSION,
    landed: (r) => r === undefined,
    next: {
      landed: `List what is left with: k8s-gitops flux config list ${s.clusterArgs}`,
      failed: `See why with: ${show}; run this delete again, or add --force to remove it from Azure at once (objects may stay on the cluster).`,
      missing: `Look at it with: ${show}; then run this delete again.`,
    },
  });
  if (done) ctx.log.info(`Deleted Flux configuration '${name}'.`);
}
