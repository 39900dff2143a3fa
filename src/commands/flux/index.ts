/** The `flux` group's subgroups and commands (loaded only when the group is used). */
import type { Command } from 'commander';
import { registerFluxConfigBuild } from './config/build.js';
import { registerFluxConfigCreate } from './config/create.js';
import { registerFluxConfigDelete } from './config/delete.js';
import { registerFluxConfigList } from './config/list.js';
import { registerFluxConfigShow } from './config/show.js';
import { registerFluxConfigUpdate } from './config/update.js';
import { registerDeployedObjectList } from './deployed-object/list.js';
import { registerDeployedObjectShow } from './deployed-object/show.js';
import { registerFluxKustomizationCreate } from './kustomization/create.js';
import { registerFluxKustomizationDelete } from './kustomization/delete.js';
import { registerFluxKustomizationList } from './kustomization/list.js';
import { registerFluxKustomizationShow } from './kustomization/show.js';
import { registerFluxKustomizationUpdate } from './kustomization/update.js';

function group(parent: Command, name: string, summary: string): Command {
  return parent.command(name).summary(summary).description(summary);
}

export function registerFluxCommands(flux: Command): void {
  flux.addHelpText(
    'after',
    `
az's names work too: flux create, update, show, list and delete are flux config create, update,
show, list and delete (paste an az k8s-configuration command and change its prefix).`,
  );
  const config = group(flux, 'config', 'Create and manage Flux configurations.');
  registerFluxConfigCreate(config);
  registerFluxConfigUpdate(config);
  registerFluxConfigShow(config);
  registerFluxConfigList(config);
  registerFluxConfigDelete(config);
  registerFluxConfigBuild(config);
  const kustomization = group(flux, 'kustomization', 'Create and change the kustomizations of a Flux configuration.');
  registerFluxKustomizationCreate(kustomization);
  registerFluxKustomizationUpdate(kustomization);
  registerFluxKustomizationShow(kustomization);
  registerFluxKustomizationList(kustomization);
  registerFluxKustomizationDelete(kustomization);
  const deployed = group(flux, 'deployed-object', 'The objects a Flux configuration reports as deployed, with their state.');
  registerDeployedObjectList(deployed);
  registerDeployedObjectShow(deployed);
}
