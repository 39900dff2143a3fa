/**
 * `fleet delete -n CONFIG`: the configuration removed from every selected cluster, with the
 * same selection, waves, failure budget and confirmation as `fleet apply`. Clusters without it
 * are left alone (absent); offline Arc clusters are skipped unless --force, which removes the
 * configuration from Azure at once whatever the cluster does.
 */
import type { Command } from 'commander';
import type { Context } from '../../core/context.js';
import { action, addGlobalOptions, type CommandOutput } from '../../core/run.js';
import { addYesOption } from '../options.js';
import { addRolloutOptions, addSelectionOptions, type FleetOptions } from './options.js';
import type { RolloutFlags } from './rollout.js';

type Options = FleetOptions & RolloutFlags & { name?: string; force?: boolean };

const EXAMPLES = `
Examples:
  # What would go (sends nothing)
  k8s-gitops fleet delete -n cluster-config --where env=dev --dry-run

  # Remove it from the dev clusters, 20 at a time
  k8s-gitops fleet delete -n cluster-config --where env=dev --wave-size 20 --yes`;

export function registerFleetDelete(parent: Command): Command {
  const cmd = parent
    .command('delete')
    .summary('delete one Flux configuration from many clusters, in waves')
    .description('Delete a Flux configuration from every selected cluster that has it, in waves, with a failure budget. Asks first on a terminal; --yes in scripts.');
  cmd.optionsGroup('Configuration Arguments:').requiredOption('-n, --name <name>', 'name of the configuration to delete');
  addSelectionOptions(cmd);
  addRolloutOptions(cmd, 'delete');
  cmd.optionsGroup('Checks:').option('--force', 'remove it from Azure at once, even where the cluster cannot clean up (offline Arc clusters included)');
  addYesOption(cmd);
  addGlobalOptions(cmd);
  cmd.addHelpText('after', EXAMPLES);
  cmd.action(action<Options>(run));
  return cmd;
}

async function run(options: Options, ctx: Context): Promise<CommandOutput | void> {
  const [{ parseObjectName }, { systemClock }, read, rollout, { planDelete, skipReason }] = await Promise.all([
    import('../../model/values.js'),
    import('../../core/clock.js'),
    import('./read.js'),
    import('./rollout.js'),
    import('../../fleet/plan.js'),
  ]);
  const name = parseObjectName('-n/--name', options.name ?? '', 'configuration name');
  const selection = read.selectionFrom(ctx, options);
  const settings = rollout.rolloutSettings(options);
  rollout.checkConfirmable(ctx, options);

  const clock = systemClock;
  const { plan, graph, paced } = await rollout.planRollout(ctx, options, selection, settings, clock, name, {
    skip: (c) => skipReason(c, { forDelete: true, ...(options.force ? { force: true } : {}) }),
    plan: (c, current) => planDelete(c, current),
  });
  return rollout.executeRollout(ctx, {
    verb: 'delete',
    name,
    plan,
    settings,
    flags: options,
    clock,
    question: (changing, sizes) => `Delete '${name}' from ${changing.length} cluster${changing.length === 1 ? '' : 's'} in ${sizes.length} wave${sizes.length === 1 ? '' : 's'} (${sizes.join(', ')})?`,
    driver: () => rollout.fleetDriver({ ctx, paced, graph, clock, selection, name, waitFor: 'provisioned', waveTimeoutText: options.waveTimeout ?? '15m', ...(options.force ? { force: true } : {}) }),
  });
}
