/**
 * `flux config tree`: what each kustomization of a configuration applied, read from the
 * cluster (each Kustomization's inventory), drawn as `flux tree kustomization` draws it, with the
 * readiness of every Flux object in it. Kustomizations come in dependency order.
 */
import type { Command } from 'commander';
import type { Context, GlobalOptions } from '../../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../../core/run.js';
import type { TreeNode } from '../../../kube/tree.js';
import { addClusterAccessOptions, type ClusterAccessOptions } from './cluster.js';

type Options = ClusterAccessOptions & GlobalOptions & { name?: string };

export function registerFluxConfigTree(parent: Command): Command {
  const cmd = parent
    .command('tree')
    .summary("show what a configuration's kustomizations applied (through the cluster)")
    .description(
      "Show, for each kustomization of a Flux configuration, the objects it applied (its inventory in the cluster), nested kustomizations expanded, HelmReleases expanded where their own inventory allows and otherwise described by their release, and the readiness of every Flux object. Needs the cluster's Kubernetes API (a kubeconfig). -g/-c/-t only choose the kubeconfig context named like the cluster.",
    );
  addClusterAccessOptions(cmd);
  cmd.optionsGroup('Configuration Arguments:').requiredOption('-n, --name <name>', 'name of the configuration');
  addGlobalOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  # What the tutorial's kustomizations applied, on the cluster of the kubeconfig context aks1
  k8s-gitops flux config tree -g rg -c aks1 -t managedClusters -n cluster-config

  # The same as JSON, one tree per kustomization
  k8s-gitops flux config tree --context aks1 -n cluster-config -o json`,
  );
  cmd.action(action<Options>(run));
  return cmd;
}

function describe(n: TreeNode, c: Context['color']['stdout']): string {
  const parts: string[] = [];
  if (n.state) {
    const text = `${n.state}${n.state !== 'Ready' && n.reason ? ` (${n.reason})` : ''}`;
    parts.push(n.state === 'Ready' ? c.green(text) : n.state === 'Failed' ? c.red(text) : n.state === 'Progressing' ? c.yellow(text) : c.dim(text));
  }
  if (n.release) {
    const chart = n.release.chart ? ` (${n.release.chart}${n.release.chartVersion ? ` ${n.release.chartVersion}` : ''})` : '';
    parts.push(`release ${n.release.namespace}/${n.release.name}${n.release.revision !== undefined ? ` v${n.release.revision}` : ''}${chart}`);
  }
  if (n.note) parts.push(c.dim(`[${n.note}]`));
  return parts.join('  ');
}

async function run(options: Options, ctx: Context): Promise<CommandOutput> {
  const [{ parseObjectName, parseDnsLabel }, { openCluster, readConfiguration }, { kustomizationTree, drawTree }] = await Promise.all([
    import('../../../model/values.js'),
    import('./cluster.js'),
    import('../../../kube/tree.js'),
  ]);
  const name = parseObjectName('-n/--name', options.name ?? '', 'configuration name');
  const namespace = options.namespace !== undefined ? parseDnsLabel('--namespace', options.namespace, 'namespace') : undefined;
  const session = await openCluster(ctx, options, 'tree', (cluster) => `Without cluster access, k8s-gitops flux deployed-object list -g RG -c ${cluster} -t TYPE -n ${name} shows the Flux objects Azure reports.`);
  const { objects, configuration } = await readConfiguration(session, name, namespace);
  const live = new Map(objects.map((o) => [`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
  const trees = configuration.kustomizations.map((k) => kustomizationTree(k, (kind, ns, n) => live.get(`${kind}/${ns}/${n}`)));
  const color = ctx.color.stdout;
  const table = trees.length === 0 ? `Configuration '${name}' has no kustomizations.\n` : `${trees.map((t) => drawTree(t, (n) => describe(n, color)).join('\n')).join('\n\n')}\n`;
  return { data: trees, defaultFormat: 'table', table };
}
