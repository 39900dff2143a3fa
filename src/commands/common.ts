/** Arguments shared by the commands that address a cluster. */
import { Option, type Command } from 'commander';
import { markRequired } from '../core/help.js';
import { CLUSTER_TYPES, TARGET_TYPES, type ClusterFlags } from '../model/cluster.js';

export interface ClusterOptionSpec {
  /** The command always needs a cluster: -g, -c and -t are marked required (unless --cluster-id). */
  required?: boolean;
  /** The command also takes an Azure Kubernetes Fleet Manager hub: -t fleets (the extension commands). */
  fleetHub?: boolean;
}

export function addClusterOptions(cmd: Command, spec: ClusterOptionSpec = {}): Command {
  const mark = (option: Option): Option => (spec.required ? markRequired(option, 'required unless --cluster-id') : option);
  return cmd
    .optionsGroup('Cluster Arguments:')
    .addOption(mark(new Option('-g, --resource-group <name>', 'resource group of the cluster')))
    .addOption(mark(new Option('-c, --cluster-name <name>', 'name of the cluster')))
    .addOption(
      mark(
        spec.fleetHub
          ? new Option('-t, --cluster-type <type>', 'managedClusters (AKS), connectedClusters (Arc) or provisionedClusters (AKS on Azure Local), in any letter case; also fleets (an Azure Kubernetes Fleet Manager hub; preview, microsoft.flux only)').choices(TARGET_TYPES)
          : new Option('-t, --cluster-type <type>', 'managedClusters (AKS), connectedClusters (Arc) or provisionedClusters (AKS on Azure Local), in any letter case').choices(CLUSTER_TYPES),
      ),
    )
    .option('--cluster-resource-provider <rp>', 'resource provider of the cluster; derived from --cluster-type (alias: --cluster-rp)')
    .option('--cluster-id <id>', 'full ARM id of the cluster, instead of -g, -c and -t (exactly /subscriptions/…/resourceGroups/…/providers/…/TYPE/NAME)')
    .option('--subscription <id-or-name>', 'subscription (default: AZURE_SUBSCRIPTION_ID, then the Azure CLI default)')
    .option('--cloud <name>', 'AzureCloud (default), AzureChinaCloud or AzureUSGovernment (env AZURE_CLOUD)')
    .option('--resource-manager-endpoint <url>', 'a Resource Manager endpoint of your own (env AZURE_RESOURCE_MANAGER_ENDPOINT)');
}

/** `--dry-run` for commands that render cluster objects (default) or the ARM request (=arm). */
export function addDryRunOption(cmd: Command, what: string): Command {
  return cmd
    .optionsGroup('Dry Run:')
    .addOption(
      new Option('--dry-run [target]', `send nothing; print ${what} (default, YAML stream; -o json gives a v1 List) or, with --dry-run=arm, the ARM request`)
        .choices(['cluster', 'arm'])
        .preset('cluster'),
    );
}

/** `--dry-run` for commands that only have an ARM request to show; `what` says how it is found. */
export function addArmDryRunOption(cmd: Command, what?: string): Command {
  return cmd
    .optionsGroup('Dry Run:')
    .addOption(new Option('--dry-run [target]', `send nothing; ${what ? `${what} ` : 'print the ARM request '}({method, path, apiVersion, body})`).choices(['arm']).preset('arm'));
}

export interface DryRunRequest {
  method: 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  apiVersion: string;
  body: unknown;
}

export type ClusterOptions = ClusterFlags;
