/**
 * `flux kustomization delete`: removes one kustomization from a Flux configuration (a PATCH
 * setting it to null). Refused while another kustomization depends on it; warns when it prunes.
 */
import type { Command } from 'commander';
import type { Context } from '../../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../../core/run.js';
import type { KustomizationFlags } from '../../../model/kustomization-flags.js';
import { addArmDryRunOption, addClusterOptions } from '../../common.js';
import { addPreflightOptions, addWaitOptions, addYesOption } from '../../options.js';
import { addKustomizationTargetOptions } from './options.js';
import type { KustomizationWriteOptions } from './send.js';

type Options = Pick<KustomizationFlags, 'name' | 'kustomizationName'> & KustomizationWriteOptions;

export function registerFluxKustomizationDelete(parent: Command): Command {
  const cmd = parent
    .command('delete')
    .summary('remove a kustomization from a Flux configuration')
    .description(
      'Remove a kustomization from a Flux configuration. If it prunes, the objects it deployed are deleted from the cluster. Refused while another kustomization depends on it. Asks first on a terminal; without one, --yes is required.',
    );
  addClusterOptions(cmd, { required: true });
  addKustomizationTargetOptions(cmd);
  addYesOption(cmd);
  addWaitOptions(cmd, { defaultText: '10m' });
  addPreflightOptions(cmd);
  addArmDryRunOption(cmd, 'reads the configuration from Azure and prints the PATCH that would be sent (no question asked)');
  addGlobalOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  k8s-gitops flux kustomization delete -g rg -c aks1 -t managedClusters -n cluster-config -k apps --dry-run=arm
  k8s-gitops flux kustomization delete -g rg -c aks1 -t managedClusters -n cluster-config -k apps --yes
  k8s-gitops flux kustomization delete -g rg -c arc1 -t connectedClusters -n cluster-config -k apps --yes --no-wait`,
  );
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput | void> {
  const [{ parseKustomizationTarget, dependentsOf, kustomizationPatchBody }, { UsageError }, { kustomizationNotFound }] = await Promise.all([
    import('../../../model/kustomization-flags.js'),
    import('../../../core/errors.js'),
    import('./missing.js'),
  ]);
  const { configName, name } = parseKustomizationTarget(options);
  const [{ configurationFromResource }, { confirm }, { prepareKustomizationWrite, sendKustomizationPatch }] = await Promise.all([
    import('../../../model/file.js'),
    import('../../../core/prompt.js'),
    import('./send.js'),
  ]);
  const { s, path, resource } = await prepareKustomizationWrite(ctx, options, configName);
  const current = configurationFromResource(configName, resource);
  const existing = current.kustomizations.get(name);
  if (!existing) {
    throw kustomizationNotFound(s, configName, name, [...current.kustomizations.keys()]);
  }
  const dependents = dependentsOf(name, current.kustomizations);
  if (dependents.length > 0) {
    const which = dependents.map((d) => `'${d}'`).join(', ');
    const rest = (current.kustomizations.get(dependents[0]!)?.dependsOn ?? []).filter((d) => d !== name);
    throw new UsageError(
      '-k/--kustomization-name',
      `kustomization${dependents.length > 1 ? 's' : ''} ${which} of '${configName}' depend${dependents.length > 1 ? '' : 's'} on '${name}'; nothing was deleted.`,
      `Remove '${name}' from the dependencies of ${which} first, e.g. k8s-gitops flux kustomization update ${s.clusterArgs} -n ${configName} -k ${dependents[0]} --depends-on '${rest.join(',')}', or delete ${dependents.length > 1 ? 'them' : 'it'} first.`,
    );
  }
  if (existing.prune) ctx.log.warn(`kustomization '${name}' prunes: the objects it deployed will be deleted from the cluster.`);
  if (current.kustomizations.size === 1) ctx.log.warn(`'${name}' is the only kustomization of '${configName}': the configuration will apply nothing.`);
  const question = `Delete kustomization '${name}' of Flux configuration '${configName}' on cluster '${s.cluster.clusterName}'${existing.prune ? ', and the objects it deployed' : ''}?`;
  if (options.dryRun !== 'arm' && !(await confirm(ctx, question, options.yes))) {
    ctx.log.info('Nothing was deleted.');
    return;
  }
  const list = `k8s-gitops flux kustomization list ${s.clusterArgs} -n ${configName}`;
  return sendKustomizationPatch(ctx, s, options, {
    path,
    configName,
    body: kustomizationPatchBody(name, null),
    phase: `Deleting kustomization ${name} of ${configName}`,
    followUp: list,
    landed: (config) => !config.kustomizations.has(name),
    verb: 'delete',
    next: `See what is left with: ${list}`,
    print: false,
    done: `Deleted kustomization '${name}' of '${configName}'.`,
  });
}
