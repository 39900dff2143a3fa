/** What the fleet tests share: the emulator arguments of a generated fleet, and its clusters' ids. */
import { generateFleet, type GeneratedCluster } from '../../emulator/fleet.js';
import type { FleetOptions } from '../../emulator/options.js';

/** The ARM id of a generated cluster. */
export const idOf = (c: GeneratedCluster): string => `/subscriptions/${c.subscriptionId}/resourceGroups/${c.resourceGroup}/providers/${c.def.rp}/${c.def.type}/${c.def.name}`;

/** Emulator arguments for a generated fleet (operations at once, the agent quick), and the fleet as the tests see it. */
export function generatedFleet(options: FleetOptions, extra: string[] = []): { args: string[]; fleet: ReturnType<typeof generateFleet>; subscriptions: string[] } {
  const args = ['--operation-delay', '0', '--reconcile-delay', '400', '--retry-after', '0', '--quiet', '--clusters', String(options.clusters), '--subscriptions', String(options.subscriptions), '--seed', String(options.seed), ...extra];
  const fleet = generateFleet(options);
  return { args, fleet, subscriptions: ['--subscriptions', ...fleet.subscriptions] };
}
