/**
 * `extension update`: a PATCH of what the user changes (version, release train, settings), and
 * only of what differs from Azure: when Azure already holds it, nothing is sent and the command
 * succeeds. A change of settings asks first, as az does (--yes skips the question; without a
 * terminal it is refused). --dry-run=arm prints the PATCH instead of sending it.
 */
import type { Command } from 'commander';
import type { Context } from '../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../core/run.js';
import type { ExtensionFlags } from '../../model/extension.js';
import type { AzureOptions } from '../azure.js';
import { addArmDryRunOption, addClusterOptions, type DryRunRequest } from '../common.js';
import { addPreflightOptions, addWaitOptions, addYesOption } from '../options.js';
import { EXTENSION_COLUMNS } from './columns.js';
import { addSettingsOptions } from './create.js';

type Options = ExtensionFlags & AzureOptions & { timeout?: string; dryRun?: 'arm' };

export function registerExtensionUpdate(parent: Command): Command {
  const cmd = parent
    .command('update')
    .summary('change an installed extension')
    .description(
      'Change the version, release train, auto-upgrade or settings of an installed extension. Only what differs from Azure is sent; protected settings given before stay as they are. A change of settings asks first (a wrong value can leave the extension unhealthy); --yes skips the question, and without a terminal it is required.',
    );
  addClusterOptions(cmd, { required: true, fleetHub: true });
  cmd.optionsGroup('Extension Arguments:').option('-n, --name <name>', 'name of the extension instance (default: flux)');
  addSettingsOptions(cmd);
  addYesOption(cmd);
  addWaitOptions(cmd, { timeoutAlias: true, defaultText: '20m' });
  addPreflightOptions(cmd);
  addArmDryRunOption(cmd, 'reads the extension from Azure and prints the PATCH that would be sent (no question asked)');
  addGlobalOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  k8s-gitops extension update -g rg -c aks1 -t managedClusters --config helm-controller.detectDrift=true --yes
  k8s-gitops extension update -g rg -c arc1 -t connectedClusters --version 1.23.0
  k8s-gitops extension update -g rg -c aks1 -t managedClusters --release-train Preview --dry-run=arm`,
  );
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput | void> {
  const [{ buildExtensionPatch, extensionPatchChange, extensionName }, { prepareRead, prepareWrite, notFound }, { extensionPath, flatten, extensionApiVersion }, { UsageError }, { confirm }, { followWrite }, { maskSecrets }] =
    await Promise.all([
      import('../../model/extension.js'),
      import('../azure.js'),
      import('../../azure/resources.js'),
      import('../../core/errors.js'),
      import('../../core/prompt.js'),
      import('../outcome.js'),
      import('../dry-run.js'),
    ]);
  type ArmResource = import('../../azure/resources.js').ArmResource;
  options.fleetHub = true; // -t fleets: a Fleet Manager hub (preview)
  if (options.timeout !== undefined && options.waitTimeout === undefined) options.waitTimeout = options.timeout;
  const name = extensionName(options);
  const { patch, warnings } = buildExtensionPatch(options, ctx.input);
  if (!patch) throw new UsageError(undefined, 'nothing to change.', 'Give what should change: --version, --release-train, --auto-upgrade-minor-version, --config or --config-protected.');
  for (const w of warnings) ctx.log.warn(w);
  const dryRun = options.dryRun === 'arm';
  const { parseClusterFlags } = await import('../../model/cluster.js');
  const EXTENSION_API_VERSION = extensionApiVersion(parseClusterFlags(options, true)!);
  // A dry run reads what a write would; a write also runs the write's checks, in the same round trip.
  const target = { path: (session: import('../../azure/session.js').Session) => extensionPath(session.subscriptionId, session.cluster, name), apiVersion: EXTENSION_API_VERSION, existing: true };
  const { target: read, ...s } = dryRun ? { target: undefined, ...(await prepareRead(ctx, options)) } : await prepareWrite(ctx, options, target);
  const path = target.path(s);
  const show = `k8s-gitops extension show ${s.clusterArgs} -n ${name}`;
  const existing = read ?? (await s.arm.request<ArmResource>('GET', path, { apiVersion: EXTENSION_API_VERSION, allowNotFound: true }));
  if (existing.status === 404) await notFound(s, `extension '${name}'`, `List them with: k8s-gitops extension list ${s.clusterArgs}`);
  // Only what differs from Azure (protected settings cannot be read back, so they always count).
  const change = extensionPatchChange(existing.body.properties ?? {}, patch);
  if (!change) {
    ctx.log.info(`nothing to change: extension '${name}' already is as asked${dryRun ? '; no request would be sent' : ''}.`);
    return dryRun ? undefined : { data: flatten(existing.body), columns: EXTENSION_COLUMNS };
  }
  if (dryRun) {
    const request: DryRunRequest = { method: 'PATCH', path, apiVersion: EXTENSION_API_VERSION, body: maskSecrets(change) };
    return { data: request, defaultFormat: 'json' };
  }
  const settings = [change.properties.configurationSettings && 'settings', change.properties.configurationProtectedSettings && 'protected settings'].filter(Boolean).join(' and ');
  if (settings) {
    const question = `Change the ${settings} of extension '${name}' on cluster '${s.cluster.clusterName}'? The running extension applies them at once, and a value its type does not support can leave it unhealthy.`;
    if (!(await confirm(ctx, question, options.yes))) {
      ctx.log.info('Nothing was changed.');
      return;
    }
  }
  const accepted = await s.arm.request('PATCH', path, { apiVersion: EXTENSION_API_VERSION, body: change });
  const { configurationProtectedSettings: _secrets, ...readable } = change.properties;
  const { done, resource } = await followWrite(ctx, s, accepted, options, { phase: `Updating extension ${name}`, followUp: show, defaultTimeoutMs: 20 * 60_000 }, {
    what: `extension '${name}'`,
    path,
    apiVersion: EXTENSION_API_VERSION,
    landed: (r) => r !== undefined && extensionPatchChange(r.properties ?? {}, { properties: readable }) === undefined,
    next: {
      landed: `Look at it with: ${show}`,
      failed: `See why with: ${show}; once the cause is fixed, change it again with this command, or remove it and create it again.`,
      missing: 'Run this update again.',
    },
  });
  const final = resource ?? (done ? (await s.arm.request<ArmResource>('GET', path, { apiVersion: EXTENSION_API_VERSION })).body : (accepted.body as ArmResource));
  return { data: flatten(final), columns: EXTENSION_COLUMNS };
}
