/** `extension delete`: confirm, warn about the configurations that depend on Flux, delete. */
import type { Command } from 'commander';
import type { Context } from '../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../core/run.js';
import type { AzureOptions } from '../azure.js';
import { addClusterOptions } from '../common.js';
import { addWaitOptions, addYesOption } from '../options.js';

type Options = AzureOptions & { name?: string; force?: boolean; timeout?: string };

export function registerExtensionDelete(parent: Command): Command {
  const cmd = parent.command('delete').summary('uninstall an extension').description('Uninstall an extension. Asks first on a terminal; without one, --yes is required.');
  addClusterOptions(cmd, { required: true, fleetHub: true });
  cmd
    .optionsGroup('Extension Arguments:')
    .option('-n, --name <name>', 'name of the extension instance (default: flux)')
    .option('--force', 'remove the Azure resource at once, even if the cluster cannot clean up');
  addYesOption(cmd);
  addWaitOptions(cmd, { timeoutAlias: true, defaultText: '20m' });
  addGlobalOptions(cmd);
  cmd.addHelpText('after', `
Examples:
  k8s-gitops extension delete -g rg -c aks1 -t managedClusters -n flux --yes`);
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput | void> {
  const [{ prepareRead, notFound }, { extensionPath, fluxConfigsPath, extensionApiVersion, FLUX_API_VERSION }, { listAll }, { extensionName, FLUX_EXTENSION_TYPE }, { confirm }, { followWrite }] = await Promise.all([
    import('../azure.js'),
    import('../../azure/resources.js'),
    import('../../azure/list.js'),
    import('../../model/extension.js'),
    import('../../core/prompt.js'),
    import('../outcome.js'),
  ]);
  if (options.timeout !== undefined && options.waitTimeout === undefined) options.waitTimeout = options.timeout;
  const name = extensionName(options);
  options.fleetHub = true; // -t fleets: a Fleet Manager hub (preview)
  const s = await prepareRead(ctx, options);
  const EXTENSION_API_VERSION = extensionApiVersion(s.cluster);
  const path = extensionPath(s.subscriptionId, s.cluster, name);
  const res = await s.arm.request<{ properties?: { extensionType?: string } }>('GET', path, { apiVersion: EXTENSION_API_VERSION, allowNotFound: true });
  if (res.status === 404) await notFound(s, `extension '${name}'`, `List them with: k8s-gitops extension list ${s.clusterArgs}`);
  // A Fleet Manager hub has no Flux configurations of its own.
  if (String(res.body.properties?.extensionType ?? '').toLowerCase() === FLUX_EXTENSION_TYPE && s.cluster.clusterType !== 'fleets') {
    const configs = await listAll<{ name?: string }>(s.arm, fluxConfigsPath(s.subscriptionId, s.cluster), FLUX_API_VERSION);
    if (configs.length > 0) {
      ctx.log.warn(`${configs.length} Flux configuration${configs.length > 1 ? 's' : ''} (${configs.map((c) => c.name).join(', ')}) on this cluster stop reconciling without the Flux extension.`);
    }
  }
  if (!(await confirm(ctx, `Uninstall extension '${name}' from cluster '${s.cluster.clusterName}'?`, options.yes))) {
    ctx.log.info('Nothing was deleted.');
    return;
  }
  const accepted = await s.arm.request('DELETE', path, { apiVersion: EXTENSION_API_VERSION, query: { forceDelete: options.force ? 'true' : 'false' } });
  const show = `k8s-gitops extension show ${s.clusterArgs} -n ${name}`;
  const { done } = await followWrite(ctx, s, accepted, options, { phase: `Uninstalling extension ${name}`, followUp: show, defaultTimeoutMs: 20 * 60_000 }, {
    what: `extension '${name}'`,
    path,
    apiVersion: EXTENSION_API_VERSION,
    landed: (r) => r === undefined,
    next: {
      landed: `List what is left with: k8s-gitops extension list ${s.clusterArgs}`,
      failed: `See why with: ${show}; run this delete again, or add --force to remove it from Azure at once.`,
      missing: `Look at it with: ${show}; then run this delete again.`,
    },
  });
  if (done) ctx.log.info(`Uninstalled extension '${name}'.`);
}
