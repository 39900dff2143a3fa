/** `flux config show`: one Flux configuration, as az prints it. */
import type { Command } from 'commander';
import type { Context } from '../../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../../core/run.js';
import type { AzureOptions } from '../../azure.js';
import { addClusterOptions } from '../../common.js';
import { CONFIG_COLUMNS } from './columns.js';

type Options = AzureOptions & { name?: string };

export function registerFluxConfigShow(parent: Command): Command {
  const cmd = parent.command('show').summary('show a Flux configuration').description('Show a Flux configuration: its source, kustomizations, provisioning and compliance state, and the objects it reports.');
  addClusterOptions(cmd, { required: true });
  cmd.optionsGroup('Configuration Arguments:').requiredOption('-n, --name <name>', 'name of the configuration');
  addGlobalOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  k8s-gitops flux config show -g rg -c aks1 -t managedClusters -n cluster-config
  k8s-gitops flux config show -g rg -c arc1 -t connectedClusters -n cluster-config --query complianceState -o tsv`,
  );
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput> {
  const [{ readNamedConfiguration }, { flatten }] = await Promise.all([import('../../azure.js'), import('../../../azure/resources.js')]);
  const { resource } = await readNamedConfiguration(ctx, options);
  return { data: flatten(resource), columns: CONFIG_COLUMNS };
}
