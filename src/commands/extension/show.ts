/** `extension show` and `extension list`. */
import type { Command } from 'commander';
import type { Context } from '../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../core/run.js';
import type { AzureOptions } from '../azure.js';
import { addClusterOptions } from '../common.js';
import { EXTENSION_COLUMNS } from './columns.js';

type Options = AzureOptions & { name?: string };

export function registerExtensionShow(parent: Command): Command {
  const cmd = parent.command('show').summary('show an installed extension').description('Show an installed extension: type, version, provisioning state, settings (protected ones are never returned).');
  addClusterOptions(cmd, { required: true, fleetHub: true });
  cmd.optionsGroup('Extension Arguments:').option('-n, --name <name>', 'name of the extension instance (default: flux)');
  addGlobalOptions(cmd);
  cmd.addHelpText('after', `
Examples:
  k8s-gitops extension show -g rg -c aks1 -t managedClusters
  k8s-gitops extension show -g rg -c arc1 -t connectedClusters -n flux --query provisioningState -o tsv`);
  cmd.action(action<Options>(show));
  return cmd;
}

export function registerExtensionList(parent: Command): Command {
  const cmd = parent.command('list').summary('list the extensions of a cluster').description('List the extensions installed on a cluster.');
  addClusterOptions(cmd, { required: true, fleetHub: true });
  addGlobalOptions(cmd);
  cmd.addHelpText('after', `
Examples:
  k8s-gitops extension list -g rg -c aks1 -t managedClusters -o table`);
  cmd.action(action<AzureOptions>(list));
  return cmd;
}

async function show(options: Options, ctx: Context): Promise<CommandOutput> {
  options.fleetHub = true; // -t fleets: a Fleet Manager hub (preview)
  const [{ prepareRead, notFound }, { extensionPath, flatten, extensionApiVersion }, { extensionName }] = await Promise.all([
    import('../azure.js'),
    import('../../azure/resources.js'),
    import('../../model/extension.js'),
  ]);
  const name = extensionName(options);
  const s = await prepareRead(ctx, options);
  const EXTENSION_API_VERSION = extensionApiVersion(s.cluster);
  const res = await s.arm.request<import('../../azure/resources.js').ArmResource>('GET', extensionPath(s.subscriptionId, s.cluster, name), { apiVersion: EXTENSION_API_VERSION, allowNotFound: true });
  if (res.status === 404) await notFound(s, `extension '${name}'`, `List them with: k8s-gitops extension list ${s.clusterArgs}`);
  return { data: flatten(res.body), columns: EXTENSION_COLUMNS };
}

async function list(options: AzureOptions, ctx: Context): Promise<CommandOutput> {
  options.fleetHub = true;
  const [{ prepareRead, settleInOrder }, { getCluster }, { listAll }, { extensionsPath, flatten, extensionApiVersion }] = await Promise.all([
    import('../azure.js'),
    import('../../azure/session.js'),
    import('../../azure/list.js'),
    import('../../azure/resources.js'),
  ]);
  const s = await prepareRead(ctx, options);
  const EXTENSION_API_VERSION = extensionApiVersion(s.cluster);
  const [, items] = await settleInOrder([getCluster(s), listAll<import('../../azure/resources.js').ArmResource>(s.arm, extensionsPath(s.subscriptionId, s.cluster), EXTENSION_API_VERSION)]);
  return { data: items.map(flatten), columns: EXTENSION_COLUMNS };
}
