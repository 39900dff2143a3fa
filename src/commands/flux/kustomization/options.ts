/** Arguments shared by the `flux kustomization` commands (option definitions only: light to load). */
import { Option, type Command } from 'commander';

const bool = (flag: string, text: string): Option => new Option(`${flag} [bool]`, text).preset(true);

/** `-n CONFIG -k NAME`. */
export function addKustomizationTargetOptions(cmd: Command): Command {
  return cmd
    .optionsGroup('Kustomization Arguments:')
    .requiredOption('-n, --name <config>', 'name of the Flux configuration')
    .requiredOption('-k, --kustomization-name <name>', 'name of the kustomization (its Flux object is <config>-<name>)');
}

/** The fields of a kustomization, as az names them. On update each one changes only itself. */
export function addKustomizationDefinitionOptions(cmd: Command, mode: 'create' | 'update'): Command {
  const update = mode === 'update';
  return cmd
    .option('--path <path>', `path in the source to apply${update ? '' : ' (Azure default: the root)'}`)
    .option('--depends-on <names...>', `kustomizations of this configuration to apply first: a,b or [a,b] (aliases: --dependencies, --depends)${update ? "; replaces the list, '' clears it" : ''}`)
    .addOption(new Option('--dependencies <names...>').hideHelp())
    .addOption(new Option('--depends <names...>').hideHelp())
    .option('--interval <duration>', `how often it is reconciled${update ? '' : ' (Azure default 10m)'} (alias: --sync-interval)`)
    .option('--retry-interval <duration>', `how soon a failed reconciliation is retried${update ? '' : ' (default: the interval)'}`)
    .option('--timeout <duration>', `timeout of one reconciliation${update ? '' : ' (Azure default 10m)'}; waiting for Azure is --wait-timeout`)
    .addOption(bool('--prune', `delete the objects it deployed that leave the source${update ? '' : ' (Azure default false)'}`))
    .addOption(bool('--force', `recreate objects whose immutable fields change${update ? '' : ' (Azure default false)'}`))
    .addOption(bool('--disable-health-check', `do not wait for the applied objects to be healthy${update ? ' (false turns health checks back on)' : ''}`))
    .option('--substitute <VAR=value...>', `post-build variable substitution${update ? ' (added to the variables it has)' : ''}`)
    .option('--substitute-from <KIND/NAME...>', `variables from a ConfigMap or Secret in the configuration namespace, KIND/NAME or KIND/NAME:optional${update ? ' (added to the ones it has)' : ''}`);
}
