/** The `fleet` group's commands (loaded only when the group is used). */
import type { Command } from 'commander';
import { registerFleetApply } from './apply.js';
import { registerFleetDelete } from './delete.js';
import { registerFleetStatus } from './status.js';

export function registerFleetCommands(fleet: Command): void {
  registerFleetStatus(fleet);
  registerFleetApply(fleet);
  registerFleetDelete(fleet);
}
