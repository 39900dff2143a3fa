/** `flux kustomization show`: one kustomization, as az's one-entry map `{NAME: {...}}`. */
import type { Command } from 'commander';
import type { Context } from '../../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../../core/run.js';
import type { AzureOptions } from '../../azure.js';
import { addClusterOptions } from '../../common.js';
import { KUSTOMIZATION_COLUMNS } from './columns.js';
import { addKustomizationTargetOptions } from './options.js';

type Options = AzureOptions & { name?: string; kustomizationName?: string };

export function registerFluxKustomizationShow(parent: Command): Command {
  const cmd = parent
    .command('show')
    .summary('show a kustomization of a Flux configuration')
    .description('Show a kustomization of a Flux configuration, as az prints it: an object with the kustomization under its name.');
  addClusterOptions(cmd, { required: true });
  addKustomizationTargetOptions(cmd);
  addGlobalOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  k8s-gitops flux kustomization show -g rg -c aks1 -t managedClusters -n cluster-config -k apps
  k8s-gitops flux kustomization show -g rg -c aks1 -t managedClusters -n cluster-config -k apps --query apps.path -o tsv`,
  );
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput> {
  const [{ prepareRead, getFluxConfiguration }, { parseKustomizationTarget }, { kustomizationNotFound }] = await Promise.all([
    import('../../azure.js'),
    import('../../../model/kustomization-flags.js'),
    import('./missing.js'),
  ]);
  const { configName, name } = parseKustomizationTarget(options);
  const s = await prepareRead(ctx, options);
  const { resource } = await getFluxConfiguration(s, configName);
  const raw = (resource.properties?.kustomizations ?? {}) as Record<string, Record<string, unknown> | null>;
  if (!Object.prototype.hasOwnProperty.call(raw, name)) {
    throw kustomizationNotFound(s, configName, name, Object.keys(raw));
  }
  const entry = { name, ...(raw[name] ?? {}) };
  return { data: { [name]: entry }, rows: [entry], columns: KUSTOMIZATION_COLUMNS };
}
