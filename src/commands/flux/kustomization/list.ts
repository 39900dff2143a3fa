/** `flux kustomization list`: the kustomizations of a Flux configuration, keyed by name as az prints them. */
import type { Command } from 'commander';
import type { Context } from '../../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../../core/run.js';
import type { AzureOptions } from '../../azure.js';
import { addClusterOptions } from '../../common.js';
import { KUSTOMIZATION_COLUMNS } from './columns.js';

type Options = AzureOptions & { name?: string };

export function registerFluxKustomizationList(parent: Command): Command {
  const cmd = parent
    .command('list')
    .summary('list the kustomizations of a Flux configuration')
    .description('List the kustomizations of a Flux configuration: an object keyed by kustomization name, as az prints it (-o table gives one row each).');
  addClusterOptions(cmd, { required: true });
  cmd.optionsGroup('Kustomization Arguments:').requiredOption('-n, --name <config>', 'name of the Flux configuration');
  addGlobalOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  k8s-gitops flux kustomization list -g rg -c aks1 -t managedClusters -n cluster-config -o table
  k8s-gitops flux kustomization list -g rg -c aks1 -t managedClusters -n cluster-config --query "values(@)[?prune].name" -o tsv`,
  );
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput> {
  const { readNamedConfiguration } = await import('../../azure.js');
  const { resource } = await readNamedConfiguration(ctx, options);
  const raw = (resource.properties?.kustomizations ?? {}) as Record<string, Record<string, unknown> | null>;
  const data: Record<string, Record<string, unknown>> = {};
  for (const [name, k] of Object.entries(raw)) data[name] = { name, ...(k ?? {}) };
  return { data, rows: Object.values(data), columns: KUSTOMIZATION_COLUMNS };
}
