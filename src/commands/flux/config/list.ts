/** `flux config list`: the Flux configurations of a cluster. */
import type { Command } from 'commander';
import type { Context } from '../../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../../core/run.js';
import type { AzureOptions } from '../../azure.js';
import { addClusterOptions } from '../../common.js';
import { CONFIG_COLUMNS } from './columns.js';

export function registerFluxConfigList(parent: Command): Command {
  const cmd = parent.command('list').summary('list the Flux configurations of a cluster').description('List the Flux configurations of a cluster.');
  addClusterOptions(cmd, { required: true });
  addGlobalOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  k8s-gitops flux config list -g rg -c aks1 -t managedClusters -o table
  k8s-gitops flux config list -g rg -c aks1 -t managedClusters --query "[?complianceState!='Compliant'].name"`,
  );
  cmd.action(action<AzureOptions>(run));
  return cmd;
}

async function run(options: AzureOptions, ctx: Context): Promise<CommandOutput> {
  const [{ prepareRead, settleInOrder }, { getCluster }, { listAll }, { fluxConfigsPath, flatten, FLUX_API_VERSION }] = await Promise.all([
    import('../../azure.js'),
    import('../../../azure/session.js'),
    import('../../../azure/list.js'),
    import('../../../azure/resources.js'),
  ]);
  const s = await prepareRead(ctx, options);
  // Both at once; the cluster's error first: an empty list must not hide a mistyped cluster.
  const [, items] = await settleInOrder([getCluster(s), listAll<import('../../../azure/resources.js').ArmResource>(s.arm, fluxConfigsPath(s.subscriptionId, s.cluster), FLUX_API_VERSION)]);
  return { data: items.map(flatten), columns: CONFIG_COLUMNS };
}
