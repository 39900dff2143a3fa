/**
 * `flux kustomization update`: changes one kustomization of a Flux configuration. Only the
 * fields given that differ from Azure are sent (az sends `wait: true` on every update, turning
 * health checks back on; this does not). When Azure already holds what is asked, nothing is
 * sent and the command succeeds; --dry-run=arm prints the PATCH instead of sending it.
 */
import type { Command } from 'commander';
import type { Context } from '../../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../../core/run.js';
import type { KustomizationFlags } from '../../../model/kustomization-flags.js';
import { addArmDryRunOption, addClusterOptions } from '../../common.js';
import { CONFIG_COLUMNS } from '../config/columns.js';
import { addPreflightOptions, addWaitOptions } from '../../options.js';
import { addKustomizationDefinitionOptions, addKustomizationTargetOptions } from './options.js';
import type { KustomizationWriteOptions } from './send.js';

type Options = KustomizationFlags & KustomizationWriteOptions;

export function registerFluxKustomizationUpdate(parent: Command): Command {
  const cmd = parent
    .command('update')
    .summary('change a kustomization of a Flux configuration')
    .description('Change a kustomization of a Flux configuration. Only the fields given are changed; everything else stays as it is in Azure. Prints the whole configuration, as az does.');
  addClusterOptions(cmd, { required: true });
  addKustomizationTargetOptions(cmd);
  addKustomizationDefinitionOptions(cmd, 'update');
  addWaitOptions(cmd, { defaultText: '10m' });
  addPreflightOptions(cmd);
  addArmDryRunOption(cmd, 'reads the configuration from Azure and prints the PATCH that would be sent');
  addGlobalOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  # Apply another path and reconcile every 5 minutes
  k8s-gitops flux kustomization update -g rg -c aks1 -t managedClusters -n cluster-config \\
    -k apps --path ./apps/production --interval 5m

  # Stop pruning, and drop the dependencies
  k8s-gitops flux kustomization update -g rg -c aks1 -t managedClusters -n cluster-config \\
    -k apps --prune false --depends-on ''

  # The PATCH a change would send, without sending it
  k8s-gitops flux kustomization update -g rg -c aks1 -t managedClusters -n cluster-config \\
    -k apps --interval 2m --dry-run=arm

  # Turn health checks off (--disable-health-check false turns them back on)
  k8s-gitops flux kustomization update -g rg -c aks1 -t managedClusters -n cluster-config \\
    -k infra --disable-health-check

Durations are Go durations (90s, 10m, 1h30m); booleans are true or false (a bare flag is true).`,
  );
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput | void> {
  const [{ parseKustomizationFlags, hasDefinitionFields, mergeKustomization, kustomizationChange, checkKustomizationSet, kustomizationPatchBody, DEFINITION_FLAGS }, { UsageError }, { kustomizationNotFound }] = await Promise.all([
    import('../../../model/kustomization-flags.js'),
    import('../../../core/errors.js'),
    import('./missing.js'),
  ]);
  const { configName, name, def: given } = parseKustomizationFlags(options);
  if (!hasDefinitionFields(given)) {
    throw new UsageError(undefined, `nothing to change: no field of kustomization '${name}' was given.`, `Give what should change: ${DEFINITION_FLAGS}.`);
  }
  const [{ flatten }, { configurationFromResource }, { prepareKustomizationWrite, sendKustomizationPatch }] = await Promise.all([
    import('../../../azure/resources.js'),
    import('../../../model/file.js'),
    import('./send.js'),
  ]);
  const { s, path, resource } = await prepareKustomizationWrite(ctx, options, configName);
  const current = configurationFromResource(configName, resource);
  const existing = current.kustomizations.get(name);
  if (!existing) {
    throw kustomizationNotFound(s, configName, name, [...current.kustomizations.keys()], `Add it with: k8s-gitops flux kustomization create ${s.clusterArgs} -n ${configName} -k ${name} --path …`);
  }
  const next = mergeKustomization(existing, given);
  const change = kustomizationChange(existing, next);
  const show = `k8s-gitops flux kustomization show ${s.clusterArgs} -n ${configName} -k ${name}`;
  if (!change) {
    ctx.log.info(`nothing to change: kustomization '${name}' of '${configName}' already is as asked${options.dryRun ? '; no request would be sent' : ''}.`);
    return options.dryRun ? undefined : { data: flatten(resource), columns: CONFIG_COLUMNS };
  }
  for (const w of checkKustomizationSet(configName, current.kustomizations, new Map(current.kustomizations).set(name, next))) ctx.log.warn(w);
  ctx.log.verbose(`PATCH of kustomizations.${name}: ${Object.keys(change).join(', ')}`);
  return sendKustomizationPatch(ctx, s, options, {
    path,
    configName,
    body: kustomizationPatchBody(name, change),
    phase: `Updating kustomization ${name} of ${configName}`,
    followUp: show,
    landed: (config) => config.kustomizations.has(name) && kustomizationChange(config.kustomizations.get(name)!, next) === undefined,
    verb: 'update',
    next: `Follow it with: k8s-gitops flux deployed-object list ${s.clusterArgs} -n ${configName} -o table`,
    print: true,
  });
}
