/**
 * What `flux kustomization create|update|delete` share once they know the PATCH of the parent
 * configuration: --dry-run=arm prints it; otherwise it is sent and followed, and an operation
 * that ends Failed or Canceled is explained by what Azure holds (see ../../outcome.ts).
 */
import type { Context } from '../../../core/context.js';
import type { CommandOutput } from '../../../core/run.js';
import type { ArmResource } from '../../../azure/resources.js';
import type { Session } from '../../../azure/session.js';
import type { FluxConfiguration } from '../../../model/types.js';
import type { AzureOptions } from '../../azure.js';
import type { DryRunRequest } from '../../common.js';
import { CONFIG_COLUMNS } from '../config/columns.js';

export type KustomizationWriteOptions = AzureOptions & { dryRun?: 'arm' };

/**
 * Connects and reads the parent configuration: for a dry run only that (nothing is checked that
 * only a write needs); for a write with the write's checks, in the same round trip.
 */
export async function prepareKustomizationWrite(ctx: Context, options: KustomizationWriteOptions, configName: string): Promise<{ s: Session; path: string; resource: ArmResource }> {
  const { prepareConfigurationWrite } = await import('../../azure.js');
  return prepareConfigurationWrite(ctx, options, configName);
}

export interface KustomizationPatch {
  /** The parent configuration's ARM path, and its name. */
  path: string;
  configName: string;
  body: unknown;
  /** Progress line while waiting, e.g. "Updating kustomization apps of cluster-config". */
  phase: string;
  /** The command that shows the result. */
  followUp: string;
  /** True when the configuration as Azure holds it carries the change. */
  landed(config: FluxConfiguration): boolean;
  /** The command (`flux kustomization VERB`), for what to run after a failed operation. */
  verb: 'create' | 'update' | 'delete';
  /** What to run next once the change is in Azure. */
  next: string;
  /** Print the whole configuration afterwards, as az does (delete prints nothing). */
  print: boolean;
  /** Said once the change is done. */
  done?: string;
}

export async function sendKustomizationPatch(ctx: Context, s: Session, options: KustomizationWriteOptions, patch: KustomizationPatch): Promise<CommandOutput | void> {
  const [{ flatten, FLUX_API_VERSION }, { configurationFromResource }, { followWrite }] = await Promise.all([
    import('../../../azure/resources.js'),
    import('../../../model/file.js'),
    import('../../outcome.js'),
  ]);
  if (options.dryRun === 'arm') {
    const request: DryRunRequest = { method: 'PATCH', path: patch.path, apiVersion: FLUX_API_VERSION, body: patch.body };
    return { data: request, defaultFormat: 'json' };
  }
  const accepted = await s.arm.request<ArmResource>('PATCH', patch.path, { apiVersion: FLUX_API_VERSION, body: patch.body });
  const { done, resource } = await followWrite(ctx, s, accepted, options, { phase: patch.phase, followUp: patch.followUp, defaultTimeoutMs: 10 * 60_000 }, {
    what: `Flux configuration '${patch.configName}'`,
    path: patch.path,
    apiVersion: FLUX_API_VERSION,
    landed: (r) => r !== undefined && patch.landed(configurationFromResource(patch.configName, r)),
    next: {
      landed: patch.next,
      failed: `See why with: k8s-gitops flux config show ${s.clusterArgs} -n ${patch.configName}; once the cause is fixed, run this ${patch.verb} again.`,
      missing: `Run this ${patch.verb} again.`,
    },
  });
  if (done && patch.done && !resource) ctx.log.info(patch.done);
  if (!patch.print) return;
  if (done) {
    const final = resource ?? (await s.arm.request<ArmResource>('GET', patch.path, { apiVersion: FLUX_API_VERSION })).body;
    return { data: flatten(final), columns: CONFIG_COLUMNS };
  }
  if (accepted.body && typeof accepted.body === 'object' && Object.keys(accepted.body).length > 0) return { data: flatten(accepted.body), columns: CONFIG_COLUMNS };
}
