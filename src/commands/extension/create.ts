/** `extension create`: install a cluster extension (microsoft.flux by default). */
import { Option, type Command } from 'commander';
import { collectGroup } from '../../core/argv.js';
import type { Context, GlobalOptions } from '../../core/context.js';
import { UsageError } from '../../core/errors.js';
import { action, addGlobalOptions, type CommandOutput } from '../../core/run.js';
import type { ExtensionFlags } from '../../model/extension.js';
import { addClusterOptions, addDryRunOption, type ClusterOptions, type DryRunRequest } from '../common.js';

type Options = ExtensionFlags & ClusterOptions & GlobalOptions & { dryRun?: 'cluster' | 'arm' };

const EXAMPLES = `
Examples:
  # The ARM request that installs Flux on an AKS cluster
  k8s-gitops extension create -g rg -c aks1 -t managedClusters --dry-run=arm

  # Flux with image automation, pinned to a version, on an Arc cluster
  k8s-gitops extension create -g rg -c arc1 -t connectedClusters --version 1.23.0 \\
    --config image-automation-controller.enabled=true image-reflector-controller.enabled=true \\
    --dry-run=arm`;

export function registerExtensionCreate(parent: Command): Command {
  const cmd = parent
    .command('create')
    .summary('install a cluster extension')
    .description('Install a cluster extension; by default microsoft.flux named flux, cluster scope, in flux-system. With --dry-run=arm, the ARM request is printed and nothing is sent.');
  addClusterOptions(cmd);
  cmd
    .optionsGroup('Extension Arguments:')
    .option('-n, --name <name>', 'name of the extension instance (default: flux)')
    .option('--extension-type <type>', 'extension type (default: microsoft.flux)')
    .option('--scope <scope>', 'cluster (default) or namespace')
    .option('--release-namespace <namespace>', 'namespace for a cluster-scoped extension (default: flux-system)')
    .option('--target-namespace <namespace>', 'namespace for a namespace-scoped extension')
    .option('--version <version>', 'pin a version (turns off minor auto-upgrade)')
    .option('--release-train <train>', 'release train when auto-upgrading (e.g. Stable, Preview)')
    .addOption(new Option('--auto-upgrade-minor-version [bool]', 'upgrade minor versions automatically (alias: --auto-upgrade)').preset(true))
    .option('--config <key=value...>', 'configuration settings, e.g. multiTenancy.enforce=false (repeatable; alias: --configuration-settings)', collectGroup)
    .option('--config-protected <key=value...>', 'protected settings; values may be @FILE or - (alias: --config-protected-settings)', collectGroup)
    .option('--config-file <path>', 'JSON or YAML file of settings (inline --config wins)')
    .option('--config-protected-file <path>', 'JSON or YAML file of protected settings')
    .option('--plan-name <name>', 'marketplace plan name')
    .option('--plan-product <product>', 'marketplace plan product')
    .option('--plan-publisher <publisher>', 'marketplace plan publisher');
  addDryRunOption(cmd, 'nothing for an extension: use --dry-run=arm');
  addGlobalOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput> {
  const [{ EXTENSION_API_VERSION }, { parseClusterFlags }, { buildExtension, extensionPutBody }, { maskSecrets, resourcePath }] = await Promise.all([
    import('../../model/arm.js'),
    import('../../model/cluster.js'),
    import('../../model/extension.js'),
    import('../dry-run.js'),
  ]);
  const cluster = parseClusterFlags(options, true)!;
  const { extension, warnings } = buildExtension(options, cluster.clusterType, ctx.input);
  for (const w of warnings) ctx.log.warn(w);
  if (options.dryRun !== 'arm') {
    if (options.dryRun === 'cluster') {
      throw new UsageError('--dry-run', 'an extension is installed by Azure from its Helm chart; there are no objects to render here.', 'Use --dry-run=arm to see the request.');
    }
    throw new UsageError('--dry-run', 'this release prints the request but does not send it to Azure yet.', 'Add --dry-run=arm.');
  }
  const request: DryRunRequest = {
    method: 'PUT',
    path: resourcePath(ctx, cluster, 'extensions', extension.name),
    apiVersion: EXTENSION_API_VERSION,
    body: maskSecrets(extensionPutBody(extension)),
  };
  return { data: request, defaultFormat: 'json' };
}
