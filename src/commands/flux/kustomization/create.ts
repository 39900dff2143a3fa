/**
 * `flux kustomization create`: adds one kustomization to a Flux configuration (a PATCH of the
 * configuration carrying only that kustomization, with only the fields given). The whole set is
 * checked first: dependencies that exist, no cycles, names within Kubernetes' limits.
 */
import type { Command } from 'commander';
import type { Context } from '../../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../../core/run.js';
import type { KustomizationFlags } from '../../../model/kustomization-flags.js';
import { addArmDryRunOption, addClusterOptions } from '../../common.js';
import { addPreflightOptions, addWaitOptions } from '../../options.js';
import { addKustomizationDefinitionOptions, addKustomizationTargetOptions } from './options.js';
import type { KustomizationWriteOptions } from './send.js';

type Options = KustomizationFlags & KustomizationWriteOptions;

export function registerFluxKustomizationCreate(parent: Command): Command {
  const cmd = parent
    .command('create')
    .summary('add a kustomization to a Flux configuration')
    .description(
      'Add a kustomization to an existing Flux configuration. Only the fields given are sent; Azure fills in its defaults (path: the root, interval and timeout 10m, prune and force false, health checks on). Prints the whole configuration, as az does.',
    );
  addClusterOptions(cmd, { required: true });
  addKustomizationTargetOptions(cmd);
  addKustomizationDefinitionOptions(cmd, 'create');
  addWaitOptions(cmd, { defaultText: '10m' });
  addPreflightOptions(cmd);
  addArmDryRunOption(cmd, 'reads the configuration from Azure and prints the PATCH that would be sent');
  addGlobalOptions(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  # Apply ./apps/staging after the infra kustomization, pruning what leaves the repository
  k8s-gitops flux kustomization create -g rg -c aks1 -t managedClusters -n cluster-config \\
    -k apps --path ./apps/staging --depends-on infra --prune

  # With post-build substitution from a literal and from a ConfigMap
  k8s-gitops flux kustomization create -g rg -c aks1 -t managedClusters -n cluster-config \\
    -k monitoring --path ./monitoring --interval 5m \\
    --substitute cluster_env=prod --substitute-from ConfigMap/cluster-vars

  # The PATCH of the configuration that would add it, without sending it
  k8s-gitops flux kustomization create -g rg -c aks1 -t managedClusters -n cluster-config \\
    -k monitoring --path ./monitoring --dry-run=arm

Durations are Go durations (90s, 10m, 1h30m); booleans are true or false (a bare flag is true).`,
  );
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput | void> {
  const { parseKustomizationFlags, newKustomization, checkKustomizationSet, kustomizationPatchBody, kustomizationChange } = await import('../../../model/kustomization-flags.js');
  const { configName, name, def: given } = parseKustomizationFlags(options);
  const [{ configurationFromResource }, { CliError }, { prepareKustomizationWrite, sendKustomizationPatch }] = await Promise.all([
    import('../../../model/file.js'),
    import('../../../core/errors.js'),
    import('./send.js'),
  ]);
  const { s, path, resource } = await prepareKustomizationWrite(ctx, options, configName);
  const current = configurationFromResource(configName, resource);
  if (current.kustomizations.has(name)) {
    throw new CliError(
      `kustomization '${name}' already exists in Flux configuration '${configName}'; create does not change it.`,
      `Change it with: k8s-gitops flux kustomization update ${s.clusterArgs} -n ${configName} -k ${name} --path …`,
    );
  }
  const def = newKustomization(given);
  for (const w of checkKustomizationSet(configName, current.kustomizations, new Map(current.kustomizations).set(name, def))) ctx.log.warn(w);
  ctx.log.verbose(`PATCH of kustomizations.${name}: ${Object.keys(def).join(', ') || '(Azure defaults)'}`);
  const show = `k8s-gitops flux kustomization show ${s.clusterArgs} -n ${configName} -k ${name}`;
  return sendKustomizationPatch(ctx, s, options, {
    path,
    configName,
    body: kustomizationPatchBody(name, def),
    phase: `Adding kustomization ${name} to ${configName}`,
    followUp: show,
    landed: (config) => config.kustomizations.has(name) && kustomizationChange(config.kustomizations.get(name)!, { ...config.kustomizations.get(name)!, ...def }) === undefined,
    verb: 'create',
    next: `Follow it with: k8s-gitops flux deployed-object list ${s.clusterArgs} -n ${configName} -o table`,
    print: true,
    done: `Added kustomization '${name}'. The cluster's agent applies it now; follow it with: k8s-gitops flux deployed-object list ${s.clusterArgs} -n ${configName} -o table`,
  });
}
