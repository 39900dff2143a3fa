/** The `flux` group's subgroups and commands (loaded only when the group is used). */
import type { Command } from 'commander';
import { registerFluxConfigBuild } from './config/build.js';
import { registerFluxConfigCreate } from './config/create.js';
import { registerFluxConfigDelete } from './config/delete.js';
import { registerFluxConfigDiff } from './config/diff.js';
import { registerFluxConfigEvents } from './config/events.js';
import { registerFluxConfigList } from './config/list.js';
import { registerFluxConfigReconcile } from './config/reconcile.js';
import { registerFluxConfigShow } from './config/show.js';
import { registerFluxConfigResume, registerFluxConfigSuspend } from './config/suspend.js';
import { registerFluxConfigTree } from './config/tree.js';
import { registerFluxConfigUpdate } from './config/update.js';
import { registerDeployedObjectList } from './deployed-object/list.js';
import { registerDeployedObjectShow } from './deployed-object/show.js';
import { registerFluxKustomizationCreate } from './kustomization/create.js';
import { registerFluxKustomizationDelete } from './kustomization/delete.js';
import { registerFluxKustomizationList } from './kustomization/list.js';
import { registerFluxKustomizationShow } from './kustomization/show.js';
import { registerFluxKustomizationUpdate } from './kustomization/update.js';

type Register = (parent: Command) => unknown;

/** The subgroups of `flux` and their commands, in the order help lists them. */
const GROUPS: ReadonlyArray<readonly [name: string, summary: string, commands: Readonly<Record<string, Register>>]> = [
  [
    'config',
    'Create and manage Flux configurations.',
    {
      create: registerFluxConfigCreate,
      update: registerFluxConfigUpdate,
      show: registerFluxConfigShow,
      list: registerFluxConfigList,
      delete: registerFluxConfigDelete,
      build: registerFluxConfigBuild,
      diff: registerFluxConfigDiff,
      suspend: registerFluxConfigSuspend,
      resume: registerFluxConfigResume,
      reconcile: registerFluxConfigReconcile,
      tree: registerFluxConfigTree,
      events: registerFluxConfigEvents,
    },
  ],
  [
    'kustomization',
    'Create and change the kustomizations of a Flux configuration.',
    { create: registerFluxKustomizationCreate, update: registerFluxKustomizationUpdate, show: registerFluxKustomizationShow, list: registerFluxKustomizationList, delete: registerFluxKustomizationDelete },
  ],
  ['deployed-object', 'The objects a Flux configuration reports as deployed, with their state.', { list: registerDeployedObjectList, show: registerDeployedObjectShow }],
];

/**
 * `flux GROUP COMMAND` as the command line names them, or nothing. The line is the one main()
 * rewrote: help words and az's `flux create` are already `… --help` and `flux config create`.
 */
function namedCommand(argv: readonly string[]): [string, string] | undefined {
  const [flux, group, command] = argv.filter((a) => !a.startsWith('-'));
  if (flux !== 'flux' || group === undefined || command === undefined) return undefined;
  const commands = GROUPS.find(([name]) => name === group)?.[2];
  return commands && Object.hasOwn(commands, command) ? [group, command] : undefined;
}

/**
 * Builds the `flux` group. When the command line names one of its commands, only that one is
 * built (a dry run need not set up a dozen commands and their options); otherwise all are, for
 * the group's help and the suggestions after a typo.
 */
export function registerFluxCommands(flux: Command, argv: readonly string[] = []): void {
  flux.addHelpText(
    'after',
    `
az's names work too: flux create, update, show, list and delete are flux config create, update,
show, list and delete (paste an az k8s-configuration command and change its prefix).`,
  );
  const named = namedCommand(argv);
  for (const [name, summary, commands] of GROUPS) {
    const parent = flux.command(name).summary(summary).description(summary);
    for (const [command, register] of Object.entries(commands)) {
      if (!named || (named[0] === name && named[1] === command)) register(parent);
    }
  }
}
