/**
 * `extension create`: install a cluster extension (microsoft.flux by default, in flux-system).
 * Other types get their own defaults: the scope Azure gives them unless one is asked for, and a
 * system-assigned identity only where the type needs one (or --identity asks for it).
 */
import { Option, type Command } from 'commander';
import { collectGroup } from '../../core/argv.js';
import type { Context } from '../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../core/run.js';
import type { ExtensionFlags } from '../../model/extension.js';
import type { AzureOptions } from '../azure.js';
import { addArmDryRunOption, addClusterOptions, type DryRunRequest } from '../common.js';
import { addPreflightOptions, addWaitOptions } from '../options.js';
import { EXTENSION_COLUMNS } from './columns.js';

type Options = ExtensionFlags & AzureOptions & { dryRun?: 'arm'; timeout?: string };

const EXAMPLES = `
Examples:
  # The ARM request that installs Flux on an AKS cluster
  k8s-gitops extension create -g rg -c aks1 -t managedClusters --dry-run

  # Flux with image automation, pinned to a version, on an Arc cluster
  k8s-gitops extension create -g rg -c arc1 -t connectedClusters --version 1.23.0 \\
    --config image-automation-controller.enabled=true image-reflector-controller.enabled=true \\
    --dry-run

  # Another extension type, with that type's own defaults (no flux-system, no identity)
  k8s-gitops extension create -g rg -c arc1 -t connectedClusters -n dapr --extension-type microsoft.dapr --dry-run

  # Flux on an Azure Kubernetes Fleet Manager hub (a preview in Azure): the ARM request
  k8s-gitops extension create -g rg -c fleet1 -t fleets --dry-run`;

/** The settings flags shared by create and update. */
export function addSettingsOptions(cmd: Command): Command {
  return cmd
    .option('--version <version>', 'pin a version (turns off minor auto-upgrade)')
    .option('--release-train <train>', 'release train when auto-upgrading (e.g. Stable, Preview)')
    .addOption(new Option('--auto-upgrade-minor-version [bool]', 'upgrade minor versions automatically (alias: --auto-upgrade)').preset(true))
    .option('--config <key=value...>', 'configuration settings, e.g. multiTenancy.enforce=false (repeatable; alias: --configuration-settings)', collectGroup)
    .option('--config-protected <key=value...>', 'protected settings; values may be @FILE or - (alias: --config-protected-settings)', collectGroup)
    .option('--config-file <path>', 'JSON or YAML file of settings (inline --config wins)')
    .option('--config-protected-file <path>', 'JSON or YAML file of protected settings');
}

export function registerExtensionCreate(parent: Command): Command {
  const cmd = parent
    .command('create')
    .summary('install a cluster extension')
    .description(
      "Install a cluster extension; by default microsoft.flux named flux, cluster scope, in flux-system. Another --extension-type gets that type's own defaults: its scope and namespace unless --scope or --release-namespace say otherwise, and an identity only where it needs one. With --dry-run, the ARM request is printed and nothing is sent.",
    );
  addClusterOptions(cmd, { required: true, fleetHub: true });
  cmd
    .optionsGroup('Extension Arguments:')
    .option('-n, --name <name>', 'name of the extension instance (default: flux)')
    .option('--extension-type <type>', 'extension type (default: microsoft.flux)')
    .option('--scope <scope>', 'cluster (default) or namespace')
    .option('--release-namespace <namespace>', "namespace for a cluster-scoped extension (default: flux-system for microsoft.flux, the type's own for others)")
    .option('--target-namespace <namespace>', 'namespace for a namespace-scoped extension')
    .addOption(new Option('--identity <type>', "give the extension a system-assigned identity, or none (default: only types that need one get one, on Arc and Azure Local)").choices(['SystemAssigned', 'None']));
  addSettingsOptions(cmd)
    .option('--plan-name <name>', 'marketplace plan name')
    .option('--plan-product <product>', 'marketplace plan product')
    .option('--plan-publisher <publisher>', 'marketplace plan publisher');
  addWaitOptions(cmd, { timeoutAlias: true, defaultText: '20m' });
  addPreflightOptions(cmd);
  addArmDryRunOption(cmd);
  addGlobalOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput> {
  const [{ extensionApiVersion }, { parseClusterFlags }, { buildExtension, extensionPutBody }, { maskSecrets, resourcePath }] = await Promise.all([
    import('../../azure/resources.js'),
    import('../../model/cluster.js'),
    import('../../model/extension.js'),
    import('../dry-run.js'),
  ]);
  options.fleetHub = true; // -t fleets: a Fleet Manager hub (preview)
  const cluster = parseClusterFlags(options, true)!;
  const EXTENSION_API_VERSION = extensionApiVersion(cluster);
  const { extension, warnings } = buildExtension(options, cluster.clusterType, ctx.input);
  for (const w of warnings) ctx.log.warn(w);
  if (options.dryRun === 'arm') {
    const request: DryRunRequest = {
      method: 'PUT',
      path: resourcePath(ctx, cluster, 'extensions', extension.name),
      apiVersion: EXTENSION_API_VERSION,
      body: maskSecrets(extensionPutBody(extension)),
    };
    return { data: request, defaultFormat: 'json' };
  }
  if (options.timeout !== undefined && options.waitTimeout === undefined) options.waitTimeout = options.timeout;
  const [{ prepareWrite }, { extensionPath, flatten }, { CliError, FailedError }, { extensionHolds }, { followWrite }] = await Promise.all([
    import('../azure.js'),
    import('../../azure/resources.js'),
    import('../../core/errors.js'),
    import('../../model/extension.js'),
    import('../outcome.js'),
  ]);
  type ArmResource = import('../../azure/resources.js').ArmResource;
  // The checks and the extension are read at once.
  const target = { path: (session: import('../../azure/session.js').Session) => extensionPath(session.subscriptionId, session.cluster, extension.name), apiVersion: EXTENSION_API_VERSION };
  const { target: found, ...s } = await prepareWrite(ctx, options, target);
  const existing = found!;
  const path = target.path(s);
  const show = `k8s-gitops extension show ${s.clusterArgs} -n ${extension.name}`;
  const recreate = `once the cause is fixed, remove it (k8s-gitops extension delete ${s.clusterArgs} -n ${extension.name} --yes) and run this create again`;
  if (existing.status !== 404) {
    const state = String(existing.body.properties?.provisioningState ?? 'Unknown');
    const info = existing.body.properties?.errorInfo as { message?: string } | null | undefined;
    if (state === 'Failed') {
      throw new FailedError(`extension '${extension.name}' is already installed on cluster '${s.cluster.clusterName}', in state Failed${info?.message ? `: ${info.message.split('\n')[0]}` : ''}; create does not replace it.`, `See why with: ${show}; ${recreate}.`);
    }
    if (extensionHolds(existing.body, extension)) {
      ctx.log.info(`nothing to change: extension '${extension.name}' is already installed on cluster '${s.cluster.clusterName}' as asked (${state}).`);
      return { data: flatten(existing.body), columns: EXTENSION_COLUMNS };
    }
    throw new CliError(
      `extension '${extension.name}' is already installed on cluster '${s.cluster.clusterName}' (${state}) and differs from what was asked; create does not replace it.`,
      `Change it with: k8s-gitops extension update ${s.clusterArgs} -n ${extension.name} …`,
    );
  }
  const accepted = await s.arm.request('PUT', path, { apiVersion: EXTENSION_API_VERSION, body: extensionPutBody(extension) });
  const { done, resource } = await followWrite(ctx, s, accepted, options, { phase: `Installing extension ${extension.name} (${extension.extensionType})`, followUp: show, defaultTimeoutMs: 20 * 60_000 }, {
    what: `extension '${extension.name}'`,
    path,
    apiVersion: EXTENSION_API_VERSION,
    landed: (r) => r !== undefined && extensionHolds(r, extension),
    next: { landed: `Look at it with: ${show}`, failed: `See why with: ${show}; ${recreate}.`, missing: 'Run this create again.' },
  });
  const final = resource ?? (done ? (await s.arm.request<ArmResource>('GET', path, { apiVersion: EXTENSION_API_VERSION })).body : (accepted.body as ArmResource));
  return { data: flatten(final), columns: EXTENSION_COLUMNS };
}
