/**
 * `flux deployed-object show`: one object a Flux configuration reports, by kind, namespace and
 * name. Unlike az, OCIRepository sources can be shown too.
 */
import type { Command } from 'commander';
import type { Context } from '../../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../../core/run.js';
import type { AzureOptions } from '../../azure.js';
import { addClusterOptions } from '../../common.js';
import { DEPLOYED_OBJECT_COLUMNS } from './columns.js';

type Options = AzureOptions & { name?: string; objectName?: string; objectNamespace?: string; objectKind?: string };

/** The Flux kinds a configuration reports. */
export const DEPLOYED_OBJECT_KINDS = ['GitRepository', 'OCIRepository', 'Bucket', 'HelmRepository', 'HelmChart', 'HelmRelease', 'Kustomization'] as const;

export function registerDeployedObjectShow(parent: Command): Command {
  const cmd = parent
    .command('show')
    .summary('show one object a Flux configuration has deployed')
    .description('Show one object a Flux configuration reports from the cluster: its compliance state, conditions and, for a HelmRelease, its release details.');
  addClusterOptions(cmd, { required: true });
  cmd
    .optionsGroup('Object Arguments:')
    .requiredOption('-n, --name <config>', 'name of the Flux configuration')
    .requiredOption('--object-name <name>', 'name of the object')
    .requiredOption('--object-namespace <namespace>', 'namespace of the object')
    .requiredOption('--object-kind <kind>', `kind of the object (case-insensitive): ${DEPLOYED_OBJECT_KINDS.join(', ')}`);
  addGlobalOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  # The source of the configuration (named after it, in its namespace)
  k8s-gitops flux deployed-object show -g rg -c aks1 -t managedClusters -n cluster-config \\
    --object-kind GitRepository --object-namespace cluster-config --object-name cluster-config

  # Why a kustomization is not ready
  k8s-gitops flux deployed-object show -g rg -c aks1 -t managedClusters -n cluster-config \\
    --object-kind Kustomization --object-namespace cluster-config --object-name cluster-config-apps \\
    --query "statusConditions[?type=='Ready'].message" -o tsv`,
  );
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput> {
  const [{ prepareRead, getFluxConfiguration }, { parseChoice, parseDnsLabel, parseObjectName }, { NotFoundError }] = await Promise.all([
    import('../../azure.js'),
    import('../../../model/values.js'),
    import('../../../core/errors.js'),
  ]);
  const configName = parseObjectName('-n/--name', options.name!, 'configuration name');
  const kind = parseChoice('--object-kind', options.objectKind!, DEPLOYED_OBJECT_KINDS);
  const namespace = parseDnsLabel('--object-namespace', options.objectNamespace!, 'namespace');
  const objectName = parseObjectName('--object-name', options.objectName!, 'object name', 253);
  const s = await prepareRead(ctx, options);
  const { resource } = await getFluxConfiguration(s, configName);
  const statuses = Array.isArray(resource.properties?.statuses) ? (resource.properties.statuses as Record<string, unknown>[]) : [];
  const found = statuses.find((o) => o && String(o.kind).toLowerCase() === kind.toLowerCase() && o.namespace === namespace && o.name === objectName);
  if (!found) {
    throw new NotFoundError(
      `Flux configuration '${configName}' on cluster '${s.cluster.clusterName}' reports no ${kind} '${objectName}' in namespace '${namespace}'.`,
      `List what it reports with: k8s-gitops flux deployed-object list ${s.clusterArgs} -n ${configName} -o table`,
    );
  }
  return { data: found, columns: DEPLOYED_OBJECT_COLUMNS };
}
