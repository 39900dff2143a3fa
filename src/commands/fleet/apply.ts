/**
 * `fleet apply`: one Flux configuration to every selected cluster, in waves. The plan comes
 * first (one ARM GET per cluster decides create, update or unchanged), then each wave is
 * written — paced to ARM's write budget, the Flux extension installed where missing — and must
 * reach --wait-for before the next starts. Too many failures stop it (exit 6) with an account
 * of what changed, what failed and why, and what was never touched.
 */
import type { Command } from 'commander';
import type { Context } from '../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../core/run.js';
import type { FluxConfigFlags } from '../../model/flags.js';
import { KUSTOMIZATION_KEYS_HELP } from '../../model/kustomization.js';
import { addYesOption } from '../options.js';
import { addConfigurationOptions, addRolloutOptions, addSelectionOptions, type FleetOptions } from './options.js';
import type { RolloutFlags } from './rollout.js';

type Options = FluxConfigFlags & FleetOptions & RolloutFlags & { allowOffline?: boolean };

const EXAMPLES = `
Examples:
  # The plan for the production clusters (reads Azure, writes nothing)
  k8s-gitops fleet apply --where env=prod -n cluster-config --namespace cluster-config \\
    -u https://github.com/Azure/gitops-flux2-kustomize-helm-mt --branch main \\
    -k name=infra path=./infrastructure prune=true \\
    -k name=apps path=./apps/production prune=true depends_on=infra --dry-run

  # A file rolled out to the staging AKS clusters: one canary, then 10 %, then the rest,
  # each wave compliant before the next; stop when more than 10 % fail
  k8s-gitops fleet apply --where env=staging -t managedClusters -f cluster-config.yaml \\
    --waves 1,10%,100% --wait-for compliant --max-failures 10% --yes

  # The clusters a file lists (one ARM id a line), 50 at a time
  k8s-gitops fleet apply --clusters stores.txt -f cluster-config.yaml --wave-size 50 --yes

Kustomization keys (-k, repeatable): ${KUSTOMIZATION_KEYS_HELP}`;

export function registerFleetApply(parent: Command): Command {
  const cmd = parent
    .command('apply')
    .summary('create or update one Flux configuration on many clusters, in waves')
    .description(
      'Create or update a Flux configuration (the flags of flux config create, or -f) on every selected cluster, installing the Flux extension where missing. The plan is decided from ARM: clusters already as asked are left alone, so running it again converges. Waves run one after the other, each within --wave-timeout; more failures than --max-failures stop the rollout (exit 6). Offline Arc clusters and broken Flux extensions are skipped and said why. Asks first on a terminal; --yes in scripts.',
    );
  addConfigurationOptions(cmd);
  addSelectionOptions(cmd);
  addRolloutOptions(cmd, 'apply');
  cmd.optionsGroup('Checks:').option('--allow-offline', 'write to offline Arc clusters too (Azure keeps the change for them for 48 hours)');
  addYesOption(cmd);
  addGlobalOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput | void> {
  const [{ buildFluxConfiguration }, { systemClock }, read, rollout, { planApply, skipReason }] = await Promise.all([
    import('../../model/flux-config.js'),
    import('../../core/clock.js'),
    import('./read.js'),
    import('./rollout.js'),
    import('../../fleet/plan.js'),
  ]);
  // Every flag is checked before anything is sent.
  const { config, warnings } = buildFluxConfiguration(options, ctx.input);
  for (const w of warnings) ctx.log.warn(w);
  const selection = read.selectionFrom(ctx, options);
  const settings = rollout.rolloutSettings(options);
  rollout.checkConfirmable(ctx, options);

  const clock = systemClock;
  const { plan, graph, paced } = await rollout.planRollout(ctx, options, selection, settings, clock, config.name, {
    skip: (c) => skipReason(c, options.allowOffline ? { allowOffline: true } : {}),
    plan: (c, current) => planApply(c, config, current),
  });
  const result = await rollout.executeRollout(ctx, {
    verb: 'apply',
    name: config.name,
    plan,
    settings,
    flags: options,
    clock,
    question: (changing, sizes) =>
      `Apply '${config.name}' to ${changing.length} cluster${changing.length === 1 ? '' : 's'} in ${sizes.length} wave${sizes.length === 1 ? '' : 's'} (${sizes.join(', ')}), each ${settings.waitFor} before the next?`,
    driver: () =>
      rollout.fleetDriver({ ctx, paced, graph, clock, selection, name: config.name, desired: config, waitFor: settings.waitFor, waveTimeoutText: options.waveTimeout ?? '15m' }),
  });
  ctx.log.debug(`ARM: ${paced.stats.requests} requests (${paced.stats.byKind.reads} reads, ${paced.stats.byKind.writes} writes, ${paced.stats.byKind.deletes} deletes), ${paced.stats.paced} paced for ${paced.stats.pacedMs} ms, ${paced.stats.throttled} throttled; Resource Graph: ${graph.requests} requests`);
  return result;
}
