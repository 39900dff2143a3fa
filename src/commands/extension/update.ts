/** `extension update`: a PATCH of what the user changes (version, release train, settings). */
import type { Command } from 'commander';
import type { Context } from '../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../core/run.js';
import type { ExtensionFlags } from '../../model/extension.js';
import type { AzureOptions } from '../azure.js';
import { addClusterOptions } from '../common.js';
import { addPreflightOptions, addWaitOptions } from '../options.js';
import { EXTENSION_COLUMNS } from './columns.js';
import { addSettingsOptions } from './create.js';

type Options = ExtensionFlags & AzureOptions & { timeout?: string };

export function registerExtensionUpdate(parent: Command): Command {
  const cmd = parent
    .command('update')
    .summary('change an installed extension')
    .description('Change the version, release train, auto-upgrade or settings of an installed extension. Only what you give is sent; protected settings given before stay as they are.');
  addClusterOptions(cmd);
  cmd.optionsGroup('Extension Arguments:').option('-n, --name <name>', 'name of the extension instance (default: flux)');
  addSettingsOptions(cmd);
  addWaitOptions(cmd, { timeoutAlias: true, defaultText: '20m' });
  addPreflightOptions(cmd);
  addGlobalOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  k8s-gitops extension update -g rg -c aks1 -t managedClusters --config helm-controller.detectDrift=true
  k8s-gitops extension update -g rg -c arc1 -t connectedClusters --version 1.23.0`,
  );
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput> {
  const [{ buildExtensionPatch, FLUX_EXTENSION_NAME }, { prepareWrite, follow, notFound }, { extensionPath, flatten, EXTENSION_API_VERSION }, { UsageError }] = await Promise.all([
    import('../../model/extension.js'),
    import('../azure.js'),
    import('../../azure/resources.js'),
    import('../../core/errors.js'),
  ]);
  if (options.timeout !== undefined && options.waitTimeout === undefined) options.waitTimeout = options.timeout;
  const name = options.name ?? FLUX_EXTENSION_NAME;
  const { patch, warnings } = buildExtensionPatch(options, ctx.input);
  if (!patch) throw new UsageError(undefined, 'nothing to change.', 'Give what should change: --version, --release-train, --auto-upgrade-minor-version, --config or --config-protected.');
  for (const w of warnings) ctx.log.warn(w);
  const s = await prepareWrite(ctx, options);
  const path = extensionPath(s.subscriptionId, s.cluster, name);
  const existing = await s.arm.request<{ properties?: Record<string, unknown> }>('GET', path, { apiVersion: EXTENSION_API_VERSION, allowNotFound: true });
  if (existing.status === 404) await notFound(s, `extension '${name}'`, `List them with: k8s-gitops extension list ${s.clusterArgs}`);
  // Leave out what already is as asked (protected settings cannot be read back, so they stay).
  const current = existing.body.properties ?? {};
  const props = patch.properties;
  for (const key of ['autoUpgradeMinorVersion', 'releaseTrain', 'version'] as const) {
    if (props[key] !== undefined && (props[key] === current[key] || (props[key] === null && current[key] == null))) delete props[key];
  }
  if (props.configurationSettings) {
    const settings = (current.configurationSettings ?? {}) as Record<string, string>;
    const changed = Object.fromEntries(Object.entries(props.configurationSettings).filter(([k, v]) => settings[k] !== v));
    if (Object.keys(changed).length > 0) props.configurationSettings = changed;
    else delete props.configurationSettings;
  }
  if (Object.keys(props).length === 0) {
    throw new UsageError(undefined, `nothing to change: extension '${name}' already is as asked.`, `Show it with: k8s-gitops extension show ${s.clusterArgs} -n ${name}`);
  }
  if (patch.properties.configurationSettings || patch.properties.configurationProtectedSettings) {
    ctx.log.warn('changed settings are applied to the running extension; a wrong value can leave its controllers unhealthy.');
  }
  const accepted = await s.arm.request('PATCH', path, { apiVersion: EXTENSION_API_VERSION, body: patch });
  const show = `k8s-gitops extension show ${s.clusterArgs} -n ${name}`;
  const done = await follow(ctx, s, accepted, options, `Updating extension ${name}`, show, 20 * 60_000);
  const final = done ? (await s.arm.request<import('../../azure/resources.js').ArmResource>('GET', path, { apiVersion: EXTENSION_API_VERSION })).body : (accepted.body as import('../../azure/resources.js').ArmResource);
  return { data: flatten(final), columns: EXTENSION_COLUMNS };
}
