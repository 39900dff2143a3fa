/** Arguments the fleet commands share (option definitions only: light to load). */
import { Command, Option } from 'commander';
import { collectGroup } from '../../core/argv.js';
import type { GlobalOptions } from '../../core/context.js';
import type { SelectionFlags } from '../../fleet/selection.js';
import { registerFluxConfigCreate } from '../flux/config/create.js';

export interface FleetOptions extends SelectionFlags, GlobalOptions {
  cloud?: string;
  resourceManagerEndpoint?: string;
}

const repeat = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

export function addSelectionOptions(cmd: Command): Command {
  return cmd
    .optionsGroup('Selection Arguments (every one narrows; default: every cluster you can read):')
    .option('--subscriptions <id...>', 'only these subscriptions (ids, or names from the Azure CLI profile; repeatable)', collectGroup)
    .option('-g, --resource-group <name>', 'only this resource group (repeatable)', repeat)
    .option('--where <tag=value...>', 'only clusters with this tag value (repeatable; a tag named twice matches either value)', collectGroup)
    .addOption(new Option('-t, --cluster-type <type>', 'only managedClusters, connectedClusters or provisionedClusters (repeatable)').argParser(repeat))
    .option('--clusters <file>', 'only the clusters whose ARM ids this file lists, one a line (# comments)')
    .option('--graph-query <kql>', "only the clusters a Resource Graph query returns (its id column); @FILE reads it from a file")
    .optionsGroup('Azure Arguments:')
    .option('--cloud <name>', 'AzureCloud (default), AzureChinaCloud or AzureUSGovernment (env AZURE_CLOUD)')
    .option('--resource-manager-endpoint <url>', 'a Resource Manager endpoint of your own (env AZURE_RESOURCE_MANAGER_ENDPOINT)');
}

/** The option groups of `flux config create` that describe the configuration itself. */
const CONFIGURATION_GROUPS = new Set(['Configuration Arguments:', 'Git Repository Arguments:', 'Bucket Arguments:', 'Azure Blob Arguments:', 'OCI Repository Arguments:']);

/**
 * The configuration flags of `flux config create`, taken from its own definition, so that
 * `fleet apply` always accepts exactly what `flux config create` does.
 */
export function addConfigurationOptions(cmd: Command): Command {
  const create = registerFluxConfigCreate(new Command('scratch'));
  for (const option of create.options) {
    if (option.helpGroupHeading && CONFIGURATION_GROUPS.has(option.helpGroupHeading)) cmd.addOption(option);
  }
  return cmd;
}

export function addRolloutOptions(cmd: Command, what: 'apply' | 'delete'): Command {
  cmd
    .optionsGroup('Rollout Arguments:')
    .option('--dry-run', `send nothing: print the plan (per cluster: ${what === 'apply' ? 'create, update with the fields that change, unchanged' : 'delete, absent'}, or skipped and why)`)
    .option('--waves <sizes>', 'cumulative wave sizes, counts or percentages (default 1,10%,100%): each wave must succeed before the next starts')
    .option('--wave-size <n>', 'waves of N clusters instead of --waves')
    .option('--wave-timeout <duration>', 'how long one wave may take (default 15m); a cluster not done by then fails');
  if (what === 'apply') cmd.addOption(new Option('--wait-for <state>', 'what each wave must reach: provisioned (the operations succeeded; default) or compliant (the clusters report the new configuration Compliant)').choices(['provisioned', 'compliant']));
  return cmd
    .option('--max-failures <n|p%>', 'failed clusters the rollout tolerates before it stops (default 0; a percentage of the clusters it changes, rounded down)')
    .option('--parallel <n>', 'ARM requests in flight at once (1 to 8, the default); writes are also paced to each subscription\'s ARM write budget');
}
