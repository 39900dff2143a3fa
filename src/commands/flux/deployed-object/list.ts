/** `flux deployed-object list`: the objects a Flux configuration reports (`statuses`). */
import type { Command } from 'commander';
import type { Context } from '../../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../../core/run.js';
import type { AzureOptions } from '../../azure.js';
import { addClusterOptions } from '../../common.js';
import { DEPLOYED_OBJECT_COLUMNS } from './columns.js';

type Options = AzureOptions & { name?: string };

export function registerDeployedObjectList(parent: Command): Command {
  const cmd = parent
    .command('list')
    .summary('list the objects a Flux configuration has deployed')
    .description("List the objects a Flux configuration reports from the cluster (its source, Kustomizations, HelmReleases …) with their compliance state. -o table shows each object's Ready message.");
  addClusterOptions(cmd, { required: true });
  cmd.optionsGroup('Configuration Arguments:').requiredOption('-n, --name <config>', 'name of the Flux configuration');
  addGlobalOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  k8s-gitops flux deployed-object list -g rg -c aks1 -t managedClusters -n cluster-config -o table
  k8s-gitops flux deployed-object list -g rg -c aks1 -t managedClusters -n cluster-config \\
    --query "[?complianceState!='Compliant'].{kind: kind, name: name}"`,
  );
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput> {
  const { readNamedConfiguration } = await import('../../azure.js');
  const { resource } = await readNamedConfiguration(ctx, options);
  const statuses = resource.properties?.statuses;
  return { data: Array.isArray(statuses) ? statuses : [], columns: DEPLOYED_OBJECT_COLUMNS };
}
