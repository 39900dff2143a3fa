/** The `extension` group's commands (loaded only when the group is used). */
import type { Command } from 'commander';
import { registerExtensionCreate } from './create.js';
import { registerExtensionDelete } from './delete.js';
import { registerExtensionList, registerExtensionShow } from './show.js';
import { registerExtensionUpdate } from './update.js';

export function registerExtensionCommands(extension: Command): void {
  registerExtensionCreate(extension);
  registerExtensionUpdate(extension);
  registerExtensionShow(extension);
  registerExtensionList(extension);
  registerExtensionDelete(extension);
}
